use sea_orm::entity::prelude::*;

/// An admin-supplied industry average, used when Graph returns none.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "industry_references")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub industry: String,
    #[sea_orm(unique)]
    pub industry_key: String,
    pub average_score: f64,
    pub top_decile_score: Option<f64>,
    pub source: String,
    pub updated_at: DateTimeUtc,
    pub updated_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
