//! SeaORM entities. They stay inside the backend: responses are built from
//! DTOs in the `domain` crate, never by serialising these.

pub mod action_catalogue;
pub mod action_gap;
pub mod alert;
pub mod alert_channel;
pub mod alert_delivery;
pub mod alert_delivery_attempt;
pub mod alert_rule;
pub mod api_token;
pub mod audit_event;
pub mod client_link;
pub mod compliance_override;
pub mod control_description;
pub mod control_profile;
pub mod control_score;
pub mod graph_credential;
pub mod industry_reference;
pub mod recommendation_history;
pub mod recommendation_status;
pub mod score_snapshot;
pub mod session;
pub mod sync_run;
pub mod tenant;
pub mod user;
