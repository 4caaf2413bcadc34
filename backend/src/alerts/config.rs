//! Alert configuration: thresholds (portfolio defaults and per-tenant
//! overrides) and notification channels. `POST alerts` sends one document.
//! Every part is checked before anything is written, and the document is
//! stored in one transaction, so a rejected request changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::alerts::{
    AlertConfigInput, AlertKind, AlertRules, ChannelFilter, ChannelInput, ChannelKind, ChannelView, FieldError, Severity,
    TenantRules, ThresholdOverrides, Thresholds,
};
use domain::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde_json::json;

use super::channels::{target_hint, ChannelTarget};
use crate::analytics::Actor;
use crate::auth::audit::{self, NewAuditEvent};
use crate::auth::crypto::SecretKey;
use crate::entity::{alert_channel, alert_rule, tenant};
use crate::error::ServiceError;

const PORTFOLIO_SCOPE: &str = "portfolio";
const MAX_RECIPIENTS: usize = 50;
const MIN_SECRET_CHARS: usize = 16;

fn tenant_scope(tenant_pk: i32) -> String {
    format!("tenant:{tenant_pk}")
}

fn overrides_of(row: &alert_rule::Model) -> ThresholdOverrides {
    serde_json::from_value(row.rules.clone()).unwrap_or_else(|e| {
        tracing::warn!(scope = %row.scope, error = %e, "stored alert rules are invalid JSON; the defaults apply until they are saved again");
        ThresholdOverrides::default()
    })
}

async fn rule_row(db: &impl ConnectionTrait, scope: &str) -> Result<Option<alert_rule::Model>, DbErr> {
    alert_rule::Entity::find().filter(alert_rule::Column::Scope.eq(scope)).one(db).await
}

/// Returns the portfolio thresholds: the built-in defaults with the stored changes.
pub async fn portfolio_thresholds(db: &impl ConnectionTrait) -> Result<Thresholds, DbErr> {
    let stored = rule_row(db, PORTFOLIO_SCOPE).await?.map(|r| overrides_of(&r)).unwrap_or_default();
    Ok(Thresholds::default().with(&stored))
}

/// Returns the thresholds in force for one tenant.
pub async fn effective_thresholds(db: &impl ConnectionTrait, tenant_pk: i32) -> Result<Thresholds, DbErr> {
    let portfolio = portfolio_thresholds(db).await?;
    Ok(match rule_row(db, &tenant_scope(tenant_pk)).await? {
        Some(row) => portfolio.with(&overrides_of(&row)),
        None => portfolio,
    })
}

/// Returns the filter of a stored channel: the alerts it receives.
pub fn channel_filter(channel: &alert_channel::Model) -> ChannelFilter {
    ChannelFilter {
        kinds: serde_json::from_value(channel.alert_kinds.clone()).unwrap_or_default(),
        tenant_ids: serde_json::from_value(channel.tenant_ids.clone()).unwrap_or_default(),
        min_severity: Severity::parse(&channel.min_severity).unwrap_or(Severity::Info),
    }
}

pub fn channel_view(channel: &alert_channel::Model) -> ChannelView {
    let filter = channel_filter(channel);
    ChannelView {
        id: channel.id,
        name: channel.name.clone(),
        kind: ChannelKind::parse(&channel.kind).unwrap_or(ChannelKind::Webhook),
        target: channel.target_hint.clone(),
        alert_types: filter.kinds,
        tenant_ids: filter.tenant_ids,
        min_severity: filter.min_severity,
        enabled: channel.enabled,
        updated_at: channel.updated_at,
    }
}

