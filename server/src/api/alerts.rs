//! `GET alerts` (open and past alerts), `POST alerts` (thresholds and
//! channels), `GET alerts/rules`, one alert, acknowledging and snoozing it,
//! and a test notice per channel.

use axum::extract::{Path, Request, State};
use axum::Json;
use domain::access::Permission;
use domain::alerts::{AlertActionInput, AlertConfigInput, AlertKind, AlertPage, AlertRules, AlertView, ChannelTest};
use domain::TenantId;
use serde::de::DeserializeOwned;

use super::benchmarks::actor_of;
use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::auth::{forbidden, principal_of};
use crate::state::AppState;

/// Largest configuration document accepted.
const MAX_BODY_BYTES: usize = 256 * 1024;

fn notifier(state: &AppState) -> Result<&backend::alerts::Notifier, ApiError> {
    state.ctx.alerts.as_ref().ok_or_else(|| {
        tracing::error!("alert configuration was requested, but this server runs without its secret key");
        ApiError::internal()
    })
}

async fn read_json<T: DeserializeOwned>(request: Request, example: &str) -> Result<T, ApiError> {
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::bad_request(format!("the request body is larger than {MAX_BODY_BYTES} bytes")))?;
    serde_json::from_slice(&body)
        .map_err(|err| ApiError::bad_request(format!("the request body could not be read ({err}): send JSON like {example}")))
}

fn alert_id(raw: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad_request(format!("alert id '{}' is invalid: use the numeric id from GET alerts", raw.chars().take(40).collect::<String>())))
}

/// Alerts, newest first: open ones by default, or resolved ones, or all.
/// Each has its cause (for drops: the snapshots compared, lost points
/// against maximum-score drift, the controls that lost points) and the
/// delivery of its notices per channel.
#[utoipa::path(
    get,
    path = "/alerts",
    tag = "alerts",
    params(
        ("status" = Option<String>, Query, description = "open (default), resolved or all"),
        ("tenant" = Option<String>, Query, description = "Only this tenant's alerts (tenant id)"),
        ("type" = Option<String>, Query, description = "score_drop, below_baseline, milestone_reached, new_recommendation, stale_data or sync_failing"),
        ("page" = Option<u32>, Query, description = "Page number, from 1 (default 1)"),
        ("pageSize" = Option<u32>, Query, description = "Rows per page, 1-500 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of alerts", body = AlertPage),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 404, description = "Unknown tenant", body = ErrorBody),
    )
)]
pub async fn list_alerts(State(state): State<AppState>, params: QueryParams) -> Result<Json<AlertPage>, ApiError> {
    params.allow_only(&["status", "tenant", "type", "page", "pageSize"])?;
    let status = match params.text("status") {
        None => backend::alerts::AlertStatusFilter::Open,
        Some(raw) => backend::alerts::AlertStatusFilter::parse(raw)
            .ok_or_else(|| ApiError::bad_request(format!("status '{raw}' is invalid: use open, resolved or all")))?,
    };
    let kind = match params.text("type") {
        None => None,
        Some(raw) => Some(AlertKind::parse(raw).ok_or_else(|| {
            ApiError::bad_request(format!("type '{raw}' is not an alert type: use one of {}", AlertKind::names()))
        })?),
    };
    let tenant = match params.text("tenant") {
        None => None,
        Some(raw) => Some(TenantId::parse(raw).map_err(|e| ApiError::bad_request(format!("tenant: {e}")))?),
    };
    let query = backend::alerts::AlertQuery {
        status,
        tenant,
        kind,
        page: u64::from(params.number("page", 1, 1, 1_000_000)?),
        page_size: u64::from(params.number("pageSize", 50, 1, 500)?),
    };
    Ok(Json(backend::alerts::list(&state.ctx.db, &query).await?))
}

