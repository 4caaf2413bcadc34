//! The Graph client over real HTTP on 127.0.0.1, against the simulator and
//! against small scripted axum servers for cases the simulator does not
//! produce (foreign next links, 401 then success, 206, slow responses).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use backend::graph::{ControlProfileUpdate, GraphClient, GraphConfig, GraphError, Secret, VendorInformation};
use backend::sim::{Faults, RunningSim, SimOptions, SimScenario, SimTenant, Simulator};
use chrono::{Datelike, NaiveDate};
use domain::{SyncStatus, TenantId};
use serde_json::{json, Value};

/// Size of the simulator's generated control catalogue.
const CATALOGUE_SIZE: usize = 134;
const CLIENT_SECRET: &str = "client-secret-for-tests";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 17).unwrap()
}

fn options() -> SimOptions {
    SimOptions { today: Some(today()), ..SimOptions::default() }
}

async fn start(options: SimOptions) -> RunningSim {
    Simulator::new(options).unwrap().spawn("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn config(graph_base_url: String, login_base_url: String) -> GraphConfig {
    let mut config = GraphConfig::new(graph_base_url, login_base_url, "test-client".into(), Secret::new(CLIENT_SECRET));
    config.max_retry_wait = Duration::from_millis(20);
    config.request_timeout = Duration::from_secs(10);
    config
}

fn client(sim: &RunningSim) -> GraphClient {
    GraphClient::new(config(sim.graph_base_url(), sim.login_base_url())).unwrap()
}

fn tenant(sim: &RunningSim, scenario: SimScenario) -> SimTenant {
    sim.tenants().into_iter().find(|t| t.scenario == scenario).unwrap()
}

/// Tenant ids of the default simulator, to name in faults before it starts.
fn default_tenants() -> Vec<SimTenant> {
    Simulator::new(options()).unwrap().tenants()
}

fn first_normal_tenant() -> TenantId {
    default_tenants().into_iter().find(|t| t.scenario == SimScenario::Normal).unwrap().tenant_id
}

fn reviewed() -> ControlProfileUpdate {
    ControlProfileUpdate {
        assigned_to: Some("analyst@msp.example".into()),
        comment: Some("Reviewed with the customer".into()),
        state: "Reviewed".into(),
        vendor: VendorInformation::secure_score(),
    }
}

/// Serves `router` on a free loopback port.
async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    addr
}

fn scripted_client(addr: SocketAddr) -> GraphClient {
    GraphClient::new(config(format!("http://{addr}/v1.0"), format!("http://{addr}"))).unwrap()
}

/// Builds a token endpoint that issues `token-1`, `token-2`, ... and counts
/// calls.
fn token_route(counter: Arc<AtomicU32>) -> Router {
    Router::new().route(
        "/{tenant}/oauth2/v2.0/token",
        post(move || {
            let counter = counter.clone();
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                Json(json!({"token_type": "Bearer", "expires_in": 3599, "access_token": format!("token-{n}")}))
            }
        }),
    )
}

fn score_record(day: u32) -> Value {
    json!({
        "createdDateTime": format!("2026-07-{day:02}T00:00:00Z"),
        "currentScore": 10.0 + f64::from(day),
        "maxScore": 100.0,
        "controlScores": []
    })
}

fn scripted_tenant() -> TenantId {
    TenantId::parse("11111111-2222-4333-8444-555555555555").unwrap()
}

#[tokio::test]
async fn token_is_cached_per_tenant() {
    let sim = start(options()).await;
    let client = client(&sim);
    let tenants = sim.tenants();

    client.secure_scores(&tenants[0].tenant_id, 1).await.unwrap();
    client.secure_scores(&tenants[0].tenant_id, 1).await.unwrap();
    assert_eq!(sim.token_requests(), 1);

    client.secure_scores(&tenants[1].tenant_id, 1).await.unwrap();
    assert_eq!(sim.token_requests(), 2);
}

#[tokio::test]
async fn concurrent_calls_share_one_token_request() {
    let sim = start(SimOptions { faults: Faults { delay_ms: 100, ..Faults::default() }, ..options() }).await;
    let client = client(&sim);
    let tenant = sim.tenants()[0].tenant_id.clone();

    let calls = (0..4).map(|_| client.secure_scores(&tenant, 2));
    let results = futures::future::join_all(calls).await;
    for result in results {
        assert_eq!(result.unwrap().records.len(), 2);
    }
    assert_eq!(sim.token_requests(), 1);
}

