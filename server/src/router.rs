//! The whole HTTP surface in one function, so tests drive the real router
//! in-process.

use std::time::Duration;

use app::{shell, App};
use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api::{self, error::ApiError};
use crate::state::AppState;

/// Requests that take longer than this get 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let ctx = state.ctx.clone();
    let render_ctx = state.ctx.clone();
    let fallback_ctx = state.ctx.clone();
    let options = state.leptos_options.clone();
    // Each page render sets its CSP header with the nonce of its inline scripts.
    let shell = crate::security::with_page_csp(shell);

    Router::new()
        .merge(api::router())
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(render_ctx.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || provide_context(fallback_ctx.clone()),
            shell,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), api::reports::client_pdf_layer))
        .layer(axum::middleware::from_fn(crate::auth::require_staff_for_pages))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::authenticate))
        .layer(axum::middleware::from_fn(crate::security::reject_cross_site))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(MatchedPath::as_str)
                    .unwrap_or("unmatched");
                tracing::info_span!("http", http.method = %request.method(), http.route = route)
            }),
        )
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(crate::security::set_security_headers))
        .with_state(AppState { ctx, ..state })
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    let ctx = state.ctx.clone();
    handle_server_fns_with_context(move || provide_context(ctx.clone()), request).await
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::internal().into_response()
}
