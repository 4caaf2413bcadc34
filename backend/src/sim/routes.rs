//! HTTP routes of the simulator, in the shapes of Microsoft Entra ID's token
//! endpoint and Graph's secure score resources.

// Helpers return the finished error `Response` as their `Err`, which the
// handlers send as it is, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use chrono::{SecondsFormat, Utc};
use domain::TenantId;
use serde_json::{json, Map, Value};
use tracing::{debug, warn};

use super::paging;
use super::rng::SplitMix64;
use super::state::{
    Grant, InjectedFault, Page, SimState, TenantEntry, TokenProblem, UpdateOutcome, TOKEN_LIFETIME_SECONDS,
};

/// Content type Graph sends with JSON bodies.
const GRAPH_JSON: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
/// Page size of `secureScores` when `$top` is absent.
const DEFAULT_SCORES_TOP: usize = 90;
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
const SCORES: &str = "secureScores";
const PROFILES: &str = "secureScoreControlProfiles";

pub(crate) fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/v1.0/security/secureScores", get(secure_scores))
        .route("/v1.0/security/secureScoreControlProfiles", get(control_profiles))
        .route("/v1.0/security/secureScoreControlProfiles/{id}", patch(update_control_profile))
        .route("/sim/tenants", get(list_tenants))
        .route("/sim/tenants/{tenant}/regress", post(regress_tenant))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), delay))
        .with_state(state)
}

async fn delay(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    if !state.faults.delay.is_zero() {
        tokio::time::sleep(state.faults.delay).await;
    }
    next.run(request).await
}

async fn list_tenants(State(state): State<Arc<SimState>>) -> Json<Value> {
    let tenants: Vec<Value> = state
        .tenants
        .iter()
        .map(|entry| {
            json!({
                "tenantId": entry.info.tenant_id.as_str(),
                "displayName": entry.info.display_name,
                "industry": entry.info.industry,
                "scenario": entry.info.scenario.as_str(),
            })
        })
        .collect();
    Json(Value::Array(tenants))
}

/// Simulator control, not part of Graph: makes a tenant lose the points of
/// its best controls on its newest day, so a demo can show a regression
/// alert. The next sync picks the lower score up.
async fn regress_tenant(State(state): State<Arc<SimState>>, Path(tenant): Path<String>) -> Response {
    let Some(entry) = TenantId::parse(&tenant).ok().and_then(|id| state.tenants.iter().find(|e| e.info.tenant_id == id)) else {
        return (StatusCode::NOT_FOUND, Json(json!({"error": format!("the simulator serves no tenant '{tenant}'")}))).into_response();
    };
    match entry.regress() {
        Some((date, controls)) => Json(json!({"tenantId": entry.info.tenant_id.as_str(), "date": date, "controls": controls})).into_response(),
        None => (
            StatusCode::CONFLICT,
            Json(json!({"error": "this tenant is served from recorded payloads, which the simulator does not change"})),
        )
            .into_response(),
    }
}

async fn not_found(State(state): State<Arc<SimState>>, uri: Uri) -> Response {
    graph_error(
        &state,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("Resource not found for the segment '{}'.", uri.path()),
    )
}

// Token endpoint.

async fn token(
    State(state): State<Arc<SimState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.token_requests.fetch_add(1, Ordering::Relaxed);
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let host = request_host(&headers);

    if field("grant_type") != "client_credentials" {
        return token_error(
            &state,
            &host,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    let client_id = field("client_id");
    if client_id.is_empty() {
        return token_error(
            &state,
            &host,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    }
    let tenant_id = match TenantId::parse(&tenant) {
        Ok(id) if state.tenant(&id).is_some() => id,
        _ => {
            let description = format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            );
            return token_error(&state, &host, StatusCode::BAD_REQUEST, "invalid_request", 90002, &description);
        }
    };
    if state.faults.consent_missing.contains(&tenant_id) {
        let description = format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant_id}'. This can happen if the \
             application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
        );
        return token_error(&state, &host, StatusCode::BAD_REQUEST, "unauthorized_client", 700016, &description);
    }
    let secret = field("client_secret");
    if secret.is_empty() {
        return token_error(
            &state,
            &host,
            StatusCode::BAD_REQUEST,
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
    }
    if state.client_secret.as_deref().is_some_and(|expected| expected != secret) {
        let description = format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, \
             not the client secret ID, for a secret added to app '{client_id}'."
        );
        return token_error(&state, &host, StatusCode::UNAUTHORIZED, "invalid_client", 7000215, &description);
    }
    let scope = field("scope");
    if scope != GRAPH_SCOPE {
        let description = format!(
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with \
             /.default suffixed to the resource identifier (application ID URI)."
        );
        return token_error(&state, &host, StatusCode::BAD_REQUEST, "invalid_scope", 1002012, &description);
    }

    let access_token = state.issue_token(&tenant_id, client_id);
    debug!(tenant = %tenant_id, "issued a simulated access token");
    Json(json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "ext_expires_in": TOKEN_LIFETIME_SECONDS,
        "access_token": access_token,
    }))
    .into_response()
}

