//! Download links for reports, shown to staff who may export (analyst and
//! admin roles). The files come from `GET reports/export`.

use domain::access::Role;
use leptos::prelude::*;

use crate::server_fns::session::whoami;

/// Base of the export route.
const EXPORT: &str = "/api/addons/trust-center/security-score/reports/export";

/// Builds an export URL from query pairs.
pub fn export_url(pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{EXPORT}?{}", query.join("&"))
}

/// Renders `links` (label, URL) as download buttons for callers who may export.
#[component]
pub fn ExportLinks(links: Vec<(&'static str, String)>) -> impl IntoView {
    let account = Resource::new(|| (), |_| whoami());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new({
                let links = links.clone();
                async move {
                    let may_export = matches!(account.await, Ok(Some((_, Role::Analyst | Role::Admin))));
                    may_export.then(|| {
                        let items = links
                            .into_iter()
                            .map(|(label, href)| view! {
                                <a class="button button-secondary" href=href rel="external" download data-test="export-link">{label}</a>
                            })
                            .collect_view();
                        view! { <div class="export-links" data-test="export-links">{items}</div> }
                    })
                }
            })}
        </Suspense>
    }
}
