//! Alerts: the rule settings (portfolio defaults and per-tenant overrides),
//! the notification channels, one row per alert episode, and the delivery
//! of each alert to each channel with every attempt recorded.
//!
//! Two columns join existing tables: a tenant's count of failed syncs in a
//! row, and when a control profile first appeared after the tenant's first
//! sync, so the rules can tell what is new.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    FailedSyncs,
}

#[derive(DeriveIden)]
enum ControlProfiles {
    Table,
    AddedAt,
}

#[derive(DeriveIden)]
enum AlertRules {
    Table,
    Id,
    Scope,
    TenantPk,
    Rules,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AlertChannels {
    Table,
    Id,
    Name,
    Kind,
    SealedConfig,
    TargetHint,
    AlertKinds,
    TenantIds,
    MinSeverity,
    Enabled,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    TenantPk,
    Kind,
    EpisodeKey,
    OpenKey,
    Severity,
    Message,
    Details,
    OpenedAt,
    LastSeenAt,
    ResolvedAt,
    AcknowledgedAt,
    AcknowledgedBy,
    SnoozedUntil,
    SnoozedBy,
}

#[derive(DeriveIden)]
enum AlertDeliveries {
    Table,
    Id,
    AlertId,
    ChannelId,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AlertDeliveryAttempts {
    Table,
    Id,
    DeliveryId,
    Attempt,
    At,
    Succeeded,
    Detail,
    DurationMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .add_column(integer(Tenants::FailedSyncs).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ControlProfiles::Table)
                    .add_column(timestamp_with_time_zone_null(ControlProfiles::AddedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertRules::Table)
                    .col(pk_auto(AlertRules::Id))
                    // `portfolio` for the defaults, `tenant:<pk>` for an override.
                    .col(string_len_uniq(AlertRules::Scope, 64))
                    .col(integer_null(AlertRules::TenantPk))
                    .col(json(AlertRules::Rules))
                    .col(string_null(AlertRules::UpdatedBy))
                    .col(timestamp_with_time_zone(AlertRules::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertRules::Table, AlertRules::TenantPk)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertChannels::Table)
                    .col(pk_auto(AlertChannels::Id))
                    .col(string_len_uniq(AlertChannels::Name, 100))
                    .col(string_len(AlertChannels::Kind, 16))
                    // Recipients, URL and signing secret, sealed with the local key.
                    .col(text(AlertChannels::SealedConfig))
                    .col(string_len(AlertChannels::TargetHint, 200))
                    .col(json(AlertChannels::AlertKinds))
                    .col(json(AlertChannels::TenantIds))
                    .col(string_len(AlertChannels::MinSeverity, 16))
                    .col(boolean(AlertChannels::Enabled).default(true))
                    .col(string_null(AlertChannels::UpdatedBy))
                    .col(timestamp_with_time_zone(AlertChannels::CreatedAt))
                    .col(timestamp_with_time_zone(AlertChannels::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Alerts::Table)
                    .col(big_pk_auto(Alerts::Id))
                    .col(integer(Alerts::TenantPk))
                    .col(string_len(Alerts::Kind, 32))
                    .col(string_len(Alerts::EpisodeKey, 200))
                    // The episode key while the alert is open, NULL once resolved:
                    // the unique index below then allows one open alert per episode.
                    .col(string_len_null(Alerts::OpenKey, 200))
                    .col(string_len(Alerts::Severity, 16))
                    .col(text(Alerts::Message))
                    .col(json(Alerts::Details))
                    .col(timestamp_with_time_zone(Alerts::OpenedAt))
                    .col(timestamp_with_time_zone(Alerts::LastSeenAt))
                    .col(timestamp_with_time_zone_null(Alerts::ResolvedAt))
                    .col(timestamp_with_time_zone_null(Alerts::AcknowledgedAt))
                    .col(string_null(Alerts::AcknowledgedBy))
                    .col(timestamp_with_time_zone_null(Alerts::SnoozedUntil))
                    .col(string_null(Alerts::SnoozedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Alerts::Table, Alerts::TenantPk)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_alerts_tenant_open_key")
                    .table(Alerts::Table)
                    .col(Alerts::TenantPk)
                    .col(Alerts::OpenKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_alerts_opened_at")
                    .table(Alerts::Table)
                    .col(Alerts::OpenedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertDeliveries::Table)
                    .col(big_pk_auto(AlertDeliveries::Id))
                    .col(big_integer(AlertDeliveries::AlertId))
                    .col(integer(AlertDeliveries::ChannelId))
                    // `pending`, `sent` or `failed` (attempts used up).
                    .col(string_len(AlertDeliveries::Status, 16))
                    .col(integer(AlertDeliveries::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(AlertDeliveries::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(AlertDeliveries::LockedUntil))
                    .col(text_null(AlertDeliveries::LastError))
                    .col(timestamp_with_time_zone_null(AlertDeliveries::SentAt))
                    .col(timestamp_with_time_zone(AlertDeliveries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertDeliveries::Table, AlertDeliveries::AlertId)
                            .to(Alerts::Table, Alerts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertDeliveries::Table, AlertDeliveries::ChannelId)
                            .to(AlertChannels::Table, AlertChannels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_alert_deliveries_alert_channel")
                    .table(AlertDeliveries::Table)
                    .col(AlertDeliveries::AlertId)
                    .col(AlertDeliveries::ChannelId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_alert_deliveries_status_next")
                    .table(AlertDeliveries::Table)
                    .col(AlertDeliveries::Status)
                    .col(AlertDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertDeliveryAttempts::Table)
                    .col(big_pk_auto(AlertDeliveryAttempts::Id))
                    .col(big_integer(AlertDeliveryAttempts::DeliveryId))
                    .col(integer(AlertDeliveryAttempts::Attempt))
                    .col(timestamp_with_time_zone(AlertDeliveryAttempts::At))
                    .col(boolean(AlertDeliveryAttempts::Succeeded))
                    .col(text(AlertDeliveryAttempts::Detail))
                    .col(big_integer(AlertDeliveryAttempts::DurationMs))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertDeliveryAttempts::Table, AlertDeliveryAttempts::DeliveryId)
                            .to(AlertDeliveries::Table, AlertDeliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_alert_delivery_attempts_delivery")
                    .table(AlertDeliveryAttempts::Table)
                    .col(AlertDeliveryAttempts::DeliveryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AlertDeliveryAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AlertDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alerts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AlertChannels::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AlertRules::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(ControlProfiles::Table).drop_column(ControlProfiles::AddedAt).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Tenants::Table).drop_column(Tenants::FailedSyncs).to_owned())
            .await
    }
}
