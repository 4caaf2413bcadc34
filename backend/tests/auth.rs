//! Access control against the real database (SQLite, and PostgreSQL when
//! TEST_DATABASE_URL is set): accounts, sessions, API tokens, client links,
//! sealed Graph credentials and the audit log.

use backend::auth::audit::{self, NewAuditEvent};
use backend::auth::client_links::{self, LinkRejection};
use backend::auth::crypto::SecretKey;
use backend::auth::{api_tokens, graph_credentials, passwords, sessions, users};
use backend::entity::{api_token, client_link, graph_credential, session};
use backend::graph::Secret;
use backend::store::tenants::{self, TenantInput};
use backend::{testing, ServiceError};
use chrono::{DateTime, Duration, Utc};
use domain::{Role, TenantId, TokenScope};
use sea_orm::{DatabaseConnection, EntityTrait};

const PASSWORD: &str = "correct horse battery";
const TENANT: &str = "4b8c18bd-2f9f-4227-af55-9f1061cf9c32";

fn now() -> DateTime<Utc> {
    "2026-12-04T12:00:00Z".parse().unwrap()
}

async fn register_tenant(db: &DatabaseConnection) -> TenantId {
    let tenant_id = TenantId::parse(TENANT).unwrap();
    let input = TenantInput { tenant_id: tenant_id.clone(), display_name: "Harbor Dental".into(), industry: None, excluded: false };
    tenants::upsert(db, input, now()).await.unwrap();
    tenant_id
}

/// Changes the last character to another hex digit.
fn tamper(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let last = chars.last_mut().unwrap();
    *last = if *last == '0' { '1' } else { '0' };
    chars.into_iter().collect()
}

