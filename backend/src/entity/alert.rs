use sea_orm::entity::prelude::*;

/// One alert episode of one tenant.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_pk: i32,
    pub kind: String,
    pub episode_key: String,
    /// The episode key while open, `None` once resolved.
    pub open_key: Option<String>,
    pub severity: String,
    pub message: String,
    /// `{"drop": DropCause}` for drops, `{}` otherwise.
    pub details: Json,
    pub opened_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<String>,
    pub snoozed_until: Option<DateTimeUtc>,
    pub snoozed_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
