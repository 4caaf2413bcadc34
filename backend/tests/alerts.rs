//! Alerts end to end: real syncs from the Graph simulator over loopback HTTP
//! into the real database, rule evaluation after each tenant, and notices
//! delivered to a real SMTP sink and webhook receiver started by the test.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use backend::alerts::sink::{Received, Sink};
use backend::alerts::{AlertQuery, AlertStatusFilter, Notifier, SmtpSettings, SmtpTls};
use backend::analytics::Actor;
use backend::auth::SecretKey;
use backend::graph::{GraphClient, GraphConfig, Secret};
use backend::sim::{Faults, RunningSim, SimOptions, SimScenario, Simulator};
use backend::store::tenants::{self, TenantInput};
use backend::sync::{SyncHandle, SyncSettings, SyncTrigger};
use backend::testing;
use chrono::Utc;
use domain::alerts::{AlertConfigInput, AlertKind, AlertView, ChannelInput, Severity, ThresholdInput};
use domain::TenantId;
use hmac::{Hmac, Mac};
use sea_orm::DatabaseConnection;
use sha2::Sha256;

const KEY_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const WEBHOOK_SECRET: &str = "correct horse battery staple";

async fn start(options: SimOptions) -> RunningSim {
    Simulator::new(options).unwrap().spawn(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap()
}

fn client(sim: &RunningSim) -> GraphClient {
    let mut config = GraphConfig::new(sim.graph_base_url(), sim.login_base_url(), "test-client".into(), Secret::new("test-secret"));
    config.max_retry_wait = Duration::from_millis(200);
    config.max_retries = 0;
    GraphClient::new(config).unwrap()
}

fn key() -> SecretKey {
    SecretKey::load(Some(KEY_HEX), std::path::Path::new("/nonexistent/key")).unwrap()
}

fn actor() -> Actor {
    Actor { actor: "user:admin@example.test".into(), source_ip: None }
}

fn notifier(db: &DatabaseConnection, sink: &Sink) -> Notifier {
    let smtp = SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.smtp_port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "alerts@msp.example".into(),
    };
    Notifier::new(db.clone(), key(), Some(smtp), Some("https://dash.msp.example/".into())).unwrap()
}

/// Registers every simulator tenant of the given scenarios.
async fn register(db: &DatabaseConnection, sim: &RunningSim, keep: impl Fn(SimScenario) -> bool) -> Vec<(TenantId, SimScenario)> {
    let mut out = Vec::new();
    for tenant in sim.tenants().into_iter().filter(|t| keep(t.scenario)) {
        let input = TenantInput { tenant_id: tenant.tenant_id.clone(), display_name: tenant.display_name.clone(), industry: None, excluded: false };
        tenants::upsert(db, input, Utc::now()).await.unwrap();
        out.push((tenant.tenant_id, tenant.scenario));
    }
    out
}

async fn configure(db: &DatabaseConnection, input: AlertConfigInput) {
    backend::alerts::configure(db, &key(), input, &actor(), true, Utc::now()).await.unwrap();
}

fn channels(sink: &Sink) -> Vec<ChannelInput> {
    vec![
        ChannelInput {
            name: "Ops e-mail".into(),
            kind: Some("email".into()),
            recipients: Some(vec!["ops@msp.example".into()]),
            ..Default::default()
        },
        ChannelInput {
            name: "PSA webhook".into(),
            kind: Some("webhook".into()),
            url: Some(sink.url("/hooks/psa")),
            secret: Some(WEBHOOK_SECRET.into()),
            ..Default::default()
        },
    ]
}

async fn all_alerts(db: &DatabaseConnection) -> Vec<AlertView> {
    let query = AlertQuery { status: AlertStatusFilter::All, page_size: 500, ..Default::default() };
    backend::alerts::list(db, &query).await.unwrap().items
}

