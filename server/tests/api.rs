//! The real router driven in-process: REST routes, their errors and the
//! OpenAPI document, over the real database.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use backend::graph::wire::parse_secure_scores;
use backend::store::ingest::ingest_tenant;
use backend::store::tenants::{self, TenantInput};
use backend::sync::{SyncHandle, SyncSettings};
use backend::testing::{self, TestDb};
use backend::AppContext;
use chrono::{DateTime, Utc};
use domain::TenantId;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use serde_json::{json, Value};
use server::router::router;
use server::state::AppState;
use tower::ServiceExt;

const BASE: &str = "/api/addons/trust-center/security-score";

const ALPHA: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BRAVO: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const CHARLIE: &str = "cccccccc-0000-4000-8000-000000000003";
const DELTA: &str = "dddddddd-0000-4000-8000-000000000004";

fn now() -> DateTime<Utc> {
    Utc::now()
}

async fn add(db: &sea_orm::DatabaseConnection, id: &str, name: &str, industry: &str, scores: &[(&str, f64, f64)]) {
    let tenant_id = TenantId::parse(id).unwrap();
    let input = TenantInput { tenant_id: tenant_id.clone(), display_name: name.into(), industry: Some(industry.into()), excluded: false };
    tenants::upsert(db, input, now()).await.unwrap();
    let tenant = tenants::find(db, &tenant_id).await.unwrap().unwrap();
    let values: Vec<Value> = scores
        .iter()
        .map(|(day, current, max)| {
            json!({"azureTenantId": id, "createdDateTime": format!("{day}T00:00:00Z"), "currentScore": current, "maxScore": max,
                   "controlScores": [{"controlName": "AdminMfa", "controlCategory": "Identity", "score": current, "scoreInPercentage": 100.0 * current / max}]})
        })
        .collect();
    let records = parse_secure_scores(json!({ "value": values }).to_string().as_bytes()).unwrap().records;
    ingest_tenant(db, &tenant, &records, None, &[], now()).await.unwrap();
}

/// Four tenants: 92, 82, 74 and 48 % today (portfolio average 74), one of
/// them with a 90-day history, plus one without data.
async fn app(test_db: &TestDb) -> Api {
    let db = &test_db.db;
    let today = Utc::now().date_naive();
    let day = |back: i64| (today - chrono::Duration::days(back)).to_string();
    add(db, ALPHA, "Alpha Clinic", "Healthcare", &[(&day(0), 92.0, 100.0), (&day(90), 80.0, 100.0)]).await;
    add(db, BRAVO, "bravo Legal", "Legal", &[(&day(0), 41.0, 50.0)]).await;
    add(db, CHARLIE, "Charlie Retail", "Retail", &[(&day(1), 74.0, 100.0)]).await;
    add(db, DELTA, "Delta Health", "Healthcare", &[(&day(0), 48.0, 100.0)]).await;
    let empty = TenantId::parse("eeeeeeee-0000-4000-8000-000000000005").unwrap();
    tenants::upsert(db, TenantInput { tenant_id: empty, display_name: "Echo New".into(), industry: None, excluded: false }, now())
        .await
        .unwrap();

    let ctx = AppContext { db: db.clone(), sync: SyncHandle::new(db.clone(), None, SyncSettings::default()), demo: false, login_limiter: Default::default(), alerts: None, demo_sim_url: None };
    let leptos_options = LeptosOptions::builder().output_name("trust-center").build();
    let (token, _) = backend::auth::api_tokens::create(db, "api-tests", domain::access::TokenScope::Read, None, now()).await.unwrap();
    Api { router: router(AppState { ctx, leptos_options }), token }
}

/// The router and a read-scoped API token for it.
struct Api {
    router: Router,
    token: String,
}

