use sea_orm::entity::prelude::*;

/// One sync run across tenants, with its per-tenant outcomes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub trigger: String,
    pub status: String,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub tenants_total: i32,
    pub tenants_done: i32,
    pub tenants_failed: i32,
    pub snapshots_written: i32,
    pub duration_ms: Option<i64>,
    /// JSON array of per-tenant outcomes.
    pub outcomes: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
