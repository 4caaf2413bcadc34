//! The audit log: who changed what, stored in `audit_events` and written
//! to the `audit` tracing target.

use chrono::{DateTime, Utc};
use domain::{AuditEvent, AuditPage};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryOrder, Set};

use crate::entity::audit_event;
use crate::error::ServiceError;

/// Rows per page unless the caller asks for another size.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The largest page size.
pub const MAX_PAGE_SIZE: u32 = 500;

/// An event to record. Callers put no secret, token or password in any
/// field: every field is stored and logged as given.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEvent<'a> {
    /// [`domain::Principal::actor`], or `cli` for the command line.
    pub actor: String,
    /// A dotted verb, for example `user.create` or `token.revoke`.
    pub action: &'a str,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub source_ip: Option<String>,
}

/// Stores `event` and logs it at INFO on the `audit` target.
pub async fn record(db: &DatabaseConnection, event: NewAuditEvent<'_>, now: DateTime<Utc>) -> Result<(), ServiceError> {
    tracing::info!(
        target: "audit",
        actor = %event.actor,
        action = event.action,
        audit_target = event.target.as_deref(),
        detail = event.detail.as_deref(),
        source_ip = event.source_ip.as_deref(),
        "{} by {}",
        event.action,
        event.actor
    );
    audit_event::ActiveModel {
        at: Set(now),
        actor: Set(event.actor),
        action: Set(event.action.to_owned()),
        target: Set(event.target),
        detail: Set(event.detail),
        source_ip: Set(event.source_ip),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Page `page` (from 1) of the audit log, newest first, with `page_size`
/// rows (1 to 500).
pub async fn list(db: &DatabaseConnection, page: u32, page_size: u32) -> Result<AuditPage, ServiceError> {
    if page == 0 {
        return Err(ServiceError::BadRequest("page '0' is invalid: pages are numbered from 1".into()));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(ServiceError::BadRequest(format!(
            "pageSize '{page_size}' is invalid: use a whole number from 1 to {MAX_PAGE_SIZE}"
        )));
    }
    let paginator = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .paginate(db, u64::from(page_size));
    let total_items = paginator.num_items().await?;
    let rows = paginator.fetch_page(u64::from(page - 1)).await?;
    let items = rows
        .into_iter()
        .map(|row| AuditEvent {
            id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            target: row.target,
            detail: row.detail,
            source_ip: row.source_ip,
        })
        .collect();
    let total_items = u32::try_from(total_items).unwrap_or(u32::MAX);
    Ok(AuditPage {
        items,
        page,
        page_size,
        total_items,
        total_pages: total_items.div_ceil(page_size),
    })
}
