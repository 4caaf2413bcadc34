//! Ranked improvement actions and their status workflow. Rankings read the
//! gaps precomputed at ingestion (`store::actions`), the action catalogue
//! and the stored statuses: three queries, whatever the number of tenants.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::recommendations::{
    self, AcceptedRisk, ActionDetail, ActionInfo, AffectedTenant, CompletedAction, Gap, GraphWriteBack, HistoryEntry, OpenAction, Projection,
    Recommendation, RecommendationPage, ReportActions, Status, StatusChange, Tag, TenantOutcome,
};
use domain::score::round2;
use domain::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::analytics::Actor;
use crate::auth::audit::{self, NewAuditEvent};
use crate::entity::{action_catalogue, action_gap, control_profile, control_score, recommendation_history, recommendation_status, tenant};
use crate::error::ServiceError;
use crate::graph::client::{ControlProfileUpdate, VendorInformation};
use crate::graph::GraphClient;
use crate::sync::SyncHandle;

/// Filters of `GET recommendations`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Category name, case-insensitive.
    pub category: Option<String>,
    pub tag: Option<Tag>,
    /// Only actions open in this tenant.
    pub tenant: Option<TenantId>,
    /// Only actions with at least one tenant in this status.
    pub status: Option<Status>,
    /// Only actions that support a control of this framework.
    pub framework: Option<domain::compliance::Framework>,
}

/// Everything a ranking needs, read in a fixed number of queries.
struct Loaded {
    /// Included tenants with data, by primary key.
    tenants: HashMap<i32, tenant::Model>,
    gaps: Vec<Gap>,
    statuses: Vec<recommendation_status::Model>,
    catalogue: Vec<ActionInfo>,
}

impl Loaded {
    /// (control, tenant id) -> status, for included tenants.
    fn status_map(&self) -> BTreeMap<(String, String), Status> {
        self.statuses
            .iter()
            .filter_map(|s| {
                let tenant = self.tenants.get(&s.tenant_pk)?;
                Some(((s.control_id.clone(), tenant.tenant_id.clone()), Status::parse(&s.status)?))
            })
            .collect()
    }

    /// Gaps without the ones a tenant accepted as a risk.
    fn open_gaps(&self) -> Vec<Gap> {
        let accepted: HashSet<(String, String)> = self
            .status_map()
            .into_iter()
            .filter(|(_, status)| *status == Status::RiskAccepted)
            .map(|(key, _)| key)
            .collect();
        self.gaps
            .iter()
            .filter(|g| !accepted.contains(&(g.control_id.clone(), g.tenant_id.clone())))
            .cloned()
            .collect()
    }
}

async fn load(db: &DatabaseConnection) -> Result<Loaded, ServiceError> {
    let tenants: HashMap<i32, tenant::Model> = tenant::Entity::find()
        .filter(tenant::Column::Excluded.eq(false))
        .filter(tenant::Column::Percentage.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let gaps: Vec<Gap> = action_gap::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|g| {
            let tenant = tenants.get(&g.tenant_pk)?;
            Some(Gap {
                tenant_id: tenant.tenant_id.clone(),
                display_name: tenant.display_name.clone(),
                control_id: g.control_id,
                score: g.score,
                max: g.max_score,
                tenant_max: tenant.max_score.unwrap_or(0.0),
                tenant_current: tenant.current_score.unwrap_or(0.0),
            })
        })
        .collect();
    let statuses = recommendation_status::Entity::find().all(db).await?;
    let catalogue = action_catalogue::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| ActionInfo {
            control_id: a.control_id,
            title: a.title,
            category: a.control_category,
            implementation_cost: a.implementation_cost,
            user_impact: a.user_impact,
            service: a.service,
            action_url: a.action_url,
        })
        .collect();
    Ok(Loaded { tenants, gaps, statuses, catalogue })
}

