use sea_orm::entity::prelude::*;

/// One improvement action as the newest ingested control profile describes
/// it, so rankings need not read every tenant's profiles.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "action_catalogue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub control_id: String,
    pub title: Option<String>,
    pub control_category: Option<String>,
    pub implementation_cost: Option<String>,
    pub user_impact: Option<String>,
    pub service: Option<String>,
    pub action_url: Option<String>,
    pub remediation: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
