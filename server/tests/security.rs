//! Security headers and cross-site request rejection, driven through the
//! real router in-process.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use backend::sync::{SyncHandle, SyncSettings};
use backend::testing::{self, TestDb};
use backend::AppContext;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use serde_json::Value;
use server::router::router;
use server::state::AppState;
use tower::ServiceExt;

const HOST: &str = "dash.example:3000";
const OWN_ORIGIN: &str = "http://dash.example:3000";
const FOREIGN_ORIGIN: &str = "https://attacker.example";
const STATE_CHANGING: &str = "/api/refresh_now";
const SESSION: &str = "tc_session=0123456789abcdef";

fn app(test_db: &TestDb) -> Router {
    let db = test_db.db.clone();
    let ctx = AppContext { db: db.clone(), sync: SyncHandle::new(db, None, SyncSettings::default()), demo: false, login_limiter: Default::default(), alerts: None, demo_sim_url: None };
    let leptos_options = LeptosOptions::builder().output_name("trust-center").build();
    router(AppState { ctx, leptos_options })
}

/// Creates a staff account with a session and returns its cookie header value.
async fn staff_cookie(test_db: &TestDb) -> String {
    let now = chrono::Utc::now();
    let user = backend::auth::users::create(&test_db.db, "viewer@example.test", domain::access::Role::Viewer, "correct horse battery", now)
        .await
        .unwrap();
    let session = backend::auth::sessions::create(&test_db.db, user.id, None, now).await.unwrap();
    format!("tc_session={}", session.token)
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response: Response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).header(header::HOST, HOST).body(Body::empty()).unwrap()
}

fn post(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::post(uri)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).unwrap()
}

fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("missing header {name}: {headers:?}"))
        .to_str()
        .unwrap()
}

fn assert_fixed_headers(uri: &str, headers: &HeaderMap) {
    assert_eq!(header_value(headers, "x-content-type-options"), "nosniff", "{uri}");
    assert_eq!(header_value(headers, "referrer-policy"), "no-referrer", "{uri}");
    assert_eq!(header_value(headers, "x-frame-options"), "DENY", "{uri}");
    assert_eq!(header_value(headers, "cross-origin-opener-policy"), "same-origin", "{uri}");
}

fn assert_strict_policy(uri: &str, policy: &str) {
    for directive in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{uri}: CSP lacks {directive:?}: {policy}");
    }
    let script_src = policy.split("; ").find(|directive| directive.starts_with("script-src")).unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{uri}: {policy}");
}

/// Returns the value of `'nonce-…'` in a CSP.
fn policy_nonce(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let length = policy[start..].find('\'')?;
    Some(&policy[start..start + length])
}

/// Returns the `nonce` attribute of every inline `<script>` (one without `src`).
fn inline_script_nonces(html: &str) -> Vec<Option<String>> {
    html.match_indices("<script")
        .map(|(start, _)| &html[start..start + html[start..].find('>').unwrap()])
        .filter(|tag| !tag.contains(" src="))
        .map(|tag| {
            let value_start = tag.find(" nonce=\"")? + " nonce=\"".len();
            let value_length = tag[value_start..].find('"')?;
            Some(tag[value_start..value_start + value_length].to_owned())
        })
        .collect()
}