/// Ranks every action and returns page `page` (from 1) of those matching
/// `filters`. Rejects an unknown tenant with `NotFound`.
pub async fn list(db: &DatabaseConnection, filters: &Filters, page: u32, page_size: u32) -> Result<RecommendationPage, ServiceError> {
    let loaded = load(db).await?;
    let mut gaps = loaded.open_gaps();
    if let Some(id) = &filters.tenant {
        if !loaded.tenants.values().any(|t| t.tenant_id == id.as_str()) {
            return Err(ServiceError::NotFound(format!(
                "tenant '{id}' is not a registered tenant with data in the portfolio: GET tenants lists them"
            )));
        }
        gaps.retain(|g| g.tenant_id == id.as_str());
    }
    let mut ranked = recommendations::rank(&loaded.catalogue, &gaps, &loaded.status_map(), loaded.tenants.len());
    let mapping = crate::compliance::effective(db).await?;
    for item in &mut ranked {
        item.frameworks = mapping.frameworks_of(&item.id);
    }
    let matching: Vec<Recommendation> = ranked
        .into_iter()
        .filter(|r| filters.framework.is_none_or(|f| r.frameworks.contains(&f)))
        .filter(|r| filters.category.as_ref().is_none_or(|c| r.category.eq_ignore_ascii_case(c.trim())))
        .filter(|r| filters.tag.is_none_or(|t| r.tag == Some(t)))
        .filter(|r| filters.status.is_none_or(|s| r.status_counts.get(s) > 0))
        .collect();
    let total_items = matching.len() as u32;
    let page_size = page_size.max(1);
    let items = matching.into_iter().skip(((page.max(1) - 1) * page_size) as usize).take(page_size as usize).collect();
    Ok(RecommendationPage {
        items,
        page,
        page_size,
        total_items,
        total_pages: total_items.div_ceil(page_size),
        tenants_in_average: loaded.tenants.len() as u32,
    })
}

/// Returns an action with every tenant it concerns (open gaps, tracked
/// statuses) and its history. `NotFound` when no tenant has the action.
pub async fn detail(db: &DatabaseConnection, control_id: &str) -> Result<ActionDetail, ServiceError> {
    ensure_known(db, control_id).await?;
    let loaded = load(db).await?;
    let open = loaded.open_gaps();
    let statuses = loaded.status_map();
    let recommendation = recommendations::rank(
        &loaded.catalogue,
        &open.iter().filter(|g| g.control_id == control_id).cloned().collect::<Vec<_>>(),
        &statuses,
        loaded.tenants.len(),
    )
    .into_iter()
    .next();

    let rows: HashMap<String, &recommendation_status::Model> = loaded
        .statuses
        .iter()
        .filter(|s| s.control_id == control_id)
        .filter_map(|s| Some((loaded.tenants.get(&s.tenant_pk)?.tenant_id.clone(), s)))
        .collect();
    let mut tenants: Vec<AffectedTenant> = Vec::new();
    for gap in loaded.gaps.iter().filter(|g| g.control_id == control_id) {
        tenants.push(affected(&gap.tenant_id, &gap.display_name, gap.score, gap.max, gap.rise(), rows.get(&gap.tenant_id).copied()));
    }
    // Tracked tenants without a gap: completed, or at full score already.
    for (tenant_id, row) in &rows {
        if tenants.iter().any(|t| t.tenant_id == *tenant_id) {
            continue;
        }
        let Some(tenant) = loaded.tenants.values().find(|t| t.tenant_id == *tenant_id) else {
            continue;
        };
        tenants.push(affected(tenant_id, &tenant.display_name, 0.0, 0.0, 0.0, Some(row)));
    }
    tenants.sort_by(|a, b| b.points_available.total_cmp(&a.points_available).then_with(|| a.display_name.cmp(&b.display_name)));

    let names: HashMap<i32, String> = loaded.tenants.values().map(|t| (t.id, t.display_name.clone())).collect();
    let ids: HashMap<i32, String> = loaded.tenants.values().map(|t| (t.id, t.tenant_id.clone())).collect();
    let history = recommendation_history::Entity::find()
        .filter(recommendation_history::Column::ControlId.eq(control_id))
        .order_by_desc(recommendation_history::Column::At)
        .order_by_desc(recommendation_history::Column::Id)
        .limit(500)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|h| {
            Some(HistoryEntry {
                tenant_id: ids.get(&h.tenant_pk)?.clone(),
                display_name: names.get(&h.tenant_pk)?.clone(),
                from_status: h.from_status.as_deref().and_then(Status::parse),
                to_status: Status::parse(&h.to_status)?,
                target_date: h.target_date,
                justification: h.justification,
                actor: h.actor,
                note: h.note,
                at: h.at,
            })
        })
        .collect();
    Ok(ActionDetail { id: control_id.to_owned(), recommendation, tenants, history })
}

