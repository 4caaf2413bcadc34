use sea_orm::entity::prelude::*;

/// One improvement action from `secureScoreControlProfiles`, per tenant.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "control_profiles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub tenant_id: i32,
    pub control_id: String,
    pub title: Option<String>,
    pub control_category: Option<String>,
    pub max_score: Option<f64>,
    pub rank: Option<i64>,
    pub tier: Option<String>,
    pub implementation_cost: Option<String>,
    pub user_impact: Option<String>,
    pub action_type: Option<String>,
    pub service: Option<String>,
    pub threats: Json,
    pub remediation: Option<String>,
    pub remediation_impact: Option<String>,
    pub action_url: Option<String>,
    pub deprecated: bool,
    pub compliance_information: Option<Json>,
    pub control_state_updates: Json,
    /// The latest `controlStateUpdates` state (`Default` when none).
    pub effective_state: String,
    pub last_modified_at: Option<DateTimeUtc>,
    pub synced_at: DateTimeUtc,
    /// When a sync first saw this control for the tenant; `None` for the
    /// controls already there at the tenant's first sync.
    pub added_at: Option<DateTimeUtc>,
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
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
