//! `GET reports/export`: PDF reports of one tenant or the portfolio, and CSV
//! files of the comparison table, a tenant's controls, the trends and the
//! recommendation backlog.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use domain::access::Permission;
use domain::TenantId;

use super::error::{ApiError, ErrorBody};
use super::query::QueryParams;
use crate::auth::{forbidden, principal_of};
use crate::state::AppState;

/// Downloads a report. `format=pdf` renders the client-ready tenant report
/// (`scope=tenant&tenantId=..`) or the portfolio report (`scope=portfolio`).
/// `format=csv` with `scope=portfolio` gives the
/// comparison table (`dataset=comparison`, the default), the daily trend
/// (`dataset=trends`, window `days`, default 90) or the recommendation
/// backlog (`dataset=recommendations`) or every tenant's framework coverage
/// (`dataset=compliance`). With `scope=tenant&tenantId=..` it gives the
/// tenant's controls (`dataset=controls`, the default), its open actions
/// (`dataset=recommendations`) or its framework controls with their state
/// (`dataset=compliance`). CSV is UTF-8 with a header row, RFC 4180
/// quoting, and text cells that would run as spreadsheet formulas prefixed
/// with an apostrophe. Analyst or admin role, or a read_write token.
#[utoipa::path(
    get,
    path = "/reports/export",
    tag = "reports",
    params(
        ("format" = String, Query, description = "pdf or csv"),
        ("scope" = String, Query, description = "portfolio or tenant"),
        ("tenantId" = Option<String>, Query, description = "The tenant, with scope=tenant"),
        ("dataset" = Option<String>, Query, description = "portfolio: comparison (default), trends, recommendations or compliance; tenant: controls (default), recommendations or compliance"),
        ("days" = Option<u32>, Query, description = "With dataset=trends: window in days, 1-365 (default 90)"),
        ("created" = Option<String>, Query, description = "With format=pdf: creation date (YYYY-MM-DD) written into the PDF metadata; without it the PDF has none, so equal data gives equal files"),
    ),
    responses(
        (status = 200, description = "The file, as an attachment named after the scope, tenant and date", content_type = "application/pdf"),
        (status = 400, description = "Invalid or missing parameter", body = ErrorBody),
        (status = 401, description = "No valid credential", body = ErrorBody),
        (status = 403, description = "Not allowed to export", body = ErrorBody),
        (status = 404, description = "Unknown tenant", body = ErrorBody),
    )
)]
pub async fn export(State(state): State<AppState>, params: QueryParams, request: Request) -> Result<Response, ApiError> {
    if !principal_of(&request).allows(Permission::Export) {
        return Err(forbidden(Permission::Export));
    }
    params.allow_only(&["format", "scope", "tenantId", "dataset", "days", "created"])?;
    let format = params.text("format").ok_or_else(|| ApiError::bad_request("format is missing: use format=pdf or format=csv"))?;
    let scope = params.text("scope").ok_or_else(|| ApiError::bad_request("scope is missing: use scope=portfolio or scope=tenant"))?;
    match format {
        "pdf" => return pdf(&state, &params, scope).await,
        "csv" => {}
        other => return Err(ApiError::bad_request(format!("format '{other}' is invalid: use pdf or csv"))),
    }
    if params.text("created").is_some() {
        return Err(ApiError::bad_request("created is only valid with format=pdf: remove it"));
    }
    let db = &state.ctx.db;
    let now = chrono::Utc::now();
    let today = now.date_naive().to_string();
    let (file, body) = match scope {
        "portfolio" => {
            if params.text("tenantId").is_some() {
                return Err(ApiError::bad_request("tenantId is only valid with scope=tenant: remove it or use scope=tenant"));
            }
            match params.text("dataset").unwrap_or("comparison") {
                "comparison" => {
                    let mut rows = backend::service::tenant_rows(db, now).await?;
                    domain::sort::sort_rows(&mut rows, domain::sort::TenantSort::Percentage, domain::sort::SortOrder::Desc);
                    (backend::reports::file_name(&["secure-score-comparison", &today], "csv"), backend::reports::comparison_csv(&rows))
                }
                "trends" => {
                    let days = params.number("days", 90, 1, domain::trends::MAX_TREND_DAYS)?;
                    let report = backend::analytics::trends(db, days).await?;
                    let name = format!("secure-score-trends-{days}-days");
                    (backend::reports::file_name(&[&name, &today], "csv"), backend::reports::trends_csv(&report))
                }
                "recommendations" => {
                    let page = backend::recommendations::list(db, &Default::default(), 1, u32::MAX).await?;
                    (backend::reports::file_name(&["secure-score-recommendations", &today], "csv"), backend::reports::recommendations_csv(&page))
                }
                "compliance" => {
                    let portfolio = backend::compliance::portfolio(db).await?;
                    (backend::reports::file_name(&["secure-score-compliance", &today], "csv"), backend::reports::portfolio_compliance_csv(&portfolio))
                }
                other => {
                    return Err(ApiError::bad_request(format!(
                        "dataset '{other}' is invalid with scope=portfolio: use comparison, trends, recommendations or compliance"
                    )))
                }
            }
        }
        "tenant" => {
            let raw = params.text("tenantId").ok_or_else(|| ApiError::bad_request("tenantId is missing: scope=tenant needs tenantId"))?;
            let id = TenantId::parse(raw).map_err(|e| ApiError::bad_request(e.to_string()))?;
            if params.text("days").is_some() {
                return Err(ApiError::bad_request("days is only valid with dataset=trends: remove it"));
            }
            let detail = backend::service::tenant_detail(db, now, &id).await?;
            let name = detail.tenant.display_name.clone();
            match params.text("dataset").unwrap_or("controls") {
                "controls" => (backend::reports::file_name(&["secure-score", &name, "controls", &today], "csv"), backend::reports::controls_csv(&detail)),
                "recommendations" => {
                    let filters = backend::recommendations::Filters { tenant: Some(id), ..Default::default() };
                    let page = backend::recommendations::list(db, &filters, 1, u32::MAX).await?;
                    (backend::reports::file_name(&["secure-score", &name, "recommendations", &today], "csv"), backend::reports::recommendations_csv(&page))
                }
                "compliance" => {
                    let report = backend::compliance::tenant(db, &id).await?;
                    (backend::reports::file_name(&["secure-score", &name, "compliance", &today], "csv"), backend::reports::compliance_csv(&report))
                }
                other => {
                    return Err(ApiError::bad_request(format!(
                        "dataset '{other}' is invalid with scope=tenant: use controls, recommendations or compliance"
                    )))
                }
            }
        }
        other => return Err(ApiError::bad_request(format!("scope '{other}' is invalid: use portfolio or tenant"))),
    };
    attachment(&file, "text/csv; charset=utf-8", body.into_bytes())
}