fn affected(tenant_id: &str, name: &str, score: f64, max: f64, rise: f64, row: Option<&recommendation_status::Model>) -> AffectedTenant {
    AffectedTenant {
        tenant_id: tenant_id.to_owned(),
        display_name: name.to_owned(),
        score: round2(score),
        max_score: round2(max),
        points_available: round2((max - score).max(0.0)),
        projected_rise: round2(rise),
        status: row.and_then(|r| Status::parse(&r.status)).unwrap_or(Status::NotStarted),
        target_date: row.and_then(|r| r.target_date),
        justification: row.and_then(|r| r.justification.clone()),
        updated_by: row.and_then(|r| r.updated_by.clone()),
        updated_at: row.map(|r| r.updated_at),
        regression: row.is_some_and(|r| r.regression),
        graph: row.and_then(|r| {
            Some(GraphWriteBack {
                state: r.graph_state.clone()?,
                result: r.graph_result.clone().unwrap_or_default(),
                message: r.graph_message.clone().unwrap_or_default(),
                at: r.graph_at,
            })
        }),
    }
}

/// `NotFound` unless some tenant has a control profile with this id.
async fn ensure_known(db: &DatabaseConnection, control_id: &str) -> Result<(), ServiceError> {
    let known = action_catalogue::Entity::find()
        .filter(action_catalogue::Column::ControlId.eq(control_id))
        .one(db)
        .await?
        .is_some();
    if known {
        Ok(())
    } else {
        Err(ServiceError::NotFound(format!(
            "recommendation '{control_id}' is unknown: use an id from GET recommendations"
        )))
    }
}

