//! Server functions of the alerts page: open and past alerts, acknowledge
//! and snooze, the rule editor, channels, and the demo's simulated
//! regression. They call the same backend functions as `alerts` in the REST
//! API.

use domain::alerts::{AlertPage, AlertRules, AlertView, ChannelTest};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::ssr::require;
#[cfg(feature = "ssr")]
use crate::error::ssr::{app_context, reject};
#[cfg(feature = "ssr")]
use domain::access::Permission;

/// The page that plain form posts return to.
pub const ALERTS_PAGE: &str = "/alerts";
/// Past alerts shown on the page; the REST API pages through all of them.
pub const PAST_ON_PAGE: u64 = 50;

/// A tenant for the page's selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantChoice {
    pub tenant_id: String,
    pub display_name: String,
    /// The latest percentage; `None` without data.
    pub percentage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsPageData {
    pub open: AlertPage,
    pub past: AlertPage,
    pub rules: AlertRules,
    /// The alert a notice linked to (`?alert=ID`), open or resolved.
    pub focus: Option<AlertView>,
    pub tenants: Vec<TenantChoice>,
    /// Analysts and admins acknowledge and snooze.
    pub can_act: bool,
    /// Admins edit rules and channels.
    pub can_configure: bool,
    /// Demo mode: the page offers a simulated regression.
    pub demo: bool,
}

#[server(endpoint = "alerts_page")]
pub async fn get_alerts_page(focus: Option<i64>) -> Result<AlertsPageData, AppError> {
    use backend::alerts::{AlertQuery, AlertStatusFilter};

    let principal = require(Permission::Read)?;
    let ctx = app_context()?;
    let open = backend::alerts::list(&ctx.db, &AlertQuery { status: AlertStatusFilter::Open, page_size: 500, ..Default::default() })
        .await
        .map_err(reject)?;
    let past = backend::alerts::list(&ctx.db, &AlertQuery { status: AlertStatusFilter::Resolved, page_size: PAST_ON_PAGE, ..Default::default() })
        .await
        .map_err(reject)?;
    let email = ctx.alerts.as_ref().is_some_and(|n| n.email_configured());
    let rules = backend::alerts::rules(&ctx.db, email).await.map_err(reject)?;
    let focus = match focus {
        Some(id) => backend::alerts::get(&ctx.db, id).await.ok(),
        None => None,
    };
    let tenants = backend::store::tenants::list(&ctx.db)
        .await
        .map_err(reject)?
        .into_iter()
        .map(|t| TenantChoice { tenant_id: t.tenant_id, display_name: t.display_name, percentage: t.percentage })
        .collect();
    Ok(AlertsPageData {
        open,
        past,
        rules,
        focus,
        tenants,
        can_act: principal.allows(Permission::ChangeStatus),
        can_configure: principal.allows(Permission::Admin),
        demo: ctx.demo && ctx.demo_sim_url.is_some(),
    })
}

/// Acknowledges (`acknowledge`), snoozes (`snooze`, with `hours`) or
/// unsnoozes (`unsnooze`) an open alert. Analysts and admins; audited.
#[server(endpoint = "alert_action")]
pub async fn alert_action(id: i64, action: String, hours: Option<u32>) -> Result<AlertView, AppError> {
    use leptos::server_fn::ServerFn;

    let result = async {
        let principal = require(Permission::ChangeStatus)?;
        let ctx = app_context()?;
        let action = backend::alerts::AlertAction::parse(&action, hours).map_err(reject)?;
        let actor = backend::analytics::Actor { actor: principal.actor(), source_ip: crate::http::client_ip() };
        backend::alerts::act(&ctx.db, id, action, &actor, chrono::Utc::now()).await.map_err(reject)
    }
    .await;
    crate::http::finish_form_post(AlertAction::PATH, ALERTS_PAGE, result)
}

/// Returns the error for a server without its secret key, where channels
/// cannot be sealed. Only tests build such a server.
#[cfg(feature = "ssr")]
fn alerts_unavailable() -> AppError {
    reject(AppError::internal("alert configuration needs the server's secret key, and this server has none"))
}

/// Parses an optional number typed into a form; empty means "inherit".
#[cfg(feature = "ssr")]
fn form_number<T: std::str::FromStr>(label: &str, raw: &str, hint: &str) -> Result<Option<T>, AppError> {
    let text = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<T>()
        .map(Some)
        .map_err(|_| reject(AppError::BadRequest(format!("{label} '{}' is not a number: {hint}", raw.trim()))))
}

