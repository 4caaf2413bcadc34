//! Access control through the real router, in-process, over the real
//! database: the expected outcome of every route for every kind of caller,
//! the isolation of client links, rejection of expired, revoked and
//! tampered credentials, and secrets kept out of responses and logs.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use backend::auth::crypto::SecretKey;
use backend::graph::wire::parse_secure_scores;
use backend::graph::{GraphClient, GraphConfig, Secret};
use backend::store::ingest::ingest_tenant;
use backend::store::tenants::{self, TenantInput};
use backend::sync::{SyncHandle, SyncSettings};
use backend::testing::{self, TestDb};
use backend::AppContext;
use chrono::{Duration, Utc};
use domain::access::{Role, TokenScope};
use domain::TenantId;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use serde_json::{json, Value};
use server::router::router;
use server::state::AppState;
use tower::ServiceExt;

const BASE: &str = "/api/addons/trust-center/security-score";
const HOST: &str = "dash.example";
const ORIGIN: &str = "http://dash.example";

const TENANT_A: &str = "a1a1a1a1-1111-4111-8111-111111111111";
const NAME_A: &str = "Alder Lane Dental";
const TENANT_B: &str = "b2b2b2b2-2222-4222-8222-222222222222";
const NAME_B: &str = "Birchwood Secret Holdings";
const INDUSTRY_B: &str = "Bespoke-Shipbuilding";
const CONTROL_B: &str = "BirchwoodOnlyControl";
/// B's score of 100: written as JSON (`71.93`) or rounded for people
/// (`71.9`), both contain this text.
const SCORE_B: &str = "71.9";

/// Password of every staff account in these tests.
const PASSWORD: &str = "Correct-Horse-Battery-9172";
const WRONG_PASSWORD: &str = "Wrong-Guess-Password-5531";
/// The Graph client secret stored for the secrets test.
const CLIENT_SECRET: &str = "Gr4ph~Client.Secret-Q8xv7mZ2";
const KEY_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// ----------------------------------------------------------------------------
// Principals and outcome classes
// ----------------------------------------------------------------------------

/// The sender of a request in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Viewer,
    Analyst,
    Admin,
    ReadToken,
    ReadWriteToken,
    /// Not in the minimum set, but it shows the admin scope works.
    AdminToken,
    /// A client link of tenant A, sent as a bearer token and as the session
    /// cookie. Routes that take the link in the path or an argument are also
    /// called with no header at all.
    LinkA,
}

/// The outcome class of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// 2xx, or 3xx for a form redirect that is not to the login page.
    Allowed,
    /// 401, or a redirect to `/login` for a page.
    Unauthenticated,
    /// 403.
    Forbidden,
}

const A: Class = Class::Allowed;
const U: Class = Class::Unauthenticated;
const F: Class = Class::Forbidden;

/// Expands one row per route into one `(route, principal, class)` cell per
/// principal. Columns: anonymous, viewer, analyst, admin, read token,
/// read-write token, admin token, client link of tenant A.
macro_rules! matrix {
    ($($route:literal => [$an:ident, $vi:ident, $ana:ident, $ad:ident, $rt:ident, $rw:ident, $at:ident, $li:ident];)*) => {
        &[$(
            ($route, Caller::Anonymous, $an),
            ($route, Caller::Viewer, $vi),
            ($route, Caller::Analyst, $ana),
            ($route, Caller::Admin, $ad),
            ($route, Caller::ReadToken, $rt),
            ($route, Caller::ReadWriteToken, $rw),
            ($route, Caller::AdminToken, $at),
            ($route, Caller::LinkA, $li),
        )*]
    };
}

