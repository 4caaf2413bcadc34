//! Improvement actions: each tenant's open gaps, precomputed at ingestion
//! from its latest snapshot and control profiles, one catalogue row per
//! action, the status of each action per tenant, and the history of every
//! status change.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ActionGaps {
    Table,
    Id,
    TenantPk,
    ControlId,
    Score,
    MaxScore,
}

#[derive(DeriveIden)]
enum ActionCatalogue {
    Table,
    Id,
    ControlId,
    Title,
    ControlCategory,
    ImplementationCost,
    UserImpact,
    Service,
    ActionUrl,
    Remediation,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecommendationStatuses {
    Table,
    Id,
    TenantPk,
    ControlId,
    Status,
    TargetDate,
    Justification,
    BaselineScore,
    PointsGained,
    CompletedAt,
    Regression,
    GraphState,
    GraphResult,
    GraphMessage,
    GraphAt,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecommendationHistory {
    Table,
    Id,
    TenantPk,
    ControlId,
    FromStatus,
    ToStatus,
    TargetDate,
    Justification,
    Actor,
    Note,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActionGaps::Table)
                    .col(big_pk_auto(ActionGaps::Id))
                    .col(integer(ActionGaps::TenantPk))
                    .col(string(ActionGaps::ControlId))
                    .col(double(ActionGaps::Score))
                    .col(double(ActionGaps::MaxScore))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActionGaps::Table, ActionGaps::TenantPk)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_action_gaps_tenant_control")
                    .table(ActionGaps::Table)
                    .col(ActionGaps::TenantPk)
                    .col(ActionGaps::ControlId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_action_gaps_control")
                    .table(ActionGaps::Table)
                    .col(ActionGaps::ControlId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActionCatalogue::Table)
                    .col(pk_auto(ActionCatalogue::Id))
                    .col(string_uniq(ActionCatalogue::ControlId))
                    .col(text_null(ActionCatalogue::Title))
                    .col(string_null(ActionCatalogue::ControlCategory))
                    .col(string_null(ActionCatalogue::ImplementationCost))
                    .col(string_null(ActionCatalogue::UserImpact))
                    .col(string_null(ActionCatalogue::Service))
                    .col(text_null(ActionCatalogue::ActionUrl))
                    .col(text_null(ActionCatalogue::Remediation))
                    .col(timestamp_with_time_zone(ActionCatalogue::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecommendationStatuses::Table)
                    .col(big_pk_auto(RecommendationStatuses::Id))
                    .col(integer(RecommendationStatuses::TenantPk))
                    .col(string(RecommendationStatuses::ControlId))
                    .col(string_len(RecommendationStatuses::Status, 16))
                    .col(date_null(RecommendationStatuses::TargetDate))
                    .col(text_null(RecommendationStatuses::Justification))
                    .col(double_null(RecommendationStatuses::BaselineScore))
                    .col(double_null(RecommendationStatuses::PointsGained))
                    .col(timestamp_with_time_zone_null(RecommendationStatuses::CompletedAt))
                    .col(boolean(RecommendationStatuses::Regression).default(false))
                    // The last write-back to Microsoft: the state sent and how it went.
                    .col(string_len_null(RecommendationStatuses::GraphState, 16))
                    .col(string_len_null(RecommendationStatuses::GraphResult, 16))
                    .col(text_null(RecommendationStatuses::GraphMessage))
                    .col(timestamp_with_time_zone_null(RecommendationStatuses::GraphAt))
                    .col(string_null(RecommendationStatuses::UpdatedBy))
                    .col(timestamp_with_time_zone(RecommendationStatuses::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RecommendationStatuses::Table, RecommendationStatuses::TenantPk)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_recommendation_statuses_tenant_control")
                    .table(RecommendationStatuses::Table)
                    .col(RecommendationStatuses::TenantPk)
                    .col(RecommendationStatuses::ControlId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecommendationHistory::Table)
                    .col(big_pk_auto(RecommendationHistory::Id))
                    .col(integer(RecommendationHistory::TenantPk))
                    .col(string(RecommendationHistory::ControlId))
                    .col(string_len_null(RecommendationHistory::FromStatus, 16))
                    .col(string_len(RecommendationHistory::ToStatus, 16))
                    .col(date_null(RecommendationHistory::TargetDate))
                    .col(text_null(RecommendationHistory::Justification))
                    .col(string(RecommendationHistory::Actor))
                    .col(text_null(RecommendationHistory::Note))
                    .col(timestamp_with_time_zone(RecommendationHistory::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RecommendationHistory::Table, RecommendationHistory::TenantPk)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_recommendation_history_control_tenant")
                    .table(RecommendationHistory::Table)
                    .col(RecommendationHistory::ControlId)
                    .col(RecommendationHistory::TenantPk)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RecommendationHistory::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(RecommendationStatuses::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ActionCatalogue::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ActionGaps::Table).to_owned()).await
    }
}
