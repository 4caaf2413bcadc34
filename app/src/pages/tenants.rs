//! Cross-tenant comparison (`/tenants`): the tenants with data in one
//! sortable table, then the tenants without data and the excluded ones.

mod comparison;
mod sort_query;

use domain::TenantRow;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::export::{export_url, ExportLinks};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::status::{default_sync_message, SyncStatusBadge};
use crate::format;
use crate::server_fns::get_tenant_rows;
use comparison::ComparisonTable;

#[component]
pub fn TenantsPage() -> impl IntoView {
    // One resource for all rows. It does not read the URL query, so sorting
    // and searching never refetch.
    let rows = Resource::new(|| (), |_| get_tenant_rows());

    view! {
        <Title text="Tenants"/>
        <div class="page-header">
            <div>
                <h1>"Tenants"</h1>
                <p class="muted">"Secure Score of every managed tenant, side by side"</p>
            </div>
        </div>
        <ExportLinks links=vec![
            ("Comparison CSV", export_url(&[("format", "csv"), ("scope", "portfolio")])),
            ("Portfolio PDF report", export_url(&[("format", "pdf"), ("scope", "portfolio")])),
        ]/>
        <Transition fallback=|| view! { <Loading label="Loading the tenants…"/> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) => Either::Left(view! { <TenantGroupsView groups=TenantGroups::split(rows)/> }),
                    Err(error) => Either::Right(view! { <ErrorPanel error/> }),
                }
            })}
        </Transition>
    }
}

/// Rows split the way the page lists them. Every row is in exactly one
/// group.
struct TenantGroups {
    with_data: Vec<TenantRow>,
    without_data: Vec<TenantRow>,
    excluded: Vec<TenantRow>,
}

impl TenantGroups {
    fn split(rows: Vec<TenantRow>) -> Self {
        let (mut excluded, included): (Vec<_>, Vec<_>) = rows.into_iter().partition(|row| row.excluded);
        let (with_data, mut without_data): (Vec<_>, Vec<_>) = included.into_iter().partition(TenantRow::has_data);
        let by_name = |a: &TenantRow, b: &TenantRow| a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase());
        without_data.sort_by(by_name);
        excluded.sort_by(by_name);
        Self { with_data, without_data, excluded }
    }
}

#[component]
fn TenantGroupsView(groups: TenantGroups) -> impl IntoView {
    let TenantGroups { with_data, without_data, excluded } = groups;

    view! {
        <section class="panel panel-flush" aria-label="Tenants with data">
            <ComparisonTable rows=with_data/>
        </section>
        {(!without_data.is_empty()).then(|| view! { <NoDataTable rows=without_data/> })}
        {(!excluded.is_empty()).then(|| view! { <ExcludedList rows=excluded/> })}
    }
}

/// Renders the tenants without a snapshot, with the reason and what to do.
/// They never appear as 0 %.
#[component]
fn NoDataTable(rows: Vec<TenantRow>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|row| {
            let message = row.sync_message.clone().unwrap_or_else(|| default_sync_message(row.sync_status).to_owned());
            let last_attempt = row
                .last_synced_at
                .map(format::date_time)
                .unwrap_or_else(|| "never".to_owned());
            view! {
                <tr data-tenant-id=row.tenant_id.clone()>
                    <th scope="row"><A href=format!("/tenants/{}", row.tenant_id)>{row.display_name}</A></th>
                    <td data-label="Industry">{row.industry.unwrap_or_else(|| format::MISSING.to_owned())}</td>
                    <td data-label="Status"><SyncStatusBadge status=row.sync_status/></td>
                    <td data-label="What to do" class="message-cell">{row.sync_status.label()}": "{message}</td>
                    <td data-label="Last sync attempt" class="numeric">{last_attempt}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="panel panel-flush" aria-labelledby="no-data-heading">
            <h2 id="no-data-heading" class="panel-title">"No data yet"</h2>
            <div class="table-scroll">
                <table class="data-table stack-on-phone" data-test="no-data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Tenant"</th>
                            <th scope="col">"Industry"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"What to do"</th>
                            <th scope="col" class="numeric">"Last sync attempt"</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Renders the tenants that are synced but left out of the portfolio
/// figures.
#[component]
fn ExcludedList(rows: Vec<TenantRow>) -> impl IntoView {
    let items = rows
        .into_iter()
        .map(|row| {
            let figure = match row.percentage {
                Some(percentage) => format::percent(percentage),
                None => format!("No data yet ({})", row.sync_status.label()),
            };
            view! {
                <li data-tenant-id=row.tenant_id.clone()>
                    <A href=format!("/tenants/{}", row.tenant_id)>{row.display_name}</A>
                    <span class="muted">" · "{figure}</span>
                </li>
            }
        })
        .collect_view();

    view! {
        <section class="panel" aria-labelledby="excluded-heading">
            <h2 id="excluded-heading">"Excluded from portfolio figures"</h2>
            <p class="muted">"These tenants are still synced, but the portfolio average, tenant counts and leaderboard leave them out."</p>
            <ul class="plain-list" data-test="excluded-list">{items}</ul>
        </section>
    }
}