/// Asks the simulator to zero the tenant's best controls today; returns
/// the names of the controls it zeroed.
async fn regress(sim: &RunningSim, tenant: &TenantId) -> BTreeSet<String> {
    let url = format!("{}/sim/tenants/{}/regress", sim.login_base_url(), tenant.as_str());
    let response: serde_json::Value = reqwest::Client::new().post(url).send().await.unwrap().error_for_status().unwrap().json().await.unwrap();
    response["controls"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
}

/// Decodes a quoted-printable body (RFC 2045): soft line breaks and `=XX`.
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// `sha256=<hex>` computed here, independently of the code under test.
fn expected_signature(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn regression_opens_one_alert_with_its_cause_and_one_notice_per_channel() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let sim = start(SimOptions { tenant_count: 6, ..SimOptions::default() }).await;
        let sink = Sink::start(None, None).await.unwrap();
        let notifier = notifier(db, &sink);
        let ids = register(db, &sim, |s| s == SimScenario::Normal).await;
        assert!(!ids.is_empty(), "the simulator generated no Normal tenant");
        // Baseline 0: a regression cannot also open Below Baseline here.
        configure(db, AlertConfigInput { defaults: Some(ThresholdInput { baseline: Some(0.0), ..Default::default() }), ..Default::default() }).await;
        let sync = SyncHandle::new(db.clone(), Some(client(&sim)), SyncSettings::default());

        sync.run_now(SyncTrigger::Cli, None).await.unwrap();
        let first = all_alerts(db).await;
        // The same data again: nothing opens, nothing resolves.
        sync.run_now(SyncTrigger::Cli, None).await.unwrap();
        let second = all_alerts(db).await;
        assert_eq!(
            second.iter().map(|a| (a.id, a.status.clone())).collect::<Vec<_>>(),
            first.iter().map(|a| (a.id, a.status.clone())).collect::<Vec<_>>(),
            "{}: a second sync of the same data changed the alerts",
            test_db.label
        );

        let mut all_channels = channels(&sink);
        all_channels.push(ChannelInput { name: "SOC Teams".into(), kind: Some("teams".into()), url: Some(sink.url("/teams")), ..Default::default() });
        all_channels.push(ChannelInput { name: "SOC Slack".into(), kind: Some("slack".into()), url: Some(sink.url("/slack")), ..Default::default() });
        configure(db, AlertConfigInput { channels: all_channels, ..Default::default() }).await;
        let (victim, _) = ids
            .iter()
            .find(|(id, _)| !second.iter().any(|a| a.tenant_id == id.as_str() && a.kind == AlertKind::ScoreDrop && a.status == "open"))
            .expect("a tenant without an open drop")
            .clone();
        let zeroed = regress(&sim, &victim).await;
        assert!(!zeroed.is_empty());

        sync.run_now(SyncTrigger::Cli, None).await.unwrap();
        let third = all_alerts(db).await;
        let new: Vec<&AlertView> = third.iter().filter(|a| !second.iter().any(|b| b.id == a.id)).collect();
        assert_eq!(new.len(), 1, "{}: expected one new alert, got {new:#?}", test_db.label);
        let alert = new[0];
        assert_eq!((alert.kind, alert.severity, alert.tenant_id.as_str()), (AlertKind::ScoreDrop, Severity::Critical, victim.as_str()));
        let cause = alert.cause.as_ref().expect("a drop has a cause");
        assert!(!cause.drift_only);
        let lost: BTreeSet<String> = cause.lost_controls.iter().map(|c| c.control_name.clone()).collect();
        assert_eq!(lost, zeroed, "{}: the cause must list exactly the zeroed controls", test_db.label);
        assert!(cause.lost_controls.iter().all(|c| c.to_score == 0.0 && c.from_score > 0.0));
        assert!(cause.change <= -5.0, "the simulated regression is at least 5 points: {cause:?}");

        let round = notifier.deliver_due(Utc::now()).await.unwrap();
        assert_eq!((round.sent, round.retrying, round.failed), (4, 0, 0), "{}", test_db.label);
        let received = sink.received();
        assert_eq!(received.len(), 4, "{}: {received:#?}", test_db.label);
        let posted = |wanted: &str| {
            received.iter().find_map(|r| match r {
                Received::Webhook { path, body, .. } if path == wanted => Some(serde_json::from_slice::<serde_json::Value>(body).unwrap()),
                _ => None,
            })
        };
        let teams = posted("/teams").expect("one Teams message");
        assert_eq!(teams["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
        assert_eq!(teams["attachments"][0]["content"]["body"][0]["text"], format!("Score drop: {} (Critical)", alert.tenant_name));
        let slack = posted("/slack").expect("one Slack message");
        assert_eq!(slack["blocks"][0]["type"], "header");
        assert!(slack["text"].as_str().unwrap().contains("Secure Score fell"), "{slack}");
        let email = received.iter().find_map(|r| match r {
            Received::Email { from, to, data } => Some((from.clone(), to.clone(), data.clone())),
            Received::Webhook { .. } => None,
        });
        let (from, to, data) = email.expect("one e-mail");
        let data = quoted_printable(&data);
        assert_eq!((from.as_str(), to), ("alerts@msp.example", vec!["ops@msp.example".to_owned()]));
        assert!(data.contains(&format!("Subject: [Secure Score] Score drop: {} (Critical)", alert.tenant_name)), "{data}");
        for control in &zeroed {
            assert!(data.contains(control.as_str()) || cause.lost_controls.len() > 8, "the e-mail names {control}: {data}");
        }
        assert!(data.contains(&format!("https://dash.msp.example/alerts?alert={}", alert.id)), "{data}");

        let hook = received.iter().find(|r| matches!(r, Received::Webhook { path, .. } if path == "/hooks/psa")).expect("one webhook");
        let Received::Webhook { path, body, .. } = hook else { unreachable!() };
        assert_eq!(path, "/hooks/psa");
        assert_eq!(hook.header("x-trustcenter-signature"), Some(expected_signature(body).as_str()), "the receiver can verify the signature");
        let json: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(json["event"], "alert.opened");
        assert_eq!(json["alert"]["id"], alert.id);
        assert_eq!(json["alert"]["type"], "score_drop");
        assert_eq!(json["alert"]["tenantId"], victim.as_str());

        let stored = backend::alerts::get(db, alert.id).await.unwrap();
        assert_eq!(stored.deliveries.iter().map(|d| (d.channel.as_str(), d.status.as_str(), d.attempts)).collect::<Vec<_>>(), [
            ("Ops e-mail", "sent", 1),
            ("PSA webhook", "sent", 1),
            ("SOC Teams", "sent", 1),
            ("SOC Slack", "sent", 1),
        ]);

        // A second sync of the same data: no new alert, no new notice.
        sync.run_now(SyncTrigger::Cli, None).await.unwrap();
        let fourth = all_alerts(db).await;
        assert_eq!(fourth.len(), third.len(), "{}", test_db.label);
        assert_eq!(notifier.deliver_due(Utc::now()).await.unwrap().sent, 0);
        assert_eq!(sink.received().len(), 4);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn failing_channel_is_retried_with_backoff_and_blocks_no_other() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let sim = start(SimOptions { tenant_count: 6, ..SimOptions::default() }).await;
        let sink = Sink::start(None, None).await.unwrap();
        let notifier = notifier(db, &sink);
        let ids = register(db, &sim, |s| s == SimScenario::Normal).await;
        let sync = SyncHandle::new(db.clone(), Some(client(&sim)), SyncSettings::default());
        configure(db, AlertConfigInput { defaults: Some(ThresholdInput { baseline: Some(0.0), ..Default::default() }), ..Default::default() }).await;
        sync.run_now(SyncTrigger::Cli, None).await.unwrap();
        configure(db, AlertConfigInput { channels: channels(&sink), ..Default::default() }).await;
        let before = all_alerts(db).await;
        let (victim, _) = ids
            .iter()
            .find(|(id, _)| !before.iter().any(|a| a.tenant_id == id.as_str() && a.kind == AlertKind::ScoreDrop && a.status == "open"))
            .unwrap()
            .clone();
        regress(&sim, &victim).await;
        sync.run_now(SyncTrigger::Cli, None).await.unwrap();
        let alert = all_alerts(db).await.into_iter().find(|a| !before.iter().any(|b| b.id == a.id)).expect("the drop alert");

        sink.fail_next(2);
        let t0 = Utc::now();
        let round = notifier.deliver_due(t0).await.unwrap();
        assert_eq!((round.sent, round.retrying), (1, 1), "{}: the e-mail goes out although the webhook fails", test_db.label);
        // Not due before the first wait (30 s) is over.
        assert_eq!(notifier.deliver_due(t0 + chrono::Duration::seconds(20)).await.unwrap(), Default::default());
        let round = notifier.deliver_due(t0 + chrono::Duration::seconds(45)).await.unwrap();
        assert_eq!((round.sent, round.retrying), (0, 1));
        // The second wait is 120 s.
        assert_eq!(notifier.deliver_due(t0 + chrono::Duration::seconds(120)).await.unwrap(), Default::default());
        let round = notifier.deliver_due(t0 + chrono::Duration::seconds(200)).await.unwrap();
        assert_eq!((round.sent, round.retrying), (1, 0));

        let stored = backend::alerts::get(db, alert.id).await.unwrap();
        let hook = stored.deliveries.iter().find(|d| d.channel == "PSA webhook").unwrap();
        assert_eq!((hook.status.as_str(), hook.attempts, hook.last_error.as_deref()), ("sent", 3, None));
        let webhooks = sink.received().into_iter().filter(|r| matches!(r, Received::Webhook { .. })).count();
        assert_eq!(webhooks, 1, "failed attempts are answered with 500 and not kept by the receiver");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn three_failed_syncs_in_a_row_open_sync_failing() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let probe = start(SimOptions { tenant_count: 6, ..SimOptions::default() }).await;
        let denied = probe.tenants().into_iter().find(|t| t.scenario == SimScenario::Normal).unwrap().tenant_id;
        drop(probe);
        let sim = start(SimOptions { tenant_count: 6, faults: Faults { forbidden: vec![denied.clone()], ..Faults::default() }, ..SimOptions::default() }).await;
        register(db, &sim, |s| s == SimScenario::Normal).await;
        let sync = SyncHandle::new(db.clone(), Some(client(&sim)), SyncSettings::default());
        let failing = |alerts: &[AlertView]| {
            alerts.iter().filter(|a| a.kind == AlertKind::SyncFailing && a.tenant_id == denied.as_str() && a.status == "open").count()
        };
        for _ in 0..2 {
            sync.run_now(SyncTrigger::Cli, Some(&denied)).await.unwrap();
        }
        assert_eq!(failing(&all_alerts(db).await), 0, "{}: two failures are below the default of three", test_db.label);
        sync.run_now(SyncTrigger::Cli, Some(&denied)).await.unwrap();
        sync.run_now(SyncTrigger::Cli, Some(&denied)).await.unwrap();
        let alerts = all_alerts(db).await;
        assert_eq!(failing(&alerts), 1, "{}: one alert for the episode, however many failures follow", test_db.label);
        let alert = alerts.iter().find(|a| a.kind == AlertKind::SyncFailing).unwrap();
        assert_eq!(alert.message, "The last 4 syncs of this tenant failed.");
        assert_eq!(alert.severity, Severity::Critical);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn first_import_opens_alerts_without_notices() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let sim = start(SimOptions { tenant_count: 6, ..SimOptions::default() }).await;
        let sink = Sink::start(None, None).await.unwrap();
        let notifier = notifier(db, &sink);
        let ids = register(db, &sim, |s| s == SimScenario::Normal).await;
        // Baseline 100: every tenant with data is below it from the start.
        let defaults = ThresholdInput { baseline: Some(100.0), ..Default::default() };
        configure(db, AlertConfigInput { defaults: Some(defaults), channels: channels(&sink), ..Default::default() }).await;
        let sync = SyncHandle::new(db.clone(), Some(client(&sim)), SyncSettings::default());
        sync.run_now(SyncTrigger::Cli, None).await.unwrap();

        let alerts = all_alerts(db).await;
        let below = alerts.iter().filter(|a| a.kind == AlertKind::BelowBaseline).count();
        assert_eq!(below, ids.len(), "{}: one Below Baseline alert per tenant", test_db.label);
        assert!(alerts.iter().all(|a| a.deliveries.is_empty()), "{}: the onboarding sync queues no notice", test_db.label);
        assert_eq!(notifier.deliver_due(Utc::now()).await.unwrap().sent, 0);
        assert!(sink.received().is_empty());
        test_db.finish().await;
    }
}

#[tokio::test]
async fn action_added_after_first_sync_opens_new_recommendation() {
    use backend::graph::wire::{parse_control_profiles, parse_secure_scores};
    use backend::store::ingest::ingest_tenant;

    for test_db in testing::databases().await {
        let db = &test_db.db;
        let id = TenantId::parse("a7000000-0000-4000-8000-000000000007").unwrap();
        let input = TenantInput { tenant_id: id.clone(), display_name: "Aspen Legal".into(), industry: None, excluded: false };
        tenants::upsert(db, input, Utc::now()).await.unwrap();
        let scores = |date: &str| {
            let body = serde_json::json!({"value": [{"azureTenantId": id.as_str(), "createdDateTime": format!("{date}T02:00:00Z"),
                "currentScore": 50.0, "maxScore": 100.0, "controlScores": []}]});
            parse_secure_scores(body.to_string().as_bytes()).unwrap().records
        };
        let profiles = |ids: &[&str]| {
            let values: Vec<serde_json::Value> = ids
                .iter()
                .map(|c| serde_json::json!({"id": c, "title": format!("Turn on {c}"), "maxScore": 10, "controlStateUpdates": []}))
                .collect();
            parse_control_profiles(serde_json::json!({"value": values}).to_string().as_bytes()).unwrap().profiles
        };
        let first_sync: chrono::DateTime<Utc> = "2026-03-07T04:00:00Z".parse().unwrap();
        let second_sync: chrono::DateTime<Utc> = "2026-03-08T04:00:00Z".parse().unwrap();
        let tenant = tenants::find(db, &id).await.unwrap().unwrap();
        ingest_tenant(db, &tenant, &scores("2026-03-07"), Some(&profiles(&["AdminMfa"])), &[], first_sync).await.unwrap();
        let tenant = tenants::find(db, &id).await.unwrap().unwrap();
        ingest_tenant(db, &tenant, &scores("2026-03-08"), Some(&profiles(&["AdminMfa", "BlockLegacyAuth"])), &[], second_sync).await.unwrap();

        // Baseline 0 keeps Below Baseline out of this test.
        configure(db, AlertConfigInput { defaults: Some(ThresholdInput { baseline: Some(0.0), ..Default::default() }), ..Default::default() }).await;
        let evaluation = backend::alerts::evaluate_tenant(db, tenant.id, "2026-03-08T06:00:00Z".parse().unwrap()).await.unwrap();
        assert_eq!(evaluation.opened, 1, "{}", test_db.label);
        let alerts = all_alerts(db).await;
        assert_eq!(alerts[0].kind, AlertKind::NewRecommendation);
        assert_eq!(alerts[0].message, "Microsoft added the improvement action \"Turn on BlockLegacyAuth\" (BlockLegacyAuth) on 2026-03-08.");
        // Eight days later the event is over and the alert resolves.
        let later = backend::alerts::evaluate_tenant(db, tenant.id, "2026-03-16T06:00:00Z".parse().unwrap()).await.unwrap();
        assert_eq!(later.resolved, 1, "{}", test_db.label);
        test_db.finish().await;
    }
}