/// The expected class of every route for every principal, derived from the
/// access rules, not from running the code:
/// - staff pages need a session, and every other caller is sent to `/login`;
/// - admin pages and `admin_*` need the admin role (or an admin token);
/// - REST needs a token or a session, and `audit` needs admin;
/// - `refresh_now` needs analyst, admin or a read_write token;
/// - client-link management needs analyst or admin;
/// - a client link is a credential only for its own report.
///
/// Route syntax: `METHOD path`, then ` | form body` for server functions.
/// `{A}`, `{B}`, `{LINK}` and `{BASE}` are tenant A, tenant B, the client
/// link of A and the REST base path. `{TOKEN_ID}`, `{LINK_ID}`, `{OVERRIDE}`
/// and `{EMAIL}` are a fresh API token, a fresh client link, the control id
/// of a fresh compliance override and an unused address, created for each
/// request.
const MATRIX: &[(&str, Caller, Class)] = matrix! {
    //                                                  anon vwr  anl  adm  rtok rwtk atok link
    "GET /"                                          => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /tenants"                                   => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /tenants/{A}"                               => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /categories"                                => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /trends?days=7"                             => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /benchmarks"                                => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /recommendations"                           => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /alerts"                                    => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /compliance"                                => [U,   A,   A,   A,   U,   U,   U,   U];
    "GET /admin/users"                               => [U,   F,   F,   A,   U,   U,   U,   U];
    "GET /admin/tokens"                              => [U,   F,   F,   A,   U,   U,   U,   U];
    "GET /admin/audit"                               => [U,   F,   F,   A,   U,   U,   U,   U];
    "GET /admin/compliance"                          => [U,   F,   F,   A,   U,   U,   U,   U];
    "GET /login"                                     => [A,   A,   A,   A,   A,   A,   A,   A];
    "GET /client/{LINK}"                             => [A,   A,   A,   A,   A,   A,   A,   A];
    "GET /client/{LINK}?format=pdf"                  => [A,   A,   A,   A,   A,   A,   A,   A];

    "POST /api/portfolio"                            => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/tenant_rows"                          => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/tenant_detail | tenant_id={A}"        => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/sync_status"                          => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/categories_page"                      => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/trends_page | days=30"                => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/benchmarks_page"                      => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/tenant_page | tenant_id={A}"          => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/recommendations_page | category=&tag=&status="
                                                     => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/project_actions | ids=AdminMfa"       => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/set_benchmark_reference | industry=Matrix&average_score=50&top_decile_score=&source=Matrix test"
                                                     => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/refresh_now"                          => [U,   F,   A,   A,   F,   A,   A,   U];
    "POST /api/alerts_page"                          => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/compliance_page | tenant_id={A}"      => [U,   A,   A,   A,   A,   A,   A,   U];
    "POST /api/alert_action | id=1&action=acknowledge"
                                                     => [U,   F,   A,   A,   F,   A,   A,   U];
    "POST /api/save_alert_rules | tenant_id=&drop_points=5&drop_days=&baseline=&milestones=&stale_hours=&failed_syncs="
                                                     => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/test_alert_channel | name=matrix-hook" => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/demo_mode"                            => [A,   A,   A,   A,   A,   A,   A,   A];
    "POST /api/whoami"                               => [A,   A,   A,   A,   A,   A,   A,   A];
    "POST /api/login | email=viewer@example.test&password={PASSWORD}"
                                                     => [A,   A,   A,   A,   A,   A,   A,   A];
    "POST /api/logout"                               => [A,   A,   A,   A,   A,   A,   A,   A];
    "POST /api/client_report | token={LINK}"         => [A,   A,   A,   A,   A,   A,   A,   A];
    "POST /api/create_client_link | tenant_id={A}&days=7"
                                                     => [U,   F,   A,   A,   F,   F,   F,   U];
    "POST /api/list_client_links | tenant_id={A}"    => [U,   F,   A,   A,   F,   F,   F,   U];
    "POST /api/revoke_client_link | id={LINK_ID}"    => [U,   F,   A,   A,   F,   F,   F,   U];
    // Returns `null` instead of 403 to callers that may not manage links
    // (checked separately below), because the tenant page embeds it.
    "POST /api/client_links_panel | tenant_id={A}"   => [A,   A,   A,   A,   A,   A,   A,   A];
    "POST /api/admin_tokens"                         => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_create_token | name=matrix&scope=read"
                                                     => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_revoke_token | id={TOKEN_ID}"   => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_take_new_token"                 => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_users"                          => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_create_user | email={EMAIL}&role=viewer&password={PASSWORD}"
                                                     => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_audit | page=1"                 => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_compliance_mapping"             => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_set_compliance_override | control_id=AdminMFAV2&framework=soc2&control=CC6.2&source=https://example.test/tsc&kind=add"
                                                     => [U,   F,   F,   A,   F,   F,   A,   U];
    "POST /api/admin_delete_compliance_override | control_id={OVERRIDE}&framework=soc2&control=CC6.3"
                                                     => [U,   F,   F,   A,   F,   F,   A,   U];

    "GET {BASE}/portfolio"                           => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/tenants"                             => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/tenants/{A}"                         => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/openapi.json"                        => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/categories"                          => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/trends?days=90"                      => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/benchmarks"                          => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/recommendations"                     => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/reports/export?format=csv&scope=portfolio"
                                                     => [U,   F,   A,   A,   F,   A,   A,   U];
    "GET {BASE}/audit"                               => [U,   F,   F,   A,   F,   F,   A,   U];
    "GET {BASE}/alerts"                              => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/alerts/rules"                        => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/alerts/1"                            => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/compliance?tenant={A}"               => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/compliance/mapping"                  => [U,   A,   A,   A,   A,   A,   A,   U];
    "GET {BASE}/compliance/portfolio"                => [U,   A,   A,   A,   A,   A,   A,   U];
};

// ----------------------------------------------------------------------------
// Fixture
// ----------------------------------------------------------------------------

struct Fixture {
    router: Router,
    db: DatabaseConnection,
    viewer: i32,
    analyst: i32,
    admin: i32,
    read_token: String,
    read_write_token: String,
    admin_token: String,
    link_a: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

async fn add_tenant(db: &DatabaseConnection, id: &str, name: &str, industry: &str, control: &str, current: f64, max: f64) {
    let tenant_id = TenantId::parse(id).unwrap();
    let input = TenantInput { tenant_id: tenant_id.clone(), display_name: name.into(), industry: Some(industry.into()), excluded: false };
    tenants::upsert(db, input, Utc::now()).await.unwrap();
    let tenant = tenants::find(db, &tenant_id).await.unwrap().unwrap();
    let day = Utc::now().date_naive();
    let payload = json!({ "value": [{
        "azureTenantId": id,
        "createdDateTime": format!("{day}T00:00:00Z"),
        "currentScore": current,
        "maxScore": max,
        "controlScores": [{"controlName": control, "controlCategory": "Identity", "score": current, "scoreInPercentage": 100.0 * current / max}],
    }]});
    let records = parse_secure_scores(payload.to_string().as_bytes()).unwrap().records;
    ingest_tenant(db, &tenant, &records, None, &[], Utc::now()).await.unwrap();
}

/// Builds a Graph client whose endpoints are a loopback port that nothing
/// listens on, so a manual sync starts and fails in the background without
/// leaving this machine.
fn unreachable_graph(secret: &str) -> GraphClient {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let mut config = GraphConfig::new(url.clone(), url, "access-test-client".into(), Secret::new(secret));
    config.max_retries = 0;
    config.connect_timeout = std::time::Duration::from_secs(2);
    GraphClient::new(config).unwrap()
}

async fn create_user(db: &DatabaseConnection, email: &str, role: Role) -> i32 {
    backend::auth::users::create(db, email, role, PASSWORD, Utc::now()).await.unwrap().id
}

async fn fixture(test_db: &TestDb) -> Fixture {
    let db = test_db.db.clone();
    add_tenant(&db, TENANT_A, NAME_A, "Dentistry", "AlderControl", 88.0, 100.0).await;
    add_tenant(&db, TENANT_B, NAME_B, INDUSTRY_B, CONTROL_B, 71.93, 100.0).await;

    let viewer = create_user(&db, "viewer@example.test", Role::Viewer).await;
    let analyst = create_user(&db, "analyst@example.test", Role::Analyst).await;
    let admin = create_user(&db, "admin@example.test", Role::Admin).await;
    let token = |name: &'static str, scope| {
        let db = db.clone();
        async move { backend::auth::api_tokens::create(&db, name, scope, None, Utc::now()).await.unwrap().0 }
    };
    let read_token = token("read", TokenScope::Read).await;
    let read_write_token = token("read-write", TokenScope::ReadWrite).await;
    let admin_token = token("admin", TokenScope::Admin).await;
    let tenant_a = TenantId::parse(TENANT_A).unwrap();
    let (link_a, _) = backend::auth::client_links::create(&db, &tenant_a, Some("test"), 30, Utc::now()).await.unwrap();

