//! CSV exports through the real router: RFC 4180 quoting that a CSV parser
//! reads back, neutralised formula cells, file names and errors.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
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
use serde_json::json;
use server::router::router;
use server::state::AppState;
use tower::ServiceExt;

const BASE: &str = "/api/addons/trust-center/security-score";
const FORMULA: &str = "a1000000-0000-4000-8000-0000000000f1";
const QUOTED: &str = "a1000000-0000-4000-8000-0000000000f2";
const KANJI: &str = "a1000000-0000-4000-8000-0000000000f3";
const GREEK: &str = "a1000000-0000-4000-8000-0000000000f4";

/// The one action every tenant has, with a maximum of 100 points.
const PROFILES: &str = r#"{"value": [{"id": "AdminMfa", "title": "Require MFA for administrative roles", "controlCategory": "Identity", "maxScore": 100, "implementationCost": "Low", "userImpact": "Low", "controlStateUpdates": []}]}"#;

async fn add(db: &sea_orm::DatabaseConnection, id: &str, name: &str, current: f64) {
    let tenant_id = TenantId::parse(id).unwrap();
    let input = TenantInput { tenant_id: tenant_id.clone(), display_name: name.into(), industry: Some("Legal".into()), excluded: false };
    tenants::upsert(db, input, Utc::now()).await.unwrap();
    let tenant = tenants::find(db, &tenant_id).await.unwrap().unwrap();
    let body = json!({"value": [{"azureTenantId": id, "createdDateTime": "2026-03-31T00:00:00Z", "currentScore": current, "maxScore": 100.0,
        "controlScores": [{"controlName": "AdminMfa", "controlCategory": "Identity", "score": current, "scoreInPercentage": current,
                           "implementationStatus": "=cmd|' /C calc'!A0"}]}]});
    let records = parse_secure_scores(body.to_string().as_bytes()).unwrap().records;
    let profiles = parse_control_profiles(PROFILES.as_bytes()).unwrap().profiles;
    ingest_tenant(db, &tenant, &records, Some(&profiles), &[], Utc::now()).await.unwrap();
}

struct Api {
    router: Router,
    read_token: String,
    write_token: String,
}

async fn app(test_db: &TestDb) -> Api {
    let db = &test_db.db;
    add(db, FORMULA, "=HYPERLINK(\"http://evil.example\",\"x\")", 40.0).await;
    add(db, QUOTED, "Smith, \"Jr\" & Partners", 60.5).await;
    add(db, KANJI, "東京クリニック", 80.0).await;
    add(db, GREEK, "Αθηνά #1 $Clinic* «Москва»", 55.25).await;
    let ctx = AppContext { db: db.clone(), sync: SyncHandle::new(db.clone(), None, SyncSettings::default()), demo: false, login_limiter: Default::default(), alerts: None, demo_sim_url: None };
    let leptos_options = LeptosOptions::builder().output_name("trust-center").build();
    let (read_token, _) = backend::auth::api_tokens::create(db, "export-read", TokenScope::Read, None, Utc::now()).await.unwrap();
    let (write_token, _) = backend::auth::api_tokens::create(db, "export-write", TokenScope::ReadWrite, None, Utc::now()).await.unwrap();
    Api { router: router(AppState { ctx, leptos_options }), read_token, write_token }
}

async fn get(app: &Api, query: &str, token: &str) -> (StatusCode, Option<String>, Option<String>, String) {
    let request = Request::get(format!("{BASE}/reports/export?{query}")).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let header_text = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (kind, disposition) = (header_text(header::CONTENT_TYPE), header_text(header::CONTENT_DISPOSITION));
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, kind, disposition, String::from_utf8(bytes.to_vec()).unwrap())
}

