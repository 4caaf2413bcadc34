//! SeaORM entities. They stay inside the backend: responses are built from
//! DTOs in the `domain` crate, never by serialising these.

pub mod control_description;
pub mod control_profile;
pub mod control_score;
pub mod score_snapshot;
pub mod sync_run;
pub mod tenant;
