//! Tenants, daily score snapshots, control scores, control profiles and
//! sync runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    TenantId,
    DisplayName,
    Industry,
    Excluded,
    SyncStatus,
    LastError,
    LastSyncAt,
    LastSuccessAt,
    LatestSnapshotId,
    LatestSnapshotDate,
    LatestCreatedAt,
    CurrentScore,
    MaxScore,
    Percentage,
    Trend7d,
    Trend30d,
    Trend90d,
    TrendDetail,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ScoreSnapshots {
    Table,
    Id,
    TenantId,
    SnapshotDate,
    CreatedDateTime,
    GraphId,
    CurrentScore,
    MaxScore,
    Percentage,
    ActiveUserCount,
    LicensedUserCount,
    EnabledServices,
    ComparativeScores,
    CategoryScores,
    Warnings,
    SyncedAt,
}

#[derive(DeriveIden)]
enum ControlScores {
    Table,
    Id,
    SnapshotId,
    ControlName,
    ControlCategory,
    Score,
    MaxScore,
    MaxSource,
    ScoreInPercentage,
    ImplementationStatus,
    LastSynced,
    Count,
    Total,
    OnState,
}

#[derive(DeriveIden)]
enum ControlDescriptions {
    Table,
    Id,
    TenantId,
    ControlName,
    Description,
}

