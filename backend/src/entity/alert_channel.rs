use sea_orm::entity::prelude::*;

/// A notification channel: e-mail, Teams, Slack or a signed webhook.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_channels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    /// `email`, `teams`, `slack` or `webhook`.
    pub kind: String,
    /// Recipients, URL and signing secret as JSON, sealed with the local key
    /// and hex-encoded. Webhook URLs carry their own credential.
    pub sealed_config: String,
    /// The part of the target the page shows, without any secret.
    pub target_hint: String,
    pub alert_kinds: Json,
    pub tenant_ids: Json,
    pub min_severity: String,
    pub enabled: bool,
    pub updated_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
