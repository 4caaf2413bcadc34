//! `GET benchmarks`, and the reference values admins set per industry.

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::Json;
use domain::access::Permission;
use domain::benchmarks::{BenchmarksReport, IndustryReference};
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::auth::{forbidden, principal_of};
use crate::state::AppState;

/// Largest request body accepted for a reference value.
const MAX_BODY_BYTES: usize = 4 * 1024;

/// One row per industry group with the portfolio average, the industry
/// average, the top-10 % threshold and the variance, each with its source.
/// The industry average is Microsoft's `IndustryTypes` average where Graph
/// returns one, otherwise an admin's reference value, otherwise none (then
/// Microsoft's all-tenants and similar-size averages are given instead). The threshold is the 90th
/// percentile of the group's tenants when it has at least 10, otherwise the
/// reference value, otherwise none.
#[utoipa::path(
    get,
    path = "/benchmarks",
    tag = "analytics",
    responses(
        (status = 200, description = "Industry groups with their benchmark figures", body = BenchmarksReport),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
    )
)]
pub async fn get_benchmarks(State(state): State<AppState>, params: QueryParams) -> Result<Json<BenchmarksReport>, ApiError> {
    params.allow_only(&[])?;
    Ok(Json(backend::analytics::benchmarks(&state.ctx.db).await?))
}

/// A reference value as sent by a script.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReferenceBody {
    /// Average Secure Score percentage (0-100) of the industry.
    pub average_score: f64,
    /// Percentage (0-100) the top 10 % reach, if the source gives one.
    #[serde(default)]
    pub top_decile_score: Option<f64>,
    /// The origin of the values: publisher, title and year.
    pub source: String,
}

/// Sets or replaces the reference value of an industry. Admin role or
/// admin token; the change is audited.
#[utoipa::path(
    put,
    path = "/benchmarks/references/{industry}",
    tag = "analytics",
    params(("industry" = String, Path, description = "Industry name as set on the tenants (case-insensitive)")),
    request_body = ReferenceBody,
    responses(
        (status = 200, description = "The stored reference value", body = IndustryReference),
        (status = 400, description = "Invalid value", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn put_reference(
    State(state): State<AppState>,
    Path(industry): Path<String>,
    request: Request,
) -> Result<Json<IndustryReference>, ApiError> {
    let principal = principal_of(&request);
    if !principal.allows(Permission::Admin) {
        return Err(forbidden(Permission::Admin));
    }
    let actor = actor_of(&request, &principal);
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::bad_request(format!("the request body is larger than {MAX_BODY_BYTES} bytes: send only averageScore, topDecileScore and source")))?;
    let body = parse_body(&body)?;
    let input = backend::analytics::ReferenceInput {
        industry,
        average_score: body.average_score,
        top_decile_score: body.top_decile_score,
        source: body.source,
    };
    let saved = backend::analytics::set_reference(&state.ctx.db, input, &actor, chrono::Utc::now()).await?;
    Ok(Json(saved))
}

/// Removes the reference value of an industry. Admin role or admin token;
/// the change is audited.
#[utoipa::path(
    delete,
    path = "/benchmarks/references/{industry}",
    tag = "analytics",
    params(("industry" = String, Path, description = "Industry name (case-insensitive)")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No reference value for this industry", body = ErrorBody),
    )
)]
pub async fn delete_reference(
    State(state): State<AppState>,
    Path(industry): Path<String>,
    request: Request,
) -> Result<StatusCode, ApiError> {
    let principal = principal_of(&request);
    if !principal.allows(Permission::Admin) {
        return Err(forbidden(Permission::Admin));
    }
    let actor = actor_of(&request, &principal);
    backend::analytics::delete_reference(&state.ctx.db, &industry, &actor, chrono::Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Returns the caller and its address, for the audit log.
pub(crate) fn actor_of(request: &Request, principal: &domain::Principal) -> backend::analytics::Actor {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    backend::analytics::Actor {
        actor: principal.actor(),
        source_ip: request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_string()),
    }
}

fn parse_body(body: &Bytes) -> Result<ReferenceBody, ApiError> {
    serde_json::from_slice(body).map_err(|err| {
        ApiError::bad_request(format!(
            "the request body is not a valid reference value ({err}): send JSON like {{\"averageScore\": 48.1, \"topDecileScore\": 71.0, \"source\": \"Publisher, report title, year\"}}"
        ))
    })
}
