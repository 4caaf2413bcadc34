//! Administration: API tokens, staff accounts and the audit log. Every
//! function here needs the admin role.

use domain::access::{AuditPage, Role, TokenInfo, TokenScope, UserInfo};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Number of audit events per page.
pub const AUDIT_PAGE_SIZE: u32 = 50;

/// A token just created. `token` is the secret value, returned only by the
/// call that created it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: String,
    pub info: TokenInfo,
}

/// Lists every API token without its secret value.
#[server(endpoint = "admin_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    use crate::error::ssr::{app_context, reject};

    ssr::require_admin()?;
    let ctx = app_context()?;
    backend::auth::api_tokens::list(&ctx.db).await.map_err(reject)
}

/// Creates an API token named `name` (1 to 100 characters) with `scope` (`read`, `read_write` or
/// `admin`). A plain form post returns to `/admin/tokens`, which then shows
/// the token once.
#[server(endpoint = "admin_create_token")]
pub async fn create_token(name: String, scope: String) -> Result<NewToken, AppError> {
    use leptos::server_fn::ServerFn;

    let result = ssr::create_token(name, &scope).await;
    crate::http::finish_form_post(CreateToken::PATH, ssr::TOKENS_PAGE, result)
}

/// Revokes API token `id`. Rejects an unknown or already revoked token
/// with 404.
#[server(endpoint = "admin_revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use leptos::server_fn::ServerFn;

    let result = ssr::revoke_token(id).await;
    crate::http::finish_form_post(RevokeToken::PATH, ssr::TOKENS_PAGE, result)
}

/// Returns the token that a plain form post created, once; `None`
/// otherwise.
#[server(endpoint = "admin_take_new_token")]
pub async fn take_new_token() -> Result<Option<String>, AppError> {
    ssr::require_admin()?;
    Ok(ssr::NEW_TOKEN.take())
}

/// Lists every staff account.
#[server(endpoint = "admin_users")]
pub async fn list_users() -> Result<Vec<UserInfo>, AppError> {
    use crate::error::ssr::{app_context, reject};

    ssr::require_admin()?;
    let ctx = app_context()?;
    backend::auth::users::list(&ctx.db).await.map_err(reject)
}

/// Creates a staff account with `email`, `role` (`viewer`, `analyst` or
/// `admin`) and `password` (at least 12 characters). Rejects an address
/// already in use with 409.
#[server(endpoint = "admin_create_user")]
pub async fn create_user(email: String, role: String, password: String) -> Result<UserInfo, AppError> {
    use leptos::server_fn::ServerFn;

    let result = ssr::create_user(email, &role, password).await;
    crate::http::finish_form_post(CreateUser::PATH, "/admin/users", result)
}

/// Returns page `page` (from 1) of the audit log, newest first.
#[server(endpoint = "admin_audit")]
pub async fn list_audit(page: u32) -> Result<AuditPage, AppError> {
    use crate::error::ssr::{app_context, reject};

    ssr::require_admin()?;
    let ctx = app_context()?;
    backend::auth::audit::list(&ctx.db, page.max(1), AUDIT_PAGE_SIZE).await.map_err(reject)
}

/// Parses a role from a form, for the user form's select.
pub fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw).ok_or_else(|| {
        AppError::BadRequest(format!("The role '{raw}' is invalid: choose viewer, analyst or admin."))
    })
}

/// Parses a token scope from a form.
pub fn parse_scope(raw: &str) -> Result<TokenScope, AppError> {
    TokenScope::parse(raw).ok_or_else(|| {
        AppError::BadRequest(format!("The scope '{raw}' is invalid: choose read, read_write or admin."))
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::access::{Permission, Principal, UserInfo};

    use super::{parse_role, parse_scope, NewToken};
    use crate::auth::ssr::{audit, require};
    use crate::error::ssr::{app_context, reject};
    use crate::error::AppError;
    use crate::http::{self, Flash};

    pub const TOKENS_PAGE: &str = "/admin/tokens";

    /// The token created by a plain form post, for the tokens page.
    pub const NEW_TOKEN: Flash = Flash { cookie: "tc_new_token", path: TOKENS_PAGE };

    pub fn require_admin() -> Result<Principal, AppError> {
        require(Permission::Admin)
    }

    pub async fn create_token(name: String, scope: &str) -> Result<NewToken, AppError> {
        let principal = require_admin()?;
        let scope = parse_scope(scope).map_err(reject)?;
        let ctx = app_context()?;

        let actor = principal.actor();
        let (token, info) = backend::auth::api_tokens::create(&ctx.db, &name, scope, Some(&actor), chrono::Utc::now())
            .await
            .map_err(reject)?;
        audit(&ctx, actor, "token.created", Some(format!("token:{}:{}", info.id, info.name)), Some(format!("scope {}", scope.as_str())))
            .await;

        NEW_TOKEN.set(&token);
        http::forbid_caching();
        Ok(NewToken { token, info })
    }

    pub async fn revoke_token(id: i64) -> Result<(), AppError> {
        let principal = require_admin()?;
        let ctx = app_context()?;
        let revoked = backend::auth::api_tokens::revoke(&ctx.db, id, chrono::Utc::now()).await.map_err(reject)?;
        if !revoked {
            return Err(reject(AppError::NotFound(format!("API token {id} not found or already revoked."))));
        }
        audit(&ctx, principal.actor(), "token.revoked", Some(format!("token:{id}")), None).await;
        Ok(())
    }

    pub async fn create_user(email: String, role: &str, password: String) -> Result<UserInfo, AppError> {
        let principal = require_admin()?;
        let role = parse_role(role).map_err(reject)?;
        let ctx = app_context()?;

        let user = backend::auth::users::create(&ctx.db, &email, role, &password, chrono::Utc::now())
            .await
            .map_err(reject)?;
        audit(&ctx, principal.actor(), "user.created", Some(user.email.clone()), Some(format!("role {}", role.as_str())))
            .await;
        Ok(user)
    }
}
