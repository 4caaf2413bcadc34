//! Alerts (`/alerts`): the open alerts with their cause and notices,
//! acknowledge and snooze, past alerts, the rule editor (portfolio defaults
//! and per-tenant overrides) and the notification channels.

use domain::alerts::{AlertKind, AlertRules, AlertView, ChannelKind, ChannelView, Severity, TenantRules, Thresholds};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{ErrorPanel, Loading};
use crate::format;
use crate::server_fns::alerts::{
    get_alerts_page, AlertAction, AlertsPageData, RemoveAlertChannel, SaveAlertChannel, SaveAlertRules, SimulateRegression,
    TenantChoice, TestAlertChannel,
};

/// The actions of the page, so each one's version reloads the data.
#[derive(Clone, Copy)]
struct Actions {
    act: ServerAction<AlertAction>,
    rules: ServerAction<SaveAlertRules>,
    channel: ServerAction<SaveAlertChannel>,
    remove: ServerAction<RemoveAlertChannel>,
    test: ServerAction<TestAlertChannel>,
    regress: ServerAction<SimulateRegression>,
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let actions = Actions {
        act: ServerAction::new(),
        rules: ServerAction::new(),
        channel: ServerAction::new(),
        remove: ServerAction::new(),
        test: ServerAction::new(),
        regress: ServerAction::new(),
    };
    let query = use_query_map();
    let focus = Memo::new(move |_| query.with(|q| q.get("alert").and_then(|v| v.trim().parse::<i64>().ok())));
    let data = Resource::new(
        move || {
            (
                focus.get(),
                actions.act.version().get(),
                actions.rules.version().get(),
                actions.channel.version().get(),
                actions.remove.version().get(),
                actions.regress.version().get(),
            )
        },
        |(focus, ..)| get_alerts_page(focus),
    );
    view! {
        <Title text="Alerts"/>
        <div class="page-header">
            <div>
                <h1>"Alerts"</h1>
                <p class="muted">
                    "Evaluated after every sync: score drops, tenants below the baseline, milestones, new Microsoft recommendations, stale data and failing syncs. One alert per episode: it stays open while its condition holds and resolves when it clears."
                </p>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading label="Loading the alerts…"/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <AlertsView data actions/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Shows the first error of any action, the outcome of the last test
/// notice and the outcome of the last simulated regression.
fn feedback(actions: Actions) -> impl IntoView {
    let error = move || {
        actions
            .act
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.rules.value().get().and_then(Result::err))
            .or_else(|| actions.channel.value().get().and_then(Result::err))
            .or_else(|| actions.remove.value().get().and_then(Result::err))
            .or_else(|| actions.test.value().get().and_then(Result::err))
            .or_else(|| actions.regress.value().get().and_then(Result::err))
            .map(|error| view! { <p class="form-message error-text" role="alert" data-test="alerts-error">{error.to_string()}</p> })
    };
    let test = move || {
        actions.test.value().get().and_then(Result::ok).map(|test| {
            let class = if test.ok { "form-message" } else { "form-message error-text" };
            let text = if test.ok { format!("Test notice delivered: {}.", test.detail) } else { format!("Test notice failed: {}.", test.detail) };
            view! { <p class=class role="status" data-test="channel-test-result">{text}</p> }
        })
    };
    let regression = move || {
        actions
            .regress
            .value()
            .get()
            .and_then(Result::ok)
            .map(|message| view! { <p class="form-message" role="status" data-test="regression-result">{message}</p> })
    };
    view! { {error} {test} {regression} }
}

#[component]
fn AlertsView(data: AlertsPageData, actions: Actions) -> impl IntoView {
    let AlertsPageData { open, past, rules, focus, tenants, can_act, can_configure, demo } = data;
    let focused = focus.map(|alert| {
        view! {
            <section class="panel" aria-labelledby="focus-heading" data-test="focused-alert">
                <h2 id="focus-heading">"The alert you opened"</h2>
                <AlertCard alert can_act actions/>
            </section>
        }
    });
    let open_total = open.total;
    let open_drops: Vec<String> = open.items.iter().filter(|a| a.kind == AlertKind::ScoreDrop).map(|a| a.tenant_id.clone()).collect();
    let (mut active, snoozed): (Vec<AlertView>, Vec<AlertView>) = open.items.into_iter().partition(|a| a.snoozed_until.is_none_or(|until| until <= chrono::Utc::now()));
    active.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.opened_at.cmp(&a.opened_at)));
    let open_list = if open_total == 0 {
        view! {
            <p class="muted" data-test="no-open-alerts">
                "No open alerts: every tenant is within its thresholds. Alerts open here after the sync that finds a problem."
            </p>
        }
        .into_any()
    } else {
        let cards = active.into_iter().map(|alert| view! { <AlertCard alert can_act actions/> }).collect_view();
        let snoozed_count = snoozed.len();
        let snoozed_cards = snoozed.into_iter().map(|alert| view! { <AlertCard alert can_act actions/> }).collect_view();
        view! {
            <ul class="alert-list" data-test="open-alerts">{cards}</ul>
            {(snoozed_count > 0).then(|| view! {
                <details class="snoozed-alerts">
                    <summary>{format!("Snoozed ({snoozed_count})")}</summary>
                    <ul class="alert-list">{snoozed_cards}</ul>
                </details>
            })}
        }
        .into_any()
    };
    view! {
        {feedback(actions)}
        {demo.then(|| {
            // Tenants well above the baseline and without an open drop, so
            // the regression opens exactly one alert: the drop.
            let floor = rules.defaults.baseline + 10.0;
            let candidates: Vec<TenantChoice> = tenants
                .iter()
                .filter(|t| t.percentage.is_some_and(|p| p >= floor))
                .filter(|t| !open_drops.contains(&t.tenant_id))
                .cloned()
                .collect();
            view! { <DemoPanel tenants=candidates actions/> }
        })}
        {focused}
        <section class="panel" aria-labelledby="open-heading">
            <h2 id="open-heading">{format!("Open alerts ({open_total})")}</h2>
            {open_list}
        </section>
        <PastAlerts items=past.items total=past.total/>
        <RulesPanel rules=rules.clone() tenants=tenants.clone() can_configure actions/>
        <ChannelsPanel rules can_configure actions/>
    }
}

