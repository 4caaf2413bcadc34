//! Pieces shared by several pages.

pub mod chart;
pub mod distribution;
pub mod export;
pub mod feedback;
pub mod layout;
pub mod status;
pub mod sync_run;
