//! `GET portfolio`.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use domain::PortfolioSummary;

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::state::AppState;

/// The portfolio overview: average, 90-day change, leaders, counts.
#[utoipa::path(
    get,
    path = "/portfolio",
    tag = "portfolio",
    responses(
        (status = 200, description = "Portfolio overview", body = PortfolioSummary),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
    )
)]
pub async fn get_portfolio(State(state): State<AppState>, params: QueryParams) -> Result<Json<PortfolioSummary>, ApiError> {
    params.allow_only(&[])?;
    Ok(Json(backend::service::portfolio(&state.ctx, Utc::now()).await?))
}
