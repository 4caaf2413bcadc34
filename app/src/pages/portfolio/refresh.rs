//! The "Refresh now" form and the polling that follows a running sync.

use std::time::Duration;

use domain::SyncRunSummary;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::server_fns::{RefreshNow, RefreshOutcome, REFRESH_QUERY};

/// Interval between sync status requests while a run is in progress.
const POLL_INTERVAL: Duration = Duration::from_secs(3);

/// Renders the form that starts a sync. Without JavaScript the form posts to
/// `/api/refresh_now`, which redirects back here with `?refresh=...`. With
/// JavaScript the action's returned message is shown in place.
#[component]
pub fn RefreshControl(action: ServerAction<RefreshNow>) -> impl IntoView {
    let query = use_query_map();
    let message = move || match action.value().get() {
        Some(Ok(text)) => Some((text, false)),
        Some(Err(error)) => Some((error.to_string(), true)),
        None => query
            .read()
            .get(REFRESH_QUERY)
            .and_then(|raw| RefreshOutcome::parse(&raw))
            .map(|outcome| (outcome.message().to_owned(), outcome == RefreshOutcome::Failed)),
    };

    view! {
        <div class="refresh">
            <ActionForm action attr:class="refresh-form">
                <button
                    type="submit"
                    class="button button-primary"
                    data-test="refresh-now"
                    aria-busy=move || action.pending().get().to_string()
                >
                    "Refresh now"
                </button>
            </ActionForm>
            <p class="refresh-message" role="status" aria-live="polite" data-test="refresh-message">
                {move || message().map(|(text, is_error)| view! {
                    <span class:error-text=is_error>{text}</span>
                })}
            </p>
        </div>
    }
}

/// Refetches the sync status every [`POLL_INTERVAL`] while the newest run is
/// running, and bumps `finished_runs` when it finishes so the portfolio
/// figures reload. Runs only in the browser, because effects do not run
/// during server rendering.
pub fn poll_while_sync_runs(
    sync_status: Resource<Result<Option<SyncRunSummary>, AppError>>,
    sync_poll: RwSignal<u32>,
    finished_runs: RwSignal<u32>,
) {
    let sync_running = RwSignal::new(false);

    // The resource is read in an effect, not a memo, because reading it
    // outside Suspense during hydration risks a mismatch. A resource keeps
    // its previous value while it reloads, so `running` only flips when a
    // fetched run changes status.
    Effect::new(move |was_running: Option<bool>| {
        let running = sync_status.with(|status| matches!(status, Some(Ok(Some(run))) if run.status == "running"));
        sync_running.set(running);
        if was_running == Some(true) && !running {
            finished_runs.update(|count| *count += 1);
        }
        running
    });

    Effect::new(move |_| {
        let tick = move || {
            if sync_running.get_untracked() {
                sync_poll.update(|count| *count += 1);
            }
        };
        match set_interval_with_handle(tick, POLL_INTERVAL) {
            Ok(handle) => on_cleanup(move || handle.clear()),
            Err(error) => leptos::logging::warn!("could not start polling the sync status: {error:?}"),
        }
    });
}
