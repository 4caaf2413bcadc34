//! Sync against the Graph simulator over real HTTP on loopback, into the
//! real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set).

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use backend::entity::{control_score, score_snapshot};
use backend::graph::{GraphClient, GraphConfig, Secret};
use backend::service;
use backend::testing;
use backend::sim::{Faults, RunningSim, SimOptions, Simulator};
use backend::store::tenants::{self, TenantInput};
use backend::sync::{GraphClients, SyncHandle, SyncSettings, SyncTrigger};
use chrono::Utc;
use domain::{SyncStatus, TenantId};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

async fn start(options: SimOptions) -> RunningSim {
    Simulator::new(options)
        .unwrap()
        .spawn(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn client(sim: &RunningSim) -> GraphClient {
    let mut config = GraphConfig::new(sim.graph_base_url(), sim.login_base_url(), "test-client".into(), Secret::new("test-secret"));
    config.max_retry_wait = Duration::from_millis(200);
    GraphClient::new(config).unwrap()
}

async fn register_all(db: &DatabaseConnection, sim: &RunningSim) {
    for tenant in sim.tenants() {
        tenants::upsert(
            db,
            TenantInput {
                tenant_id: tenant.tenant_id.clone(),
                display_name: tenant.display_name.clone(),
                industry: tenant.industry.clone(),
                excluded: false,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    }
}

fn handle(db: &DatabaseConnection, sim: &RunningSim) -> SyncHandle {
    SyncHandle::new(db.clone(), Some(client(sim)), SyncSettings::default())
}

#[tokio::test]
async fn forbidden_tenant_leaves_the_others_synced() {
    let sim = start(SimOptions::default()).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        register_all(db, &sim).await;
        let run = handle(db, &sim).run_now(SyncTrigger::Cli, None).await.unwrap();
        let rows = service::tenant_rows(db, Utc::now()).await.unwrap();
        assert_eq!(run.tenants_done as usize, rows.len());
        assert_eq!(run.status, "partial", "{}", test_db.label);

        let denied: Vec<_> = rows.iter().filter(|r| r.sync_status == SyncStatus::AccessDenied).collect();
        assert_eq!(denied.len(), 1, "one generated tenant answers 403");
        assert!(denied[0].sync_message.as_deref().unwrap_or_default().len() > 20);
        assert_eq!(denied[0].percentage, None);

        let no_data: Vec<_> = rows.iter().filter(|r| r.sync_status == SyncStatus::NoData).collect();
        assert_eq!(no_data.len(), 1, "one generated tenant has no data");
        assert_eq!(no_data[0].percentage, None);

        let synced = rows.iter().filter(|r| r.sync_status == SyncStatus::Ok).count();
        assert_eq!(synced, rows.len() - 2);
        assert!(rows.iter().filter(|r| r.sync_status == SyncStatus::Ok).all(|r| r.percentage.is_some() && r.trend90d.is_some()));
        assert_eq!(run.tenants_failed, 1);
        test_db.finish().await;
    }
    sim.shutdown();
}

#[tokio::test]
async fn syncing_twice_duplicates_nothing() {
    let sim = start(SimOptions { tenant_count: 6, ..SimOptions::default() }).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        register_all(db, &sim).await;
        let sync = handle(db, &sim);
        sync.run_now(SyncTrigger::Cli, None).await.unwrap();
        let snapshots = score_snapshot::Entity::find().count(db).await.unwrap();
        let controls = control_score::Entity::find().count(db).await.unwrap();
        let before = service::tenant_rows(db, Utc::now()).await.unwrap();
        assert!(snapshots >= 4 * 90, "{snapshots} snapshots after the first sync");

        let second = sync.run_now(SyncTrigger::Cli, None).await.unwrap();
        assert!(second.snapshots_written > 0, "the second sync re-reads the last few days");
        assert_eq!(score_snapshot::Entity::find().count(db).await.unwrap(), snapshots, "{}", test_db.label);
        assert_eq!(control_score::Entity::find().count(db).await.unwrap(), controls);
        let mut after = service::tenant_rows(db, Utc::now()).await.unwrap();
        let mut before = before;
        before.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
        after.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
        let figures = |rows: &[domain::TenantRow]| rows.iter().map(|r| (r.percentage, r.trend30d)).collect::<Vec<_>>();
        assert_eq!(figures(&before), figures(&after));
        test_db.finish().await;
    }
    sim.shutdown();
}

const PAGED_TENANT: &str = "cccccccc-0000-4000-8000-000000000003";

/// A recorded tenant whose only scored control has its profile on the third
/// page when the simulator serves two profiles per page.
fn write_paged_fixture(dir: &Path) {
    let tenant_dir = dir.join(PAGED_TENANT);
    std::fs::create_dir_all(&tenant_dir).unwrap();
    let scores = json!({"value": [{
        "id": format!("{PAGED_TENANT}_2026-12-01"),
        "azureTenantId": PAGED_TENANT,
        "createdDateTime": "2026-12-01T00:00:00Z",
        "currentScore": 6.0,
        "maxScore": 10.0,
        "averageComparativeScores": [],
        "controlScores": [
            {"controlName": "LateControl", "controlCategory": "Identity", "score": 6.0, "scoreInPercentage": 0}
        ]
    }]});
    let profile = |id: &str, max: f64| json!({"id": id, "title": id, "controlCategory": "Identity", "maxScore": max, "controlStateUpdates": []});
    let profiles = json!({"value": [
        profile("First", 1.0), profile("Second", 2.0), profile("Third", 3.0), profile("Fourth", 4.0), profile("LateControl", 10.0)
    ]});
    std::fs::write(tenant_dir.join("secureScores.json"), scores.to_string()).unwrap();
    std::fs::write(tenant_dir.join("secureScoreControlProfiles.json"), profiles.to_string()).unwrap();
    std::fs::write(tenant_dir.join("tenant.json"), json!({"displayName": "Paged Profiles Ltd", "industry": "Retail"}).to_string()).unwrap();
}

#[tokio::test]
async fn scored_control_with_profile_on_a_later_page_gets_its_maximum() {
    let dir = testing::temp_dir("paged");
    write_paged_fixture(&dir);
    let sim = start(SimOptions { fixtures: Some(dir.clone()), profile_page_size: 2, ..SimOptions::default() }).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        register_all(db, &sim).await;
        handle(db, &sim).run_now(SyncTrigger::Cli, None).await.unwrap();
        let detail = service::tenant_detail(db, Utc::now(), &TenantId::parse(PAGED_TENANT).unwrap()).await.unwrap();
        let snapshot = detail.latest_snapshot.unwrap();
        let control = &snapshot.controls[0];
        assert_eq!((control.control_name.as_str(), control.max_score, control.max_source.as_str()), ("LateControl", Some(10.0), "profile"));
        assert_eq!(snapshot.categories[0].percentage, Some(60.0));
        assert_eq!(detail.tenant.display_name, "Paged Profiles Ltd");
        test_db.finish().await;
    }
    sim.shutdown();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn recorded_capture_syncs_to_exact_values() {
    let Some(shared) = testing::shared_fixtures() else { return };
    let dir = testing::temp_dir("recorded");
    let tenant = "12345678-1234-1234-1234-1234567890abcd";
    std::fs::create_dir_all(dir.join(tenant)).unwrap();
    std::fs::copy(shared.join("heimdall2_secureScores_single.json"), dir.join(tenant).join("secureScores.json")).unwrap();
    std::fs::copy(
        shared.join("heimdall2_secureScoreControlProfiles_page1.json"),
        dir.join(tenant).join("secureScoreControlProfiles.json"),
    )
    .unwrap();
    let sim = start(SimOptions { fixtures: Some(dir.clone()), ..SimOptions::default() }).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        register_all(db, &sim).await;
        let run = handle(db, &sim).run_now(SyncTrigger::Cli, None).await.unwrap();
        assert_eq!(run.status, "succeeded");
        let detail = service::tenant_detail(db, Utc::now(), &TenantId::parse(tenant).unwrap()).await.unwrap();
        assert_eq!((detail.tenant.current_score, detail.tenant.max_score, detail.tenant.percentage), (Some(128.0), Some(274.0), Some(46.72)));
        assert_eq!(detail.latest_snapshot.unwrap().controls.len(), 68);
        test_db.finish().await;
    }
    sim.shutdown();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn broken_payload_keeps_what_was_stored() {
    let dir = testing::temp_dir("broken");
    write_paged_fixture(&dir);
    let id = TenantId::parse(PAGED_TENANT).unwrap();
    let good = start(SimOptions { fixtures: Some(dir.clone()), ..SimOptions::default() }).await;
    let faults = Faults { truncate: vec![id.clone()], ..Faults::default() };
    let broken = start(SimOptions { fixtures: Some(dir.clone()), faults, ..SimOptions::default() }).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        register_all(db, &good).await;
        handle(db, &good).run_now(SyncTrigger::Cli, None).await.unwrap();
        let run = handle(db, &broken).run_now(SyncTrigger::Cli, None).await.unwrap();
        assert_eq!(run.status, "failed");

        let row = service::tenant_detail(db, Utc::now(), &id).await.unwrap().tenant;
        assert_eq!(row.sync_status, SyncStatus::Failed);
        assert_eq!(row.percentage, Some(60.0), "the stored snapshot survives");
        let stored = score_snapshot::Entity::find().filter(score_snapshot::Column::CurrentScore.eq(6.0)).count(db).await.unwrap();
        assert_eq!(stored, 1);
        test_db.finish().await;
    }
    good.shutdown();
    broken.shutdown();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn background_run_reports_already_running() {
    let sim = start(SimOptions { tenant_count: 6, faults: Faults { delay_ms: 50, ..Faults::default() }, ..SimOptions::default() }).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        register_all(db, &sim).await;
        let sync = handle(db, &sim);
        let first = sync.start(SyncTrigger::Manual).await.unwrap();
        let second = sync.start(SyncTrigger::Manual).await.unwrap();
        let backend::sync::StartOutcome::Started { run_id } = first else { panic!("{first:?}") };
        assert_eq!(second, backend::sync::StartOutcome::AlreadyRunning { run_id });
        for _ in 0..600 {
            if sync.running_run().is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let run = service::latest_sync_run(db).await.unwrap().unwrap();
        assert_eq!((run.id, run.tenants_done, run.tenants_total), (run_id, 6, 6));
        assert!(run.finished_at.is_some());
        test_db.finish().await;
    }
    sim.shutdown();
}

#[tokio::test]
async fn tenant_with_own_credentials_uses_them() {
    let options = SimOptions { tenant_count: 6, client_secret: Some("right-secret".into()), ..SimOptions::default() };
    let sim = start(options).await;
    let client_with = |secret: &str| {
        let config = GraphConfig::new(sim.graph_base_url(), sim.login_base_url(), "test-client".into(), Secret::new(secret));
        GraphClient::new(config).unwrap()
    };
    let own = sim
        .tenants()
        .into_iter()
        .find(|t| matches!(t.scenario, backend::sim::SimScenario::Normal))
        .unwrap()
        .tenant_id;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        register_all(db, &sim).await;
        let clients = GraphClients {
            default: Some(client_with("wrong-secret")),
            per_tenant: [(own.as_str().to_owned(), client_with("right-secret"))].into_iter().collect(),
        };
        let run = SyncHandle::with_clients(db.clone(), clients, SyncSettings::default())
            .run_now(SyncTrigger::Cli, None)
            .await
            .unwrap();
        assert_eq!((run.tenants_done, run.tenants_failed), (6, 5), "{}", test_db.label);
        let rows = service::tenant_rows(db, Utc::now()).await.unwrap();
        let synced: Vec<&str> = rows.iter().filter(|r| r.sync_status == SyncStatus::Ok).map(|r| r.tenant_id.as_str()).collect();
        assert_eq!(synced, [own.as_str()]);
        test_db.finish().await;
    }
    sim.shutdown();
}
