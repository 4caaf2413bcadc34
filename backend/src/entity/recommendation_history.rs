use sea_orm::entity::prelude::*;

/// One status change of an improvement action for one tenant.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "recommendation_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_pk: i32,
    pub control_id: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub target_date: Option<Date>,
    pub justification: Option<String>,
    /// `user:EMAIL`, `token:ID:NAME`, `cli` or `sync`.
    pub actor: String,
    pub note: Option<String>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
