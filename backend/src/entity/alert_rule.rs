use sea_orm::entity::prelude::*;

/// Alert thresholds: the portfolio defaults (scope `portfolio`) or one
/// tenant's overrides (scope `tenant:<pk>`), as `ThresholdOverrides` JSON.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub scope: String,
    pub tenant_pk: Option<i32>,
    pub rules: Json,
    pub updated_by: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
