//! Ingestion of one tenant's Graph payloads into the store.
//!
//! Everything for a tenant is written in one transaction: profiles,
//! snapshots (one per UTC day, overwritten when the same day is synced
//! again), their control scores, and the tenant's precomputed summary.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use domain::score::{self, ControlPoints, DailyScore, MaxSource};
use domain::{Category, SyncStatus};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::json;

use crate::entity::{control_description, control_profile, control_score, score_snapshot, tenant};
use crate::graph::wire::{ControlProfile, SecureScoreRecord};

/// The result of one ingestion.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestOutcome {
    pub snapshots_written: u32,
    pub profiles_written: u32,
    /// Data-quality notes (duplicate days, records of another tenant, ...).
    pub warnings: Vec<String>,
    pub status: Option<SyncStatus>,
}

/// Serialises ingestion transactions on SQLite inside this process. SQLite
/// allows one writer at a time, and two deferred transactions that both read
/// before writing fail with "database is locked" instead of waiting, so
/// tenants synced in parallel take turns here; PostgreSQL needs no turn.
static SQLITE_WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Takes this process's SQLite writer turn (see [`SQLITE_WRITER`]) for a
/// write transaction outside ingestion; `None` on PostgreSQL.
pub(crate) async fn sqlite_turn(db: &DatabaseConnection) -> Option<tokio::sync::MutexGuard<'static, ()>> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        Some(SQLITE_WRITER.lock().await)
    } else {
        None
    }
}

/// Attempts for a transaction that another process's writer kept busy.
const BUSY_ATTEMPTS: u32 = 3;

