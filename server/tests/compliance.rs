//! `GET compliance` through the real router and database, with coverage
//! worked out by hand from the shipped mapping (backend/compliance/mapping.json).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use backend::graph::wire::{parse_control_profiles, parse_secure_scores};
use backend::store::ingest::ingest_tenant;
use backend::store::tenants::{self, TenantInput};
use backend::sync::{SyncHandle, SyncSettings};
use backend::testing;
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
const OAK: &str = "0a100000-0000-4000-8000-000000000010";

/// Oak Dental on 2026-03-08:
/// - AdminMFAV2 10 of 10 (satisfied);
/// - BlockLegacyAuthentication 0 of 8 (open);
/// - exo_mailboxaudit 3 of 6 (partial);
/// - mdo_safeattachments 0 of 8, Ignored at Microsoft (risk accepted);
/// - intune_mobile_device_encryption 0 of 5, ThirdParty at Microsoft (satisfied);
/// - CustomLocalCheck 1 of 2, which the mapping does not cover.
async fn seed(db: &sea_orm::DatabaseConnection) {
    let id = TenantId::parse(OAK).unwrap();
    let input = TenantInput { tenant_id: id.clone(), display_name: "Oak Dental".into(), industry: None, excluded: false };
    tenants::upsert(db, input, Utc::now()).await.unwrap();
    let tenant = tenants::find(db, &id).await.unwrap().unwrap();
    let controls = [
        ("AdminMFAV2", 10.0, 10.0, "Default"),
        ("BlockLegacyAuthentication", 0.0, 8.0, "Default"),
        ("exo_mailboxaudit", 3.0, 6.0, "Default"),
        ("mdo_safeattachments", 0.0, 8.0, "Ignored"),
        ("intune_mobile_device_encryption", 0.0, 5.0, "ThirdParty"),
        ("CustomLocalCheck", 1.0, 2.0, "Default"),
    ];
    let scores: Vec<Value> = controls.iter().map(|(id, score, _, _)| json!({"controlName": id, "controlCategory": "Identity", "score": score})).collect();
    let record = json!({"value": [{"azureTenantId": OAK, "createdDateTime": "2026-03-08T02:00:00Z", "currentScore": 14.0, "maxScore": 39.0,
        "controlScores": scores}]});
    let profiles: Vec<Value> = controls
        .iter()
        .map(|(id, _, max, state)| {
            json!({"id": id, "title": format!("Title of {id}"), "maxScore": max,
                   "controlStateUpdates": [{"state": state, "updatedDateTime": "2026-03-01T00:00:00Z"}]})
        })
        .collect();
    let records = parse_secure_scores(record.to_string().as_bytes()).unwrap().records;
    let profiles = parse_control_profiles(json!({"value": profiles}).to_string().as_bytes()).unwrap().profiles;
    ingest_tenant(db, &tenant, &records, Some(&profiles), &[], Utc::now()).await.unwrap();
}