#[tokio::test]
async fn pages_get_csp_nonce_of_their_scripts() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        let cookie = staff_cookie(&test_db).await;
        let mut nonces = Vec::new();
        for uri in ["/", "/tenants", "/no-such-page"] {
            let mut request = get(uri);
            request.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
            let (status, headers, html) = send(&app, request).await;
            let expected = if uri == "/no-such-page" { StatusCode::NOT_FOUND } else { StatusCode::OK };
            assert_eq!(status, expected, "{uri}: {html}");
            assert!(header_value(&headers, "content-type").starts_with("text/html"), "{uri}");
            assert_fixed_headers(uri, &headers);

            let policy = header_value(&headers, "content-security-policy");
            assert_strict_policy(uri, policy);
            let nonce = policy_nonce(policy).unwrap_or_else(|| panic!("{uri}: page CSP has no nonce: {policy}"));
            assert!(nonce.len() >= 16, "{uri}: nonce {nonce:?} is too short");

            let scripts = inline_script_nonces(&html);
            assert!(!scripts.is_empty(), "{uri}: no inline script in the page");
            for script_nonce in scripts {
                assert_eq!(script_nonce.as_deref(), Some(nonce), "{uri}: inline script nonce differs from the CSP");
            }
            nonces.push(nonce.to_owned());
        }

        let (_, headers, _) = send(&app, get("/login")).await;
        let again = policy_nonce(header_value(&headers, "content-security-policy")).unwrap().to_owned();
        assert!(!nonces.contains(&again), "nonce {again} was reused by another response");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn non_html_responses_get_policy_without_nonce() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        for (request, expected) in [
            (get("/api/addons/trust-center/security-score/portfolio"), StatusCode::UNAUTHORIZED),
            (get("/api/addons/trust-center/security-score/nothing-here"), StatusCode::UNAUTHORIZED),
            (post("/api/demo_mode", &[]), StatusCode::OK),
        ] {
            let uri = request.uri().to_string();
            let (status, headers, body) = send(&app, request).await;
            assert_eq!(status, expected, "{uri}: {body}");
            assert_fixed_headers(&uri, &headers);

            let policy = header_value(&headers, "content-security-policy");
            assert_strict_policy(&uri, policy);
            assert_eq!(policy_nonce(policy), None, "{uri}: {policy}");
        }
    }
}

async fn assert_csrf_rejected(app: &Router, request: Request<Body>) {
    let (status, headers, body) = send(app, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "csrf_rejected", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("reload the page and try again"), "{message}");
    assert_fixed_headers("rejected request", &headers);
}

async fn assert_not_csrf_rejected(app: &Router, request: Request<Body>) {
    let (status, _, body) = send(app, request).await;
    assert!(!body.contains("csrf_rejected"), "{status}: {body}");
    assert_ne!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test]
async fn session_post_from_foreign_origin_rejected() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        let request = post(STATE_CHANGING, &[("cookie", SESSION), ("origin", FOREIGN_ORIGIN)]);
        assert_csrf_rejected(&app, request).await;
    }
}

#[tokio::test]
async fn session_post_from_own_origin_passes() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        let request = post(STATE_CHANGING, &[("cookie", SESSION), ("origin", OWN_ORIGIN)]);
        assert_not_csrf_rejected(&app, request).await;
        let request = post(STATE_CHANGING, &[("cookie", SESSION), ("sec-fetch-site", "same-origin")]);
        assert_not_csrf_rejected(&app, request).await;
    }
}

#[tokio::test]
async fn cross_site_fetch_metadata_rejected() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        let request = post(STATE_CHANGING, &[("cookie", SESSION), ("sec-fetch-site", "cross-site")]);
        assert_csrf_rejected(&app, request).await;
        let request = post(STATE_CHANGING, &[("cookie", SESSION), ("sec-fetch-site", "same-site"), ("origin", OWN_ORIGIN)]);
        assert_csrf_rejected(&app, request).await;
    }
}

#[tokio::test]
async fn session_post_without_origin_rejected() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        assert_csrf_rejected(&app, post(STATE_CHANGING, &[("cookie", SESSION)])).await;
        let request = post(STATE_CHANGING, &[("cookie", SESSION), ("origin", "null")]);
        assert_csrf_rejected(&app, request).await;
    }
}

#[tokio::test]
async fn bearer_request_without_cookie_not_checked() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        let request = post(STATE_CHANGING, &[("authorization", "Bearer tc_example_token"), ("origin", FOREIGN_ORIGIN)]);
        assert_not_csrf_rejected(&app, request).await;
    }
}

#[tokio::test]
async fn login_post_checked_without_cookie() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        assert_csrf_rejected(&app, post("/api/login", &[("origin", FOREIGN_ORIGIN)])).await;
        assert_csrf_rejected(&app, post("/api/login", &[("sec-fetch-site", "cross-site")])).await;
        assert_not_csrf_rejected(&app, post("/api/login", &[("sec-fetch-site", "same-origin")])).await;
    }
}

#[tokio::test]
async fn safe_methods_pass_from_anywhere() {
    for test_db in testing::databases().await {
        let app = app(&test_db);
        let request = Request::get("/api/addons/trust-center/security-score/portfolio")
            .header(header::HOST, HOST)
            .header("cookie", SESSION)
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(&app, request).await;
        // The made-up session is unknown, so authentication returns 401. The
        // cross-site GET itself was not rejected as CSRF.
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(!body.contains("csrf_rejected"), "{body}");
    }
}