/// Stores `records` (Graph order: newest first) and, when given, replaces the
/// tenant's control profiles with `profiles`. Runs in one transaction, retried
/// when SQLite reports the database busy.
pub async fn ingest_tenant(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    records: &[SecureScoreRecord],
    profiles: Option<&[ControlProfile]>,
    fetch_warnings: &[String],
    now: DateTime<Utc>,
) -> Result<IngestOutcome, DbErr> {
    let sqlite = db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
    let _turn = if sqlite { Some(SQLITE_WRITER.lock().await) } else { None };
    let mut attempt = 1;
    loop {
        match ingest_once(db, tenant, records, profiles, fetch_warnings, now).await {
            Err(e) if sqlite && attempt < BUSY_ATTEMPTS && is_busy(&e) => {
                tracing::warn!(tenant.id = %tenant.tenant_id, attempt, "database busy while storing tenant {}; retrying", tenant.tenant_id);
                tokio::time::sleep(std::time::Duration::from_millis(250 * u64::from(attempt))).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_busy(error: &DbErr) -> bool {
    let text = error.to_string();
    text.contains("database is locked") || text.contains("SQLITE_BUSY")
}

async fn ingest_once(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    records: &[SecureScoreRecord],
    profiles: Option<&[ControlProfile]>,
    fetch_warnings: &[String],
    now: DateTime<Utc>,
) -> Result<IngestOutcome, DbErr> {
    let txn = db.begin().await?;
    match write_all(&txn, tenant, records, profiles, fetch_warnings, now).await {
        Ok(outcome) => {
            txn.commit().await?;
            Ok(outcome)
        }
        Err(error) => {
            // An explicit rollback: a transaction only dropped may reach the
            // pool still open on SQLite and keep the write lock.
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(tenant.id = %tenant.tenant_id, error = %rollback, "rolling back the failed ingestion failed: {rollback}");
            }
            Err(error)
        }
    }
}

async fn write_all(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    records: &[SecureScoreRecord],
    profiles: Option<&[ControlProfile]>,
    fetch_warnings: &[String],
    now: DateTime<Utc>,
) -> Result<IngestOutcome, DbErr> {
    let mut outcome = IngestOutcome {
        warnings: fetch_warnings.to_vec(),
        ..Default::default()
    };

    if let Some(profiles) = profiles {
        outcome.profiles_written = replace_profiles(txn, tenant.id, profiles, now, &mut outcome.warnings).await?;
        super::actions::update_catalogue(txn, profiles, now).await?;
    }
    let profile_max = load_profile_maxima(txn, tenant.id).await?;

    let kept = keep_one_record_per_day(tenant, records, &mut outcome.warnings);
    for record in &kept {
        write_snapshot(txn, tenant.id, record, &profile_max, &outcome.warnings, now).await?;
        outcome.snapshots_written += 1;
    }
    if let Some(newest) = kept.first() {
        write_descriptions(txn, tenant.id, newest).await?;
    }

    let status = refresh_summary(txn, tenant, now).await?;
    super::actions::refresh(txn, tenant.id, now).await?;
    outcome.status = Some(status);
    Ok(outcome)
}

/// Graph lists newest first; a second record for a day already seen is
/// dropped with a warning, and so is a record of another tenant.
fn keep_one_record_per_day<'a>(
    tenant: &tenant::Model,
    records: &'a [SecureScoreRecord],
    warnings: &mut Vec<String>,
) -> Vec<&'a SecureScoreRecord> {
    let mut seen: HashSet<NaiveDate> = HashSet::new();
    let mut kept = Vec::new();
    for record in records {
        if let Some(owner) = record.azure_tenant_id.as_deref() {
            if !owner.eq_ignore_ascii_case(&tenant.tenant_id) {
                warnings.push(format!(
                    "Skipped a snapshot of {} dated {}: it names tenant {owner}, not this tenant.",
                    record.snapshot_date(),
                    record.created_date_time.format("%Y-%m-%dT%H:%M:%SZ"),
                ));
                continue;
            }
        }
        let day = record.snapshot_date();
        if seen.insert(day) {
            kept.push(record);
        } else {
            warnings.push(format!(
                "Graph returned more than one snapshot for {day}; kept the first one listed (newest) and ignored {}.",
                record.id.as_deref().unwrap_or("one without an id"),
            ));
        }
    }
    kept
}

async fn replace_profiles(
    txn: &impl ConnectionTrait,
    tenant_pk: i32,
    profiles: &[ControlProfile],
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Result<u32, DbErr> {
    // Carry each control's first sighting over the replacement. A tenant's
    // first profiles are all "already there"; later ones are new from now.
    let known: HashMap<String, Option<DateTime<Utc>>> = control_profile::Entity::find()
        .select_only()
        .column(control_profile::Column::ControlId)
        .column(control_profile::Column::AddedAt)
        .filter(control_profile::Column::TenantId.eq(tenant_pk))
        .into_tuple::<(String, Option<DateTime<Utc>>)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    control_profile::Entity::delete_many()
        .filter(control_profile::Column::TenantId.eq(tenant_pk))
        .exec(txn)
        .await?;
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(profiles.len());
    for profile in profiles {
        if !seen.insert(profile.id.as_str()) {
            warnings.push(format!("Graph listed control profile {} twice; kept the first.", profile.id));
            continue;
        }
        rows.push(control_profile::ActiveModel {
            tenant_id: Set(tenant_pk),
            control_id: Set(profile.id.clone()),
            title: Set(profile.title.clone()),
            control_category: Set(profile.control_category.clone()),
            max_score: Set(profile.max_score),
            rank: Set(profile.rank),
            tier: Set(profile.tier.clone()),
            implementation_cost: Set(profile.implementation_cost.clone()),
            user_impact: Set(profile.user_impact.clone()),
            action_type: Set(profile.action_type.clone()),
            service: Set(profile.service.clone()),
            threats: Set(json!(profile.threats)),
            remediation: Set(profile.remediation.clone()),
            remediation_impact: Set(profile.remediation_impact.clone()),
            action_url: Set(profile.action_url.clone()),
            deprecated: Set(profile.deprecated.unwrap_or(false)),
            // An empty list is stored as NULL, so the compliance views find
            // the profiles that carry Graph's compliance information by an
            // IS NOT NULL test.
            compliance_information: Set(profile.compliance_information.clone().filter(|v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)))),
            control_state_updates: Set(serde_json::to_value(&profile.control_state_updates).unwrap_or_else(|_| json!([]))),
            effective_state: Set(profile.effective_state()),
            last_modified_at: Set(profile.last_modified_date_time),
            synced_at: Set(now),
            added_at: Set(match known.get(&profile.id) {
                Some(added_at) => *added_at,
                None if known.is_empty() => None,
                None => Some(now),
            }),
            ..Default::default()
        });
    }
    let written = rows.len() as u32;
    for chunk in rows.chunks(200) {
        control_profile::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    Ok(written)
}

async fn load_profile_maxima(txn: &impl ConnectionTrait, tenant_pk: i32) -> Result<HashMap<String, f64>, DbErr> {
    let rows: Vec<(String, Option<f64>)> = control_profile::Entity::find()
        .select_only()
        .column(control_profile::Column::ControlId)
        .column(control_profile::Column::MaxScore)
        .filter(control_profile::Column::TenantId.eq(tenant_pk))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows.into_iter().filter_map(|(id, max)| max.map(|m| (id, m))).collect())
}

