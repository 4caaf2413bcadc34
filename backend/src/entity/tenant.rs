use sea_orm::entity::prelude::*;

/// A managed customer tenant, with its latest figures precomputed at sync
/// time so overview pages read one row per tenant.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub tenant_id: String,
    pub display_name: String,
    pub industry: Option<String>,
    pub excluded: bool,
    pub sync_status: String,
    pub last_error: Option<String>,
    pub last_sync_at: Option<DateTimeUtc>,
    pub last_success_at: Option<DateTimeUtc>,
    pub latest_snapshot_id: Option<i64>,
    pub latest_snapshot_date: Option<Date>,
    pub latest_created_at: Option<DateTimeUtc>,
    pub current_score: Option<f64>,
    pub max_score: Option<f64>,
    pub percentage: Option<f64>,
    pub trend7d: Option<f64>,
    pub trend30d: Option<f64>,
    pub trend90d: Option<f64>,
    pub trend_detail: Option<Json>,
    /// Failed syncs in a row; 0 after a successful one.
    pub failed_syncs: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::score_snapshot::Entity")]
    ScoreSnapshot,
    #[sea_orm(has_many = "super::control_profile::Entity")]
    ControlProfile,
}

impl Related<super::score_snapshot::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ScoreSnapshot.def()
    }
}

impl Related<super::control_profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ControlProfile.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
