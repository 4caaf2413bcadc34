use sea_orm::entity::prelude::*;

/// An API token for scripts. Only the SHA-256 hash of the token is stored.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the raw token, lower-case hex.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The first 10 characters of the raw token, shown to recognise it.
    pub prefix: String,
    pub name: String,
    /// `domain::TokenScope` as its wire value.
    pub scope: String,
    /// The audit actor who created the token.
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