#[tokio::test]
async fn coverage_follows_the_control_scores() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        seed(db).await;
        let ctx = AppContext {
            db: db.clone(),
            sync: SyncHandle::new(db.clone(), None, SyncSettings::default()),
            demo: false,
            login_limiter: Default::default(),
            alerts: None,
            demo_sim_url: None,
        };
        let app = router(AppState { ctx, leptos_options: LeptosOptions::builder().output_name("trust-center").build() });
        let (token, _) = backend::auth::api_tokens::create(db, "compliance", TokenScope::Read, None, Utc::now()).await.unwrap();
        let get = |uri: String| {
            let app = app.clone();
            let token = token.clone();
            async move {
                let request = Request::builder().uri(uri).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
                let response = app.oneshot(request).await.unwrap();
                let status = response.status();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                (status, serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null))
            }
        };

        let (status, body) = get(format!("{BASE}/compliance?tenant={OAK}")).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", test_db.label);
        assert!(body["disclaimer"].as_str().unwrap().contains("does not prove compliance"));
        let coverage = |framework: &str| {
            body["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == framework).unwrap()["coverage"].clone()
        };
        // SOC 2: CC6.1 <- AdminMFAV2 (satisfied), BlockLegacyAuthentication
        // (open), intune (third party): partial. CC7.2 <- mailbox audit:
        // partial. CC6.8 <- Safe Attachments: risk accepted.
        assert_eq!(coverage("soc2"), json!({"controls": 3, "satisfied": 0, "partial": 2, "open": 0, "riskAccepted": 1}));
        // HIPAA: 164.312(d) partial, 164.312(b) partial,
        // 164.308(a)(5)(ii)(B) risk accepted, 164.312(a)(2)(iv) satisfied.
        assert_eq!(coverage("hipaa"), json!({"controls": 4, "satisfied": 1, "partial": 2, "open": 0, "riskAccepted": 1}));
        // NIST SP 800-53: IA-2(1) satisfied, IA-2 open, AU-12 partial,
        // SI-3 risk accepted, AC-19(5) satisfied.
        assert_eq!(coverage("nist80053"), json!({"controls": 5, "satisfied": 2, "partial": 1, "open": 1, "riskAccepted": 1}));
        // CMMC 2.0 Level 2: IA.L2-3.5.3 partial (MFA satisfied, legacy
        // authentication open), AU.L2-3.3.1 partial, SI.L2-3.14.2 risk
        // accepted, AC.L2-3.1.19 satisfied.
        assert_eq!(coverage("cmmc2"), json!({"controls": 4, "satisfied": 1, "partial": 2, "open": 0, "riskAccepted": 1}));
        // ISO/IEC 27001:2022: A.8.5 partial, A.8.15 partial, A.8.7 risk
        // accepted, A.8.1 satisfied.
        assert_eq!(coverage("iso27001"), json!({"controls": 4, "satisfied": 1, "partial": 2, "open": 0, "riskAccepted": 1}));
        // CIS: only 5.2.2.1 (admin MFA) among this tenant's actions.
        assert_eq!(coverage("cis_m365"), json!({"controls": 1, "satisfied": 1, "partial": 0, "open": 0, "riskAccepted": 0}));
        assert_eq!(body["unmappedActions"], json!([{"controlId": "CustomLocalCheck", "title": "Title of CustomLocalCheck"}]));

        let soc2 = body["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "soc2").unwrap();
        let cc61 = soc2["controls"].as_array().unwrap().iter().find(|c| c["control"] == "CC6.1").unwrap();
        assert_eq!(cc61["state"], "partial");
        let states: Vec<(String, String)> = cc61["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["controlId"].as_str().unwrap().to_owned(), a["state"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(states, [
            ("AdminMFAV2".to_owned(), "satisfied".to_owned()),
            ("BlockLegacyAuthentication".to_owned(), "open".to_owned()),
            ("intune_mobile_device_encryption".to_owned(), "satisfied".to_owned()),
        ]);
        assert!(cc61["source"].as_str().unwrap().starts_with("https://"));

        // Recommendations carry the frameworks of each action and filter on
        // them. Open here: BlockLegacyAuthentication, exo_mailboxaudit and
        // CustomLocalCheck (the Ignored and ThirdParty actions are closed).
        let (status, page) = get(format!("{BASE}/recommendations")).await;
        assert_eq!(status, StatusCode::OK);
        let frameworks = |page: &Value, id: &str| page["items"].as_array().unwrap().iter().find(|i| i["id"] == id).map(|i| i["frameworks"].clone());
        assert_eq!(frameworks(&page, "BlockLegacyAuthentication"), Some(json!(["soc2", "hipaa", "cmmc2", "nist800171", "nist80053", "iso27001"])));
        assert_eq!(frameworks(&page, "CustomLocalCheck"), Some(json!([])));
        let (status, filtered) = get(format!("{BASE}/recommendations?framework=soc2")).await;
        assert_eq!(status, StatusCode::OK);
        let mut ids: Vec<&str> = filtered["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["BlockLegacyAuthentication", "exo_mailboxaudit"]);
        let (status, body) = get(format!("{BASE}/recommendations?framework=pci")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["error"]["message"].as_str().unwrap().starts_with("framework 'pci' is invalid"));

        let (status, body) = get(format!("{BASE}/compliance")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["error"]["message"].as_str().unwrap().starts_with("tenant is missing"));
        let (status, _) = get(format!("{BASE}/compliance?tenant=f6000000-0000-4000-8000-000000000006")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        test_db.finish().await;
    }
}

async fn call(app: &axum::Router, method: &str, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn fresh_router(db: &sea_orm::DatabaseConnection) -> axum::Router {
    let ctx = AppContext {
        db: db.clone(),
        sync: SyncHandle::new(db.clone(), None, SyncSettings::default()),
        demo: false,
        login_limiter: Default::default(),
        alerts: None,
        demo_sim_url: None,
    };
    router(AppState { ctx, leptos_options: LeptosOptions::builder().output_name("trust-center").build() })
}

#[tokio::test]
async fn overrides_change_coverage_and_survive_a_reload() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        seed(db).await;
        let (admin, _) = backend::auth::api_tokens::create(db, "compliance-admin", TokenScope::Admin, None, Utc::now()).await.unwrap();
        let (reader, _) = backend::auth::api_tokens::create(db, "compliance-read", TokenScope::Read, None, Utc::now()).await.unwrap();
        let app = fresh_router(db);
        let overrides = format!("{BASE}/compliance/overrides");
        let add = json!({"controlId": "CustomLocalCheck", "framework": "soc2", "control": "CC7.2",
                         "source": "https://www.aicpa-cima.com/resources/download/get-the-2017-trust-services-criteria", "kind": "add"});
        let (status, _) = call(&app, "PUT", &overrides, &reader, Some(add.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only admins change the mapping");
        let (status, body) = call(&app, "PUT", &overrides, &admin, Some(json!({"controlId": "X", "framework": "pci", "control": "1", "kind": "add"}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["error"]["message"].as_str().unwrap().starts_with("framework: 'pci' is not a framework"), "{body}");
        let (status, _) = call(&app, "PUT", &overrides, &admin, Some(add)).await;
        assert_eq!(status, StatusCode::OK);
        let remove = json!({"controlId": "AdminMFAV2", "framework": "nist80053", "control": "IA-2(1)", "kind": "remove"});
        let (status, mapping) = call(&app, "PUT", &overrides, &admin, Some(remove)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(mapping["overrides"].as_array().unwrap().len(), 2);

        // A restart reads the shipped file again; the stored overrides still apply.
        let reloaded = fresh_router(db);
        let (status, body) = call(&reloaded, "GET", &format!("{BASE}/compliance?tenant={OAK}"), &reader, None).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", test_db.label);
        let framework = |id: &str| body["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == id).unwrap().clone();
        // NIST SP 800-53 without IA-2(1): IA-2 open, AU-12 partial, SI-3 risk
        // accepted, AC-19(5) satisfied.
        assert_eq!(framework("nist80053")["coverage"], json!({"controls": 4, "satisfied": 1, "partial": 1, "open": 1, "riskAccepted": 1}));
        // SOC 2 CC7.2 now rests on mailbox auditing (3 of 6) and
        // CustomLocalCheck (1 of 2): partial, and the check is mapped.
        let soc2 = framework("soc2");
        let cc72 = soc2["controls"].as_array().unwrap().iter().find(|c| c["control"] == "CC7.2").unwrap().clone();
        let ids: Vec<&str> = cc72["actions"].as_array().unwrap().iter().map(|a| a["controlId"].as_str().unwrap()).collect();
        assert_eq!(ids, ["CustomLocalCheck", "exo_mailboxaudit"]);
        assert_eq!(cc72["state"], "partial");
        assert_eq!(body["unmappedActions"], json!([]));

        let (status, _) = call(&reloaded, "DELETE", &format!("{overrides}?controlId=AdminMFAV2&framework=nist80053&control=IA-2(1)"), &admin, None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = call(&reloaded, "DELETE", &format!("{overrides}?controlId=AdminMFAV2&framework=nist80053&control=IA-2(1)"), &admin, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, body) = call(&reloaded, "GET", &format!("{BASE}/compliance?tenant={OAK}"), &reader, None).await;
        let nist = body["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "nist80053").unwrap().clone();
        assert_eq!(nist["coverage"]["controls"], 5, "the shipped IA-2(1) applies again");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn graph_information_portfolio_and_csv() {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

    for test_db in testing::databases().await {
        let db = &test_db.db;
        seed(db).await;
        // Graph names an ISO control for CustomLocalCheck, and a
        // certification the product does not track.
        let profile = backend::entity::control_profile::Entity::find()
            .filter(backend::entity::control_profile::Column::ControlId.eq("CustomLocalCheck"))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let mut profile: backend::entity::control_profile::ActiveModel = profile.into();
        profile.compliance_information = Set(Some(json!([
            {"certificationName": "ISO/IEC 27001:2022", "certificationControls": [{"name": "A.8.16", "url": "https://www.iso.org/standard/27001"}]},
            {"certificationName": "PCI DSS", "certificationControls": [{"name": "8.4.2", "url": "https://example.test/pci"}]}
        ])));
        profile.update(db).await.unwrap();
        let (reader, _) = backend::auth::api_tokens::create(db, "compliance-read", TokenScope::Read, None, Utc::now()).await.unwrap();
        let (writer, _) = backend::auth::api_tokens::create(db, "compliance-export", TokenScope::ReadWrite, None, Utc::now()).await.unwrap();
        let app = fresh_router(db);

        let (status, body) = call(&app, "GET", &format!("{BASE}/compliance?tenant={OAK}"), &reader, None).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", test_db.label);
        let iso = body["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "iso27001").unwrap().clone();
        // ISO as before (A.8.1 satisfied, A.8.15 and A.8.5 partial, A.8.7 risk
        // accepted) plus A.8.16 from Graph, at 1 of 2: partial.
        assert_eq!(iso["coverage"], json!({"controls": 5, "satisfied": 1, "partial": 3, "open": 0, "riskAccepted": 1}));
        let a816 = iso["controls"].as_array().unwrap().iter().find(|c| c["control"] == "A.8.16").unwrap().clone();
        assert_eq!(a816["source"], "https://www.iso.org/standard/27001");
        assert_eq!(body["unmappedActions"], json!([]));

        let (status, portfolio) = call(&app, "GET", &format!("{BASE}/compliance/portfolio"), &reader, None).await;
        assert_eq!(status, StatusCode::OK, "{}: {portfolio}", test_db.label);
        assert!(portfolio["disclaimer"].as_str().unwrap().contains("does not prove compliance"));
        assert_eq!(portfolio["tenants"].as_array().unwrap().len(), 1);
        let cmmc = portfolio["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "cmmc2").unwrap().clone();
        assert_eq!(cmmc["tenants"], 1);
        assert_eq!(cmmc["fullySatisfiedTenants"], 0);
        assert_eq!(cmmc["coverage"], json!({"controls": 4, "satisfied": 1, "partial": 2, "open": 0, "riskAccepted": 1}));
        let iso = portfolio["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "iso27001").unwrap().clone();
        assert_eq!(iso["coverage"]["controls"], 5, "the portfolio merges Graph's information too");
        let cis = portfolio["frameworks"].as_array().unwrap().iter().find(|f| f["framework"] == "cis_m365").unwrap().clone();
        assert_eq!((cis["tenants"].clone(), cis["fullySatisfiedTenants"].clone()), (json!(1), json!(1)));

        let export = |query: &str| format!("{BASE}/reports/export?format=csv&{query}");
        let (status, csv) = call_text(&app, &export(&format!("scope=tenant&tenantId={OAK}&dataset=compliance")), &writer).await;
        assert_eq!(status, StatusCode::OK, "{csv}");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "framework,frameworkLabel,control,state,actions,source,scoresAsOf,mappingVersion");
        let cc61 = lines.iter().find(|l| l.starts_with("soc2,SOC 2,CC6.1,")).expect("a CC6.1 row");
        assert!(
            cc61.starts_with("soc2,SOC 2,CC6.1,partial,AdminMFAV2=satisfied; BlockLegacyAuthentication=open; intune_mobile_device_encryption=satisfied,https://"),
            "{cc61}"
        );
        assert!(cc61.ends_with(",2026-03-08,2026.12.2"), "{cc61}");
        // SOC 2 3 + HIPAA 4 + CMMC 4 + 800-171 4 + 800-53 5 + ISO 5 + CIS 1.
        assert_eq!(lines.len(), 1 + 26);

        let (status, csv) = call_text(&app, &export("scope=portfolio&dataset=compliance"), &writer).await;
        assert_eq!(status, StatusCode::OK, "{csv}");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "tenantId,displayName,framework,controls,satisfied,partial,open,riskAccepted,scoresAsOf");
        assert_eq!(lines[3], format!("{OAK},Oak Dental,cmmc2,4,1,2,0,1,2026-03-08"));
        assert_eq!(lines.len(), 1 + 7);
        test_db.finish().await;
    }
}

async fn call_text(app: &axum::Router, uri: &str, token: &str) -> (StatusCode, String) {
    let request = Request::builder().uri(uri).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}
