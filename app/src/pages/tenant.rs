//! One tenant (`/tenants/:tenant_id`): its latest Secure Score with the
//! category and control breakdown.

pub(crate) mod breakdown;
mod client_links;

use chrono::Utc;
use domain::{SnapshotDetail, TenantDetail, TenantRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::feedback::{ErrorPanel, Loading, NotFoundNotice};
use crate::components::status::{default_sync_message, StaleBadge, SyncStatusBadge};
use crate::error::AppError;
use crate::format;
use crate::server_fns::get_tenant_detail;
use breakdown::{CategoryTable, ControlTable, PeerAverages, Warnings};
use client_links::ClientLinksPanel;

#[component]
pub fn TenantPage() -> impl IntoView {
    let params = use_params_map();
    let tenant_id = move || params.with(|params| params.get("tenant_id").unwrap_or_default());
    let detail = Resource::new(tenant_id, get_tenant_detail);

    view! {
        <Transition fallback=|| view! { <Loading label="Loading the tenant…"/> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <TenantDetailView detail/> }.into_any(),
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
fn TenantDetailView(detail: TenantDetail) -> impl IntoView {
    let TenantDetail { tenant, latest_snapshot } = detail;
    let name = tenant.display_name.clone();

    let body = match latest_snapshot {
        Some(snapshot) => view! { <SnapshotView tenant=tenant.clone() snapshot/> }.into_any(),
        None => view! { <NoSnapshot tenant=tenant.clone()/> }.into_any(),
    };

    view! {
        <Title text=name.clone()/>
        <div class="page-header">
            <div>
                <p class="breadcrumb"><a href="/tenants">"Tenants"</a></p>
                <h1>{name}</h1>
                <p class="muted">
                    {tenant.industry.clone().unwrap_or_else(|| "Industry not set".to_owned())}
                    " · "
                    <span class="tenant-id">{tenant.tenant_id.clone()}</span>
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
        <PeerAverages peers=snapshot.peer_averages/>
        <CategoryTable categories=snapshot.categories/>
        <ControlTable controls=snapshot.controls/>
        <Warnings warnings=snapshot.warnings/>
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
