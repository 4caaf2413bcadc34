//! Trends, benchmarks, industry ranks and the tenant detail's analytics,
//! through the real router and database. Every expected number is worked
//! out by hand in the comments beside it.

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

const ALDER: &str = "a1000000-0000-4000-8000-000000000001";
const BIRCH: &str = "b2000000-0000-4000-8000-000000000002";
const CEDAR: &str = "c3000000-0000-4000-8000-000000000003";
const DOGWOOD: &str = "d4000000-0000-4000-8000-000000000004";

/// Graph's "no benchmark" marker in every field.
fn minus_one_everywhere() -> Value {
    let entry = |basis: &str| {
        json!({"basis": basis, "averageScore": -1, "identityScore": -1, "identityScoreMax": -1, "dataScore": -1,
               "dataScoreMax": -1, "deviceScore": -1, "deviceScoreMax": -1, "appsScore": -1, "appsScoreMax": -1})
    };
    json!([entry("AllTenants"), entry("TotalSeats")])
}

struct Snapshot {
    day: &'static str,
    current: f64,
    max: f64,
}

async fn add(db: &sea_orm::DatabaseConnection, id: &str, name: &str, industry: &str, days: &[Snapshot], comparative: Value, extra: &[Value], profiles: &str) {
    let tenant_id = TenantId::parse(id).unwrap();
    let input = TenantInput { tenant_id: tenant_id.clone(), display_name: name.into(), industry: Some(industry.into()), excluded: false };
    tenants::upsert(db, input, Utc::now()).await.unwrap();
    let tenant = tenants::find(db, &tenant_id).await.unwrap().unwrap();
    let values: Vec<Value> = days
        .iter()
        .map(|s| {
            let mut controls = vec![json!({"controlName": "AdminMfa", "controlCategory": "Identity", "score": s.current,
                                           "scoreInPercentage": 100.0 * s.current / s.max})];
            controls.extend(extra.iter().cloned());
            json!({"azureTenantId": id, "createdDateTime": format!("{}T00:00:00Z", s.day), "currentScore": s.current,
                   "maxScore": s.max, "averageComparativeScores": comparative, "controlScores": controls})
        })
        .collect();
    let records = parse_secure_scores(json!({ "value": values }).to_string().as_bytes()).unwrap().records;
    let profiles = parse_control_profiles(profiles.as_bytes()).unwrap().profiles;
    ingest_tenant(db, &tenant, &records, Some(&profiles), &[], Utc::now()).await.unwrap();
}

struct Api {
    router: Router,
    read_token: String,
    admin_token: String,
}

