//! Server functions behind the pages. Each one has a stable endpoint under
//! `/api/` because scripts and end-to-end tests call them directly.
//!
//! Every function checks the caller's permission first, except
//! `get_demo_mode`, `whoami`, `login` and `get_client_report` (whose link
//! token is the credential).

pub mod admin;
pub mod alerts;
pub mod analytics;
pub mod client_links;
pub mod compliance;
pub mod recommendations;
pub mod session;

use domain::{PortfolioSummary, SyncRunSummary, TenantDetail, TenantRow};
use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::ssr::require;
#[cfg(feature = "ssr")]
use crate::error::ssr::{app_context, reject};
#[cfg(feature = "ssr")]
use domain::access::Permission;

/// Query parameter that carries the outcome of a refresh request to the
/// portfolio page, for browsers that posted the form without JavaScript.
pub const REFRESH_QUERY: &str = "refresh";

/// Returns the portfolio overview.
#[server(endpoint = "portfolio")]
pub async fn get_portfolio() -> Result<PortfolioSummary, AppError> {
    require(Permission::Read)?;
    let ctx = app_context()?;
    backend::service::portfolio(&ctx, chrono::Utc::now()).await.map_err(reject)
}

/// Returns every tenant's comparison row, excluded tenants included, unsorted.
#[server(endpoint = "tenant_rows")]
pub async fn get_tenant_rows() -> Result<Vec<TenantRow>, AppError> {
    require(Permission::Read)?;
    let ctx = app_context()?;
    backend::service::tenant_rows(&ctx.db, chrono::Utc::now()).await.map_err(reject)
}

/// Returns one tenant with its latest snapshot. Rejects a malformed id with
/// 400 and an unknown one with 404.
#[server(endpoint = "tenant_detail")]
pub async fn get_tenant_detail(tenant_id: String) -> Result<TenantDetail, AppError> {
    require(Permission::Read)?;
    let id = domain::TenantId::parse(&tenant_id).map_err(|err| reject(AppError::BadRequest(err.to_string())))?;
    let ctx = app_context()?;
    backend::service::tenant_detail(&ctx.db, chrono::Utc::now(), &id).await.map_err(reject)
}

/// Returns the newest sync run, running or finished, or `None` before the
/// first run.
#[server(endpoint = "sync_status")]
pub async fn get_sync_status() -> Result<Option<SyncRunSummary>, AppError> {
    require(Permission::Read)?;
    let ctx = app_context()?;
    backend::service::latest_sync_run(&ctx.db).await.map_err(reject)
}

/// Returns whether the data comes from the built-in Graph simulator.
#[server(endpoint = "demo_mode")]
pub async fn get_demo_mode() -> Result<bool, AppError> {
    Ok(app_context()?.demo)
}

/// Starts a sync of every tenant unless one is running, and returns a
/// message for people.
///
/// A plain HTML form post (no JavaScript) is redirected to the portfolio
/// page with `?refresh=started`, `?refresh=already_running` or
/// `?refresh=failed`, so that page can show the outcome. Needs the analyst
/// or admin role; a rejected plain form post returns to the portfolio page
/// with the error, which the "Refresh now" form shows.
#[server(endpoint = "refresh_now")]
pub async fn refresh_now() -> Result<String, AppError> {
    use backend::sync::{StartOutcome, SyncTrigger};
    use backend::ServiceError;
    use leptos::server_fn::ServerFn;

    if let Err(error) = require(Permission::ChangeStatus) {
        return crate::http::finish_form_post(RefreshNow::PATH, "/", Err(error));
    }
    let plain_form_post = crate::http::is_plain_form_post();
    let redirect_with = |outcome: RefreshOutcome| {
        if plain_form_post {
            leptos_axum::redirect(&format!("/?{REFRESH_QUERY}={}", outcome.as_str()));
        }
    };

    let ctx = app_context()?;
    let outcome = match ctx.sync.start(SyncTrigger::Manual).await {
        Ok(outcome) => outcome,
        Err(err) => {
            if let ServiceError::BadRequest(message) | ServiceError::Conflict(message) = &err {
                tracing::warn!(reason = %message, "manual sync could not start: {message}");
            }
            // `reject` sets the error status first, so the redirect's 302
            // replaces it for plain form posts.
            let err = reject(err);
            redirect_with(RefreshOutcome::Failed);
            return Err(err);
        }
    };
    let (code, run_id) = match outcome {
        StartOutcome::Started { run_id } => (RefreshOutcome::Started, run_id),
        StartOutcome::AlreadyRunning { run_id } => (RefreshOutcome::AlreadyRunning, run_id),
    };
    tracing::info!(sync_run.id = run_id, outcome = code.as_str(), "manual sync requested (run {run_id})");

    redirect_with(code);
    Ok(code.message().to_owned())
}

/// Outcome of a "Refresh now" request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    Started,
    AlreadyRunning,
    Failed,
}

impl RefreshOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::AlreadyRunning => "already_running",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Started, Self::AlreadyRunning, Self::Failed].into_iter().find(|outcome| outcome.as_str() == raw)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Started => "Sync started",
            Self::AlreadyRunning => "A sync is already running",
            Self::Failed => "The sync could not start. The server log contains the cause.",
        }
    }
}
