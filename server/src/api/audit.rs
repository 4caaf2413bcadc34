//! `GET audit`: the audit log, newest first, for admins.

use axum::extract::{Request, State};
use axum::Json;
use domain::access::{AuditPage, Permission};

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::auth::{forbidden, principal_of};
use crate::state::AppState;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// Security-relevant changes: sign-ins, users, tokens, client links,
/// credentials, tenant edits and status changes. Admin role or admin token.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    params(
        ("page" = Option<u32>, Query, description = "Page number, from 1 (default 1)"),
        ("pageSize" = Option<u32>, Query, description = "Rows per page, 1-500 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of audit events, newest first", body = AuditPage),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn list_audit(State(state): State<AppState>, params: QueryParams, request: Request) -> Result<Json<AuditPage>, ApiError> {
    if !principal_of(&request).allows(Permission::Admin) {
        return Err(forbidden(Permission::Admin));
    }
    params.allow_only(&["page", "pageSize"])?;
    let page = params.number("page", 1, 1, 1_000_000)?;
    let page_size = params.number("pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)?;
    Ok(Json(backend::auth::audit::list(&state.ctx.db, page, page_size).await?))
}
