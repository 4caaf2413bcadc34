//! Request and response details that server functions need: the client
//! address, cookies, the site's origin and plain HTML form posts.

use leptos::prelude::use_context;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::http_export::header::{self, HeaderValue};
use leptos::server_fn::http_export::request::Parts;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// Returns the IP address of the TCP peer. A reverse proxy's
/// `X-Forwarded-For` is not trusted, because any client can set it.
pub fn client_ip() -> Option<String> {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    let parts = use_context::<Parts>()?;
    let info = parts.extensions.get::<ConnectInfo<SocketAddr>>()?;
    Some(info.0.ip().to_string())
}

/// True when the browser reached the site over HTTPS, directly or through a
/// proxy that sets `X-Forwarded-Proto: https`.
pub fn request_is_https() -> bool {
    let Some(parts) = use_context::<Parts>() else {
        return false;
    };
    let forwarded_https = parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    forwarded_https || parts.uri.scheme_str() == Some("https")
}

/// Returns the site's origin as the browser uses it, `https://host:port`,
/// built from the `Host` header.
pub fn request_origin() -> Option<String> {
    let parts = use_context::<Parts>()?;
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| parts.uri.authority().map(|authority| authority.as_str()))?;
    let scheme = if request_is_https() { "https" } else { "http" };
    Some(format!("{scheme}://{host}"))
}

/// Returns the value of cookie `name` on the current request.
pub fn cookie(name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Adds a `Set-Cookie` header for an HttpOnly cookie to the current
/// response. `max_age_secs = 0` deletes the cookie. `Secure` is added when
/// the request came over HTTPS.
pub fn set_cookie(name: &str, value: &str, path: &str, same_site: &str, max_age_secs: i64) {
    let secure = if request_is_https() { "; Secure" } else { "" };
    let cookie = format!("{name}={value}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{secure}");
    let Some(response) = use_context::<ResponseOptions>() else {
        tracing::error!(cookie.name = name, "cannot set cookie {name}: no ResponseOptions in context");
        return;
    };
    match HeaderValue::from_str(&cookie) {
        Ok(value) => response.append_header(header::SET_COOKIE, value),
        // The value is a server-generated token, so this means a bug; the
        // cookie text itself stays out of the log.
        Err(_) => tracing::error!(cookie.name = name, "cookie {name} is not a valid header value"),
    }
}

/// Marks the current response as one that no cache may store, for
/// responses that show a secret.
pub fn forbid_caching() {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// True when the browser posted a form itself (it accepts HTML), rather
/// than the server function client or a script.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|parts| parts.headers.get(header::ACCEPT)?.to_str().ok().map(|accept| accept.contains("text/html")))
        .unwrap_or(false)
}

/// Sends a plain form post back to `page`, so forms work without
/// JavaScript: on success to `page` itself, on failure to `page` with the
/// error in the `__path`/`__err` query that Leptos' `ServerAction` reads.
/// Other callers get `result` unchanged.
///
/// The redirect is explicit because the pages send no `Referer`
/// (`Referrer-Policy: no-referrer`), so Leptos' own redirect to the referring
/// page would land on `/`.
pub fn finish_form_post<T>(server_fn_path: &str, page: &str, result: Result<T, AppError>) -> Result<T, AppError> {
    if !is_plain_form_post() {
        return result;
    }
    let location = match &result {
        Ok(_) => page.to_owned(),
        Err(error) => page_with_error(server_fn_path, page, error.clone()),
    };
    // `redirect` sets 302 for plain form posts, which replaces the error
    // status that `reject` set before.
    leptos_axum::redirect(&location);
    result
}

fn page_with_error(server_fn_path: &str, page: &str, error: AppError) -> String {
    // `to_url` needs an absolute URL; only its path and query are kept.
    match ServerFnUrlError::new(server_fn_path, error).to_url(&format!("http://localhost{page}")) {
        Ok(url) => match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        },
        Err(_) => page.to_owned(),
    }
}

/// A secret kept for one page view after a plain form post created it,
/// because the redirect that follows the post cannot carry it in its body.
///
/// It lives in an HttpOnly, `SameSite=Strict` cookie limited to the page's
/// path for [`Flash::MAX_AGE_SECS`], and the page's render deletes it when
/// it shows the value. Posts from the server function client never use it.
pub struct Flash {
    pub cookie: &'static str,
    pub path: &'static str,
}

impl Flash {
    const MAX_AGE_SECS: i64 = 120;

    /// Stores `value` for the next view of the page, when the current
    /// request is a plain form post.
    pub fn set(&self, value: &str) {
        if is_plain_form_post() {
            set_cookie(self.cookie, value, self.path, "Strict", Self::MAX_AGE_SECS);
        }
    }

    /// Returns the stored value and deletes the cookie, so it is shown once.
    pub fn take(&self) -> Option<String> {
        let value = cookie(self.cookie)?;
        set_cookie(self.cookie, "", self.path, "Strict", 0);
        forbid_caching();
        Some(value)
    }
}
