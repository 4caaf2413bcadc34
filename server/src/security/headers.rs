//! Security headers on every response.
//!
//! The Content-Security-Policy allows only scripts, styles and other
//! resources from this site. Leptos renders some scripts inline: the module
//! script of `HydrationScripts` and the scripts that stream resource data
//! into the page. Those carry a `nonce` attribute with the value of the
//! `leptos::nonce::Nonce` in the render's context, which leptos_axum 0.8
//! creates fresh for every page render. [`with_page_csp`] copies that nonce
//! into the CSP header of the same response, so each page allows exactly its
//! own inline scripts. [`set_security_headers`] adds the other headers to
//! every response, and a policy without a nonce to responses that have none
//! (JSON, server functions, wasm, CSS, static files).

use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::config::LeptosOptions;
use leptos::nonce::{use_nonce, Nonce};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::ResponseOptions;

const CROSS_ORIGIN_OPENER_POLICY: HeaderName = HeaderName::from_static("cross-origin-opener-policy");

/// Headers with one value for every response.
const FIXED_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // Client report links carry a secret token in the URL, so no page may
    // send its URL to another site as a referrer.
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (CROSS_ORIGIN_OPENER_POLICY, "same-origin"),
];

/// Builds the Content-Security-Policy value. With a nonce, inline scripts
/// that carry it may run. Without one, no inline script may.
///
/// `'wasm-unsafe-eval'` lets the page compile the app's WebAssembly module,
/// and allows no JavaScript `eval`.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let script_src = match nonce {
        Some(nonce) => format!("script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_owned(),
    };
    // NOTE: `connect-src 'self'` also blocks the live-reload WebSocket that
    // `AutoReload` opens on another port under `cargo leptos watch`, so pages
    // reload by hand in that mode.
    [
        "default-src 'self'",
        &script_src,
        "style-src 'self'",
        // NOTE: the score histogram and the comparison meters size their bars
        // with `style` attributes, which `style-src 'self'` alone blocks. This
        // allows style attributes only, not `<style>` elements, and they
        // cannot run script. Drop it once those bars use SVG or `<meter>`.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    .join("; ")
}

/// Axum middleware that adds the security headers to every response. A
/// Content-Security-Policy that a page render already set (with its nonce)
/// is kept, and every other response gets the policy without a nonce.
pub async fn set_security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();

    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = HeaderValue::from_str(&content_security_policy(None))
            .expect("the policy without a nonce is plain ASCII");
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    for (name, value) in FIXED_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Wraps the app shell so that each page render sets its response's
/// Content-Security-Policy with the nonce of that render.
///
/// The wrapper must run inside a leptos_axum render (route handlers and the
/// 404 fallback), where `ResponseOptions` and the nonce are in context.
pub fn with_page_csp<F, IV>(shell: F) -> impl Fn(LeptosOptions) -> IV + Copy + Send + Sync + 'static
where
    F: Fn(LeptosOptions) -> IV + Copy + Send + Sync + 'static,
{
    move |options| {
        set_page_csp();
        shell(options)
    }
}

fn set_page_csp() {
    let Some(response) = use_context::<ResponseOptions>() else {
        tracing::warn!("a page was rendered without leptos_axum ResponseOptions, so its inline scripts will be blocked by the CSP");
        return;
    };
    let nonce = use_nonce().unwrap_or_else(|| {
        // leptos_axum 0.8.10 provides a nonce in every render. This keeps
        // pages working should a render path come without one.
        let nonce = Nonce::new();
        provide_context(nonce.clone());
        nonce
    });

    match HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
        Ok(policy) => response.insert_header(header::CONTENT_SECURITY_POLICY, policy),
        Err(error) => tracing::error!(%error, "the CSP nonce is not a valid header value, so the page gets the policy without a nonce"),
    }
}