/// Returns everything `GET alerts/rules` shows.
pub async fn rules(db: &DatabaseConnection, email_configured: bool) -> Result<AlertRules, ServiceError> {
    let defaults = portfolio_thresholds(db).await?;
    let rows = alert_rule::Entity::find().filter(alert_rule::Column::TenantPk.is_not_null()).all(db).await?;
    let tenants: HashMap<i32, tenant::Model> = tenant::Entity::find().all(db).await?.into_iter().map(|t| (t.id, t)).collect();
    let mut tenant_overrides: Vec<TenantRules> = rows
        .iter()
        .filter_map(|row| {
            let tenant = tenants.get(&row.tenant_pk?)?;
            let overrides = overrides_of(row);
            Some(TenantRules {
                tenant_id: tenant.tenant_id.clone(),
                display_name: tenant.display_name.clone(),
                effective: defaults.with(&overrides),
                overrides,
            })
        })
        .collect();
    tenant_overrides.sort_by_key(|t| t.display_name.to_lowercase());
    let channels = alert_channel::Entity::find()
        .order_by_asc(alert_channel::Column::Name)
        .all(db)
        .await?
        .iter()
        .map(channel_view)
        .collect();
    Ok(AlertRules { defaults, tenant_overrides, channels, email_configured })
}

fn bad(error: FieldError) -> ServiceError {
    ServiceError::BadRequest(error.to_string())
}

/// A channel change that passed every check.
struct CheckedChannel {
    existing: Option<alert_channel::Model>,
    name: String,
    kind: ChannelKind,
    target: ChannelTarget,
    kinds: Option<Vec<AlertKind>>,
    tenant_ids: Option<Vec<String>>,
    min_severity: Option<Severity>,
    enabled: Option<bool>,
}

/// Checks a webhook URL: absolute https with a host. Plain http is accepted
/// only to this machine (a test receiver), because the URL and body travel in clear.
pub fn check_url(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    let fix = "send the full https:// address of the incoming webhook or endpoint";
    let url = url::Url::parse(value).map_err(|_| FieldError::new(field, format!("'{}' is not a valid URL; {fix}", shorten(value))))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(value.to_owned()),
        "http" if loopback => Ok(value.to_owned()),
        "http" => Err(FieldError::new(field, format!("plain http is allowed only to 127.0.0.1 or localhost; {fix}"))),
        other => Err(FieldError::new(field, format!("the scheme '{other}' is not supported; {fix}"))),
    }
}

/// Returns the first 60 characters of `value`: enough to recognise it in an
/// error without echoing a whole credential-bearing URL.
fn shorten(value: &str) -> String {
    let mut short: String = value.chars().take(60).collect();
    if value.chars().count() > 60 {
        short.push('…');
    }
    short
}

fn check_recipients(field: &str, list: &[String]) -> Result<Vec<String>, FieldError> {
    if list.is_empty() || list.len() > MAX_RECIPIENTS {
        return Err(FieldError::new(field, format!("send 1 to {MAX_RECIPIENTS} e-mail addresses")));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        let value = raw.trim();
        if value.parse::<lettre::Address>().is_err() {
            return Err(FieldError::new(format!("{field}[{i}]"), format!("'{}' is not an e-mail address", shorten(value))));
        }
        out.push(value.to_owned());
    }
    Ok(out)
}

