//! Compliance (`/compliance`): framework coverage across the tenants, and
//! with `?tenant=ID` which framework controls one tenant's Secure Score
//! actions support and how far, with the statement that this evidence
//! supports an audit but does not prove compliance.

use domain::compliance::{ActionState, Coverage, Framework, FrameworkView, PortfolioCompliance, TenantCompliance};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorPanel, Loading};
use crate::format;
use crate::server_fns::alerts::TenantChoice;
use crate::server_fns::compliance::{get_compliance_page, CompliancePageData};

#[component]
pub fn CompliancePage() -> impl IntoView {
    let query = use_query_map();
    let tenant = Memo::new(move |_| query.with(|q| q.get("tenant").unwrap_or_default()));
    let data = Resource::new(move || tenant.get(), get_compliance_page);
    view! {
        <Title text="Compliance"/>
        <div class="page-header">
            <div>
                <h1>"Compliance"</h1>
                <p class="muted">"The framework controls that your tenants' Secure Score improvement actions support, and how far each one is done."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading label="Loading the compliance view…"/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <ComplianceView data/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ComplianceView(data: CompliancePageData) -> impl IntoView {
    let CompliancePageData { tenants, report, portfolio } = data;
    let chosen = report.as_ref().map(|r| r.tenant_id.clone()).unwrap_or_default();
    view! {
        <TenantPicker tenants chosen/>
        {match (report, portfolio) {
            (Some(report), _) => view! { <Report report/> }.into_any(),
            (None, Some(portfolio)) if !portfolio.tenants.is_empty() => view! { <Portfolio portfolio/> }.into_any(),
            _ => view! {
                <section class="panel empty-state">
                    <h2>"No data yet"</h2>
                    <p>"No tenant has a Secure Score snapshot. The compliance view appears after the first successful sync."</p>
                </section>
            }
            .into_any(),
        }}
    }
}

#[component]
fn TenantPicker(tenants: Vec<TenantChoice>, chosen: String) -> impl IntoView {
    let options = tenants
        .into_iter()
        .map(|t| {
            let selected = t.tenant_id == chosen;
            let label = format!("{} ({})", t.display_name, format::percent_or_missing(t.percentage));
            view! { <option value=t.tenant_id selected=selected>{label}</option> }
        })
        .collect_view();
    let portfolio_selected = chosen.is_empty();
    view! {
        <form method="get" action="/compliance" class="inline-form panel" data-test="compliance-tenant-form">
            <label for="compliance-tenant">"Tenant"</label>
            <select id="compliance-tenant" name="tenant">
                <option value="" selected=portfolio_selected>"All tenants (portfolio)"</option>
                {options}
            </select>
            <button type="submit" class="button button-primary">"Show"</button>
        </form>
    }
}

fn disclaimer_panel(disclaimer: String) -> impl IntoView {
    view! {
        <section class="panel demo-panel" role="note" data-test="compliance-disclaimer">
            <strong>"Supporting evidence, not proof. "</strong>
            {disclaimer}
        </section>
    }
}

/// "3 of 5", or a dash when the tenant has no supported control.
fn satisfied_of(c: &Coverage) -> String {
    if c.controls == 0 { format::MISSING.to_owned() } else { format!("{} of {}", c.satisfied, c.controls) }
}

#[component]
fn Portfolio(portfolio: PortfolioCompliance) -> impl IntoView {
    let PortfolioCompliance { mapping_version, disclaimer, frameworks, tenants } = portfolio;
    let tenant_count = tenants.len();
    let summary_rows = frameworks
        .iter()
        .map(|f| {
            let c = &f.coverage;
            view! {
                <tr data-test="portfolio-framework-row" data-framework=f.framework.as_str()>
                    <th scope="row">{f.label.clone()}</th>
                    <td class="numeric" data-test="portfolio-framework-tenants">{f.tenants}</td>
                    <td class="numeric">{f.fully_satisfied_tenants}</td>
                    <td class="numeric">{c.controls}</td>
                    <td class="numeric">{c.satisfied}</td>
                    <td class="numeric">{c.partial}</td>
                    <td class="numeric">{c.open}</td>
                    <td class="numeric">{c.risk_accepted}</td>
                </tr>
            }
        })
        .collect_view();
    let headers = Framework::ALL.iter().map(|f| view! { <th scope="col" class="numeric">{f.label()}</th> }).collect_view();
    let tenant_rows = tenants
        .into_iter()
        .map(|t| {
            let cells = t.coverage.iter().map(|c| view! { <td class="numeric">{satisfied_of(c)}</td> }).collect_view();
            view! {
                <tr data-test="portfolio-tenant-row" data-tenant-id=t.tenant_id.clone()>
                    <th scope="row"><a href=format!("/compliance?tenant={}", t.tenant_id)>{t.display_name}</a></th>
                    <td>{format::date_or_missing(t.as_of)}</td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        {disclaimer_panel(disclaimer)}
        <section class="panel panel-flush" aria-labelledby="portfolio-coverage-heading">
            <h2 id="portfolio-coverage-heading" class="panel-title">{format!("Framework coverage across {tenant_count} tenants")}</h2>
            <div class="table-scroll">
                <table class="data-table" data-test="portfolio-coverage-table">
                    <thead>
                        <tr>
                            <th scope="col">"Framework"</th>
                            <th scope="col" class="numeric">"Tenants covered"</th>
                            <th scope="col" class="numeric">"All satisfied"</th>
                            <th scope="col" class="numeric">"Controls"</th>
                            <th scope="col" class="numeric">"Satisfied"</th>
                            <th scope="col" class="numeric">"Partial"</th>
                            <th scope="col" class="numeric">"Open"</th>
                            <th scope="col" class="numeric">"Risk accepted"</th>
                        </tr>
                    </thead>
                    <tbody>{summary_rows}</tbody>
                </table>
            </div>
            <p class="muted panel-body">{format!("Mapping version {mapping_version}. Tenants covered: tenants with at least one supported control. All satisfied: tenants whose supported controls are all satisfied. Controls are summed over the tenants, once per tenant. Excluded tenants and tenants without data are left out.")}</p>
        </section>
        <section class="panel panel-flush" aria-labelledby="tenant-coverage-heading">
            <h2 id="tenant-coverage-heading" class="panel-title">"Satisfied controls per tenant"</h2>
            <div class="table-scroll">
                <table class="data-table" data-test="tenant-coverage-table">
                    <thead>
                        <tr>
                            <th scope="col">"Tenant"</th>
                            <th scope="col">"Scores as of"</th>
                            {headers}
                        </tr>
                    </thead>
                    <tbody>{tenant_rows}</tbody>
                </table>
            </div>
        </section>
    }
}

fn state_badge(state: ActionState) -> impl IntoView {
    let class = match state {
        ActionState::Satisfied => "badge badge-ok",
        ActionState::Partial => "badge badge-warning",
        ActionState::Open => "badge badge-error",
        ActionState::RiskAccepted => "badge badge-neutral",
    };
    view! { <span class=class>{state.label()}</span> }
}

#[component]
fn Report(report: TenantCompliance) -> impl IntoView {
    let TenantCompliance { tenant_id, display_name, as_of, mapping_version, disclaimer, frameworks, unmapped_actions } = report;
    let summary_rows = frameworks
        .iter()
        .map(|f| {
            let c = &f.coverage;
            let text = if c.controls == 0 {
                "No mapped action in this tenant, or the framework is not mapped yet".to_owned()
            } else {
                format!("{} satisfied, {} partial, {} open, {} risk accepted", c.satisfied, c.partial, c.open, c.risk_accepted)
            };
            view! {
                <tr data-test="framework-row" data-framework=f.framework.as_str()>
                    <th scope="row">{f.label.clone()}</th>
                    <td class="numeric" data-test="framework-controls">{c.controls}</td>
                    <td class="numeric" data-test="framework-satisfied">{c.satisfied}</td>
                    <td>{text}</td>
                </tr>
            }
        })
        .collect_view();
    let details = frameworks
        .into_iter()
        .filter(|f| f.coverage.controls > 0)
        .map(|framework| view! { <FrameworkDetails framework/> })
        .collect_view();
    let unmapped_count = unmapped_actions.len();
    let unmapped = unmapped_actions
        .into_iter()
        .map(|a| view! { <li><span>{a.title}</span>" "<code class="muted">{a.control_id}</code></li> })
        .collect_view();
    view! {
        {disclaimer_panel(disclaimer)}
        <section class="panel panel-flush" aria-labelledby="coverage-heading">
            <h2 id="coverage-heading" class="panel-title">
                <a href=format!("/tenants/{tenant_id}")>{display_name}</a>
                {format!(": framework coverage, scores as of {}", format::date_or_missing(as_of))}
            </h2>
            <div class="table-scroll">
                <table class="data-table" data-test="coverage-table">
                    <thead>
                        <tr>
                            <th scope="col">"Framework"</th>
                            <th scope="col" class="numeric">"Controls supported"</th>
                            <th scope="col" class="numeric">"Satisfied"</th>
                            <th scope="col">"State"</th>
                        </tr>
                    </thead>
                    <tbody>{summary_rows}</tbody>
                </table>
            </div>
            <p class="muted panel-body">
                {format!("Mapping version {mapping_version}. ")}
                "A control is satisfied when every supporting action is at full score or resolved through a third party, risk accepted when every other action was accepted as a risk, open when none has points, and partial otherwise."
            </p>
        </section>
        {details}
        <section class="panel" aria-labelledby="unmapped-heading">
            <h2 id="unmapped-heading">{format!("Actions not mapped to any framework ({unmapped_count})")}</h2>
            <details>
                <summary>"Show them"</summary>
                <ul data-test="unmapped-actions">{unmapped}</ul>
            </details>
        </section>
    }
}

#[component]
fn FrameworkDetails(framework: FrameworkView) -> impl IntoView {
    let rows = framework
        .controls
        .into_iter()
        .map(|control| {
            let actions = control
                .actions
                .into_iter()
                .map(|a| {
                    view! {
                        <li>
                            {state_badge(a.state)}
                            " "
                            {a.title}
                            <span class="muted">{format!(" ({} of {} points)", format::points(a.score), format::points(a.max_score))}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <tr data-test="framework-control" data-control=control.control.clone()>
                    <th scope="row"><a href=control.source.clone() rel="noopener noreferrer">{control.control.clone()}</a></th>
                    <td>{state_badge(control.state)}</td>
                    <td><ul class="lost-controls">{actions}</ul></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel panel-flush" data-test="framework-details" data-framework=framework.framework.as_str()>
            <h2 class="panel-title">{framework.label}</h2>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Control"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Secure Score actions"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