#[tokio::test]
async fn profiles_across_pages_are_all_returned() {
    let sim = start(options()).await;
    let client = client(&sim);
    let tenant = tenant(&sim, SimScenario::Normal);

    let fetch = client.control_profiles(&tenant.tenant_id).await.unwrap();
    assert_eq!(fetch.profiles.len(), CATALOGUE_SIZE);
    assert!(fetch.warnings.is_empty());
    let ids: HashSet<&str> = fetch.profiles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), CATALOGUE_SIZE);

    // A scored control whose profile is not on the first page of 50.
    let first_page: HashSet<&str> = fetch.profiles[..50].iter().map(|p| p.id.as_str()).collect();
    let scores = client.secure_scores(&tenant.tenant_id, 1).await.unwrap();
    let later: Vec<&str> = scores.records[0]
        .control_scores
        .iter()
        .map(|c| c.control_name.as_str())
        .filter(|name| !first_page.contains(name))
        .collect();
    assert!(!later.is_empty());
    for name in later {
        assert!(ids.contains(name), "{name} missing");
    }
}

#[tokio::test]
async fn secure_scores_respect_top() {
    let sim = start(options()).await;
    let client = client(&sim);
    let tenant = tenant(&sim, SimScenario::Normal);

    let fetch = client.secure_scores(&tenant.tenant_id, 5).await.unwrap();
    let dates: Vec<String> = fetch.records.iter().map(|r| r.snapshot_date().to_string()).collect();
    assert_eq!(dates, ["2026-07-17", "2026-07-16", "2026-07-15", "2026-07-14", "2026-07-13"]);

    // The simulator's response to the same request carries a next link,
    // which the client does not need once it has five records.
    let token: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/{}/oauth2/v2.0/token", sim.login_base_url(), tenant.tenant_id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "test-client"),
            ("client_secret", CLIENT_SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/security/secureScores?$top=5", sim.graph_base_url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(page["@odata.nextLink"].is_string());

    let all = client.secure_scores(&tenant.tenant_id, 500).await.unwrap();
    assert_eq!(all.records.len(), 100);
    assert!(client.secure_scores(&tenant.tenant_id, 0).await.unwrap().records.is_empty());
}

#[tokio::test]
async fn secure_scores_follow_next_links() {
    let hits = Arc::new(AtomicU32::new(0));
    let page_hits = hits.clone();
    let router = token_route(Arc::new(AtomicU32::new(0))).route(
        "/v1.0/security/secureScores",
        get(move |headers: HeaderMap, query: axum::extract::Query<std::collections::HashMap<String, String>>| {
            let hits = page_hits.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                let host = headers["host"].to_str().unwrap().to_owned();
                let page: u32 = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
                // Seven records, newest first, two per page.
                let days: Vec<u32> = (0..7).map(|i| 17 - i).skip(page as usize * 2).take(2).collect();
                let mut body = json!({"value": days.iter().map(|d| score_record(*d)).collect::<Vec<_>>()});
                if page < 3 {
                    body["@odata.nextLink"] =
                        json!(format!("http://{host}/v1.0/security/secureScores?page={}", page + 1));
                }
                Json(body)
            }
        }),
    );
    let addr = serve(router).await;
    let client = scripted_client(addr);

    let fetch = client.secure_scores(&scripted_tenant(), 5).await.unwrap();
    let days: Vec<u32> = fetch.records.iter().map(|r| r.snapshot_date().day()).collect();
    assert_eq!(days, [17, 16, 15, 14, 13]);
    assert_eq!(hits.load(Ordering::SeqCst), 3);

    let fetch = client.secure_scores(&scripted_tenant(), 90).await.unwrap();
    assert_eq!(fetch.records.len(), 7);
}

