//! The read-only report a client opens through a link (`/client/:token`).
//! The token in the URL is the credential; the page has no navigation and
//! no links to staff pages.

use domain::recommendations::ReportActions;
use domain::{ControlScoreView, SnapshotDetail};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::components::chart::Chart;
use crate::components::feedback::Loading;
use crate::error::AppError;
use crate::format;
use crate::pages::tenant::breakdown::CategoryTable;
use crate::server_fns::client_links::{get_client_report, ClientReport};

#[component]
pub fn ClientReportPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|params| params.get("token").unwrap_or_default());
    let report = Resource::new(token, get_client_report);

    view! {
        // The URL contains the secret token, so search engines must not keep it.
        <Meta name="robots" content="noindex, nofollow"/>
        <Transition fallback=|| view! { <Loading label="Loading the report…"/> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! { <ClientReportView report/> }.into_any(),
                    Err(error) => view! { <LinkError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Renders why the link does not open a report, in the words the backend
/// chose for the person who opened it.
#[component]
fn LinkError(error: AppError) -> impl IntoView {
    let title = match error {
        AppError::NotFound(_) => "Link not valid",
        AppError::Forbidden(_) => "Link no longer valid",
        _ => "The report could not be loaded",
    };
    view! {
        <Title text=title/>
        <section class="panel panel-error client-link-error" role="alert" data-test="link-error">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
        </section>
    }
}

#[component]
fn ClientReportView(report: ClientReport) -> impl IntoView {
    let ClientReport { detail, actions, history_chart } = report;
    let name = detail.tenant.display_name.clone();
    let changes = format!(
        "Change over 30 days: {} · over 90 days: {}",
        format::signed_points_or_missing(detail.tenant.trend30d),
        format::signed_points_or_missing(detail.tenant.trend90d)
    );
    let body = match detail.latest_snapshot {
        Some(snapshot) => view! { <ClientSnapshot snapshot/> }.into_any(),
        None => view! {
            <section class="panel empty-state">
                <h2>"No data yet"</h2>
                <p data-test="client-percentage">"No Secure Score has been recorded for your organisation yet."</p>
            </section>
        }
        .into_any(),
    };

    view! {
        <Title text=format!("{name}: Secure Score report")/>
        <article class="client-report" data-test="client-report">
            <header class="page-header">
                <div>
                    <h1>{name}</h1>
                    <p class="muted">"Microsoft Secure Score report"</p>
                    <p class="muted" data-test="client-changes">{changes}</p>
                </div>
                // Relative to this page, so the link's token is not repeated here.
                <a class="button button-primary" href="?format=pdf" rel="external" data-test="client-pdf" download>"Download PDF"</a>
            </header>
            {body}
            <section class="panel" aria-labelledby="client-history-heading">
                <h2 id="client-history-heading">"Last 90 days"</h2>
                <Chart options=history_chart label="Secure Score percentage per day over 90 days".to_owned() test_id="client-history-chart"/>
            </section>
            <ReportActionsView actions/>
        </article>
    }
}

#[component]
fn ClientSnapshot(snapshot: SnapshotDetail) -> impl IntoView {
    let percentage = format::percent_or_missing(snapshot.percentage);
    let points = format::points_context(snapshot.current_score, snapshot.max_score);

    view! {
        <section class="panel headline" aria-labelledby="client-score-heading">
            <h2 id="client-score-heading">"Secure Score"</h2>
            <p class="score-line" data-test="client-percentage">
                <span class="big-number">{percentage}</span>
                " "
                <span class="score-points">{points}</span>
            </p>
            <p class="muted">"As of "{format::date(snapshot.snapshot_date)}</p>
        </section>
        <CategoryTable categories=snapshot.categories/>
        <ImprovementList controls=snapshot.controls/>
    }
}

/// Lists each improvement action with its points and status, as a list
/// rather than a wide table so it reads on a phone.
#[component]
fn ImprovementList(controls: Vec<ControlScoreView>) -> impl IntoView {
    let count = controls.len();
    let items = controls
        .into_iter()
        .map(|control| {
            let title = control.title.clone().unwrap_or_else(|| control.control_name.clone());
            let status = control.implementation_status.unwrap_or_else(|| "Not reported".to_owned());
            view! {
                <li class="improvement">
                    <p class="improvement-title">{title}</p>
                    <p class="improvement-meta">
                        <span>{control.category}</span>
                        " · "
                        <span>{format::score_of_max(control.score, control.max_score)}" points"</span>
                    </p>
                    <p class="improvement-status">{status}</p>
                </li>
            }
        })
        .collect_view();

    view! {
        <section class="panel" aria-labelledby="improvements-heading">
            <details>
                <summary><h2 id="improvements-heading" class="inline-heading">{format!("Every scored control ({count})")}</h2></summary>
                <ul class="improvement-list" data-test="client-controls">{items}</ul>
            </details>
        </section>
    }
}

/// Renders the report's action lists: open, completed in the last 90 days,
/// and accepted risks with their justification.
#[component]
fn ReportActionsView(actions: ReportActions) -> impl IntoView {
    let ReportActions { open, completed, risk_accepted } = actions;
    let completed_empty = completed.is_empty();
    let risks_empty = risk_accepted.is_empty();
    let open_rows = open
        .into_iter()
        .take(10)
        .map(|a| view! {
            <tr>
                <th scope="row">{a.title}</th>
                <td>{a.category}</td>
                <td class="numeric">{format::points(a.points)}</td>
                <td>{a.status.label()}</td>
            </tr>
        })
        .collect_view();
    let completed_items = completed
        .into_iter()
        .map(|c| view! {
            <li>
                {c.title}" · "{format::date(c.confirmed_on)}
                {c.points_gained.map(|p| format!(" · +{} points", format::points(p)))}
            </li>
        })
        .collect_view();
    let risk_items = risk_accepted
        .into_iter()
        .map(|r| view! { <li>{r.title}" · "{format::date(r.decided_on)}<span class="cell-note">{r.justification}</span></li> })
        .collect_view();
    view! {
        <section class="panel panel-flush" aria-labelledby="client-open-heading">
            <h2 id="client-open-heading" class="panel-title">"Top open improvement actions"</h2>
            <div class="table-scroll">
                <table class="data-table" data-test="client-open-actions">
                    <thead>
                        <tr>
                            <th scope="col">"Action"</th>
                            <th scope="col">"Category"</th>
                            <th scope="col" class="numeric">"Points available"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>{open_rows}</tbody>
                </table>
            </div>
        </section>
        <section class="panel" aria-labelledby="client-completed-heading">
            <h2 id="client-completed-heading">"Completed in the last 90 days"</h2>
            {completed_empty.then(|| view! { <p class="muted">"No action was confirmed as completed in this period."</p> })}
            <ul class="plain-list" data-test="client-completed">{completed_items}</ul>
        </section>
        <section class="panel" aria-labelledby="client-risk-heading">
            <h2 id="client-risk-heading">"Accepted risks"</h2>
            {risks_empty.then(|| view! { <p class="muted">"No risk has been accepted."</p> })}
            <ul class="plain-list" data-test="client-risks">{risk_items}</ul>
        </section>
    }
}