/// Sets the status of action `control_id` for each tenant in `tenant_ids`
/// and returns one outcome per tenant: an unknown tenant, or a tenant without this
/// action, fails alone while the others are stored. Each change is kept in
/// the history and the audit log.
pub async fn set_status(
    db: &DatabaseConnection,
    sync: Option<&SyncHandle>,
    control_id: &str,
    tenant_ids: &[String],
    change: &StatusChange,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<TenantOutcome>, ServiceError> {
    ensure_known(db, control_id).await?;
    if tenant_ids.is_empty() {
        return Err(ServiceError::BadRequest(
            "no tenant given: send tenantId or a non-empty tenantIds list".to_owned(),
        ));
    }
    let mut outcomes = Vec::with_capacity(tenant_ids.len());
    for raw in tenant_ids {
        let outcome = match set_one(db, sync, control_id, raw, change, by, now).await {
            Ok((status, graph)) => TenantOutcome {
                tenant_id: raw.trim().to_lowercase(),
                ok: true,
                status: Some(status),
                error_code: None,
                message: None,
                graph,
            },
            Err(ServiceError::NotFound(message)) => failed(raw, "not_found", message),
            Err(ServiceError::BadRequest(message)) => failed(raw, "invalid_parameter", message),
            Err(other) => return Err(other),
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

fn failed(raw: &str, code: &str, message: String) -> TenantOutcome {
    TenantOutcome {
        tenant_id: raw.trim().to_owned(),
        ok: false,
        status: None,
        error_code: Some(code.to_owned()),
        message: Some(message),
        graph: None,
    }
}

async fn set_one(
    db: &DatabaseConnection,
    sync: Option<&SyncHandle>,
    control_id: &str,
    raw: &str,
    change: &StatusChange,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<(Status, Option<GraphWriteBack>), ServiceError> {
    let id = TenantId::parse(raw).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    let tenant = crate::store::tenants::find(db, &id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("tenant '{id}' is not registered: GET tenants lists the tenants")))?;
    let has_profile = control_profile::Entity::find()
        .filter(control_profile::Column::TenantId.eq(tenant.id))
        .filter(control_profile::Column::ControlId.eq(control_id))
        .one(db)
        .await?
        .is_some();
    if !has_profile {
        return Err(ServiceError::NotFound(format!(
            "tenant '{id}' has no improvement action '{control_id}': GET recommendations/{control_id}/status lists the tenants it concerns"
        )));
    }
    let baseline = match tenant.latest_snapshot_id {
        Some(snapshot) => control_score::Entity::find()
            .select_only()
            .column(control_score::Column::Score)
            .filter(control_score::Column::SnapshotId.eq(snapshot))
            .filter(control_score::Column::ControlName.eq(control_id))
            .into_tuple::<f64>()
            .one(db)
            .await?,
        None => None,
    };

    let txn = db.begin().await?;
    let from = match store_change(&txn, tenant.id, control_id, baseline, change, by, now).await {
        Ok(from) => {
            txn.commit().await?;
            from
        }
        Err(error) => {
            // An explicit rollback, so the SQLite write lock is released at once.
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a status change failed: {rollback}");
            }
            return Err(error.into());
        }
    };

    let detail = format!(
        "{} -> {}{}{}",
        from.as_deref().unwrap_or("not_started"),
        change.status.as_str(),
        change.target_date.map(|d| format!(", target {d}")).unwrap_or_default(),
        change.justification.as_deref().map(|j| format!(", justification: {j}")).unwrap_or_default()
    );
    audit::record(
        db,
        NewAuditEvent {
            actor: by.actor.clone(),
            action: "recommendation.status",
            target: Some(format!("{control_id} @ {}", tenant.tenant_id)),
            detail: Some(detail),
            source_ip: by.source_ip.clone(),
        },
        now,
    )
    .await?;

    let client = sync.and_then(|s| s.write_back_client(&tenant.tenant_id));
    let graph = match client {
        Some(client) => write_back(db, &client, &tenant, control_id, change, now).await?,
        None => None,
    };
    if let Some(graph) = &graph {
        recommendation_status::Entity::update_many()
            .col_expr(recommendation_status::Column::GraphState, graph.state.clone().into())
            .col_expr(recommendation_status::Column::GraphResult, graph.result.clone().into())
            .col_expr(recommendation_status::Column::GraphMessage, graph.message.clone().into())
            .col_expr(recommendation_status::Column::GraphAt, now.into())
            .filter(recommendation_status::Column::TenantPk.eq(tenant.id))
            .filter(recommendation_status::Column::ControlId.eq(control_id))
            .exec(db)
            .await?;
    }
    Ok((change.status, graph))
}

/// Stores the status row and its history entry; returns the previous status.
async fn store_change(
    txn: &sea_orm::DatabaseTransaction,
    tenant_pk: i32,
    control_id: &str,
    baseline: Option<f64>,
    change: &StatusChange,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Option<String>, sea_orm::DbErr> {
    let existing = recommendation_status::Entity::find()
        .filter(recommendation_status::Column::TenantPk.eq(tenant_pk))
        .filter(recommendation_status::Column::ControlId.eq(control_id))
        .one(txn)
        .await?;
    let from = existing.as_ref().map(|e| e.status.clone());
    let mut active: recommendation_status::ActiveModel = match existing {
        Some(row) => row.into(),
        None => recommendation_status::ActiveModel {
            tenant_pk: Set(tenant_pk),
            control_id: Set(control_id.to_owned()),
            ..Default::default()
        },
    };
    active.status = Set(change.status.as_str().to_owned());
    active.target_date = Set(change.target_date);
    active.justification = Set(change.justification.clone());
    active.baseline_score = Set(baseline);
    active.points_gained = Set(None);
    // A person's "Completed" waits for the data: the next sync that shows
    // the control at full score sets the completion date.
    active.completed_at = Set(None);
    active.regression = Set(false);
    active.updated_by = Set(Some(by.actor.clone()));
    active.updated_at = Set(now);
    active.save(txn).await?;
    recommendation_history::ActiveModel {
        tenant_pk: Set(tenant_pk),
        control_id: Set(control_id.to_owned()),
        from_status: Set(from.clone()),
        to_status: Set(change.status.as_str().to_owned()),
        target_date: Set(change.target_date),
        justification: Set(change.justification.clone()),
        actor: Set(by.actor.clone()),
        note: Set(None),
        at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(from)
}

/// Writes the state matching `change` back to Microsoft for one tenant,
/// unless Microsoft already has it, then reads it back. A Graph failure
/// comes back as a `failed` result, so the other tenants go on.
async fn write_back(
    db: &DatabaseConnection,
    client: &GraphClient,
    tenant: &tenant::Model,
    control_id: &str,
    change: &StatusChange,
    now: DateTime<Utc>,
) -> Result<Option<GraphWriteBack>, ServiceError> {
    let Some(target) = change.graph_state() else {
        return Ok(None);
    };
    let profile = control_profile::Entity::find()
        .filter(control_profile::Column::TenantId.eq(tenant.id))
        .filter(control_profile::Column::ControlId.eq(control_id))
        .one(db)
        .await?;
    let effective = profile.as_ref().map_or("Default", |p| p.effective_state.as_str()).to_owned();
    // Reopening only matters where Microsoft has the control closed.
    if target == "Default" && !crate::store::actions::is_closed_state(&effective) {
        return Ok(None);
    }
    let result = |result: &str, message: String| GraphWriteBack { state: target.to_owned(), result: result.to_owned(), message, at: Some(now) };
    if effective.eq_ignore_ascii_case(target) {
        return Ok(Some(result("unchanged", format!("Microsoft already lists the control as {target}; nothing was sent."))));
    }
    if control_id.to_ascii_lowercase().starts_with("scid_") {
        return Ok(Some(result(
            "refused",
            "Defender for Endpoint device controls (scid_*) cannot be changed through Microsoft Graph: set the state in the Microsoft Defender portal.".to_owned(),
        )));
    }
    let id = TenantId::parse(&tenant.tenant_id).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let update = ControlProfileUpdate {
        assigned_to: None,
        comment: change.justification.clone().or_else(|| Some(format!("{} in the Security Score Dashboard", change.status.label()))),
        state: target.to_owned(),
        vendor: VendorInformation {
            provider: "OpsPilot365 Trust Center".to_owned(),
            provider_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            sub_provider: None,
            vendor: "OpsPilot365".to_owned(),
        },
    };
    if let Err(error) = client.update_control_profile(&id, control_id, &update).await {
        tracing::warn!(tenant = %id, control_id, %error, "write-back of {target} failed: {error}");
        return Ok(Some(result("failed", error.user_message())));
    }
    // Read back what Microsoft now lists, and keep it as the stored state.
    let read = match client.control_profiles(&id).await {
        Ok(fetch) => fetch.profiles.into_iter().find(|p| p.id == control_id),
        Err(error) => {
            tracing::warn!(tenant = %id, control_id, %error, "reading back {control_id} failed: {error}");
            None
        }
    };
    let Some(read) = read else {
        return Ok(Some(result("pending", format!("Sent {target} to Microsoft; the state could not be read back yet."))));
    };
    let state = read.effective_state();
    if let Some(profile) = profile {
        let mut active: control_profile::ActiveModel = profile.into();
        active.effective_state = Set(state.clone());
        active.control_state_updates = Set(serde_json::to_value(&read.control_state_updates).unwrap_or_default());
        active.update(db).await?;
    }
    Ok(Some(if state.eq_ignore_ascii_case(target) {
        let effect = match target {
            "ThirdParty" => "Secure Score awards the points within 24 to 48 hours, at most 7 days.",
            "Ignored" => "The action no longer counts as open in Microsoft's portal and earns no points.",
            _ => "The action is open again in Microsoft's portal.",
        };
        result("applied", format!("Microsoft lists the control as {target}. {effect}"))
    } else {
        result("pending", format!("Sent {target}; Microsoft still lists {state}."))
    }))
}

/// Projects the portfolio average if the `actions` were done everywhere.
pub async fn project(db: &DatabaseConnection, actions: &[String]) -> Result<Projection, ServiceError> {
    let loaded = load(db).await?;
    let tenants: Vec<(String, String, f64, f64)> = loaded
        .tenants
        .values()
        .filter_map(|t| Some((t.tenant_id.clone(), t.display_name.clone(), t.current_score?, t.max_score?)))
        .collect();
    Ok(recommendations::project(actions, &tenants, &loaded.open_gaps()))
}

/// Collects one tenant's actions for its report: open ones with points
/// (most first), completions confirmed since `since`, and accepted risks.
pub async fn tenant_actions(db: &DatabaseConnection, tenant_pk: i32, since: DateTime<Utc>) -> Result<ReportActions, ServiceError> {
    let titles: HashMap<String, (Option<String>, Option<String>)> = action_catalogue::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.control_id, (a.title, a.control_category)))
        .collect();
    let title = |id: &str| titles.get(id).and_then(|t| t.0.clone()).unwrap_or_else(|| id.to_owned());
    let statuses: HashMap<String, recommendation_status::Model> = recommendation_status::Entity::find()
        .filter(recommendation_status::Column::TenantPk.eq(tenant_pk))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.control_id.clone(), s))
        .collect();
    let mut open: Vec<OpenAction> = action_gap::Entity::find()
        .filter(action_gap::Column::TenantPk.eq(tenant_pk))
        .all(db)
        .await?
        .into_iter()
        .filter(|g| statuses.get(&g.control_id).is_none_or(|s| s.status != Status::RiskAccepted.as_str()))
        .map(|g| OpenAction {
            title: title(&g.control_id),
            category: titles.get(&g.control_id).and_then(|t| t.1.clone()).unwrap_or_default(),
            points: round2(g.max_score - g.score),
            status: statuses.get(&g.control_id).and_then(|s| Status::parse(&s.status)).unwrap_or(Status::NotStarted),
        })
        .collect();
    open.sort_by(|a, b| b.points.total_cmp(&a.points).then_with(|| a.title.cmp(&b.title)));
    let mut completed: Vec<CompletedAction> = statuses
        .values()
        .filter(|s| s.status == Status::Completed.as_str())
        .filter_map(|s| {
            let at = s.completed_at.filter(|at| *at >= since)?;
            Some(CompletedAction { title: title(&s.control_id), confirmed_on: at.date_naive(), points_gained: s.points_gained.map(round2) })
        })
        .collect();
    completed.sort_by(|a, b| a.confirmed_on.cmp(&b.confirmed_on).then_with(|| a.title.cmp(&b.title)));
    let mut risk_accepted: Vec<AcceptedRisk> = statuses
        .values()
        .filter(|s| s.status == Status::RiskAccepted.as_str())
        .map(|s| AcceptedRisk {
            title: title(&s.control_id),
            justification: s.justification.clone().unwrap_or_default(),
            decided_on: s.updated_at.date_naive(),
        })
        .collect();
    risk_accepted.sort_by(|a, b| a.title.cmp(&b.title));
    Ok(ReportActions { open, completed, risk_accepted })
}
