//! Badges for a tenant's data freshness and sync status.

use domain::SyncStatus;
use leptos::prelude::*;

/// Marks a tenant whose newest snapshot is older than 48 hours.
#[component]
pub fn StaleBadge() -> impl IntoView {
    view! {
        <span class="badge badge-warning" title="The newest snapshot is older than 48 hours">
            "Stale"
        </span>
    }
}

/// Renders the outcome of a tenant's last sync, coloured by severity.
#[component]
pub fn SyncStatusBadge(status: SyncStatus) -> impl IntoView {
    let class = match status {
        SyncStatus::Ok => "badge badge-ok",
        SyncStatus::NeverSynced | SyncStatus::NoData => "badge badge-neutral",
        SyncStatus::Throttled => "badge badge-warning",
        SyncStatus::ConsentMissing | SyncStatus::AccessDenied | SyncStatus::Failed => "badge badge-error",
    };
    view! { <span class=class data-sync-status=status.as_str()>{status.label()}</span> }
}

/// Returns what to do about a tenant without data when the backend sent no
/// message.
pub fn default_sync_message(status: SyncStatus) -> &'static str {
    match status {
        SyncStatus::NeverSynced => "Waiting for the first sync. Use \"Refresh now\" on the portfolio page to start one.",
        SyncStatus::Ok | SyncStatus::NoData => "Microsoft Graph returned no Secure Score snapshot for this tenant yet.",
        SyncStatus::ConsentMissing => "An administrator of the tenant has not granted admin consent to the app.",
        SyncStatus::AccessDenied => "Microsoft Graph denied access: check the app's Graph permissions and the tenant's licence.",
        SyncStatus::Throttled => "Microsoft Graph throttled the requests; the next sync retries.",
        SyncStatus::Failed => "The last sync failed; the next sync retries.",
    }
}
