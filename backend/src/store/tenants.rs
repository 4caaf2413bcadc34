//! Registering, listing and removing managed tenants.

use chrono::{DateTime, Utc};
use domain::{SyncStatus, TenantId};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::tenant;
use crate::error::ServiceError;

/// The fields a person supplies when adding or updating a tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantInput {
    pub tenant_id: TenantId,
    pub display_name: String,
    pub industry: Option<String>,
    pub excluded: bool,
}

/// Whether `upsert` created a tenant or updated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
}

fn clean_name(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ServiceError::BadRequest(
            "the display name is empty: give the customer's name, for example --name \"Harbor Dental\"".into(),
        ));
    }
    if name.chars().count() > 200 {
        return Err(ServiceError::BadRequest("the display name is longer than 200 characters: shorten it".into()));
    }
    Ok(name.to_owned())
}

fn clean_industry(raw: Option<String>) -> Option<String> {
    raw.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Adds a tenant, or updates its name, industry and excluded flag when the
/// tenant id is already registered. Stored snapshots are never touched.
pub async fn upsert(db: &DatabaseConnection, input: TenantInput, now: DateTime<Utc>) -> Result<Upserted, ServiceError> {
    let display_name = clean_name(&input.display_name)?;
    let industry = clean_industry(input.industry);
    let existing = tenant::Entity::find()
        .filter(tenant::Column::TenantId.eq(input.tenant_id.as_str()))
        .one(db)
        .await?;
    match existing {
        Some(model) => {
            let mut active: tenant::ActiveModel = model.into();
            active.display_name = Set(display_name);
            active.industry = Set(industry);
            active.excluded = Set(input.excluded);
            active.updated_at = Set(now);
            active.update(db).await?;
            Ok(Upserted::Updated)
        }
        None => {
            tenant::ActiveModel {
                tenant_id: Set(input.tenant_id.as_str().to_owned()),
                display_name: Set(display_name),
                industry: Set(industry),
                excluded: Set(input.excluded),
                sync_status: Set(SyncStatus::NeverSynced.as_str().to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            Ok(Upserted::Created)
        }
    }
}

/// Returns every registered tenant, ordered by display name.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<tenant::Model>, ServiceError> {
    Ok(tenant::Entity::find().order_by_asc(tenant::Column::DisplayName).all(db).await?)
}

pub async fn find(db: &DatabaseConnection, id: &TenantId) -> Result<Option<tenant::Model>, ServiceError> {
    Ok(tenant::Entity::find()
        .filter(tenant::Column::TenantId.eq(id.as_str()))
        .one(db)
        .await?)
}

/// Removes a tenant and, through the foreign keys, all of its snapshots and
/// profiles. Returns false when the tenant was not registered.
pub async fn remove(db: &DatabaseConnection, id: &TenantId) -> Result<bool, ServiceError> {
    let result = tenant::Entity::delete_many()
        .filter(tenant::Column::TenantId.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}