fn check_channel(
    index: usize,
    input: &ChannelInput,
    existing: Option<alert_channel::Model>,
    key: &SecretKey,
    tenants: &HashMap<String, i32>,
) -> Result<CheckedChannel, ServiceError> {
    let at = |name: &str| format!("channels[{index}].{name}");
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(bad(FieldError::new(at("name"), "send a channel name of 1 to 100 characters")));
    }
    let stored_kind = existing.as_ref().and_then(|c| ChannelKind::parse(&c.kind));
    let kind = match (&input.kind, stored_kind) {
        (Some(raw), stored) => {
            let kind = ChannelKind::parse(raw).ok_or_else(|| {
                bad(FieldError::new(at("type"), format!("'{}' is not a channel type; use email, teams, slack or webhook", shorten(raw))))
            })?;
            if stored.is_some_and(|s| s != kind) {
                return Err(bad(FieldError::new(
                    at("type"),
                    format!("channel '{name}' is a {} channel; remove it and create a new one to change its type", stored.map_or("", ChannelKind::as_str)),
                )));
            }
            kind
        }
        (None, Some(stored)) => stored,
        (None, None) => return Err(bad(FieldError::new(at("type"), "a new channel needs a type: email, teams, slack or webhook"))),
    };
    let mut target = match &existing {
        Some(channel) => ChannelTarget::unseal(&channel.sealed_config, key)?,
        None => ChannelTarget::default(),
    };
    if kind == ChannelKind::Email {
        if input.url.is_some() || input.secret.is_some() {
            return Err(bad(FieldError::new(at("url"), "an e-mail channel takes recipients, not a URL or secret")));
        }
        if let Some(list) = &input.recipients {
            target.recipients = check_recipients(&at("recipients"), list).map_err(bad)?;
        }
        if target.recipients.is_empty() {
            return Err(bad(FieldError::new(at("recipients"), "an e-mail channel needs at least one recipient")));
        }
    } else {
        if input.recipients.is_some() {
            return Err(bad(FieldError::new(at("recipients"), format!("a {} channel takes a URL, not recipients", kind.as_str()))));
        }
        if let Some(raw) = &input.url {
            target.url = Some(check_url(&at("url"), raw).map_err(bad)?);
        }
        if target.url.is_none() {
            return Err(bad(FieldError::new(at("url"), format!("a {} channel needs the URL of its endpoint", kind.as_str()))));
        }
        if kind == ChannelKind::Webhook {
            if let Some(secret) = &input.secret {
                let length = secret.chars().count();
                if !(MIN_SECRET_CHARS..=256).contains(&length) {
                    return Err(bad(FieldError::new(
                        at("secret"),
                        format!("the signing secret has {length} characters; send {MIN_SECRET_CHARS} to 256"),
                    )));
                }
                target.secret = Some(secret.clone());
            }
            if target.secret.is_none() {
                return Err(bad(FieldError::new(at("secret"), "a webhook channel needs a signing secret of at least 16 characters")));
            }
        } else if input.secret.is_some() {
            return Err(bad(FieldError::new(at("secret"), format!("a {} channel is not signed; leave out the secret", kind.as_str()))));
        }
    }
    let kinds = match &input.alert_types {
        None => None,
        Some(list) => {
            let mut kinds = Vec::with_capacity(list.len());
            for (i, raw) in list.iter().enumerate() {
                let kind = AlertKind::parse(raw).ok_or_else(|| {
                    bad(FieldError::new(
                        format!("channels[{index}].alertTypes[{i}]"),
                        format!("'{}' is not an alert type; use one of {}", shorten(raw), AlertKind::names()),
                    ))
                })?;
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            kinds.sort();
            Some(kinds)
        }
    };
    let tenant_ids = match &input.tenant_ids {
        None => None,
        Some(list) => {
            let mut ids = Vec::with_capacity(list.len());
            for (i, raw) in list.iter().enumerate() {
                let field = format!("channels[{index}].tenantIds[{i}]");
                let id = TenantId::parse(raw).map_err(|e| bad(FieldError::new(field.clone(), e.to_string())))?;
                if !tenants.contains_key(id.as_str()) {
                    return Err(bad(FieldError::new(field, format!("tenant {id} is not registered; register it first or leave it out"))));
                }
                ids.push(id.as_str().to_owned());
            }
            ids.sort();
            ids.dedup();
            Some(ids)
        }
    };
    let min_severity = match &input.min_severity {
        None => None,
        Some(raw) => Some(Severity::parse(raw).ok_or_else(|| {
            bad(FieldError::new(at("minSeverity"), format!("'{}' is not a severity; use info, warning or critical", shorten(raw))))
        })?),
    };
    Ok(CheckedChannel { existing, name, kind, target, kinds, tenant_ids, min_severity, enabled: input.enabled })
}

