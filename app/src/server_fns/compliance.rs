//! Server function of the compliance page. It calls the same backend
//! function as `GET compliance`.

use domain::compliance::TenantCompliance;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::server_fns::alerts::TenantChoice;

#[cfg(feature = "ssr")]
use crate::auth::ssr::require;
#[cfg(feature = "ssr")]
use crate::error::ssr::{app_context, reject};
#[cfg(feature = "ssr")]
use domain::access::Permission;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompliancePageData {
    pub tenants: Vec<TenantChoice>,
    /// The chosen tenant's correlation; `None` when no tenant has data.
    pub report: Option<TenantCompliance>,
}

/// Returns the tenants and the correlation of `tenant_id`, or of the first
/// tenant with data when it is empty. Rejects a malformed id with 400 and
/// an unknown one with 404.
#[server(endpoint = "compliance_page")]
pub async fn get_compliance_page(tenant_id: String) -> Result<CompliancePageData, AppError> {
    require(Permission::Read)?;
    let ctx = app_context()?;
    let tenants: Vec<TenantChoice> = backend::store::tenants::list(&ctx.db)
        .await
        .map_err(reject)?
        .into_iter()
        .map(|t| TenantChoice { tenant_id: t.tenant_id, display_name: t.display_name, percentage: t.percentage })
        .collect();
    let chosen = match tenant_id.trim() {
        "" => tenants.iter().find(|t| t.percentage.is_some()).map(|t| t.tenant_id.clone()),
        raw => Some(raw.to_owned()),
    };
    let report = match chosen {
        Some(raw) => {
            let id = domain::TenantId::parse(&raw).map_err(|e| reject(AppError::BadRequest(e.to_string())))?;
            Some(backend::compliance::tenant(&ctx.db, &id).await.map_err(reject)?)
        }
        None => None,
    };
    Ok(CompliancePageData { tenants, report })
}
