//! Alert listing, and the actions people take on an alert: acknowledge and snooze.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use domain::alerts::{AlertKind, AlertPage, AlertView, ChannelKind, DeliveryView, DropCause, Severity};
use domain::TenantId;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, ActiveModelTrait};

use crate::analytics::Actor;
use crate::auth::audit::{self, NewAuditEvent};
use crate::entity::{alert, alert_channel, alert_delivery, tenant};
use crate::error::ServiceError;

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 500;

/// The status filter of an alert listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertStatusFilter {
    #[default]
    Open,
    Resolved,
    All,
}

impl AlertStatusFilter {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "open" => Some(Self::Open),
            "resolved" | "past" => Some(Self::Resolved),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AlertQuery {
    pub status: AlertStatusFilter,
    pub tenant: Option<TenantId>,
    pub kind: Option<AlertKind>,
    /// 1-based.
    pub page: u64,
    pub page_size: u64,
}

/// Returns one page of alerts, newest first, with their deliveries (two
/// queries for the page, whatever its size).
pub async fn list(db: &DatabaseConnection, query: &AlertQuery) -> Result<AlertPage, ServiceError> {
    let page_size = if query.page_size == 0 { DEFAULT_PAGE_SIZE } else { query.page_size.min(MAX_PAGE_SIZE) };
    let page = query.page.max(1);
    let mut filter = Condition::all();
    filter = match query.status {
        AlertStatusFilter::Open => filter.add(alert::Column::OpenKey.is_not_null()),
        AlertStatusFilter::Resolved => filter.add(alert::Column::OpenKey.is_null()),
        AlertStatusFilter::All => filter,
    };
    if let Some(kind) = query.kind {
        filter = filter.add(alert::Column::Kind.eq(kind.as_str()));
    }
    if let Some(id) = &query.tenant {
        let tenant = tenant::Entity::find()
            .filter(tenant::Column::TenantId.eq(id.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("tenant {id} is not registered; list tenants with GET tenants")))?;
        filter = filter.add(alert::Column::TenantPk.eq(tenant.id));
    }
    let select = alert::Entity::find()
        .filter(filter)
        .order_by_desc(alert::Column::OpenedAt)
        .order_by_desc(alert::Column::Id);
    let paginator = select.paginate(db, page_size);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    let pks: Vec<i32> = rows.iter().map(|a| a.tenant_pk).collect();
    let tenants: HashMap<i32, tenant::Model> =
        tenant::Entity::find().filter(tenant::Column::Id.is_in(pks)).all(db).await?.into_iter().map(|t| (t.id, t)).collect();
    let items = views(db, &rows, &tenants).await?;
    Ok(AlertPage { items, total, page, page_size })
}

/// Counts the open alerts, and the critical ones among them.
pub async fn open_counts(db: &DatabaseConnection) -> Result<(u32, u32), ServiceError> {
    let open = alert::Entity::find().filter(alert::Column::OpenKey.is_not_null()).count(db).await?;
    let critical = alert::Entity::find()
        .filter(alert::Column::OpenKey.is_not_null())
        .filter(alert::Column::Severity.eq(Severity::Critical.as_str()))
        .count(db)
        .await?;
    Ok((u32::try_from(open).unwrap_or(u32::MAX), u32::try_from(critical).unwrap_or(u32::MAX)))
}

/// Returns one alert by id.
pub async fn get(db: &DatabaseConnection, id: i64) -> Result<AlertView, ServiceError> {
    let row = alert::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("alert {id} does not exist; list alerts with GET alerts")))?;
    let tenants: HashMap<i32, tenant::Model> =
        tenant::Entity::find_by_id(row.tenant_pk).all(db).await?.into_iter().map(|t| (t.id, t)).collect();
    let mut views = views(db, &[row], &tenants).await?;
    views.pop().ok_or_else(|| ServiceError::Internal(format!("alert {id} vanished")))
}

