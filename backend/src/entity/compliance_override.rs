use sea_orm::entity::prelude::*;

/// An MSP's change to the shipped compliance mapping: one framework control
/// added to, or removed from, one Secure Score action.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "compliance_overrides")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub control_id: String,
    pub framework: String,
    pub control: String,
    pub source: String,
    /// `add` or `remove`.
    pub kind: String,
    pub updated_by: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
