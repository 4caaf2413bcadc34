//! MSP changes to the shipped compliance mapping, kept apart from the
//! shipped file so an upgrade that replaces the file keeps them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ComplianceOverrides {
    Table,
    Id,
    ControlId,
    Framework,
    Control,
    Source,
    Kind,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ComplianceOverrides::Table)
                    .col(pk_auto(ComplianceOverrides::Id))
                    .col(string_len(ComplianceOverrides::ControlId, 200))
                    .col(string_len(ComplianceOverrides::Framework, 32))
                    .col(string_len(ComplianceOverrides::Control, 64))
                    .col(string_len(ComplianceOverrides::Source, 500))
                    // `add` a mapped control, or `remove` a shipped one.
                    .col(string_len(ComplianceOverrides::Kind, 8))
                    .col(string_null(ComplianceOverrides::UpdatedBy))
                    .col(timestamp_with_time_zone(ComplianceOverrides::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_compliance_overrides_mapping")
                    .table(ComplianceOverrides::Table)
                    .col(ComplianceOverrides::ControlId)
                    .col(ComplianceOverrides::Framework)
                    .col(ComplianceOverrides::Control)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ComplianceOverrides::Table).to_owned()).await
    }
}