fn attachment(file: &str, content_type: &'static str, body: Vec<u8>) -> Result<Response, ApiError> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")).map_err(|_| ApiError::internal())?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// Serves `GET /client/{token}?format=pdf`, the PDF of a client link's
/// report, and passes every other request on. The query form lets the
/// client page link to its PDF as `?format=pdf`, so the page never repeats
/// the link's secret token.
pub async fn client_pdf_layer(State(state): State<AppState>, request: Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    let token = path.strip_prefix("/client/").filter(|rest| !rest.is_empty() && !rest.contains('/'));
    let wants_pdf = request.uri().query().is_some_and(|q| q.split('&').any(|pair| pair == "format=pdf"));
    match token {
        Some(token) if wants_pdf && request.method() == axum::http::Method::GET => {
            let token = token.to_owned();
            client_pdf(&state, &token).await.unwrap_or_else(IntoResponse::into_response)
        }
        _ => next.run(request).await,
    }
}

/// Renders the tenant report of a client link. The link token is the
/// credential; the tenant comes from the stored link, never from the
/// request. An unknown link is 404, an expired or revoked one 403.
async fn client_pdf(state: &AppState, token: &str) -> Result<Response, ApiError> {
    use backend::auth::client_links::{resolve, LinkRejection};

    let now = chrono::Utc::now();
    let link = match resolve(&state.ctx.db, token.trim(), now).await? {
        Ok(link) => link,
        Err(rejection @ LinkRejection::Unknown) => return Err(ApiError::not_found(rejection.message())),
        Err(rejection) => return Err(ApiError::new(axum::http::StatusCode::FORBIDDEN, "forbidden", rejection.message())),
    };
    let id = TenantId::parse(&link.tenant_id).map_err(|error| {
        tracing::error!(link.id = link.id, %error, "client link {} has an invalid tenant id: {error}", link.id);
        ApiError::internal()
    })?;
    let brand = backend::reports::Brand::from_env();
    let data = backend::reports::tenant_report_data(&state.ctx.db, &id, &brand, now).await?;
    let name = data["tenant"]["name"].as_str().unwrap_or_default().to_owned();
    let bytes = render(backend::pdf::Template::Tenant, data, &brand, None).await?;
    attachment(&backend::reports::file_name(&["secure-score-report", &name, &now.date_naive().to_string()], "pdf"), "application/pdf", bytes)
}

/// Renders a PDF on a blocking thread, so Typst does not hold up the server.
async fn render(
    template: backend::pdf::Template,
    data: serde_json::Value,
    brand: &backend::reports::Brand,
    created: Option<chrono::NaiveDate>,
) -> Result<Vec<u8>, ApiError> {
    let logo = brand.logo();
    let bytes = tokio::task::spawn_blocking(move || backend::pdf::render(template, &data, logo, created))
        .await
        .map_err(|error| {
            tracing::error!(%error, "the PDF rendering task failed: {error}");
            ApiError::internal()
        })??;
    Ok(bytes)
}

/// Renders the tenant or portfolio PDF report.
async fn pdf(state: &AppState, params: &QueryParams, scope: &str) -> Result<Response, ApiError> {
    for only_csv in ["dataset", "days"] {
        if params.text(only_csv).is_some() {
            return Err(ApiError::bad_request(format!("{only_csv} is only valid with format=csv: remove it")));
        }
    }
    let created = match params.text("created") {
        None => None,
        Some(raw) => Some(chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(format!("created '{raw}' is invalid: use a date as YYYY-MM-DD"))
        })?),
    };
    let now = chrono::Utc::now();
    let today = now.date_naive().to_string();
    let brand = backend::reports::Brand::from_env();
    let (template, data, file) = match scope {
        "tenant" => {
            let raw = params.text("tenantId").ok_or_else(|| ApiError::bad_request("tenantId is missing: scope=tenant needs tenantId"))?;
            let id = TenantId::parse(raw).map_err(|e| ApiError::bad_request(e.to_string()))?;
            let data = backend::reports::tenant_report_data(&state.ctx.db, &id, &brand, now).await?;
            let name = data["tenant"]["name"].as_str().unwrap_or_default().to_owned();
            (backend::pdf::Template::Tenant, data, backend::reports::file_name(&["secure-score-report", &name, &today], "pdf"))
        }
        "portfolio" => {
            if params.text("tenantId").is_some() {
                return Err(ApiError::bad_request("tenantId is only valid with scope=tenant: remove it or use scope=tenant"));
            }
            let data = backend::reports::portfolio_report_data(&state.ctx, &brand, now).await?;
            (backend::pdf::Template::Portfolio, data, backend::reports::file_name(&["secure-score-portfolio-report", &today], "pdf"))
        }
        other => return Err(ApiError::bad_request(format!("scope '{other}' is invalid: use portfolio or tenant"))),
    };
    let bytes = render(template, data, &brand, created).await?;
    attachment(&file, "application/pdf", bytes)
}