#[derive(DeriveIden)]
enum ControlProfiles {
    Table,
    Id,
    TenantId,
    ControlId,
    Title,
    ControlCategory,
    MaxScore,
    Rank,
    Tier,
    ImplementationCost,
    UserImpact,
    ActionType,
    Service,
    Threats,
    Remediation,
    RemediationImpact,
    ActionUrl,
    Deprecated,
    ComplianceInformation,
    ControlStateUpdates,
    EffectiveState,
    LastModifiedAt,
    SyncedAt,
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    Id,
    Trigger,
    Status,
    StartedAt,
    FinishedAt,
    TenantsTotal,
    TenantsDone,
    TenantsFailed,
    SnapshotsWritten,
    DurationMs,
    Outcomes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenants::Table)
                    .col(pk_auto(Tenants::Id))
                    .col(string_len_uniq(Tenants::TenantId, 64))
                    .col(string(Tenants::DisplayName))
                    .col(string_null(Tenants::Industry))
                    .col(boolean(Tenants::Excluded).default(false))
                    .col(string_len(Tenants::SyncStatus, 32).default("never_synced"))
                    .col(text_null(Tenants::LastError))
                    .col(timestamp_with_time_zone_null(Tenants::LastSyncAt))
                    .col(timestamp_with_time_zone_null(Tenants::LastSuccessAt))
                    .col(big_integer_null(Tenants::LatestSnapshotId))
                    .col(date_null(Tenants::LatestSnapshotDate))
                    .col(timestamp_with_time_zone_null(Tenants::LatestCreatedAt))
                    .col(double_null(Tenants::CurrentScore))
                    .col(double_null(Tenants::MaxScore))
                    .col(double_null(Tenants::Percentage))
                    .col(double_null(Tenants::Trend7d))
                    .col(double_null(Tenants::Trend30d))
                    .col(double_null(Tenants::Trend90d))
                    .col(json_null(Tenants::TrendDetail))
                    .col(timestamp_with_time_zone(Tenants::CreatedAt))
                    .col(timestamp_with_time_zone(Tenants::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ScoreSnapshots::Table)
                    .col(big_pk_auto(ScoreSnapshots::Id))
                    .col(integer(ScoreSnapshots::TenantId))
                    .col(date(ScoreSnapshots::SnapshotDate))
                    .col(timestamp_with_time_zone(ScoreSnapshots::CreatedDateTime))
                    .col(string_null(ScoreSnapshots::GraphId))
                    .col(double(ScoreSnapshots::CurrentScore))
                    .col(double(ScoreSnapshots::MaxScore))
                    .col(double_null(ScoreSnapshots::Percentage))
                    .col(big_integer_null(ScoreSnapshots::ActiveUserCount))
                    .col(big_integer_null(ScoreSnapshots::LicensedUserCount))
                    .col(json(ScoreSnapshots::EnabledServices))
                    .col(json(ScoreSnapshots::ComparativeScores))
                    .col(json(ScoreSnapshots::CategoryScores))
                    .col(json(ScoreSnapshots::Warnings))
                    .col(timestamp_with_time_zone(ScoreSnapshots::SyncedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ScoreSnapshots::Table, ScoreSnapshots::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_score_snapshots_tenant_day")
                    .table(ScoreSnapshots::Table)
                    .col(ScoreSnapshots::TenantId)
                    .col(ScoreSnapshots::SnapshotDate)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ControlScores::Table)
                    .col(big_pk_auto(ControlScores::Id))
                    .col(big_integer(ControlScores::SnapshotId))
                    .col(string(ControlScores::ControlName))
                    .col(string(ControlScores::ControlCategory))
                    .col(double(ControlScores::Score))
                    .col(double_null(ControlScores::MaxScore))
                    .col(string_len(ControlScores::MaxSource, 16))
                    .col(double_null(ControlScores::ScoreInPercentage))
                    .col(text_null(ControlScores::ImplementationStatus))
                    .col(timestamp_with_time_zone_null(ControlScores::LastSynced))
                    .col(string_null(ControlScores::Count))
                    .col(string_null(ControlScores::Total))
                    .col(boolean_null(ControlScores::OnState))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ControlScores::Table, ControlScores::SnapshotId)
                            .to(ScoreSnapshots::Table, ScoreSnapshots::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_control_scores_snapshot_control")
                    .table(ControlScores::Table)
                    .col(ControlScores::SnapshotId)
                    .col(ControlScores::ControlName)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ControlDescriptions::Table)
                    .col(pk_auto(ControlDescriptions::Id))
                    .col(integer(ControlDescriptions::TenantId))
                    .col(string(ControlDescriptions::ControlName))
                    .col(text(ControlDescriptions::Description))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ControlDescriptions::Table, ControlDescriptions::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_control_descriptions_tenant_control")
                    .table(ControlDescriptions::Table)
                    .col(ControlDescriptions::TenantId)
                    .col(ControlDescriptions::ControlName)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ControlProfiles::Table)
                    .col(pk_auto(ControlProfiles::Id))
                    .col(integer(ControlProfiles::TenantId))
                    .col(string(ControlProfiles::ControlId))
                    .col(text_null(ControlProfiles::Title))
                    .col(string_null(ControlProfiles::ControlCategory))
                    .col(double_null(ControlProfiles::MaxScore))
                    .col(big_integer_null(ControlProfiles::Rank))
                    .col(string_null(ControlProfiles::Tier))
                    .col(string_null(ControlProfiles::ImplementationCost))
                    .col(string_null(ControlProfiles::UserImpact))
                    .col(string_null(ControlProfiles::ActionType))
                    .col(string_null(ControlProfiles::Service))
                    .col(json(ControlProfiles::Threats))
                    .col(text_null(ControlProfiles::Remediation))
                    .col(text_null(ControlProfiles::RemediationImpact))
                    .col(text_null(ControlProfiles::ActionUrl))
                    .col(boolean(ControlProfiles::Deprecated).default(false))
                    .col(json_null(ControlProfiles::ComplianceInformation))
                    .col(json(ControlProfiles::ControlStateUpdates))
                    .col(string_len(ControlProfiles::EffectiveState, 32))
                    .col(timestamp_with_time_zone_null(ControlProfiles::LastModifiedAt))
                    .col(timestamp_with_time_zone(ControlProfiles::SyncedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ControlProfiles::Table, ControlProfiles::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_control_profiles_tenant_control")
                    .table(ControlProfiles::Table)
                    .col(ControlProfiles::TenantId)
                    .col(ControlProfiles::ControlId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SyncRuns::Table)
                    .col(big_pk_auto(SyncRuns::Id))
                    .col(string_len(SyncRuns::Trigger, 16))
                    .col(string_len(SyncRuns::Status, 16))
                    .col(timestamp_with_time_zone(SyncRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(SyncRuns::FinishedAt))
                    .col(integer(SyncRuns::TenantsTotal).default(0))
                    .col(integer(SyncRuns::TenantsDone).default(0))
                    .col(integer(SyncRuns::TenantsFailed).default(0))
                    .col(integer(SyncRuns::SnapshotsWritten).default(0))
                    .col(big_integer_null(SyncRuns::DurationMs))
                    .col(json(SyncRuns::Outcomes))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sync_runs_started_at")
                    .table(SyncRuns::Table)
                    .col(SyncRuns::StartedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["sync_runs", "control_profiles", "control_descriptions", "control_scores", "score_snapshots", "tenants"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
