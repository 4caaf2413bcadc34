//! Read-only links that open one tenant's client page without an account.
//! The raw link token (64 hex characters) is shown once at creation; the
//! database keeps its SHA-256 hash.

use chrono::{DateTime, Duration, Utc};
use domain::{LinkInfo, TenantId};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::auth::tokens;
use crate::entity::{client_link, tenant};
use crate::error::ServiceError;
use crate::store::tenants;

/// Days a link stays valid unless the creator picks another number.
pub const DEFAULT_DAYS: u32 = 30;
/// The maximum validity, in days.
pub const MAX_DAYS: u32 = 365;
/// `last_used_at` is written at most this often, to limit writes.
pub const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

/// The reason a link does not open the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRejection {
    Unknown,
    Expired,
    Revoked,
}

impl LinkRejection {
    /// Returns the message for the person who opened the link.
    pub fn message(self) -> &'static str {
        match self {
            Self::Unknown => "This link is not valid. Check that you copied all of it, or ask your IT provider for a new one.",
            Self::Expired => "This link has expired. Ask your IT provider for a new one.",
            Self::Revoked => "This link has been withdrawn. Ask your IT provider for a new one.",
        }
    }

    /// Returns a short code for logs and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

fn info(model: client_link::Model, tenant_id: String) -> LinkInfo {
    LinkInfo {
        id: model.id,
        tenant_id,
        created_by: model.created_by,
        created_at: model.created_at,
        expires_at: model.expires_at,
        revoked_at: model.revoked_at,
        last_used_at: model.last_used_at,
    }
}

async fn registered_tenant(db: &DatabaseConnection, id: &TenantId) -> Result<tenant::Model, ServiceError> {
    tenants::find(db, id).await?.ok_or_else(|| {
        ServiceError::NotFound(format!("tenant {id} is not registered: add it with `trust-center tenant add` first"))
    })
}

/// Creates a link to `tenant`'s client page, valid for `days` (1 to 365).
/// Returns the raw token, to be shown once, with the link's description.
pub async fn create(
    db: &DatabaseConnection,
    tenant: &TenantId,
    created_by: Option<&str>,
    days: u32,
    now: DateTime<Utc>,
) -> Result<(String, LinkInfo), ServiceError> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ServiceError::BadRequest(format!(
            "link validity '{days}' days is invalid: use a whole number of days from 1 to {MAX_DAYS}"
        )));
    }
    let registered = registered_tenant(db, tenant).await?;
    let raw = tokens::random_token_hex()?;
    let model = client_link::ActiveModel {
        token_hash: Set(tokens::hash_token(&raw)),
        tenant_pk: Set(registered.id),
        created_by: Set(created_by.map(str::to_owned)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(i64::from(days))),
        revoked_at: Set(None),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((raw, info(model, registered.tenant_id)))
}

/// Looks up a raw link token. A revoked link reports `Revoked` even after
/// it has expired. `last_used_at` is refreshed on a valid link when it is
/// unset or a minute old.
pub async fn resolve(
    db: &DatabaseConnection,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Result<LinkInfo, LinkRejection>, ServiceError> {
    if !tokens::is_lower_hex(raw, 64) {
        return Ok(Err(LinkRejection::Unknown));
    }
    let Some(found) = client_link::Entity::find()
        .filter(client_link::Column::TokenHash.eq(tokens::hash_token(raw)))
        .one(db)
        .await?
    else {
        return Ok(Err(LinkRejection::Unknown));
    };
    if found.revoked_at.is_some() {
        return Ok(Err(LinkRejection::Revoked));
    }
    if now >= found.expires_at {
        return Ok(Err(LinkRejection::Expired));
    }
    // The foreign key deletes links with their tenant, so this finds a row.
    let Some(owner) = tenant::Entity::find_by_id(found.tenant_pk).one(db).await? else {
        return Ok(Err(LinkRejection::Unknown));
    };

    let stale = found.last_used_at.is_none_or(|at| now - at >= LAST_USED_RESOLUTION);
    let model = if stale {
        let mut active: client_link::ActiveModel = found.into();
        active.last_used_at = Set(Some(now));
        active.update(db).await?
    } else {
        found
    };
    Ok(Ok(info(model, owner.tenant_id)))
}

/// Revokes link `id`. Returns false when there is no such link or it was
/// already revoked.
pub async fn revoke(db: &DatabaseConnection, id: i64, now: DateTime<Utc>) -> Result<bool, ServiceError> {
    let result = client_link::Entity::update_many()
        .col_expr(client_link::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(client_link::Column::Id.eq(id))
        .filter(client_link::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Lists every link of `tenant`, expired and revoked ones included, newest first.
/// An unregistered tenant gives `NotFound`.
pub async fn list_for_tenant(db: &DatabaseConnection, tenant: &TenantId) -> Result<Vec<LinkInfo>, ServiceError> {
    let registered = registered_tenant(db, tenant).await?;
    let links = client_link::Entity::find()
        .filter(client_link::Column::TenantPk.eq(registered.id))
        .order_by_desc(client_link::Column::CreatedAt)
        .order_by_desc(client_link::Column::Id)
        .all(db)
        .await?;
    Ok(links
        .into_iter()
        .map(|model| info(model, registered.tenant_id.clone()))
        .collect())
}
