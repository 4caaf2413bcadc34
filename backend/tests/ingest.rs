//! Ingestion into the real database (SQLite, and PostgreSQL when
//! TEST_DATABASE_URL is set), with exact values computed by hand from the
//! payloads.

use backend::entity::{control_score, score_snapshot};
use backend::graph::wire::{parse_control_profiles, parse_secure_scores, PayloadError, SecureScoreRecord};
use backend::service;
use backend::testing;
use backend::store::ingest::{ingest_tenant, record_failure};
use backend::store::tenants::{self, TenantInput};
use chrono::{DateTime, Duration, Utc};
use domain::{SyncStatus, TenantId};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-12-04T12:00:00Z".parse().unwrap()
}

async fn register(db: &DatabaseConnection, id: &str) -> backend::entity::tenant::Model {
    let tenant_id = TenantId::parse(id).unwrap();
    tenants::upsert(
        db,
        TenantInput { tenant_id: tenant_id.clone(), display_name: format!("Tenant {}", &id[..8]), industry: None, excluded: false },
        now(),
    )
    .await
    .unwrap();
    tenants::find(db, &tenant_id).await.unwrap().unwrap()
}

fn record(tenant: &str, created: &str, current: f64, max: f64) -> SecureScoreRecord {
    let body = json!({"value": [{
        "azureTenantId": tenant,
        "createdDateTime": created,
        "currentScore": current,
        "maxScore": max,
        "controlScores": [
            {"controlName": "CtrlA", "controlCategory": "Identity", "score": current, "scoreInPercentage": 50.0}
        ]
    }]});
    parse_secure_scores(body.to_string().as_bytes()).unwrap().records.remove(0)
}

async fn detail(db: &DatabaseConnection, id: &str) -> domain::TenantDetail {
    service::tenant_detail(db, now(), &TenantId::parse(id).unwrap()).await.unwrap()
}

fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
}

const HEIMDALL_TENANT: &str = "12345678-1234-1234-1234-1234567890abcd";

#[tokio::test]
async fn heimdall_capture_gives_128_of_274() {
    let Some(dir) = testing::shared_fixtures() else { return };
    let scores = parse_secure_scores(&read(&dir, "heimdall2_secureScores_single.json")).unwrap();
    let profiles = parse_control_profiles(&read(&dir, "heimdall2_secureScoreControlProfiles_page1.json")).unwrap();
    assert_eq!(profiles.profiles.len(), 200);
    assert!(profiles.next_link.is_some());

    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, HEIMDALL_TENANT).await;
        let outcome = ingest_tenant(db, &tenant, &scores.records, Some(&profiles.profiles), &[], now()).await.unwrap();
        assert_eq!(outcome.snapshots_written, 1, "{}", test_db.label);

        let detail = detail(db, HEIMDALL_TENANT).await;
        assert_eq!(detail.tenant.current_score, Some(128.0));
        assert_eq!(detail.tenant.max_score, Some(274.0));
        assert_eq!(detail.tenant.percentage, Some(46.72));
        let snapshot = detail.latest_snapshot.unwrap();
        assert_eq!(snapshot.snapshot_date.to_string(), "2024-01-01");
        assert_eq!(snapshot.controls.len(), 68);

        // Profile maximum where page 1 has the profile, score / (scoreInPercentage / 100)
        // otherwise, unmatched when scoreInPercentage is 0.
        let by_name: Vec<(&str, f64, f64, Option<f64>, u32, u32)> = snapshot
            .categories
            .iter()
            .map(|c| (c.category.as_str(), c.points, c.max_points, c.percentage, c.controls, c.unmatched_controls))
            .collect();
        assert_eq!(
            by_name,
            [
                ("Identity", 50.0, 59.0, Some(84.75), 11, 2),
                ("Data", 7.0, 7.0, Some(100.0), 4, 2),
                ("Apps", 71.0, 163.0, Some(43.56), 53, 12),
            ],
            "{}",
            test_db.label
        );
        assert!(snapshot.warnings.iter().any(|w| w.starts_with("16 scored control(s)")), "{:?}", snapshot.warnings);
        let peers: Vec<(&str, f64)> = snapshot.peer_averages.iter().map(|p| (p.basis.as_str(), p.average_score)).collect();
        assert_eq!(peers, [("AllTenants", 54.65), ("TotalSeats", 48.98)]);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn graph2otel_capture_is_read_exactly() {
    let Some(dir) = testing::shared_fixtures() else { return };
    let scores = parse_secure_scores(&read(&dir, "graph2otel_live_secureScores_top1.json")).unwrap();
    let profiles = parse_control_profiles(&read(&dir, "graph2otel_live_secureScoreControlProfiles_page1.json")).unwrap();
    let id = "4b8c18bd-2f9f-4227-af55-9f1061cf9c32";
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, id).await;
        ingest_tenant(db, &tenant, &scores.records, Some(&profiles.profiles), &[], now()).await.unwrap();
        let detail = detail(db, id).await;
        // 815.22 / 1376 = 59.2456...
        assert_eq!(detail.tenant.percentage, Some(59.25));
        let snapshot = detail.latest_snapshot.unwrap();
        // The five controls have no profile on this page; all are at 100 %, so
        // their maxima are derived from scoreInPercentage: 4 + 8 + 1 + 8 + 9.
        assert_eq!(snapshot.categories.len(), 1);
        assert_eq!((snapshot.categories[0].points, snapshot.categories[0].max_points), (30.0, 30.0));
        let seats = snapshot.peer_averages.iter().find(|p| p.basis == "TotalSeats").unwrap();
        assert_eq!((seats.average_score, seats.seat_size_range_lower, seats.seat_size_range_upper), (48.1, Some(1), Some(100)));
        let stored_profiles = backend::entity::control_profile::Entity::find().count(db).await.unwrap();
        assert_eq!(stored_profiles, 5);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn documented_example_drops_impossible_industry_average() {
    let Some(dir) = testing::shared_fixtures() else { return };
    let scores = parse_secure_scores(&read(&dir, "docs_v1.0_list_secureScores_example.json")).unwrap();
    let id = "00000001-0001-0001-0001-000000000001c";
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, id).await;
        ingest_tenant(db, &tenant, &scores.records, None, &[], now()).await.unwrap();
        let detail = detail(db, id).await;
        // 387 / 697 = 55.5236...
        assert_eq!(detail.tenant.percentage, Some(55.52));
        let snapshot = detail.latest_snapshot.unwrap();
        // averageScore is a percentage; the documented IndustryTypes value of 109 is impossible.
        let bases: Vec<&str> = snapshot.peer_averages.iter().map(|p| p.basis.as_str()).collect();
        assert_eq!(bases, ["AllTenants", "TotalSeats"]);
        // No profiles and no scoreInPercentage: both controls are unmatched, so no category maximum.
        for category in &snapshot.categories {
            assert_eq!((category.max_points, category.percentage, category.unmatched_controls), (0.0, None, 1));
        }
        test_db.finish().await;
    }
}

