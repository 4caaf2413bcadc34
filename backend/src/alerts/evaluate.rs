//! Runs the alert rules for one tenant after its sync and stores the
//! outcome: new episodes open an alert and queue one notice per matching
//! channel; held episodes are refreshed; cleared ones resolve.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use domain::alerts::{self, ChannelFilter, Condition, NewAction, OpenAlert, TenantState, Thresholds, EVENT_DAYS};
use domain::score::DailyScore;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use serde_json::json;

use super::config::{channel_filter, effective_thresholds};
use crate::entity::{alert, alert_channel, alert_delivery, control_profile, control_score, score_snapshot, tenant};
use crate::error::ServiceError;

/// Counts of the changes one evaluation made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub opened: u32,
    pub resolved: u32,
    pub kept: u32,
    /// Notices queued for delivery.
    pub queued: u32,
}

/// Days of history read before the latest snapshot: the drop window or the
/// milestone week, whichever is longer, and the day before it (a crossing
/// needs the day under the target).
fn history_days(thresholds: &Thresholds) -> i64 {
    i64::from(thresholds.drop_days).max(EVENT_DAYS) + 2
}

/// Evaluates the rules for the tenant with primary key `tenant_pk` as of
/// `now` and stores the result, queuing notices for new alerts.
pub async fn evaluate_tenant(db: &DatabaseConnection, tenant_pk: i32, now: DateTime<Utc>) -> Result<Evaluation, ServiceError> {
    evaluate(db, tenant_pk, None, now).await
}

/// Evaluates the rules after a tenant's sync. `had_data_before` is whether
/// the tenant had a snapshot before this sync. The sync that brings a
/// tenant's first data (its whole history) opens alerts without notices,
/// because what it finds is the state at onboarding, not news.
pub async fn evaluate_after_sync(
    db: &DatabaseConnection,
    tenant_pk: i32,
    had_data_before: bool,
    now: DateTime<Utc>,
) -> Result<Evaluation, ServiceError> {
    evaluate(db, tenant_pk, Some(had_data_before), now).await
}

async fn evaluate(db: &DatabaseConnection, tenant_pk: i32, had_data_before: Option<bool>, now: DateTime<Utc>) -> Result<Evaluation, ServiceError> {
    let Some(tenant) = tenant::Entity::find_by_id(tenant_pk).one(db).await? else {
        return Ok(Evaluation::default());
    };
    let onboarding = had_data_before == Some(false) && tenant.latest_snapshot_date.is_some();
    let thresholds = effective_thresholds(db, tenant_pk).await?;
    let conditions = if tenant.excluded { Vec::new() } else { conditions_for(db, &tenant, &thresholds, now).await? };

    let open: Vec<alert::Model> = alert::Entity::find()
        .filter(alert::Column::TenantPk.eq(tenant_pk))
        .filter(alert::Column::OpenKey.is_not_null())
        .all(db)
        .await?;
    let stored: Vec<OpenAlert> = open
        .iter()
        .filter_map(|a| Some(OpenAlert { kind: alerts::AlertKind::parse(&a.kind)?, key: a.episode_key.clone() }))
        .collect();
    let plan = alerts::reconcile(&stored, conditions);
    let channels: Vec<(i32, ChannelFilter)> = if onboarding {
        Vec::new()
    } else {
        alert_channel::Entity::find()
            .filter(alert_channel::Column::Enabled.eq(true))
            .order_by_asc(alert_channel::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|c| (c.id, channel_filter(c)))
            .collect()
    };

    let _turn = crate::store::ingest::sqlite_turn(db).await;
    let txn = db.begin().await?;
    let result = store(&txn, &tenant, &open, plan, &channels, now).await;
    match result {
        Ok(evaluation) => {
            txn.commit().await?;
            Ok(evaluation)
        }
        Err(e) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(tenant.id = %tenant.tenant_id, error = %rollback, "rolling back the alert evaluation failed");
            }
            Err(e.into())
        }
    }
}

