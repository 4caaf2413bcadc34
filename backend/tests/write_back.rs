//! Write-back of improvement-action states to the Graph simulator over real
//! HTTP on loopback, after a real sync into the real database.

use std::net::SocketAddr;
use std::time::Duration;

use backend::analytics::Actor;
use backend::entity::control_profile;
use backend::graph::{GraphClient, GraphConfig, Secret};
use backend::recommendations;
use backend::sim::{Faults, RunningSim, SimOptions, SimScenario, Simulator};
use backend::store::tenants::{self, TenantInput};
use backend::sync::{SyncHandle, SyncSettings, SyncTrigger};
use backend::testing;
use chrono::Utc;
use domain::recommendations::{check_status_request, StatusRequest};
use domain::TenantId;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

async fn start(options: SimOptions) -> RunningSim {
    Simulator::new(options).unwrap().spawn(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap()
}

fn client(sim: &RunningSim) -> GraphClient {
    let mut config = GraphConfig::new(sim.graph_base_url(), sim.login_base_url(), "test-client".into(), Secret::new("test-secret"));
    config.max_retry_wait = Duration::from_millis(200);
    GraphClient::new(config).unwrap()
}

/// Registers the simulator's tenants that have data and syncs them with
/// write-back on.
async fn synced(db: &DatabaseConnection, sim: &RunningSim) -> (SyncHandle, Vec<TenantId>) {
    let mut ids = Vec::new();
    for tenant in sim.tenants().iter().filter(|t| !matches!(t.scenario, SimScenario::NoData | SimScenario::AccessDenied)) {
        let input = TenantInput { tenant_id: tenant.tenant_id.clone(), display_name: tenant.display_name.clone(), industry: None, excluded: false };
        tenants::upsert(db, input, Utc::now()).await.unwrap();
        ids.push(tenant.tenant_id.clone());
    }
    let settings = SyncSettings { write_back: true, ..SyncSettings::default() };
    let handle = SyncHandle::new(db.clone(), Some(client(sim)), settings);
    handle.run_now(SyncTrigger::Cli, None).await.unwrap();
    (handle, ids)
}

fn actor() -> Actor {
    Actor { actor: "user:analyst@example.test".into(), source_ip: None }
}

fn change(status: &str, justification: Option<&str>, third_party: bool) -> domain::recommendations::StatusChange {
    check_status_request(&StatusRequest { status, target_date: None, justification, third_party }).unwrap()
}

async fn state_updates(sim: &RunningSim, tenant: &TenantId, control: &str) -> (String, usize) {
    let fetch = client(sim).control_profiles(tenant).await.unwrap();
    let profile = fetch.profiles.into_iter().find(|p| p.id == control).unwrap();
    (profile.effective_state(), profile.control_state_updates.len())
}

async fn stored_state(db: &DatabaseConnection, tenant: &TenantId, control: &str) -> String {
    let tenant = tenants::find(db, tenant).await.unwrap().unwrap();
    control_profile::Entity::find()
        .filter(control_profile::Column::TenantId.eq(tenant.id))
        .filter(control_profile::Column::ControlId.eq(control))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .effective_state
}

/// A control every generated tenant has and that is in the `Default` state
/// for the first tenants.
const CONTROL: &str = "exo_block_auto_forwarding";

#[tokio::test]
async fn risk_accepted_writes_ignored() {
    let sim = start(SimOptions { tenant_count: 4, ..SimOptions::default() }).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let (handle, ids) = synced(db, &sim).await;
        let tenant = &ids[0];
        let (before, updates) = state_updates(&sim, tenant, CONTROL).await;
        assert_eq!(before, "Default", "{}", test_db.label);

        let accepted = change("risk_accepted", Some("Mail flow rules forward to the archive"), false);
        let outcomes = recommendations::set_status(db, Some(&handle), CONTROL, &[tenant.to_string()], &accepted, &actor(), Utc::now()).await.unwrap();
        let graph = outcomes[0].graph.clone().expect("a write-back result");
        assert_eq!((graph.state.as_str(), graph.result.as_str()), ("Ignored", "applied"), "{}", graph.message);
        assert_eq!(state_updates(&sim, tenant, CONTROL).await, ("Ignored".to_owned(), updates + 1));
        assert_eq!(stored_state(db, tenant, CONTROL).await, "Ignored", "the read-back state is stored");

        // The same state again: nothing is sent.
        let outcomes = recommendations::set_status(db, Some(&handle), CONTROL, &[tenant.to_string()], &accepted, &actor(), Utc::now()).await.unwrap();
        assert_eq!(outcomes[0].graph.as_ref().map(|g| g.result.as_str()), Some("unchanged"));
        assert_eq!(state_updates(&sim, tenant, CONTROL).await.1, updates + 1, "no second PATCH");

        // Back to open: Default is written.
        let outcomes = recommendations::set_status(db, Some(&handle), CONTROL, &[tenant.to_string()], &change("planned", None, false), &actor(), Utc::now()).await.unwrap();
        assert_eq!(outcomes[0].graph.as_ref().map(|g| (g.state.as_str(), g.result.as_str())), Some(("Default", "applied")));
        assert_eq!(state_updates(&sim, tenant, CONTROL).await, ("Default".to_owned(), updates + 2));
        test_db.finish().await;
    }
    sim.shutdown();
}

