//! The Graph simulator over real HTTP on 127.0.0.1: routes, JSON shapes,
//! paging, faults, determinism and fixture mode.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use backend::sim::{Faults, RunningSim, SimError, SimOptions, SimScenario, SimTenant, Simulator};
use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::Value;

/// Size of the simulator's generated control catalogue.
const CATALOGUE_SIZE: usize = 134;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 17).unwrap()
}

fn options() -> SimOptions {
    SimOptions { today: Some(today()), ..SimOptions::default() }
}

async fn start(options: SimOptions) -> RunningSim {
    Simulator::new(options).unwrap().spawn("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn tenant(sim: &RunningSim, scenario: SimScenario) -> SimTenant {
    sim.tenants().into_iter().find(|t| t.scenario == scenario).unwrap()
}

async fn token(sim: &RunningSim, tenant: &SimTenant) -> String {
    let (status, body) = request_token(sim, tenant.tenant_id.as_str(), "https://graph.microsoft.com/.default").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn request_token(sim: &RunningSim, tenant: &str, scope: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "sim-test-client"),
        ("client_secret", "sim-test-secret"),
        ("scope", scope),
    ];
    let response =
        http().post(format!("{}/{tenant}/oauth2/v2.0/token", sim.login_base_url())).form(&form).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn get_bytes(url: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let response = http().get(url).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

async fn get_json(url: &str, token: &str) -> (StatusCode, Value) {
    let (status, body) = get_bytes(url, token).await;
    (status, serde_json::from_slice(&body).unwrap())
}

/// Fetches every profile of a tenant, page by page, in the order served.
async fn all_profile_pages(sim: &RunningSim, token: &str) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut url = format!("{}/security/secureScoreControlProfiles", sim.graph_base_url());
    loop {
        let (status, body) = get_json(&url, token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        pages.push(body["value"].as_array().unwrap().clone());
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return pages,
        }
    }
}

fn number(value: &Value) -> f64 {
    value.as_f64().unwrap_or_else(|| panic!("not a number: {value}"))
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("graph-sim-test-{}-{tag}-{}", std::process::id(), fastrand::u64(..)));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn tenant_folder(&self, tenant_id: &str) -> PathBuf {
        let folder = self.0.join(tenant_id);
        std::fs::create_dir_all(&folder).unwrap();
        folder
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Locates the shared folder of real Graph captures, which exists beside the
/// checkout on the project's machines only.
fn real_captures() -> Option<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/graph");
    folder.is_dir().then_some(folder)
}

#[tokio::test]
async fn tenants_endpoint_lists_generated_tenants() {
    let sim = start(options()).await;
    let body: Value =
        http().get(format!("{}/sim/tenants", sim.login_base_url())).send().await.unwrap().json().await.unwrap();
    let listed = body.as_array().unwrap();
    assert_eq!(listed.len(), 12);
    assert_eq!(sim.tenants().len(), 12);
    for (entry, tenant) in listed.iter().zip(sim.tenants()) {
        assert_eq!(entry["tenantId"], tenant.tenant_id.as_str());
        assert_eq!(entry["displayName"], tenant.display_name.as_str());
        assert_eq!(entry["industry"].as_str(), tenant.industry.as_deref());
    }
    let ids: HashSet<&str> = listed.iter().map(|e| e["tenantId"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 12);
    let scenarios: Vec<SimScenario> = sim.tenants().iter().map(|t| t.scenario).collect();
    assert_eq!(scenarios.iter().filter(|s| **s == SimScenario::Regressing).count(), 3);
    for scenario in [SimScenario::MaxDrift, SimScenario::NoData, SimScenario::AccessDenied] {
        assert_eq!(scenarios.iter().filter(|s| **s == scenario).count(), 1, "{scenario:?}");
    }
}

#[tokio::test]
async fn graph_call_without_valid_token_is_401() {
    let sim = start(options()).await;
    let url = format!("{}/security/secureScores", sim.graph_base_url());

    let response = http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert!(body["error"]["innerError"]["request-id"].is_string());

    let (status, body) = get_json(&url, "not-a-token-from-the-sim").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
}

#[tokio::test]
async fn token_endpoint_errors_have_entra_shape() {
    let sim = start(options()).await;

    let (status, body) =
        request_token(&sim, "0badc0de-0000-4000-8000-000000000000", "https://graph.microsoft.com/.default").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_codes"], serde_json::json!([90002]));
    assert!(body["error_description"].as_str().unwrap().starts_with("AADSTS90002: "));

    let known = sim.tenants()[0].tenant_id.to_string();
    let (status, body) = request_token(&sim, &known, "https://graph.microsoft.com/User.Read").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_scope");

    let (status, body) = request_token(&sim, &known, "https://graph.microsoft.com/.default").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(sim.token_requests(), 3);
}

#[tokio::test]
async fn token_endpoint_checks_configured_secret() {
    let sim = start(SimOptions { client_secret: Some("the-right-secret".into()), ..options() }).await;
    let (status, body) =
        request_token(&sim, sim.tenants()[0].tenant_id.as_str(), "https://graph.microsoft.com/.default").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"], serde_json::json!([7000215]));
}

#[tokio::test]
async fn consent_missing_fault_fails_token_request() {
    let tenant_id = Simulator::new(options()).unwrap().tenants()[0].tenant_id.clone();
    let faults = Faults { consent_missing: vec![tenant_id.clone()], ..Faults::default() };
    let sim = start(SimOptions { faults, ..options() }).await;
    let (status, body) = request_token(&sim, tenant_id.as_str(), "https://graph.microsoft.com/.default").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unauthorized_client");
    assert_eq!(body["error_codes"], serde_json::json!([700016]));
}

#[tokio::test]
async fn scores_top_one_has_absolute_next_link() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::Normal);
    let token = token(&sim, &tenant).await;

    let (status, first) = get_json(&format!("{}/security/secureScores?$top=1", sim.graph_base_url()), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["@odata.context"], format!("{}/$metadata#security/secureScores", sim.graph_base_url()));
    let records = first["value"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["createdDateTime"], "2026-07-17T00:00:00Z");
    assert_eq!(records[0]["id"], format!("{}_2026-07-17", tenant.tenant_id));

    let next = first["@odata.nextLink"].as_str().unwrap();
    let prefix = format!("{}/security/secureScores?$top=1&$skiptoken=", sim.graph_base_url());
    assert!(next.starts_with(&prefix), "{next}");

    let (status, second) = get_json(next, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["value"][0]["createdDateTime"], "2026-07-16T00:00:00Z");
}