/// Builds an error in the token endpoint's shape: `error`,
/// `error_description` starting with `AADSTS<code>:`, `error_codes` and
/// trace ids.
fn token_error(
    state: &SimState,
    host: &str,
    status: StatusCode,
    error: &str,
    code: u64,
    description: &str,
) -> Response {
    let mut rng = SplitMix64::derive(state.seed, "token-error", state.error_count.fetch_add(1, Ordering::Relaxed));
    let (trace_id, correlation_id) = (rng.guid(), rng.guid());
    debug!(status = status.as_u16(), error, code, "sending a token endpoint error response");
    let timestamp = Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {description}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"
        ),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("http://{host}/error?code={code}"),
    });
    (status, Json(body)).into_response()
}

// Graph resources.

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    #[serde(rename = "$top")]
    top: Option<String>,
    #[serde(rename = "$skiptoken")]
    skip_token: Option<String>,
}

async fn secure_scores(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let (entry, _) = match admit(&state, &headers) {
        Ok(admitted) => admitted,
        Err(response) => return response,
    };
    let top = match parse_top(&state, query.top.as_deref(), DEFAULT_SCORES_TOP) {
        Ok(top) => top,
        Err(response) => return response,
    };
    let offset = match parse_skip_token(&state, SCORES, query.skip_token.as_deref()) {
        Ok(offset) => offset,
        Err(response) => return response,
    };
    let page = entry.score_page(offset, top);
    list_response(&state, entry, &headers, SCORES, page, PageRequest { offset, size: top, top_in_link: true })
}

async fn control_profiles(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let (entry, _) = match admit(&state, &headers) {
        Ok(admitted) => admitted,
        Err(response) => return response,
    };
    let explicit_top = query.top.is_some();
    let size = match parse_top(&state, query.top.as_deref(), state.profile_page_size) {
        Ok(size) => size,
        Err(response) => return response,
    };
    let offset = match parse_skip_token(&state, PROFILES, query.skip_token.as_deref()) {
        Ok(offset) => offset,
        Err(response) => return response,
    };
    let page = entry.profile_page(offset, size);
    list_response(&state, entry, &headers, PROFILES, page, PageRequest { offset, size, top_in_link: explicit_top })
}

async fn update_control_profile(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (entry, grant) = match admit(&state, &headers) {
        Ok(admitted) => admitted,
        Err(response) => return response,
    };
    if id.to_ascii_lowercase().starts_with("scid_") {
        let message = format!(
            "Control '{id}' is a Microsoft Defender for Endpoint control and cannot be updated with this API. \
             Use the Microsoft Defender portal."
        );
        return graph_error(&state, StatusCode::BAD_REQUEST, "BadRequest", &message);
    }
    if state.faults.reject_updates.contains(&entry.info.tenant_id) {
        return graph_error(
            &state,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The control profile update is invalid for this tenant (injected fault).",
        );
    }
    let update = match parse_update(&body) {
        Ok(update) => update,
        Err(message) => return graph_error(&state, StatusCode::BAD_REQUEST, "BadRequest", &message),
    };

    let entry_json = json!({
        "assignedTo": update.get("assignedTo").cloned().unwrap_or(Value::Null),
        "comment": update.get("comment").cloned().unwrap_or(Value::Null),
        "state": update["state"],
        "updatedBy": grant.client_id,
        "updatedDateTime": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    match entry.append_state_update(&id, entry_json) {
        UpdateOutcome::Updated => {
            debug!(tenant = %entry.info.tenant_id, control_id = %id, "recorded a control state update");
            StatusCode::NO_CONTENT.into_response()
        }
        UpdateOutcome::NotFound => graph_error(
            &state,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("No secureScoreControlProfile with id '{id}' exists in this tenant."),
        ),
    }
}

/// Checks a PATCH body: a JSON object with a known `state` and a
/// `vendorInformation` naming provider and vendor.
fn parse_update(body: &[u8]) -> Result<Map<String, Value>, String> {
    let Ok(Value::Object(update)) = serde_json::from_slice::<Value>(body) else {
        return Err("The request body must be a JSON object.".to_owned());
    };
    let state = update.get("state").and_then(Value::as_str).unwrap_or_default();
    if !["Default", "Ignored", "ThirdParty", "Reviewed"].contains(&state) {
        return Err(format!(
            "Invalid value '{state}' for property 'state'. Use Default, Ignored, ThirdParty or Reviewed."
        ));
    }
    let vendor = update.get("vendorInformation");
    let named = |field: &str| vendor.and_then(|v| v.get(field)).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
    if !(named("provider") && named("vendor")) {
        return Err("The property 'vendorInformation' with 'provider' and 'vendor' is required.".to_owned());
    }
    Ok(update)
}

/// Authenticates a Graph request and applies the tenant's faults. Returns
/// the tenant and grant, or the response to send instead.
fn admit<'a>(state: &'a SimState, headers: &HeaderMap) -> Result<(&'a TenantEntry, Grant), Response> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim)
        .unwrap_or_default();
    if token.is_empty() {
        return Err(invalid_token(state, "Access token is empty."));
    }
    let grant = match state.grant(token) {
        Ok(grant) => grant,
        Err(TokenProblem::Unknown) => return Err(invalid_token(state, "IDX14100: JWT is not well formed.")),
        Err(TokenProblem::Expired) => {
            return Err(invalid_token(state, "Lifetime validation failed, the token is expired."))
        }
    };
    let Some(entry) = state.tenant(&grant.tenant) else {
        return Err(invalid_token(state, "The token's tenant is unknown to this simulator."));
    };
    let tenant = &entry.info.tenant_id;

    match state.faults.for_request(tenant, state.count_graph_request(tenant)) {
        Some(InjectedFault::Throttle) => {
            let mut response = graph_error(
                state,
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Too many requests were sent for this tenant. Retry after the time in the Retry-After header.",
            );
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
            return Err(response);
        }
        Some(InjectedFault::ServerError) => {
            return Err(graph_error(
                state,
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is temporarily unavailable. Try again later.",
            ));
        }
        None => {}
    }
    if entry.always_denied() || state.faults.forbidden.contains(tenant) {
        let message = format!(
            "Insufficient privileges to perform requested operation by the application '{}'. \
             The app needs SecurityEvents.Read.All with admin consent and a licence that includes Secure Score.",
            grant.client_id
        );
        return Err(graph_error(state, StatusCode::FORBIDDEN, "AccessDenied", &message));
    }
    Ok((entry, grant))
}

fn invalid_token(state: &SimState, message: &str) -> Response {
    let mut response = graph_error(state, StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message);
    response
        .headers_mut()
        .insert("WWW-Authenticate", HeaderValue::from_static("Bearer realm=\"\", error=\"invalid_token\""));
    response
}

fn parse_top(state: &SimState, raw: Option<&str>, default: usize) -> Result<usize, Response> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    match raw.trim().parse::<usize>() {
        Ok(top) if top > 0 => Ok(top),
        _ => Err(graph_error(
            state,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!("Invalid value '{raw}' for query option '$top'. Use a positive integer."),
        )),
    }
}

