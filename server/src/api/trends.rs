//! `GET trends`.

use axum::extract::State;
use axum::Json;
use domain::trends::{TrendsReport, MAX_TREND_DAYS};

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::state::AppState;

/// Days the report covers when the query names none.
pub const DEFAULT_DAYS: u32 = 30;

/// The portfolio over the last `days` days: the daily average (null on days
/// without any snapshot), the change in percentage points split into points
/// gained or lost and maximum-score drift, the tenants improved, regressed
/// and unchanged, and the biggest movers. A tenant without a snapshot
/// `days` older than its latest has no change (counted in
/// `tenantsWithoutChange`), never 0.
#[utoipa::path(
    get,
    path = "/trends",
    tag = "analytics",
    params(("days" = Option<u32>, Query, description = "Window in days, 1-365 (default 30); 7, 30 and 90 are the usual ones")),
    responses(
        (status = 200, description = "The portfolio's movement over the window", body = TrendsReport),
        (status = 400, description = "Invalid or unknown parameter", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
    )
)]
pub async fn get_trends(State(state): State<AppState>, params: QueryParams) -> Result<Json<TrendsReport>, ApiError> {
    params.allow_only(&["days"])?;
    let days = params.number("days", DEFAULT_DAYS, 1, MAX_TREND_DAYS)?;
    Ok(Json(backend::analytics::trends(&state.ctx.db, days).await?))
}
