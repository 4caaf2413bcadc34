//! Periodic sync inside `serve`.

use std::time::Duration;

use backend::sync::{StartOutcome, SyncHandle, SyncTrigger};

/// Starts a sync every `interval`, the first one `interval` after start-up
/// (start-up itself may run one). A run still going when the next is due is
/// left alone.
pub fn spawn(sync: SyncHandle, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match sync.start(SyncTrigger::Scheduler).await {
                Ok(StartOutcome::Started { run_id }) => tracing::info!(sync.run_id = run_id, "scheduled sync {run_id} started"),
                Ok(StartOutcome::AlreadyRunning { run_id }) => {
                    tracing::info!(sync.run_id = run_id, "scheduled sync skipped: run {run_id} is still going")
                }
                Err(e) => tracing::warn!(error = %e, "scheduled sync could not start"),
            }
        }
    })
}
