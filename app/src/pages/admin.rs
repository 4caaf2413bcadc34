//! Administration pages (`/admin/*`): API tokens, staff accounts, the
//! audit log and the compliance mapping overrides. The server functions behind them need the admin role; other
//! callers see their 403 message.

mod audit;
mod compliance;
mod tokens;
mod users;

use leptos::prelude::*;
use leptos_router::components::A;

pub use audit::AuditPage;
pub use compliance::ComplianceMappingPage;
pub use tokens::TokensPage;
pub use users::UsersPage;

/// Links between the admin pages.
#[component]
fn AdminNav() -> impl IntoView {
    view! {
        <nav class="sub-nav" aria-label="Administration">
            <A href="/admin/users">"Users"</A>
            <A href="/admin/tokens">"API tokens"</A>
            <A href="/admin/audit">"Audit log"</A>
            <A href="/admin/compliance">"Compliance mapping"</A>
        </nav>
    }
}

/// Formats an optional time, or "Never".
fn time_or_never(value: Option<chrono::DateTime<chrono::Utc>>) -> String {
    value.map(crate::format::date_time).unwrap_or_else(|| "Never".to_owned())
}
