//! Analytics: admin-supplied industry reference values, and an index that
//! lets the trends line aggregate a window of days without reading the
//! snapshot rows themselves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ScoreSnapshots {
    Table,
    SnapshotDate,
    TenantId,
    Percentage,
}

#[derive(DeriveIden)]
enum IndustryReferences {
    Table,
    Id,
    Industry,
    IndustryKey,
    AverageScore,
    TopDecileScore,
    Source,
    UpdatedAt,
    UpdatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Covers the trends aggregate (date range, tenant, percentage), so
        // both SQLite and PostgreSQL answer it from the index alone.
        manager
            .create_index(
                Index::create()
                    .name("ix_score_snapshots_date_tenant_percentage")
                    .table(ScoreSnapshots::Table)
                    .col(ScoreSnapshots::SnapshotDate)
                    .col(ScoreSnapshots::TenantId)
                    .col(ScoreSnapshots::Percentage)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndustryReferences::Table)
                    .col(pk_auto(IndustryReferences::Id))
                    .col(string_len(IndustryReferences::Industry, 100))
                    // Lower-cased industry: one reference per industry whatever its spelling.
                    .col(string_len_uniq(IndustryReferences::IndustryKey, 100))
                    .col(double(IndustryReferences::AverageScore))
                    .col(double_null(IndustryReferences::TopDecileScore))
                    .col(string_len(IndustryReferences::Source, 500))
                    .col(timestamp_with_time_zone(IndustryReferences::UpdatedAt))
                    .col(string_null(IndustryReferences::UpdatedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IndustryReferences::Table).to_owned()).await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_score_snapshots_date_tenant_percentage")
                    .table(ScoreSnapshots::Table)
                    .to_owned(),
            )
            .await
    }
}