async fn get(app: &Api, uri: &str) -> (StatusCode, Value) {
    let request = Request::get(uri).header("authorization", format!("Bearer {}", app.token)).body(Body::empty()).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) }));
    (status, body)
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, needle: &str) {
    assert_eq!(status, expected, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_else(|| panic!("no error envelope: {body}"));
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(message.contains(needle), "'{message}' should mention '{needle}'");
}

#[tokio::test]
async fn portfolio_matches_hand_computed_values() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, body) = get(&app, &format!("{BASE}/portfolio")).await;
        assert_eq!(status, StatusCode::OK);
        // 92, 82 (41 of 50), 74 and 48: mean 74.
        assert_eq!(body["portfolioAverage"], json!(74.0), "{}", test_db.label);
        // Only Alpha has a snapshot 90 days old: 92 - 80 = 12.
        assert_eq!(body["portfolioAverageChange90d"], json!(12.0));
        assert_eq!(body["topTenant"], json!({"tenantId": ALPHA, "displayName": "Alpha Clinic", "percentage": 92.0}));
        assert_eq!(body["lowestTenant"]["tenantId"], json!(DELTA));
        assert_eq!((body["managedTenants"].as_u64(), body["tenantsWithData"].as_u64()), (Some(5), Some(4)));
        assert_eq!(body["tenantsWithoutData"], json!(1));
        assert_eq!(body["staleTenants"], json!(0));
        assert_eq!(body["asOf"], json!(Utc::now().date_naive().to_string()));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn tenants_sort_and_paginate() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, body) = get(&app, &format!("{BASE}/tenants?sort=displayName&pageSize=2&page=2")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let names: Vec<&str> = body["items"].as_array().unwrap().iter().map(|r| r["displayName"].as_str().unwrap()).collect();
        assert_eq!(names, ["Charlie Retail", "Delta Health"]);
        assert_eq!((body["totalItems"].as_u64(), body["totalPages"].as_u64()), (Some(5), Some(3)));

        let (_, body) = get(&app, &format!("{BASE}/tenants")).await;
        let order: Vec<Value> = body["items"].as_array().unwrap().iter().map(|r| r["percentage"].clone()).collect();
        assert_eq!(order, [json!(92.0), json!(82.0), json!(74.0), json!(48.0), Value::Null], "no-data rows go last");

        let (_, body) = get(&app, &format!("{BASE}/tenants?industry=healthcare&sort=percentage&order=asc")).await;
        let ids: Vec<&str> = body["items"].as_array().unwrap().iter().map(|r| r["tenantId"].as_str().unwrap()).collect();
        assert_eq!(ids, [DELTA, ALPHA]);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn tenant_detail_has_categories_and_controls() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, body) = get(&app, &format!("{BASE}/tenants/{}", BRAVO.to_uppercase())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["tenant"]["percentage"], json!(82.0));
        let snapshot = &body["latestSnapshot"];
        assert_eq!(snapshot["categories"][0], json!({"category": "Identity", "points": 41.0, "maxPoints": 50.0, "percentage": 82.0, "controls": 1, "unmatchedControls": 0}));
        assert_eq!(snapshot["controls"][0]["controlName"], json!("AdminMfa"));
        assert_eq!(snapshot["controls"][0]["maxSource"], json!("derived"));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn categories_average_tenant_percentages() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, body) = get(&app, &format!("{BASE}/categories")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["tenantsIncluded"], json!(4), "{}", test_db.label);
        let names: Vec<&str> = body["categories"].as_array().unwrap().iter().map(|c| c["category"].as_str().unwrap()).collect();
        assert_eq!(names, ["Identity", "Data", "Device", "Apps"]);
        let identity = &body["categories"][0];
        // Every control is Identity: 92, 82 (41 of 50), 74 and 48 % give 74.
        assert_eq!(identity["portfolioAverage"], json!(74.0));
        assert_eq!(identity["tenantsWithData"], json!(4));
        assert_eq!(identity["peerAllTenants"], Value::Null, "no comparative scores were ingested");
        let weakest: Vec<&str> = identity["weakestTenants"].as_array().unwrap().iter().map(|t| t["tenantId"].as_str().unwrap()).collect();
        assert_eq!(weakest, [DELTA, CHARLIE, BRAVO, ALPHA]);
        assert_eq!(body["categories"][1]["portfolioAverage"], Value::Null);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn bad_input_gets_4xx_envelopes() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let cases = [
            (format!("{BASE}/tenants/not-a-tenant"), StatusCode::BAD_REQUEST, "'not-a-tenant'"),
            (format!("{BASE}/tenants/ffffffff-0000-4000-8000-000000000009"), StatusCode::NOT_FOUND, "ffffffff-0000-4000-8000-000000000009"),
            (format!("{BASE}/tenants?page=0"), StatusCode::BAD_REQUEST, "page '0'"),
            (format!("{BASE}/tenants?page=abc"), StatusCode::BAD_REQUEST, "page 'abc'"),
            (format!("{BASE}/tenants?pageSize=501"), StatusCode::BAD_REQUEST, "pageSize '501'"),
            (format!("{BASE}/tenants?sort=score"), StatusCode::BAD_REQUEST, "sort 'score'"),
            (format!("{BASE}/tenants?order=up"), StatusCode::BAD_REQUEST, "order 'up'"),
            (format!("{BASE}/tenants?colour=red"), StatusCode::BAD_REQUEST, "'colour'"),
            (format!("{BASE}/tenants?page=%FF"), StatusCode::BAD_REQUEST, "is invalid: use a whole number"),
            (format!("{BASE}/nothing-here"), StatusCode::NOT_FOUND, "openapi.json"),
            (BASE.to_owned(), StatusCode::NOT_FOUND, "openapi.json"),
            (format!("{BASE}/"), StatusCode::NOT_FOUND, "openapi.json"),
            (format!("{BASE}/tenants/{ALPHA}/extra"), StatusCode::NOT_FOUND, "no such API route"),
        ];
        for (uri, expected, needle) in cases {
            let (status, body) = get(&app, &uri).await;
            assert_error(status, &body, expected, needle);
        }
        let request = Request::delete(format!("{BASE}/portfolio"))
            .header("authorization", format!("Bearer {}", app.token))
            .body(Body::empty())
            .unwrap();
        let response = app
            .router
            .clone()
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn openapi_lists_every_route() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, body) = get(&app, &format!("{BASE}/openapi.json")).await;
        assert_eq!(status, StatusCode::OK);
        let mut paths: Vec<&str> = body["paths"].as_object().unwrap().keys().map(String::as_str).collect();
        paths.sort_unstable();
        assert_eq!(paths, [
            "/api/addons/trust-center/security-score/alerts",
            "/api/addons/trust-center/security-score/alerts/channels/{name}/test",
            "/api/addons/trust-center/security-score/alerts/rules",
            "/api/addons/trust-center/security-score/alerts/{id}",
            "/api/addons/trust-center/security-score/alerts/{id}/action",
            "/api/addons/trust-center/security-score/audit",
            "/api/addons/trust-center/security-score/benchmarks",
            "/api/addons/trust-center/security-score/benchmarks/references/{industry}",
            "/api/addons/trust-center/security-score/categories",
            "/api/addons/trust-center/security-score/compliance",
            "/api/addons/trust-center/security-score/compliance/mapping",
            "/api/addons/trust-center/security-score/compliance/overrides",
            "/api/addons/trust-center/security-score/compliance/portfolio",
            "/api/addons/trust-center/security-score/portfolio",
            "/api/addons/trust-center/security-score/recommendations",
            "/api/addons/trust-center/security-score/recommendations/{id}/status",
            "/api/addons/trust-center/security-score/reports/export",
            "/api/addons/trust-center/security-score/tenants",
            "/api/addons/trust-center/security-score/tenants/{tenantId}",
            "/api/addons/trust-center/security-score/trends",
        ]);
        assert!(body["components"]["schemas"]["TenantRow"]["properties"]["trend30d"].is_object());
        test_db.finish().await;
    }
}