async fn write_snapshot(
    txn: &impl ConnectionTrait,
    tenant_pk: i32,
    record: &SecureScoreRecord,
    profile_max: &HashMap<String, f64>,
    run_warnings: &[String],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let day = record.snapshot_date();
    let mut warnings: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut points = Vec::with_capacity(record.control_scores.len());
    let mut controls = Vec::with_capacity(record.control_scores.len());
    for control in &record.control_scores {
        if !seen.insert(control.control_name.as_str()) {
            warnings.push(format!("Control {} appeared twice in this snapshot; kept the first.", control.control_name));
            continue;
        }
        let category = Category::from_graph(control.control_category.as_deref().unwrap_or(""));
        let (max, source) = score::resolve_control_max(
            control.score,
            profile_max.get(&control.control_name).copied(),
            control.score_in_percentage,
        );
        points.push(ControlPoints {
            category: category.clone(),
            score: control.score,
            max,
        });
        controls.push((control, category, max, source));
    }
    let unmatched = controls.iter().filter(|c| c.3 == MaxSource::Unmatched).count();
    if unmatched > 0 {
        warnings.push(format!(
            "{unmatched} scored control(s) have no profile and no score percentage, so their maximum is unknown and left out of category maxima."
        ));
    }
    warnings.extend(run_warnings.iter().cloned());
    let categories = score::category_breakdown(&points);

    let existing = score_snapshot::Entity::find()
        .filter(score_snapshot::Column::TenantId.eq(tenant_pk))
        .filter(score_snapshot::Column::SnapshotDate.eq(day))
        .one(txn)
        .await?;
    let mut active = score_snapshot::ActiveModel {
        tenant_id: Set(tenant_pk),
        snapshot_date: Set(day),
        created_date_time: Set(record.created_date_time),
        graph_id: Set(record.id.clone()),
        current_score: Set(record.current_score),
        max_score: Set(record.max_score),
        percentage: Set(score::percentage(record.current_score, record.max_score)),
        active_user_count: Set(record.active_user_count),
        licensed_user_count: Set(record.licensed_user_count),
        enabled_services: Set(json!(record.enabled_services)),
        comparative_scores: Set(serde_json::to_value(&record.average_comparative_scores).unwrap_or_else(|_| json!([]))),
        category_scores: Set(serde_json::to_value(&categories).unwrap_or_else(|_| json!([]))),
        warnings: Set(json!(warnings)),
        synced_at: Set(now),
        ..Default::default()
    };
    let snapshot_id = match existing {
        Some(old) => {
            active.id = Set(old.id);
            let updated = active.update(txn).await?;
            control_score::Entity::delete_many()
                .filter(control_score::Column::SnapshotId.eq(updated.id))
                .exec(txn)
                .await?;
            updated.id
        }
        None => active.insert(txn).await?.id,
    };

    let rows: Vec<control_score::ActiveModel> = controls
        .into_iter()
        .map(|(control, category, max, source)| control_score::ActiveModel {
            snapshot_id: Set(snapshot_id),
            control_name: Set(control.control_name.clone()),
            control_category: Set(category.name().to_owned()),
            score: Set(control.score),
            max_score: Set(max),
            max_source: Set(max_source_name(source).to_owned()),
            score_in_percentage: Set(control.score_in_percentage),
            implementation_status: Set(control.implementation_status.clone()),
            last_synced: Set(control.last_synced),
            count: Set(control.count.clone()),
            total: Set(control.total.clone()),
            on_state: Set(control.on),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(300) {
        control_score::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    Ok(())
}

pub fn max_source_name(source: MaxSource) -> &'static str {
    match source {
        MaxSource::Profile => "profile",
        MaxSource::Derived => "derived",
        MaxSource::Unmatched => "unmatched",
    }
}

async fn write_descriptions(txn: &impl ConnectionTrait, tenant_pk: i32, newest: &SecureScoreRecord) -> Result<(), DbErr> {
    let mut seen = HashSet::new();
    let rows: Vec<control_description::ActiveModel> = newest
        .control_scores
        .iter()
        .filter(|c| seen.insert(c.control_name.as_str()))
        .filter_map(|c| {
            let description = c.description.as_ref()?.trim();
            (!description.is_empty()).then(|| control_description::ActiveModel {
                tenant_id: Set(tenant_pk),
                control_name: Set(c.control_name.clone()),
                description: Set(description.to_owned()),
                ..Default::default()
            })
        })
        .collect();
    let on_conflict = OnConflict::columns([control_description::Column::TenantId, control_description::Column::ControlName])
        .update_column(control_description::Column::Description)
        .to_owned();
    for chunk in rows.chunks(300) {
        control_description::Entity::insert_many(chunk.to_vec())
            .on_conflict(on_conflict.clone())
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Recomputes the tenant's latest figures and 7/30/90-day changes from its
/// stored snapshots and saves them on the tenant row.
async fn refresh_summary(txn: &impl ConnectionTrait, tenant: &tenant::Model, now: DateTime<Utc>) -> Result<SyncStatus, DbErr> {
    let history: Vec<(i64, NaiveDate, DateTime<Utc>, f64, f64)> = score_snapshot::Entity::find()
        .select_only()
        .column(score_snapshot::Column::Id)
        .column(score_snapshot::Column::SnapshotDate)
        .column(score_snapshot::Column::CreatedDateTime)
        .column(score_snapshot::Column::CurrentScore)
        .column(score_snapshot::Column::MaxScore)
        .filter(score_snapshot::Column::TenantId.eq(tenant.id))
        .order_by_asc(score_snapshot::Column::SnapshotDate)
        .into_tuple()
        .all(txn)
        .await?;
    let daily: Vec<DailyScore> = history
        .iter()
        .map(|(_, date, _, current, max)| DailyScore { date: *date, current: *current, max: *max })
        .collect();
    let latest = history.last();
    let changes = [7, 30, 90].map(|days| score::change_over(&daily, days));
    let status = if latest.is_some() { SyncStatus::Ok } else { SyncStatus::NoData };

    let mut active: tenant::ActiveModel = tenant.clone().into();
    active.latest_snapshot_id = Set(latest.map(|l| l.0));
    active.latest_snapshot_date = Set(latest.map(|l| l.1));
    active.latest_created_at = Set(latest.map(|l| l.2));
    active.current_score = Set(latest.map(|l| l.3));
    active.max_score = Set(latest.map(|l| l.4));
    active.percentage = Set(latest.and_then(|l| score::percentage(l.3, l.4)));
    active.trend7d = Set(changes[0].map(|c| c.change));
    active.trend30d = Set(changes[1].map(|c| c.change));
    active.trend90d = Set(changes[2].map(|c| c.change));
    active.trend_detail = Set(Some(json!({ "7": changes[0], "30": changes[1], "90": changes[2] })));
    active.sync_status = Set(status.as_str().to_owned());
    active.last_error = Set(match status {
        SyncStatus::NoData => Some(NO_DATA_MESSAGE.to_owned()),
        _ => None,
    });
    active.last_sync_at = Set(Some(now));
    active.last_success_at = Set(Some(now));
    active.failed_syncs = Set(0);
    active.updated_at = Set(now);
    active.update(txn).await?;
    Ok(status)
}

pub const NO_DATA_MESSAGE: &str = "Graph returned no Secure Score snapshot for this tenant yet. Microsoft calculates the first score within about 24 hours of the service being available; nothing is wrong with consent.";

/// Records a failed sync on the tenant without touching any stored data.
pub async fn record_failure(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    status: SyncStatus,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // One statement, so the count of failures in a row stays exact when two
    // processes record failures of the same tenant.
    tenant::Entity::update_many()
        .col_expr(tenant::Column::SyncStatus, Expr::value(status.as_str()))
        .col_expr(tenant::Column::LastError, Expr::value(message))
        .col_expr(tenant::Column::LastSyncAt, Expr::value(now))
        .col_expr(tenant::Column::UpdatedAt, Expr::value(now))
        .col_expr(tenant::Column::FailedSyncs, Expr::col(tenant::Column::FailedSyncs).add(1))
        .filter(tenant::Column::Id.eq(tenant.id))
        .exec(db)
        .await?;
    Ok(())
}
