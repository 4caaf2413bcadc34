//! Improvement actions at ingestion: the tenant's open gaps and the action
//! catalogue are rewritten from its latest snapshot and profiles, and
//! tracked statuses are checked against the new scores, in the same
//! transaction as the snapshot.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::recommendations::Status;
use domain::score::points_text;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entity::{action_catalogue, action_gap, control_profile, control_score, recommendation_history, recommendation_status, tenant};
use crate::graph::wire::ControlProfile;

/// Actor name of status changes made by a sync.
pub const SYNC_ACTOR: &str = "sync";

/// Points below the maximum that still count as full score (rounding in
/// Graph's figures).
const FULL_SCORE_TOLERANCE: f64 = 0.005;

/// Effective states in which Microsoft no longer counts an action as open.
const CLOSED_STATES: [&str; 2] = ["Ignored", "ThirdParty"];

/// Returns whether Microsoft no longer counts a control in `state` as open.
pub fn is_closed_state(state: &str) -> bool {
    CLOSED_STATES.iter().any(|closed| closed.eq_ignore_ascii_case(state))
}

/// Updates the catalogue with the profiles Graph just sent.
pub async fn update_catalogue(txn: &impl ConnectionTrait, profiles: &[ControlProfile], now: DateTime<Utc>) -> Result<(), DbErr> {
    let rows: Vec<action_catalogue::ActiveModel> = profiles
        .iter()
        .map(|p| action_catalogue::ActiveModel {
            control_id: Set(p.id.clone()),
            title: Set(p.title.clone()),
            control_category: Set(p.control_category.clone()),
            implementation_cost: Set(p.implementation_cost.clone()),
            user_impact: Set(p.user_impact.clone()),
            service: Set(p.service.clone()),
            action_url: Set(p.action_url.clone()),
            remediation: Set(p.remediation.clone()),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    let on_conflict = OnConflict::column(action_catalogue::Column::ControlId)
        .update_columns([
            action_catalogue::Column::Title,
            action_catalogue::Column::ControlCategory,
            action_catalogue::Column::ImplementationCost,
            action_catalogue::Column::UserImpact,
            action_catalogue::Column::Service,
            action_catalogue::Column::ActionUrl,
            action_catalogue::Column::Remediation,
            action_catalogue::Column::UpdatedAt,
        ])
        .to_owned();
    // Graph may list one id twice; the chunk must not repeat a key.
    let mut seen = std::collections::HashSet::new();
    let rows: Vec<action_catalogue::ActiveModel> =
        rows.into_iter().filter(|r| seen.insert(r.control_id.clone().unwrap())).collect();
    for chunk in rows.chunks(200) {
        action_catalogue::Entity::insert_many(chunk.to_vec())
            .on_conflict(on_conflict.clone())
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// A scored control of the latest snapshot with its profile.
struct Scored {
    score: f64,
    max: f64,
    open: bool,
}

/// Rewrites the tenant's gaps from its latest snapshot, then completes or
/// reopens tracked statuses by the new scores.
pub async fn refresh(txn: &impl ConnectionTrait, tenant_pk: i32, now: DateTime<Utc>) -> Result<(), DbErr> {
    action_gap::Entity::delete_many()
        .filter(action_gap::Column::TenantPk.eq(tenant_pk))
        .exec(txn)
        .await?;
    let latest: Option<Option<i64>> = tenant::Entity::find_by_id(tenant_pk)
        .select_only()
        .column(tenant::Column::LatestSnapshotId)
        .into_tuple()
        .one(txn)
        .await?;
    let Some(snapshot_id) = latest.flatten() else {
        return Ok(());
    };
    let scored = scored_controls(txn, tenant_pk, snapshot_id).await?;

    let gaps: Vec<action_gap::ActiveModel> = scored
        .iter()
        .filter(|(_, s)| s.open && s.max - s.score > FULL_SCORE_TOLERANCE)
        .map(|(id, s)| action_gap::ActiveModel {
            tenant_pk: Set(tenant_pk),
            control_id: Set(id.clone()),
            score: Set(s.score),
            max_score: Set(s.max),
            ..Default::default()
        })
        .collect();
    for chunk in gaps.chunks(300) {
        action_gap::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    verify_statuses(txn, tenant_pk, &scored, now).await
}

async fn scored_controls(txn: &impl ConnectionTrait, tenant_pk: i32, snapshot_id: i64) -> Result<HashMap<String, Scored>, DbErr> {
    let scores: Vec<(String, f64)> = control_score::Entity::find()
        .select_only()
        .column(control_score::Column::ControlName)
        .column(control_score::Column::Score)
        .filter(control_score::Column::SnapshotId.eq(snapshot_id))
        .into_tuple()
        .all(txn)
        .await?;
    let profiles: HashMap<String, (Option<f64>, bool, String)> = control_profile::Entity::find()
        .select_only()
        .column(control_profile::Column::ControlId)
        .column(control_profile::Column::MaxScore)
        .column(control_profile::Column::Deprecated)
        .column(control_profile::Column::EffectiveState)
        .filter(control_profile::Column::TenantId.eq(tenant_pk))
        .into_tuple::<(String, Option<f64>, bool, String)>()
        .all(txn)
        .await?
        .into_iter()
        .map(|(id, max, deprecated, state)| (id, (max, deprecated, state)))
        .collect();
    Ok(scores
        .into_iter()
        .filter_map(|(id, score)| {
            let (max, deprecated, state) = profiles.get(&id)?;
            let max = (*max)?;
            let open = !deprecated && !is_closed_state(state);
            Some((id, Scored { score, max, open }))
        })
        .collect())
}

/// Completes tracked actions that reached full score and reopens verified
/// completions that fell back, with a history entry for each.
async fn verify_statuses(
    txn: &impl ConnectionTrait,
    tenant_pk: i32,
    scored: &HashMap<String, Scored>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let statuses = recommendation_status::Entity::find()
        .filter(recommendation_status::Column::TenantPk.eq(tenant_pk))
        .filter(recommendation_status::Column::Status.ne(Status::RiskAccepted.as_str()))
        .all(txn)
        .await?;
    for row in statuses {
        let Some(control) = scored.get(&row.control_id) else {
            continue;
        };
        let full = control.max - control.score <= FULL_SCORE_TOLERANCE;
        let status = Status::parse(&row.status).unwrap_or(Status::NotStarted);
        let verified = row.completed_at.is_some();
        let (to, note, completed_at, regression, gained) = match (status, full, verified) {
            (Status::Completed, true, true) => continue,
            (_, true, _) => {
                let gained = row.baseline_score.map(|b| (control.score - b).max(0.0));
                let note = format!(
                    "Microsoft reports the control at full score ({} of {} points){}.",
                    points_text(control.score),
                    points_text(control.max),
                    gained.map(|g| format!(": {} points gained", points_text(g))).unwrap_or_default()
                );
                (Status::Completed, note, Some(now), false, gained)
            }
            (Status::Completed, false, true) => {
                let note = format!(
                    "Regression: the score fell back to {} of {} points after completion; reopened.",
                    points_text(control.score),
                    points_text(control.max)
                );
                (Status::NotStarted, note, None, true, None)
            }
            _ => continue,
        };
        let from = row.status.clone();
        let mut active: recommendation_status::ActiveModel = row.clone().into();
        active.status = Set(to.as_str().to_owned());
        active.completed_at = Set(completed_at);
        active.regression = Set(regression);
        active.points_gained = Set(gained);
        if to != Status::Planned && to != Status::InProgress {
            active.target_date = Set(None);
        }
        active.updated_by = Set(Some(SYNC_ACTOR.to_owned()));
        active.updated_at = Set(now);
        active.update(txn).await?;
        recommendation_history::ActiveModel {
            tenant_pk: Set(tenant_pk),
            control_id: Set(row.control_id.clone()),
            from_status: Set(Some(from)),
            to_status: Set(to.as_str().to_owned()),
            target_date: Set(None),
            justification: Set(None),
            actor: Set(SYNC_ACTOR.to_owned()),
            note: Set(Some(note)),
            at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

