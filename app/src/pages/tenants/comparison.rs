//! The cross-tenant comparison table: sortable by every column through the
//! URL query, with a name search that filters in the browser.

use domain::sort::{sort_rows, TenantSort};
use domain::{SyncStatus, TenantRow};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::sort_query::{TableSort, ORDER_PARAM, SEARCH_PARAM, SORT_PARAM};
use crate::components::status::{StaleBadge, SyncStatusBadge};
use crate::format;

/// The sortable columns in display order: key, header label and whether the
/// column contains numbers, which are right-aligned.
const SORTABLE_COLUMNS: [(TenantSort, &str, bool); 7] = [
    (TenantSort::DisplayName, "Tenant", false),
    (TenantSort::Industry, "Industry", false),
    (TenantSort::CurrentScore, "Current score", true),
    (TenantSort::MaxScore, "Max score", true),
    (TenantSort::Percentage, "Percentage", true),
    (TenantSort::Trend30d, "30-day trend (pts)", true),
    (TenantSort::LastSnapshotDate, "Last snapshot", true),
];

/// `rows` are the tenants with data. Sorting reads the URL query, so a
/// header link is a client-side navigation once the page is hydrated and a
/// server-rendered page without JavaScript.
#[component]
pub fn ComparisonTable(rows: Vec<TenantRow>) -> impl IntoView {
    let query = use_query_map();
    let sort = Memo::new(move |_| query.with(|q| TableSort::from_query(q.get_str(SORT_PARAM), q.get_str(ORDER_PARAM))));
    let initial_search = query.with_untracked(|q| q.get(SEARCH_PARAM).unwrap_or_default());
    let search = RwSignal::new(initial_search.clone());

    let total = rows.len();
    let visible = Memo::new(move |_| {
        let needle = search.with(|text| text.trim().to_lowercase());
        let mut matching: Vec<TenantRow> = rows
            .iter()
            .filter(|row| needle.is_empty() || row.display_name.to_lowercase().contains(&needle))
            .cloned()
            .collect();
        let TableSort { key, order } = sort.get();
        sort_rows(&mut matching, key, order);
        matching
    });

    let headers = SORTABLE_COLUMNS
        .into_iter()
        .map(|(key, label, numeric)| view! { <SortHeader key label numeric sort search/> })
        .collect_view();
    let summary = move || {
        let visible_count = visible.with(Vec::len);
        if visible_count == total {
            format!("{total} tenants with data")
        } else {
            format!("Showing {visible_count} of {total} tenants with data")
        }
    };

    view! {
        // Without JavaScript, Enter submits this form and the server renders
        // the filtered table; with JavaScript the rows filter while typing.
        <form class="table-tools" method="get" action="/tenants" role="search" on:submit=|ev| ev.prevent_default()>
            <label for="tenant-search">"Search by name"</label>
            <input
                id="tenant-search"
                type="search"
                name=SEARCH_PARAM
                value=initial_search
                placeholder="Tenant name"
                autocomplete="off"
                on:input=move |ev| search.set(event_target_value(&ev))
            />
            <input type="hidden" name=SORT_PARAM value=move || sort.get().key.as_str()/>
            <input type="hidden" name=ORDER_PARAM value=move || sort.get().order.as_str()/>
            <p class="muted" role="status">{summary}</p>
        </form>
        <div class="table-scroll">
            <table class="data-table comparison-table" data-test="comparison-table">
                <thead>
                    <tr>
                        {headers}
                        <th scope="col" class="numeric" title=domain::benchmarks::RANK_METHOD>
                            "Industry rank"
                        </th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || visible.get() key=|row| row.tenant_id.clone() let:row>
                        <ComparisonRow row/>
                    </For>
                    <Show when=move || visible.with(Vec::is_empty)>
                        <tr>
                            <td colspan="9" class="empty-cell">
                                {move || if total == 0 {
                                    "No tenant has data yet.".to_owned()
                                } else {
                                    format!("No tenant name contains \"{}\".", search.get().trim())
                                }}
                            </td>
                        </tr>
                    </Show>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn SortHeader(
    key: TenantSort,
    label: &'static str,
    numeric: bool,
    sort: Memo<TableSort>,
    search: RwSignal<String>,
) -> impl IntoView {
    let href = move || sort.get().next_for(key).href(&search.get());
    let indicator = move || match sort.get().aria_sort(key) {
        Some("ascending") => "▲",
        Some(_) => "▼",
        None => "↕",
    };

    view! {
        <th scope="col" class:numeric=numeric aria-sort=move || sort.get().aria_sort(key)>
            <A href=href scroll=false {..} class="sort-link" data-test=format!("sort-{}", key.as_str())>
                {label}
                <span class="sort-indicator" aria-hidden="true">{indicator}</span>
            </A>
        </th>
    }
}

#[component]
fn ComparisonRow(row: TenantRow) -> impl IntoView {
    let href = format!("/tenants/{}", row.tenant_id);
    let trend_class = match row.trend30d {
        Some(value) if value >= 0.05 => "numeric change-up",
        Some(value) if value <= -0.05 => "numeric change-down",
        _ => "numeric",
    };
    let percentage = row.percentage;
    let rank_tooltip = format::industry_rank_tooltip(&row);
    let rank_label = row.industry_rank_label.clone().unwrap_or_else(|| format::MISSING.to_owned());

    view! {
        <tr data-test="tenant-row" data-tenant-id=row.tenant_id.clone()>
            <th scope="row" data-test="cell-display-name">
                <A href=href>{row.display_name.clone()}</A>
            </th>
            <td>{row.industry.clone().unwrap_or_else(|| format::MISSING.to_owned())}</td>
            <td class="numeric">{format::points_or_missing(row.current_score)}</td>
            <td class="numeric">{format::points_or_missing(row.max_score)}</td>
            <td class="numeric" data-test="cell-percentage">
                <span class="meter" aria-hidden="true">
                    <span class="meter-fill" style=format!("width: {:.1}%", percentage.unwrap_or(0.0).clamp(0.0, 100.0))></span>
                </span>
                {format::percent_or_missing(percentage)}
            </td>
            <td class=trend_class>{format::signed_change_or_missing(row.trend30d)}</td>
            <td class="numeric">{format::date_or_missing(row.last_snapshot_date)}</td>
            <td class="numeric" data-test="cell-industry-rank" title=rank_tooltip>
                {rank_label}
            </td>
            <td class="status-cell" title=row.sync_message.clone()>
                <RowStatus stale=row.stale status=row.sync_status/>
            </td>
        </tr>
    }
}

/// Renders a stale badge when the data is old, and the sync status unless it
/// is a plain "Synced" next to the stale badge.
#[component]
fn RowStatus(stale: bool, status: SyncStatus) -> impl IntoView {
    let show_status = status != SyncStatus::Ok || !stale;
    view! {
        {stale.then(|| view! { <StaleBadge/> })}
        {show_status.then(|| view! { <SyncStatusBadge status/> })}
    }
}