#[test]
fn documented_invalid_examples_are_rejected_with_a_reason() {
    let Some(dir) = testing::shared_fixtures() else { return };
    let scores = parse_secure_scores(&read(&dir, "docs_v1.0_get_secureScore_example.AS_DOCUMENTED_INVALID.txt"));
    assert!(matches!(scores, Err(PayloadError::NotJson { resource: "secureScores", .. })), "{scores:?}");
    let message = scores.unwrap_err().to_string();
    assert!(message.starts_with("the secureScores answer is not valid JSON"), "{message}");

    let profiles = parse_control_profiles(&read(&dir, "docs_v1.0_list_secureScoreControlProfiles_example.AS_DOCUMENTED_INVALID.txt"));
    assert!(matches!(profiles, Err(PayloadError::NotJson { .. })), "{profiles:?}");
    let response = parse_control_profiles(&read(&dir, "docs_v1.0_update_secureScoreControlProfile_prefer_response.AS_DOCUMENTED_INVALID.txt"));
    assert!(matches!(response, Err(PayloadError::NotJson { .. })), "{response:?}");

    // The PATCH request body is JSON but not a list response.
    let request = parse_control_profiles(&read(&dir, "docs_v1.0_update_secureScoreControlProfile_request.json"));
    assert_eq!(request, Err(PayloadError::NoValueArray { resource: "secureScoreControlProfiles" }));
}

const TENANT: &str = "aaaaaaaa-0000-4000-8000-000000000001";