/// Configures the rules and channels. Every part is optional.
/// `defaults` changes the portfolio thresholds, and fields left out keep
/// their values. `tenantOverrides` sets a tenant's own thresholds, or
/// removes them with `"thresholds": null`. `channels` creates a channel or
/// changes the one of that name, and `removeChannels` deletes channels by
/// name. The whole document is checked first, so a rejected one changes
/// nothing. Admin role or admin token; every change is audited.
#[utoipa::path(
    post,
    path = "/alerts",
    tag = "alerts",
    request_body = AlertConfigInput,
    responses(
        (status = 200, description = "The configuration after the change", body = AlertRules),
        (status = 400, description = "Invalid value; the message names the field", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn configure_alerts(State(state): State<AppState>, request: Request) -> Result<Json<AlertRules>, ApiError> {
    let principal = principal_of(&request);
    if !principal.allows(Permission::Admin) {
        return Err(forbidden(Permission::Admin));
    }
    let actor = actor_of(&request, &principal);
    let input: AlertConfigInput = read_json(
        request,
        r#"{"defaults": {"dropPoints": 5, "dropDays": 7, "baseline": 60, "milestones": [80, 90]}, "channels": [{"name": "SOC Teams", "type": "teams", "url": "https://..."}]}"#,
    )
    .await?;
    let notifier = notifier(&state)?;
    let rules = backend::alerts::configure(&state.ctx.db, notifier.key(), input, &actor, notifier.email_configured(), chrono::Utc::now()).await?;
    Ok(Json(rules))
}

/// The thresholds in force (portfolio defaults and each tenant's
/// overrides) and the channels, with what each receives. Webhook URLs and
/// secrets are never returned, only the scheme and host.
#[utoipa::path(
    get,
    path = "/alerts/rules",
    tag = "alerts",
    responses(
        (status = 200, description = "Rules and channels", body = AlertRules),
        (status = 401, description = "No valid credential", body = ErrorBody),
    )
)]
pub async fn get_rules(State(state): State<AppState>, params: QueryParams) -> Result<Json<AlertRules>, ApiError> {
    params.allow_only(&[])?;
    let email = state.ctx.alerts.as_ref().is_some_and(|n| n.email_configured());
    Ok(Json(backend::alerts::rules(&state.ctx.db, email).await?))
}

/// One alert with its cause and deliveries.
#[utoipa::path(
    get,
    path = "/alerts/{id}",
    tag = "alerts",
    params(("id" = i64, Path, description = "Alert id")),
    responses(
        (status = 200, description = "The alert", body = AlertView),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 404, description = "No such alert", body = ErrorBody),
    )
)]
pub async fn get_alert(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<AlertView>, ApiError> {
    Ok(Json(backend::alerts::get(&state.ctx.db, alert_id(&id)?).await?))
}

/// Acknowledges, snoozes (`hours`: 1-720) or unsnoozes an open alert.
/// Analyst or admin role, or a token with status rights; audited.
#[utoipa::path(
    post,
    path = "/alerts/{id}/action",
    tag = "alerts",
    params(("id" = i64, Path, description = "Alert id")),
    request_body = AlertActionInput,
    responses(
        (status = 200, description = "The alert after the action", body = AlertView),
        (status = 400, description = "Invalid action or hours", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not allowed to change alerts", body = ErrorBody),
        (status = 404, description = "No such alert", body = ErrorBody),
        (status = 409, description = "The alert is already resolved", body = ErrorBody),
    )
)]
pub async fn act_on_alert(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Result<Json<AlertView>, ApiError> {
    let principal = principal_of(&request);
    if !principal.allows(Permission::ChangeStatus) {
        return Err(forbidden(Permission::ChangeStatus));
    }
    let id = alert_id(&id)?;
    let actor = actor_of(&request, &principal);
    let input: AlertActionInput = read_json(request, r#"{"action": "snooze", "hours": 24}"#).await?;
    let action = backend::alerts::AlertAction::parse(&input.action, input.hours)?;
    Ok(Json(backend::alerts::act(&state.ctx.db, id, action, &actor, chrono::Utc::now()).await?))
}

/// Sends a test notice through a channel now and returns the channel's
/// reply (`ok` false with the reason when the channel rejected it). Admin only.
#[utoipa::path(
    post,
    path = "/alerts/channels/{name}/test",
    tag = "alerts",
    params(("name" = String, Path, description = "Channel name")),
    responses(
        (status = 200, description = "The channel's reply", body = ChannelTest),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such channel", body = ErrorBody),
    )
)]
pub async fn test_channel(State(state): State<AppState>, Path(name): Path<String>, request: Request) -> Result<Json<ChannelTest>, ApiError> {
    let principal = principal_of(&request);
    if !principal.allows(Permission::Admin) {
        return Err(forbidden(Permission::Admin));
    }
    let notifier = notifier(&state)?;
    Ok(Json(backend::alerts::test_channel(&state.ctx.db, notifier, &name, chrono::Utc::now()).await?))
}