fn parse(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn comparison_csv_round_trips_through_a_parser() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, kind, disposition, body) = get(&app, "format=csv&scope=portfolio", &app.write_token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(kind.as_deref(), Some("text/csv; charset=utf-8"));
        let today = Utc::now().date_naive();
        assert_eq!(disposition, Some(format!("attachment; filename=\"secure-score-comparison-{today}.csv\"")));

        let rows = parse(&body);
        assert_eq!(rows[0][..6], ["tenantId", "displayName", "industry", "currentScore", "maxScore", "percentage"], "{}", test_db.label);
        // Highest percentage first: 80, 60.5, 40.
        let names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
        assert_eq!(names, ["東京クリニック", "Smith, \"Jr\" & Partners", "Αθηνά #1 $Clinic* «Москва»", "'=HYPERLINK(\"http://evil.example\",\"x\")"]);
        assert_eq!((rows[2][0].as_str(), rows[2][5].as_str()), (QUOTED, "60.5"));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn tenant_controls_csv_neutralises_formulas() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, _, disposition, body) = get(&app, &format!("format=csv&scope=tenant&tenantId={QUOTED}"), &app.write_token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(disposition.unwrap().contains("secure-score-smith-jr-partners-controls-"), "{}", test_db.label);
        let rows = parse(&body);
        assert_eq!(rows[0], ["controlName", "title", "category", "score", "maxScore", "implementationStatus", "lastSynced"]);
        assert_eq!(rows[1][0], "AdminMfa");
        assert_eq!(rows[1][5], "'=cmd|' /C calc'!A0");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn export_errors_name_the_value() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, _, _, _) = get(&app, "format=csv&scope=portfolio", &app.read_token).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let cases = [
            ("scope=portfolio", StatusCode::BAD_REQUEST, "format is missing"),
            ("format=xlsx&scope=portfolio", StatusCode::BAD_REQUEST, "format 'xlsx'"),
            ("format=pdf&scope=portfolio&dataset=trends", StatusCode::BAD_REQUEST, "dataset is only valid with format=csv"),
            ("format=pdf&scope=tenant", StatusCode::BAD_REQUEST, "tenantId is missing"),
            (&format!("format=pdf&scope=tenant&tenantId={QUOTED}&created=yesterday"), StatusCode::BAD_REQUEST, "created 'yesterday'"),
            ("format=csv", StatusCode::BAD_REQUEST, "scope is missing"),
            ("format=csv&scope=world", StatusCode::BAD_REQUEST, "scope 'world'"),
            ("format=csv&scope=tenant", StatusCode::BAD_REQUEST, "tenantId is missing"),
            (&format!("format=csv&scope=portfolio&tenantId={QUOTED}"), StatusCode::BAD_REQUEST, "only valid with scope=tenant"),
            ("format=csv&scope=portfolio&dataset=controls", StatusCode::BAD_REQUEST, "dataset 'controls'"),
            ("format=csv&scope=tenant&tenantId=ffffffff-0000-4000-8000-000000000009", StatusCode::NOT_FOUND, "ffffffff-0000-4000-8000-000000000009"),
        ];
        for (query, expected, needle) in cases {
            let (status, _, _, body) = get(&app, query, &app.write_token).await;
            assert_eq!(status, expected, "{query}: {body}");
            assert!(body.contains(needle), "{query}: {body}");
        }
        let (status, _, _, body) = get(&app, "format=csv&scope=portfolio&dataset=trends&days=7", &app.write_token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(parse(&body).len(), 1 + 8, "a header and eight days");
        test_db.finish().await;
    }
}

/// Extracts the text of a PDF with poppler's pdftotext.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("tc-report-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext is missing: scripts/setup.sh --e2e installs Debian's poppler-utils");
    std::fs::remove_dir_all(&dir).ok();
    String::from_utf8(output.stdout).unwrap()
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
}

async fn get_bytes(app: &Api, query: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let request = Request::get(format!("{BASE}/reports/export?{query}")).header("authorization", format!("Bearer {}", app.write_token)).body(Body::empty()).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let disposition = response.headers().get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, disposition, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn tenant_pdf_prints_names_literally() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, disposition, pdf) = get_bytes(&app, &format!("format=pdf&scope=tenant&tenantId={GREEK}&created=2026-12-01")).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
        assert!(pdf.starts_with(b"%PDF-"), "{}", test_db.label);
        assert!(disposition.unwrap().contains("secure-score-report-"));
        let text = pdf_text(&pdf);
        // Typst-special characters and Greek and Cyrillic letters print as written.
        assert!(text.contains("Αθηνά #1 $Clinic* «Москва»"), "{text}");
        // 55.25 of 100 points: 55.3 %; the open action has 100 - 55.25 = 44.75 points.
        assert!(text.contains("55.3 %"), "{text}");
        assert!(text.contains("Require MFA for administrative roles"), "{text}");
        assert!(text.contains("44.75"), "{text}");
        // The compliance section and its disclaimer close the report;
        // AdminMfa is not a mapped control id.
        assert!(text.contains("Compliance correlation"), "{text}");
        assert!(text.contains("Supporting evidence, not proof."), "{text}");
        assert!(text.contains("scored actions is mapped to a framework control"), "{text}");

        // Japanese prints with the embedded CJK font.
        let (status, _, japanese) = get_bytes(&app, &format!("format=pdf&scope=tenant&tenantId={KANJI}")).await;
        assert_eq!(status, StatusCode::OK);
        let japanese = pdf_text(&japanese);
        assert!(japanese.contains("東京クリニック"), "{japanese}");

        // The same data and creation date give the same file.
        let (_, _, again) = get_bytes(&app, &format!("format=pdf&scope=tenant&tenantId={GREEK}&created=2026-12-01")).await;
        assert_eq!(pdf, again, "rendering is deterministic");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn portfolio_pdf_lists_every_tenant() {
    for test_db in testing::databases().await {
        let app = app(&test_db).await;
        let (status, _, pdf) = get_bytes(&app, "format=pdf&scope=portfolio").await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
        let text = pdf_text(&pdf);
        assert!(text.contains("Portfolio Secure Score report"), "{text}");
        assert!(text.contains("Smith, \"Jr\" & Partners"), "{text}");
        assert!(text.contains("=HYPERLINK(\"http://evil.example\",\"x\")"), "{text}");
        // (40 + 60.5 + 80 + 55.25) / 4 = 58.9375: 58.9 %.
        assert!(text.contains("58.9 %"), "{text}");
        test_db.finish().await;
    }
}