/// Four tenants on fixed dates (newest 2026-03-31):
/// - Alder Clinic (Healthcare): 50 % on 03-01, 60 % on 03-31; every benchmark -1.
/// - Birch Care (Healthcare): 30 % on 03-21 and 03-31; an empty benchmark array.
/// - Cedar Law (Legal): 520/1300 = 40 % on 03-01, 560/1300 on 03-15,
///   600/1376 on 03-31; AllTenants 48.1 % (identity 20 of 40), TotalSeats
///   45 %; a Data control whose profile maximum is 0.
/// - Dogwood Bank (Financial Services): 70 % on 03-31; IndustryTypes 61.3 %.
async fn app(test_db: &TestDb) -> Api {
    let db = &test_db.db;
    let no_profiles = r#"{"value": []}"#;
    add(db, ALDER, "Alder Clinic", "Healthcare", &[Snapshot { day: "2026-03-01", current: 50.0, max: 100.0 }, Snapshot { day: "2026-03-31", current: 60.0, max: 100.0 }], minus_one_everywhere(), &[], no_profiles).await;
    add(db, BIRCH, "Birch Care", "healthcare", &[Snapshot { day: "2026-03-21", current: 30.0, max: 100.0 }, Snapshot { day: "2026-03-31", current: 30.0, max: 100.0 }], json!([]), &[], no_profiles).await;
    let cedar_benchmarks = json!([
        {"basis": "AllTenants", "averageScore": 48.1, "identityScore": 20.0, "identityScoreMax": 40.0},
        {"basis": "TotalSeats", "averageScore": 45.0, "SeatSizeRangeLowerValue": "101", "SeatSizeRangeUpperValue": "500"}
    ]);
    let data_control = [json!({"controlName": "DataLossPolicy", "controlCategory": "Data", "score": 0.0})];
    let cedar_profiles = r#"{"value": [{"id": "DataLossPolicy", "title": "Create a DLP policy", "controlCategory": "Data", "maxScore": 0, "controlStateUpdates": []}]}"#;
    add(
        db,
        CEDAR,
        "Cedar Law",
        "Legal",
        &[
            Snapshot { day: "2026-03-01", current: 520.0, max: 1300.0 },
            Snapshot { day: "2026-03-15", current: 560.0, max: 1300.0 },
            Snapshot { day: "2026-03-31", current: 600.0, max: 1376.0 },
        ],
        cedar_benchmarks,
        &data_control,
        cedar_profiles,
    )
    .await;
    add(db, DOGWOOD, "Dogwood Bank", "Financial Services", &[Snapshot { day: "2026-03-31", current: 70.0, max: 100.0 }], json!([{"basis": "IndustryTypes", "averageScore": 61.3}]), &[], no_profiles).await;

    let ctx = AppContext { db: db.clone(), sync: SyncHandle::new(db.clone(), None, SyncSettings::default()), demo: false, login_limiter: Default::default(), alerts: None, demo_sim_url: None };
    let leptos_options = LeptosOptions::builder().output_name("trust-center").build();
    let (read_token, _) = backend::auth::api_tokens::create(db, "analytics-read", TokenScope::Read, None, Utc::now()).await.unwrap();
    let (admin_token, _) = backend::auth::api_tokens::create(db, "analytics-admin", TokenScope::Admin, None, Utc::now()).await.unwrap();
    Api { router: router(AppState { ctx, leptos_options }), read_token, admin_token }
}

async fn call(app: &Api, method: &str, uri: &str, token: &str, body: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request.body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned()))).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

async fn get(app: &Api, uri: &str) -> Value {
    let (status, body) = call(app, "GET", uri, &app.read_token, None).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

fn group<'a>(report: &'a Value, label: &str) -> &'a Value {
    report["groups"].as_array().unwrap().iter().find(|g| g["label"] == label).unwrap_or_else(|| panic!("no group {label}: {report}"))
}