async fn store(
    txn: &impl ConnectionTrait,
    tenant: &tenant::Model,
    open: &[alert::Model],
    plan: alerts::Reconciled,
    channels: &[(i32, ChannelFilter)],
    now: DateTime<Utc>,
) -> Result<Evaluation, DbErr> {
    let mut evaluation = Evaluation::default();
    let by_key: HashMap<&str, &alert::Model> = open.iter().map(|a| (a.episode_key.as_str(), a)).collect();
    for key in &plan.resolve {
        let Some(found) = by_key.get(key.as_str()) else { continue };
        alert::ActiveModel {
            id: Set(found.id),
            open_key: Set(None),
            resolved_at: Set(Some(now)),
            ..Default::default()
        }
        .update(txn)
        .await?;
        evaluation.resolved += 1;
    }
    for condition in &plan.keep {
        let Some(found) = by_key.get(condition.key.as_str()) else { continue };
        alert::ActiveModel {
            id: Set(found.id),
            severity: Set(condition.severity.as_str().to_owned()),
            message: Set(condition.message.clone()),
            details: Set(details(condition)),
            last_seen_at: Set(now),
            ..Default::default()
        }
        .update(txn)
        .await?;
        evaluation.kept += 1;
    }
    for condition in &plan.open {
        let row = alert::ActiveModel {
            tenant_pk: Set(tenant.id),
            kind: Set(condition.kind.as_str().to_owned()),
            episode_key: Set(condition.key.clone()),
            open_key: Set(Some(condition.key.clone())),
            severity: Set(condition.severity.as_str().to_owned()),
            message: Set(condition.message.clone()),
            details: Set(details(condition)),
            opened_at: Set(now),
            last_seen_at: Set(now),
            ..Default::default()
        };
        // Another process may have opened the same episode a moment ago.
        // The unique (tenant, open key) index keeps one row, so only the
        // process that inserted it queues notices.
        let inserted = alert::Entity::insert(row)
            .on_conflict(OnConflict::columns([alert::Column::TenantPk, alert::Column::OpenKey]).do_nothing().to_owned())
            .exec_without_returning(txn)
            .await?;
        if inserted == 0 {
            continue;
        }
        evaluation.opened += 1;
        let Some(saved) = alert::Entity::find()
            .filter(alert::Column::TenantPk.eq(tenant.id))
            .filter(alert::Column::OpenKey.eq(condition.key.clone()))
            .one(txn)
            .await?
        else {
            continue;
        };
        for (channel_id, filter) in channels {
            if !filter.accepts(condition.kind, &tenant.tenant_id, condition.severity) {
                continue;
            }
            alert_delivery::ActiveModel {
                alert_id: Set(saved.id),
                channel_id: Set(*channel_id),
                status: Set("pending".to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(Some(now)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            evaluation.queued += 1;
        }
    }
    Ok(evaluation)
}

fn details(condition: &Condition) -> serde_json::Value {
    match &condition.drop {
        Some(cause) => json!({ "drop": cause }),
        None => json!({}),
    }
}

/// Reads the tenant's recent history, control scores and new actions, and
/// evaluates the rules.
async fn conditions_for(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
) -> Result<Vec<Condition>, ServiceError> {
    let mut history: Vec<(i64, DailyScore)> = Vec::new();
    if let Some(latest) = tenant.latest_snapshot_date {
        let from = latest - Duration::days(history_days(thresholds));
        let rows: Vec<(i64, chrono::NaiveDate, f64, f64)> = score_snapshot::Entity::find()
            .select_only()
            .column(score_snapshot::Column::Id)
            .column(score_snapshot::Column::SnapshotDate)
            .column(score_snapshot::Column::CurrentScore)
            .column(score_snapshot::Column::MaxScore)
            .filter(score_snapshot::Column::TenantId.eq(tenant.id))
            .filter(score_snapshot::Column::SnapshotDate.gte(from))
            .into_tuple()
            .all(db)
            .await?;
        history = rows.into_iter().map(|(id, date, current, max)| (id, DailyScore { date, current, max })).collect();
    }
    let days: Vec<DailyScore> = history.iter().map(|(_, d)| *d).collect();
    let snapshot_id = |date: chrono::NaiveDate| history.iter().find(|(_, d)| d.date == date).map(|(id, _)| *id);
    let latest_id = days.iter().max_by_key(|d| d.date).and_then(|d| snapshot_id(d.date));
    let base_id = alerts::drop_base(&days, thresholds.drop_days).and_then(|d| snapshot_id(d.date));
    let latest_controls = control_points(db, latest_id).await?;
    let base_controls = control_points(db, base_id).await?;

    let new_actions: Vec<NewAction> = control_profile::Entity::find()
        .select_only()
        .column(control_profile::Column::ControlId)
        .column(control_profile::Column::Title)
        .column(control_profile::Column::AddedAt)
        .filter(control_profile::Column::TenantId.eq(tenant.id))
        .filter(control_profile::Column::AddedAt.gte(now - Duration::days(EVENT_DAYS)))
        .into_tuple::<(String, Option<String>, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(control_id, title, added_at)| Some(NewAction { control_id, title, added_at: added_at? }))
        .collect();

    let state = TenantState {
        history: &days,
        latest_controls: &latest_controls,
        base_controls: &base_controls,
        new_actions: &new_actions,
        latest_created: tenant.latest_created_at,
        failed_syncs_in_a_row: u32::try_from(tenant.failed_syncs).unwrap_or(0),
        now,
    };
    Ok(alerts::evaluate(&state, thresholds))
}

async fn control_points(db: &DatabaseConnection, snapshot_id: Option<i64>) -> Result<Vec<(String, f64)>, DbErr> {
    let Some(id) = snapshot_id else {
        return Ok(Vec::new());
    };
    control_score::Entity::find()
        .select_only()
        .column(control_score::Column::ControlName)
        .column(control_score::Column::Score)
        .filter(control_score::Column::SnapshotId.eq(id))
        .into_tuple()
        .all(db)
        .await
}