    let sync = SyncHandle::new(db.clone(), Some(unreachable_graph(CLIENT_SECRET)), SyncSettings::default());
    // One alert (id 1) and one webhook channel, so acknowledging and the
    // test notice have something to act on. Port 9 on loopback rejects the
    // connection, so the test notice returns at once with ok = false.
    let key = SecretKey::load(Some(KEY_HEX), std::path::Path::new("/nonexistent/key")).unwrap();
    let hook = domain::alerts::ChannelInput {
        name: "matrix-hook".into(),
        kind: Some("webhook".into()),
        url: Some("http://127.0.0.1:9/hook".into()),
        secret: Some("matrix-signing-secret".into()),
        ..Default::default()
    };
    let by = backend::analytics::Actor { actor: "test".into(), source_ip: None };
    // Tenant A (88 %) stays under a 95 % baseline, so a sync that
    // re-evaluates its rules keeps alert 1 open.
    let stricter = domain::alerts::TenantOverrideInput {
        tenant_id: TENANT_A.into(),
        thresholds: Some(domain::alerts::ThresholdInput { baseline: Some(95.0), ..Default::default() }),
    };
    let config = domain::alerts::AlertConfigInput { channels: vec![hook], tenant_overrides: vec![stricter], ..Default::default() };
    backend::alerts::configure(&db, &key, config, &by, false, Utc::now()).await.unwrap();
    let tenant_a_pk = tenants::find(&db, &tenant_a).await.unwrap().unwrap().id;
    insert_alert(&db, tenant_a_pk).await;
    let notifier = backend::alerts::Notifier::new(db.clone(), key, None, None).unwrap();
    let ctx = AppContext { db: db.clone(), sync, demo: false, login_limiter: Default::default(), alerts: Some(notifier), demo_sim_url: None };
    let leptos_options = LeptosOptions::builder().output_name("trust-center").build();
    Fixture {
        router: router(AppState { ctx, leptos_options }),
        db,
        viewer,
        analyst,
        admin,
        read_token,
        read_write_token,
        admin_token,
        link_a,
    }
}

