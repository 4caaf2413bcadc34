//! Compliance correlation: the mapping shipped with the product, Graph's own
//! `complianceInformation`, the MSP's overrides, and each tenant's coverage
//! of the frameworks they name.
//!
//! The mapping in force for a tenant is the shipped file, plus the controls
//! Graph lists in the tenant's control profiles, with the stored overrides
//! applied last (so an MSP can also remove a control Graph names).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::compliance::{
    ActionFacts, EffectiveMapping, Framework, Mapping, MappingOverride, OverrideKind, PortfolioCompliance, TenantCompliance, TenantCoverageRow, DISCLAIMER,
};
use domain::TenantId;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::analytics::Actor;
use crate::auth::audit::{self, NewAuditEvent};
use crate::entity::{compliance_override, control_profile, control_score, recommendation_status, tenant};
use crate::error::ServiceError;

/// The shipped mapping, `backend/compliance/mapping.json`, embedded at build time.
pub const SHIPPED_MAPPING: &str = include_str!("../compliance/mapping.json");

/// Returns the shipped mapping, parsed once per process. A parse error means
/// the file was edited without running `shipped_mapping_validates`.
pub fn shipped() -> Result<Mapping, String> {
    static PARSED: std::sync::OnceLock<Result<Mapping, String>> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| serde_json::from_str(SHIPPED_MAPPING).map_err(|e| format!("the shipped compliance mapping is invalid JSON: {e}")))
        .clone()
}

async fn overrides(db: &DatabaseConnection) -> Result<Vec<MappingOverride>, ServiceError> {
    Ok(compliance_override::Entity::find()
        .order_by_asc(compliance_override::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| MappingOverride {
            control_id: row.control_id,
            framework: row.framework,
            control: row.control,
            source: row.source,
            kind: if row.kind == "remove" { OverrideKind::Remove } else { OverrideKind::Add },
        })
        .collect())
}

/// Returns the shipped mapping with the stored overrides applied.
pub async fn effective(db: &DatabaseConnection) -> Result<Mapping, ServiceError> {
    let shipped = shipped().map_err(ServiceError::Internal)?;
    Ok(shipped.with_overrides(&overrides(db).await?))
}

/// Returns the mapping in force and the overrides, for `GET compliance/mapping`.
pub async fn mapping_view(db: &DatabaseConnection) -> Result<EffectiveMapping, ServiceError> {
    let shipped = shipped().map_err(ServiceError::Internal)?;
    let overrides = overrides(db).await?;
    let entries = shipped.with_overrides(&overrides).entries;
    Ok(EffectiveMapping { shipped_version: shipped.version, overrides, entries })
}

