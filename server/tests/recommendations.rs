//! Ranked improvement actions and their status workflow, through the real
//! router and database. Expected numbers are worked out in the comments.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use backend::graph::wire::{parse_control_profiles, parse_secure_scores};
use backend::store::ingest::ingest_tenant;
use backend::store::tenants::{self, TenantInput};
use backend::sync::{SyncHandle, SyncSettings};
use backend::testing::{self, TestDb};
use backend::AppContext;
use chrono::Utc;
use domain::access::TokenScope;
use domain::TenantId;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use serde_json::{json, Value};
use server::router::router;
use server::state::AppState;
use tower::ServiceExt;

const BASE: &str = "/api/addons/trust-center/security-score";

const ASPEN: &str = "a5000000-0000-4000-8000-000000000001";
const BEECH: &str = "b5000000-0000-4000-8000-000000000002";
const CHERRY: &str = "c5000000-0000-4000-8000-000000000003";
const UNKNOWN: &str = "f5000000-0000-4000-8000-000000000009";

/// Returns the action catalogue every tenant receives. `Legacy` is deprecated and
/// `Ignored` is marked Ignored in Microsoft's portal.
fn profiles() -> String {
    json!({"value": [
        {"id": "Mfa", "title": "Require MFA for all users", "controlCategory": "Identity", "maxScore": 10, "implementationCost": "Low", "userImpact": "low", "controlStateUpdates": []},
        {"id": "Dlp", "title": "Create DLP policies", "controlCategory": "Data", "maxScore": 10, "implementationCost": "High", "userImpact": "HIGH", "controlStateUpdates": []},
        {"id": "Legacy", "title": "Old setting", "controlCategory": "Apps", "maxScore": 5, "deprecated": true, "controlStateUpdates": []},
        {"id": "Full", "title": "Already done", "controlCategory": "Device", "maxScore": 5, "implementationCost": "Unknown", "userImpact": null, "controlStateUpdates": []},
        {"id": "Ignored", "title": "Ignored in the portal", "controlCategory": "Apps", "maxScore": 6, "controlStateUpdates": [{"state": "Ignored", "updatedDateTime": "2026-03-01T00:00:00Z"}]}
    ]})
    .to_string()
}

/// Stores one snapshot of `id` on `day` with the given control scores.
async fn snapshot(db: &sea_orm::DatabaseConnection, id: &str, day: &str, current: f64, max: f64, controls: &[(&str, &str, f64)]) {
    let tenant = tenants::find(db, &TenantId::parse(id).unwrap()).await.unwrap().unwrap();
    let scores: Vec<Value> = controls
        .iter()
        .map(|(name, category, score)| json!({"controlName": name, "controlCategory": category, "score": score}))
        .collect();
    let record = json!({"value": [{"azureTenantId": id, "createdDateTime": format!("{day}T00:00:00Z"), "currentScore": current,
                                   "maxScore": max, "controlScores": scores}]});
    let records = parse_secure_scores(record.to_string().as_bytes()).unwrap().records;
    let profiles = parse_control_profiles(profiles().as_bytes()).unwrap().profiles;
    ingest_tenant(db, &tenant, &records, Some(&profiles), &[], Utc::now()).await.unwrap();
}

async fn register(db: &sea_orm::DatabaseConnection, id: &str, name: &str) {
    let input = TenantInput { tenant_id: TenantId::parse(id).unwrap(), display_name: name.into(), industry: None, excluded: false };
    tenants::upsert(db, input, Utc::now()).await.unwrap();
}

struct Api {
    router: Router,
    read_token: String,
    write_token: String,
}

/// Three tenants on 2026-03-31:
/// - Aspen, 60 of 100: Mfa 4 of 10, Dlp 2 of 10, Legacy 0 of 5 (deprecated), Full 5 of 5.
/// - Beech, 100 of 200: Mfa 0 of 10, Dlp 10 of 10, Ignored 0 of 6 (Ignored in the portal).
/// - Cherry, 25 of 50: Mfa 0 of 10.
async fn app(test_db: &TestDb) -> Api {
    let db = &test_db.db;
    register(db, ASPEN, "Aspen Dental").await;
    register(db, BEECH, "Beech Legal").await;
    register(db, CHERRY, "Cherry Retail").await;
    snapshot(db, ASPEN, "2026-03-31", 60.0, 100.0, &[("Mfa", "Identity", 4.0), ("Dlp", "Data", 2.0), ("Legacy", "Apps", 0.0), ("Full", "Device", 5.0)]).await;
    snapshot(db, BEECH, "2026-03-31", 100.0, 200.0, &[("Mfa", "Identity", 0.0), ("Dlp", "Data", 10.0), ("Ignored", "Apps", 0.0)]).await;
    snapshot(db, CHERRY, "2026-03-31", 25.0, 50.0, &[("Mfa", "Identity", 0.0)]).await;

    let ctx = AppContext { db: db.clone(), sync: SyncHandle::new(db.clone(), None, SyncSettings::default()), demo: false, login_limiter: Default::default(), alerts: None, demo_sim_url: None };
    let leptos_options = LeptosOptions::builder().output_name("trust-center").build();
    let (read_token, _) = backend::auth::api_tokens::create(db, "recs-read", TokenScope::Read, None, Utc::now()).await.unwrap();
    let (write_token, _) = backend::auth::api_tokens::create(db, "recs-write", TokenScope::ReadWrite, None, Utc::now()).await.unwrap();
    Api { router: router(AppState { ctx, leptos_options }), read_token, write_token }
}