/// Stores tenant A's open Below Baseline alert (baseline 95 %).
async fn insert_alert(db: &DatabaseConnection, tenant_pk: i32) {
    use backend::entity::alert;
    use sea_orm::{ActiveModelTrait, Set};
    alert::ActiveModel {
        tenant_pk: Set(tenant_pk),
        kind: Set("below_baseline".into()),
        episode_key: Set("below_baseline:95".into()),
        open_key: Set(Some("below_baseline:95".into())),
        severity: Set("warning".into()),
        message: Set("Secure Score is 88.0 %, under the baseline of 95 %.".into()),
        details: Set(json!({})),
        opened_at: Set(Utc::now()),
        last_seen_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

impl Fixture {
    async fn session(&self, user_id: i32) -> String {
        backend::auth::sessions::create(&self.db, user_id, None, Utc::now()).await.unwrap().token
    }

    /// Returns the header sets that represent `caller`. Staff get a fresh
    /// session each time, so `logout` in one cell does not end the next one.
    async fn credentials(&self, caller: Caller, route: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
        let staff = |token: String| vec![("session", vec![("cookie", format!("tc_session={token}"))])];
        let bearer = |token: &str| vec![("bearer", vec![("authorization", format!("Bearer {token}"))])];
        match caller {
            Caller::Anonymous => vec![("none", vec![])],
            Caller::Viewer => staff(self.session(self.viewer).await),
            Caller::Analyst => staff(self.session(self.analyst).await),
            Caller::Admin => staff(self.session(self.admin).await),
            Caller::ReadToken => bearer(&self.read_token),
            Caller::ReadWriteToken => bearer(&self.read_write_token),
            Caller::AdminToken => bearer(&self.admin_token),
            Caller::LinkA => {
                let mut variants = vec![
                    ("link as bearer", vec![("authorization", format!("Bearer {}", self.link_a))]),
                    ("link as cookie", vec![("cookie", format!("tc_session={}", self.link_a))]),
                ];
                if route.contains("{LINK}") {
                    variants.push(("link in path or argument", vec![]));
                }
                variants
            }
        }
    }

    /// Replaces the placeholders of a matrix route, creating the fresh
    /// records that some of them name.
    async fn expand(&self, text: &str) -> String {
        let mut out = text
            .replace("{BASE}", BASE)
            .replace("{A}", TENANT_A)
            .replace("{B}", TENANT_B)
            .replace("{LINK}", &self.link_a)
            .replace("{PASSWORD}", PASSWORD);
        if out.contains("{TOKEN_ID}") {
            let (_, info) = backend::auth::api_tokens::create(&self.db, "to-revoke", TokenScope::Read, None, Utc::now()).await.unwrap();
            out = out.replace("{TOKEN_ID}", &info.id.to_string());
        }
        if out.contains("{LINK_ID}") {
            let tenant = TenantId::parse(TENANT_A).unwrap();
            let (_, info) = backend::auth::client_links::create(&self.db, &tenant, None, 30, Utc::now()).await.unwrap();
            out = out.replace("{LINK_ID}", &info.id.to_string());
        }
        if out.contains("{OVERRIDE}") {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let control_id = format!("MatrixCheck{n}");
            let change = domain::compliance::MappingOverride {
                control_id: control_id.clone(),
                framework: "soc2".into(),
                control: "CC6.3".into(),
                source: "https://example.test/tsc".into(),
                kind: domain::compliance::OverrideKind::Add,
            };
            let by = backend::analytics::Actor { actor: "matrix".into(), source_ip: None };
            backend::compliance::set_override(&self.db, change, &by, Utc::now()).await.unwrap();
            out = out.replace("{OVERRIDE}", &control_id);
        }
        if out.contains("{EMAIL}") {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            out = out.replace("{EMAIL}", &format!("new-{n}@example.test"));
        }
        out
    }

    /// Builds the request for an expanded route with extra headers.
    fn request(&self, route: &str, headers: &[(&str, String)]) -> Request<Body> {
        let (method, rest) = route.split_once(' ').unwrap();
        let (path, form) = match rest.split_once(" | ") {
            Some((path, form)) => (path, Some(form)),
            None => (rest, None),
        };
        let mut builder = Request::builder().method(method).uri(path).header(header::HOST, HOST);
        if method == "POST" {
            builder = builder
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        for (name, value) in headers {
            builder = builder.header(*name, value);
        }
        let body = match form {
            Some(form) => {
                let mut encoded = url::form_urlencoded::Serializer::new(String::new());
                for pair in form.split('&') {
                    let (key, value) = pair.split_once('=').unwrap();
                    encoded.append_pair(key, value);
                }
                encoded.finish()
            }
            None => String::new(),
        };
        builder.body(Body::from(body)).unwrap()
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Sends `route` (with placeholders) with `headers`.
    async fn call(&self, route: &str, headers: &[(&str, String)]) -> Reply {
        let route = self.expand(route).await;
        self.send(self.request(&route, headers)).await
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

fn bearer(token: &str) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {token}"))]
}

fn session_cookie(token: &str) -> Vec<(&'static str, String)> {
    vec![("cookie", format!("tc_session={token}"))]
}

fn is_page(route: &str) -> bool {
    route.starts_with("GET /") && !route.starts_with("GET /api/") && !route.starts_with("GET {BASE}")
}

/// Classifies a response, or describes why it fits no class.
fn classify(route: &str, reply: &Reply) -> Result<Class, String> {
    let status = reply.status;
    if status.is_server_error() {
        return Err(format!("server error {status}: {}", excerpt(&reply.body)));
    }
    if status.is_redirection() {
        let location = reply.location();
        if is_page(route) && location.starts_with("/login") {
            return Ok(Class::Unauthenticated);
        }
        if is_page(route) {
            return Err(format!("unexpected redirect {status} to {location}"));
        }
        return Ok(Class::Allowed);
    }
    if status.is_success() {
        return Ok(Class::Allowed);
    }
    match status {
        StatusCode::UNAUTHORIZED => Ok(Class::Unauthenticated),
        StatusCode::FORBIDDEN => Ok(Class::Forbidden),
        other => Err(format!("status {other}: {}", excerpt(&reply.body))),
    }
}

fn excerpt(body: &str) -> String {
    body.chars().take(300).collect()
}

/// Flips one character of a token, keeping it well formed (lower hex).
fn tamper(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let last = chars.len() - 1;
    chars[last] = if chars[last] == 'a' { 'b' } else { 'a' };
    chars.into_iter().collect()
}

// ----------------------------------------------------------------------------
// 1. The matrix
// ----------------------------------------------------------------------------

#[tokio::test]
async fn route_matrix_matches_rules() {
    for test_db in testing::databases().await {
        let fx = fixture(&test_db).await;
        let mut failures = Vec::new();
        let mut cells = 0;
        for &(route, caller, expected) in MATRIX {
            for (variant, headers) in fx.credentials(caller, route).await {
                cells += 1;
                let reply = fx.call(route, &headers).await;
                let cell = format!("[{}] {route} as {caller:?} ({variant})", test_db.label);
                match classify(route, &reply) {
                    Ok(got) if got == expected => {}
                    Ok(got) => failures.push(format!(
                        "{cell}: expected {expected:?}, got {got:?} ({} {}) {}",
                        reply.status,
                        reply.location(),
                        excerpt(&reply.body)
                    )),
                    Err(problem) => failures.push(format!("{cell}: expected {expected:?}, got {problem}")),
                }
                if expected == Class::Allowed && is_page(route) {
                    for message in ["Access denied", "Sign in first", "Not signed in"] {
                        if reply.body.contains(message) {
                            failures.push(format!("{cell}: allowed page shows '{message}'"));
                        }
                    }
                }
                if route.contains("client_links_panel") && reply.status.is_success() {
                    let may_manage = matches!(caller, Caller::Analyst | Caller::Admin);
                    if may_manage == (reply.body.trim() == "null") {
                        failures.push(format!("{cell}: panel body {} (may manage links: {may_manage})", excerpt(&reply.body)));
                    }
                }
            }
        }
        eprintln!("[{}] {cells} matrix cells checked, {} failed", test_db.label, failures.len());
        test_db.finish().await;
        assert!(failures.is_empty(), "{} failing cells:\n{}", failures.len(), failures.join("\n"));
    }
}

/// Every route of the app and of the REST API is in the matrix, for every
/// principal, once.
#[test]
fn matrix_covers_every_route_and_principal() {
    let principals =
        [Caller::Anonymous, Caller::Viewer, Caller::Analyst, Caller::Admin, Caller::ReadToken, Caller::ReadWriteToken, Caller::AdminToken, Caller::LinkA];
    let mut routes: Vec<&str> = MATRIX.iter().map(|(route, _, _)| *route).collect();
    routes.dedup();
    for route in &routes {
        for caller in principals {
            let count = MATRIX.iter().filter(|(r, w, _)| r == route && *w == caller).count();
            assert_eq!(count, 1, "{route} as {caller:?}");
        }
    }
    let endpoints = [
        "portfolio", "tenant_rows", "tenant_detail", "sync_status", "refresh_now", "demo_mode", "whoami", "login", "logout",
        "client_report", "create_client_link", "list_client_links", "revoke_client_link", "client_links_panel",
        "admin_tokens", "admin_create_token", "admin_revoke_token", "admin_take_new_token", "admin_users",
        "admin_create_user", "admin_audit", "categories_page", "trends_page", "benchmarks_page", "tenant_page",
        "set_benchmark_reference", "recommendations_page", "project_actions", "alerts_page", "alert_action", "save_alert_rules", "compliance_page",
        "test_alert_channel", "admin_compliance_mapping", "admin_set_compliance_override", "admin_delete_compliance_override",
    ];
    for endpoint in endpoints {
        let path = format!("POST /api/{endpoint}");
        assert!(routes.iter().any(|r| *r == path || r.starts_with(&format!("{path} |"))), "{endpoint} missing");
    }
    for rest in ["portfolio", "tenants", "tenants/{A}", "openapi.json", "categories", "trends?days=90", "benchmarks", "recommendations", "reports/export?format=csv&scope=portfolio", "audit", "alerts", "alerts/rules", "compliance?tenant={A}", "compliance/mapping", "compliance/portfolio"] {
        assert!(routes.contains(&format!("GET {{BASE}}/{rest}").as_str()), "{rest} missing");
    }
    for page in [
        "/", "/tenants", "/tenants/{A}", "/categories", "/trends?days=7", "/benchmarks", "/recommendations", "/alerts", "/compliance", "/admin/users", "/admin/tokens", "/admin/audit", "/admin/compliance",
        "/login", "/client/{LINK}",
    ] {
        assert!(routes.contains(&format!("GET {page}").as_str()), "{page} missing");
    }
}

// ----------------------------------------------------------------------------
// 2. Client links stay inside their tenant
// ----------------------------------------------------------------------------

/// Every form of tenant B's data that must not reach a holder of A's link.
fn tenant_b_needles() -> Vec<String> {
    vec![
        NAME_B.to_owned(),
        TENANT_B.to_owned(),
        TENANT_B.to_uppercase(),
        INDUSTRY_B.to_owned(),
        CONTROL_B.to_owned(),
        SCORE_B.to_owned(),
    ]
}

#[tokio::test]
async fn client_link_hides_other_tenant() {
    for test_db in testing::databases().await {
        let fx = fixture(&test_db).await;
        let link = fx.link_a.clone();
        let none: Vec<(&str, String)> = Vec::new();
        let as_bearer = bearer(&link);
        let as_cookie = session_cookie(&link);

        // The link works for its own tenant.
        let page = fx.call("GET /client/{LINK}", &none).await;
        assert_eq!(page.status, StatusCode::OK, "{}", excerpt(&page.body));
        assert!(page.body.contains(NAME_A), "the client page shows tenant A");
        let report = fx.call("POST /api/client_report | token={LINK}", &none).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        let report: Value = serde_json::from_str(&report.body).unwrap();
        assert_eq!(report["detail"]["tenant"]["tenantId"], json!(TENANT_A));
        assert_eq!(report["detail"]["tenant"]["displayName"], json!(NAME_A));

        let attempts: Vec<(&str, &Vec<(&str, String)>)> = vec![
            ("GET /client/{LINK}", &none),
            ("GET /client/{LINK}?tenant_id={B}", &none),
            ("GET /client/{LINK}?tenant_id={B}&tenantId={B}&token={B}", &none),
            ("GET /client/{LINK}/?tenant_id={B}", &none),
            ("GET /client/{LINK}/{B}", &none),
            ("GET /client/{LINK}/../{B}", &none),
            ("GET /client/{B}", &none),
            ("GET /client/{LINK}", &as_bearer),
            ("GET /client/{LINK}", &as_cookie),
            ("POST /api/client_report | token={LINK}", &none),
            ("POST /api/client_report | token={LINK}&tenant_id={B}", &none),
            ("POST /api/client_report | tenant_id={B}&token={LINK}", &none),
            ("POST /api/client_report | token={LINK}&tenantId={B}", &none),
            ("POST /api/client_report | token={B}", &none),
            ("POST /api/client_report?tenant_id={B} | token={LINK}", &none),
            ("POST /api/client_report | token={LINK}", &as_bearer),
            ("POST /api/tenant_detail | tenant_id={B}", &as_bearer),
            ("POST /api/tenant_detail | tenant_id={B}", &as_cookie),
            ("POST /api/tenant_rows", &as_bearer),
            ("POST /api/tenant_rows", &as_cookie),
            ("POST /api/portfolio", &as_bearer),
            ("POST /api/portfolio", &as_cookie),
            ("POST /api/client_links_panel | tenant_id={B}", &as_bearer),
            ("POST /api/client_links_panel | tenant_id={B}", &as_cookie),
            ("POST /api/list_client_links | tenant_id={B}", &as_cookie),
            ("GET {BASE}/tenants/{B}", &as_bearer),
            ("GET {BASE}/tenants/{B}", &as_cookie),
            ("GET {BASE}/tenants", &as_bearer),
            ("GET {BASE}/portfolio", &as_bearer),
            ("GET /tenants/{B}", &as_cookie),
            ("GET /tenants/{B}", &as_bearer),
            ("GET /tenants", &as_cookie),
            ("GET /", &as_cookie),
        ];
        let mut leaks = Vec::new();
        for (route, headers) in attempts {
            let reply = fx.call(route, headers).await;
            assert!(!reply.status.is_server_error(), "{route}: {} {}", reply.status, excerpt(&reply.body));
            // The body must hold none of B's data. Headers may echo the
            // request (the login redirect's `next` names the path asked
            // for), so only B's name, industry, control and score count there.
            let headers = format!("{:?}", reply.headers);
            for needle in tenant_b_needles() {
                if reply.body.contains(&needle) {
                    leaks.push(format!("[{}] {route}: {} body contains '{needle}'", test_db.label, reply.status));
                }
                let echoed = needle.eq_ignore_ascii_case(TENANT_B);
                if !echoed && headers.contains(&needle) {
                    leaks.push(format!("[{}] {route}: {} headers contain '{needle}'", test_db.label, reply.status));
                }
            }
        }
        test_db.finish().await;
        assert!(leaks.is_empty(), "tenant B leaked:\n{}", leaks.join("\n"));
    }
}

// ----------------------------------------------------------------------------
// 3. Expired, revoked and tampered credentials
// ----------------------------------------------------------------------------

#[tokio::test]
async fn invalid_credentials_are_rejected() {
    for test_db in testing::databases().await {
        let fx = fixture(&test_db).await;
        let db = &fx.db;
        let label = test_db.label;
        let portfolio = "GET {BASE}/portfolio";

        // API tokens: valid, tampered, revoked. Tokens have no expiry.
        let (token, info) = backend::auth::api_tokens::create(db, "short-lived", TokenScope::Admin, None, Utc::now()).await.unwrap();
        assert_eq!(fx.call(portfolio, &bearer(&token)).await.status, StatusCode::OK, "{label}: valid token");
        let tampered = fx.call(portfolio, &bearer(&tamper(&token))).await;
        assert_eq!(tampered.status, StatusCode::UNAUTHORIZED, "{label}: tampered token");
        let upper = fx.call(portfolio, &bearer(&token.to_uppercase())).await;
        assert_eq!(upper.status, StatusCode::UNAUTHORIZED, "{label}: token with changed case");
        assert!(backend::auth::api_tokens::revoke(db, info.id, Utc::now()).await.unwrap());
        for route in [portfolio, "GET {BASE}/audit", "POST /api/admin_users", "POST /api/portfolio"] {
            let reply = fx.call(route, &bearer(&token)).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{label}: revoked token on {route}");
        }
        let page = fx.call("GET /", &bearer(&token)).await;
        assert!(page.location().starts_with("/login"), "{label}: revoked token on a page");

        // Sessions: valid, tampered, idle, past the absolute expiry,
        // revoked, signed out, disabled account.
        let check_session = |token: String, what: &'static str| {
            let fx = &fx;
            async move {
                let rest = fx.call(portfolio, &session_cookie(&token)).await;
                assert_eq!(rest.status, StatusCode::UNAUTHORIZED, "{label}: {what} session on REST");
                let page = fx.call("GET /tenants", &session_cookie(&token)).await;
                assert!(page.status.is_redirection(), "{label}: {what} session on a page: {}", page.status);
                assert!(page.location().starts_with("/login"), "{label}: {what} session on a page: {}", page.location());
                let function = fx.call("POST /api/tenant_rows", &session_cookie(&token)).await;
                assert_eq!(function.status, StatusCode::UNAUTHORIZED, "{label}: {what} session on a server function");
                let whoami = fx.call("POST /api/whoami", &session_cookie(&token)).await;
                assert_eq!(whoami.body.trim(), "null", "{label}: {what} session on whoami");
            }
        };
        let valid = fx.session(fx.admin).await;
        assert_eq!(fx.call(portfolio, &session_cookie(&valid)).await.status, StatusCode::OK, "{label}: valid session");
        check_session(tamper(&valid), "tampered").await;
        let idle = backend::auth::sessions::create(db, fx.admin, None, Utc::now() - Duration::hours(3)).await.unwrap().token;
        check_session(idle, "idle").await;
        // Seen recently but started 13 hours ago: past the absolute timeout.
        let old = backend::auth::sessions::create(db, fx.admin, None, Utc::now() - Duration::hours(13)).await.unwrap().token;
        let hash = backend::auth::tokens::hash_token(&old);
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        backend::entity::session::Entity::update_many()
            .col_expr(backend::entity::session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(Utc::now()))
            .filter(backend::entity::session::Column::TokenHash.eq(hash))
            .exec(db)
            .await
            .unwrap();
        check_session(old, "expired").await;
        let revoked = fx.session(fx.admin).await;
        backend::auth::sessions::revoke(db, &revoked).await.unwrap();
        check_session(revoked, "revoked").await;
        let signed_out = fx.session(fx.admin).await;
        let logout = fx.call("POST /api/logout", &session_cookie(&signed_out)).await;
        assert!(logout.status.is_success() || logout.status.is_redirection(), "{label}: logout {}", logout.status);
        check_session(signed_out, "signed-out").await;
        let disabled = fx.session(fx.viewer).await;
        backend::auth::users::set_disabled(db, fx.viewer, true, Utc::now()).await.unwrap();
        check_session(disabled, "disabled account's").await;

        // Client links: valid, tampered, expired, revoked.
        let tenant = TenantId::parse(TENANT_A).unwrap();
        let check_link = |token: String, status: StatusCode, what: &'static str| {
            let fx = &fx;
            async move {
                let report = fx.call(&format!("POST /api/client_report | token={token}"), &[]).await;
                assert_eq!(report.status, status, "{label}: {what} link on client_report: {}", report.body);
                let page = fx.call(&format!("GET /client/{token}"), &[]).await;
                assert_eq!(page.status, status, "{label}: {what} link page");
                for reply in [&report, &page] {
                    assert!(!reply.body.contains(NAME_A), "{label}: {what} link shows the tenant name");
                    assert!(!reply.body.contains("AlderControl"), "{label}: {what} link shows a control");
                }
            }
        };
        let (link, link_info) = backend::auth::client_links::create(db, &tenant, None, 1, Utc::now()).await.unwrap();
        let ok = fx.call(&format!("POST /api/client_report | token={link}"), &[]).await;
        assert_eq!(ok.status, StatusCode::OK, "{label}: valid link");
        check_link(tamper(&link), StatusCode::NOT_FOUND, "tampered").await;
        check_link(link.to_uppercase(), StatusCode::NOT_FOUND, "upper-case").await;
        let (expired, _) =
            backend::auth::client_links::create(db, &tenant, None, 30, Utc::now() - Duration::days(31)).await.unwrap();
        check_link(expired, StatusCode::FORBIDDEN, "expired").await;
        assert!(backend::auth::client_links::revoke(db, link_info.id, Utc::now()).await.unwrap());
        check_link(link, StatusCode::FORBIDDEN, "revoked").await;

        test_db.finish().await;
    }
}

// ----------------------------------------------------------------------------
// 4. Secrets stay out of responses and logs
// ----------------------------------------------------------------------------

/// A log sink shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Returns the session token of a `Set-Cookie: tc_session=…` header, if any.
fn session_from(reply: &Reply) -> Option<String> {
    reply.set_cookies().iter().find_map(|cookie| {
        let value = cookie.strip_prefix("tc_session=")?.split(';').next()?;
        (!value.is_empty()).then(|| value.to_owned())
    })
}

#[tokio::test]
async fn secrets_stay_out_of_output() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    for test_db in testing::databases().await {
        let fx = fixture(&test_db).await;
        let db = &fx.db;
        let label = test_db.label;
        let key = SecretKey::load(Some(KEY_HEX), std::path::Path::new("/nonexistent/key")).unwrap();
        let tenant = TenantId::parse(TENANT_A).unwrap();
        backend::auth::graph_credentials::store(db, &key, None, "default-client", &Secret::new(CLIENT_SECRET), Utc::now())
            .await
            .unwrap();
        backend::auth::graph_credentials::store(db, &key, Some(&tenant), "tenant-client", &Secret::new(CLIENT_SECRET), Utc::now())
            .await
            .unwrap();
        let (_, loaded) = backend::auth::graph_credentials::load(db, &key, Some(&tenant)).await.unwrap().unwrap();
        assert_eq!(loaded.expose(), CLIENT_SECRET, "{label}: stored secret round-trips");

        let mut needles = vec![
            CLIENT_SECRET.to_owned(),
            PASSWORD.to_owned(),
            WRONG_PASSWORD.to_owned(),
            fx.read_token.clone(),
            fx.read_write_token.clone(),
            fx.admin_token.clone(),
            fx.link_a.clone(),
        ];
        // (what, reply, the secret this reply may show once)
        let mut replies: Vec<(String, Reply, Option<String>)> = Vec::new();
        let html = ("accept", "text/html".to_owned());

        // Sign-in: right and wrong password, from scripts and plain forms.
        let right = "POST /api/login | email=admin@example.test&password={PASSWORD}";
        let wrong = format!("POST /api/login | email=admin@example.test&password={WRONG_PASSWORD}");
        let typo = format!("POST /api/login | email={PASSWORD}&password={WRONG_PASSWORD}");
        let signed_in = fx.call(right, &[]).await;
        assert!(signed_in.status.is_success(), "{label}: login {}", signed_in.status);
        let session = session_from(&signed_in).expect("login sets the session cookie");
        needles.push(session.clone());
        replies.push(("login".into(), signed_in, None));
        let form_login = fx.call(right, std::slice::from_ref(&html)).await;
        assert_eq!(form_login.status, StatusCode::FOUND, "{label}: form login");
        if let Some(other) = session_from(&form_login) {
            needles.push(other);
        }
        replies.push(("form login".into(), form_login, None));
        for (what, route) in [("wrong password", &wrong), ("password typed as email", &typo)] {
            let reply = fx.call(route, &[]).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{label}: {what}");
            replies.push((what.into(), reply, None));
            let reply = fx.call(route, std::slice::from_ref(&html)).await;
            assert_eq!(reply.status, StatusCode::FOUND, "{label}: form {what}");
            replies.push((format!("form {what}"), reply, None));
        }

        // Token and session use on REST, server functions and pages.
        let admin_session = fx.session(fx.admin).await;
        needles.push(admin_session.clone());
        let callers = [
            ("read token", bearer(&fx.read_token)),
            ("admin token", bearer(&fx.admin_token)),
            ("login session", session_cookie(&session)),
            ("admin session", session_cookie(&admin_session)),
            ("tampered admin token", bearer(&tamper(&fx.admin_token))),
            ("link as bearer", bearer(&fx.link_a)),
        ];
        let routes = [
            "GET {BASE}/portfolio",
            "GET {BASE}/tenants",
            "GET {BASE}/tenants/{A}",
            "GET {BASE}/openapi.json",
            "GET {BASE}/audit",
            "GET {BASE}/audit?page=1&pageSize=500",
            "POST /api/admin_audit | page=1",
            "POST /api/admin_tokens",
            "POST /api/admin_users",
            "POST /api/whoami",
            "GET /admin/audit",
            "GET /admin/tokens",
            "GET /admin/users",
            "GET /tenants/{A}",
            "GET /client/{LINK}",
            "POST /api/client_report | token={LINK}",
        ];
        for (caller, headers) in &callers {
            for route in routes {
                let reply = fx.call(route, headers).await;
                replies.push((format!("{route} as {caller}"), reply, None));
            }
        }

        // Creating a token and a client link shows each secret once.
        let created = fx.call("POST /api/admin_create_token | name=secrets-test&scope=read_write", &session_cookie(&admin_session)).await;
        assert_eq!(created.status, StatusCode::OK, "{label}: create token {}", created.body);
        let new_token = serde_json::from_str::<Value>(&created.body).unwrap()["token"].as_str().unwrap().to_owned();
        replies.push(("create token".into(), created, Some(new_token.clone())));
        let linked = fx.call("POST /api/create_client_link | tenant_id={A}&days=3", &bearer(&fx.admin_token)).await;
        // An admin token may not create client links; use the admin session.
        assert_eq!(linked.status, StatusCode::FORBIDDEN, "{label}: admin token creating a link");
        let linked = fx.call("POST /api/create_client_link | tenant_id={A}&days=3", &session_cookie(&admin_session)).await;
        assert_eq!(linked.status, StatusCode::OK, "{label}: create link {}", linked.body);
        let url = serde_json::from_str::<Value>(&linked.body).unwrap()["url"].as_str().unwrap().to_owned();
        let new_link = url.rsplit('/').next().unwrap().to_owned();
        replies.push(("create link".into(), linked, Some(new_link.clone())));
        let new_token_use = fx.call("GET {BASE}/portfolio", &bearer(&new_token)).await;
        assert_eq!(new_token_use.status, StatusCode::OK);
        replies.push(("new token use".into(), new_token_use, None));
        needles.push(new_token.clone());
        needles.push(new_link.clone());

        // A manual sync uses the Graph secret; it fails in the background.
        let refresh = fx.call("POST /api/refresh_now", &bearer(&fx.read_write_token)).await;
        assert!(refresh.status.is_success(), "{label}: refresh {} {}", refresh.status, refresh.body);
        replies.push(("refresh".into(), refresh, None));
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;

        // Lists after the creations, and sign-out.
        for route in ["POST /api/admin_tokens", "POST /api/admin_audit | page=1", "GET {BASE}/audit", "GET /admin/tokens", "GET /admin/audit"] {
            let reply = fx.call(route, &session_cookie(&admin_session)).await;
            assert!(reply.status.is_success(), "{label}: {route} {}", reply.status);
            replies.push((format!("{route} after creations"), reply, None));
        }
        let audit = fx.call("GET {BASE}/audit", &bearer(&fx.admin_token)).await;
        assert!(audit.body.contains("login.failed"), "{label}: the audit log lists the failed sign-in");
        assert!(audit.body.contains("token.created"), "{label}: the audit log lists the new token");
        replies.push(("audit".into(), audit, None));
        let logout = fx.call("POST /api/logout", &session_cookie(&session)).await;
        replies.push(("logout".into(), logout, None));

        let mut leaks = Vec::new();
        for (what, reply, allowed) in &replies {
            if reply.status.is_server_error() {
                leaks.push(format!("[{label}] {what}: server error {}", reply.status));
            }
            let mut text = reply.body.clone();
            text.push_str(reply.location());
            for needle in &needles {
                if allowed.as_ref() == Some(needle) {
                    continue;
                }
                if text.contains(needle.as_str()) {
                    leaks.push(format!("[{label}] {what} ({}): response contains secret '{}…'", reply.status, &needle[..6]));
                }
            }
        }
        let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
        assert!(log.contains("sign-in failed"), "{label}: the log capture works");
        for needle in &needles {
            if let Some(at) = log.find(needle.as_str()) {
                let start = log[..at].rfind('\n').map_or(0, |n| n + 1);
                let line: String = log[start..].lines().next().unwrap_or("").chars().take(400).collect();
                leaks.push(format!("[{label}] log contains secret '{}…': {line}", &needle[..6]));
            }
        }
        test_db.finish().await;
        assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    }
}

// ----------------------------------------------------------------------------
// 5. Denied plain form posts
// ----------------------------------------------------------------------------

/// A plain HTML form post (one that accepts `text/html`) is redirected back
/// to its page with a 302 whether it succeeds or not. The status does not
/// show a denial, so the redirect must carry the error (`__err`) and the
/// database must stay unchanged.
#[tokio::test]
async fn denied_form_posts_change_nothing() {
    for test_db in testing::databases().await {
        let fx = fixture(&test_db).await;
        let db = &fx.db;
        let label = test_db.label;
        let tenant = TenantId::parse(TENANT_A).unwrap();
        let viewer = backend::auth::users::find(db, fx.viewer).await.unwrap().unwrap();
        assert_eq!(viewer.role, Role::Viewer, "{label}: the fixture's viewer");
        let (_, spare) = backend::auth::api_tokens::create(db, "spare", TokenScope::Read, None, Utc::now()).await.unwrap();
        let link_id = backend::auth::client_links::list_for_tenant(db, &tenant).await.unwrap()[0].id;
        let users_before = backend::auth::users::list(db).await.unwrap().len();
        let tokens_before = backend::auth::api_tokens::list(db).await.unwrap().len();
        let links_before = backend::auth::client_links::list_for_tenant(db, &tenant).await.unwrap().len();

        let html = ("accept", "text/html".to_owned());
        let mut as_viewer = session_cookie(&fx.session(fx.viewer).await);
        as_viewer.push(html.clone());
        let mut as_read_token = bearer(&fx.read_token);
        as_read_token.push(html.clone());
        let anonymous = vec![html.clone()];
        let routes = [
            "POST /api/refresh_now".to_owned(),
            "POST /api/create_client_link | tenant_id={A}&days=7".to_owned(),
            format!("POST /api/revoke_client_link | id={link_id}&tenant_id={TENANT_A}"),
            "POST /api/admin_create_user | email=form-post@example.test&role=admin&password={PASSWORD}".to_owned(),
            "POST /api/admin_create_token | name=form-post&scope=admin".to_owned(),
            format!("POST /api/admin_revoke_token | id={}", spare.id),
        ];
        let mut failures = Vec::new();
        for (caller, headers) in [("viewer", &as_viewer), ("read token", &as_read_token), ("anonymous", &anonymous)] {
            for route in &routes {
                let reply = fx.call(route, headers).await;
                let location = reply.location().to_owned();
                if !(reply.status.is_redirection() && location.contains("__err=")) {
                    failures.push(format!("[{label}] {route} as {caller}: {} to '{location}', expected a redirect with __err", reply.status));
                }
            }
        }

        let users_after = backend::auth::users::list(db).await.unwrap();
        if users_after.len() != users_before {
            let emails: Vec<&str> = users_after.iter().map(|u| u.email.as_str()).collect();
            failures.push(format!("[{label}] accounts changed: {users_before} before, now {emails:?}"));
        }
        let tokens_after = backend::auth::api_tokens::list(db).await.unwrap();
        if tokens_after.len() != tokens_before || tokens_after.iter().any(|t| t.revoked_at.is_some()) {
            failures.push(format!("[{label}] API tokens changed: {tokens_before} before, now {tokens_after:?}"));
        }
        let links_after = backend::auth::client_links::list_for_tenant(db, &tenant).await.unwrap();
        if links_after.len() != links_before || links_after.iter().any(|l| l.revoked_at.is_some()) {
            failures.push(format!("[{label}] client links changed: {links_before} before, now {links_after:?}"));
        }
        if let Some(run) = backend::service::latest_sync_run(db).await.unwrap() {
            failures.push(format!("[{label}] a sync run was started: {run:?}"));
        }
        test_db.finish().await;
        assert!(failures.is_empty(), "denied form posts:\n{}", failures.join("\n"));
    }
}
