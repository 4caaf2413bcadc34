//! `GET compliance?tenant=`: which framework controls a tenant's Secure
//! Score actions support, and how far; `GET compliance/portfolio`: the same
//! coverage for every tenant; the mapping in force and the MSP's overrides.

use axum::extract::{Request, State};
use axum::Json;
use domain::access::Permission;
use domain::compliance::{EffectiveMapping, MappingOverride, PortfolioCompliance, TenantCompliance};
use domain::TenantId;

use super::benchmarks::actor_of;
use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::auth::{forbidden, principal_of};
use crate::state::AppState;

/// Returns, per framework, the framework controls that at least one of the
/// tenant's actions supports, with the actions behind each control: SOC 2,
/// HIPAA Security Rule, CMMC 2.0 Level 2, NIST SP 800-171, NIST SP 800-53,
/// ISO/IEC 27001:2022 and the CIS Microsoft 365 benchmark. The mapping is
/// the shipped file, plus the controls Graph lists in the tenant's control
/// profiles (`complianceInformation`), with the MSP's overrides applied
/// last. A control is satisfied when every
/// action is at full score or resolved through a third party; otherwise it
/// is risk accepted, partial or open. The tenant's actions that the mapping
/// does not cover are listed too. Secure Score evidence supports an audit
/// but does not prove compliance (`disclaimer`).
#[utoipa::path(
    get,
    path = "/compliance",
    tag = "compliance",
    params(("tenant" = String, Query, description = "Tenant id")),
    responses(
        (status = 200, description = "The tenant's compliance correlation", body = TenantCompliance),
        (status = 400, description = "Missing or invalid tenant", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 404, description = "Unknown tenant", body = ErrorBody),
    )
)]
pub async fn get_compliance(State(state): State<AppState>, params: QueryParams) -> Result<Json<TenantCompliance>, ApiError> {
    params.allow_only(&["tenant"])?;
    let raw = params
        .text("tenant")
        .ok_or_else(|| ApiError::bad_request("tenant is missing: send ?tenant=<tenant id>; list tenants with GET tenants"))?;
    let id = TenantId::parse(raw).map_err(|e| ApiError::bad_request(format!("tenant: {e}")))?;
    Ok(Json(backend::compliance::tenant(&state.ctx.db, &id).await?))
}

/// Every tenant's framework coverage (tenants with a snapshot, excluded
/// ones left out) and, per framework, the sums over those tenants: how many
/// tenants have a supported control, how many have all of them satisfied,
/// and the control counts by state. Secure Score evidence supports an audit
/// but does not prove compliance (`disclaimer`).
#[utoipa::path(
    get,
    path = "/compliance/portfolio",
    tag = "compliance",
    responses(
        (status = 200, description = "Framework coverage across the tenants", body = PortfolioCompliance),
        (status = 401, description = "No valid credential", body = ErrorBody),
    )
)]
pub async fn get_portfolio(State(state): State<AppState>, params: QueryParams) -> Result<Json<PortfolioCompliance>, ApiError> {
    params.allow_only(&[])?;
    Ok(Json(backend::compliance::portfolio(&state.ctx.db).await?))
}

/// The mapping in force: the shipped file's version, the MSP's overrides,
/// and every action's framework controls with those overrides applied.
#[utoipa::path(
    get,
    path = "/compliance/mapping",
    tag = "compliance",
    responses(
        (status = 200, description = "The mapping in force", body = EffectiveMapping),
        (status = 401, description = "No valid credential", body = ErrorBody),
    )
)]
pub async fn get_mapping(State(state): State<AppState>, params: QueryParams) -> Result<Json<EffectiveMapping>, ApiError> {
    params.allow_only(&[])?;
    Ok(Json(backend::compliance::mapping_view(&state.ctx.db).await?))
}

/// Adds a framework control to an action (`"kind": "add"`, with the
/// `source` URL of the document that defines the control) or removes a
/// shipped one (`"kind": "remove"`). Overrides are stored apart from the
/// shipped mapping, so an upgrade keeps them. Admin role or admin token;
/// audited.
#[utoipa::path(
    put,
    path = "/compliance/overrides",
    tag = "compliance",
    request_body = MappingOverride,
    responses(
        (status = 200, description = "The mapping in force after the change", body = EffectiveMapping),
        (status = 400, description = "Invalid value; the message names the field", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn put_override(State(state): State<AppState>, request: Request) -> Result<Json<EffectiveMapping>, ApiError> {
    let principal = principal_of(&request);
    if !principal.allows(Permission::Admin) {
        return Err(forbidden(Permission::Admin));
    }
    let actor = actor_of(&request, &principal);
    let body = axum::body::to_bytes(request.into_body(), 16 * 1024)
        .await
        .map_err(|_| ApiError::bad_request("the request body is larger than 16 KiB: send one override"))?;
    let change: MappingOverride = serde_json::from_slice(&body).map_err(|err| {
        ApiError::bad_request(format!(
            "the request body could not be read ({err}): send JSON like {{\"controlId\": \"AdminMFAV2\", \"framework\": \"iso27001\", \"control\": \"A.8.5\", \"source\": \"https://…\", \"kind\": \"add\"}}"
        ))
    })?;
    Ok(Json(backend::compliance::set_override(&state.ctx.db, change, &actor, chrono::Utc::now()).await?))
}

/// Deletes one override, so the shipped mapping applies again for that
/// action and framework control. Admin role or admin token; audited.
#[utoipa::path(
    delete,
    path = "/compliance/overrides",
    tag = "compliance",
    params(
        ("controlId" = String, Query, description = "Secure Score control id"),
        ("framework" = String, Query, description = "Framework of the override"),
        ("control" = String, Query, description = "Framework control id"),
    ),
    responses(
        (status = 200, description = "The mapping in force after the change", body = EffectiveMapping),
        (status = 400, description = "A parameter is missing", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such override", body = ErrorBody),
    )
)]
pub async fn delete_override(State(state): State<AppState>, params: QueryParams, request: Request) -> Result<Json<EffectiveMapping>, ApiError> {
    let principal = principal_of(&request);
    if !principal.allows(Permission::Admin) {
        return Err(forbidden(Permission::Admin));
    }
    params.allow_only(&["controlId", "framework", "control"])?;
    let field = |name: &str| params.text(name).ok_or_else(|| ApiError::bad_request(format!("{name} is missing: send controlId, framework and control")));
    let (control_id, framework, control) = (field("controlId")?, field("framework")?, field("control")?);
    let actor = actor_of(&request, &principal);
    Ok(Json(backend::compliance::delete_override(&state.ctx.db, control_id, framework, control, &actor, chrono::Utc::now()).await?))
}