#[tokio::test]
async fn trends_have_gaps_counts_and_the_drift_split() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let body = get(&app, &format!("{BASE}/trends?days=30")).await;
        assert_eq!((body["from"].as_str(), body["to"].as_str()), (Some("2026-03-01"), Some("2026-03-31")), "{}", test_db.label);
        let series = body["series"].as_array().unwrap();
        assert_eq!(series.len(), 31);
        // 03-01: Alder 50 and Cedar 40 -> 45. 03-02: no snapshot at all -> a gap.
        assert_eq!(series[0], json!({"date": "2026-03-01", "average": 45.0, "tenants": 2}));
        assert_eq!(series[1], json!({"date": "2026-03-02", "average": null, "tenants": 0}));
        // 03-15: Cedar 560/1300 = 43.0769 -> 43.08.
        assert_eq!(series[14]["average"], json!(43.08));
        // 03-31: (60 + 30 + 43.6047 + 70) / 4 = 50.9012.
        assert_eq!(series[30], json!({"date": "2026-03-31", "average": 50.9, "tenants": 4}));

        // Alder +10 (all points). Cedar 40 -> 43.6047: +3.6047 = points
        // (600 - 520) / 1376 = +5.8140 and drift 520/1376 - 520/1300 = -2.2093.
        // Birch and Dogwood have nothing 30 days old: no change, not 0.
        assert_eq!((body["tenantsIncluded"].as_u64(), body["tenantsWithChange"].as_u64(), body["tenantsWithoutChange"].as_u64()), (Some(4), Some(2), Some(2)));
        assert_eq!((body["tenantsImproved"].as_u64(), body["tenantsRegressed"].as_u64(), body["tenantsUnchanged"].as_u64()), (Some(2), Some(0), Some(0)));
        // Means: (10 + 3.6047) / 2 = 6.80; (10 + 5.8140) / 2 = 7.91; (0 - 2.2093) / 2 = -1.10.
        assert_eq!((body["portfolioChange"].as_f64(), body["pointsEffect"].as_f64(), body["maxDrift"].as_f64()), (Some(6.8), Some(7.91), Some(-1.1)));
        let cedar = &body["biggestGains"][1];
        assert_eq!(cedar["tenantId"], json!(CEDAR));
        assert_eq!((cedar["change"].as_f64(), cedar["pointsEffect"].as_f64(), cedar["maxDrift"].as_f64()), (Some(3.6), Some(5.81), Some(-2.21)));
        assert_eq!(body["biggestDrops"], json!([]));

        // Seven days: Alder's base is still 03-01 (+10), Birch's is 03-21
        // (unchanged), Cedar's 03-15: 43.6047 - 43.0769 = +0.53.
        let week = get(&app, &format!("{BASE}/trends?days=7")).await;
        assert_eq!((week["tenantsImproved"].as_u64(), week["tenantsUnchanged"].as_u64(), week["tenantsWithoutChange"].as_u64()), (Some(2), Some(1), Some(1)));
        assert_eq!(week["biggestGains"][1]["change"], json!(0.53));
        assert_eq!(week["series"].as_array().unwrap().len(), 8);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn trends_reject_windows_outside_1_to_365() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        for (query, needle) in [("days=0", "days '0'"), ("days=366", "days '366'"), ("days=week", "days 'week'"), ("window=7", "'window'")] {
            let (status, body) = call(&app, "GET", &format!("{BASE}/trends?{query}"), &app.read_token, None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains(needle), "{query}: {body}");
        }
        let year = get(&app, &format!("{BASE}/trends?days=365")).await;
        assert_eq!(year["series"].as_array().unwrap().len(), 366);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn benchmarks_name_the_source_of_every_figure() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let body = get(&app, &format!("{BASE}/benchmarks")).await;
        let labels: Vec<&str> = body["groups"].as_array().unwrap().iter().map(|g| g["label"].as_str().unwrap()).collect();
        // Healthcare has two tenants ("Healthcare" and "healthcare" are one industry).
        assert_eq!(labels, ["Healthcare", "Financial Services", "Legal"], "{}", test_db.label);

        // -1 everywhere and an empty array: no benchmark of any kind.
        let health = group(&body, "Healthcare");
        assert_eq!(health["tenantsWithData"], json!(2));
        // (60 + 30) / 2 = 45; variance ((15)^2 + (15)^2) / 2 = 225; deviation 15.
        assert_eq!((health["portfolioAverage"].as_f64(), health["variance"].as_f64(), health["standardDeviation"].as_f64()), (Some(45.0), Some(225.0), Some(15.0)));
        assert_eq!((health["industryAverage"].clone(), health["industryAverageSource"].as_str()), (Value::Null, Some("none")));
        assert!(health["industryAverageNote"].as_str().unwrap().starts_with("No industry reference"));
        assert_eq!((health["allTenantsAverage"].clone(), health["similarSizeAverage"].clone()), (Value::Null, Value::Null));
        assert_eq!((health["topDecileThreshold"].clone(), health["topDecileSource"].as_str()), (Value::Null, Some("none")));

        // Microsoft's IndustryTypes average wins where Graph sends it.
        let bank = group(&body, "Financial Services");
        assert_eq!((bank["industryAverage"].as_f64(), bank["industryAverageSource"].as_str()), (Some(61.3), Some("microsoft_industry_types")));

        // No industry reference: Microsoft's all-tenants and similar-size averages instead.
        let legal = group(&body, "Legal");
        assert_eq!(legal["industryAverageSource"], json!("none"));
        assert_eq!((legal["allTenantsAverage"].as_f64(), legal["similarSizeAverage"].as_f64()), (Some(48.1), Some(45.0)));
        assert_eq!(legal["portfolioAverage"], json!(43.6));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn admins_set_and_remove_reference_values() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let uri = format!("{BASE}/benchmarks/references/Healthcare");
        let body = r#"{"averageScore": 52.5, "topDecileScore": 70, "source": "Example Security Survey 2026, table 4"}"#;

        let (status, reply) = call(&app, "PUT", &uri, &app.read_token, Some(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");

        let bad = [
            (r#"{"averageScore": 109, "source": "x"}"#, "averageScore '109'"),
            (r#"{"averageScore": 50, "topDecileScore": 40, "source": "x"}"#, "below averageScore"),
            (r#"{"averageScore": 50, "source": "  "}"#, "source is invalid"),
            (r#"{"averageScore": "high", "source": "x"}"#, "not a valid reference value"),
            (r#"{"averageScore": 50, "source": "x", "colour": "red"}"#, "colour"),
        ];
        for (payload, needle) in bad {
            let (status, reply) = call(&app, "PUT", &uri, &app.admin_token, Some(payload)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{payload}: {reply}");
            assert!(reply["error"]["message"].as_str().unwrap().contains(needle), "{payload}: {reply}");
        }

        let (status, reply) = call(&app, "PUT", &uri, &app.admin_token, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        assert_eq!(reply["industry"], json!("Healthcare"));

        let report = get(&app, &format!("{BASE}/benchmarks")).await;
        let health = group(&report, "Healthcare");
        assert_eq!((health["industryAverage"].as_f64(), health["industryAverageSource"].as_str()), (Some(52.5), Some("reference")));
        assert_eq!(health["industryAverageNote"], json!("Reference value: Example Security Survey 2026, table 4"));
        // Two tenants are fewer than ten: the reference's threshold is used.
        assert_eq!((health["topDecileThreshold"].as_f64(), health["topDecileSource"].as_str()), (Some(70.0), Some("reference")));
        assert_eq!(report["references"].as_array().unwrap().len(), 1);

        // The change is in the audit log.
        let (_, audit) = call(&app, "GET", &format!("{BASE}/audit"), &app.admin_token, None).await;
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"benchmark_reference.set"), "{audit}");

        let (status, _) = call(&app, "DELETE", &format!("{BASE}/benchmarks/references/healthcare"), &app.admin_token, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, reply) = call(&app, "DELETE", &uri, &app.admin_token, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{reply}");
        let report = get(&app, &format!("{BASE}/benchmarks")).await;
        assert_eq!(group(&report, "Healthcare")["industryAverageSource"], json!("none"));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn tenant_detail_shows_peers_history_and_quality_notes() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let cedar = get(&app, &format!("{BASE}/tenants/{CEDAR}")).await;
        let snapshot = &cedar["latestSnapshot"];
        // 600 of 1376 is 43.60 %; the peer averageScore 48.1 is already a
        // percentage, not 48.1 points of 1376 (3.5 %).
        assert_eq!(snapshot["percentage"], json!(43.6), "{}", test_db.label);
        let all_tenants = snapshot["peerAverages"].as_array().unwrap().iter().find(|p| p["basis"] == "AllTenants").unwrap();
        assert_eq!(all_tenants["averageScore"], json!(48.1));

        // The Data category's maximum is 0: no percentage, never a division.
        let data = snapshot["categories"].as_array().unwrap().iter().find(|c| c["category"] == "Data").unwrap();
        assert_eq!((data["maxPoints"].as_f64(), data["percentage"].clone()), (Some(0.0), Value::Null));
        let compared: Vec<&Value> = cedar["categoryComparison"].as_array().unwrap().iter().collect();
        let identity = compared.iter().find(|c| c["category"] == "Identity").unwrap();
        // Identity: 600 of 1376 (derived maximum); Microsoft's identity 20 of 40 = 50 %.
        assert_eq!((identity["percentage"].as_f64(), identity["peerAllTenants"].as_f64()), (Some(43.6), Some(50.0)));
        // Portfolio identity: (60 + 30 + 43.6047 + 70) / 4 = 50.90.
        assert_eq!(identity["portfolioAverage"], json!(50.9));
        let data = compared.iter().find(|c| c["category"] == "Data").unwrap();
        assert_eq!((data["percentage"].clone(), data["portfolioAverage"].clone()), (Value::Null, Value::Null));

        // 91 days up to 03-31 with three snapshots; the maximum moved on 03-31.
        let history = cedar["history"].as_array().unwrap();
        assert_eq!(history.len(), 91);
        assert_eq!(history.iter().filter(|p| !p["percentage"].is_null()).count(), 3);
        assert_eq!(history[89]["percentage"], Value::Null);
        assert_eq!(cedar["maxScoreChanges"], json!([{"date": "2026-03-31", "fromMax": 1300.0, "toMax": 1376.0}]));

        let codes = |detail: &Value| -> Vec<String> {
            detail["dataQuality"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap().to_owned()).collect()
        };
        // Fixed dates in March are long past: every tenant is stale.
        assert!(codes(&cedar).contains(&"stale".to_owned()), "{}", cedar["dataQuality"]);
        assert!(!codes(&cedar).contains(&"no_benchmark".to_owned()));
        // -1 everywhere and an empty array both mean "no benchmark".
        for id in [ALDER, BIRCH] {
            let detail = get(&app, &format!("{BASE}/tenants/{id}")).await;
            assert_eq!(detail["latestSnapshot"]["peerAverages"], json!([]));
            assert!(codes(&detail).contains(&"no_benchmark".to_owned()), "{id}: {}", detail["dataQuality"]);
        }
        test_db.finish().await;
    }
}

#[tokio::test]
async fn industry_rank_needs_five_tenants_with_data() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        // Four Retail tenants: no rank yet.
        let retail = ["e5000000-0000-4000-8000-00000000000", "Retail "];
        let percentages = [90.0, 80.0, 80.0, 50.0, 40.0];
        for (index, pct) in percentages.iter().take(4).enumerate() {
            let id = format!("{}{}", retail[0], index + 1);
            add(&test_db.db, &id, &format!("{}{}", retail[1], index + 1), "Retail", &[Snapshot { day: "2026-03-31", current: *pct, max: 100.0 }], json!([]), &[], r#"{"value": []}"#).await;
        }
        let rows = get(&app, &format!("{BASE}/tenants?industry=retail")).await;
        assert!(rows["items"].as_array().unwrap().iter().all(|r| r["industryRank"].is_null()), "{rows}");

        let id = format!("{}5", retail[0]);
        add(&test_db.db, &id, "Retail 5", "Retail", &[Snapshot { day: "2026-03-31", current: percentages[4], max: 100.0 }], json!([]), &[], r#"{"value": []}"#).await;
        let rows = get(&app, &format!("{BASE}/tenants?industry=retail&sort=percentage&order=desc")).await;
        let ranks: Vec<(Value, Value, Value)> = rows["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["industryPosition"].clone(), r["industryRank"].clone(), r["industryRankLabel"].clone()))
            .collect();
        // 90, 80, 80, 50, 40: positions 1, 2, 2, 4, 5 of 5; 1/5 = Top 20%;
        // 2/5 = Top 40%; 4 of 5 is the lower half: (5 - 4 + 1) / 5 = Bottom 40%.
        assert_eq!(ranks, [
            (json!(1), json!(20.0), json!("Top 20%")),
            (json!(2), json!(40.0), json!("Top 40%")),
            (json!(2), json!(40.0), json!("Top 40%")),
            (json!(4), json!(80.0), json!("Bottom 40%")),
            (json!(5), json!(100.0), json!("Bottom 20%")),
        ]);
        // The detail page gives the same rank.
        let detail = get(&app, &format!("{BASE}/tenants/{id}")).await;
        assert_eq!(detail["tenant"]["industryRankLabel"], json!("Bottom 20%"));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn excluded_tenants_leave_trends_and_benchmarks() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let dogwood = TenantInput {
            tenant_id: TenantId::parse(DOGWOOD).unwrap(),
            display_name: "Dogwood Bank".into(),
            industry: Some("Financial Services".into()),
            excluded: true,
        };
        tenants::upsert(&test_db.db, dogwood, Utc::now()).await.unwrap();

        let trends = get(&app, &format!("{BASE}/trends?days=30")).await;
        // 03-31 without Dogwood: (60 + 30 + 43.6047) / 3 = 44.5349.
        assert_eq!(trends["series"][30], json!({"date": "2026-03-31", "average": 44.53, "tenants": 3}), "{}", test_db.label);
        assert_eq!(trends["tenantsIncluded"], json!(3));

        let benchmarks = get(&app, &format!("{BASE}/benchmarks")).await;
        let labels: Vec<&str> = benchmarks["groups"].as_array().unwrap().iter().map(|g| g["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["Healthcare", "Legal"]);
        assert_eq!(benchmarks["tenantsIncluded"], json!(3));
        test_db.finish().await;
    }
}
