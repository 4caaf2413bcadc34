//! Test support for this crate's and the server's tests: databases built by
//! the real migrations (a fresh SQLite file per test, and a fresh
//! PostgreSQL database per test when TEST_DATABASE_URL is set). It is
//! compiled into every build, not behind a feature, so tests reuse the
//! artefacts of the regular debug build instead of compiling the crate twice.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub db: DatabaseConnection,
    pub label: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Held so the folder lives as long as the database.
    Sqlite(#[expect(dead_code, reason = "dropping it removes the folder")] tempdir::Dir),
    Postgres { admin_url: String, name: String },
}

mod tempdir {
    use std::path::{Path, PathBuf};

    /// A temporary folder removed on drop.
    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(tag: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "trust-center-test-{}-{}-{}",
                std::process::id(),
                tag,
                fastrand::u64(..)
            ));
            std::fs::create_dir_all(&path).expect("create temp dir");
            Self(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = tempdir::Dir::new(tag);
    let path = dir.path().to_path_buf();
    std::mem::forget(dir);
    path
}

async fn sqlite() -> TestDb {
    let dir = tempdir::Dir::new("db");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let db = crate::db::connect(&url, 4).await.expect("open sqlite");
    crate::db::migrate(&db).await.expect("migrate sqlite");
    TestDb { db, label: "sqlite", cleanup: Cleanup::Sqlite(dir) }
}

static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Drops test databases left by test processes that have exited (a test
/// that panics never reaches `finish`), so they do not pile up between runs.
/// The creating process id is the first number in each name.
async fn drop_orphaned_databases(admin: &DatabaseConnection) {
    use sea_orm::{DbBackend, Statement};
    let Ok(rows) = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'tc_test_%'",
        ))
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else { continue };
        let pid = name.trim_start_matches("tc_test_").split('_').next().unwrap_or_default();
        let alive = pid.parse::<u32>().is_ok_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
        }
    }
}

async fn postgres(admin_url: &str) -> TestDb {
    let name = format!(
        "tc_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        fastrand::u32(..)
    );
    let admin = Database::connect(admin_url).await.expect("connect to TEST_DATABASE_URL");
    if !SWEPT.swap(true, Ordering::SeqCst) {
        drop_orphaned_databases(&admin).await;
    }
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    let url = match admin_url.rfind('/') {
        Some(slash) if slash > "postgres://".len() => format!("{}/{name}", &admin_url[..slash]),
        _ => panic!("TEST_DATABASE_URL must end with /DATABASE"),
    };
    let db = crate::db::connect(&url, 4).await.expect("open postgres test database");
    crate::db::migrate(&db).await.expect("migrate postgres");
    TestDb {
        db,
        label: "postgres",
        cleanup: Cleanup::Postgres { admin_url: admin_url.to_owned(), name },
    }
}

/// SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.
pub async fn databases() -> Vec<TestDb> {
    let mut out = vec![sqlite().await];
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => out.push(postgres(url.trim()).await),
        _ => eprintln!("TEST_DATABASE_URL is not set: this test runs on SQLite only"),
    }
    out
}

impl TestDb {
    /// Closes the pool and drops a PostgreSQL test database.
    pub async fn finish(self) {
        self.db.close().await.ok();
        if let Cleanup::Postgres { admin_url, name } = self.cleanup {
            if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok();
                admin.close().await.ok();
            }
        }
    }
}

/// Returns the folder of real Graph captures beside the checkout, when present.
pub fn shared_fixtures() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/graph");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} does not exist (the shared Graph captures sit beside the checkout only on development machines)", dir.display());
        None
    }
}
