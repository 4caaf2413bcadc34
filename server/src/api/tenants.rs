//! `GET tenants` and `GET tenants/{tenantId}`.

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use domain::sort::{sort_rows, SortOrder, TenantSort};
use domain::{TenantDetail, TenantId, TenantPage};

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::state::AppState;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// Tenants with their latest figures, paginated and sorted. Excluded tenants
/// are listed with `excluded: true`; tenants without data have null figures.
#[utoipa::path(
    get,
    path = "/tenants",
    tag = "tenants",
    params(
        ("page" = Option<u32>, Query, description = "Page number, from 1 (default 1)"),
        ("pageSize" = Option<u32>, Query, description = "Rows per page, 1-500 (default 50)"),
        ("sort" = Option<String>, Query, description = "displayName, currentScore, maxScore, percentage (default), trend30d, industry or lastSnapshotDate"),
        ("order" = Option<String>, Query, description = "asc or desc (default desc; asc for displayName and industry)"),
        ("industry" = Option<String>, Query, description = "Only tenants of this industry (case-insensitive)"),
    ),
    responses(
        (status = 200, description = "A page of tenants", body = TenantPage),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
    )
)]
pub async fn list_tenants(State(state): State<AppState>, params: QueryParams) -> Result<Json<TenantPage>, ApiError> {
    params.allow_only(&["page", "pageSize", "sort", "order", "industry"])?;
    let page = params.number("page", 1, 1, 1_000_000)?;
    let page_size = params.number("pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)?;
    let sort = match params.text("sort") {
        None => TenantSort::Percentage,
        Some(text) => TenantSort::parse(text).ok_or_else(|| {
            let accepted: Vec<&str> = TenantSort::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::bad_request(format!("sort '{text}' is invalid: use one of {}", accepted.join(", ")))
        })?,
    };
    let order = match params.text("order") {
        None if matches!(sort, TenantSort::DisplayName | TenantSort::Industry) => SortOrder::Asc,
        None => SortOrder::Desc,
        Some(text) => SortOrder::parse(text)
            .ok_or_else(|| ApiError::bad_request(format!("order '{text}' is invalid: use asc or desc")))?,
    };
    let industry = params.text("industry").map(str::to_lowercase);

    let mut rows = backend::service::tenant_rows(&state.ctx.db, Utc::now()).await?;
    if let Some(industry) = &industry {
        rows.retain(|r| r.industry.as_deref().is_some_and(|i| i.to_lowercase() == *industry));
    }
    sort_rows(&mut rows, sort, order);

    let total_items = rows.len() as u32;
    let total_pages = total_items.div_ceil(page_size);
    let items = rows
        .into_iter()
        .skip(((page - 1) as usize) * page_size as usize)
        .take(page_size as usize)
        .collect();
    Ok(Json(TenantPage { items, page, page_size, total_items, total_pages }))
}

/// One tenant with its latest snapshot: category points and maxima, and
/// every scored control.
#[utoipa::path(
    get,
    path = "/tenants/{tenantId}",
    tag = "tenants",
    params(("tenantId" = String, Path, description = "Microsoft Entra tenant id (GUID)")),
    responses(
        (status = 200, description = "The tenant and its latest snapshot", body = TenantDetail),
        (status = 400, description = "Malformed tenant id", body = ErrorBody),
        (status = 404, description = "Tenant not registered", body = ErrorBody),
    )
)]
pub async fn get_tenant(
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    params: QueryParams,
) -> Result<Json<TenantDetail>, ApiError> {
    params.allow_only(&[])?;
    let id = TenantId::parse(&tenant_id).map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Json(backend::service::tenant_detail(&state.ctx.db, Utc::now(), &id).await?))
}
