//! Server functions of the recommendations page: the ranked list, one
//! action's tenants, bulk status changes and the "what if" projection.

use domain::recommendations::{ActionDetail, Projection, RecommendationPage, TenantOutcome};
use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::ssr::require;
#[cfg(feature = "ssr")]
use crate::error::ssr::{app_context, reject};
#[cfg(feature = "ssr")]
use domain::access::Permission;

/// Actions shown on the page: all of them, as the list is one ranking.
pub const PAGE_SIZE: u32 = 500;

/// Returns the ranked actions matching the filters; empty strings mean
/// "any". Rejects an unknown tag or status with 400.
#[server(endpoint = "recommendations_page")]
pub async fn get_recommendations(category: String, tag: String, status: String, framework: Option<String>) -> Result<RecommendationPage, AppError> {
    use domain::recommendations::{Status, Tag};

    require(Permission::Read)?;
    let ctx = app_context()?;
    let tag = match tag.trim() {
        "" => None,
        raw => Some(Tag::parse(raw).ok_or_else(|| reject(AppError::BadRequest(format!("tag '{raw}' is invalid: use quick_win, high_impact or strategic."))))?),
    };
    let status = match status.trim() {
        "" => None,
        raw => Some(Status::parse(raw).ok_or_else(|| {
            reject(AppError::BadRequest(format!(
                "status '{raw}' is invalid: use not_started, planned, in_progress, completed or risk_accepted."
            )))
        })?),
    };
    let category = Some(category.trim().to_owned()).filter(|c| !c.is_empty());
    let framework = match framework.as_deref().map(str::trim).unwrap_or("") {
        "" => None,
        raw => Some(domain::compliance::Framework::parse(raw).ok_or_else(|| {
            reject(AppError::BadRequest(format!(
                "framework '{raw}' is invalid: use soc2, hipaa, cmmc2, nist800171, nist80053, iso27001 or cis_m365."
            )))
        })?),
    };
    let filters = backend::recommendations::Filters { category, tag, tenant: None, status, framework };
    backend::recommendations::list(&ctx.db, &filters, 1, PAGE_SIZE).await.map_err(reject)
}

/// Returns one action with every tenant it concerns and its history.
#[server(endpoint = "recommendation_detail")]
pub async fn get_recommendation_detail(id: String) -> Result<ActionDetail, AppError> {
    require(Permission::Read)?;
    let ctx = app_context()?;
    backend::recommendations::detail(&ctx.db, id.trim()).await.map_err(reject)
}

/// Sets the status of action `id` for the comma-separated `tenant_ids` and
/// returns one outcome per tenant. Needs the analyst or admin role.
#[server(endpoint = "set_recommendation_status")]
pub async fn set_recommendation_status(
    id: String,
    tenant_ids: String,
    status: String,
    target_date: String,
    justification: String,
    third_party: Option<String>,
) -> Result<Vec<TenantOutcome>, AppError> {
    use domain::recommendations::{check_status_request, StatusRequest};

    let principal = require(Permission::ChangeStatus)?;
    let ctx = app_context()?;
    let change = check_status_request(&StatusRequest {
        status: &status,
        target_date: Some(target_date.as_str()),
        justification: Some(justification.as_str()),
        third_party: third_party.is_some_and(|v| !v.is_empty() && v != "false"),
    })
    .map_err(|message| reject(AppError::BadRequest(message)))?;
    let tenants: Vec<String> = tenant_ids.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    if tenants.is_empty() {
        return Err(reject(AppError::BadRequest("No tenant is selected: tick at least one tenant.".to_owned())));
    }
    let actor = backend::analytics::Actor { actor: principal.actor(), source_ip: crate::http::client_ip() };
    backend::recommendations::set_status(&ctx.db, Some(&ctx.sync), id.trim(), &tenants, &change, &actor, chrono::Utc::now())
        .await
        .map_err(reject)
}

/// Projects the portfolio average if the comma-separated `ids` were done
/// in every affected tenant.
#[server(endpoint = "project_actions")]
pub async fn project_actions(ids: String) -> Result<Projection, AppError> {
    require(Permission::Read)?;
    let ctx = app_context()?;
    let ids: Vec<String> = ids.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    backend::recommendations::project(&ctx.db, &ids).await.map_err(reject)
}
