//! Sync-run records: one row per run, updated as tenants finish.

use chrono::{DateTime, Utc};
use domain::SyncRunSummary;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::entity::sync_run;
use crate::error::ServiceError;

/// The result of one tenant in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantOutcome {
    pub tenant_id: String,
    pub status: String,
    pub message: Option<String>,
    pub snapshots_written: u32,
    pub duration_ms: i64,
}

pub async fn create(db: &DatabaseConnection, trigger: &str, tenants_total: u32, now: DateTime<Utc>) -> Result<i64, ServiceError> {
    let model = sync_run::ActiveModel {
        trigger: Set(trigger.to_owned()),
        status: Set("running".to_owned()),
        started_at: Set(now),
        tenants_total: Set(tenants_total as i32),
        tenants_done: Set(0),
        tenants_failed: Set(0),
        snapshots_written: Set(0),
        outcomes: Set(serde_json::json!([])),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(model.id)
}

/// Records progress after a tenant finishes.
pub async fn record_progress(
    db: &DatabaseConnection,
    run_id: i64,
    done: u32,
    failed: u32,
    snapshots: u32,
) -> Result<(), ServiceError> {
    sync_run::ActiveModel {
        id: Set(run_id),
        tenants_done: Set(done as i32),
        tenants_failed: Set(failed as i32),
        snapshots_written: Set(snapshots as i32),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Closes a run with its final status and per-tenant outcomes.
pub async fn finish(
    db: &DatabaseConnection,
    run_id: i64,
    status: &str,
    outcomes: &[TenantOutcome],
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(model) = sync_run::Entity::find_by_id(run_id).one(db).await? else {
        return Err(ServiceError::NotFound(format!("sync run {run_id} not found")));
    };
    let duration = (now - model.started_at).num_milliseconds();
    let failed = outcomes.iter().filter(|o| o.status != "ok" && o.status != "no_data").count();
    let snapshots: u32 = outcomes.iter().map(|o| o.snapshots_written).sum();
    let mut active: sync_run::ActiveModel = model.into();
    active.status = Set(status.to_owned());
    active.finished_at = Set(Some(now));
    active.duration_ms = Set(Some(duration));
    active.tenants_done = Set(outcomes.len() as i32);
    active.tenants_failed = Set(failed as i32);
    active.snapshots_written = Set(snapshots as i32);
    active.outcomes = Set(serde_json::to_value(outcomes).unwrap_or_else(|_| serde_json::json!([])));
    active.update(db).await?;
    Ok(())
}

/// Marks runs left `running` by a process that stopped as `interrupted`.
/// NOTE: with several server instances on one PostgreSQL database this also
/// marks a run that another live instance is still doing. That instance's
/// finish call then overwrites the status again.
pub async fn mark_interrupted(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, ServiceError> {
    let result = sync_run::Entity::update_many()
        .col_expr(sync_run::Column::Status, sea_orm::sea_query::Expr::value("interrupted"))
        .col_expr(sync_run::Column::FinishedAt, sea_orm::sea_query::Expr::value(now))
        .filter(sync_run::Column::Status.eq("running"))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

pub async fn latest(db: &DatabaseConnection) -> Result<Option<SyncRunSummary>, ServiceError> {
    let model = sync_run::Entity::find()
        .order_by_desc(sync_run::Column::StartedAt)
        .order_by_desc(sync_run::Column::Id)
        .one(db)
        .await?;
    Ok(model.map(to_summary))
}

pub fn to_summary(model: sync_run::Model) -> SyncRunSummary {
    SyncRunSummary {
        id: model.id,
        trigger: model.trigger,
        status: model.status,
        started_at: model.started_at,
        finished_at: model.finished_at,
        tenants_total: model.tenants_total.max(0) as u32,
        tenants_done: model.tenants_done.max(0) as u32,
        tenants_failed: model.tenants_failed.max(0) as u32,
        snapshots_written: model.snapshots_written.max(0) as u32,
        duration_ms: model.duration_ms,
    }
}
