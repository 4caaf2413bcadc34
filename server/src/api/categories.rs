//! `GET categories`.

use axum::extract::State;
use axum::Json;
use domain::categories::CategoriesReport;

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::state::AppState;

/// Per category (Identity, Data, Device, Apps, and Infrastructure when it
/// has points): the portfolio average, Microsoft's peer averages, the
/// distribution across tenants and the weakest tenants. A category maximum
/// of 0 gives no percentage, never a division by zero.
#[utoipa::path(
    get,
    path = "/categories",
    tag = "analytics",
    responses(
        (status = 200, description = "Category figures across the portfolio", body = CategoriesReport),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
    )
)]
pub async fn get_categories(State(state): State<AppState>, params: QueryParams) -> Result<Json<CategoriesReport>, ApiError> {
    params.allow_only(&[])?;
    Ok(Json(backend::service::categories(&state.ctx.db).await?))
}
