//! The caller of a request, and what it may do.
//!
//! The server's authentication middleware resolves every request's caller
//! into a [`Principal`] and stores it in the request extensions. Server
//! functions and page renders read it from there with
//! [`ssr::current_principal`] and check permissions with [`ssr::require`].

use domain::access::Permission;

/// Name of the staff session cookie.
pub const SESSION_COOKIE: &str = "tc_session";

/// Returns `next` when it is a path on this site, else `/`. Only such paths
/// are safe redirect targets after sign-in: `//host` and `https://host`
/// would send the browser to another site.
pub fn local_redirect_target(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Describes what a permission needs, for 403 messages.
pub fn permission_requirement(permission: Permission) -> &'static str {
    match permission {
        Permission::Read => "a staff account or a read token",
        Permission::ChangeStatus => "the analyst or admin role",
        Permission::Export => "the analyst or admin role",
        Permission::CreateClientLink => "the analyst or admin role",
        Permission::Admin => "the admin role",
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Reading the caller inside server functions and renders.

    use domain::access::{Permission, Principal};
    use leptos::prelude::use_context;
    use leptos::server_fn::http_export::request::Parts;

    use super::permission_requirement;
    use crate::error::ssr::reject;
    use crate::error::AppError;

    /// Returns the caller of the current request, or [`Principal::Anonymous`]
    /// when the middleware stored none.
    pub fn current_principal() -> Principal {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<Principal>().cloned())
            .unwrap_or(Principal::Anonymous)
    }

    /// Returns the caller when it has `permission`. Rejects an anonymous
    /// caller with 401 and any other caller without the permission with 403,
    /// and sets that status on the current response.
    pub fn require(permission: Permission) -> Result<Principal, AppError> {
        let principal = current_principal();
        if !principal.is_authenticated() {
            return Err(reject(AppError::Unauthorized("Sign in first.".to_owned())));
        }
        if !principal.allows(permission) {
            return Err(reject(AppError::Forbidden(format!(
                "Access denied: this needs {}.",
                permission_requirement(permission)
            ))));
        }
        Ok(principal)
    }

    /// Records an audit event. A failure to store it is logged and does not
    /// fail the action, because the action itself has already happened.
    pub async fn audit(
        ctx: &backend::AppContext,
        actor: String,
        action: &str,
        target: Option<String>,
        detail: Option<String>,
    ) {
        let event = backend::auth::audit::NewAuditEvent {
            actor,
            action,
            target,
            detail,
            source_ip: crate::http::client_ip(),
        };
        if let Err(error) = backend::auth::audit::record(&ctx.db, event, chrono::Utc::now()).await {
            tracing::error!(%error, audit.action = action, "could not store the audit event {action}: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept() {
        assert_eq!(local_redirect_target(Some("/tenants?sort=name")), "/tenants?sort=name");
        assert_eq!(local_redirect_target(Some("/")), "/");
    }

    #[test]
    fn foreign_targets_become_root() {
        assert_eq!(local_redirect_target(Some("//evil.example")), "/");
        assert_eq!(local_redirect_target(Some("/\\evil.example")), "/");
        assert_eq!(local_redirect_target(Some("https://evil.example/")), "/");
        assert_eq!(local_redirect_target(Some("tenants")), "/");
        assert_eq!(local_redirect_target(Some("")), "/");
        assert_eq!(local_redirect_target(None), "/");
    }
}