async fn views(db: &DatabaseConnection, rows: &[alert::Model], tenants: &HashMap<i32, tenant::Model>) -> Result<Vec<AlertView>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let deliveries = if ids.is_empty() {
        Vec::new()
    } else {
        alert_delivery::Entity::find()
            .filter(alert_delivery::Column::AlertId.is_in(ids))
            .order_by_asc(alert_delivery::Column::Id)
            .all(db)
            .await?
    };
    let channels: HashMap<i32, alert_channel::Model> = alert_channel::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c)).collect();
    let mut by_alert: HashMap<i64, Vec<DeliveryView>> = HashMap::new();
    for delivery in deliveries {
        let Some(channel) = channels.get(&delivery.channel_id) else { continue };
        by_alert.entry(delivery.alert_id).or_default().push(DeliveryView {
            channel: channel.name.clone(),
            channel_type: ChannelKind::parse(&channel.kind).unwrap_or(ChannelKind::Webhook),
            status: delivery.status,
            attempts: u32::try_from(delivery.attempts).unwrap_or(0),
            last_error: delivery.last_error,
            sent_at: delivery.sent_at,
            next_attempt_at: delivery.next_attempt_at.filter(|_| delivery.sent_at.is_none()),
        });
    }
    Ok(rows
        .iter()
        .filter_map(|row| {
            let tenant = tenants.get(&row.tenant_pk)?;
            let kind = AlertKind::parse(&row.kind)?;
            let cause: Option<DropCause> = row.details.get("drop").and_then(|d| serde_json::from_value(d.clone()).ok());
            Some(AlertView {
                id: row.id,
                tenant_id: tenant.tenant_id.clone(),
                tenant_name: tenant.display_name.clone(),
                kind,
                type_label: kind.label().to_owned(),
                severity: Severity::parse(&row.severity).unwrap_or(Severity::Warning),
                message: row.message.clone(),
                cause,
                status: if row.open_key.is_some() { "open" } else { "resolved" }.to_owned(),
                opened_at: row.opened_at,
                last_seen_at: row.last_seen_at,
                resolved_at: row.resolved_at,
                acknowledged_at: row.acknowledged_at,
                acknowledged_by: row.acknowledged_by.clone(),
                snoozed_until: row.snoozed_until,
                deliveries: by_alert.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect())
}

/// An action a person takes on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    Acknowledge,
    Snooze { hours: u32 },
    Unsnooze,
}

impl AlertAction {
    /// Reads the `action` and `hours` of a request; errors name the field.
    pub fn parse(action: &str, hours: Option<u32>) -> Result<Self, ServiceError> {
        match action.trim() {
            "acknowledge" => Ok(Self::Acknowledge),
            "unsnooze" => Ok(Self::Unsnooze),
            "snooze" => match hours {
                Some(hours @ 1..=720) => Ok(Self::Snooze { hours }),
                Some(other) => Err(ServiceError::BadRequest(format!("hours: {other} is out of range; send 1 to 720"))),
                None => Err(ServiceError::BadRequest("hours: snoozing needs the number of hours (1 to 720)".into())),
            },
            other => Err(ServiceError::BadRequest(format!(
                "action: '{}' is not an alert action; use acknowledge, snooze or unsnooze",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }
}

/// Acknowledges or snoozes an open alert, audited.
pub async fn act(db: &DatabaseConnection, id: i64, action: AlertAction, by: &Actor, now: DateTime<Utc>) -> Result<AlertView, ServiceError> {
    let row = alert::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("alert {id} does not exist; list alerts with GET alerts")))?;
    if row.open_key.is_none() {
        return Err(ServiceError::Conflict(format!("alert {id} is already resolved; only open alerts can be acknowledged or snoozed")));
    }
    let mut change = alert::ActiveModel { id: Set(id), ..Default::default() };
    let detail = match action {
        AlertAction::Acknowledge => {
            change.acknowledged_at = Set(Some(now));
            change.acknowledged_by = Set(Some(by.actor.clone()));
            None
        }
        AlertAction::Snooze { hours } => {
            let until = now + Duration::hours(i64::from(hours));
            change.snoozed_until = Set(Some(until));
            change.snoozed_by = Set(Some(by.actor.clone()));
            Some(format!("until {}", until.format("%Y-%m-%d %H:%M UTC")))
        }
        AlertAction::Unsnooze => {
            change.snoozed_until = Set(None);
            change.snoozed_by = Set(None);
            None
        }
    };
    {
        let _turn = crate::store::ingest::sqlite_turn(db).await;
        change.update(db).await?;
    }
    let verb = match action {
        AlertAction::Acknowledge => "alert.acknowledge",
        AlertAction::Snooze { .. } => "alert.snooze",
        AlertAction::Unsnooze => "alert.unsnooze",
    };
    audit::record(db, NewAuditEvent { actor: by.actor.clone(), action: verb, target: Some(id.to_string()), detail, source_ip: by.source_ip.clone() }, now)
        .await?;
    get(db, id).await
}