#[tokio::test]
async fn scores_without_top_return_90_then_rest() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::Normal);
    let token = token(&sim, &tenant).await;

    let (_, first) = get_json(&format!("{}/security/secureScores", sim.graph_base_url()), &token).await;
    assert_eq!(first["value"].as_array().unwrap().len(), 90);
    let (_, rest) = get_json(first["@odata.nextLink"].as_str().unwrap(), &token).await;
    assert_eq!(rest["value"].as_array().unwrap().len(), 10);
    assert!(rest.get("@odata.nextLink").is_none());
    assert_eq!(rest["value"][9]["createdDateTime"], "2026-04-09T00:00:00Z");
}

#[tokio::test]
async fn invalid_skiptoken_and_top_are_rejected() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::Normal);
    let token = token(&sim, &tenant).await;

    let (status, body) = get_json(
        &format!("{}/security/secureScores?$skiptoken=12345678-aaaa-bbbb-cccc-0123456789ab", sim.graph_base_url()),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "BadRequest");

    let (status, _) = get_json(&format!("{}/security/secureScores?$top=0", sim.graph_base_url()), &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn profiles_are_served_in_pages() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::Normal);
    let token = token(&sim, &tenant).await;

    let pages = all_profile_pages(&sim, &token).await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [50, 50, 34]);

    let profiles: Vec<&Value> = pages.iter().flatten().collect();
    assert_eq!(profiles.len(), CATALOGUE_SIZE);
    let ids: HashSet<&str> = profiles.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), CATALOGUE_SIZE);

    for profile in &profiles {
        for field in [
            "id",
            "azureTenantId",
            "title",
            "controlCategory",
            "maxScore",
            "rank",
            "tier",
            "implementationCost",
            "userImpact",
            "actionType",
            "service",
            "threats",
            "remediation",
            "remediationImpact",
            "actionUrl",
            "deprecated",
            "complianceInformation",
            "controlStateUpdates",
            "lastModifiedDateTime",
            "vendorInformation",
        ] {
            assert!(profile.get(field).is_some(), "{} has no {field}", profile["id"]);
        }
        assert_eq!(profile["azureTenantId"], tenant.tenant_id.as_str());
        assert_eq!(profile["complianceInformation"], serde_json::json!([]));
        assert_eq!(profile["vendorInformation"]["provider"], "SecureScore");
        assert!(!profile["controlStateUpdates"].as_array().unwrap().is_empty());
    }
    let unlicensed = profiles.iter().filter(|p| p["service"].as_str().unwrap().starts_with("MDA_")).count();
    assert_eq!(unlicensed, 24);
    assert!(profiles.iter().any(|p| p["implementationCost"] == "Unknown"));
    assert!(profiles.iter().any(|p| p["userImpact"].is_null()));
    assert!(profiles.iter().any(|p| p["implementationCost"] == "low"));
}

