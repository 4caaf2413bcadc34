//! The alerts REST API through the real router and database: configuring
//! thresholds and channels (and rejecting bad values without storing
//! anything), listing alerts with their cause, acknowledging and snoozing.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use backend::auth::crypto::SecretKey;
use backend::graph::wire::parse_secure_scores;
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
const KEY_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const ELM: &str = "e5000000-0000-4000-8000-000000000005";
const TEAMS_URL: &str = "https://contoso.webhook.office.com/webhookb2/SECRET-PATH-1234";
const SIGNING_SECRET: &str = "a-signing-secret-of-some-length";

struct Api {
    router: Router,
    db: sea_orm::DatabaseConnection,
    read_token: String,
    admin_token: String,
}

/// Elm Dental: 80 of 100 on 2026-03-01 and 72 of 100 on 2026-03-08. The
/// control AdminMfa fell from 10 to 2 points; AuditLog kept its 70.
async fn app(test_db: &TestDb) -> Api {
    let db = &test_db.db;
    let id = TenantId::parse(ELM).unwrap();
    let input = TenantInput { tenant_id: id.clone(), display_name: "Elm Dental".into(), industry: None, excluded: false };
    tenants::upsert(db, input, Utc::now()).await.unwrap();
    let tenant = tenants::find(db, &id).await.unwrap().unwrap();
    let day = |date: &str, current: f64, mfa: f64| {
        json!({"azureTenantId": ELM, "createdDateTime": format!("{date}T03:00:00Z"), "currentScore": current, "maxScore": 100.0,
               "averageComparativeScores": [], "controlScores": [
                   {"controlName": "AdminMfa", "controlCategory": "Identity", "score": mfa},
                   {"controlName": "AuditLog", "controlCategory": "Data", "score": 70.0}]})
    };
    let body = json!({"value": [day("2026-03-08", 72.0, 2.0), day("2026-03-01", 80.0, 10.0)]});
    let records = parse_secure_scores(body.to_string().as_bytes()).unwrap().records;
    ingest_tenant(db, &tenant, &records, None, &[], Utc::now()).await.unwrap();

    let key = SecretKey::load(Some(KEY_HEX), std::path::Path::new("/nonexistent/key")).unwrap();
    let notifier = backend::alerts::Notifier::new(db.clone(), key, None, None).unwrap();
    let ctx = AppContext {
        db: db.clone(),
        sync: SyncHandle::new(db.clone(), None, SyncSettings::default()),
        demo: false,
        login_limiter: Default::default(),
        alerts: Some(notifier),
        demo_sim_url: None,
    };
    let leptos_options = LeptosOptions::builder().output_name("trust-center").build();
    let (read_token, _) = backend::auth::api_tokens::create(db, "alerts-read", TokenScope::Read, None, Utc::now()).await.unwrap();
    let (admin_token, _) = backend::auth::api_tokens::create(db, "alerts-admin", TokenScope::Admin, None, Utc::now()).await.unwrap();
    Api { router: router(AppState { ctx, leptos_options }), db: db.clone(), read_token, admin_token }
}

async fn call(app: &Api, method: &str, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value, String) {
    let mut request = Request::builder().method(method).uri(format!("{BASE}/{uri}")).header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), text)
}

/// Evaluates Elm Dental's rules as of 2026-03-08 09:00 UTC, six hours after
/// its newest snapshot (not stale).
async fn evaluate(app: &Api) -> backend::alerts::Evaluation {
    let pk = tenants::find(&app.db, &TenantId::parse(ELM).unwrap()).await.unwrap().unwrap().id;
    backend::alerts::evaluate_tenant(&app.db, pk, "2026-03-08T09:00:00Z".parse().unwrap()).await.unwrap()
}

