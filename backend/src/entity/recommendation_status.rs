use sea_orm::entity::prelude::*;

/// The status of one improvement action for one tenant.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "recommendation_statuses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_pk: i32,
    pub control_id: String,
    pub status: String,
    pub target_date: Option<Date>,
    pub justification: Option<String>,
    /// The control's score when the status was last set by a person.
    pub baseline_score: Option<f64>,
    pub points_gained: Option<f64>,
    pub completed_at: Option<DateTimeUtc>,
    pub regression: bool,
    /// The state last written back to Microsoft (`Ignored`, `ThirdParty`, `Default`).
    pub graph_state: Option<String>,
    /// `applied`, `pending`, `unchanged`, `refused` or `failed`.
    pub graph_result: Option<String>,
    pub graph_message: Option<String>,
    pub graph_at: Option<DateTimeUtc>,
    pub updated_by: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
