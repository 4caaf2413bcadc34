//! Sync runs: Graph -> store for every registered tenant.
//!
//! A run fetches each tenant's `secureScores` and all pages of
//! `secureScoreControlProfiles`, then stores them in one transaction per
//! tenant. A tenant that fails (consent missing, 403, throttling, a broken
//! payload) gets a readable status while the others carry on; nothing that
//! was stored before is deleted or changed by a failure.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use domain::{SyncRunSummary, SyncStatus, TenantId};
use futures::StreamExt;
use sea_orm::DatabaseConnection;

use crate::entity::tenant;
use crate::error::ServiceError;
use crate::graph::{GraphClient, GraphError};
use crate::store::{self, ingest, sync_runs::TenantOutcome};

/// The cause of a sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncTrigger {
    Scheduler,
    Cli,
    /// "Refresh now" on a page.
    Manual,
    Startup,
}

impl SyncTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduler => "scheduler",
            Self::Cli => "cli",
            Self::Manual => "manual",
            Self::Startup => "startup",
        }
    }
}

/// Result of asking for a background run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOutcome {
    Started { run_id: i64 },
    AlreadyRunning { run_id: i64 },
}

#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Tenants synced at the same time.
    pub concurrency: usize,
    /// Days of history requested on a tenant's first sync. Graph keeps about
    /// 90 days. Requesting 91 (today and the 90 days before) also takes the
    /// oldest record when Graph still has it, so a 90-day change exists at once.
    pub first_sync_days: u32,
    /// Whether status changes of improvement actions are written back to
    /// Microsoft (needs `SecurityEvents.ReadWrite.All`).
    pub write_back: bool,
    /// Woken when a tenant's alert evaluation queued notices, so they go
    /// out at once instead of at the sender's next poll.
    pub alert_wake: Option<Arc<tokio::sync::Notify>>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self { concurrency: 4, first_sync_days: 91, write_back: false, alert_wake: None }
    }
}

/// The Graph clients a run uses: the installation default, and clients for
/// tenants that have their own app registration (per-tenant credentials).
#[derive(Clone, Default)]
pub struct GraphClients {
    pub default: Option<GraphClient>,
    /// Keyed by tenant id (lower-case GUID).
    pub per_tenant: HashMap<String, GraphClient>,
}

impl GraphClients {
    /// Returns the client for `tenant_id`: its own when it has one, else the default.
    pub fn for_tenant(&self, tenant_id: &str) -> Option<&GraphClient> {
        self.per_tenant.get(tenant_id).or(self.default.as_ref())
    }

    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.per_tenant.is_empty()
    }
}

/// Starts sync runs; cheap to clone. At most one run per process at a time.
#[derive(Clone)]
pub struct SyncHandle {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    clients: GraphClients,
    settings: SyncSettings,
    running: Mutex<Option<i64>>,
}

/// Clears the running marker when a run ends, even by a panic.
struct RunningGuard(Arc<Inner>);

impl Drop for RunningGuard {
    fn drop(&mut self) {
        if let Ok(mut running) = self.0.running.lock() {
            *running = None;
        }
    }
}

const NOT_CONFIGURED: &str = "Microsoft Graph credentials are not configured: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET, or start the demo with `trust-center serve --demo`.";

impl SyncHandle {
    /// `graph` is `None` when no Graph credentials are configured. Runs are
    /// then rejected with a message that explains how to configure them.
    pub fn new(db: DatabaseConnection, graph: Option<GraphClient>, settings: SyncSettings) -> Self {
        Self::with_clients(db, GraphClients { default: graph, per_tenant: HashMap::new() }, settings)
    }

    /// Returns the Graph client for writing back to `tenant_id`, or `None`
    /// when write-back is off or no client serves the tenant.
    pub fn write_back_client(&self, tenant_id: &str) -> Option<GraphClient> {
        if !self.inner.settings.write_back {
            return None;
        }
        self.inner.clients.for_tenant(tenant_id).cloned()
    }

    /// Like [`SyncHandle::new`], with per-tenant clients besides the default.
    pub fn with_clients(db: DatabaseConnection, clients: GraphClients, settings: SyncSettings) -> Self {
        Self {
            inner: Arc::new(Inner { db, clients, settings, running: Mutex::new(None) }),
        }
    }

