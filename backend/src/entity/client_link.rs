use sea_orm::entity::prelude::*;

/// A read-only link to one tenant's client page. Only the SHA-256 hash of
/// the link token is stored.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "client_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the raw token, lower-case hex.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// `tenants.id` (the row id, not the Entra tenant id).
    pub tenant_pk: i32,
    /// The audit actor who created the link.
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
