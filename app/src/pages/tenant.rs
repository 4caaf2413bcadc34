//! One tenant (`/tenants/:tenant_id`): its latest Secure Score, its 90-day
//! history, its categories beside the portfolio and Microsoft, the controls
//! and the data-quality notes.

pub(crate) mod breakdown;
mod client_links;

use chrono::Utc;
use domain::{CategoryComparison, HistoryPoint, MaxScoreChange, SnapshotDetail, TenantDetail, TenantRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::feedback::{ErrorPanel, Loading, NotFoundNotice};
use crate::components::status::{default_sync_message, StaleBadge, SyncStatusBadge};
use crate::error::AppError;
use crate::format;
use crate::components::chart::Chart;
use crate::components::export::{export_url, ExportLinks};
use crate::server_fns::analytics::{get_tenant_page, TenantPageData};
use breakdown::{CategoryTable, ControlTable, DataQuality, PeerAverages};
use client_links::ClientLinksPanel;

#[component]
pub fn TenantPage() -> impl IntoView {
    let params = use_params_map();
    let tenant_id = move || params.with(|params| params.get("tenant_id").unwrap_or_default());
    let detail = Resource::new(tenant_id, get_tenant_page);

    view! {
        <Transition fallback=|| view! { <Loading label="Loading the tenant…"/> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(data) => view! { <TenantDetailView data/> }.into_any(),
                    Err(AppError::NotFound(message)) => view! {
                        <Title text="Tenant not found"/>
                        <NotFoundNotice
                            title="Tenant not found"
                            message
                            back_href="/tenants"
                            back_label="Back to all tenants"
                        />
                    }
                    .into_any(),
                    Err(AppError::BadRequest(message)) => view! {
                        <Title text="Invalid tenant id"/>
                        <NotFoundNotice
                            title="Invalid tenant id"
                            message
                            back_href="/tenants"
                            back_label="Back to all tenants"
                        />
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TenantDetailView(data: TenantPageData) -> impl IntoView {
    let TenantPageData { detail, history_chart, category_chart } = data;
    let TenantDetail { tenant, latest_snapshot, history, max_score_changes, category_comparison, data_quality } = detail;
    let name = tenant.display_name.clone();

    let body = match latest_snapshot {
        Some(snapshot) => view! {
            <SnapshotView tenant=tenant.clone() snapshot=snapshot.clone()/>
            <HistoryPanel history max_score_changes chart=history_chart/>
            <CategoryPanel comparison=category_comparison chart=category_chart/>
            <CategoryTable categories=snapshot.categories/>
            <PeerAverages peers=snapshot.peer_averages/>
            <ControlTable controls=snapshot.controls/>
            <DataQuality notes=data_quality/>
        }
        .into_any(),
        None => view! { <NoSnapshot tenant=tenant.clone()/> }.into_any(),
    };
    let rank = tenant.industry_rank_label.clone().map(|label| {
        let tooltip = format::industry_rank_tooltip(&tenant);
        view! {
            " · "
            <span class="rank" title=tooltip data-test="tenant-industry-rank">{format!("{label} in its industry")}</span>
        }
    });

    view! {
        <Title text=name.clone()/>
        <div class="page-header">
            <div>
                <p class="breadcrumb"><a href="/tenants">"Tenants"</a></p>
                <h1>{name}</h1>
                <p class="muted">
                    {tenant.industry.clone().unwrap_or_else(|| "Industry not set".to_owned())}
                    {rank}
                    " · "
                    <span class="tenant-id">{tenant.tenant_id.clone()}</span>
                    " · "
                    <a href=format!("/compliance?tenant={}", tenant.tenant_id) data-test="tenant-compliance-link">"Compliance"</a>
                </p>
            </div>
            <div class="badge-row">
                {tenant.stale.then(|| view! { <StaleBadge/> })}
                <SyncStatusBadge status=tenant.sync_status/>
                {tenant.excluded.then(|| view! {
                    <span class="badge badge-neutral">"Excluded from portfolio figures"</span>
                })}
            </div>
        </div>
        <SyncProblem tenant=tenant.clone()/>
        {body}
        <ExportLinks links=vec![
            ("Download PDF report", export_url(&[("format", "pdf"), ("scope", "tenant"), ("tenantId", &tenant.tenant_id)])),
            ("Controls CSV", export_url(&[("format", "csv"), ("scope", "tenant"), ("tenantId", &tenant.tenant_id)])),
            ("Open actions CSV", export_url(&[("format", "csv"), ("scope", "tenant"), ("tenantId", &tenant.tenant_id), ("dataset", "recommendations")])),
        ]/>
        <ClientLinksPanel tenant_id=tenant.tenant_id.clone()/>
    }
}

/// Renders the last sync's failure in words a person can act on, or nothing
/// when the sync went well.
#[component]
fn SyncProblem(tenant: TenantRow) -> impl IntoView {
    let failed = tenant.sync_status.is_failure();
    let message = tenant
        .sync_message
        .clone()
        .unwrap_or_else(|| default_sync_message(tenant.sync_status).to_owned());
    failed.then(|| view! {
        <section class="panel panel-warning" role="note">
            <p><strong>{tenant.sync_status.label()}": "</strong>{message}</p>
        </section>
    })
}

#[component]
fn SnapshotView(tenant: TenantRow, snapshot: SnapshotDetail) -> impl IntoView {
    let percentage = format::percent_or_missing(snapshot.percentage);
    let points = format::points_context(snapshot.current_score, snapshot.max_score);
    let synced = tenant
        .last_synced_at
        .map(|at| format!("synced {}", format::time_ago(at, Utc::now())))
        .unwrap_or_else(|| "not synced yet".to_owned());
    let trends = [("7 days", tenant.trend7d), ("30 days", tenant.trend30d), ("90 days", tenant.trend90d)]
        .into_iter()
        .map(|(period, change)| {
            view! {
                <div class="stat">
                    <dt>{format!("Change over {period}")}</dt>
                    <dd>{format::signed_points_or_missing(change)}</dd>
                </div>
            }
        })
        .collect_view();

    view! {
        <div class="headline-grid headline-grid-pair">
            <section class="panel headline" aria-labelledby="score-heading">
                <h2 id="score-heading">"Secure Score"</h2>
                <p class="score-line" data-test="tenant-percentage">
                    <span class="big-number">{percentage}</span>
                    " "
                    <span class="score-points">{points}</span>
                </p>
                <p class="muted">
                    "Snapshot of "{format::date(snapshot.snapshot_date)}" · "{synced}
                </p>
            </section>
            <section class="panel" aria-labelledby="trend-heading">
                <h2 id="trend-heading">"Trend"</h2>
                <dl class="stat-grid stat-grid-compact">{trends}</dl>
            </section>
        </div>
    }
}

/// Renders the 90-day history chart and lists the days on which Microsoft
/// changed the maximum score.
#[component]
fn HistoryPanel(history: Vec<HistoryPoint>, max_score_changes: Vec<MaxScoreChange>, chart: String) -> impl IntoView {
    let days_with_data = history.iter().filter(|p| p.percentage.is_some()).count();
    let changes = if max_score_changes.is_empty() {
        view! { <p class="muted">"The maximum score did not change in this period."</p> }.into_any()
    } else {
        let items = max_score_changes
            .into_iter()
            .map(|change| {
                view! {
                    <li>
                        {format::date(change.date)}": maximum "{format::points(change.from_max)}" → "{format::points(change.to_max)}" points"
                    </li>
                }
            })
            .collect_view();
        view! {
            <p class="muted">"Dashed lines mark the days Microsoft changed the maximum score, which moves the percentage without any change by the tenant:"</p>
            <ul class="plain-list" data-test="max-score-changes">{items}</ul>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"Last 90 days"</h2>
            <p class="muted">{format!("{days_with_data} of {} days have a snapshot; days without one are gaps.", history.len())}</p>
            <Chart options=chart label="Secure Score percentage per day over 90 days".to_owned() test_id="history-chart"/>
            {changes}
        </section>
    }
}

/// Renders the tenant's categories beside the portfolio's and Microsoft's averages.
#[component]
fn CategoryPanel(comparison: Vec<CategoryComparison>, chart: String) -> impl IntoView {
    let rows = comparison
        .into_iter()
        .map(|row| {
            let key = row.category.clone();
            view! {
                <tr data-test="comparison-row" data-category=key>
                    <th scope="row">{row.category}</th>
                    <td class="numeric" data-test="cell-tenant">{format::percent_or_missing(row.percentage)}</td>
                    <td class="numeric" data-test="cell-portfolio">{format::percent_or_missing(row.portfolio_average)}</td>
                    <td class="numeric">{format::percent_or_missing(row.peer_all_tenants)}</td>
                    <td class="numeric">{format::percent_or_missing(row.peer_similar_seats)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="category-comparison-heading">
            <h2 id="category-comparison-heading">"Categories compared"</h2>
            <Chart options=chart label="This tenant's category percentages beside the portfolio and Microsoft averages".to_owned() test_id="tenant-category-chart"/>
            <div class="table-scroll">
                <table class="data-table" data-test="category-comparison-table">
                    <thead>
                        <tr>
                            <th scope="col">"Category"</th>
                            <th scope="col" class="numeric">"This tenant"</th>
                            <th scope="col" class="numeric">"Portfolio average"</th>
                            <th scope="col" class="numeric">"Microsoft: all tenants"</th>
                            <th scope="col" class="numeric">"Microsoft: similar size"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn NoSnapshot(tenant: TenantRow) -> impl IntoView {
    let message = tenant
        .sync_message
        .clone()
        .unwrap_or_else(|| default_sync_message(tenant.sync_status).to_owned());
    view! {
        <section class="panel empty-state">
            <h2>"No data yet"</h2>
            <p data-test="tenant-percentage">"No Secure Score snapshot has been stored for this tenant."</p>
            <p>{tenant.sync_status.label()}": "{message}</p>
        </section>
    }
}
