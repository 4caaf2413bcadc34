//! The newest sync run: status, progress and timing.

use chrono::Utc;
use domain::SyncRunSummary;
use leptos::prelude::*;

use crate::format;

#[component]
pub fn SyncRunPanel(run: Option<SyncRunSummary>) -> impl IntoView {
    let Some(run) = run else {
        return view! {
            <p class="sync-run" data-run-status="none">"No sync has run yet."</p>
        }
        .into_any();
    };

    let now = Utc::now();
    let running = run.status == "running";
    let status_class = match run.status.as_str() {
        "succeeded" => "badge badge-ok",
        "running" => "badge badge-info",
        "partial" | "interrupted" => "badge badge-warning",
        _ => "badge badge-error",
    };
    let progress = format!("{} of {} tenants done", run.tenants_done, run.tenants_total);
    let failed = match run.tenants_failed {
        0 => "none failed".to_owned(),
        1 => "1 failed".to_owned(),
        count => format!("{count} failed"),
    };
    let timing = match run.finished_at {
        Some(finished) => format!(
            "finished {} ({})",
            format::date_time(finished),
            format::time_ago(finished, now)
        ),
        None => format!("started {} ({})", format::date_time(run.started_at), format::time_ago(run.started_at, now)),
    };
    let duration = run.duration_ms.map(|ms| format!(", took {}", format::duration_ms(ms)));

    view! {
        <div class="sync-run" data-run-status=run.status.clone()>
            <p>
                <span class=status_class>{format::run_status_label(&run.status)}</span>
                " "
                <span class="sync-run-progress">{progress}", "{failed}</span>
            </p>
            {running.then(|| view! {
                <progress
                    max=run.tenants_total.max(1)
                    value=run.tenants_done
                    aria-label="Sync progress"
                ></progress>
            })}
            <p class="muted">
                {timing}{duration}", triggered by "{format::run_trigger_label(&run.trigger)}
            </p>
        </div>
    }
    .into_any()
}
