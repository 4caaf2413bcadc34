//! Authentication at the HTTP edge: every request is resolved to a
//! [`Principal`] (session cookie, API token, or anonymous) stored in the
//! request extensions, where REST handlers, server functions and page
//! renders read it. Staff pages redirect anonymous visitors to the login
//! page, and REST routes return 401 without a credential.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::access::{Permission, Principal};

use crate::api::error::ApiError;
use crate::api::BASE_PATH;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "tc_session";

/// Resolves the caller of every request. A database failure while checking a
/// credential returns 503 instead of treating the caller as anonymous.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match resolve(&state, request.headers()).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Principal, backend::ServiceError> {
    let now = Utc::now();
    if let Some(token) = bearer_token(headers) {
        return Ok(match backend::auth::api_tokens::resolve(&state.ctx.db, token, now).await? {
            Some(info) => Principal::ApiToken { token_id: info.id, name: info.name, scope: info.scope },
            None => Principal::Anonymous,
        });
    }
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        if let Some(session) = backend::auth::sessions::resolve(&state.ctx.db, token, now).await? {
            return Ok(Principal::Staff {
                user_id: session.user.id,
                email: session.user.email,
                role: session.user.role,
            });
        }
    }
    Ok(Principal::Anonymous)
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Returns the value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// Returns the caller resolved by [`authenticate`], or anonymous when the layer did not run.
pub fn principal_of(request: &Request) -> Principal {
    request.extensions().get::<Principal>().cloned().unwrap_or(Principal::Anonymous)
}

/// Guards every REST route: 401 without a valid credential, 403 for a
/// credential that may not read. Routes that need more check it themselves.
pub async fn require_api_reader(request: Request, next: Next) -> Response {
    let principal = principal_of(&request);
    if !principal.is_authenticated() {
        let mut response = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API token is required: send 'Authorization: Bearer <token>' (an admin creates tokens with `trust-center token create`)",
        )
        .into_response();
        response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    if !principal.allows(Permission::Read) {
        return forbidden(Permission::Read).into_response();
    }
    next.run(request).await
}

pub fn forbidden(permission: Permission) -> ApiError {
    let needed = match permission {
        Permission::Read => "read access",
        Permission::ChangeStatus => "the analyst role or a read_write token",
        Permission::Export => "the analyst role or a read_write token",
        Permission::CreateClientLink => "the analyst role",
        Permission::Admin => "the admin role or an admin token",
    };
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("this credential may not do this: it needs {needed}"))
}

/// Paths anyone may open: the login page, client report links, the
/// compiled front end and static files. Everything else outside the REST
/// API and the server functions is a staff page.
fn is_public_page(path: &str) -> bool {
    path == "/login"
        || path.starts_with("/client/")
        || path.starts_with("/pkg/")
        || path.starts_with("/vendor/")
        || path == "/charts.js"
        || path == "/favicon.svg"
        || path.starts_with("/api/")
}

/// Sends anonymous visitors of staff pages to the login page, remembering
/// where they were going.
pub async fn require_staff_for_pages(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with(BASE_PATH) || is_public_page(path) {
        return next.run(request).await;
    }
    if matches!(principal_of(&request), Principal::Staff { .. }) {
        return next.run(request).await;
    }
    let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let encoded: String = url_encode(target);
    Redirect::to(&format!("/login?next={encoded}")).into_response()
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark; tc_session=abc123 ; other=1"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc123"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer tc_abc"));
        assert_eq!(bearer_token(&headers), Some("tc_abc"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn next_parameter_is_encoded() {
        assert_eq!(url_encode("/tenants?sort=percentage&order=desc"), "/tenants%3Fsort%3Dpercentage%26order%3Ddesc");
    }
}
