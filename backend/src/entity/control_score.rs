use sea_orm::entity::prelude::*;

/// One scored control inside a snapshot, with its maximum resolved at
/// ingestion (profile, derived from scoreInPercentage, or unmatched).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "control_scores")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub snapshot_id: i64,
    pub control_name: String,
    pub control_category: String,
    pub score: f64,
    pub max_score: Option<f64>,
    pub max_source: String,
    pub score_in_percentage: Option<f64>,
    pub implementation_status: Option<String>,
    pub last_synced: Option<DateTimeUtc>,
    pub count: Option<String>,
    pub total: Option<String>,
    pub on_state: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::score_snapshot::Entity",
        from = "Column::SnapshotId",
        to = "super::score_snapshot::Column::Id",
        on_delete = "Cascade"
    )]
    ScoreSnapshot,
}

impl Related<super::score_snapshot::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ScoreSnapshot.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