    /// Starts a run in the background unless one is already running.
    pub async fn start(&self, trigger: SyncTrigger) -> Result<StartOutcome, ServiceError> {
        if self.inner.clients.is_empty() {
            return Err(ServiceError::BadRequest(NOT_CONFIGURED.into()));
        }
        let tenants = store::tenants::list(&self.inner.db).await?;
        // Reserve the slot before the await below, so a second caller cannot
        // start a parallel run in between.
        if let Some(run_id) = self.reserve()? {
            return Ok(StartOutcome::AlreadyRunning { run_id });
        }
        let run_id = match store::sync_runs::create(&self.inner.db, trigger.as_str(), tenants.len() as u32, Utc::now()).await {
            Ok(run_id) => run_id,
            Err(e) => {
                *self.lock_running()? = None;
                return Err(e);
            }
        };
        *self.lock_running()? = Some(run_id);
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let guard = RunningGuard(inner.clone());
            if let Err(e) = run_tenants(&guard.0.db, &guard.0.clients, &guard.0.settings, run_id, tenants).await {
                tracing::error!(sync.run_id = run_id, error = %e, "sync run {run_id} failed");
            }
        });
        Ok(StartOutcome::Started { run_id })
    }

    /// Runs a sync in the foreground (the CLI), for every tenant or one.
    pub async fn run_now(&self, trigger: SyncTrigger, only: Option<&TenantId>) -> Result<SyncRunSummary, ServiceError> {
        if self.inner.clients.is_empty() {
            return Err(ServiceError::BadRequest(NOT_CONFIGURED.into()));
        }
        let tenants = match only {
            Some(id) => vec![store::tenants::find(&self.inner.db, id)
                .await?
                .ok_or_else(|| ServiceError::NotFound(format!("tenant {id} is not registered: add it with `trust-center tenant add --id {id} --name NAME`")))?],
            None => store::tenants::list(&self.inner.db).await?,
        };
        let run_id = store::sync_runs::create(&self.inner.db, trigger.as_str(), tenants.len() as u32, Utc::now()).await?;
        run_tenants(&self.inner.db, &self.inner.clients, &self.inner.settings, run_id, tenants).await
    }

    /// Returns the id of the run in progress in this process, if any.
    pub fn running_run(&self) -> Option<i64> {
        self.inner.running.lock().ok().and_then(|r| *r).filter(|id| *id > 0)
    }

    /// Marks a run as starting; returns the id of a run already in progress
    /// instead when there is one.
    fn reserve(&self) -> Result<Option<i64>, ServiceError> {
        let mut running = self.lock_running()?;
        match *running {
            Some(run_id) => Ok(Some(run_id)),
            None => {
                *running = Some(-1);
                Ok(None)
            }
        }
    }

    fn lock_running(&self) -> Result<std::sync::MutexGuard<'_, Option<i64>>, ServiceError> {
        self.inner
            .running
            .lock()
            .map_err(|_| ServiceError::Internal("sync state lock poisoned".into()))
    }
}

async fn run_tenants(
    db: &DatabaseConnection,
    clients: &GraphClients,
    settings: &SyncSettings,
    run_id: i64,
    tenants: Vec<tenant::Model>,
) -> Result<SyncRunSummary, ServiceError> {
    tracing::info!(sync.run_id = run_id, tenants = tenants.len(), "sync run {run_id} started");
    let mut outcomes: Vec<TenantOutcome> = Vec::with_capacity(tenants.len());
    let mut results = futures::stream::iter(tenants)
        .map(|tenant| async move {
            let tenant_pk = tenant.id;
            let had_data = tenant.latest_snapshot_date.is_some();
            let outcome = sync_tenant(db, clients, settings, tenant).await;
            evaluate_alerts(db, settings, tenant_pk, had_data, &outcome.tenant_id).await;
            outcome
        })
        .buffer_unordered(settings.concurrency.max(1));
    let (mut failed, mut snapshots) = (0u32, 0u32);
    while let Some(outcome) = results.next().await {
        if SyncStatus::parse(&outcome.status).is_none_or(SyncStatus::is_failure) {
            failed += 1;
        }
        snapshots += outcome.snapshots_written;
        outcomes.push(outcome);
        if let Err(e) = store::sync_runs::record_progress(db, run_id, outcomes.len() as u32, failed, snapshots).await {
            tracing::warn!(sync.run_id = run_id, error = %e, "could not record progress of sync run {run_id}");
        }
    }
    let status = if failed == 0 {
        "succeeded"
    } else if failed as usize == outcomes.len() {
        "failed"
    } else {
        "partial"
    };
    store::sync_runs::finish(db, run_id, status, &outcomes, Utc::now()).await?;
    tracing::info!(sync.run_id = run_id, status, failed, snapshots, "sync run {run_id} finished: {status}");
    store::sync_runs::latest(db)
        .await?
        .filter(|run| run.id == run_id)
        .ok_or_else(|| ServiceError::Internal(format!("sync run {run_id} vanished")))
}

/// Runs the alert rules for a tenant whose sync just ended, successful or
/// not. A failure is logged and never fails the sync.
async fn evaluate_alerts(db: &DatabaseConnection, settings: &SyncSettings, tenant_pk: i32, had_data: bool, tenant_id: &str) {
    match crate::alerts::evaluate_after_sync(db, tenant_pk, had_data, Utc::now()).await {
        Ok(evaluation) => {
            if evaluation.opened > 0 || evaluation.resolved > 0 {
                tracing::info!(
                    tenant.id = %tenant_id,
                    opened = evaluation.opened,
                    resolved = evaluation.resolved,
                    queued = evaluation.queued,
                    "alerts of tenant {tenant_id}: {} opened, {} resolved",
                    evaluation.opened,
                    evaluation.resolved
                );
            }
            if evaluation.queued > 0 {
                if let Some(wake) = &settings.alert_wake {
                    wake.notify_one();
                }
            }
        }
        Err(e) => tracing::error!(tenant.id = %tenant_id, error = %e, "evaluating the alert rules of tenant {tenant_id} failed"),
    }
}

