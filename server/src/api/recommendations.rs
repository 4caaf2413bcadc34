//! `GET recommendations`, and the status of an action per tenant:
//! `GET` and `PUT recommendations/{id}/status`.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::access::Permission;
use domain::recommendations::{check_status_request, ActionDetail, RecommendationPage, Status, StatusRequest, Tag, TenantOutcome};
use domain::TenantId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::auth::{forbidden, principal_of};
use crate::state::AppState;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// Largest request body of a status change.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// Improvement actions across the portfolio, best impact-to-effort ratio
/// first. Each has the points available, the affected tenants, the
/// projected rise of the portfolio average, the effort, a tag and the
/// tenants per status. Deprecated actions, actions at full score and
/// risk-accepted ones are left out.
#[utoipa::path(
    get,
    path = "/recommendations",
    tag = "recommendations",
    params(
        ("category" = Option<String>, Query, description = "Identity, Data, Device, Apps or Infrastructure (case-insensitive)"),
        ("tag" = Option<String>, Query, description = "quick_win, high_impact or strategic"),
        ("tenant" = Option<String>, Query, description = "Only actions open in this tenant (tenant id)"),
        ("status" = Option<String>, Query, description = "Only actions with a tenant in this status: not_started, planned, in_progress, completed or risk_accepted"),
        ("framework" = Option<String>, Query, description = "Only actions that support a control of this framework: soc2, hipaa, cmmc2, nist800171, nist80053, iso27001 or cis_m365"),
        ("page" = Option<u32>, Query, description = "Page number, from 1 (default 1)"),
        ("pageSize" = Option<u32>, Query, description = "Rows per page, 1-500 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of ranked actions", body = RecommendationPage),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 404, description = "Unknown tenant", body = ErrorBody),
    )
)]
pub async fn list_recommendations(State(state): State<AppState>, params: QueryParams) -> Result<Json<RecommendationPage>, ApiError> {
    params.allow_only(&["category", "tag", "tenant", "status", "framework", "page", "pageSize"])?;
    let page = params.number("page", 1, 1, 1_000_000)?;
    let page_size = params.number("pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)?;
    let tag = match params.text("tag") {
        None => None,
        Some(raw) => Some(Tag::parse(raw).ok_or_else(|| {
            ApiError::bad_request(format!("tag '{raw}' is invalid: use quick_win, high_impact or strategic"))
        })?),
    };
    let status = match params.text("status") {
        None => None,
        Some(raw) => Some(Status::parse(raw).ok_or_else(|| {
            ApiError::bad_request(format!(
                "status '{raw}' is invalid: use not_started, planned, in_progress, completed or risk_accepted"
            ))
        })?),
    };
    let tenant = match params.text("tenant") {
        None => None,
        Some(raw) => Some(TenantId::parse(raw).map_err(|e| ApiError::bad_request(e.to_string()))?),
    };
    let framework = match params.text("framework") {
        None => None,
        Some(raw) => Some(domain::compliance::Framework::parse(raw).ok_or_else(|| {
            ApiError::bad_request(format!("framework '{raw}' is invalid: use soc2, hipaa, cmmc2, nist800171, nist80053, iso27001 or cis_m365"))
        })?),
    };
    let filters = backend::recommendations::Filters { category: params.text("category").map(str::to_owned), tag, tenant, status, framework };
    Ok(Json(backend::recommendations::list(&state.ctx.db, &filters, page, page_size).await?))
}

/// One action with every tenant it concerns (points available, status,
/// target date, justification, who changed it and when) and its history.
#[utoipa::path(
    get,
    path = "/recommendations/{id}/status",
    tag = "recommendations",
    params(("id" = String, Path, description = "Action id from GET recommendations (the control profile id)")),
    responses(
        (status = 200, description = "The action's tenants and history", body = ActionDetail),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 404, description = "Unknown action", body = ErrorBody),
    )
)]
pub async fn get_status(State(state): State<AppState>, Path(id): Path<String>, params: QueryParams) -> Result<Json<ActionDetail>, ApiError> {
    params.allow_only(&[])?;
    Ok(Json(backend::recommendations::detail(&state.ctx.db, id.trim()).await?))
}