/// Applies `POST alerts`: checks the whole document, then stores it in one
/// transaction and audits each change. Returns the configuration after it.
pub async fn configure(
    db: &DatabaseConnection,
    key: &SecretKey,
    input: AlertConfigInput,
    by: &Actor,
    email_configured: bool,
    now: DateTime<Utc>,
) -> Result<AlertRules, ServiceError> {
    let defaults = input.defaults.as_ref().map(|d| d.check("defaults")).transpose().map_err(bad)?;
    let tenant_pks: HashMap<String, i32> = tenant::Entity::find().all(db).await?.into_iter().map(|t| (t.tenant_id, t.id)).collect();
    let mut overrides: Vec<(i32, String, Option<ThresholdOverrides>)> = Vec::new();
    for (i, entry) in input.tenant_overrides.iter().enumerate() {
        let field = format!("tenantOverrides[{i}].tenantId");
        let id = TenantId::parse(&entry.tenant_id).map_err(|e| bad(FieldError::new(field.clone(), e.to_string())))?;
        let pk = *tenant_pks
            .get(id.as_str())
            .ok_or_else(|| bad(FieldError::new(field, format!("tenant {id} is not registered; register it first"))))?;
        let checked = entry.thresholds.as_ref().map(|t| t.check(&format!("tenantOverrides[{i}].thresholds"))).transpose().map_err(bad)?;
        overrides.push((pk, id.as_str().to_owned(), checked));
    }
    let stored_channels: HashMap<String, alert_channel::Model> =
        alert_channel::Entity::find().all(db).await?.into_iter().map(|c| (c.name.to_lowercase(), c)).collect();
    let mut channels = Vec::with_capacity(input.channels.len());
    for (i, channel) in input.channels.iter().enumerate() {
        let existing = stored_channels.get(&channel.name.trim().to_lowercase()).cloned();
        if input.channels[..i].iter().any(|c| c.name.trim().eq_ignore_ascii_case(channel.name.trim())) {
            return Err(bad(FieldError::new(format!("channels[{i}].name"), format!("'{}' appears twice in this request", channel.name.trim()))));
        }
        channels.push(check_channel(i, channel, existing, key, &tenant_pks)?);
    }
    let mut removals = Vec::with_capacity(input.remove_channels.len());
    for (i, name) in input.remove_channels.iter().enumerate() {
        let found = stored_channels.get(&name.trim().to_lowercase()).ok_or_else(|| {
            bad(FieldError::new(format!("removeChannels[{i}]"), format!("no channel is named '{}'", shorten(name.trim()))))
        })?;
        removals.push(found.clone());
    }

    let _turn = crate::store::ingest::sqlite_turn(db).await;
    let txn = db.begin().await?;
    let written = write(&txn, key, defaults, &overrides, channels, &removals, by, now).await;
    match written {
        Ok(events) => {
            txn.commit().await?;
            drop(_turn);
            for (action, target, detail) in events {
                audit::record(db, NewAuditEvent { actor: by.actor.clone(), action, target: Some(target), detail, source_ip: by.source_ip.clone() }, now)
                    .await?;
            }
        }
        Err(e) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "rolling back the alert configuration failed");
            }
            return Err(e);
        }
    }
    rules(db, email_configured).await
}