fn severity_badge(severity: Severity) -> impl IntoView {
    let class = match severity {
        Severity::Critical => "badge badge-error",
        Severity::Warning => "badge badge-warning",
        Severity::Info => "badge badge-info",
    };
    view! { <span class=class data-test="alert-severity">{severity.label()}</span> }
}

#[component]
fn AlertCard(alert: AlertView, can_act: bool, actions: Actions) -> impl IntoView {
    let id = alert.id;
    let href = format!("/tenants/{}", alert.tenant_id);
    let cause = alert.cause.clone().map(|cause| {
        let controls = cause
            .lost_controls
            .iter()
            .map(|c| {
                view! {
                    <li>
                        <code>{c.control_name.clone()}</code>
                        {format!(": {} → {} points", format::points(c.from_score), format::points(c.to_score))}
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="alert-cause" data-test="alert-cause">
                {cause.drift_only.then(|| view! { <p class="muted">"Drift only: Microsoft added controls or raised their maximum; the tenant lost no points."</p> })}
                {(!cause.lost_controls.is_empty()).then(|| view! {
                    <p class="cause-title">"Controls that lost points:"</p>
                    <ul class="lost-controls" data-test="lost-controls">{controls}</ul>
                })}
            </div>
        }
    });
    let deliveries = alert
        .deliveries
        .iter()
        .map(|d| {
            let class = match d.status.as_str() {
                "sent" => "badge badge-ok",
                "failed" => "badge badge-error",
                _ => "badge badge-neutral",
            };
            let title = d.last_error.clone().unwrap_or_default();
            let text = match d.status.as_str() {
                "sent" => format!("{}: sent", d.channel),
                "failed" => format!("{}: failed after {} attempts", d.channel, d.attempts),
                _ if d.attempts > 0 => format!("{}: retrying ({} attempts)", d.channel, d.attempts),
                _ => format!("{}: queued", d.channel),
            };
            view! { <span class=class title=title data-test="delivery">{text}</span> }
        })
        .collect_view();
    let state = match (&alert.acknowledged_by, alert.snoozed_until, alert.resolved_at) {
        (_, _, Some(resolved)) => Some(format!("Resolved {}", format::date_time(resolved))),
        (_, Some(until), _) if until > chrono::Utc::now() => Some(format!("Snoozed until {}", format::date_time(until))),
        (Some(by), _, _) => Some(format!("Acknowledged by {by}")),
        _ => None,
    };
    let open = alert.status == "open";
    let acknowledged = alert.acknowledged_at.is_some();
    let snoozed = alert.snoozed_until.is_some_and(|until| until > chrono::Utc::now());
    let buttons = (can_act && open).then(|| {
        view! {
            <div class="alert-actions">
                {(!acknowledged).then(|| view! {
                    <ActionForm action=actions.act>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="action" value="acknowledge"/>
                        <button type="submit" class="button button-secondary" data-test="acknowledge">"Acknowledge"</button>
                    </ActionForm>
                })}
                {if snoozed {
                    view! {
                        <ActionForm action=actions.act>
                            <input type="hidden" name="id" value=id.to_string()/>
                            <input type="hidden" name="action" value="unsnooze"/>
                            <button type="submit" class="button button-secondary">"Unsnooze"</button>
                        </ActionForm>
                    }
                    .into_any()
                } else {
                    view! {
                        <ActionForm action=actions.act attr:class="inline-form">
                            <input type="hidden" name="id" value=id.to_string()/>
                            <input type="hidden" name="action" value="snooze"/>
                            <label class="visually-hidden" for=format!("snooze-{id}")>"Snooze for"</label>
                            <select id=format!("snooze-{id}") name="hours">
                                <option value="4">"4 hours"</option>
                                <option value="24" selected>"1 day"</option>
                                <option value="168">"7 days"</option>
                            </select>
                            <button type="submit" class="button button-secondary" data-test="snooze">"Snooze"</button>
                        </ActionForm>
                    }
                    .into_any()
                }}
            </div>
        }
    });
    view! {
        <li class="alert-card" class:alert-muted=snoozed id=format!("alert-{id}") data-test="alert" data-kind=alert.kind.as_str() data-tenant=alert.tenant_id.clone()>
            <div class="alert-head">
                {severity_badge(alert.severity)}
                <strong>{alert.type_label.clone()}</strong>
                " · "
                <a href=href>{alert.tenant_name.clone()}</a>
                <span class="muted">{format!(" · opened {}", format::date_time(alert.opened_at))}</span>
                {state.map(|s| view! { <span class="badge badge-neutral">{s}</span> })}
            </div>
            <p data-test="alert-message">{alert.message.clone()}</p>
            {cause}
            {(!alert.deliveries.is_empty()).then(|| view! { <div class="badge-row" aria-label="Notices">{deliveries}</div> })}
            {buttons}
        </li>
    }
}

#[component]
fn PastAlerts(items: Vec<AlertView>, total: u64) -> impl IntoView {
    let rows = items
        .into_iter()
        .map(|alert| {
            view! {
                <tr data-test="past-alert">
                    <td>{severity_badge(alert.severity)}</td>
                    <td>{alert.type_label.clone()}</td>
                    <td><a href=format!("/tenants/{}", alert.tenant_id)>{alert.tenant_name.clone()}</a></td>
                    <td>{alert.message.clone()}</td>
                    <td class="numeric">{format::date_time(alert.opened_at)}</td>
                    <td class="numeric">{alert.resolved_at.map(format::date_time).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel panel-flush" aria-labelledby="past-heading">
            <h2 id="past-heading" class="panel-title">{format!("Past alerts ({total})")}</h2>
            {if total == 0 {
                view! { <p class="muted panel-body">"No alert has resolved yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="data-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Severity"</th>
                                    <th scope="col">"Alert"</th>
                                    <th scope="col">"Tenant"</th>
                                    <th scope="col">"Message"</th>
                                    <th scope="col" class="numeric">"Opened"</th>
                                    <th scope="col" class="numeric">"Resolved"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <p class="muted panel-body">"The newest 50 are shown; GET alerts?status=resolved pages through all of them."</p>
                }
                .into_any()
            }}
        </section>
    }
}

fn thresholds_text(t: &Thresholds) -> Vec<(&'static str, String)> {
    let off: Vec<&str> = t.disabled_types.iter().map(|k| k.label()).collect();
    vec![
        ("Score drop", format!("{} points within {} days", format::points(t.drop_points), t.drop_days)),
        ("Baseline", format::percent(t.baseline)),
        ("Milestones", t.milestones.iter().map(|m| format::percent(*m)).collect::<Vec<_>>().join(", ")),
        ("Stale data", format!("after {} hours without a new snapshot", t.stale_hours)),
        ("Sync failing", format!("after {} failed syncs in a row", t.failed_syncs)),
        ("Switched off", if off.is_empty() { "none".to_owned() } else { off.join(", ") }),
    ]
}

/// Renders the rule fields, shared by the defaults form and the override form.
fn rule_fields(prefix: &'static str, placeholder: &Thresholds, with_types: bool) -> impl IntoView {
    let milestone_hint = placeholder.milestones.iter().map(|m| format::points(*m)).collect::<Vec<_>>().join(", ");
    let boxes = AlertKind::ALL
        .into_iter()
        .map(|kind| {
            let checked = !placeholder.disabled_types.contains(&kind);
            view! {
                <label class="checkbox">
                    <input type="checkbox" name=format!("types[{}]", kind.as_str()) value="on" checked=checked/>
                    {kind.label()}
                </label>
            }
        })
        .collect_view();
    view! {
        <div class="form-grid">
            <label for=format!("{prefix}-drop-points")>"Drop (points)"</label>
            <input id=format!("{prefix}-drop-points") name="drop_points" inputmode="decimal" placeholder=format::points(placeholder.drop_points)/>
            <label for=format!("{prefix}-drop-days")>"Within (days)"</label>
            <input id=format!("{prefix}-drop-days") name="drop_days" inputmode="numeric" placeholder=placeholder.drop_days.to_string()/>
            <label for=format!("{prefix}-baseline")>"Baseline (%)"</label>
            <input id=format!("{prefix}-baseline") name="baseline" inputmode="decimal" placeholder=format::points(placeholder.baseline)/>
            <label for=format!("{prefix}-milestones")>"Milestones (%)"</label>
            <input id=format!("{prefix}-milestones") name="milestones" placeholder=milestone_hint/>
            <label for=format!("{prefix}-stale")>"Stale after (hours)"</label>
            <input id=format!("{prefix}-stale") name="stale_hours" inputmode="numeric" placeholder=placeholder.stale_hours.to_string()/>
            <label for=format!("{prefix}-failed")>"Failed syncs in a row"</label>
            <input id=format!("{prefix}-failed") name="failed_syncs" inputmode="numeric" placeholder=placeholder.failed_syncs.to_string()/>
        </div>
        {with_types.then(|| view! {
            <input type="hidden" name="types_given" value="on"/>
            <fieldset class="checkbox-row">
                <legend>"Alert types switched on"</legend>
                {boxes}
            </fieldset>
        })}
    }
}

#[component]
fn RulesPanel(rules: AlertRules, tenants: Vec<TenantChoice>, can_configure: bool, actions: Actions) -> impl IntoView {
    let defaults = rules.defaults.clone();
    let override_defaults = rules.defaults.clone();
    let facts = thresholds_text(&defaults)
        .into_iter()
        .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
        .collect_view();
    let overrides = rules
        .tenant_overrides
        .iter()
        .map(|o: &TenantRules| {
            let summary = thresholds_text(&o.effective).into_iter().map(|(l, v)| format!("{l}: {v}")).collect::<Vec<_>>().join("; ");
            let tenant_id = o.tenant_id.clone();
            view! {
                <tr data-test="override-row">
                    <th scope="row">{o.display_name.clone()}</th>
                    <td>{summary}</td>
                    {can_configure.then(|| view! {
                        <td>
                            <ActionForm action=actions.rules>
                                <input type="hidden" name="tenant_id" value=tenant_id/>
                                {["drop_points", "drop_days", "baseline", "milestones", "stale_hours", "failed_syncs"].map(|n| view! { <input type="hidden" name=n value=""/> })}
                                <input type="hidden" name="clear" value="on"/>
                                <button type="submit" class="button button-secondary">"Remove override"</button>
                            </ActionForm>
                        </td>
                    })}
                </tr>
            }
        })
        .collect_view();
    let tenant_options = tenants
        .into_iter()
        .map(|t| view! { <option value=t.tenant_id>{t.display_name}</option> })
        .collect_view();
    let has_overrides = !rules.tenant_overrides.is_empty();
    view! {
        <section class="panel" aria-labelledby="rules-heading" data-test="rules-panel">
            <h2 id="rules-heading">"Rules"</h2>
            <p class="muted">
                "Portfolio defaults apply to every tenant without an override. A drop is measured from the best day of the window to the latest snapshot; a drop caused only by Microsoft raising the maximum score is reported as drift, at Info severity."
            </p>
            <dl class="facts" data-test="rule-defaults">{facts}</dl>
            {can_configure.then(|| view! {
                <ActionForm action=actions.rules attr:class="stacked-form" attr:data-test="defaults-form">
                    <h3>"Change the portfolio defaults"</h3>
                    <p class="muted">"Empty fields keep their current value."</p>
                    <input type="hidden" name="tenant_id" value=""/>
                    {rule_fields("defaults", &defaults, true)}
                    <button type="submit" class="button button-primary">"Save defaults"</button>
                </ActionForm>
            })}
            <h3>"Tenant overrides"</h3>
            {if has_overrides {
                view! {
                    <div class="table-scroll">
                        <table class="data-table">
                            <thead><tr><th scope="col">"Tenant"</th><th scope="col">"Thresholds in force"</th>{can_configure.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}</tr></thead>
                            <tbody>{overrides}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            } else {
                view! { <p class="muted">"No tenant has its own thresholds."</p> }.into_any()
            }}
            {can_configure.then(|| view! {
                <ActionForm action=actions.rules attr:class="stacked-form" attr:data-test="override-form">
                    <h3>"Set a tenant's thresholds"</h3>
                    <p class="muted">"Fill in only what differs from the defaults; the rest is inherited."</p>
                    <label for="override-tenant">"Tenant"</label>
                    <select id="override-tenant" name="tenant_id" required>{tenant_options}</select>
                    {rule_fields("override", &override_defaults, false)}
                    <button type="submit" class="button button-primary">"Save override"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn ChannelsPanel(rules: AlertRules, can_configure: bool, actions: Actions) -> impl IntoView {
    let rows = rules.channels.into_iter().map(|channel| view! { <ChannelRow channel can_configure actions/> }).collect_view();
    let boxes = AlertKind::ALL
        .into_iter()
        .map(|kind| {
            view! {
                <label class="checkbox">
                    <input type="checkbox" name=format!("types[{}]", kind.as_str()) value="on" checked=true/>
                    {kind.label()}
                </label>
            }
        })
        .collect_view();
    let kinds = ChannelKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view();
    view! {
        <section class="panel" aria-labelledby="channels-heading" data-test="channels-panel">
            <h2 id="channels-heading">"Notification channels"</h2>
            <p class="muted">
                "Each new alert is sent once to every enabled channel that takes its type, tenant and severity. A failed notice is retried after 30 seconds, 2, 10 and 30 minutes and 2 hours; every attempt is recorded."
                {(!rules.email_configured).then_some(" E-mail channels need SMTP_HOST and SMTP_FROM in the server's configuration.")}
            </p>
            <div class="table-scroll">
                <table class="data-table" data-test="channels-table">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Target"</th>
                            <th scope="col">"Receives"</th>
                            {can_configure.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {can_configure.then(|| view! {
                <ActionForm action=actions.channel attr:class="stacked-form" attr:data-test="channel-form">
                    <h3>"Add or change a channel"</h3>
                    <p class="muted">"A channel with the same name is changed; empty URL, recipients and secret keep the stored values."</p>
                    <div class="form-grid">
                        <label for="channel-name">"Name"</label>
                        <input id="channel-name" name="name" required maxlength="100" placeholder="SOC Teams"/>
                        <label for="channel-kind">"Type"</label>
                        <select id="channel-kind" name="kind">{kinds}</select>
                        <label for="channel-url">"Webhook URL (Teams, Slack, webhook)"</label>
                        <input id="channel-url" name="url" type="url" placeholder="https://"/>
                        <label for="channel-recipients">"Recipients (e-mail, comma-separated)"</label>
                        <input id="channel-recipients" name="recipients" placeholder="soc@msp.example"/>
                        <label for="channel-secret">"Signing secret (webhook, 16+ characters)"</label>
                        <input id="channel-secret" name="secret" type="password" autocomplete="new-password"/>
                        <label for="channel-severity">"Least severity sent"</label>
                        <select id="channel-severity" name="min_severity">
                            <option value="info">"Info"</option>
                            <option value="warning">"Warning"</option>
                            <option value="critical">"Critical"</option>
                        </select>
                        <label for="channel-tenants">"Only these tenants (ids, comma-separated; empty: all)"</label>
                        <input id="channel-tenants" name="tenant_ids"/>
                    </div>
                    <fieldset class="checkbox-row">
                        <legend>"Alert types sent"</legend>
                        {boxes}
                    </fieldset>
                    <button type="submit" class="button button-primary">"Save channel"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn ChannelRow(channel: ChannelView, can_configure: bool, actions: Actions) -> impl IntoView {
    let types = if channel.alert_types.is_empty() {
        "All types".to_owned()
    } else {
        channel.alert_types.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")
    };
    let tenants = if channel.tenant_ids.is_empty() { "all tenants".to_owned() } else { format!("{} tenants", channel.tenant_ids.len()) };
    let receives = format!("{types}; {tenants}; {} and above", channel.min_severity.label());
    let name = channel.name.clone();
    let test_name = channel.name.clone();
    view! {
        <tr data-test="channel-row" data-name=channel.name.clone()>
            <th scope="row">{channel.name.clone()}{(!channel.enabled).then(|| view! { " " <span class="badge badge-neutral">"Disabled"</span> })}</th>
            <td>{channel.kind.label()}</td>
            <td><code>{channel.target.clone()}</code></td>
            <td>{receives}</td>
            {can_configure.then(|| view! {
                <td class="row-actions">
                    <button
                        type="button"
                        class="button button-secondary"
                        data-test="channel-test"
                        on:click=move |_| {
                            actions.test.dispatch(TestAlertChannel { name: test_name.clone() });
                        }
                    >
                        "Send test"
                    </button>
                    <ActionForm action=actions.remove>
                        <input type="hidden" name="name" value=name/>
                        <button type="submit" class="button button-secondary">"Remove"</button>
                    </ActionForm>
                </td>
            })}
        </tr>
    }
}

#[component]
fn DemoPanel(tenants: Vec<TenantChoice>, actions: Actions) -> impl IntoView {
    let options = tenants
        .into_iter()
        .map(|t| {
            let label = format!("{} ({})", t.display_name, format::percent_or_missing(t.percentage));
            view! { <option value=t.tenant_id>{label}</option> }
        })
        .collect_view();
    view! {
        <section class="panel demo-panel" aria-labelledby="demo-alerts-heading" data-test="demo-regression">
            <h2 id="demo-alerts-heading">"Try it: simulate a regression"</h2>
            <p class="muted">
                "Demo only. The simulator switches off some of the tenant's best controls today (6 to 9 points) and a sync starts. When it ends, one Score drop alert opens here with its cause, and one e-mail and one signed webhook land in data/demo-outbox/. Syncing the same data again opens nothing new for it. The list holds tenants at least 10 points above the baseline with no open drop. The demo tenant without consent fails every sync, so its Sync failing alert opens at the third sync."
            </p>
            <ActionForm action=actions.regress attr:class="inline-form">
                <label for="regress-tenant">"Tenant"</label>
                <select id="regress-tenant" name="tenant_id">{options}</select>
                <button type="submit" class="button button-primary" data-test="simulate-regression">"Simulate a regression"</button>
            </ActionForm>
        </section>
    }
}
