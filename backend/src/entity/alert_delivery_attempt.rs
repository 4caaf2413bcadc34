use sea_orm::entity::prelude::*;

/// One attempt to deliver a notice, successful or not.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_delivery_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub delivery_id: i64,
    pub attempt: i32,
    pub at: DateTimeUtc,
    pub succeeded: bool,
    /// The HTTP status or SMTP reply, or the error; never a secret.
    pub detail: String,
    pub duration_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
