//! `GET compliance?tenant=`: which framework controls a tenant's Secure
//! Score actions support, and how far.

use axum::extract::State;
use axum::Json;
use domain::compliance::TenantCompliance;
use domain::TenantId;

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::state::AppState;

/// Returns, per framework, the framework controls that at least one of the
/// tenant's actions supports, with the actions behind each control. SOC 2,
/// HIPAA Security Rule, NIST SP 800-171 and NIST SP 800-53 are mapped; CMMC,
/// ISO 27001 and CIS are not mapped yet. A control is satisfied when every
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