type AuditLine = (&'static str, String, Option<String>);

#[allow(clippy::too_many_arguments)]
async fn write(
    txn: &impl ConnectionTrait,
    key: &SecretKey,
    defaults: Option<ThresholdOverrides>,
    overrides: &[(i32, String, Option<ThresholdOverrides>)],
    channels: Vec<CheckedChannel>,
    removals: &[alert_channel::Model],
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<AuditLine>, ServiceError> {
    let mut events: Vec<AuditLine> = Vec::new();
    if let Some(change) = defaults {
        let merged = save_rules(txn, PORTFOLIO_SCOPE, None, &change, by, now).await?;
        events.push(("alert_rules.set", PORTFOLIO_SCOPE.to_owned(), Some(json!(merged).to_string())));
    }
    for (pk, tenant_id, change) in overrides {
        match change {
            Some(change) => {
                let merged = save_rules(txn, &tenant_scope(*pk), Some(*pk), change, by, now).await?;
                events.push(("alert_rules.set", tenant_id.clone(), Some(json!(merged).to_string())));
            }
            None => {
                alert_rule::Entity::delete_many().filter(alert_rule::Column::Scope.eq(tenant_scope(*pk))).exec(txn).await?;
                events.push(("alert_rules.clear", tenant_id.clone(), None));
            }
        }
    }
    for channel in channels {
        let hint = target_hint(channel.kind, &channel.target);
        let sealed = channel.target.seal(key)?;
        let created = channel.existing.is_none();
        let mut row: alert_channel::ActiveModel = match channel.existing {
            Some(found) => found.into(),
            None => alert_channel::ActiveModel {
                kind: Set(channel.kind.as_str().to_owned()),
                alert_kinds: Set(json!([])),
                tenant_ids: Set(json!([])),
                min_severity: Set(Severity::Info.as_str().to_owned()),
                enabled: Set(true),
                created_at: Set(now),
                ..Default::default()
            },
        };
        row.name = Set(channel.name.clone());
        row.sealed_config = Set(sealed);
        row.target_hint = Set(hint.clone());
        if let Some(kinds) = channel.kinds {
            row.alert_kinds = Set(json!(kinds));
        }
        if let Some(ids) = channel.tenant_ids {
            row.tenant_ids = Set(json!(ids));
        }
        if let Some(severity) = channel.min_severity {
            row.min_severity = Set(severity.as_str().to_owned());
        }
        if let Some(enabled) = channel.enabled {
            row.enabled = Set(enabled);
        }
        row.updated_by = Set(Some(by.actor.clone()));
        row.updated_at = Set(now);
        row.save(txn).await?;
        let action = if created { "alert_channel.create" } else { "alert_channel.update" };
        // The hint contains no secret: recipients, or scheme and host only.
        events.push((action, channel.name, Some(format!("{} to {hint}", channel.kind.as_str()))));
    }
    for channel in removals {
        alert_channel::Entity::delete_by_id(channel.id).exec(txn).await?;
        events.push(("alert_channel.remove", channel.name.clone(), None));
    }
    Ok(events)
}

async fn save_rules(
    txn: &impl ConnectionTrait,
    scope: &str,
    tenant_pk: Option<i32>,
    change: &ThresholdOverrides,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<ThresholdOverrides, DbErr> {
    let existing = rule_row(txn, scope).await?;
    let merged = existing.as_ref().map(overrides_of).unwrap_or_default().merged(change);
    let mut row: alert_rule::ActiveModel = match existing {
        Some(found) => found.into(),
        None => alert_rule::ActiveModel { scope: Set(scope.to_owned()), tenant_pk: Set(tenant_pk), ..Default::default() },
    };
    row.rules = Set(json!(merged));
    row.updated_by = Set(Some(by.actor.clone()));
    row.updated_at = Set(now);
    row.save(txn).await?;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_except_on_loopback() {
        assert!(check_url("u", "https://contoso.webhook.office.com/webhookb2/abc").is_ok());
        assert!(check_url("u", "http://127.0.0.1:9000/hook").is_ok());
        let error = check_url("channels[0].url", "http://hooks.example.com/x").unwrap_err();
        assert_eq!(error.field, "channels[0].url");
        assert!(error.message.starts_with("plain http is allowed only"), "{}", error.message);
        let error = check_url("channels[1].url", "not a url").unwrap_err();
        assert_eq!(error.message, "'not a url' is not a valid URL; send the full https:// address of the incoming webhook or endpoint");
        assert!(check_url("u", "ftp://example.com/x").is_err());
    }

    #[test]
    fn recipients_are_checked_one_by_one() {
        assert_eq!(check_recipients("r", &["ops@msp.example".into()]).unwrap(), ["ops@msp.example"]);
        let error = check_recipients("channels[0].recipients", &["ops@msp.example".into(), "nobody".into()]).unwrap_err();
        assert_eq!(error.field, "channels[0].recipients[1]");
        assert!(check_recipients("r", &[]).is_err());
    }
}