#[tokio::test]
async fn scored_controls_reach_later_profile_pages() {
    let sim = start(options()).await;
    for tenant in sim.tenants() {
        if matches!(tenant.scenario, SimScenario::NoData | SimScenario::AccessDenied) {
            continue;
        }
        let token = token(&sim, &tenant).await;
        let pages = all_profile_pages(&sim, &token).await;
        let first_page: HashSet<&str> = pages[0].iter().map(|p| p["id"].as_str().unwrap()).collect();
        let (_, scores) = get_json(&format!("{}/security/secureScores?$top=1", sim.graph_base_url()), &token).await;
        let scored: Vec<&str> = scores["value"][0]["controlScores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["controlName"].as_str().unwrap())
            .collect();
        let later = scored.iter().filter(|id| !first_page.contains(*id)).count();
        assert!(later > 0, "{}: every scored control is on page 1", tenant.display_name);
    }
}

#[tokio::test]
async fn generated_snapshots_are_consistent() {
    let sim = start(options()).await;
    for tenant in sim.tenants() {
        if matches!(tenant.scenario, SimScenario::NoData | SimScenario::AccessDenied) {
            continue;
        }
        let token = token(&sim, &tenant).await;
        let max_by_id: BTreeMap<String, f64> = all_profile_pages(&sim, &token)
            .await
            .into_iter()
            .flatten()
            .map(|p| (p["id"].as_str().unwrap().to_owned(), number(&p["maxScore"])))
            .collect();
        let (_, body) = get_json(&format!("{}/security/secureScores?$top=200", sim.graph_base_url()), &token).await;
        let records = body["value"].as_array().unwrap();
        assert_eq!(records.len(), 100, "{}", tenant.display_name);
        assert!(body.get("@odata.nextLink").is_none());

        let mut expected_day = today();
        for record in records {
            assert_eq!(record["createdDateTime"], format!("{expected_day}T00:00:00Z"));
            expected_day = expected_day.pred_opt().unwrap();

            let controls = record["controlScores"].as_array().unwrap();
            let mut points = 0.0;
            let mut maximum = 0.0;
            for control in controls {
                let id = control["controlName"].as_str().unwrap();
                let max = max_by_id[id];
                let score = number(&control["score"]);
                assert!((0.0..=max).contains(&score), "{id}: {score} of {max}");
                let percentage = number(&control["scoreInPercentage"]);
                assert!((percentage - score / max * 100.0).abs() < 0.01, "{id}: {percentage}% for {score} of {max}");
                let on = control.get("on").and_then(Value::as_str);
                assert!(matches!(on, None | Some("true") | Some("false")));
                points += score;
                maximum += max;
            }
            assert!(
                (number(&record["currentScore"]) - points).abs() < 1e-6,
                "{} {}",
                tenant.display_name,
                record["id"]
            );
            assert_eq!(number(&record["maxScore"]), maximum, "{} {}", tenant.display_name, record["id"]);

            let bases: Vec<&str> = record["averageComparativeScores"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["basis"].as_str().unwrap())
                .collect();
            // Financial tenants also carry Graph's IndustryTypes entry.
            if tenant.industry.as_deref() == Some("Financial Services") {
                assert_eq!(bases, ["AllTenants", "TotalSeats", "IndustryTypes"]);
            } else {
                assert_eq!(bases, ["AllTenants", "TotalSeats"]);
            }
            assert!(record["averageComparativeScores"][1]["SeatSizeRangeLowerValue"].is_string());
            assert_eq!(record["vendorInformation"]["vendor"], "Microsoft");
        }
    }
}

#[tokio::test]
async fn drift_tenant_gains_maximum_without_points() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::MaxDrift);
    let token = token(&sim, &tenant).await;
    let (_, body) = get_json(&format!("{}/security/secureScores?$top=100", sim.graph_base_url()), &token).await;
    let series: Vec<(f64, f64)> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|r| (number(&r["currentScore"]), number(&r["maxScore"])))
        .collect();
    let jumps: Vec<usize> = (1..series.len()).filter(|&d| series[d].1 != series[d - 1].1).collect();
    assert_eq!(jumps.len(), 1, "{jumps:?}");
    let day = jumps[0];
    assert!(series[day].1 > series[day - 1].1);
    assert_eq!(series[day].0, series[day - 1].0);
}

