//! Recommendations (`/recommendations`): improvement actions ranked by
//! impact against effort across the portfolio, a drawer per action with its
//! tenants and a bulk status form, and a "what if" projection of the
//! portfolio average for the actions ticked.

use domain::recommendations::{
    ActionDetail, AffectedTenant, Projection, Recommendation, RecommendationPage, Status, StatusCounts, Tag, TenantOutcome,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::export::{export_url, ExportLinks};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::format;
use crate::server_fns::recommendations::{get_recommendation_detail, get_recommendations, project_actions, SetRecommendationStatus};

const CATEGORIES: [&str; 5] = ["Identity", "Data", "Device", "Apps", "Infrastructure"];

#[component]
pub fn RecommendationsPage() -> impl IntoView {
    let query = use_query_map();
    let read = move |name: &'static str| Memo::new(move |_| query.with(|q| q.get(name).unwrap_or_default()));
    let category = read("category");
    let tag = read("tag");
    let status = read("status");
    let framework = read("framework");
    let action = read("action");
    let set = ServerAction::<SetRecommendationStatus>::new();
    let list = Resource::new(
        move || (category.get(), tag.get(), status.get(), framework.get(), set.version().get()),
        |(category, tag, status, framework, _)| get_recommendations(category, tag, status, Some(framework)),
    );
    let selected = RwSignal::new(Vec::<String>::new());

    view! {
        <Title text="Recommendations"/>
        <div class="page-header">
            <div>
                <h1>"Recommendations"</h1>
                <p class="muted">"Improvement actions across the portfolio, ranked by points gained for the effort"</p>
            </div>
        </div>
        <Filters category tag status framework/>
        <ExportLinks links=vec![("Backlog CSV", export_url(&[("format", "csv"), ("scope", "portfolio"), ("dataset", "recommendations")]))]/>
        {move || {
            let id = action.get();
            (!id.is_empty()).then(|| view! { <ActionDrawer id set/> })
        }}
        <Transition fallback=|| view! { <Loading label="Loading the recommendations…"/> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) => view! { <RankedTable page selected/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <WhatIf selected/>
    }
}

#[component]
fn Filters(category: Memo<String>, tag: Memo<String>, status: Memo<String>, framework: Memo<String>) -> impl IntoView {
    let option = |value: &'static str, label: &'static str, current: Memo<String>| {
        view! { <option value=value selected=move || current.get() == value>{label}</option> }
    };
    let categories = CATEGORIES.into_iter().map(|c| option(c, c, category)).collect_view();
    let tags = [Tag::QuickWin, Tag::HighImpact, Tag::Strategic].into_iter().map(|t| option(t.as_str(), t.label(), tag)).collect_view();
    let statuses = Status::ALL.into_iter().map(|s| option(s.as_str(), s.label(), status)).collect_view();
    let frameworks = domain::compliance::Framework::ALL.into_iter().map(|f| option(f.as_str(), f.label(), framework)).collect_view();
    view! {
        <form class="table-tools inline-form" method="get" action="/recommendations" data-test="recommendation-filters">
            <label for="filter-category">"Category"</label>
            <select id="filter-category" name="category">
                <option value="">"All"</option>
                {categories}
            </select>
            <label for="filter-tag">"Tag"</label>
            <select id="filter-tag" name="tag">
                <option value="">"All"</option>
                {tags}
            </select>
            <label for="filter-status">"Status"</label>
            <select id="filter-status" name="status">
                <option value="">"Any"</option>
                {statuses}
            </select>
            <label for="filter-framework">"Framework"</label>
            <select id="filter-framework" name="framework">
                <option value="">"Any"</option>
                {frameworks}
            </select>
            <button type="submit" class="button button-secondary">"Filter"</button>
        </form>
    }
}

fn tag_badge(tag: Option<Tag>) -> impl IntoView {
    tag.map(|tag| {
        let class = match tag {
            Tag::QuickWin => "badge badge-ok",
            Tag::HighImpact => "badge badge-info",
            Tag::Strategic => "badge badge-neutral",
        };
        view! { <span class=class data-test="tag">{tag.label()}</span> }
    })
}

fn counts_text(counts: &StatusCounts) -> String {
    Status::ALL
        .into_iter()
        .filter(|s| counts.get(*s) > 0)
        .map(|s| format!("{} {}", counts.get(s), s.label()))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
fn RankedTable(page: RecommendationPage, selected: RwSignal<Vec<String>>) -> impl IntoView {
    if page.items.is_empty() {
        return view! {
            <section class="panel empty-state">
                <h2>"No open actions"</h2>
                <p>"No action matches these filters, or every tenant is at full score on its actions."</p>
            </section>
        }
        .into_any();
    }
    let total = page.total_items;
    let base = page.tenants_in_average;
    let rows = page
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| view! { <RankedRow position=index + 1 item selected/> })
        .collect_view();
    view! {
        <section class="panel panel-flush" aria-labelledby="ranked-heading">
            <h2 id="ranked-heading" class="panel-title">{format!("{total} actions")}</h2>
            <p class="muted panel-note">
                {format!("Projected rise: the portfolio average's gain if the action were done in every affected tenant ({base} tenants in the average). Effort: cost + user impact, 2 (low) to 6 (high).")}
            </p>
            <div class="table-scroll">
                <table class="data-table" data-test="recommendations-table">
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">"Include in what if"</span></th>
                            <th scope="col" class="numeric">"#"</th>
                            <th scope="col">"Action"</th>
                            <th scope="col">"Tag, frameworks"</th>
                            <th scope="col">"Category"</th>
                            <th scope="col" class="numeric">"Tenants"</th>
                            <th scope="col" class="numeric">"Mean points"</th>
                            <th scope="col" class="numeric">"Effort"</th>
                            <th scope="col" class="numeric">"Impact ÷ effort"</th>
                            <th scope="col" class="numeric">"Projected rise"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn RankedRow(position: usize, item: Recommendation, selected: RwSignal<Vec<String>>) -> impl IntoView {
    let id = item.id.clone();
    let toggle_id = id.clone();
    let checked_id = id.clone();
    let href = format!("/recommendations?action={}", urlencode(&id));
    let effort_title = format!("Cost {}, user impact {}", item.implementation_cost.label(), item.user_impact.label());
    view! {
        <tr data-test="recommendation-row" data-id=id.clone()>
            <td>
                <input
                    type="checkbox"
                    aria-label=format!("Include {} in the what-if projection", item.title)
                    data-test="what-if-toggle"
                    prop:checked=move || selected.with(|s| s.contains(&checked_id))
                    on:change=move |_| {
                        selected.update(|s| {
                            if let Some(at) = s.iter().position(|x| *x == toggle_id) {
                                s.remove(at);
                            } else {
                                s.push(toggle_id.clone());
                            }
                        })
                    }
                />
            </td>
            <td class="numeric">{position}</td>
            <th scope="row"><a href=href data-test="open-action">{item.title.clone()}</a></th>
            <td>
                {tag_badge(item.tag)}
                {item.frameworks.iter().map(|f| view! { " " <span class="badge badge-neutral" data-test="framework">{f.label()}</span> }).collect_view()}
            </td>
            <td>{item.category.clone()}</td>
            <td class="numeric" data-test="cell-affected">{item.affected_tenants}</td>
            <td class="numeric" data-test="cell-mean-points">{format::points(item.mean_points)}</td>
            <td class="numeric" title=effort_title>{item.effort}</td>
            <td class="numeric">{format::points(item.impact_to_effort)}</td>
            <td class="numeric">{format!("+{} pts", format::points(item.projected_portfolio_rise))}</td>
            <td class="message-cell" data-test="cell-status-counts">{counts_text(&item.status_counts)}</td>
        </tr>
    }
}

/// Percent-encodes the characters of a control id that are not safe in a query.
fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[component]
fn WhatIf(selected: RwSignal<Vec<String>>) -> impl IntoView {
    let projection = Resource::new(
        move || selected.get(),
        |ids| async move {
            if ids.is_empty() {
                Ok(None)
            } else {
                project_actions(ids.join(",")).await.map(Some)
            }
        },
    );
    view! {
        <section class="panel" aria-labelledby="what-if-heading" data-test="what-if">
            <h2 id="what-if-heading">"What if"</h2>
            <Transition fallback=|| view! { <Loading label="Projecting…"/> }>
                {move || Suspend::new(async move {
                    match projection.await {
                        Ok(None) => view! { <p class="muted">"Tick actions in the list to see the portfolio average if they were done in every affected tenant."</p> }.into_any(),
                        Ok(Some(projection)) => view! { <ProjectionView projection/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ProjectionView(projection: Projection) -> impl IntoView {
    let rows = projection
        .tenants
        .iter()
        .take(20)
        .map(|t| {
            view! {
                <tr>
                    <th scope="row"><a href=format!("/tenants/{}", t.tenant_id)>{t.display_name.clone()}</a></th>
                    <td class="numeric">{format::percent(t.current_percentage)}</td>
                    <td class="numeric">{format::percent(t.projected_percentage)}</td>
                    <td class="numeric">{format!("+{}", format::points(t.points_gained))}</td>
                </tr>
            }
        })
        .collect_view();
    let more = projection.tenants.len().saturating_sub(20);
    view! {
        <dl class="stat-grid stat-grid-compact">
            <div class="stat">
                <dt>"Portfolio average now"</dt>
                <dd data-test="what-if-current">{format::percent_or_missing(projection.current_average)}</dd>
            </div>
            <div class="stat">
                <dt>{format!("After {} action(s)", projection.actions.len())}</dt>
                <dd data-test="what-if-projected">{format::percent_or_missing(projection.projected_average)}</dd>
            </div>
        </dl>
        <div class="table-scroll">
            <table class="data-table" data-test="what-if-table">
                <thead>
                    <tr>
                        <th scope="col">"Tenant"</th>
                        <th scope="col" class="numeric">"Now"</th>
                        <th scope="col" class="numeric">"Projected"</th>
                        <th scope="col" class="numeric">"Points gained"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more tenants")}</p> })}
    }
}

#[component]
fn ActionDrawer(id: String, set: ServerAction<SetRecommendationStatus>) -> impl IntoView {
    let detail_id = id.clone();
    let detail = Resource::new(move || (detail_id.clone(), set.version().get()), |(id, _)| get_recommendation_detail(id));
    view! {
        <section class="panel drawer" aria-labelledby="drawer-heading" data-test="action-drawer">
            <Transition fallback=|| view! { <Loading label="Loading the action…"/> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => view! { <DrawerBody detail set/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DrawerBody(detail: ActionDetail, set: ServerAction<SetRecommendationStatus>) -> impl IntoView {
    let ActionDetail { id, recommendation, tenants, history } = detail;
    let title = recommendation.as_ref().map_or_else(|| id.clone(), |r| r.title.clone());
    let summary = recommendation.as_ref().map(|r| {
        format!(
            "{} · {} tenants · {} points in all · effort {} (cost {}, user impact {})",
            r.category,
            r.affected_tenants,
            format::points(r.total_points),
            r.effort,
            r.implementation_cost.label(),
            r.user_impact.label()
        )
    });
    let link = recommendation.as_ref().and_then(|r| r.action_url.clone());
    let selected = RwSignal::new(Vec::<String>::new());
    let all_ids: Vec<String> = tenants.iter().map(|t| t.tenant_id.clone()).collect();
    let select_all = move |_| selected.set(all_ids.clone());
    let rows = tenants.into_iter().map(|tenant| view! { <TenantRow tenant selected/> }).collect_view();
    let history_items = history
        .into_iter()
        .take(50)
        .map(|h| {
            view! {
                <li>
                    {format::date_time(h.at)}" · "{h.display_name}": "
                    {h.from_status.map(|s| format!("{} → ", s.label()))}{h.to_status.label()}
                    {h.target_date.map(|d| format!(" (target {})", format::date(d)))}
                    " · "<span class="muted">{h.actor}</span>
                    {h.note.map(|n| view! { <span class="muted">" · "{n}</span> })}
                    {h.justification.map(|j| view! { <span class="muted">" · "{j}</span> })}
                </li>
            }
        })
        .collect_view();
    let status_options = Status::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view();
    let outcome = move || match set.value().get() {
        Some(Ok(results)) => Some(view! { <Outcomes results/> }.into_any()),
        Some(Err(error)) => Some(view! { <p class="form-message error-text" role="alert">{error.to_string()}</p> }.into_any()),
        None => None,
    };

    view! {
        <div class="drawer-header">
            <div>
                <h2 id="drawer-heading">{title}</h2>
                {summary.map(|s| view! { <p class="muted">{s}</p> })}
                {link.map(|href| view! { <p><a href=href rel="noopener noreferrer" target="_blank">"Open in the Microsoft portal"</a></p> })}
            </div>
            <a href="/recommendations" class="button button-secondary">"Close"</a>
        </div>
        <div class="table-scroll">
            <table class="data-table" data-test="drawer-tenants">
                <thead>
                    <tr>
                        <th scope="col"><span class="visually-hidden">"Select"</span></th>
                        <th scope="col">"Tenant"</th>
                        <th scope="col" class="numeric">"Score"</th>
                        <th scope="col" class="numeric">"Points available"</th>
                        <th scope="col" class="numeric">"Rise"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Target date"</th>
                        <th scope="col">"Changed"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <ActionForm action=set attr:class="inline-form status-form" attr:data-test="status-form">
            <input type="hidden" name="id" value=id.clone()/>
            <input type="hidden" name="tenant_ids" prop:value=move || selected.get().join(",")/>
            <button type="button" class="button button-secondary" on:click=select_all>"Select all"</button>
            <span class="muted" data-test="selected-count">{move || format!("{} selected", selected.with(Vec::len))}</span>
            <label for="status-select">"Status"</label>
            <select id="status-select" name="status" data-test="status-select">{status_options}</select>
            <label for="status-date">"Target date"</label>
            <input id="status-date" type="date" name="target_date" data-test="status-date"/>
            <label for="status-justification">"Justification (required for Risk Accepted)"</label>
            <input id="status-justification" name="justification" maxlength="2000" data-test="status-justification"/>
            <label class="checkbox-label">
                <input type="checkbox" name="third_party" value="true" data-test="status-third-party"/>
                " Resolved by a third-party tool (with Completed)"
            </label>
            <button type="submit" class="button button-primary" data-test="status-apply">"Apply to selected"</button>
        </ActionForm>
        {outcome}
        <h3>"History"</h3>
        <ul class="plain-list" data-test="action-history">{history_items}</ul>
    }
}

#[component]
fn TenantRow(tenant: AffectedTenant, selected: RwSignal<Vec<String>>) -> impl IntoView {
    let id = tenant.tenant_id.clone();
    let toggle = id.clone();
    let checked = id.clone();
    let changed = tenant
        .updated_at
        .map(|at| format!("{} by {}", format::date_time(at), tenant.updated_by.clone().unwrap_or_default()))
        .unwrap_or_else(|| format::MISSING.to_owned());
    view! {
        <tr data-test="drawer-tenant" data-tenant-id=id.clone()>
            <td>
                <input
                    type="checkbox"
                    aria-label=format!("Select {}", tenant.display_name)
                    data-test="tenant-select"
                    prop:checked=move || selected.with(|s| s.contains(&checked))
                    on:change=move |_| {
                        selected.update(|s| {
                            if let Some(at) = s.iter().position(|x| *x == toggle) {
                                s.remove(at);
                            } else {
                                s.push(toggle.clone());
                            }
                        })
                    }
                />
            </td>
            <th scope="row"><a href=format!("/tenants/{id}")>{tenant.display_name.clone()}</a></th>
            <td class="numeric">{format::score_of_max(tenant.score, Some(tenant.max_score))}</td>
            <td class="numeric">{format::points(tenant.points_available)}</td>
            <td class="numeric">{format!("+{} pts", format::points(tenant.projected_rise))}</td>
            <td data-test="cell-status">
                {tenant.status.label()}
                {tenant.regression.then(|| view! { " " <span class="badge badge-warning">"Regression"</span> })}
                {tenant.justification.clone().map(|j| view! { <span class="cell-note">{j}</span> })}
                {tenant.graph.clone().map(|g| {
                    let pending_points = g.result == "applied" && g.state == "ThirdParty" && tenant.points_available > 0.0;
                    let label = if pending_points { format!("Microsoft: {} (points pending)", g.state) } else { format!("Microsoft: {} ({})", g.state, g.result) };
                    view! { <span class="cell-note" title=g.message data-test="cell-graph">{label}</span> }
                })}
            </td>
            <td data-test="cell-target-date">{tenant.target_date.map(format::date).unwrap_or_else(|| format::MISSING.to_owned())}</td>
            <td class="muted">{changed}</td>
        </tr>
    }
}

#[component]
fn Outcomes(results: Vec<TenantOutcome>) -> impl IntoView {
    let stored = results.iter().filter(|r| r.ok).count();
    let graph_notes = results
        .iter()
        .filter_map(|r| r.graph.as_ref().map(|g| (r.tenant_id.clone(), g.clone())))
        .map(|(tenant, g)| view! { <li>{tenant}": Microsoft "{g.result}" · "{g.message}</li> })
        .collect_view();
    let failures = results
        .into_iter()
        .filter(|r| !r.ok)
        .map(|r| view! { <li>{r.tenant_id}": "{r.message.unwrap_or_default()}</li> })
        .collect_view();
    view! {
        <div role="status" data-test="status-outcome">
            <p>{format!("Stored for {stored} tenant(s).")}</p>
            <ul class="plain-list error-text">{failures}</ul>
            <ul class="plain-list muted" data-test="graph-outcomes">{graph_notes}</ul>
        </div>
    }
}
