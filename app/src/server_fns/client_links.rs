//! Read-only report links for clients: the report behind a link, and the
//! staff functions that create, list and revoke links.

use domain::access::LinkInfo;
use domain::TenantDetail;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Default lifetime of a new client link, in days. The backend's
/// `client_links::DEFAULT_DAYS` has the same value, but the browser build
/// cannot read it.
pub const DEFAULT_LINK_DAYS: u32 = 30;
/// Maximum lifetime of a client link, in days, as the backend's
/// `client_links::MAX_DAYS`.
pub const MAX_LINK_DAYS: u32 = 365;

/// A link just created. `url` contains the secret token and is returned
/// only by the call that created it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewClientLink {
    pub url: String,
    pub link: LinkInfo,
}

/// Returns the report of the tenant that the link `token` belongs to. The
/// token is the credential, so anonymous visitors may call this.
///
/// Rejects an unknown token with 404 and an expired or revoked one with 403.
#[server(endpoint = "client_report")]
pub async fn get_client_report(token: String) -> Result<ClientReport, AppError> {
    use crate::error::ssr::{app_context, reject};
    use backend::auth::client_links::LinkRejection;

    let ctx = app_context()?;
    let now = chrono::Utc::now();
    let link = match backend::auth::client_links::resolve(&ctx.db, token.trim(), now).await.map_err(reject)? {
        Ok(link) => link,
        Err(rejection @ LinkRejection::Unknown) => return Err(reject(AppError::NotFound(rejection.message().to_owned()))),
        Err(rejection) => return Err(reject(AppError::Forbidden(rejection.message().to_owned()))),
    };
    // The tenant comes from the stored link, never from the request.
    let tenant_id = domain::TenantId::parse(&link.tenant_id).map_err(|err| {
        reject(AppError::internal(format_args!("client link {} has an invalid tenant id: {err}", link.id)))
    })?;
    let mut detail = backend::service::tenant_detail(&ctx.db, now, &tenant_id).await.map_err(reject)?;
    // Figures derived from other clients' scores stay off the client's page:
    // in a small portfolio an average or a rank can reveal another tenant.
    for category in &mut detail.category_comparison {
        category.portfolio_average = None;
    }
    detail.tenant.industry_rank = None;
    detail.tenant.industry_rank_label = None;
    detail.tenant.industry_position = None;
    detail.tenant.industry_peers = None;
    let tenant = backend::store::tenants::find(&ctx.db, &tenant_id)
        .await
        .map_err(reject)?
        .ok_or_else(|| reject(AppError::NotFound("The tenant of this link no longer exists.".to_owned())))?;
    let actions = backend::recommendations::tenant_actions(&ctx.db, tenant.id, now - chrono::Duration::days(90)).await.map_err(reject)?;
    let history_chart = backend::charts::tenant_history(&detail.history, &detail.max_score_changes);
    Ok(ClientReport { detail, actions, history_chart })
}

/// The content of a client link: the tenant's report, its actions and the
/// history chart options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientReport {
    pub detail: TenantDetail,
    pub actions: domain::recommendations::ReportActions,
    pub history_chart: String,
}

/// Creates a client link for `tenant_id` that expires after `days`
/// (1 to 365, default 30). Needs the analyst or admin role.
///
/// A plain form post returns to the tenant page, which then shows the new
/// link once.
#[server(endpoint = "create_client_link")]
pub async fn create_client_link(tenant_id: String, days: Option<u32>) -> Result<NewClientLink, AppError> {
    use leptos::server_fn::ServerFn;

    let page = format!("/tenants/{}", tenant_page_segment(&tenant_id));
    let result = ssr::create(&tenant_id, days).await;
    crate::http::finish_form_post(CreateClientLink::PATH, &page, result)
}

/// Lists the links of `tenant_id`, newest first as the backend returns
/// them. Needs the analyst or admin role.
#[server(endpoint = "list_client_links")]
pub async fn list_client_links(tenant_id: String) -> Result<Vec<LinkInfo>, AppError> {
    use crate::auth::ssr::require;
    use crate::error::ssr::{app_context, reject};
    use domain::access::Permission;

    require(Permission::CreateClientLink)?;
    let id = domain::TenantId::parse(&tenant_id).map_err(|err| reject(AppError::BadRequest(err.to_string())))?;
    let ctx = app_context()?;
    backend::auth::client_links::list_for_tenant(&ctx.db, &id).await.map_err(reject)
}

