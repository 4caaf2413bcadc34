//! Server functions of the compliance page and of the mapping overrides
//! admin page. They call the same backend functions as `GET compliance`,
//! `GET compliance/portfolio` and `PUT`/`DELETE compliance/overrides`.

use domain::compliance::{EffectiveMapping, PortfolioCompliance, TenantCompliance};
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

/// The page of the mapping overrides.
pub const OVERRIDES_PAGE: &str = "/admin/compliance";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompliancePageData {
    pub tenants: Vec<TenantChoice>,
    /// The chosen tenant's correlation; `None` on the portfolio view.
    pub report: Option<TenantCompliance>,
    /// Every tenant's coverage, when no tenant is chosen.
    pub portfolio: Option<PortfolioCompliance>,
}

/// Returns the tenants and either the correlation of `tenant_id` or, when
/// it is empty, the portfolio view. Rejects a malformed id with 400 and an
/// unknown one with 404.
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
    match tenant_id.trim() {
        "" => {
            let portfolio = backend::compliance::portfolio(&ctx.db).await.map_err(reject)?;
            Ok(CompliancePageData { tenants, report: None, portfolio: Some(portfolio) })
        }
        raw => {
            let id = domain::TenantId::parse(raw).map_err(|e| reject(AppError::BadRequest(e.to_string())))?;
            let report = backend::compliance::tenant(&ctx.db, &id).await.map_err(reject)?;
            Ok(CompliancePageData { tenants, report: Some(report), portfolio: None })
        }
    }
}

/// Returns the mapping in force and the MSP's overrides. Admins only.
#[server(endpoint = "admin_compliance_mapping")]
pub async fn get_compliance_mapping() -> Result<EffectiveMapping, AppError> {
    require(Permission::Admin)?;
    let ctx = app_context()?;
    backend::compliance::mapping_view(&ctx.db).await.map_err(reject)
}

/// Stores an override: `kind` `add` maps `framework` control `control` to
/// the Secure Score action `control_id`, citing `source` (an https URL);
/// `remove` drops that control from the action. Admins only; audited.
#[server(endpoint = "admin_set_compliance_override")]
pub async fn set_compliance_override(control_id: String, framework: String, control: String, source: String, kind: String) -> Result<(), AppError> {
    use leptos::server_fn::ServerFn;

    let result = ssr::set_override(control_id, framework, control, source, &kind).await;
    crate::http::finish_form_post(SetComplianceOverride::PATH, OVERRIDES_PAGE, result)
}

/// Deletes the override of one action and framework control, so the
/// shipped mapping applies again. Admins only; audited.
#[server(endpoint = "admin_delete_compliance_override")]
pub async fn delete_compliance_override(control_id: String, framework: String, control: String) -> Result<(), AppError> {
    use leptos::server_fn::ServerFn;

    let result = ssr::delete_override(control_id, framework, control).await;
    crate::http::finish_form_post(DeleteComplianceOverride::PATH, OVERRIDES_PAGE, result)
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::access::Permission;
    use domain::compliance::{MappingOverride, OverrideKind};

    use crate::auth::ssr::require;
    use crate::error::ssr::{app_context, reject};
    use crate::error::AppError;

    fn actor(principal: &domain::access::Principal) -> backend::analytics::Actor {
        backend::analytics::Actor { actor: principal.actor(), source_ip: crate::http::client_ip() }
    }

    pub async fn set_override(control_id: String, framework: String, control: String, source: String, kind: &str) -> Result<(), AppError> {
        let principal = require(Permission::Admin)?;
        let kind = match kind {
            "add" => OverrideKind::Add,
            "remove" => OverrideKind::Remove,
            other => return Err(reject(AppError::BadRequest(format!("The kind '{other}' is invalid: choose add or remove.")))),
        };
        let ctx = app_context()?;
        let change = MappingOverride { control_id, framework, control, source, kind };
        backend::compliance::set_override(&ctx.db, change, &actor(&principal), chrono::Utc::now()).await.map_err(reject)?;
        Ok(())
    }

    pub async fn delete_override(control_id: String, framework: String, control: String) -> Result<(), AppError> {
        let principal = require(Permission::Admin)?;
        let ctx = app_context()?;
        backend::compliance::delete_override(&ctx.db, &control_id, &framework, &control, &actor(&principal), chrono::Utc::now())
            .await
            .map_err(reject)?;
        Ok(())
    }
}
