use sea_orm::entity::prelude::*;

/// A tenant's open points on one improvement action, from its latest
/// snapshot and control profiles; rewritten at each ingestion.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "action_gaps")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_pk: i32,
    pub control_id: String,
    pub score: f64,
    pub max_score: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