/// Computes how many days of `secureScores` to request: the whole history on
/// a first sync, afterwards the days since the newest stored snapshot plus
/// two (at least three), so a re-sync also refreshes the last couple of days.
pub fn days_to_request(latest: Option<NaiveDate>, today: NaiveDate, first_sync_days: u32) -> u32 {
    match latest {
        None => first_sync_days,
        Some(latest) => ((today - latest).num_days() + 2).clamp(3, first_sync_days.max(3) as i64) as u32,
    }
}

async fn sync_tenant(db: &DatabaseConnection, clients: &GraphClients, settings: &SyncSettings, tenant: tenant::Model) -> TenantOutcome {
    let started = Instant::now();
    let finish = |status: SyncStatus, message: Option<String>, snapshots: u32| TenantOutcome {
        tenant_id: tenant.tenant_id.clone(),
        status: status.as_str().to_owned(),
        message,
        snapshots_written: snapshots,
        duration_ms: started.elapsed().as_millis() as i64,
    };
    let id = match TenantId::parse(&tenant.tenant_id) {
        Ok(id) => id,
        Err(e) => return finish(SyncStatus::Failed, Some(e.to_string()), 0),
    };
    let Some(graph) = clients.for_tenant(id.as_str()) else {
        let message = NOT_CONFIGURED;
        if let Err(e) = ingest::record_failure(db, &tenant, SyncStatus::Failed, message, Utc::now()).await {
            tracing::error!(tenant.id = %id, error = %e, "could not record the sync failure of tenant {id}");
        }
        return finish(SyncStatus::Failed, Some(message.to_owned()), 0);
    };
    let top = days_to_request(tenant.latest_snapshot_date, Utc::now().date_naive(), settings.first_sync_days);
    let (scores, profiles) = tokio::join!(graph.secure_scores(&id, top), graph.control_profiles(&id));
    let fetched = scores.and_then(|s| profiles.map(|p| (s, p)));
    let (scores, profiles) = match fetched {
        Ok(both) => both,
        Err(error) => return record_graph_failure(db, &tenant, &error, finish).await,
    };
    let mut warnings = scores.warnings.clone();
    warnings.extend(profiles.warnings.iter().cloned());
    match ingest::ingest_tenant(db, &tenant, &scores.records, Some(&profiles.profiles), &warnings, Utc::now()).await {
        Ok(outcome) => {
            let status = outcome.status.unwrap_or(SyncStatus::Ok);
            tracing::info!(
                tenant.id = %id,
                snapshots = outcome.snapshots_written,
                profiles = outcome.profiles_written,
                "synced tenant {id}: {} snapshot(s), {} profile(s)",
                outcome.snapshots_written,
                outcome.profiles_written
            );
            let message = (status == SyncStatus::NoData).then(|| ingest::NO_DATA_MESSAGE.to_owned());
            finish(status, message, outcome.snapshots_written)
        }
        Err(e) => {
            tracing::error!(tenant.id = %id, error = %e, "storing tenant {id} failed; the transaction was rolled back");
            let message = "Storing the synced data failed; nothing was changed. The server log has the cause.";
            if let Err(e) = ingest::record_failure(db, &tenant, SyncStatus::Failed, message, Utc::now()).await {
                tracing::error!(tenant.id = %id, error = %e, "could not record the sync failure of tenant {id}");
            }
            finish(SyncStatus::Failed, Some(message.to_owned()), 0)
        }
    }
}

async fn record_graph_failure(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    error: &GraphError,
    finish: impl Fn(SyncStatus, Option<String>, u32) -> TenantOutcome,
) -> TenantOutcome {
    let status = error.sync_status();
    let message = error.user_message();
    tracing::warn!(tenant.id = %tenant.tenant_id, status = status.as_str(), error = %error, "sync of tenant {} failed", tenant.tenant_id);
    if let Err(e) = ingest::record_failure(db, tenant, status, &message, Utc::now()).await {
        tracing::error!(tenant.id = %tenant.tenant_id, error = %e, "could not record the sync failure of tenant {}", tenant.tenant_id);
    }
    finish(status, Some(message), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn first_sync_asks_for_the_whole_history() {
        assert_eq!(days_to_request(None, date("2026-12-04"), 91), 91);
    }

    #[test]
    fn later_syncs_ask_for_a_few_days() {
        assert_eq!(days_to_request(Some(date("2026-12-04")), date("2026-12-04"), 90), 3);
        assert_eq!(days_to_request(Some(date("2026-11-29")), date("2026-12-04"), 90), 7);
        assert_eq!(days_to_request(Some(date("2025-01-01")), date("2026-12-04"), 90), 90);
    }
}