/// Converts the rule fields of a form, checked by the same rules as `POST alerts`.
#[cfg(feature = "ssr")]
fn threshold_input(form: &RuleForm) -> Result<domain::alerts::ThresholdInput, AppError> {
    use domain::alerts::AlertKind;

    let milestones = match form.milestones.trim() {
        "" => None,
        text => {
            let mut list = Vec::new();
            for part in text.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
                list.push(form_number::<f64>("Milestones", part, "list percentages separated by commas, such as 80, 90.")?.unwrap_or_default());
            }
            Some(list)
        }
    };
    let disabled_types = form.types_given.then(|| {
        AlertKind::ALL.into_iter().filter(|k| !form.enabled.contains(&k.as_str().to_owned())).map(|k| k.as_str().to_owned()).collect()
    });
    Ok(domain::alerts::ThresholdInput {
        drop_points: form_number("Drop points", &form.drop_points, "enter points from 0.1 to 100, such as 5.")?,
        drop_days: form_number("Drop window", &form.drop_days, "enter whole days from 1 to 90, such as 7.")?,
        baseline: form_number("Baseline", &form.baseline, "enter a percentage from 0 to 100, such as 60.")?,
        milestones,
        stale_hours: form_number("Stale after", &form.stale_hours, "enter whole hours from 1 to 720, such as 48.")?,
        failed_syncs: form_number("Failed syncs", &form.failed_syncs, "enter a whole number from 1 to 50, such as 3.")?,
        disabled_types,
    })
}

/// The fields of the rule forms, as text.
#[cfg(feature = "ssr")]
struct RuleForm {
    drop_points: String,
    drop_days: String,
    baseline: String,
    milestones: String,
    stale_hours: String,
    failed_syncs: String,
    /// Whether the form had the alert-type checkboxes.
    types_given: bool,
    enabled: Vec<String>,
}

/// The ticked alert-type checkboxes, one optional field per type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TypeBoxes {
    pub score_drop: Option<String>,
    pub below_baseline: Option<String>,
    pub milestone_reached: Option<String>,
    pub new_recommendation: Option<String>,
    pub stale_data: Option<String>,
    pub sync_failing: Option<String>,
}

impl TypeBoxes {
    pub fn ticked(&self) -> Vec<String> {
        [
            ("score_drop", &self.score_drop),
            ("below_baseline", &self.below_baseline),
            ("milestone_reached", &self.milestone_reached),
            ("new_recommendation", &self.new_recommendation),
            ("stale_data", &self.stale_data),
            ("sync_failing", &self.sync_failing),
        ]
        .into_iter()
        .filter(|(_, v)| v.as_deref().is_some_and(|v| !v.is_empty()))
        .map(|(k, _)| k.to_owned())
        .collect()
    }
}

/// Saves the portfolio thresholds (empty fields keep their values) and,
/// with `tenant_id`, a tenant's overrides instead; `clear` removes the
/// tenant's overrides. Admins only; audited.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "save_alert_rules")]
pub async fn save_alert_rules(
    tenant_id: String,
    drop_points: String,
    drop_days: String,
    baseline: String,
    milestones: String,
    stale_hours: String,
    failed_syncs: String,
    types_given: Option<String>,
    types: Option<TypeBoxes>,
    clear: Option<String>,
) -> Result<AlertRules, AppError> {
    use domain::alerts::{AlertConfigInput, TenantOverrideInput};
    use leptos::server_fn::ServerFn;

    let result = async {
        let principal = require(Permission::Admin)?;
        let ctx = app_context()?;
        let notifier = ctx.alerts.as_ref().ok_or_else(alerts_unavailable)?;
        let form = RuleForm {
            drop_points,
            drop_days,
            baseline,
            milestones,
            stale_hours,
            failed_syncs,
            types_given: types_given.is_some(),
            enabled: types.unwrap_or_default().ticked(),
        };
        let thresholds = threshold_input(&form)?;
        let input = if tenant_id.trim().is_empty() {
            AlertConfigInput { defaults: Some(thresholds), ..Default::default() }
        } else {
            let thresholds = if clear.is_some() { None } else { Some(thresholds) };
            AlertConfigInput { tenant_overrides: vec![TenantOverrideInput { tenant_id: tenant_id.trim().to_owned(), thresholds }], ..Default::default() }
        };
        let actor = backend::analytics::Actor { actor: principal.actor(), source_ip: crate::http::client_ip() };
        backend::alerts::configure(&ctx.db, notifier.key(), input, &actor, notifier.email_configured(), chrono::Utc::now())
            .await
            .map_err(reject)
    }
    .await;
    crate::http::finish_form_post(SaveAlertRules::PATH, ALERTS_PAGE, result)
}