#[tokio::test]
async fn bad_configuration_is_rejected_by_field_and_stores_nothing() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let cases = [
            (json!({"defaults": {"baseline": 101}}), "defaults.baseline: 101 is outside 0-100"),
            (json!({"defaults": {"dropPoints": -2}}), "defaults.dropPoints: -2 is outside 0-100"),
            (json!({"defaults": {"disabledTypes": ["score_dip"]}}), "defaults.disabledTypes[0]: 'score_dip' is not an alert type"),
            (
                json!({"defaults": {"baseline": 70}, "channels": [{"name": "SOC", "type": "teams", "url": "hooks.example.com/x"}]}),
                "channels[0].url: 'hooks.example.com/x' is not a valid URL",
            ),
            (json!({"channels": [{"name": "SOC", "type": "pager", "url": TEAMS_URL}]}), "channels[0].type: 'pager' is not a channel type"),
            (json!({"channels": [{"name": "SOC", "type": "teams", "url": TEAMS_URL, "alertTypes": ["drop"]}]}), "channels[0].alertTypes[0]: 'drop' is not an alert type"),
            (json!({"channels": [{"name": "Hook", "type": "webhook", "url": "https://psa.example/hook", "secret": "short"}]}), "channels[0].secret: the signing secret has 5 characters"),
            (json!({"channels": [{"name": "Mail", "type": "email", "recipients": ["ops@msp.example", "not-an-address"]}]}), "channels[0].recipients[1]: 'not-an-address' is not an e-mail address"),
            (json!({"tenantOverrides": [{"tenantId": "f6000000-0000-4000-8000-000000000006", "thresholds": {"baseline": 50}}]}), "tenantOverrides[0].tenantId: tenant f6000000-0000-4000-8000-000000000006 is not registered"),
            (json!({"defaults": {"baseline": 70}, "sendTo": "me"}), "unknown field `sendTo`"),
        ];
        for (body, expected) in cases {
            let (status, reply, _) = call(&app, "POST", "alerts", &app.admin_token, Some(body.clone())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {body} -> {reply}", test_db.label);
            assert_eq!(reply["error"]["code"], "invalid_parameter");
            let message = reply["error"]["message"].as_str().unwrap();
            assert!(message.contains(expected), "{}: {body}: expected '{expected}' in '{message}'", test_db.label);
        }
        // The first case that held a valid part (baseline 70) stored nothing.
        let (status, rules, _) = call(&app, "GET", "alerts/rules", &app.read_token, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(rules["defaults"]["baseline"], 60.0);
        assert_eq!(rules["channels"], json!([]));
        // Only admins configure.
        let (status, _, _) = call(&app, "POST", "alerts", &app.read_token, Some(json!({"defaults": {"baseline": 70}}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn configuration_round_trips_without_revealing_secrets() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let body = json!({
            "defaults": {"baseline": 70, "milestones": [95, 75]},
            "tenantOverrides": [{"tenantId": ELM.to_uppercase(), "thresholds": {"dropPoints": 3, "disabledTypes": ["stale_data"]}}],
            "channels": [
                {"name": "SOC Teams", "type": "teams", "url": TEAMS_URL, "alertTypes": ["score_drop", "sync_failing"], "minSeverity": "warning"},
                {"name": "PSA", "type": "webhook", "url": "https://psa.example/hooks/42?key=abc", "secret": SIGNING_SECRET, "tenantIds": [ELM]},
            ],
        });
        let (status, _, text) = call(&app, "POST", "alerts", &app.admin_token, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{}: {text}", test_db.label);
        let (status, rules, text) = call(&app, "GET", "alerts/rules", &app.read_token, None).await;
        assert_eq!(status, StatusCode::OK);
        for secret in ["SECRET-PATH-1234", SIGNING_SECRET, "key=abc", "hooks/42"] {
            assert!(!text.contains(secret), "{}: GET alerts/rules reveals {secret}: {text}", test_db.label);
        }
        assert_eq!(rules["defaults"]["baseline"], 70.0);
        assert_eq!(rules["defaults"]["dropPoints"], 5.0, "fields left out keep their values");
        assert_eq!(rules["defaults"]["milestones"], json!([75.0, 95.0]));
        let elm = &rules["tenantOverrides"][0];
        assert_eq!(elm["tenantId"], ELM);
        assert_eq!(elm["overrides"], json!({"dropPoints": 3.0, "disabledTypes": ["stale_data"]}));
        assert_eq!(elm["effective"]["dropPoints"], 3.0);
        assert_eq!(elm["effective"]["baseline"], 70.0, "inherited from the portfolio defaults");
        let channels = rules["channels"].as_array().unwrap();
        assert_eq!(channels[0]["name"], "PSA");
        assert_eq!(channels[0]["target"], "https://psa.example/…");
        assert_eq!(channels[0]["tenantIds"], json!([ELM]));
        assert_eq!(channels[1]["name"], "SOC Teams");
        assert_eq!(channels[1]["type"], "teams");
        assert_eq!(channels[1]["target"], "https://contoso.webhook.office.com/…");
        assert_eq!(channels[1]["alertTypes"], json!(["score_drop", "sync_failing"]));
        assert_eq!(channels[1]["minSeverity"], "warning");

        // Changing a channel's filter keeps its URL; removing the override
        // and a channel takes effect at once.
        let change = json!({"channels": [{"name": "SOC Teams", "minSeverity": "critical"}], "tenantOverrides": [{"tenantId": ELM, "thresholds": null}], "removeChannels": ["PSA"]});
        let (status, rules, text) = call(&app, "POST", "alerts", &app.admin_token, Some(change)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_eq!(rules["tenantOverrides"], json!([]));
        assert_eq!(rules["channels"].as_array().unwrap().len(), 1);
        assert_eq!(rules["channels"][0]["minSeverity"], "critical");
        assert_eq!(rules["channels"][0]["target"], "https://contoso.webhook.office.com/…");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn drop_alert_lists_its_cause_and_can_be_snoozed_and_acknowledged() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let first = evaluate(&app).await;
        assert_eq!((first.opened, first.resolved), (1, 0), "{}", test_db.label);
        let again = evaluate(&app).await;
        assert_eq!((again.opened, again.kept, again.resolved), (0, 1, 0), "{}: re-evaluating opens nothing new", test_db.label);

        let (status, page, text) = call(&app, "GET", "alerts", &app.read_token, None).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_eq!(page["total"], 1);
        let alert = &page["items"][0];
        assert_eq!(alert["type"], "score_drop");
        assert_eq!(alert["severity"], "critical");
        assert_eq!(alert["tenantName"], "Elm Dental");
        // 80 % -> 72 %: -8 points, all lost points (the maximum stayed 100).
        assert_eq!(alert["cause"]["change"], -8.0);
        assert_eq!(alert["cause"]["pointsEffect"], -8.0);
        assert_eq!(alert["cause"]["maxDrift"], 0.0);
        assert_eq!(alert["cause"]["lostControls"], json!([{"controlName": "AdminMfa", "fromScore": 10.0, "toScore": 2.0}]));
        assert_eq!(
            alert["message"],
            "Secure Score fell 8.0 points (80.0 % on 2026-03-01 to 72.0 % on 2026-03-08): -8.0 from lost points, +0.0 from maximum-score drift."
        );
        let id = alert["id"].as_i64().unwrap();

        let (status, reply, _) = call(&app, "POST", &format!("alerts/{id}/action"), &app.admin_token, Some(json!({"action": "snooze", "hours": 0}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(reply["error"]["message"], "hours: 0 is out of range; send 1 to 720");
        let (status, _, _) = call(&app, "POST", &format!("alerts/{id}/action"), &app.read_token, Some(json!({"action": "acknowledge"}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a read token cannot change alerts");
        let (status, reply, _) = call(&app, "POST", &format!("alerts/{id}/action"), &app.admin_token, Some(json!({"action": "snooze", "hours": 24}))).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        assert!(reply["snoozedUntil"].is_string());
        let (status, reply, _) = call(&app, "POST", &format!("alerts/{id}/action"), &app.admin_token, Some(json!({"action": "acknowledge"}))).await;
        assert_eq!(status, StatusCode::OK);
        let by = reply["acknowledgedBy"].as_str().unwrap();
        assert!(by.starts_with("token:"), "{by}");
        assert!(by.ends_with(":alerts-admin"), "{by}");
        assert_eq!(reply["status"], "open", "acknowledging keeps the alert open until its condition clears");

        let (status, reply, _) = call(&app, "GET", "alerts/abc", &app.read_token, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(reply["error"]["message"].as_str().unwrap().starts_with("alert id 'abc' is invalid"));
        let (status, _, _) = call(&app, "GET", "alerts/999999", &app.read_token, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, reply, _) = call(&app, "GET", "alerts?status=closed", &app.read_token, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(reply["error"]["message"], "status 'closed' is invalid: use open, resolved or all");
        let (status, page, _) = call(&app, "GET", "alerts?status=resolved", &app.read_token, None).await;
        assert_eq!((status, page["total"].as_u64()), (StatusCode::OK, Some(0)));
        test_db.finish().await;
    }
}
