use sea_orm::entity::prelude::*;

/// One tenant's Secure Score on one UTC day (unique per tenant and day).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "score_snapshots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i32,
    pub snapshot_date: Date,
    pub created_date_time: DateTimeUtc,
    pub graph_id: Option<String>,
    pub current_score: f64,
    pub max_score: f64,
    pub percentage: Option<f64>,
    pub active_user_count: Option<i64>,
    pub licensed_user_count: Option<i64>,
    /// JSON array of strings.
    pub enabled_services: Json,
    /// JSON array of `averageComparativeScores` entries as Graph sent them.
    pub comparative_scores: Json,
    /// JSON array of `domain::CategoryScore`, computed at ingestion.
    pub category_scores: Json,
    /// JSON array of data-quality notes.
    pub warnings: Json,
    pub synced_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
    #[sea_orm(has_many = "super::control_score::Entity")]
    ControlScore,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::control_score::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ControlScore.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
