//! Staff accounts, sessions, API tokens, client links, the audit log and
//! encrypted Graph credentials. Tokens are stored as SHA-256 hashes only.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    Disabled,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    SourceIp,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    TokenHash,
    Prefix,
    Name,
    Scope,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ClientLinks {
    Table,
    Id,
    TokenHash,
    TenantPk,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    Actor,
    Action,
    Target,
    Detail,
    SourceIp,
}

#[derive(DeriveIden)]
enum GraphCredentials {
    Table,
    Id,
    Scope,
    TenantPk,
    ClientId,
    SecretSealed,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    .col(string_len_uniq(Users::Email, 254))
                    .col(string(Users::PasswordHash))
                    .col(string_len(Users::Role, 16))
                    .col(boolean(Users::Disabled).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(big_pk_auto(Sessions::Id))
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    .col(integer(Sessions::UserId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(string_len_null(Sessions::SourceIp, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user_id")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(big_pk_auto(ApiTokens::Id))
                    .col(string_len_uniq(ApiTokens::TokenHash, 64))
                    .col(string_len(ApiTokens::Prefix, 16))
                    .col(string_len(ApiTokens::Name, 100))
                    .col(string_len(ApiTokens::Scope, 16))
                    .col(string_null(ApiTokens::CreatedBy))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ClientLinks::Table)
                    .col(big_pk_auto(ClientLinks::Id))
                    .col(string_len_uniq(ClientLinks::TokenHash, 64))
                    .col(integer(ClientLinks::TenantPk))
                    .col(string_null(ClientLinks::CreatedBy))
                    .col(timestamp_with_time_zone(ClientLinks::CreatedAt))
                    .col(timestamp_with_time_zone(ClientLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ClientLinks::RevokedAt))
                    .col(timestamp_with_time_zone_null(ClientLinks::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClientLinks::Table, ClientLinks::TenantPk)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_client_links_tenant_pk")
                    .table(ClientLinks::Table)
                    .col(ClientLinks::TenantPk)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(big_pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .col(string(AuditEvents::Actor))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(text_null(AuditEvents::Target))
                    .col(text_null(AuditEvents::Detail))
                    .col(string_len_null(AuditEvents::SourceIp, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_at")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::At)
                    .to_owned(),
            )
            .await?;

        // `scope` is "default" for the installation-wide credentials and
        // "tenant:<tenants.id>" otherwise. A unique index on the nullable
        // tenant_pk alone would allow several default rows, because both
        // SQLite and PostgreSQL treat NULLs as distinct.
        manager
            .create_table(
                Table::create()
                    .table(GraphCredentials::Table)
                    .col(pk_auto(GraphCredentials::Id))
                    .col(string_len_uniq(GraphCredentials::Scope, 64))
                    .col(integer_null(GraphCredentials::TenantPk))
                    .col(string(GraphCredentials::ClientId))
                    .col(blob(GraphCredentials::SecretSealed))
                    .col(timestamp_with_time_zone(GraphCredentials::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GraphCredentials::Table, GraphCredentials::TenantPk)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["graph_credentials", "audit_events", "client_links", "api_tokens", "sessions", "users"] {
            manager.drop_table(Table::drop().table(Alias::new(table)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