#[tokio::test]
async fn no_data_tenant_returns_empty_value() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::NoData);
    let token = token(&sim, &tenant).await;
    let (status, body) = get_json(&format!("{}/security/secureScores?$top=90", sim.graph_base_url()), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["value"], serde_json::json!([]));
    assert!(body.get("@odata.nextLink").is_none());
    let profiles: usize = all_profile_pages(&sim, &token).await.iter().map(Vec::len).sum();
    assert_eq!(profiles, CATALOGUE_SIZE);
}

#[tokio::test]
async fn denied_tenant_gets_403_everywhere() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::AccessDenied);
    let token = token(&sim, &tenant).await;
    for path in ["/security/secureScores", "/security/secureScoreControlProfiles"] {
        let (status, body) = get_json(&format!("{}{path}", sim.graph_base_url()), &token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"]["code"], "AccessDenied");
    }
    let response = http()
        .patch(format!("{}/security/secureScoreControlProfiles/exo_spf_records", sim.graph_base_url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({"state": "Reviewed", "vendorInformation": {"provider": "SecureScore", "vendor": "Microsoft"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn throttle_fault_sends_retry_after() {
    let tenant_id = Simulator::new(options()).unwrap().tenants()[0].tenant_id.clone();
    let faults = Faults {
        throttle: vec![(tenant_id.clone(), 1)],
        server_errors: vec![(tenant_id.clone(), 1)],
        ..Faults::default()
    };
    let sim = start(SimOptions { faults, ..options() }).await;
    let token = token(&sim, &sim.tenants()[0]).await;
    let url = format!("{}/security/secureScores?$top=1", sim.graph_base_url());

    let response = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "1");

    let (status, body) = get_json(&url, &token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "ServiceUnavailable");

    let (status, _) = get_json(&url, &token).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn truncate_fault_cuts_body_in_half() {
    let tenant_id = Simulator::new(options()).unwrap().tenants()[0].tenant_id.clone();
    let full = start(options()).await;
    let cut =
        start(SimOptions { faults: Faults { truncate: vec![tenant_id], ..Faults::default() }, ..options() }).await;

    let url = |sim: &RunningSim| format!("{}/security/secureScores?$top=2", sim.graph_base_url());
    let (_, whole) = get_bytes(&url(&full), &token(&full, &full.tenants()[0]).await).await;
    let (status, half) = get_bytes(&url(&cut), &token(&cut, &cut.tenants()[0]).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(half.len(), whole.len() / 2);
    assert!(serde_json::from_slice::<Value>(&half).is_err());
}

#[tokio::test]
async fn scid_patch_is_rejected() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::Normal);
    let token = token(&sim, &tenant).await;
    let response = http()
        .patch(format!("{}/security/secureScoreControlProfiles/scid_4101", sim.graph_base_url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({"state": "Ignored", "vendorInformation": {"provider": "SecureScore", "vendor": "Microsoft"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BadRequest");
    assert!(body["error"]["message"].as_str().unwrap().contains("scid_4101"));
}

#[tokio::test]
async fn patch_appends_state_update() {
    let sim = start(options()).await;
    let tenant = tenant(&sim, SimScenario::Normal);
    let token = token(&sim, &tenant).await;
    let url = format!("{}/security/secureScoreControlProfiles/exo_spf_records", sim.graph_base_url());
    let update = serde_json::json!({
        "assignedTo": "",
        "comment": "control is reviewed",
        "state": "Reviewed",
        "vendorInformation": {"provider": "SecureScore", "providerVersion": null, "subProvider": null, "vendor": "Microsoft"}
    });

    let response = http().patch(&url).bearer_auth(&token).json(&update).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let profile =
        all_profile_pages(&sim, &token).await.into_iter().flatten().find(|p| p["id"] == "exo_spf_records").unwrap();
    let last = profile["controlStateUpdates"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["state"], "Reviewed");
    assert_eq!(last["comment"], "control is reviewed");
    assert_eq!(last["updatedBy"], "sim-test-client");
    assert!(last["updatedDateTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(profile["lastModifiedDateTime"], last["updatedDateTime"]);

    let bad = http().patch(&url).bearer_auth(&token).json(&serde_json::json!({"state": "Done"})).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let missing = http()
        .patch(format!("{}/security/secureScoreControlProfiles/no_such_control", sim.graph_base_url()))
        .bearer_auth(&token)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn same_seed_gives_identical_bytes() {
    let first = start(options()).await;
    let second = start(options()).await;
    let other_seed = start(SimOptions { seed: 8, ..options() }).await;

    async fn payloads(sim: &RunningSim) -> Vec<String> {
        let tenant = sim.tenants()[0].clone();
        let token = token(sim, &tenant).await;
        let host = sim.local_addr().to_string();
        let mut bodies = Vec::new();
        for path in ["/security/secureScores?$top=3", "/security/secureScoreControlProfiles"] {
            let (status, body) = get_bytes(&format!("{}{path}", sim.graph_base_url()), &token).await;
            assert_eq!(status, StatusCode::OK);
            // Links carry the port, which differs between the two servers.
            bodies.push(String::from_utf8(body).unwrap().replace(&host, "HOST"));
        }
        bodies
    }

    assert_eq!(first.tenants(), second.tenants());
    assert_eq!(payloads(&first).await, payloads(&second).await);
    assert_ne!(first.tenants()[0].tenant_id, other_seed.tenants()[0].tenant_id);
}

#[tokio::test]
async fn fixture_mode_serves_real_capture() {
    let Some(captures) = real_captures() else {
        println!("skipped: the shared Graph captures folder is not present beside this checkout");
        return;
    };
    let dir = TempDir::new("capture");
    let tenant_id = "12345678-1234-1234-1234-1234567890abcd";
    let folder = dir.tenant_folder(tenant_id);
    std::fs::copy(captures.join("heimdall2_secureScores_single.json"), folder.join("secureScores.json")).unwrap();
    std::fs::copy(
        captures.join("heimdall2_secureScoreControlProfiles_page1.json"),
        folder.join("secureScoreControlProfiles.json"),
    )
    .unwrap();

    let sim = start(SimOptions { fixtures: Some(dir.0.clone()), profile_page_size: 80, ..options() }).await;
    let tenants = sim.tenants();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].display_name, "Tenant 12345678");
    assert_eq!(tenants[0].scenario, SimScenario::Fixture);

    let token = token(&sim, &tenants[0]).await;
    let (status, body) = get_json(&format!("{}/security/secureScores?$top=90", sim.graph_base_url()), &token).await;
    assert_eq!(status, StatusCode::OK);
    let records = body["value"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["currentScore"], 128);
    assert_eq!(records[0]["maxScore"], 274);
    assert_eq!(records[0]["controlScores"].as_array().unwrap().len(), 68);

    // The capture's own nextLink points at Microsoft; the simulator pages
    // the 200 profiles itself.
    let pages = all_profile_pages(&sim, &token).await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [80, 80, 40]);
}

#[tokio::test]
async fn fixture_mode_handles_missing_and_broken_files() {
    let dir = TempDir::new("broken");
    let broken = "00000000-0000-4000-8000-00000000000a";
    let empty = "00000000-0000-4000-8000-00000000000b";
    std::fs::write(dir.tenant_folder(broken).join("secureScores.json"), b"{\"value\": [{\"createdDateTime\": ")
        .unwrap();
    std::fs::write(
        dir.tenant_folder(broken).join("tenant.json"),
        br#"{"displayName": "Broken Ltd", "industry": "Retail"}"#,
    )
    .unwrap();
    dir.tenant_folder(empty);
    dir.tenant_folder("not-a-tenant");

    let sim = start(SimOptions { fixtures: Some(dir.0.clone()), ..options() }).await;
    let tenants = sim.tenants();
    let names: Vec<&str> = tenants.iter().map(|t| t.display_name.as_str()).collect();
    assert_eq!(names, ["Broken Ltd", "Tenant 00000000"]);
    assert_eq!(tenants[0].industry.as_deref(), Some("Retail"));

    let token_broken = token(&sim, &tenants[0]).await;
    let (status, body) = get_bytes(&format!("{}/security/secureScores", sim.graph_base_url()), &token_broken).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"{\"value\": [{\"createdDateTime\": ");

    let token_empty = token(&sim, &tenants[1]).await;
    for path in ["/security/secureScores", "/security/secureScoreControlProfiles"] {
        let (status, body) = get_json(&format!("{}{path}", sim.graph_base_url()), &token_empty).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["value"], serde_json::json!([]), "{path}");
    }
}

#[tokio::test]
async fn fixture_folder_errors_name_the_path() {
    let dir = TempDir::new("empty");
    let error = Simulator::new(SimOptions { fixtures: Some(dir.0.clone()), ..options() }).err().unwrap();
    assert!(matches!(error, SimError::NoTenants { .. }), "{error:?}");
    assert!(error.to_string().contains(&dir.0.display().to_string()), "{error}");

    let missing = dir.0.join("does-not-exist");
    let error = Simulator::new(SimOptions { fixtures: Some(missing.clone()), ..options() }).err().unwrap();
    assert!(matches!(error, SimError::ReadFolder { .. }), "{error:?}");
    assert!(error.to_string().contains(&missing.display().to_string()), "{error}");

    let folder = dir.tenant_folder("00000000-0000-4000-8000-00000000000c");
    std::fs::write(folder.join("tenant.json"), b"[1, 2]").unwrap();
    let error = Simulator::new(SimOptions { fixtures: Some(dir.0.clone()), ..options() }).err().unwrap();
    assert!(matches!(error, SimError::InvalidTenantFile { .. }), "{error:?}");
    assert!(error.to_string().contains("tenant.json"), "{error}");
}