/// Revokes link `id`; `tenant_id` only names the page a plain form post
/// returns to. Needs the analyst or admin role. Rejects an unknown or
/// already revoked link with 404.
#[server(endpoint = "revoke_client_link")]
pub async fn revoke_client_link(id: i64, tenant_id: Option<String>) -> Result<(), AppError> {
    use leptos::server_fn::ServerFn;

    let page = match tenant_id.as_deref() {
        Some(tenant) => format!("/tenants/{}", tenant_page_segment(tenant)),
        None => "/tenants".to_owned(),
    };
    let result = ssr::revoke(id).await;
    crate::http::finish_form_post(RevokeClientLink::PATH, &page, result)
}

/// The contents of the tenant page's client-link panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientLinksPanelData {
    pub links: Vec<LinkInfo>,
    /// URL of a link that a plain form post just created on this page,
    /// present once.
    pub new_link_url: Option<String>,
}

/// Returns the panel's links for `tenant_id`, or `None` when the caller may
/// not manage client links. Unlike [`list_client_links`] it does not return
/// 403, because the tenant page it is part of stays readable for viewers.
#[server(endpoint = "client_links_panel")]
pub async fn get_client_links_panel(tenant_id: String) -> Result<Option<ClientLinksPanelData>, AppError> {
    use crate::auth::ssr::current_principal;
    use crate::error::ssr::{app_context, reject};
    use domain::access::Permission;

    if !current_principal().allows(Permission::CreateClientLink) {
        return Ok(None);
    }
    let id = domain::TenantId::parse(&tenant_id).map_err(|err| reject(AppError::BadRequest(err.to_string())))?;
    let ctx = app_context()?;
    let links = backend::auth::client_links::list_for_tenant(&ctx.db, &id).await.map_err(reject)?;

    // The cookie's path covers every tenant page, so a link made for
    // another tenant is dropped rather than shown here.
    let new_link_url = ssr::NEW_LINK.take().and_then(|stored| {
        let (link_tenant, token) = stored.split_once('.')?;
        (link_tenant == id.as_str()).then(|| ssr::link_url(token))
    });
    Ok(Some(ClientLinksPanelData { links, new_link_url }))
}

/// Keeps only the characters of a tenant id, so a redirect target built
/// from the request stays a path on this site.
#[cfg(feature = "ssr")]
fn tenant_page_segment(tenant_id: &str) -> String {
    tenant_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::access::Permission;

    use super::{NewClientLink, DEFAULT_LINK_DAYS};
    use crate::auth::ssr::{audit, require};
    use crate::error::ssr::{app_context, reject};
    use crate::error::AppError;
    use crate::http::{self, Flash};

    /// The token of a link created by a plain form post, stored as
    /// `<tenant id>.<token>` for the tenant page.
    const _: () = assert!(DEFAULT_LINK_DAYS == backend::auth::client_links::DEFAULT_DAYS);
    const _: () = assert!(super::MAX_LINK_DAYS == backend::auth::client_links::MAX_DAYS);

    pub const NEW_LINK: Flash = Flash { cookie: "tc_new_client_link", path: "/tenants" };

    pub fn link_url(token: &str) -> String {
        let origin = http::request_origin().unwrap_or_default();
        format!("{origin}/client/{token}")
    }

    pub async fn create(tenant_id: &str, days: Option<u32>) -> Result<NewClientLink, AppError> {
        let principal = require(Permission::CreateClientLink)?;
        let id = domain::TenantId::parse(tenant_id).map_err(|err| reject(AppError::BadRequest(err.to_string())))?;
        // The backend rejects a lifetime outside 1 to 365 days and a tenant
        // that is not registered.
        let days = days.unwrap_or(DEFAULT_LINK_DAYS);
        let ctx = app_context()?;
        let actor = principal.actor();
        let (token, link) = backend::auth::client_links::create(&ctx.db, &id, Some(&actor), days, chrono::Utc::now())
            .await
            .map_err(reject)?;
        audit(&ctx, actor, "client_link.created", Some(link.tenant_id.clone()), Some(format!("link {} for {days} days", link.id)))
            .await;

        NEW_LINK.set(&format!("{}.{token}", link.tenant_id));
        http::forbid_caching();
        Ok(NewClientLink { url: link_url(&token), link })
    }

    pub async fn revoke(id: i64) -> Result<(), AppError> {
        let principal = require(Permission::CreateClientLink)?;
        let ctx = app_context()?;
        let revoked = backend::auth::client_links::revoke(&ctx.db, id, chrono::Utc::now()).await.map_err(reject)?;
        if !revoked {
            return Err(reject(AppError::NotFound(format!("Client link {id} not found or already revoked."))));
        }
        audit(&ctx, principal.actor(), "client_link.revoked", Some(format!("client_link:{id}")), None).await;
        Ok(())
    }
}