fn parse_skip_token(state: &SimState, resource: &str, raw: Option<&str>) -> Result<usize, Response> {
    let Some(raw) = raw else {
        return Ok(0);
    };
    paging::decode(state.seed, resource, raw).ok_or_else(|| {
        graph_error(state, StatusCode::BAD_REQUEST, "BadRequest", "The $skiptoken is invalid or has expired.")
    })
}

/// Position and size of the requested page.
struct PageRequest {
    offset: usize,
    size: usize,
    /// Whether the next link repeats `$top`, as Graph's does when the client
    /// sent it.
    top_in_link: bool,
}

/// Builds a list response: `@odata.context`, an absolute `@odata.nextLink`
/// with an opaque `$skiptoken` when more records remain, and `value`.
fn list_response(
    state: &SimState,
    entry: &TenantEntry,
    headers: &HeaderMap,
    resource: &str,
    page: Page,
    request: PageRequest,
) -> Response {
    let PageRequest { offset, size, top_in_link } = request;
    let body = match page {
        Page::Raw(bytes) => bytes,
        Page::Values { values, total } => {
            let base = format!("http://{}/v1.0", request_host(headers));
            let mut root = Map::new();
            root.insert("@odata.context".to_owned(), json!(format!("{base}/$metadata#security/{resource}")));
            let next = offset + values.len();
            if next < total {
                let token = paging::encode(state.seed, resource, next);
                let link = if top_in_link {
                    format!("{base}/security/{resource}?$top={size}&$skiptoken={token}")
                } else {
                    format!("{base}/security/{resource}?$skiptoken={token}")
                };
                root.insert("@odata.nextLink".to_owned(), json!(link));
            }
            root.insert("value".to_owned(), Value::Array(values));
            serde_json::to_vec(&Value::Object(root)).expect("JSON values always serialise")
        }
    };

    let body = if state.faults.truncate.contains(&entry.info.tenant_id) {
        warn!(tenant = %entry.info.tenant_id, resource, "fault injection: sending half of the body");
        body[..body.len() / 2].to_vec()
    } else {
        body
    };
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
    response
}

/// Builds an error in Graph's shape: `{"error": {"code", "message", "innerError"}}`.
fn graph_error(state: &SimState, status: StatusCode, code: &str, message: &str) -> Response {
    let mut rng = SplitMix64::derive(state.seed, "graph-error", state.error_count.fetch_add(1, Ordering::Relaxed));
    debug!(status = status.as_u16(), code, message, "sending a Graph error response");
    let body = json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
                "request-id": rng.guid(),
                "client-request-id": rng.guid(),
            }
        }
    });
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
    response
}

/// Returns the `Host` header, which absolute links are built from so they
/// work on any port. Hosts with other than URL-safe characters fall back to
/// 127.0.0.1.
fn request_host(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)));
    host.unwrap_or("127.0.0.1").to_owned()
}