#[tokio::test]
async fn foreign_next_link_is_not_requested() {
    // The "foreign" server is another loopback origin (other port) that
    // counts any request it gets.
    let foreign_hits = Arc::new(AtomicU32::new(0));
    let counted = foreign_hits.clone();
    let foreign = serve(Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            Json(json!({"value": []}))
        }
    }))
    .await;

    let link = format!("http://{foreign}/v1.0/security/secureScoreControlProfiles?$skiptoken=abc");
    let served_link = link.clone();
    let router = token_route(Arc::new(AtomicU32::new(0))).route(
        "/v1.0/security/secureScoreControlProfiles",
        get(move || {
            let link = served_link.clone();
            async move { Json(json!({"@odata.nextLink": link, "value": [{"id": "exo_spf_records"}]})) }
        }),
    );
    let addr = serve(router).await;

    let error = scripted_client(addr).control_profiles(&scripted_tenant()).await.unwrap_err();
    match &error {
        GraphError::InvalidNextLink { link: rejected } => assert_eq!(rejected, &link),
        other => panic!("expected InvalidNextLink, got {other:?}"),
    }
    assert_eq!(error.sync_status(), SyncStatus::Failed);
    assert_eq!(foreign_hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn unauthorized_refreshes_token_once() {
    let tokens = Arc::new(AtomicU32::new(0));
    let graph_hits = Arc::new(AtomicU32::new(0));
    let hits = graph_hits.clone();
    // Only the second token is accepted.
    let router = token_route(tokens.clone()).route(
        "/v1.0/security/secureScoreControlProfiles",
        get(move |headers: HeaderMap| {
            let hits = hits.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                if headers["authorization"] == "Bearer token-2" {
                    Json(json!({"value": [{"id": "exo_spf_records"}]})).into_response()
                } else {
                    let body = json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired."}});
                    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
                }
            }
        }),
    );
    let client = scripted_client(serve(router).await);

    let fetch = client.control_profiles(&scripted_tenant()).await.unwrap();
    assert_eq!(fetch.profiles.len(), 1);
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    assert_eq!(graph_hits.load(Ordering::SeqCst), 2);

    // The renewed token is cached.
    client.control_profiles(&scripted_tenant()).await.unwrap();
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn repeated_unauthorized_is_an_error() {
    let tokens = Arc::new(AtomicU32::new(0));
    let router = token_route(tokens.clone()).route(
        "/v1.0/security/secureScores",
        get(|| async {
            let body =
                json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure."}});
            (StatusCode::UNAUTHORIZED, Json(body))
        }),
    );
    let client = scripted_client(serve(router).await);

    let error = client.secure_scores(&scripted_tenant(), 1).await.unwrap_err();
    match &error {
        GraphError::Unauthorized { detail } => {
            assert_eq!(detail, "InvalidAuthenticationToken: Access token validation failure.")
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn access_denied_tenant_maps_to_access_denied() {
    let sim = start(options()).await;
    let client = client(&sim);
    let denied = tenant(&sim, SimScenario::AccessDenied);

    let error = client.secure_scores(&denied.tenant_id, 90).await.unwrap_err();
    assert!(matches!(&error, GraphError::AccessDenied { detail } if detail.starts_with("AccessDenied: ")), "{error:?}");
    assert_eq!(error.sync_status(), SyncStatus::AccessDenied);
    assert!(error.user_message().contains("SecurityEvents.Read.All"));

    let error = client.control_profiles(&denied.tenant_id).await.unwrap_err();
    assert_eq!(error.sync_status(), SyncStatus::AccessDenied);
}

#[tokio::test]
async fn forbidden_fault_maps_to_access_denied() {
    let tenant_id = first_normal_tenant();
    let sim =
        start(SimOptions { faults: Faults { forbidden: vec![tenant_id.clone()], ..Faults::default() }, ..options() })
            .await;
    let error = client(&sim).secure_scores(&tenant_id, 1).await.unwrap_err();
    assert_eq!(error.sync_status(), SyncStatus::AccessDenied);
}

#[tokio::test]
async fn consent_missing_maps_to_consent_missing() {
    let tenant_id = first_normal_tenant();
    let sim = start(SimOptions {
        faults: Faults { consent_missing: vec![tenant_id.clone()], ..Faults::default() },
        ..options()
    })
    .await;
    let error = client(&sim).secure_scores(&tenant_id, 1).await.unwrap_err();
    match &error {
        GraphError::ConsentMissing { detail } => {
            assert!(detail.starts_with("unauthorized_client: AADSTS700016: "), "{detail}");
            assert!(!detail.contains("Trace ID"), "{detail}");
        }
        other => panic!("expected ConsentMissing, got {other:?}"),
    }
    assert_eq!(error.sync_status(), SyncStatus::ConsentMissing);
    assert!(error.user_message().contains("Global Administrator"));
}

#[tokio::test]
async fn unknown_tenant_maps_to_consent_missing() {
    let sim = start(options()).await;
    let stranger = TenantId::parse("0badc0de-0000-4000-8000-000000000000").unwrap();
    let error = client(&sim).secure_scores(&stranger, 1).await.unwrap_err();
    assert!(matches!(&error, GraphError::ConsentMissing { detail } if detail.contains("AADSTS90002")), "{error:?}");
}

#[tokio::test]
async fn wrong_secret_maps_to_invalid_credentials() {
    let sim = start(SimOptions { client_secret: Some("the-configured-secret".into()), ..options() }).await;
    let error = client(&sim).secure_scores(&sim.tenants()[0].tenant_id, 1).await.unwrap_err();
    assert!(matches!(error, GraphError::InvalidCredentials), "{error:?}");
    assert_eq!(error.sync_status(), SyncStatus::Failed);
    for text in [error.to_string(), error.user_message(), format!("{error:?}")] {
        assert!(!text.contains(CLIENT_SECRET), "{text}");
    }
}

#[tokio::test]
async fn throttled_twice_then_succeeds() {
    let tenant_id = first_normal_tenant();
    let sim = start(SimOptions {
        faults: Faults { throttle: vec![(tenant_id.clone(), 2)], ..Faults::default() },
        ..options()
    })
    .await;
    let fetch = client(&sim).secure_scores(&tenant_id, 3).await.unwrap();
    assert_eq!(fetch.records.len(), 3);
}

#[tokio::test]
async fn throttled_past_max_retries_is_throttled() {
    let tenant_id = first_normal_tenant();
    let sim = start(SimOptions {
        faults: Faults { throttle: vec![(tenant_id.clone(), 10)], ..Faults::default() },
        ..options()
    })
    .await;
    let mut config = config(sim.graph_base_url(), sim.login_base_url());
    config.max_retries = 2;
    let client = GraphClient::new(config).unwrap();

    let error = client.secure_scores(&tenant_id, 3).await.unwrap_err();
    assert!(matches!(error, GraphError::Throttled { attempts: 3 }), "{error:?}");
    assert_eq!(error.sync_status(), SyncStatus::Throttled);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let tenant_id = first_normal_tenant();
    let faults = Faults { server_errors: vec![(tenant_id.clone(), 2)], ..Faults::default() };
    let sim = start(SimOptions { faults, ..options() }).await;
    assert_eq!(client(&sim).secure_scores(&tenant_id, 1).await.unwrap().records.len(), 1);

    let faults = Faults { server_errors: vec![(tenant_id.clone(), 10)], ..Faults::default() };
    let sim = start(SimOptions { faults, ..options() }).await;
    let error = client(&sim).secure_scores(&tenant_id, 1).await.unwrap_err();
    assert!(
        matches!(&error, GraphError::Upstream { status: 503, detail } if detail.starts_with("ServiceUnavailable")),
        "{error:?}"
    );
    assert_eq!(error.sync_status(), SyncStatus::Failed);
}

#[tokio::test]
async fn truncated_body_is_invalid_payload() {
    let tenant_id = first_normal_tenant();
    let sim =
        start(SimOptions { faults: Faults { truncate: vec![tenant_id.clone()], ..Faults::default() }, ..options() })
            .await;
    let error = client(&sim).secure_scores(&tenant_id, 5).await.unwrap_err();
    assert!(matches!(error, GraphError::InvalidPayload(_)), "{error:?}");
    assert_eq!(error.sync_status(), SyncStatus::Failed);
    let error = client(&sim).control_profiles(&tenant_id).await.unwrap_err();
    assert!(matches!(error, GraphError::InvalidPayload(_)), "{error:?}");
}

#[tokio::test]
async fn scid_update_is_refused_locally() {
    let sim = start(options()).await;
    let client = client(&sim);
    let tenant = tenant(&sim, SimScenario::Normal);

    let error = client.update_control_profile(&tenant.tenant_id, "scid_4101", &reviewed()).await.unwrap_err();
    assert!(matches!(&error, GraphError::NotUpdatable { control_id } if control_id == "scid_4101"), "{error:?}");
    assert!(error.user_message().contains("Microsoft Defender portal"));
    assert_eq!(sim.token_requests(), 0);

    let unknown_state = ControlProfileUpdate { state: "Done".into(), ..reviewed() };
    let error = client.update_control_profile(&tenant.tenant_id, "exo_spf_records", &unknown_state).await.unwrap_err();
    assert!(matches!(error, GraphError::InvalidRequest { .. }), "{error:?}");
    assert_eq!(sim.token_requests(), 0);
}

#[tokio::test]
async fn update_appends_control_state() {
    let sim = start(options()).await;
    let client = client(&sim);
    let tenant = tenant(&sim, SimScenario::Normal);

    client.update_control_profile(&tenant.tenant_id, "exo_spf_records", &reviewed()).await.unwrap();

    let fetch = client.control_profiles(&tenant.tenant_id).await.unwrap();
    let profile = fetch.profiles.iter().find(|p| p.id == "exo_spf_records").unwrap();
    assert_eq!(profile.effective_state(), "Reviewed");
    let last = profile.control_state_updates.last().unwrap();
    assert_eq!(last.assigned_to.as_deref(), Some("analyst@msp.example"));
    assert_eq!(last.comment.as_deref(), Some("Reviewed with the customer"));
    assert_eq!(last.updated_by.as_deref(), Some("test-client"));
    assert!(last.updated_date_time.is_some());
}

#[tokio::test]
async fn concurrency_is_limited_per_tenant() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let state = (in_flight.clone(), peak.clone());
    let router = token_route(Arc::new(AtomicU32::new(0))).route(
        "/v1.0/security/secureScores",
        get(|State((in_flight, peak)): State<(Arc<AtomicUsize>, Arc<AtomicUsize>)>| async move {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Json(json!({"value": [score_record(17)]}))
        })
        .with_state(state),
    );
    let addr = serve(router).await;
    let mut config = config(format!("http://{addr}/v1.0"), format!("http://{addr}"));
    config.max_concurrent_per_tenant = 2;
    let client = GraphClient::new(config).unwrap();

    let tenant = scripted_tenant();
    let calls = (0..8).map(|_| client.secure_scores(&tenant, 1));
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().records.len(), 1);
    }
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn partial_content_keeps_data_and_warning() {
    let router = token_route(Arc::new(AtomicU32::new(0))).route(
        "/v1.0/security/secureScores",
        get(|| async {
            let mut response: Response = Json(json!({"value": [score_record(17)]})).into_response();
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            response.headers_mut().insert("Warning", "199 - \"Provider MDATP failed\"".parse().unwrap());
            response
        }),
    );
    let client = scripted_client(serve(router).await);

    let fetch = client.secure_scores(&scripted_tenant(), 1).await.unwrap();
    assert_eq!(fetch.records.len(), 1);
    assert_eq!(fetch.warnings, ["199 - \"Provider MDATP failed\""]);
}

#[tokio::test]
async fn slow_answer_times_out() {
    let router = token_route(Arc::new(AtomicU32::new(0))).route(
        "/v1.0/security/secureScores",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Json(json!({"value": []}))
        }),
    );
    let addr = serve(router).await;
    let mut config = config(format!("http://{addr}/v1.0"), format!("http://{addr}"));
    config.request_timeout = Duration::from_millis(200);
    config.max_retries = 1;
    let client = GraphClient::new(config).unwrap();

    let error = client.secure_scores(&scripted_tenant(), 1).await.unwrap_err();
    assert!(matches!(error, GraphError::Timeout), "{error:?}");
}