/// A status change for one tenant (`tenantId`) or several (`tenantIds`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusBody {
    /// not_started, planned, in_progress, completed or risk_accepted.
    pub status: String,
    /// YYYY-MM-DD; planned and in_progress only.
    #[serde(default)]
    pub target_date: Option<String>,
    /// Required for risk_accepted.
    #[serde(default)]
    pub justification: Option<String>,
    /// With completed: a third-party tool covers the control (written back
    /// to Microsoft as ThirdParty when write-back is on).
    #[serde(default)]
    pub third_party: bool,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub tenant_ids: Option<Vec<String>>,
}

/// The outcome per tenant.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusReply {
    pub results: Vec<TenantOutcome>,
}

/// Sets the status of an action for one tenant or a list of tenants and
/// reports each tenant's outcome. The status is 200 when all were stored,
/// 207 when some failed (an unknown tenant, or one without this action), and
/// a 4xx error naming the values when none was stored. An invalid status, a bad date or a missing
/// justification for risk_accepted rejects the whole request with 400.
/// Analyst or admin role, or a read_write token; every change is audited.
#[utoipa::path(
    put,
    path = "/recommendations/{id}/status",
    tag = "recommendations",
    params(("id" = String, Path, description = "Action id from GET recommendations")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "Stored for every tenant", body = StatusReply),
        (status = 207, description = "Stored for some tenants; see each result", body = StatusReply),
        (status = 400, description = "Invalid status, date, justification or body", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not allowed to change statuses", body = ErrorBody),
        (status = 404, description = "Unknown action, or no tenant found", body = ErrorBody),
    )
)]
pub async fn put_status(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Result<Response, ApiError> {
    let principal = principal_of(&request);
    if !principal.allows(Permission::ChangeStatus) {
        return Err(forbidden(Permission::ChangeStatus));
    }
    let actor = super::benchmarks::actor_of(&request, &principal);
    let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::bad_request(format!("the request body is larger than {MAX_BODY_BYTES} bytes: send fewer tenants per request")))?;
    let body: StatusBody = serde_json::from_slice(&bytes).map_err(|err| {
        ApiError::bad_request(format!(
            "the request body is not a valid status change ({err}): send JSON like {{\"status\": \"planned\", \"targetDate\": \"2027-01-31\", \"tenantIds\": [\"...\"]}}"
        ))
    })?;
    let change = check_status_request(&StatusRequest {
        status: &body.status,
        target_date: body.target_date.as_deref(),
        justification: body.justification.as_deref(),
        third_party: body.third_party,
    })
    .map_err(ApiError::bad_request)?;
    let tenants: Vec<String> = match (body.tenant_id, body.tenant_ids) {
        (Some(_), Some(_)) => return Err(ApiError::bad_request("both tenantId and tenantIds were sent: send one of them")),
        (Some(one), None) => vec![one],
        (None, Some(list)) => list,
        (None, None) => return Err(ApiError::bad_request("tenantId is missing: send tenantId or a tenantIds list")),
    };
    let now = chrono::Utc::now();
    let results = backend::recommendations::set_status(&state.ctx.db, Some(&state.ctx.sync), id.trim(), &tenants, &change, &actor, now).await?;
    let stored = results.iter().filter(|r| r.ok).count();
    if stored == 0 {
        let not_found = results.iter().all(|r| r.error_code.as_deref() == Some("not_found"));
        let messages: Vec<String> = results.iter().filter_map(|r| r.message.clone()).collect();
        let message = messages.join("; ");
        return Err(if not_found { ApiError::not_found(message) } else { ApiError::bad_request(message) });
    }
    let status = if stored == results.len() { StatusCode::OK } else { StatusCode::MULTI_STATUS };
    Ok((status, Json(StatusReply { results })).into_response())
}