#[tokio::test]
async fn same_day_resync_overwrites_the_snapshot() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, TENANT).await;
        ingest_tenant(db, &tenant, &[record(TENANT, "2026-12-04T00:00:00Z", 10.0, 100.0)], None, &[], now()).await.unwrap();
        let tenant = tenants::find(db, &TenantId::parse(TENANT).unwrap()).await.unwrap().unwrap();
        ingest_tenant(db, &tenant, &[record(TENANT, "2026-12-04T06:00:00Z", 20.0, 100.0)], None, &[], now()).await.unwrap();

        assert_eq!(score_snapshot::Entity::find().count(db).await.unwrap(), 1, "{}", test_db.label);
        assert_eq!(control_score::Entity::find().count(db).await.unwrap(), 1);
        assert_eq!(detail(db, TENANT).await.tenant.percentage, Some(20.0));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn second_record_of_a_day_is_dropped_with_a_warning() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, TENANT).await;
        let records = [
            record(TENANT, "2026-12-04T08:00:00Z", 30.0, 100.0),
            record(TENANT, "2026-12-04T00:00:00Z", 10.0, 100.0),
        ];
        let outcome = ingest_tenant(db, &tenant, &records, None, &[], now()).await.unwrap();
        assert_eq!(outcome.snapshots_written, 1);
        assert!(outcome.warnings.iter().any(|w| w.contains("more than one snapshot for 2026-12-04")));
        assert_eq!(detail(db, TENANT).await.tenant.percentage, Some(30.0));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn record_of_another_tenant_is_not_stored() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, TENANT).await;
        let other = "bbbbbbbb-0000-4000-8000-000000000002";
        let outcome = ingest_tenant(db, &tenant, &[record(other, "2026-12-04T00:00:00Z", 30.0, 100.0)], None, &[], now()).await.unwrap();
        assert_eq!(outcome.snapshots_written, 0);
        assert_eq!(score_snapshot::Entity::find().count(db).await.unwrap(), 0);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn empty_value_array_means_no_data() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, TENANT).await;
        let page = parse_secure_scores(br#"{"value": []}"#).unwrap();
        let outcome = ingest_tenant(db, &tenant, &page.records, None, &[], now()).await.unwrap();
        assert_eq!(outcome.status, Some(SyncStatus::NoData));

        let row = detail(db, TENANT).await.tenant;
        assert_eq!(row.percentage, None);
        assert_eq!(row.current_score, None);
        assert_eq!(row.sync_status, SyncStatus::NoData);
        let rows = service::tenant_rows(db, now()).await.unwrap();
        let summary = service::summarise(&rows, None, false);
        assert_eq!(summary.portfolio_average, None);
        assert_eq!((summary.managed_tenants, summary.tenants_with_data, summary.tenants_without_data), (1, 0, 1));
        assert_eq!(summary.distribution.iter().map(|b| b.count).sum::<u32>(), 0);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn rising_maximum_lowers_percentage_as_drift() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, TENANT).await;
        let records = [
            record(TENANT, "2026-12-03T00:00:00Z", 128.0, 300.0),
            record(TENANT, "2026-11-03T00:00:00Z", 128.0, 274.0),
        ];
        ingest_tenant(db, &tenant, &records, None, &[], now()).await.unwrap();
        let row = detail(db, TENANT).await.tenant;
        // 128/300 = 42.67 %, 128/274 = 46.72 %: -4.05 points, all of it maximum drift.
        assert_eq!(row.percentage, Some(42.67));
        assert_eq!(row.trend30d, Some(-4.05));

        let stored = backend::entity::tenant::Entity::find().one(db).await.unwrap().unwrap();
        let change = &stored.trend_detail.unwrap()["30"];
        assert_eq!(change["pointsEffect"].as_f64(), Some(0.0));
        let drift = change["maxDrift"].as_f64().unwrap();
        assert!((drift - (128.0 / 300.0 - 128.0 / 274.0) * 100.0).abs() < 1e-9, "{drift}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn five_day_old_snapshot_is_stale() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, TENANT).await;
        let created = (now() - Duration::days(5)).format("%Y-%m-%dT00:00:00Z").to_string();
        ingest_tenant(db, &tenant, &[record(TENANT, &created, 50.0, 100.0)], None, &[], now()).await.unwrap();
        let rows = service::tenant_rows(db, now()).await.unwrap();
        assert!(rows[0].stale, "{}", test_db.label);
        assert_eq!(service::summarise(&rows, None, false).stale_tenants, 1);

        let fresh = service::tenant_rows(db, now() - Duration::days(4)).await.unwrap();
        assert!(!fresh[0].stale);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn failure_keeps_stored_snapshots() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let tenant = register(db, TENANT).await;
        ingest_tenant(db, &tenant, &[record(TENANT, "2026-12-04T00:00:00Z", 50.0, 100.0)], None, &[], now()).await.unwrap();
        let tenant = tenants::find(db, &TenantId::parse(TENANT).unwrap()).await.unwrap().unwrap();
        record_failure(db, &tenant, SyncStatus::AccessDenied, "Access denied", now()).await.unwrap();

        let row = detail(db, TENANT).await.tenant;
        assert_eq!(row.percentage, Some(50.0));
        assert_eq!(row.sync_status, SyncStatus::AccessDenied);
        assert_eq!(row.sync_message.as_deref(), Some("Access denied"));
        assert_eq!(score_snapshot::Entity::find().count(db).await.unwrap(), 1);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn excluded_tenant_is_in_no_aggregate() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let a = register(db, TENANT).await;
        let b_id = "bbbbbbbb-0000-4000-8000-000000000002";
        let b = register(db, b_id).await;
        ingest_tenant(db, &a, &[record(TENANT, "2026-12-04T00:00:00Z", 40.0, 100.0)], None, &[], now()).await.unwrap();
        ingest_tenant(db, &b, &[record(b_id, "2026-12-04T00:00:00Z", 90.0, 100.0)], None, &[], now()).await.unwrap();
        tenants::upsert(
            db,
            TenantInput { tenant_id: TenantId::parse(b_id).unwrap(), display_name: "Excluded".into(), industry: None, excluded: true },
            now(),
        )
        .await
        .unwrap();
        let summary = service::summarise(&service::tenant_rows(db, now()).await.unwrap(), None, false);
        assert_eq!(summary.portfolio_average, Some(40.0));
        assert_eq!(summary.top_tenant.unwrap().tenant_id, TENANT);
        assert_eq!((summary.managed_tenants, summary.excluded_tenants), (1, 1));
        test_db.finish().await;
    }
}