#[tokio::test]
async fn defender_device_controls_are_refused() {
    let sim = start(SimOptions { tenant_count: 2, ..SimOptions::default() }).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let (handle, ids) = synced(db, &sim).await;
        let accepted = change("risk_accepted", Some("Covered by another antivirus"), false);
        let outcomes = recommendations::set_status(db, Some(&handle), "scid_4101", &[ids[0].to_string()], &accepted, &actor(), Utc::now()).await.unwrap();
        // The status is stored; only the write-back is refused, with the reason.
        assert!(outcomes[0].ok, "{:?}", outcomes[0]);
        let graph = outcomes[0].graph.clone().unwrap();
        assert_eq!(graph.result, "refused", "{}", test_db.label);
        assert!(graph.message.contains("Microsoft Defender portal"), "{}", graph.message);
        test_db.finish().await;
    }
    sim.shutdown();
}

#[tokio::test]
async fn one_tenants_rejected_update_leaves_the_others_applied() {
    let probe = start(SimOptions { tenant_count: 4, ..SimOptions::default() }).await;
    let rejected = probe.tenants()[1].tenant_id.clone();
    probe.shutdown();
    let faults = Faults { reject_updates: vec![rejected.clone()], ..Faults::default() };
    let sim = start(SimOptions { tenant_count: 4, faults, ..SimOptions::default() }).await;
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let (handle, ids) = synced(db, &sim).await;
        assert!(ids.contains(&rejected));
        let mut before = Vec::new();
        for id in &ids {
            before.push(state_updates(&sim, id, CONTROL).await.0);
        }
        let third_party = change("completed", None, true);
        let tenant_ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let outcomes = recommendations::set_status(db, Some(&handle), CONTROL, &tenant_ids, &third_party, &actor(), Utc::now()).await.unwrap();
        assert_eq!(outcomes.len(), ids.len());
        for (outcome, state_before) in outcomes.iter().zip(&before) {
            assert!(outcome.ok, "the status is stored for every tenant: {outcome:?}");
            let graph = outcome.graph.clone().unwrap();
            if state_before == "ThirdParty" {
                // The tenant's admin had already set it in the portal.
                assert_eq!(graph.result, "unchanged", "{}", outcome.tenant_id);
            } else if outcome.tenant_id == rejected.as_str() {
                assert_eq!(graph.result, "failed", "{}", test_db.label);
                assert!(graph.message.contains("400"), "{}", graph.message);
            } else {
                assert_eq!((graph.state.as_str(), graph.result.as_str()), ("ThirdParty", "applied"), "{}", outcome.tenant_id);
            }
        }
        // The simulator scores ThirdParty controls in full from that day: the
        // next sync closes the gap and confirms the completion.
        handle.run_now(SyncTrigger::Cli, None).await.unwrap();
        let detail = recommendations::detail(db, CONTROL).await.unwrap();
        let applied = detail.tenants.iter().find(|t| t.tenant_id == ids[0].as_str()).unwrap();
        assert_eq!(applied.points_available, 0.0, "{applied:?}");
        assert_eq!(applied.status, domain::recommendations::Status::Completed);
        test_db.finish().await;
    }
    sim.shutdown();
}
