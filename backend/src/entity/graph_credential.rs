use sea_orm::entity::prelude::*;

/// Graph app credentials, for the whole installation or for one tenant.
/// The client secret is sealed with AES-256-GCM (`auth::crypto`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "graph_credentials")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `default` for the installation, `tenant:<tenants.id>` otherwise;
    /// unique, so each scope has one row.
    #[sea_orm(unique)]
    pub scope: String,
    /// `tenants.id`, or `None` for the installation default.
    pub tenant_pk: Option<i32>,
    pub client_id: String,
    /// Nonce (12 bytes) followed by the AES-256-GCM ciphertext and tag.
    pub secret_sealed: Vec<u8>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
