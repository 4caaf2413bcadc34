//! Read queries that return DTOs. REST handlers and server functions call
//! these same functions.

use chrono::{DateTime, Utc};
use domain::{PortfolioSummary, SyncRunSummary, TenantDetail, TenantId, TenantRow};
use sea_orm::DatabaseConnection;

use crate::context::AppContext;
use crate::error::ServiceError;

/// The portfolio overview at `now`.
pub async fn portfolio(ctx: &AppContext, now: DateTime<Utc>) -> Result<PortfolioSummary, ServiceError> {
    let _ = (ctx, now);
    todo!("portfolio")
}

/// Every tenant's comparison row (excluded ones too, flagged), unsorted.
pub async fn tenant_rows(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<TenantRow>, ServiceError> {
    let _ = (db, now);
    todo!("tenant_rows")
}

/// One tenant with its latest snapshot; `NotFound` for an unknown id.
pub async fn tenant_detail(db: &DatabaseConnection, now: DateTime<Utc>, id: &TenantId) -> Result<TenantDetail, ServiceError> {
    let _ = (db, now, id);
    todo!("tenant_detail")
}

/// The newest sync run, running or finished.
pub async fn latest_sync_run(db: &DatabaseConnection) -> Result<Option<SyncRunSummary>, ServiceError> {
    let _ = db;
    todo!("latest_sync_run")
}
