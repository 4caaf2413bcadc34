//! `/admin/audit`: the audit log, newest first, one page at a time
//! (`?page=N`).

use domain::access::AuditEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::AdminNav;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::format;
use crate::server_fns::admin::list_audit;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|raw| raw.parse::<u32>().ok()).unwrap_or(1).max(1);
    let events = Resource::new(page, list_audit);

    view! {
        <Title text="Audit log"/>
        <div class="page-header">
            <div>
                <h1>"Audit log"</h1>
                <p class="muted">"Sign-ins and changes to accounts, tokens and client links, newest first."</p>
            </div>
        </div>
        <AdminNav/>
        <Transition fallback=|| view! { <Loading label="Loading the audit log…"/> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(audit) => {
                        let rows = audit.items.into_iter().map(|event| view! { <AuditRow event/> }).collect_view();
                        let pager = view! { <Pager page=audit.page total_pages=audit.total_pages total_items=audit.total_items/> };
                        view! {
                            <section class="panel panel-flush" aria-labelledby="audit-heading">
                                <h2 id="audit-heading" class="panel-title">"Events"</h2>
                                <div class="table-scroll">
                                    <table class="data-table">
                                        <thead>
                                            <tr>
                                                <th scope="col">"When"</th>
                                                <th scope="col">"Who"</th>
                                                <th scope="col">"Action"</th>
                                                <th scope="col">"Target"</th>
                                                <th scope="col">"Detail"</th>
                                                <th scope="col">"From"</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            </section>
                            {pager}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditRow(event: AuditEvent) -> impl IntoView {
    let missing = || format::MISSING.to_owned();
    view! {
        <tr data-test="audit-row">
            <td class="numeric">{format::date_time(event.at)}</td>
            <td>{event.actor}</td>
            <td><code>{event.action}</code></td>
            <td>{event.target.unwrap_or_else(missing)}</td>
            <td>{event.detail.unwrap_or_else(missing)}</td>
            <td>{event.source_ip.unwrap_or_else(missing)}</td>
        </tr>
    }
}

#[component]
fn Pager(page: u32, total_pages: u32, total_items: u32) -> impl IntoView {
    let previous = (page > 1).then(|| view! { <a href=format!("/admin/audit?page={}", page - 1)>"Newer"</a> });
    let next = (page < total_pages).then(|| view! { <a href=format!("/admin/audit?page={}", page + 1)>"Older"</a> });
    view! {
        <nav class="pager" aria-label="Audit log pages">
            {previous}
            <span>{format!("Page {page} of {} ({total_items} events)", total_pages.max(1))}</span>
            {next}
        </nav>
    }
}
