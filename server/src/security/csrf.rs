//! Rejection of cross-site requests that change state (CSRF protection).
//!
//! A browser request with an unsafe method (anything but GET, HEAD, OPTIONS
//! and TRACE) that carries the session cookie must come from this site's
//! own pages. The same holds for every request to the login server function,
//! with or without a cookie, so another site cannot log a browser in to an
//! account of the attacker's choosing (login CSRF).
//!
//! The check follows the OWASP CSRF Prevention Cheat Sheet: it uses Fetch
//! Metadata (`Sec-Fetch-Site`) and, for browsers that do not send it,
//! verifies the origin with standard headers (`Origin`, else `Referer`,
//! against `Host`). Pages cannot forge these headers, and together with the
//! `SameSite=Lax` session cookie this defence needs no token in forms or
//! server-function calls. Requests without the session cookie, such as REST
//! clients that authenticate with `Authorization: Bearer`, cannot ride on a
//! browser session and pass unchecked.
//!
//! The page's `Referrer-Policy: no-referrer` makes browsers send
//! `Origin: null` and no `Referer` on same-origin form posts, so a browser
//! without Fetch Metadata support (Chrome before 76, Firefox before 90,
//! Safari before 16.4, per MDN's browser compatibility data) is rejected.

use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderName};
use axum::http::uri::Authority;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::api::error::ApiError;

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "tc_session";

/// Path of the login server function. Requests to it are checked even
/// without a session cookie.
pub const LOGIN_PATH: &str = "/api/login";

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// Axum middleware that rejects a state-changing browser request from
/// another site with 403 `csrf_rejected` and passes every other request on.
pub async fn reject_cross_site(request: Request, next: Next) -> Response {
    if needs_origin_check(&request) && !comes_from_own_origin(&request) {
        let method = request.method();
        let path = request.uri().path();
        tracing::warn!(target: "audit", { http.method = %method, http.path = %path }, "rejected a cross-site {method} {path} (CSRF check)");
        return csrf_rejected().into_response();
    }
    next.run(request).await
}

fn csrf_rejected() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf_rejected",
        "The request did not come from this site's own pages; reload the page and try again.",
    )
}

fn needs_origin_check(request: &Request) -> bool {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE);
    !safe && (request.uri().path() == LOGIN_PATH || has_session_cookie(request.headers()))
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .any(|(name, _)| name.trim() == SESSION_COOKIE)
}

/// Decides from `Sec-Fetch-Site` when the browser sent it, else from
/// `Origin` or `Referer`. A request with none of them is rejected.
fn comes_from_own_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get(SEC_FETCH_SITE) {
        // `none` is a request the user started, such as a typed address.
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }

    let source = headers
        .get(header::ORIGIN)
        .filter(|origin| origin.as_bytes() != b"null")
        .or_else(|| headers.get(header::REFERER));
    let Some(source) = source.and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let Ok(source) = Url::parse(source) else {
        return false;
    };
    matches_request_host(&source, request)
}

/// Compares scheme, host and port of `source` with those of the request.
///
/// A request carries its scheme only in `X-Forwarded-Proto`, which a
/// TLS-terminating proxy sets. Without that header either scheme is accepted,
/// and the port is compared with the default port of the source's scheme
/// when `Host` names none.
fn matches_request_host(source: &Url, request: &Request) -> bool {
    let Some(authority) = request_authority(request) else {
        return false;
    };
    let forwarded_scheme = request
        .headers()
        .get(X_FORWARDED_PROTO)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .map(|scheme| scheme.trim().to_ascii_lowercase());
    let scheme = forwarded_scheme.as_deref().unwrap_or(source.scheme());
    if scheme != source.scheme() {
        return false;
    }

    let expected_port = authority.port_u16().or(match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    });
    let same_host = source
        .host_str()
        .is_some_and(|host| host.eq_ignore_ascii_case(authority.host()));
    same_host && expected_port.is_some() && source.port_or_known_default() == expected_port
}

/// Returns the `Host` header, or the authority of the request URI (HTTP/2).
fn request_authority(request: &Request) -> Option<Authority> {
    match request.headers().get(header::HOST) {
        Some(host) => host.to_str().ok()?.parse().ok(),
        None => request.uri().authority().cloned(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::post("/api/refresh_now").header(header::HOST, "dash.example:8443");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn origin_with_same_host_and_port_passes() {
        assert!(comes_from_own_origin(&post(&[("origin", "https://dash.example:8443")])));
        assert!(comes_from_own_origin(&post(&[("origin", "http://DASH.example:8443")])));
    }

    #[test]
    fn origin_with_other_host_or_port_fails() {
        assert!(!comes_from_own_origin(&post(&[("origin", "https://evil.example:8443")])));
        assert!(!comes_from_own_origin(&post(&[("origin", "https://dash.example")])));
        assert!(!comes_from_own_origin(&post(&[("origin", "https://dash.example.evil.example:8443")])));
    }

    #[test]
    fn forwarded_scheme_must_match_origin() {
        let request = post(&[("origin", "http://dash.example:8443"), ("x-forwarded-proto", "https")]);
        assert!(!comes_from_own_origin(&request));
    }

    #[test]
    fn host_without_port_means_default_port() {
        let request = Request::post("/x")
            .header(header::HOST, "dash.example")
            .header(header::ORIGIN, "https://dash.example")
            .body(Body::empty())
            .unwrap();
        assert!(comes_from_own_origin(&request));
    }

    #[test]
    fn referer_used_when_origin_is_null() {
        let request = post(&[("origin", "null"), ("referer", "https://dash.example:8443/tenants?sort=name")]);
        assert!(comes_from_own_origin(&request));
    }

    #[test]
    fn no_source_headers_fails() {
        assert!(!comes_from_own_origin(&post(&[])));
        assert!(!comes_from_own_origin(&post(&[("origin", "null")])));
    }

    #[test]
    fn fetch_metadata_decides_over_origin() {
        assert!(!comes_from_own_origin(&post(&[("sec-fetch-site", "same-site"), ("origin", "https://dash.example:8443")])));
        assert!(comes_from_own_origin(&post(&[("sec-fetch-site", "none")])));
    }

    #[test]
    fn session_cookie_found_among_others() {
        let request = post(&[("cookie", "theme=light; tc_session=abc")]);
        assert!(has_session_cookie(request.headers()));
        let request = post(&[("cookie", "tc_session_old=abc; other=tc_session")]);
        assert!(!has_session_cookie(request.headers()));
    }
}
