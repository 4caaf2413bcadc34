//! Staff sign-in and sign-out with a session cookie.

use domain::access::Role;
use leptos::prelude::*;

use crate::error::AppError;

/// Message for a failed sign-in. It does not say whether the account exists.
pub const WRONG_CREDENTIALS: &str = "Email or password is wrong.";

/// Signs a staff member in: checks the failed-attempt limit, the email and
/// password, then sets the `tc_session` cookie and redirects to `next` when
/// it is a path on this site, else to `/`.
///
/// Rejects wrong credentials with 401 and a caller over the failed-attempt
/// limit with 429. A plain form post that fails returns to `/login` with the
/// error.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use leptos::server_fn::ServerFn;

    let result = ssr::login(email, password, next.as_deref()).await;
    let login_page = match crate::auth::local_redirect_target(next.as_deref()) {
        target if target == "/" => "/login".to_owned(),
        target => format!("/login?next={}", ssr::encode_query_value(&target)),
    };
    match result {
        Ok(target) => {
            leptos_axum::redirect(&target);
            Ok(())
        }
        Err(error) => crate::http::finish_form_post(Login::PATH, &login_page, Err(error)),
    }
}

/// Signs the caller out: revokes the session, deletes the cookie and
/// redirects to `/login`.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::auth::{ssr::current_principal, ssr::audit, SESSION_COOKIE};
    use crate::error::ssr::{app_context, reject};

    let ctx = app_context()?;
    let principal = current_principal();
    if let Some(token) = crate::http::cookie(SESSION_COOKIE) {
        backend::auth::sessions::revoke(&ctx.db, &token).await.map_err(reject)?;
    }
    crate::http::set_cookie(SESSION_COOKIE, "", "/", "Lax", 0);
    if principal.is_authenticated() {
        audit(&ctx, principal.actor(), "logout", None, None).await;
    }
    leptos_axum::redirect("/login");
    Ok(())
}

/// Returns the signed-in staff member's email and role, or `None` for any
/// other caller.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<(String, Role)>, AppError> {
    use domain::access::Principal;

    Ok(match crate::auth::ssr::current_principal() {
        Principal::Staff { email, role, .. } => Some((email, role)),
        _ => None,
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::time::Instant;

    use crate::auth::ssr::audit;
    use crate::auth::{local_redirect_target, SESSION_COOKIE};
    use crate::error::ssr::{app_context, reject};
    use crate::error::AppError;
    use crate::http;

    use super::WRONG_CREDENTIALS;

    /// Signs in and returns the path to redirect to.
    pub async fn login(email: String, password: String, next: Option<&str>) -> Result<String, AppError> {
        let ctx = app_context()?;
        let account = email.trim().to_lowercase();
        let source_ip = http::client_ip();
        let limiter_ip = source_ip.as_deref().unwrap_or("unknown");

        if let Err(retry_after) = ctx.login_limiter.check(&account, limiter_ip, Instant::now()) {
            let minutes = retry_after.as_secs().div_ceil(60).max(1);
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            tracing::warn!(
                target: "audit",
                client_ip = %limiter_ip,
                "sign-in rejected by the failed-attempt limit from {limiter_ip}"
            );
            return Err(reject(AppError::TooManyRequests(format!(
                "Too many failed sign-ins; try again in {minutes} {unit}."
            ))));
        }

        let now = chrono::Utc::now();
        let user = if account.is_empty() || password.is_empty() {
            None
        } else {
            backend::auth::users::authenticate(&ctx.db, &account, &password, now).await.map_err(reject)?
        };
        let Some(user) = user else {
            ctx.login_limiter.record_failure(&account, limiter_ip, Instant::now());
            tracing::warn!(target: "audit", client_ip = %limiter_ip, "sign-in failed from {limiter_ip}");
            audit(&ctx, "anonymous".to_owned(), "login.failed", Some(account), None).await;
            return Err(reject(AppError::Unauthorized(WRONG_CREDENTIALS.to_owned())));
        };
        ctx.login_limiter.record_success(&account, limiter_ip);

        let session = backend::auth::sessions::create(&ctx.db, user.id, source_ip.as_deref(), now)
            .await
            .map_err(reject)?;
        let max_age = backend::auth::sessions::ABSOLUTE_TIMEOUT.num_seconds();
        http::set_cookie(SESSION_COOKIE, &session.token, "/", "Lax", max_age);
        audit(&ctx, format!("user:{}", user.email), "login.succeeded", Some(user.email.clone()), None).await;

        Ok(local_redirect_target(next))
    }

    /// Percent-encodes a query parameter value.
    pub fn encode_query_value(value: &str) -> String {
        value
            .bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (byte as char).to_string(),
                _ => format!("%{byte:02X}"),
            })
            .collect()
    }
}