/// Reads every column value of every row of `E` as a string.
async fn stored_values<E: EntityTrait>(db: &DatabaseConnection, _entity: E) -> Vec<String> {
    let rows = E::find().into_json().all(db).await.unwrap();
    assert!(!rows.is_empty(), "the table has no rows to check");
    rows.iter()
        .flat_map(|row| row.as_object().unwrap().values())
        .map(|value| match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[test]
fn password_hash_is_argon2id_and_verifies() {
    let hash = passwords::hash(PASSWORD).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(passwords::verify(PASSWORD, &hash));
    assert!(!passwords::verify("correct horse battery!", &hash));
    assert!(!passwords::verify(PASSWORD, "not a hash"));
    assert_ne!(passwords::hash(PASSWORD).unwrap(), hash, "each hash has its own salt");
}

#[tokio::test]
async fn user_create_validates_input() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;

        let short = users::create(db, "alice@example.com", Role::Admin, "elevenchars", now()).await.unwrap_err();
        assert!(matches!(short, ServiceError::BadRequest(_)), "{label}: {short:?}");
        assert!(short.to_string().contains("at least 12"), "{label}: {short}");
        assert!(!short.to_string().contains("elevenchars"), "{label}: {short}");

        for email in ["alice", "a@b@c", "@example.com", "alice@", "al ice@example.com"] {
            let error = users::create(db, email, Role::Viewer, PASSWORD, now()).await.unwrap_err();
            assert!(matches!(error, ServiceError::BadRequest(_)), "{label}: {email}: {error:?}");
        }
        let too_long = format!("{}@example.com", "a".repeat(250));
        assert!(users::create(db, &too_long, Role::Viewer, PASSWORD, now()).await.is_err(), "{label}");

        let created = users::create(db, "  Alice@Example.COM ", Role::Analyst, PASSWORD, now()).await.unwrap();
        assert_eq!(created.email, "alice@example.com", "{label}");
        assert_eq!(created.role, Role::Analyst, "{label}");
        assert!(!created.disabled, "{label}");
        assert_eq!(created.created_at, now(), "{label}");
        assert_eq!(created.last_login_at, None, "{label}");

        let duplicate = users::create(db, "ALICE@example.com", Role::Viewer, PASSWORD, now()).await.unwrap_err();
        assert!(matches!(duplicate, ServiceError::Conflict(_)), "{label}: {duplicate:?}");

        assert_eq!(users::list(db).await.unwrap(), vec![created.clone()], "{label}");
        assert_eq!(users::find(db, created.id).await.unwrap(), Some(created), "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn authenticate_checks_password_and_status() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        let alice = users::create(db, "alice@example.com", Role::Viewer, PASSWORD, now()).await.unwrap();
        users::create(db, "root@example.com", Role::Admin, PASSWORD, now()).await.unwrap();
        let later = now() + Duration::minutes(5);

        let signed_in = users::authenticate(db, "Alice@Example.com", PASSWORD, later).await.unwrap();
        assert_eq!(signed_in.as_ref().map(|u| u.id), Some(alice.id), "{label}");
        assert_eq!(signed_in.unwrap().last_login_at, Some(later), "{label}");
        assert_eq!(users::find(db, alice.id).await.unwrap().unwrap().last_login_at, Some(later), "{label}");

        assert_eq!(users::authenticate(db, "alice@example.com", "wrong password!", later).await.unwrap(), None, "{label}");
        assert_eq!(users::authenticate(db, "nobody@example.com", PASSWORD, later).await.unwrap(), None, "{label}");
        assert_eq!(users::authenticate(db, "not an address", PASSWORD, later).await.unwrap(), None, "{label}");

        users::set_disabled(db, alice.id, true, later).await.unwrap();
        assert_eq!(users::authenticate(db, "alice@example.com", PASSWORD, later).await.unwrap(), None, "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn first_admin_is_created_once() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        users::create(db, "viewer@example.com", Role::Viewer, PASSWORD, now()).await.unwrap();
        assert_eq!(users::count_admins(db).await.unwrap(), 0, "{label}");

        let password = users::ensure_first_admin(db, "Admin@Example.com", now()).await.unwrap().unwrap();
        assert_eq!(password.chars().count(), 20, "{label}");
        assert_eq!(users::count_admins(db).await.unwrap(), 1, "{label}");
        let admin = users::authenticate(db, "admin@example.com", &password, now()).await.unwrap().unwrap();
        assert_eq!(admin.role, Role::Admin, "{label}");

        assert_eq!(users::ensure_first_admin(db, "other@example.com", now()).await.unwrap(), None, "{label}");
        assert_eq!(users::count_admins(db).await.unwrap(), 1, "{label}");
        assert_eq!(users::list(db).await.unwrap().len(), 2, "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn last_admin_cannot_be_demoted_or_disabled() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        let admin = users::create(db, "root@example.com", Role::Admin, PASSWORD, now()).await.unwrap();

        let demoted = users::set_role(db, admin.id, Role::Viewer, now()).await.unwrap_err();
        assert!(matches!(demoted, ServiceError::Conflict(_)), "{label}: {demoted:?}");
        let disabled = users::set_disabled(db, admin.id, true, now()).await.unwrap_err();
        assert!(matches!(disabled, ServiceError::Conflict(_)), "{label}: {disabled:?}");

        users::create(db, "second@example.com", Role::Admin, PASSWORD, now()).await.unwrap();
        assert_eq!(users::set_role(db, admin.id, Role::Viewer, now()).await.unwrap().role, Role::Viewer, "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn session_resolves_until_idle_or_absolute_timeout() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        let alice = users::create(db, "alice@example.com", Role::Analyst, PASSWORD, now()).await.unwrap();

        let session = sessions::create(db, alice.id, Some("127.0.0.1"), now()).await.unwrap();
        assert_eq!(session.token.len(), 64, "{label}");
        assert_eq!(session.expires_at, now() + Duration::hours(12), "{label}");
        assert!(!format!("{session:?}").contains(&session.token), "{label}");
        let resolved = sessions::resolve(db, &session.token, now()).await.unwrap().unwrap();
        assert_eq!(resolved.user.id, alice.id, "{label}");
        assert_eq!(resolved.user.role, Role::Analyst, "{label}");

        // Idle: 1 h 59 min after the last request is fine, 2 h is not.
        let idle = sessions::create(db, alice.id, None, now()).await.unwrap();
        let almost_idle = now() + Duration::minutes(119);
        assert!(sessions::resolve(db, &idle.token, almost_idle).await.unwrap().is_some(), "{label}");
        let idle_again = almost_idle + Duration::hours(2);
        assert!(sessions::resolve(db, &idle.token, idle_again).await.unwrap().is_none(), "{label}");

        // Absolute: requests every 90 minutes keep it alive until 12 h.
        let busy = sessions::create(db, alice.id, None, now()).await.unwrap();
        for step in 1..=7 {
            let at = now() + Duration::minutes(90 * step);
            assert!(sessions::resolve(db, &busy.token, at).await.unwrap().is_some(), "{label}: step {step}");
        }
        let at_expiry = now() + Duration::hours(12);
        assert!(sessions::resolve(db, &busy.token, at_expiry).await.unwrap().is_none(), "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn session_rejects_revoked_tampered_and_disabled() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        let alice = users::create(db, "alice@example.com", Role::Viewer, PASSWORD, now()).await.unwrap();
        users::create(db, "root@example.com", Role::Admin, PASSWORD, now()).await.unwrap();

        let session = sessions::create(db, alice.id, None, now()).await.unwrap();
        assert!(sessions::resolve(db, &tamper(&session.token), now()).await.unwrap().is_none(), "{label}");
        assert!(sessions::resolve(db, &session.token.to_uppercase(), now()).await.unwrap().is_none(), "{label}");
        assert!(sessions::resolve(db, "", now()).await.unwrap().is_none(), "{label}");
        assert!(sessions::resolve(db, &session.token, now()).await.unwrap().is_some(), "{label}");

        sessions::revoke(db, &session.token).await.unwrap();
        assert!(sessions::resolve(db, &session.token, now()).await.unwrap().is_none(), "{label}");

        let first = sessions::create(db, alice.id, None, now()).await.unwrap();
        sessions::create(db, alice.id, None, now()).await.unwrap();
        assert_eq!(sessions::revoke_for_user(db, alice.id).await.unwrap(), 2, "{label}");
        assert!(sessions::resolve(db, &first.token, now()).await.unwrap().is_none(), "{label}");

        let before_disable = sessions::create(db, alice.id, None, now()).await.unwrap();
        users::set_disabled(db, alice.id, true, now()).await.unwrap();
        assert!(sessions::resolve(db, &before_disable.token, now()).await.unwrap().is_none(), "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn api_token_resolves_until_revoked() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;

        let blank = api_tokens::create(db, "  ", TokenScope::Read, None, now()).await.unwrap_err();
        assert!(matches!(blank, ServiceError::BadRequest(_)), "{label}: {blank:?}");

        let (raw, info) = api_tokens::create(db, " ci-export ", TokenScope::ReadWrite, Some("user:root@example.com"), now())
            .await
            .unwrap();
        assert!(raw.starts_with("tc_"), "{label}");
        assert_eq!(raw.len(), 67, "{label}");
        assert_eq!(info.prefix, raw[..10], "{label}");
        assert_eq!(info.name, "ci-export", "{label}");
        assert_eq!(info.scope, TokenScope::ReadWrite, "{label}");
        assert_eq!(info.created_by.as_deref(), Some("user:root@example.com"), "{label}");
        assert_eq!(info.last_used_at, None, "{label}");

        let later = now() + Duration::minutes(3);
        let resolved = api_tokens::resolve(db, &raw, later).await.unwrap().unwrap();
        assert_eq!(resolved.id, info.id, "{label}");
        assert_eq!(resolved.last_used_at, Some(later), "{label}");
        assert!(api_tokens::resolve(db, &tamper(&raw), later).await.unwrap().is_none(), "{label}");
        assert!(api_tokens::resolve(db, &raw[3..], later).await.unwrap().is_none(), "{label}");

        assert!(api_tokens::revoke(db, info.id, later).await.unwrap(), "{label}");
        assert!(api_tokens::resolve(db, &raw, later).await.unwrap().is_none(), "{label}");
        assert!(!api_tokens::revoke(db, info.id, later).await.unwrap(), "{label}: second revoke");
        assert!(!api_tokens::revoke(db, 9999, later).await.unwrap(), "{label}: unknown id");

        let listed = api_tokens::list(db).await.unwrap();
        assert_eq!(listed.len(), 1, "{label}");
        assert_eq!(listed[0].revoked_at, Some(later), "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn raw_tokens_are_not_stored() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        let tenant = register_tenant(db).await;
        let alice = users::create(db, "alice@example.com", Role::Admin, PASSWORD, now()).await.unwrap();

        let session = sessions::create(db, alice.id, None, now()).await.unwrap();
        let (api_raw, _) = api_tokens::create(db, "ci", TokenScope::Read, None, now()).await.unwrap();
        let (link_raw, _) = client_links::create(db, &tenant, None, 30, now()).await.unwrap();

        let checks = [
            ("sessions", stored_values(db, session::Entity).await, session.token),
            ("api_tokens", stored_values(db, api_token::Entity).await, api_raw),
            ("client_links", stored_values(db, client_link::Entity).await, link_raw),
        ];
        for (table, values, raw) in checks {
            for value in values {
                assert!(!value.contains(&raw), "{label}: {table} stores the raw token");
            }
        }
        test_db.finish().await;
    }
}

#[tokio::test]
async fn client_link_resolves_until_expiry_or_revocation() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        let tenant = register_tenant(db).await;

        let (raw, info) = client_links::create(db, &tenant, Some("user:alice@example.com"), client_links::DEFAULT_DAYS, now())
            .await
            .unwrap();
        assert_eq!(raw.len(), 64, "{label}");
        assert_eq!(info.expires_at, now() + Duration::days(30), "{label}");
        assert_eq!(info.tenant_id, TENANT, "{label}");

        let used_at = now() + Duration::days(29);
        let resolved = client_links::resolve(db, &raw, used_at).await.unwrap().unwrap();
        assert_eq!(resolved.id, info.id, "{label}");
        assert_eq!(resolved.last_used_at, Some(used_at), "{label}");

        let expired = client_links::resolve(db, &raw, now() + Duration::days(30)).await.unwrap();
        assert_eq!(expired, Err(LinkRejection::Expired), "{label}");
        assert_eq!(
            LinkRejection::Expired.message(),
            "This link has expired. Ask your IT provider for a new one.",
            "{label}"
        );

        let tampered = client_links::resolve(db, &tamper(&raw), now()).await.unwrap();
        assert_eq!(tampered, Err(LinkRejection::Unknown), "{label}");
        let garbage = client_links::resolve(db, "../../etc/passwd", now()).await.unwrap();
        assert_eq!(garbage, Err(LinkRejection::Unknown), "{label}");

        assert!(client_links::revoke(db, info.id, now()).await.unwrap(), "{label}");
        let revoked = client_links::resolve(db, &raw, now()).await.unwrap();
        assert_eq!(revoked, Err(LinkRejection::Revoked), "{label}");

        let listed = client_links::list_for_tenant(db, &tenant).await.unwrap();
        assert_eq!(listed.len(), 1, "{label}");
        assert_eq!(listed[0].revoked_at, Some(now()), "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn client_link_checks_tenant_and_days() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        let unregistered = TenantId::parse("00000000-0000-0000-0000-000000000001").unwrap();
        let missing = client_links::create(db, &unregistered, None, 30, now()).await.unwrap_err();
        assert!(matches!(missing, ServiceError::NotFound(_)), "{label}: {missing:?}");

        let tenant = register_tenant(db).await;
        for days in [0, 366] {
            let error = client_links::create(db, &tenant, None, days, now()).await.unwrap_err();
            assert!(matches!(error, ServiceError::BadRequest(_)), "{label}: {days}: {error:?}");
            assert!(error.to_string().contains("1 to 365"), "{label}: {error}");
        }
        let (_, longest) = client_links::create(db, &tenant, None, 365, now()).await.unwrap();
        assert_eq!(longest.expires_at, now() + Duration::days(365), "{label}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn credentials_round_trip_sealed() {
    let key = SecretKey::load(Some(&"2a".repeat(32)), std::path::Path::new("/nonexistent/secret.key")).unwrap();
    let other_key = SecretKey::load(Some(&"3b".repeat(32)), std::path::Path::new("/nonexistent/secret.key")).unwrap();
    let secret_text = "Q~8pX.graph-client-secret-value";
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        let tenant = register_tenant(db).await;
        assert!(graph_credentials::load(db, &key, None).await.unwrap().is_none(), "{label}");

        graph_credentials::store(db, &key, None, "client-default", &Secret::new(secret_text), now()).await.unwrap();
        graph_credentials::store(db, &key, Some(&tenant), "client-tenant", &Secret::new("tenant-secret"), now())
            .await
            .unwrap();
        let (client_id, secret) = graph_credentials::load(db, &key, None).await.unwrap().unwrap();
        assert_eq!(client_id, "client-default", "{label}");
        assert_eq!(secret.expose(), secret_text, "{label}");
        let (tenant_client, tenant_secret) = graph_credentials::load(db, &key, Some(&tenant)).await.unwrap().unwrap();
        assert_eq!((tenant_client.as_str(), tenant_secret.expose()), ("client-tenant", "tenant-secret"), "{label}");

        // Storing again replaces the row of that scope.
        graph_credentials::store(db, &key, None, "client-rotated", &Secret::new(secret_text), now()).await.unwrap();
        let rows = graph_credential::Entity::find().all(db).await.unwrap();
        assert_eq!(rows.len(), 2, "{label}");
        for row in &rows {
            assert!(!contains_bytes(&row.secret_sealed, secret_text.as_bytes()), "{label}: plaintext in the blob");
            assert!(!contains_bytes(&row.secret_sealed, b"tenant-secret"), "{label}: plaintext in the blob");
        }
        assert_eq!(graph_credentials::load(db, &key, None).await.unwrap().unwrap().0, "client-rotated", "{label}");

        let error = graph_credentials::load(db, &other_key, None).await.unwrap_err();
        assert!(matches!(error, ServiceError::Internal(_)), "{label}: {error:?}");
        assert!(!format!("{error} {error:?}").contains(secret_text), "{label}: the error shows the secret");

        let unregistered = TenantId::parse("00000000-0000-0000-0000-000000000001").unwrap();
        let missing = graph_credentials::store(db, &key, Some(&unregistered), "c", &Secret::new("s"), now())
            .await
            .unwrap_err();
        assert!(matches!(missing, ServiceError::NotFound(_)), "{label}: {missing:?}");
        test_db.finish().await;
    }
}

#[test]
fn key_file_is_created_private_and_reused() {
    use std::os::unix::fs::PermissionsExt;

    let dir = testing::temp_dir("key");
    let path = dir.join("nested").join("secret.key");
    let first = SecretKey::load(None, &path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let sealed = first.encrypt(b"hello").unwrap();
    let second = SecretKey::load(Some("  "), &path).unwrap();
    assert_eq!(second.decrypt(&sealed).unwrap(), b"hello");
    assert_eq!(format!("{second:?}"), "[redacted]");

    let fresh = SecretKey::load(None, &dir.join("other.key")).unwrap();
    assert!(fresh.decrypt(&sealed).is_err(), "two new key files got the same key");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn audit_list_paginates_newest_first() {
    for test_db in testing::databases().await {
        let db = &test_db.db;
        let label = test_db.label;
        for minute in 1..=5 {
            let event = NewAuditEvent {
                actor: "cli".into(),
                action: "token.create",
                target: Some(format!("token:{minute}")),
                detail: None,
                source_ip: None,
            };
            audit::record(db, event, now() + Duration::minutes(minute)).await.unwrap();
        }

        let first = audit::list(db, 1, 2).await.unwrap();
        let targets = |page: &domain::AuditPage| page.items.iter().map(|e| e.target.clone().unwrap()).collect::<Vec<_>>();
        assert_eq!(targets(&first), ["token:5", "token:4"], "{label}");
        assert_eq!((first.page, first.page_size, first.total_items, first.total_pages), (1, 2, 5, 3), "{label}");
        assert_eq!(first.items[0].at, now() + Duration::minutes(5), "{label}");
        assert_eq!(first.items[0].actor, "cli", "{label}");

        assert_eq!(targets(&audit::list(db, 2, 2).await.unwrap()), ["token:3", "token:2"], "{label}");
        assert_eq!(targets(&audit::list(db, 3, 2).await.unwrap()), ["token:1"], "{label}");
        assert!(audit::list(db, 4, 2).await.unwrap().items.is_empty(), "{label}");

        assert!(matches!(audit::list(db, 0, 2).await, Err(ServiceError::BadRequest(_))), "{label}");
        assert!(matches!(audit::list(db, 1, 0).await, Err(ServiceError::BadRequest(_))), "{label}");
        assert!(matches!(audit::list(db, 1, 501).await, Err(ServiceError::BadRequest(_))), "{label}");
        test_db.finish().await;
    }
}