#[tokio::test]
async fn refused_connection_is_network_error() {
    // Bind and release a port so nothing listens on it.
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mut config = config(format!("http://{addr}/v1.0"), format!("http://{addr}"));
    config.max_retries = 1;
    let client = GraphClient::new(config).unwrap();

    let error = client.secure_scores(&scripted_tenant(), 1).await.unwrap_err();
    assert!(matches!(error, GraphError::Network { .. }), "{error:?}");
    assert!(!error.user_message().contains(CLIENT_SECRET));
}

#[tokio::test]
async fn fixture_capture_is_read_by_client() {
    let captures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/graph");
    if !captures.is_dir() {
        println!("skipped: the shared Graph captures folder is not present beside this checkout");
        return;
    }
    let dir = std::env::temp_dir().join(format!("graph-client-test-{}-{}", std::process::id(), fastrand::u64(..)));
    let tenant_id = "12345678-1234-1234-1234-1234567890abcd";
    std::fs::create_dir_all(dir.join(tenant_id)).unwrap();
    std::fs::copy(captures.join("heimdall2_secureScores_single.json"), dir.join(tenant_id).join("secureScores.json"))
        .unwrap();

    let sim = start(SimOptions { fixtures: Some(dir.clone()), ..options() }).await;
    let result = client(&sim).secure_scores(&TenantId::parse(tenant_id).unwrap(), 90).await;
    let _ = std::fs::remove_dir_all(&dir);

    let fetch = result.unwrap();
    assert_eq!(fetch.records.len(), 1);
    assert_eq!(fetch.records[0].current_score, 128.0);
    assert_eq!(fetch.records[0].max_score, 274.0);
    assert_eq!(fetch.records[0].control_scores.len(), 68);
}
