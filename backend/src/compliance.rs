//! Compliance correlation: the mapping shipped with the product and each
//! tenant's coverage of the frameworks it names.
//!
//! NOTE: Graph's `complianceInformation`, the portfolio view and the
//! PDF/CSV figures are still to be built.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::compliance::{ActionFacts, EffectiveMapping, Mapping, MappingOverride, OverrideKind, TenantCompliance, DISCLAIMER};
use domain::TenantId;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

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

/// Builds one tenant's compliance correlation from its latest snapshot: an
/// action counts when the snapshot scores it and its maximum is known.
/// Risk Accepted here or `Ignored` at Microsoft counts as risk accepted;
/// `ThirdParty` at Microsoft counts as satisfied.
pub async fn tenant(db: &DatabaseConnection, id: &TenantId) -> Result<TenantCompliance, ServiceError> {
    let mapping = effective(db).await?;
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
    let mut actions: Vec<ActionFacts> = scores
        .into_iter()
        .filter_map(|row| {
            let profile = profiles.get(&row.control_name);
            let max_score = row.max_score.or_else(|| profile.and_then(|p| p.max_score)).filter(|m| *m > 0.0)?;
            let state = profile.map_or("Default", |p| p.effective_state.as_str());
            Some(ActionFacts {
                risk_accepted: risk_accepted.contains(&row.control_name) || state == "Ignored",
                third_party: state == "ThirdParty",
                control_id: row.control_name,
                score: row.score,
                max_score,
            })
        })
        .collect();
    actions.sort_by(|a, b| a.control_id.cmp(&b.control_id));
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
    fn admin_mfa_supports_soc2_hipaa_and_nist() {
        let mapping = shipped().unwrap();
        let mfa = mapping.entries.iter().find(|e| e.control_id == "AdminMFAV2").expect("AdminMFAV2 is mapped");
        let pairs: Vec<(Framework, &str)> =
            mfa.controls.iter().map(|c| (Framework::parse(&c.framework).unwrap(), c.control.as_str())).collect();
        assert_eq!(
            pairs,
            [(Framework::Soc2, "CC6.1"), (Framework::Hipaa, "164.312(d)"), (Framework::Nist800171, "3.5.3"), (Framework::Nist80053, "IA-2(1)")]
        );
    }
}