async fn call(app: &Api, method: &str, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn get(app: &Api, uri: &str) -> Value {
    let (status, body) = call(app, "GET", uri, &app.read_token, None).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

fn ids(page: &Value) -> Vec<&str> {
    page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn actions_are_ranked_with_tags_and_projections() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let page = get(&app, &format!("{BASE}/recommendations")).await;
        // Legacy (deprecated), Full (full score) and Ignored (portal) drop out.
        assert_eq!(ids(&page), ["Mfa", "Dlp"], "{}", test_db.label);
        assert_eq!((page["totalItems"].as_u64(), page["tenantsInAverage"].as_u64()), (Some(2), Some(3)));

        let mfa = &page["items"][0];
        // Gaps 6, 10 and 10: total 26, mean 8.67; effort Low + Low = 2; ratio 4.33.
        assert_eq!((mfa["affectedTenants"].as_u64(), mfa["totalPoints"].as_f64(), mfa["meanPoints"].as_f64()), (Some(3), Some(26.0), Some(8.67)));
        assert_eq!((mfa["effort"].as_u64(), mfa["impactToEffort"].as_f64(), mfa["tag"].as_str()), (Some(2), Some(4.33), Some("quick_win")));
        // Rises 6/100, 10/200 and 10/50 of each maximum: (6 + 5 + 20) / 3 tenants = 10.33.
        assert_eq!(mfa["projectedPortfolioRise"], json!(10.33));
        assert_eq!(mfa["statusCounts"], json!({"notStarted": 3, "planned": 0, "inProgress": 0, "completed": 0, "riskAccepted": 0}));

        let dlp = &page["items"][1];
        // Aspen only: 8 points; effort High + HIGH = 6; ratio 1.33; rise 8 / 3 = 2.67.
        assert_eq!((dlp["effort"].as_u64(), dlp["meanPoints"].as_f64(), dlp["impactToEffort"].as_f64()), (Some(6), Some(8.0), Some(1.33)));
        assert_eq!((dlp["tag"].as_str(), dlp["projectedPortfolioRise"].as_f64()), (Some("high_impact"), Some(2.67)));

        assert_eq!(ids(&get(&app, &format!("{BASE}/recommendations?category=data")).await), ["Dlp"]);
        assert_eq!(ids(&get(&app, &format!("{BASE}/recommendations?tag=quick_win")).await), ["Mfa"]);
        assert_eq!(ids(&get(&app, &format!("{BASE}/recommendations?tenant={BEECH}")).await), ["Mfa"]);
        let second = get(&app, &format!("{BASE}/recommendations?pageSize=1&page=2")).await;
        assert_eq!((ids(&second), second["totalPages"].as_u64()), (vec!["Dlp"], Some(2)));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn bulk_status_changes_answer_per_tenant() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let uri = format!("{BASE}/recommendations/Mfa/status");

        let (status, body) = call(&app, "PUT", &uri, &app.read_token, Some(json!({"status": "planned", "tenantId": ASPEN}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

        let bad = [
            (json!({"status": "done", "tenantId": ASPEN}), StatusCode::BAD_REQUEST, "status 'done'"),
            (json!({"status": "risk_accepted", "tenantId": ASPEN}), StatusCode::BAD_REQUEST, "justification is missing"),
            (json!({"status": "planned", "targetDate": "31/01/2027", "tenantId": ASPEN}), StatusCode::BAD_REQUEST, "targetDate '31/01/2027'"),
            (json!({"status": "planned"}), StatusCode::BAD_REQUEST, "tenantId is missing"),
            (json!({"status": "planned", "thirdParty": true, "tenantId": ASPEN}), StatusCode::BAD_REQUEST, "thirdParty applies only to completed"),
            (json!({"status": "planned", "tenantIds": [UNKNOWN]}), StatusCode::NOT_FOUND, UNKNOWN),
        ];
        for (payload, expected, needle) in bad {
            let (status, body) = call(&app, "PUT", &uri, &app.write_token, Some(payload.clone())).await;
            assert_eq!(status, expected, "{payload}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains(needle), "{payload}: {body}");
        }
        let (status, body) = call(&app, "PUT", &format!("{BASE}/recommendations/NoSuchAction/status"), &app.write_token, Some(json!({"status": "planned", "tenantId": ASPEN}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

        // Two known tenants and an unknown one: 207, the two are stored.
        let payload = json!({"status": "planned", "targetDate": "2027-01-31", "tenantIds": [ASPEN, BEECH, UNKNOWN]});
        let (status, body) = call(&app, "PUT", &uri, &app.write_token, Some(payload)).await;
        assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
        let oks: Vec<bool> = body["results"].as_array().unwrap().iter().map(|r| r["ok"].as_bool().unwrap()).collect();
        assert_eq!(oks, [true, true, false]);
        assert_eq!(body["results"][2]["errorCode"], json!("not_found"));

        let (status, body) = call(&app, "PUT", &uri, &app.write_token, Some(json!({"status": "risk_accepted", "justification": "Kiosk accounts cannot use MFA", "tenantId": CHERRY}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let detail = get(&app, &uri).await;
        let by_tenant = |id: &str| detail["tenants"].as_array().unwrap().iter().find(|t| t["tenantId"] == id).unwrap().clone();
        assert_eq!((by_tenant(ASPEN)["status"].as_str(), by_tenant(ASPEN)["targetDate"].as_str()), (Some("planned"), Some("2027-01-31")));
        assert_eq!(by_tenant(CHERRY)["justification"], json!("Kiosk accounts cannot use MFA"));
        assert_eq!(by_tenant(CHERRY)["updatedBy"], json!(format!("token:{}:recs-write", 2)));
        let history: Vec<(&str, &str)> = detail["history"].as_array().unwrap().iter().map(|h| (h["tenantId"].as_str().unwrap(), h["toStatus"].as_str().unwrap())).collect();
        assert_eq!(history, [(CHERRY, "risk_accepted"), (BEECH, "planned"), (ASPEN, "planned")]);

        // Risk Accepted leaves the gap figures: Aspen 6 and Beech 10 remain,
        // rise (6 + 5) / 3 = 3.67.
        let page = get(&app, &format!("{BASE}/recommendations")).await;
        let mfa = &page["items"][0];
        assert_eq!((mfa["affectedTenants"].as_u64(), mfa["totalPoints"].as_f64(), mfa["projectedPortfolioRise"].as_f64()), (Some(2), Some(16.0), Some(3.67)));
        assert_eq!((mfa["statusCounts"]["planned"].as_u64(), mfa["statusCounts"]["riskAccepted"].as_u64()), (Some(2), Some(1)));
        assert_eq!(ids(&get(&app, &format!("{BASE}/recommendations?status=risk_accepted")).await), ["Mfa"]);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn sync_completes_and_reopens_tracked_actions() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let uri = format!("{BASE}/recommendations/Mfa/status");
        let (status, body) = call(&app, "PUT", &uri, &app.write_token, Some(json!({"status": "in_progress", "tenantId": ASPEN}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // The next day Aspen's Mfa is at 10 of 10: completed, 6 points gained.
        snapshot(&test_db.db, ASPEN, "2026-04-01", 66.0, 100.0, &[("Mfa", "Identity", 10.0), ("Dlp", "Data", 2.0)]).await;
        let detail = get(&app, &uri).await;
        let aspen = detail["tenants"].as_array().unwrap().iter().find(|t| t["tenantId"] == ASPEN).unwrap().clone();
        assert_eq!((aspen["status"].as_str(), aspen["updatedBy"].as_str(), aspen["regression"].as_bool()), (Some("completed"), Some("sync"), Some(false)), "{}", test_db.label);
        let newest = &detail["history"][0];
        assert_eq!((newest["actor"].as_str(), newest["toStatus"].as_str()), (Some("sync"), Some("completed")));
        assert!(newest["note"].as_str().unwrap().contains("6 points gained"), "{newest}");
        // Aspen no longer has a gap on Mfa.
        let page = get(&app, &format!("{BASE}/recommendations")).await;
        assert_eq!(page["items"][0]["affectedTenants"], json!(2));

        // It falls back to 4: reopened and flagged as a regression.
        snapshot(&test_db.db, ASPEN, "2026-04-02", 60.0, 100.0, &[("Mfa", "Identity", 4.0), ("Dlp", "Data", 2.0)]).await;
        let detail = get(&app, &uri).await;
        let aspen = detail["tenants"].as_array().unwrap().iter().find(|t| t["tenantId"] == ASPEN).unwrap().clone();
        assert_eq!((aspen["status"].as_str(), aspen["regression"].as_bool()), (Some("not_started"), Some(true)));
        assert!(detail["history"][0]["note"].as_str().unwrap().starts_with("Regression"), "{}", detail["history"][0]);
        test_db.finish().await;
    }
}
