//! Trends (`/trends?days=30`): the portfolio average over time, the change
//! split into points and maximum-score drift, the tenants that improved,
//! regressed or stayed level, and the biggest movers.

use domain::trends::{TenantMove, TrendsReport, MAX_TREND_DAYS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::chart::Chart;
use crate::components::export::{export_url, ExportLinks};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::error::AppError;
use crate::format;
use crate::server_fns::analytics::{get_trends_page, TrendsPageData};

/// Window shown when the URL names none.
const DEFAULT_DAYS: u32 = 30;
/// The windows offered as links.
const WINDOWS: [u32; 3] = [7, 30, 90];

#[component]
pub fn TrendsPage() -> impl IntoView {
    let query = use_query_map();
    let days = Memo::new(move |_| query.with(|q| q.get("days")));
    let data = Resource::new(
        move || days.get(),
        |raw| async move {
            match parse_days(raw.as_deref()) {
                Ok(days) => get_trends_page(days).await,
                Err(message) => Err(AppError::BadRequest(message)),
            }
        },
    );
    let selected = move || parse_days(days.get().as_deref()).unwrap_or(DEFAULT_DAYS);
    let links = WINDOWS
        .into_iter()
        .map(|window| {
            view! {
                <li>
                    <a
                        href=format!("/trends?days={window}")
                        class="window-link"
                        aria-current=move || (selected() == window).then_some("page")
                        data-test=format!("window-{window}")
                    >
                        {format!("{window} days")}
                    </a>
                </li>
            }
        })
        .collect_view();

    view! {
        <Title text="Trends"/>
        <div class="page-header">
            <div>
                <h1>"Trends"</h1>
                <p class="muted">"How the portfolio's Secure Score moved, and whether tenants or Microsoft moved it"</p>
            </div>
        </div>
        <nav class="table-tools" aria-label="Time window">
            <ul class="window-list">{links}</ul>
            <form method="get" action="/trends" class="inline-form">
                <label for="trend-days">"Other window (days)"</label>
                <input id="trend-days" type="number" name="days" min="1" max=MAX_TREND_DAYS.to_string() value=move || selected().to_string()/>
                <button type="submit" class="button button-secondary">"Show"</button>
            </form>
        </nav>
        {move || {
            let days = selected().to_string();
            view! { <ExportLinks links=vec![("Daily figures CSV", export_url(&[("format", "csv"), ("scope", "portfolio"), ("dataset", "trends"), ("days", &days)]))]/> }
        }}
        <Transition fallback=|| view! { <Loading label="Loading the trends…"/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <TrendsView data/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Reads `?days=`: a whole number from 1 to 365, 30 when absent.
fn parse_days(raw: Option<&str>) -> Result<u32, String> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(DEFAULT_DAYS);
    };
    match text.parse::<u32>() {
        Ok(days) if (1..=MAX_TREND_DAYS).contains(&days) => Ok(days),
        _ => Err(format!("days '{text}' is invalid: use a whole number from 1 to {MAX_TREND_DAYS}.")),
    }
}

#[component]
fn TrendsView(data: TrendsPageData) -> impl IntoView {
    let TrendsPageData { report, chart } = data;
    if report.tenants_included == 0 {
        return view! {
            <section class="panel empty-state">
                <h2>"No data yet"</h2>
                <p>"No included tenant has a Secure Score snapshot. Trends appear after the first successful sync."</p>
            </section>
        }
        .into_any();
    }
    let TrendsReport { days, from, to, series, .. } = report.clone();
    let window = format!("{} to {}", format::date_or_missing(from), format::date_or_missing(to));
    let days_with_data = series.iter().filter(|p| p.average.is_some()).count();
    let daily_rows = series
        .into_iter()
        .rev()
        .map(|point| {
            view! {
                <tr>
                    <th scope="row">{format::date(point.date)}</th>
                    <td class="numeric">{format::percent_or_missing(point.average)}</td>
                    <td class="numeric">{point.tenants}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <ChangeSummary report=report.clone()/>
        <section class="panel" aria-labelledby="trend-chart-heading">
            <h2 id="trend-chart-heading">{format!("Portfolio average, last {days} days")}</h2>
            <p class="muted">
                {format!("{window}. Unweighted mean of the tenants with a snapshot that day; days without any snapshot are gaps ({days_with_data} of {} days have data).", days + 1)}
            </p>
            <Chart options=chart label=format!("Portfolio average per day, {window}") test_id="trend-chart"/>
            <details class="chart-data">
                <summary>"Daily figures"</summary>
                <div class="table-scroll table-scroll-tall">
                    <table class="data-table" data-test="trend-daily-table">
                        <thead>
                            <tr>
                                <th scope="col">"Day"</th>
                                <th scope="col" class="numeric">"Portfolio average"</th>
                                <th scope="col" class="numeric">"Tenants with a snapshot"</th>
                            </tr>
                        </thead>
                        <tbody>{daily_rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
        <MoversTable title="Biggest gains" test_id="gains-table" moves=report.biggest_gains/>
        <MoversTable title="Biggest drops" test_id="drops-table" moves=report.biggest_drops/>
    }
    .into_any()
}

#[component]
fn ChangeSummary(report: TrendsReport) -> impl IntoView {
    let days = report.days;
    let split = match (report.points_effect, report.max_drift) {
        (Some(points), Some(drift)) => format!(
            "Tenants' own actions {} pts; Microsoft changing maximum scores {} pts",
            format::signed_change(points),
            format::signed_change(drift)
        ),
        _ => "No tenant has a snapshot old enough to compare.".to_owned(),
    };
    view! {
        <section class="panel" aria-labelledby="change-heading">
            <h2 id="change-heading">{format!("Change over {days} days")}</h2>
            <dl class="stat-grid">
                <div class="stat">
                    <dt>"Portfolio change"</dt>
                    <dd data-test="portfolio-change">{format::signed_points_or_missing(report.portfolio_change)}</dd>
                </div>
                <div class="stat">
                    <dt>"Improved"</dt>
                    <dd data-test="tenants-improved">{report.tenants_improved}</dd>
                </div>
                <div class="stat">
                    <dt>"Regressed"</dt>
                    <dd data-test="tenants-regressed">{report.tenants_regressed}</dd>
                </div>
                <div class="stat">
                    <dt>"Unchanged"</dt>
                    <dd data-test="tenants-unchanged">{report.tenants_unchanged}</dd>
                </div>
                <div class="stat">
                    <dt title="Tenants without a snapshot this old: they have no change, not 0">"No snapshot that old"</dt>
                    <dd data-test="tenants-without-change">{report.tenants_without_change}</dd>
                </div>
            </dl>
            <p class="muted" data-test="change-split">{split}</p>
        </section>
    }
}

#[component]
fn MoversTable(title: &'static str, test_id: &'static str, moves: Vec<TenantMove>) -> impl IntoView {
    let body = if moves.is_empty() {
        view! { <p class="muted empty-cell">"None in this window."</p> }.into_any()
    } else {
        let rows = moves
            .into_iter()
            .map(|m| {
                view! {
                    <tr data-tenant-id=m.tenant_id.clone()>
                        <th scope="row"><A href=format!("/tenants/{}", m.tenant_id)>{m.display_name}</A></th>
                        <td class="numeric">{format::percent(m.from_percentage)}</td>
                        <td class="numeric">{format::percent(m.to_percentage)}</td>
                        <td class="numeric" data-test="cell-change">{format::signed_change(m.change)}</td>
                        <td class="numeric">{format::signed_change(m.points_effect)}</td>
                        <td class="numeric">{format::signed_change(m.max_drift)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="data-table" data-test=test_id>
                    <thead>
                        <tr>
                            <th scope="col">"Tenant"</th>
                            <th scope="col" class="numeric">"From"</th>
                            <th scope="col" class="numeric">"To"</th>
                            <th scope="col" class="numeric">"Change (pts)"</th>
                            <th scope="col" class="numeric" title="Points the tenant gained or lost">"Own actions"</th>
                            <th scope="col" class="numeric" title="Effect of Microsoft changing the maximum score">"Max drift"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel panel-flush" aria-label=title>
            <h2 class="panel-title">{title}</h2>
            {body}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_default_and_bounds() {
        assert_eq!(parse_days(None), Ok(30));
        assert_eq!(parse_days(Some(" 90 ")), Ok(90));
        assert_eq!(parse_days(Some("365")), Ok(365));
        assert_eq!(parse_days(Some("0")), Err("days '0' is invalid: use a whole number from 1 to 365.".to_owned()));
        assert!(parse_days(Some("abc")).unwrap_err().starts_with("days 'abc'"));
    }
}
