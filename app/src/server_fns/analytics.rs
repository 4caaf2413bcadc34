//! Server functions of the analytics pages: categories, trends, benchmarks
//! and the tenant page's charts. Each returns the same report as the REST
//! API plus the chart options, built on the server with charming.

use domain::benchmarks::{BenchmarksReport, IndustryReference};
use domain::categories::CategoriesReport;
use domain::trends::TrendsReport;
use domain::TenantDetail;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::ssr::require;
#[cfg(feature = "ssr")]
use crate::error::ssr::{app_context, reject};
#[cfg(feature = "ssr")]
use domain::access::Permission;

/// The page that plain form posts of the reference forms return to.
pub const BENCHMARKS_PAGE: &str = "/benchmarks";

/// The categories page: the report and its chart options (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoriesPageData {
    pub report: CategoriesReport,
    pub chart: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendsPageData {
    pub report: TrendsReport,
    pub chart: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarksPageData {
    pub report: BenchmarksReport,
    pub chart: String,
    /// Whether the caller may edit reference values (admins).
    pub can_edit: bool,
}

/// The tenant page: the same detail as `GET tenants/{tenantId}` and two charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantPageData {
    pub detail: TenantDetail,
    pub history_chart: String,
    pub category_chart: String,
}

#[server(endpoint = "categories_page")]
pub async fn get_categories_page() -> Result<CategoriesPageData, AppError> {
    require(Permission::Read)?;
    let ctx = app_context()?;
    let report = backend::service::categories(&ctx.db).await.map_err(reject)?;
    let chart = backend::charts::portfolio_categories(&report);
    Ok(CategoriesPageData { report, chart })
}

/// Rejects a window outside 1 to 365 days with 400.
#[server(endpoint = "trends_page")]
pub async fn get_trends_page(days: u32) -> Result<TrendsPageData, AppError> {
    require(Permission::Read)?;
    let ctx = app_context()?;
    let report = backend::analytics::trends(&ctx.db, days).await.map_err(reject)?;
    let chart = backend::charts::trend_line(&report);
    Ok(TrendsPageData { report, chart })
}

#[server(endpoint = "benchmarks_page")]
pub async fn get_benchmarks_page() -> Result<BenchmarksPageData, AppError> {
    let principal = require(Permission::Read)?;
    let ctx = app_context()?;
    let report = backend::analytics::benchmarks(&ctx.db).await.map_err(reject)?;
    let chart = backend::charts::benchmarks(&report);
    Ok(BenchmarksPageData { report, chart, can_edit: principal.allows(Permission::Admin) })
}

/// Rejects a malformed id with 400 and an unknown one with 404.
#[server(endpoint = "tenant_page")]
pub async fn get_tenant_page(tenant_id: String) -> Result<TenantPageData, AppError> {
    require(Permission::Read)?;
    let id = domain::TenantId::parse(&tenant_id).map_err(|err| reject(AppError::BadRequest(err.to_string())))?;
    let ctx = app_context()?;
    let detail = backend::service::tenant_detail(&ctx.db, chrono::Utc::now(), &id).await.map_err(reject)?;
    let history_chart = backend::charts::tenant_history(&detail.history, &detail.max_score_changes);
    let category_chart = backend::charts::tenant_categories(&detail.category_comparison);
    Ok(TenantPageData { detail, history_chart, category_chart })
}

/// Sets or replaces an industry's reference value. Admins only; audited.
/// The numbers arrive as form text and are checked here, so a typo gets a
/// message naming the field.
#[server(endpoint = "set_benchmark_reference")]
pub async fn set_benchmark_reference(
    industry: String,
    average_score: String,
    top_decile_score: String,
    source: String,
) -> Result<IndustryReference, AppError> {
    use leptos::server_fn::ServerFn;

    let result = async {
        let principal = require(Permission::Admin)?;
        let ctx = app_context()?;
        let average_score = parse_percent("Industry average", &average_score)?
            .ok_or_else(|| reject(AppError::BadRequest("Industry average is empty: enter a percentage from 0 to 100.".to_owned())))?;
        let top_decile_score = parse_percent("Top 10 % threshold", &top_decile_score)?;
        let input = backend::analytics::ReferenceInput { industry, average_score, top_decile_score, source };
        let actor = backend::analytics::Actor { actor: principal.actor(), source_ip: crate::http::client_ip() };
        backend::analytics::set_reference(&ctx.db, input, &actor, chrono::Utc::now()).await.map_err(reject)
    }
    .await;
    crate::http::finish_form_post(SetBenchmarkReference::PATH, BENCHMARKS_PAGE, result)
}

/// Removes an industry's reference value. Admins only; audited.
#[server(endpoint = "delete_benchmark_reference")]
pub async fn delete_benchmark_reference(industry: String) -> Result<(), AppError> {
    use leptos::server_fn::ServerFn;

    let result = async {
        let principal = require(Permission::Admin)?;
        let ctx = app_context()?;
        let actor = backend::analytics::Actor { actor: principal.actor(), source_ip: crate::http::client_ip() };
        backend::analytics::delete_reference(&ctx.db, &industry, &actor, chrono::Utc::now()).await.map_err(reject)
    }
    .await;
    crate::http::finish_form_post(DeleteBenchmarkReference::PATH, BENCHMARKS_PAGE, result)
}

/// Reads an optional percentage typed into a form ("48.1" or "48,1").
#[cfg(feature = "ssr")]
fn parse_percent(label: &str, raw: &str) -> Result<Option<f64>, AppError> {
    let text = raw.trim().trim_end_matches('%').trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.replace(',', ".").parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        _ => Err(reject(AppError::BadRequest(format!("{label} '{}' is not a number: enter a percentage from 0 to 100, such as 48.1.", raw.trim())))),
    }
}