/// Stores an override (replacing one for the same action and framework
/// control) and audits it.
pub async fn set_override(db: &DatabaseConnection, change: MappingOverride, by: &Actor, now: DateTime<Utc>) -> Result<EffectiveMapping, ServiceError> {
    let framework = change.check().map_err(ServiceError::BadRequest)?;
    let kind = match change.kind {
        OverrideKind::Add => "add",
        OverrideKind::Remove => "remove",
    };
    let row = compliance_override::ActiveModel {
        control_id: Set(change.control_id.trim().to_owned()),
        framework: Set(framework.as_str().to_owned()),
        control: Set(change.control.trim().to_owned()),
        source: Set(change.source.trim().to_owned()),
        kind: Set(kind.to_owned()),
        updated_by: Set(Some(by.actor.clone())),
        updated_at: Set(now),
        ..Default::default()
    };
    {
        let _turn = crate::store::ingest::sqlite_turn(db).await;
        compliance_override::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    compliance_override::Column::ControlId,
                    compliance_override::Column::Framework,
                    compliance_override::Column::Control,
                ])
                .update_columns([
                    compliance_override::Column::Source,
                    compliance_override::Column::Kind,
                    compliance_override::Column::UpdatedBy,
                    compliance_override::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    let target = format!("{} {} {}", change.control_id.trim(), framework.as_str(), change.control.trim());
    audit::record(db, NewAuditEvent { actor: by.actor.clone(), action: "compliance_override.set", target: Some(target), detail: Some(kind.to_owned()), source_ip: by.source_ip.clone() }, now)
        .await?;
    mapping_view(db).await
}

/// Deletes the override of one action and framework control; `NotFound`
/// when there is none.
pub async fn delete_override(
    db: &DatabaseConnection,
    control_id: &str,
    framework: &str,
    control: &str,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<EffectiveMapping, ServiceError> {
    let deleted = {
        let _turn = crate::store::ingest::sqlite_turn(db).await;
        compliance_override::Entity::delete_many()
            .filter(compliance_override::Column::ControlId.eq(control_id.trim()))
            .filter(compliance_override::Column::Framework.eq(framework.trim()))
            .filter(compliance_override::Column::Control.eq(control.trim()))
            .exec(db)
            .await?
    };
    if deleted.rows_affected == 0 {
        return Err(ServiceError::NotFound(format!(
            "no override maps {} to {} {}; list them with GET compliance/mapping",
            control_id.trim(),
            framework.trim(),
            control.trim()
        )));
    }
    let target = format!("{} {} {}", control_id.trim(), framework.trim(), control.trim());
    audit::record(db, NewAuditEvent { actor: by.actor.clone(), action: "compliance_override.delete", target: Some(target), detail: None, source_ip: by.source_ip.clone() }, now)
        .await?;
    mapping_view(db).await
}

/// Returns the mapping in force for one tenant: the shipped file plus the
/// controls Graph lists in its profiles (`graph`), with the stored overrides
/// applied last.
fn tenant_mapping(shipped: &Mapping, mut graph: Vec<MappingOverride>, stored: &[MappingOverride]) -> Mapping {
    graph.sort_by(|a, b| (&a.control_id, &a.framework, &a.control).cmp(&(&b.control_id, &b.framework, &b.control)));
    graph.extend(stored.iter().cloned());
    shipped.with_overrides(&graph)
}

/// A control score as the coverage math reads it: snapshot id, control
/// name, score and maximum.
type ScoreRow = (i64, String, f64, Option<f64>);

/// A control profile as the coverage math reads it: maximum score and the
/// latest `controlStateUpdates` state.
type ProfileRow = (Option<f64>, String);

/// Turns a snapshot's control scores into the facts the coverage math needs:
/// an action counts when its maximum is known. Risk Accepted here or
/// `Ignored` at Microsoft counts as risk accepted; `ThirdParty` at Microsoft
/// counts as satisfied.
fn action_facts(scores: Vec<ScoreRow>, profiles: &HashMap<String, ProfileRow>, risk_accepted: impl Fn(&str) -> bool) -> Vec<ActionFacts> {
    let mut actions: Vec<ActionFacts> = scores
        .into_iter()
        .filter_map(|(_, control_name, score, row_max)| {
            let profile = profiles.get(&control_name);
            let max_score = row_max.or_else(|| profile.and_then(|p| p.0)).filter(|m| *m > 0.0)?;
            let state = profile.map_or("Default", |p| p.1.as_str());
            Some(ActionFacts {
                risk_accepted: risk_accepted(&control_name) || state == "Ignored",
                third_party: state == "ThirdParty",
                control_id: control_name,
                score,
                max_score,
            })
        })
        .collect();
    actions.sort_by(|a, b| a.control_id.cmp(&b.control_id));
    actions
}

/// Builds one tenant's compliance correlation from its latest snapshot.
pub async fn tenant(db: &DatabaseConnection, id: &TenantId) -> Result<TenantCompliance, ServiceError> {
    let shipped = shipped().map_err(ServiceError::Internal)?;
    let stored = overrides(db).await?;
    let tenant = tenant::Entity::find()
        .filter(tenant::Column::TenantId.eq(id.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("tenant {id} is not registered; list tenants with GET tenants")))?;
    let profiles: HashMap<String, control_profile::Model> = control_profile::Entity::find()
        .filter(control_profile::Column::TenantId.eq(tenant.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.control_id.clone(), p))
        .collect();
    let graph: Vec<MappingOverride> = profiles
        .values()
        .filter_map(|p| p.compliance_information.as_ref().map(|info| domain::compliance::graph_additions(&p.control_id, info)))
        .flatten()
        .collect();
    let mapping = tenant_mapping(&shipped, graph, &stored);
    let risk_accepted: HashSet<String> = recommendation_status::Entity::find()
        .filter(recommendation_status::Column::TenantPk.eq(tenant.id))
        .filter(recommendation_status::Column::Status.eq(domain::recommendations::Status::RiskAccepted.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.control_id)
        .collect();
    let scores = match tenant.latest_snapshot_id {
        Some(snapshot) => control_score::Entity::find().filter(control_score::Column::SnapshotId.eq(snapshot)).all(db).await?,
        None => Vec::new(),
    };
    let scores: Vec<ScoreRow> = scores.into_iter().map(|r| (r.snapshot_id, r.control_name, r.score, r.max_score)).collect();
    let facts: HashMap<String, ProfileRow> = profiles.iter().map(|(id, p)| (id.clone(), (p.max_score, p.effective_state.clone()))).collect();
    let actions = action_facts(scores, &facts, |id| risk_accepted.contains(id));
    let title = |id: &str| profiles.get(id).and_then(|p| p.title.clone()).unwrap_or_else(|| id.to_owned());
    let (frameworks, unmapped_actions) = domain::compliance::tenant_views(&mapping, &actions, title);
    Ok(TenantCompliance {
        tenant_id: tenant.tenant_id,
        display_name: tenant.display_name,
        as_of: tenant.latest_snapshot_date,
        mapping_version: mapping.version,
        disclaimer: DISCLAIMER.to_owned(),
        frameworks,
        unmapped_actions,
    })
}

/// Tenants whose scores and profiles one portfolio query reads.
const TENANTS_PER_QUERY: usize = 500;

/// Builds every tenant's framework coverage for the portfolio view. Reads
/// the latest snapshots' scores of mapped actions, the profiles of those
/// actions or with Graph compliance information, and the Risk Accepted
/// statuses: four queries, plus two per 500 tenants.
pub async fn portfolio(db: &DatabaseConnection) -> Result<PortfolioCompliance, ServiceError> {
    use sea_orm::sea_query::Query;

    let shipped = shipped().map_err(ServiceError::Internal)?;
    let stored = overrides(db).await?;
    let tenants: Vec<tenant::Model> = tenant::Entity::find()
        .filter(tenant::Column::Excluded.eq(false))
        .filter(tenant::Column::LatestSnapshotId.is_not_null())
        .order_by_asc(tenant::Column::DisplayName)
        .all(db)
        .await?;
    let with_data = || {
        Query::select()
            .column(tenant::Column::Id)
            .from(tenant::Entity)
            .and_where(tenant::Column::Excluded.eq(false))
            .and_where(tenant::Column::LatestSnapshotId.is_not_null())
            .to_owned()
    };
    // Graph's own compliance information first: it may map actions that
    // neither the shipped file nor the overrides name.
    let graph_rows: Vec<(i32, String, serde_json::Value)> = control_profile::Entity::find()
        .select_only()
        .columns([control_profile::Column::TenantId, control_profile::Column::ControlId, control_profile::Column::ComplianceInformation])
        .filter(control_profile::Column::TenantId.in_subquery(with_data()))
        .filter(control_profile::Column::ComplianceInformation.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut graph: HashMap<i32, Vec<MappingOverride>> = HashMap::new();
    for (tenant_pk, control_id, information) in &graph_rows {
        graph.entry(*tenant_pk).or_default().extend(domain::compliance::graph_additions(control_id, information));
    }
    let base = shipped.with_overrides(&stored);
    let mut mapped_ids: HashSet<String> = base.entries.iter().map(|e| e.control_id.clone()).collect();
    mapped_ids.extend(base.simulator_aliases.keys().cloned());
    mapped_ids.extend(graph.values().flatten().map(|o| o.control_id.clone()));
    let mapped_ids: Vec<String> = mapped_ids.into_iter().collect();

    // The scores and profiles are read by explicit id lists, a chunk of
    // tenants at a time, so each query walks the (snapshot, control) and
    // (tenant, control) indexes. A subquery on the tenants table let
    // PostgreSQL scan every control score instead.
    let latest: HashMap<i64, i32> = tenants.iter().filter_map(|t| t.latest_snapshot_id.map(|s| (s, t.id))).collect();
    let mut scores: HashMap<i32, Vec<ScoreRow>> = HashMap::new();
    let mut profiles: HashMap<i32, HashMap<String, ProfileRow>> = HashMap::new();
    for chunk in tenants.chunks(TENANTS_PER_QUERY) {
        let snapshot_ids: Vec<i64> = chunk.iter().filter_map(|t| t.latest_snapshot_id).collect();
        let rows: Vec<ScoreRow> = control_score::Entity::find()
            .select_only()
            .columns([
                control_score::Column::SnapshotId,
                control_score::Column::ControlName,
                control_score::Column::Score,
                control_score::Column::MaxScore,
            ])
            .filter(control_score::Column::SnapshotId.is_in(snapshot_ids))
            .filter(control_score::Column::ControlName.is_in(mapped_ids.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        for row in rows {
            if let Some(tenant_pk) = latest.get(&row.0) {
                scores.entry(*tenant_pk).or_default().push(row);
            }
        }
        let rows: Vec<(i32, String, Option<f64>, String)> = control_profile::Entity::find()
            .select_only()
            .columns([
                control_profile::Column::TenantId,
                control_profile::Column::ControlId,
                control_profile::Column::MaxScore,
                control_profile::Column::EffectiveState,
            ])
            .filter(control_profile::Column::TenantId.is_in(chunk.iter().map(|t| t.id)))
            .filter(control_profile::Column::ControlId.is_in(mapped_ids.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        for (tenant_pk, control_id, max_score, state) in rows {
            profiles.entry(tenant_pk).or_default().insert(control_id, (max_score, state));
        }
    }
    let risk_accepted: HashSet<(i32, String)> = recommendation_status::Entity::find()
        .filter(recommendation_status::Column::Status.eq(domain::recommendations::Status::RiskAccepted.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.tenant_pk, s.control_id))
        .collect();

    let no_profiles = HashMap::new();
    let rows = tenants
        .into_iter()
        .map(|t| {
            let tenant_profiles = profiles.get(&t.id).unwrap_or(&no_profiles);
            let actions = action_facts(scores.remove(&t.id).unwrap_or_default(), tenant_profiles, |id| risk_accepted.contains(&(t.id, id.to_owned())));
            let coverage = match graph.remove(&t.id) {
                Some(extra) => {
                    let mapping = tenant_mapping(&shipped, extra, &stored);
                    Framework::ALL.iter().map(|f| domain::compliance::coverage(&mapping, *f, &actions)).collect()
                }
                None => Framework::ALL.iter().map(|f| domain::compliance::coverage(&base, *f, &actions)).collect(),
            };
            TenantCoverageRow { tenant_id: t.tenant_id, display_name: t.display_name, as_of: t.latest_snapshot_date, coverage }
        })
        .collect();
    Ok(PortfolioCompliance::from_rows(shipped.version, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::compliance::Framework;

    #[test]
    fn shipped_mapping_validates() {
        let mapping = shipped().unwrap();
        assert_eq!(mapping.validate(), Vec::<String>::new());
        assert!(mapping.entries.len() >= 10);
        assert!(mapping.simulator_aliases.contains_key("entra_mfa_admin_roles"));
    }

    #[test]
    fn mfa_actions_support_soc2_hipaa_and_cmmc() {
        let mapping = shipped().unwrap();
        let pairs = |id: &str| -> Vec<(Framework, String)> {
            let entry = mapping.entries.iter().find(|e| e.control_id == id).unwrap_or_else(|| panic!("{id} is mapped"));
            entry.controls.iter().map(|c| (Framework::parse(&c.framework).unwrap(), c.control.clone())).collect()
        };
        let expected = |nist80053: &str, cis: &str| -> Vec<(Framework, String)> {
            [
                (Framework::Soc2, "CC6.1"),
                (Framework::Hipaa, "164.312(d)"),
                (Framework::Nist800171, "3.5.3"),
                (Framework::Cmmc2, "IA.L2-3.5.3"),
                (Framework::Nist80053, nist80053),
                (Framework::Iso27001, "A.8.5"),
                (Framework::CisM365, cis),
            ]
            .into_iter()
            .map(|(f, c)| (f, c.to_owned()))
            .collect()
        };
        assert_eq!(pairs("AdminMFAV2"), expected("IA-2(1)", "5.2.2.1"));
        assert_eq!(pairs("MFARegistrationV2"), expected("IA-2(2)", "5.2.2.2"));
        assert_eq!(mapping.resolve("entra_mfa_all_users"), "MFARegistrationV2");
    }

    #[test]
    fn cmmc_controls_match_nist_800_171() {
        let mapping = shipped().unwrap();
        for entry in &mapping.entries {
            let nist: Vec<&str> = entry.controls.iter().filter(|c| c.framework == "nist800171").map(|c| c.control.as_str()).collect();
            for cmmc in entry.controls.iter().filter(|c| c.framework == "cmmc2") {
                let requirement = cmmc.control.split_once(".L2-").map(|(_, r)| r).unwrap_or_default();
                assert!(nist.contains(&requirement), "{}: {} has no matching 800-171 requirement", entry.control_id, cmmc.control);
            }
        }
    }
}
