//! The portfolio figures: average, leaders, tenant counts and the score
//! distribution.

use domain::{PortfolioSummary, TenantRef};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::distribution::Distribution;
use crate::format;

#[component]
pub fn PortfolioSummaryView(summary: PortfolioSummary) -> impl IntoView {
    let no_tenants = summary.managed_tenants == 0 && summary.excluded_tenants == 0;

    view! {
        {if no_tenants {
            view! { <EmptyPortfolio/> }.into_any()
        } else {
            view! { <Headline summary=summary.clone()/> }.into_any()
        }}
        <TenantCounts summary=summary.clone()/>
        {(!no_tenants).then(|| view! {
            <section class="panel" aria-labelledby="distribution-heading">
                <h2 id="distribution-heading">"Score distribution"</h2>
                <Distribution buckets=summary.distribution.clone()/>
            </section>
        })}
    }
}

/// Renders the portfolio average with its 90-day change, and the top and
/// lowest tenant.
#[component]
fn Headline(summary: PortfolioSummary) -> impl IntoView {
    let average = format::percent_or_missing(summary.portfolio_average);
    let change = format::change_over_90_days(summary.portfolio_average_change_90d);
    let change_class = match summary.portfolio_average_change_90d {
        Some(value) if value >= 0.05 => "change change-up",
        Some(value) if value <= -0.05 => "change change-down",
        _ => "change",
    };
    let as_of = summary
        .as_of
        .map(|date| format!("as of {}", format::date(date)))
        .unwrap_or_else(|| "no snapshot yet".to_owned());
    let movement = (summary.tenants_with_change_90d > 0).then(|| {
        format!(
            "{} improved, {} regressed (of {} tenants with 90 days of history)",
            summary.tenants_improved_90d, summary.tenants_regressed_90d, summary.tenants_with_change_90d
        )
    });

    view! {
        <div class="headline-grid">
            <section class="panel headline" aria-labelledby="average-heading">
                <h2 id="average-heading">"Portfolio average"</h2>
                <p class="big-number" data-test="portfolio-average">{average}</p>
                <p class=change_class data-test="portfolio-change-90d">{change}</p>
                <p class="muted">{as_of}</p>
                {movement.map(|text| view! { <p class="muted">{text}</p> })}
            </section>
            <LeaderCard title="Top tenant" test_id="top-tenant" tenant=summary.top_tenant.clone()/>
            <LeaderCard title="Lowest tenant" test_id="lowest-tenant" tenant=summary.lowest_tenant.clone()/>
        </div>
    }
}

#[component]
fn LeaderCard(title: &'static str, test_id: &'static str, tenant: Option<TenantRef>) -> impl IntoView {
    let body = match tenant {
        Some(tenant) => view! {
            <p class="leader-name">
                <A href=format!("/tenants/{}", tenant.tenant_id)>{tenant.display_name}</A>
            </p>
            <p class="big-number big-number-small">{format::percent(tenant.percentage)}</p>
        }
        .into_any(),
        None => view! { <p class="muted">"No tenant has data yet"</p> }.into_any(),
    };

    view! {
        <section class="panel leader" data-test=test_id>
            <h2>{title}</h2>
            {body}
        </section>
    }
}

/// Renders the tenant counts by data state. Each count is a real number, so
/// zero is shown as 0.
#[component]
fn TenantCounts(summary: PortfolioSummary) -> impl IntoView {
    let stale_warning = summary.stale_tenants > 0;
    let failing_warning = summary.failing_tenants > 0;
    let alerts_warning = summary.critical_alerts > 0;
    let alerts_label = if summary.critical_alerts > 0 {
        format!("Open alerts ({} critical)", summary.critical_alerts)
    } else {
        "Open alerts".to_owned()
    };
    let excluded = (summary.excluded_tenants > 0)
        .then(|| format!("{} more excluded from portfolio figures", summary.excluded_tenants));

    view! {
        <section class="panel" aria-labelledby="counts-heading">
            <h2 id="counts-heading">"Tenants"</h2>
            <dl class="stat-grid">
                <Stat label="Managed tenants" test_id="managed-tenants" value=summary.managed_tenants/>
                <Stat label="With data" test_id="tenants-with-data" value=summary.tenants_with_data/>
                <Stat label="No data yet" test_id="no-data-tenants" value=summary.tenants_without_data/>
                <Stat
                    label="Stale (newest snapshot older than 48 h)"
                    test_id="stale-tenants"
                    value=summary.stale_tenants
                    warn=stale_warning
                />
                <Stat
                    label="Failing syncs"
                    test_id="failing-tenants"
                    value=summary.failing_tenants
                    warn=failing_warning
                />
                <div class="stat" class:stat-warning=alerts_warning>
                    <dt>{alerts_label}</dt>
                    <dd data-test="open-alerts"><A href="/alerts">{summary.open_alerts}</A></dd>
                </div>
            </dl>
            {excluded.map(|text| view! { <p class="muted">{text}</p> })}
            <p><A href="/tenants">"Compare all tenants"</A>" · "<A href="/alerts">"See the open alerts and their causes"</A></p>
        </section>
    }
}

#[component]
fn Stat(label: &'static str, test_id: &'static str, value: u32, #[prop(optional)] warn: bool) -> impl IntoView {
    view! {
        <div class="stat" class:stat-warning=warn>
            <dt>{label}</dt>
            <dd data-test=test_id>{value}</dd>
        </div>
    }
}

/// Renders the empty state when no tenant has been added: how to add one or
/// start the demo.
#[component]
fn EmptyPortfolio() -> impl IntoView {
    view! {
        <section class="panel empty-state" data-test="empty-portfolio">
            <h2>"No tenants yet"</h2>
            <p>"Add the customer tenants you manage, then press \"Refresh now\" to fetch their Secure Score:"</p>
            <pre><code>"trust-center tenant add --id TENANT_ID --name \"Contoso Ltd\" --industry Healthcare"</code></pre>
            <p>"To look around first, start the built-in demo, which fills the dashboard from the Graph simulator:"</p>
            <pre><code>"trust-center serve --demo"</code></pre>
        </section>
    }
}