/// Creates a channel, or changes the one of that name (an empty URL,
/// recipients or secret field keeps the stored value). Admins only; audited.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "save_alert_channel")]
pub async fn save_alert_channel(
    name: String,
    kind: String,
    url: String,
    recipients: String,
    secret: String,
    min_severity: String,
    tenant_ids: String,
    types: Option<TypeBoxes>,
) -> Result<AlertRules, AppError> {
    use domain::alerts::{AlertConfigInput, ChannelInput};
    use leptos::server_fn::ServerFn;

    let result = async {
        let principal = require(Permission::Admin)?;
        let ctx = app_context()?;
        let notifier = ctx.alerts.as_ref().ok_or_else(alerts_unavailable)?;
        let list = |text: &str| -> Option<Vec<String>> {
            let items: Vec<String> = text.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
            (!items.is_empty()).then_some(items)
        };
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let ticked = types.unwrap_or_default().ticked();
        let channel = ChannelInput {
            name,
            kind: text(&kind),
            url: text(&url),
            recipients: list(&recipients),
            secret: text(&secret),
            // No box ticked means every type, as in the API.
            alert_types: Some(if ticked.len() == domain::alerts::AlertKind::ALL.len() { Vec::new() } else { ticked }),
            tenant_ids: Some(list(&tenant_ids).unwrap_or_default()),
            min_severity: text(&min_severity),
            enabled: Some(true),
        };
        let actor = backend::analytics::Actor { actor: principal.actor(), source_ip: crate::http::client_ip() };
        let input = AlertConfigInput { channels: vec![channel], ..Default::default() };
        backend::alerts::configure(&ctx.db, notifier.key(), input, &actor, notifier.email_configured(), chrono::Utc::now())
            .await
            .map_err(reject)
    }
    .await;
    crate::http::finish_form_post(SaveAlertChannel::PATH, ALERTS_PAGE, result)
}

/// Deletes a channel by name. Admins only; audited.
#[server(endpoint = "remove_alert_channel")]
pub async fn remove_alert_channel(name: String) -> Result<AlertRules, AppError> {
    use domain::alerts::AlertConfigInput;
    use leptos::server_fn::ServerFn;

    let result = async {
        let principal = require(Permission::Admin)?;
        let ctx = app_context()?;
        let notifier = ctx.alerts.as_ref().ok_or_else(alerts_unavailable)?;
        let actor = backend::analytics::Actor { actor: principal.actor(), source_ip: crate::http::client_ip() };
        let input = AlertConfigInput { remove_channels: vec![name], ..Default::default() };
        backend::alerts::configure(&ctx.db, notifier.key(), input, &actor, notifier.email_configured(), chrono::Utc::now())
            .await
            .map_err(reject)
    }
    .await;
    crate::http::finish_form_post(RemoveAlertChannel::PATH, ALERTS_PAGE, result)
}

/// Sends a test notice through a channel. Admins only.
#[server(endpoint = "test_alert_channel")]
pub async fn test_alert_channel(name: String) -> Result<ChannelTest, AppError> {
    require(Permission::Admin)?;
    let ctx = app_context()?;
    let notifier = ctx.alerts.as_ref().ok_or_else(alerts_unavailable)?;
    backend::alerts::test_channel(&ctx.db, notifier, &name, chrono::Utc::now()).await.map_err(reject)
}

/// Demo mode only: makes the simulator zero a tenant's best controls today
/// and starts a sync, which finds the drop and opens an alert. Admins only.
#[server(endpoint = "simulate_regression")]
pub async fn simulate_regression(tenant_id: String) -> Result<String, AppError> {
    use leptos::server_fn::ServerFn;

    let result = async {
        require(Permission::Admin)?;
        let ctx = app_context()?;
        let Some(sim) = ctx.demo_sim_url.as_ref().filter(|_| ctx.demo) else {
            return Err(reject(AppError::BadRequest("A simulated regression exists only in demo mode.".to_owned())));
        };
        let id = domain::TenantId::parse(&tenant_id).map_err(|e| reject(AppError::BadRequest(e.to_string())))?;
        let controls = backend::sim::request_regression(sim, &id).await.map_err(reject)?;
        ctx.sync.start(backend::sync::SyncTrigger::Manual).await.map_err(reject)?;
        Ok(format!("The simulator zeroed {} today; a sync has started and the alert appears when it ends.", controls.join(", ")))
    }
    .await;
    crate::http::finish_form_post(SimulateRegression::PATH, ALERTS_PAGE, result)
}
