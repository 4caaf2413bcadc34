//! Sync runs: Graph -> store, one tenant at a time per worker.

use crate::error::ServiceError;

/// What started a sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncTrigger {
    Scheduler,
    Cli,
    /// "Refresh now" on a page.
    Manual,
    Startup,
}

/// Result of asking for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOutcome {
    Started { run_id: i64 },
    AlreadyRunning { run_id: i64 },
}

/// Starts sync runs in the background; cheap to clone.
#[derive(Clone)]
pub struct SyncHandle {}

impl SyncHandle {
    /// Starts a run in the background unless one is already running.
    pub async fn start(&self, trigger: SyncTrigger) -> Result<StartOutcome, ServiceError> {
        let _ = trigger;
        todo!("start")
    }
}
