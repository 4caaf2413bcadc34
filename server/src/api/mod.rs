//! The REST API under `/api/addons/trust-center/security-score/`, with its
//! OpenAPI document generated from the handlers' annotations.

pub mod alerts;
pub mod audit;
pub mod benchmarks;
pub mod categories;
pub mod compliance;
pub mod error;
pub mod portfolio;
pub mod query;
pub mod recommendations;
pub mod reports;
pub mod tenants;
pub mod trends;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use error::ApiError;

pub const BASE_PATH: &str = "/api/addons/trust-center/security-score";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Security Score Dashboard API",
        description = "Microsoft Secure Score across the tenants an MSP manages. Percentages are 0-100, dates ISO 8601, errors {\"error\": {\"code\", \"message\"}}. Every route needs 'Authorization: Bearer <API token>' (or a signed-in browser session)."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "portfolio", description = "Portfolio-wide figures"),
        (name = "tenants", description = "Managed tenants and their latest snapshot"),
        (name = "analytics", description = "Categories, trends and benchmarks across the portfolio"),
        (name = "recommendations", description = "Improvement actions ranked across the portfolio, and their status per tenant"),
        (name = "alerts", description = "Alerts on drops, baselines, milestones, new actions, stale data and failing syncs; their rules and notification channels"),
        (name = "compliance", description = "Framework controls (SOC 2, HIPAA, CMMC, NIST, ISO 27001, CIS) that Secure Score actions support"),
        (name = "reports", description = "File exports"),
        (name = "audit", description = "Security-relevant changes, for admins"),
    )
)]
struct ApiDoc;

/// Declares the bearer-token scheme every route uses.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Builds the API routes (already nested under [`BASE_PATH`]) with the OpenAPI
/// document served at `{BASE_PATH}/openapi.json`. Every route is added here,
/// so one authentication layer can wrap the returned router.
pub fn router() -> Router<AppState> {
    let inner = OpenApiRouter::new()
        .routes(routes!(portfolio::get_portfolio))
        .routes(routes!(tenants::list_tenants))
        .routes(routes!(tenants::get_tenant))
        .routes(routes!(categories::get_categories))
        .routes(routes!(trends::get_trends))
        .routes(routes!(benchmarks::get_benchmarks))
        .routes(routes!(benchmarks::put_reference, benchmarks::delete_reference))
        .routes(routes!(recommendations::list_recommendations))
        .routes(routes!(recommendations::get_status, recommendations::put_status))
        .routes(routes!(alerts::list_alerts, alerts::configure_alerts))
        .routes(routes!(alerts::get_rules))
        .routes(routes!(alerts::get_alert))
        .routes(routes!(alerts::act_on_alert))
        .routes(routes!(alerts::test_channel))
        .routes(routes!(compliance::get_compliance))
        .routes(routes!(compliance::get_mapping))
        .routes(routes!(compliance::get_portfolio))
        .routes(routes!(compliance::put_override, compliance::delete_override))
        .routes(routes!(reports::export))
        .routes(routes!(audit::list_audit));
    let (routes, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(BASE_PATH, inner)
        .split_for_parts();
    let document = std::sync::Arc::new(document);
    routes
        .route(
            &format!("{BASE_PATH}/openapi.json"),
            get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
        .route(BASE_PATH, axum::routing::any(unknown_route))
        .route(&format!("{BASE_PATH}/"), axum::routing::any(unknown_route))
        .route(&format!("{BASE_PATH}/{{*rest}}"), axum::routing::any(unknown_route))
        // Every route above needs a credential, including the OpenAPI document
        // and the not-found responses.
        .layer(axum::middleware::from_fn(crate::auth::require_api_reader))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn unknown_route() -> ApiError {
    ApiError::not_found(format!(
        "no such API route: see {BASE_PATH}/openapi.json for the routes"
    ))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this method is not allowed on this route: see the OpenAPI document for the allowed methods",
    )
}
