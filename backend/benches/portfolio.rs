//! Portfolio benchmark: a large store, loaded through the real ingestion
//! path, and the read queries behind the overview pages and the tenant page.
//!
//! Run it with
//!
//! ```sh
//! CARGO_TARGET_DIR=/var/tmp/trust-center-target cargo bench -p backend --bench portfolio
//! ```
//!
//! What it does:
//!
//! 1. Creates a fresh SQLite file in a temporary folder. When
//!    `BENCH_DATABASE_URL` names a PostgreSQL server (for example
//!    `postgres://postgres@127.0.0.1:5432/test`), it also creates a fresh
//!    database there, runs the same steps on it and drops it at the end.
//!    Both are built by `backend::db::connect` and `backend::db::migrate`.
//! 2. Registers the tenants with `store::tenants::upsert` and stores a daily
//!    history for each through `store::ingest::ingest_tenant`, one call per
//!    tenant with every record, newest first, as Graph lists them. The
//!    records are JSON generated here from a seeded generator (the same
//!    settings give the same numbers) and read by
//!    `graph::wire::parse_secure_scores`; each tenant also gets one control
//!    profile per control, read by `graph::wire::parse_control_profiles`.
//! 3. Times each `ingest_tenant` call. Then it runs `service::tenant_rows`,
//!    `service::summarise` over those rows (the portfolio figures) and
//!    `service::tenant_detail` for a random tenant, then the analytics
//!    reports (`analytics::trends` over 30, 90 and 365 days,
//!    `analytics::benchmarks`, `service::categories`) and the ranked
//!    improvement actions (`recommendations::list`), `BENCH_ITERATIONS`
//!    times each. It times the alert evaluation that ends each tenant's sync
//!    (`alerts::evaluate_tenant`, up to 200 tenants, three passes, the first
//!    untimed), the open-alerts list and the compliance portfolio
//!    coverage (`compliance::portfolio`), then the tenant and portfolio PDF
//!    reports (data and Typst rendering) up to 5 times each. It prints the median and 95th percentile in milliseconds, the
//!    row counts and the size of the database.
//!
//! Real tenants have 50 to 70 scored controls per snapshot. This load gives
//! each record `BENCH_CONTROLS` (default 10) to keep the load short. Control
//! rows are therefore under-represented by a factor of 5 to 7, and so is the
//! database size. The overview queries read only the `tenants` table and
//! never read control rows. The tenant page reads the controls of one
//! snapshot.
//!
//! Settings (environment variables):
//!
//! | Variable | Default | Meaning |
//! | --- | --- | --- |
//! | `BENCH_TENANTS` | 5000 | tenants registered and loaded |
//! | `BENCH_DAYS` | 730 | days of history of a full-history tenant |
//! | `BENCH_FULL_TENANTS` | all | how many tenants (the first ones) get `BENCH_DAYS` days |
//! | `BENCH_SHORT_DAYS` | 90 | days of history of every other tenant |
//! | `BENCH_CONTROLS` | 10 | scored controls per record (at most 20) |
//! | `BENCH_ITERATIONS` | 50 | timed runs of each query |
//! | `BENCH_DATABASE_URL` | unset | PostgreSQL server URL ending in `/DATABASE`; adds a PostgreSQL run |
//! | `BENCH_SKIP_SQLITE` | unset | `1` skips the SQLite run |
//! | `BENCH_KEEP` | unset | `1` keeps the SQLite file and the PostgreSQL database |
//!
//! NOTE: the defaults (5,000 tenants x 730 days) take roughly 30 minutes
//! on SQLite and 50 on PostgreSQL on 2 cores. These are estimates from
//! 40-tenant runs, so docs/benchmarks.md lists the load that was measured.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use backend::graph::wire::{parse_control_profiles, parse_secure_scores};
use backend::service;
use backend::store::ingest::ingest_tenant;
use backend::store::tenants::{self, TenantInput};
use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::TenantId;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{json, Value};

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// The newest snapshot day. Every run uses the same dates.
const NEWEST_DAY: &str = "2026-12-03";
/// "Now" for the queries: the morning after the newest snapshot, so no
/// tenant is stale.
const NOW: &str = "2026-12-04T09:00:00Z";

const INDUSTRIES: [Option<&str>; 9] = [
    Some("Healthcare"),
    Some("Legal"),
    Some("Financial Services"),
    Some("Manufacturing"),
    Some("Education"),
    Some("Retail"),
    Some("Professional Services"),
    Some("Logistics"),
    None,
];

/// Controls offered to the generator: name, category, maximum points.
const CONTROLS: [(&str, &str, f64); 20] = [
    ("MFARegistrationV2", "Identity", 9.0),
    ("AdminMFAV2", "Identity", 10.0),
    ("BlockLegacyAuthentication", "Identity", 8.0),
    ("SigninRiskPolicy", "Identity", 7.0),
    ("UserRiskPolicy", "Identity", 7.0),
    ("PWAgePolicyNew", "Identity", 8.0),
    ("SelfServicePasswordReset", "Identity", 1.0),
    ("OneAdmin", "Identity", 1.0),
    ("IntegratedApps", "Identity", 4.0),
    ("aad_limited_administrative_roles", "Identity", 1.0),
    ("mdo_safeattachments", "Apps", 8.0),
    ("mdo_safelinksforemail", "Apps", 9.0),
    ("mdo_antiphishingpolicies", "Apps", 9.0),
    ("mdo_zapspam", "Apps", 6.0),
    ("exo_mailboxaudit", "Apps", 5.0),
    ("mip_autosensitivitylabelspolicies", "Data", 5.0),
    ("mip_search_auditlog", "Data", 3.0),
    ("dlp_datalossprevention", "Data", 6.0),
    ("mdm_device_compliance", "Device", 9.0),
    ("scid_2000", "Device", 5.0),
];

struct Settings {
    tenants: usize,
    days: u32,
    full_tenants: usize,
    short_days: u32,
    controls: usize,
    iterations: usize,
    postgres: Option<String>,
    skip_sqlite: bool,
    keep: bool,
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> BenchResult<T> {
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .parse()
            .map_err(|_| format!("{name}='{raw}' is not a valid number").into()),
        _ => Ok(default),
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v.trim() == "1")
}

impl Settings {
    fn from_env() -> BenchResult<Self> {
        let tenants = env_number("BENCH_TENANTS", 5000usize)?;
        let settings = Self {
            tenants,
            days: env_number("BENCH_DAYS", 730u32)?,
            full_tenants: env_number("BENCH_FULL_TENANTS", tenants)?.min(tenants),
            short_days: env_number("BENCH_SHORT_DAYS", 90u32)?,
            controls: env_number("BENCH_CONTROLS", 10usize)?,
            iterations: env_number("BENCH_ITERATIONS", 50usize)?,
            postgres: std::env::var("BENCH_DATABASE_URL").ok().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()),
            skip_sqlite: env_flag("BENCH_SKIP_SQLITE"),
            keep: env_flag("BENCH_KEEP"),
        };
        if settings.tenants == 0 || settings.days == 0 || settings.short_days == 0 || settings.iterations == 0 {
            return Err("BENCH_TENANTS, BENCH_DAYS, BENCH_SHORT_DAYS and BENCH_ITERATIONS must be at least 1".into());
        }
        if !(1..=CONTROLS.len()).contains(&settings.controls) {
            return Err(format!("BENCH_CONTROLS must be from 1 to {}", CONTROLS.len()).into());
        }
        Ok(settings)
    }

    fn days_of(&self, index: usize) -> u32 {
        if index < self.full_tenants {
            self.days
        } else {
            self.short_days
        }
    }

    fn snapshots(&self) -> u64 {
        let full = self.full_tenants as u64;
        full * u64::from(self.days) + (self.tenants as u64 - full) * u64::from(self.short_days)
    }

    fn describe(&self) -> String {
        let mut text = format!("{} tenants", self.tenants);
        if self.full_tenants == self.tenants {
            text.push_str(&format!(" x {} days", self.days));
        } else {
            text.push_str(&format!(
                ": {} with {} days, {} with {} days",
                self.full_tenants,
                self.days,
                self.tenants - self.full_tenants,
                self.short_days
            ));
        }
        text.push_str(&format!(
            " = {} snapshots, {} controls per record ({} control rows)",
            self.snapshots(),
            self.controls,
            self.snapshots() * self.controls as u64
        ));
        text
    }
}

/// Returns the tenant id of the tenant at `index`, a GUID built from the index.
fn tenant_id(index: usize) -> String {
    let n = index as u64 + 1;
    format!("be0c4000-0000-4000-8000-{n:012x}")
}

fn display_name(index: usize) -> String {
    format!("Benchmark Customer {:04}", index + 1)
}

/// Per-tenant choices of the generator.
struct Plan {
    /// Points each control can reach.
    max: Vec<f64>,
    /// Fraction of each control's points on the oldest day.
    start: Vec<f64>,
    /// Day (from the oldest) on which the control is fully implemented, if ever.
    fixed_on: Vec<Option<u32>>,
    /// Day on which a fully implemented control drops back to half, if ever.
    regressed_on: Vec<Option<u32>>,
    /// Points of the controls left out of the records. Real tenants have 50-70
    /// controls, and these points keep the tenant's totals at a realistic size.
    other_max: f64,
    other_start: f64,
    other_drift: f64,
    active_users: i64,
    seat_band: (i64, i64),
}

fn plan(index: usize, days: u32, controls: usize) -> Plan {
    let mut rng = fastrand::Rng::with_seed(0x5ec0_5c0e ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut max = Vec::with_capacity(controls);
    let mut start = Vec::with_capacity(controls);
    let mut fixed_on = Vec::with_capacity(controls);
    let mut regressed_on = Vec::with_capacity(controls);
    for (_, _, points) in CONTROLS.iter().take(controls) {
        max.push(*points);
        start.push([0.0, 0.0, 0.25, 0.5, 1.0][rng.usize(..5)]);
        fixed_on.push(rng.bool().then(|| rng.u32(0..days)));
        regressed_on.push((rng.u8(..10) == 0).then(|| rng.u32(0..days)));
    }
    let active_users = i64::from(rng.u32(5..3000));
    let seat_band = match active_users {
        0..=100 => (1, 100),
        101..=500 => (101, 500),
        501..=1000 => (501, 1000),
        _ => (1001, 5000),
    };
    Plan {
        max,
        start,
        fixed_on,
        regressed_on,
        other_max: f64::from(rng.u32(180..320)),
        other_start: 0.15 + rng.f64() * 0.45,
        other_drift: (rng.f64() - 0.35) * 0.0006,
        active_users,
        seat_band,
    }
}

fn day_string(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Builds the `secureScores` response for the tenant at `index`: `days`
/// records, newest first.
fn secure_scores_json(index: usize, days: u32, settings: &Settings, newest: NaiveDate) -> Vec<u8> {
    let id = tenant_id(index);
    let plan = plan(index, days, settings.controls);
    let mut records = Vec::with_capacity(days as usize);
    for age in 0..days {
        let day = newest - Days::new(u64::from(age));
        let day_index = days - 1 - age;
        let created = format!("{}T03:{:02}:{:02}Z", day_string(day), index % 60, age % 60);
        let mut current = 0.0;
        let mut max_total = 0.0;
        let mut control_scores = Vec::with_capacity(settings.controls);
        for (c, (name, category, _)) in CONTROLS.iter().take(settings.controls).enumerate() {
            let mut fraction = plan.start[c];
            if plan.fixed_on[c].is_some_and(|d| day_index >= d) {
                fraction = 1.0;
            }
            if plan.regressed_on[c].is_some_and(|d| day_index >= d) && fraction == 1.0 {
                fraction = 0.5;
            }
            let max = plan.max[c];
            let score = (max * fraction * 100.0).round() / 100.0;
            current += score;
            max_total += max;
            control_scores.push(json!({
                "controlName": name,
                "controlCategory": category,
                "description": format!("Generated benchmark control {name}."),
                "score": score,
                "scoreInPercentage": (fraction * 10000.0).round() / 100.0,
                "implementationStatus": if fraction >= 1.0 { "Completed" } else { "Not started" },
                "lastSynced": format!("{}T01:00:00Z", day_string(day)),
                "count": format!("{}", (fraction * 20.0).round()),
                "total": "20",
                "on": fraction >= 1.0,
            }));
        }
        let other_fraction = (plan.other_start + plan.other_drift * f64::from(day_index)).clamp(0.05, 0.95);
        let other = (plan.other_max * other_fraction * 100.0).round() / 100.0;
        current += other;
        max_total += plan.other_max;
        records.push(json!({
            "id": format!("{id}_{}", day_string(day)),
            "azureTenantId": id,
            "createdDateTime": created,
            "currentScore": (current * 100.0_f64).round() / 100.0,
            "maxScore": max_total,
            "activeUserCount": plan.active_users,
            "licensedUserCount": plan.active_users + 10,
            "enabledServices": ["HasExchange", "HasSharePoint", "HasOD4B", "HasTeams"],
            "averageComparativeScores": [
                {"basis": "AllTenants", "averageScore": 42.17},
                {
                    "basis": "TotalSeats",
                    "averageScore": 39.5,
                    "seatSizeRangeLowerValue": plan.seat_band.0,
                    "seatSizeRangeUpperValue": plan.seat_band.1
                }
            ],
            "controlScores": control_scores,
        }));
    }
    json!({ "value": records }).to_string().into_bytes()
}

/// Builds the `secureScoreControlProfiles` response: one profile per scored control.
fn control_profiles_json(index: usize, settings: &Settings) -> Vec<u8> {
    let id = tenant_id(index);
    let profiles: Vec<Value> = CONTROLS
        .iter()
        .take(settings.controls)
        .enumerate()
        .map(|(rank, (name, category, max))| {
            json!({
                "id": name,
                "azureTenantId": id,
                "title": format!("Benchmark control {name}"),
                "controlCategory": category,
                "maxScore": max,
                "rank": rank + 1,
                "tier": "Core",
                "implementationCost": "Low",
                "userImpact": "Moderate",
                "actionType": "Config",
                "service": "AzureAD",
                "threats": ["Password cracking", "Account breach"],
                "remediation": "Turn the setting on.",
                "deprecated": false,
                "controlStateUpdates": [],
            })
        })
        .collect();
    json!({ "value": profiles }).to_string().into_bytes()
}

/// Summary of timing samples in milliseconds, with the 95th percentile by nearest rank.
struct Stats {
    count: usize,
    median: f64,
    p95: f64,
    max: f64,
    total: f64,
}

/// Computes the count, median, 95th percentile, maximum and sum of `samples`.
fn stats(samples: &[Duration]) -> Stats {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    let n = ms.len();
    let rank = |p: f64| ms[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    Stats {
        count: n,
        median: if n % 2 == 1 { ms[n / 2] } else { (ms[n / 2 - 1] + ms[n / 2]) / 2.0 },
        p95: rank(0.95),
        max: ms[n - 1],
        total: ms.iter().sum(),
    }
}

fn print_stats(label: &str, samples: &[Duration]) {
    let s = stats(samples);
    println!(
        "  {label:<42} n={:<5} median {:>10.3} ms   p95 {:>10.3} ms   max {:>10.3} ms",
        s.count, s.median, s.p95, s.max
    );
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

async fn count(db: &DatabaseConnection, table: &str) -> BenchResult<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")))
        .await?
        .ok_or("COUNT returned no row")?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// Location of the benchmark database, used to report its size and to remove it.
enum Target {
    Sqlite { dir: PathBuf, file: PathBuf },
    Postgres { admin_url: String, name: String },
}

async fn run(label: &str, db: &DatabaseConnection, target: &Target, settings: &Settings) -> BenchResult<()> {
    let now: DateTime<Utc> = NOW.parse()?;
    let newest: NaiveDate = NEWEST_DAY.parse()?;
    println!("\n== {label} ==");
    println!("load: {}", settings.describe());

    let started = Instant::now();
    for index in 0..settings.tenants {
        tenants::upsert(
            db,
            TenantInput {
                tenant_id: TenantId::parse(&tenant_id(index))?,
                display_name: display_name(index),
                industry: INDUSTRIES[index % INDUSTRIES.len()].map(str::to_owned),
                excluded: index % 50 == 49,
            },
            now,
        )
        .await?;
    }
    let registered = started.elapsed();
    println!("registered {} tenants in {:.1} s", settings.tenants, registered.as_secs_f64());

    let mut ingest_full = Vec::new();
    let mut ingest_short = Vec::new();
    let mut preparation = Duration::ZERO;
    let load_started = Instant::now();
    for index in 0..settings.tenants {
        let days = settings.days_of(index);
        let prepare_started = Instant::now();
        let scores = parse_secure_scores(&secure_scores_json(index, days, settings, newest))?;
        let profiles = parse_control_profiles(&control_profiles_json(index, settings))?;
        let tenant = tenants::find(db, &TenantId::parse(&tenant_id(index))?)
            .await?
            .ok_or("a registered tenant is missing")?;
        preparation += prepare_started.elapsed();

        let timed = Instant::now();
        let outcome = ingest_tenant(db, &tenant, &scores.records, Some(&profiles.profiles), &[], now).await?;
        let took = timed.elapsed();
        if outcome.snapshots_written != days {
            return Err(format!("tenant {index}: {} snapshots written, expected {days}", outcome.snapshots_written).into());
        }
        if index < settings.full_tenants {
            ingest_full.push(took);
        } else {
            ingest_short.push(took);
        }
        let done = index + 1;
        if done % 250 == 0 || done == settings.tenants {
            let elapsed = load_started.elapsed().as_secs_f64();
            let left = elapsed / done as f64 * (settings.tenants - done) as f64;
            eprintln!("  [{label}] {done}/{} tenants loaded, {elapsed:.0} s so far, about {left:.0} s left", settings.tenants);
        }
    }
    let load_wall = load_started.elapsed();
    let ingest_total: Duration = ingest_full.iter().chain(&ingest_short).sum();
    println!(
        "ingest: {:.1} s inside ingest_tenant ({:.1} s wall clock, of which {:.1} s generating and parsing JSON and looking up the tenant)",
        ingest_total.as_secs_f64(),
        load_wall.as_secs_f64(),
        preparation.as_secs_f64()
    );
    if !ingest_full.is_empty() {
        print_stats(&format!("ingest_tenant, {} days", settings.days), &ingest_full);
        let s = stats(&ingest_full);
        println!("    sum over {} tenants: {:.1} s", s.count, s.total / 1000.0);
    }
    if !ingest_short.is_empty() {
        print_stats(&format!("ingest_tenant, {} days", settings.short_days), &ingest_short);
        let s = stats(&ingest_short);
        println!("    sum over {} tenants: {:.1} s", s.count, s.total / 1000.0);
    }

    if let Target::Sqlite { .. } = target {
        // Checkpoint the WAL into the main file, so the file size below is the whole database.
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    for table in ["tenants", "score_snapshots", "control_scores", "control_profiles", "control_descriptions"] {
        println!("  rows in {table:<22} {}", count(db, table).await?);
    }
    match target {
        Target::Sqlite { file, .. } => {
            let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            let wal = PathBuf::from(format!("{}-wal", file.display()));
            println!("  database file: {} ({} bytes), WAL {}", mib(size(file)), size(file), mib(size(&wal)));
        }
        Target::Postgres { .. } => {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    "SELECT pg_database_size(current_database()) AS n",
                ))
                .await?
                .ok_or("pg_database_size returned no row")?;
            let bytes: i64 = row.try_get("", "n")?;
            println!("  database size (pg_database_size): {} ({bytes} bytes)", mib(bytes as u64));
        }
    }

    // Two untimed runs come first, so the pool's connections and statement
    // caches are warm, as on a running server.
    for _ in 0..2 {
        service::tenant_rows(db, now).await?;
    }
    let mut rows_times = Vec::with_capacity(settings.iterations);
    let mut summary_times = Vec::with_capacity(settings.iterations);
    let mut both_times = Vec::with_capacity(settings.iterations);
    let mut last_summary = None;
    for _ in 0..settings.iterations {
        let t = Instant::now();
        let rows = service::tenant_rows(db, now).await?;
        let rows_took = t.elapsed();
        let s = Instant::now();
        let summary = service::summarise(&rows, None, false);
        let summary_took = s.elapsed();
        rows_times.push(rows_took);
        summary_times.push(summary_took);
        both_times.push(rows_took + summary_took);
        if rows.len() != settings.tenants {
            return Err(format!("tenant_rows returned {} rows, expected {}", rows.len(), settings.tenants).into());
        }
        last_summary = Some(summary);
    }

    let mut pick = fastrand::Rng::with_seed(7);
    let mut detail_times = Vec::with_capacity(settings.iterations);
    let mut controls_seen = 0;
    let ids: Vec<TenantId> = (0..settings.tenants).map(|i| TenantId::parse(&tenant_id(i))).collect::<Result<_, _>>()?;
    for _ in 0..2 {
        service::tenant_detail(db, now, &ids[pick.usize(..ids.len())]).await?;
    }
    for _ in 0..settings.iterations {
        let id = &ids[pick.usize(..ids.len())];
        let t = Instant::now();
        let detail = service::tenant_detail(db, now, id).await?;
        detail_times.push(t.elapsed());
        controls_seen = detail.latest_snapshot.map(|s| s.controls.len()).unwrap_or(0);
    }

    // The analytics pages: trends over three windows, benchmarks and categories.
    let mut analytics: Vec<(String, Vec<Duration>)> = Vec::new();
    for days in [30_u32, 90, 365] {
        let mut times = Vec::with_capacity(settings.iterations);
        for run in 0..settings.iterations + 2 {
            let t = Instant::now();
            let report = backend::analytics::trends(db, days).await?;
            if run >= 2 {
                times.push(t.elapsed());
            }
            if report.series.len() != days as usize + 1 {
                return Err(format!("trends({days}) returned {} points", report.series.len()).into());
            }
        }
        analytics.push((format!("trends (days={days})"), times));
    }
    let mut times = Vec::with_capacity(settings.iterations);
    for run in 0..settings.iterations + 2 {
        let t = Instant::now();
        backend::analytics::benchmarks(db).await?;
        if run >= 2 {
            times.push(t.elapsed());
        }
    }
    analytics.push(("benchmarks".to_owned(), times));
    let mut times = Vec::with_capacity(settings.iterations);
    for run in 0..settings.iterations + 2 {
        let t = Instant::now();
        service::categories(db).await?;
        if run >= 2 {
            times.push(t.elapsed());
        }
    }
    analytics.push(("categories".to_owned(), times));
    let mut times = Vec::with_capacity(settings.iterations);
    for run in 0..settings.iterations + 2 {
        let t = Instant::now();
        let page = backend::recommendations::list(db, &backend::recommendations::Filters::default(), 1, 50).await?;
        if run >= 2 {
            times.push(t.elapsed());
        }
        if run == 0 {
            println!("  recommendations: {} actions ranked", page.total_items);
        }
    }
    analytics.push(("recommendations (ranked list, first page)".to_owned(), times));

    // Alerts: the evaluation each tenant's sync ends with (the first pass
    // opens the episodes, the later ones find them open), and the open list.
    let sample = settings.tenants.min(200);
    let mut times = Vec::with_capacity(sample * 2);
    let mut opened = 0;
    for pass in 0..3 {
        for pk in 1..=sample as i32 {
            let t = Instant::now();
            let evaluation = backend::alerts::evaluate_tenant(db, pk, chrono::Utc::now()).await?;
            if pass >= 1 {
                times.push(t.elapsed());
            }
            opened += evaluation.opened;
        }
    }
    println!("  alerts: {opened} opened while evaluating {sample} tenants three times");
    analytics.push((format!("alerts: evaluate one tenant ({sample} tenants, repeat passes)"), times));
    let mut times = Vec::with_capacity(settings.iterations);
    for run in 0..settings.iterations + 2 {
        let t = Instant::now();
        let query = backend::alerts::AlertQuery { page_size: 500, ..Default::default() };
        let page = backend::alerts::list(db, &query).await?;
        if run >= 2 {
            times.push(t.elapsed());
        }
        if run == 0 {
            println!("  alerts: {} open", page.total);
        }
    }
    analytics.push(("alerts: open list (first 500)".to_owned(), times));
    let mut times = Vec::with_capacity(settings.iterations);
    for run in 0..settings.iterations + 2 {
        let t = Instant::now();
        let portfolio = backend::compliance::portfolio(db).await?;
        if run >= 2 {
            times.push(t.elapsed());
        }
        if run == 0 {
            println!("  compliance: {} tenants with coverage rows", portfolio.tenants.len());
        }
    }
    analytics.push(("compliance: portfolio coverage".to_owned(), times));

    // PDF reports: data collection plus Typst rendering, a few runs each.
    let brand = backend::reports::Brand { name: "Bench MSP".to_owned(), colour: "#1d5bb8".to_owned(), logo_path: None };
    let ctx = backend::AppContext {
        db: db.clone(),
        sync: backend::sync::SyncHandle::new(db.clone(), None, backend::sync::SyncSettings::default()),
        demo: false,
        login_limiter: Default::default(),
        alerts: None,
        demo_sim_url: None,
    };
    let pdf_runs = settings.iterations.clamp(1, 5);
    let mut tenant_times = Vec::with_capacity(pdf_runs);
    let mut portfolio_times = Vec::with_capacity(pdf_runs);
    let mut sizes = (0, 0);
    for run in 0..pdf_runs + 1 {
        let id = &ids[pick.usize(..ids.len())];
        let t = Instant::now();
        let data = backend::reports::tenant_report_data(db, id, &brand, now).await?;
        let pdf = backend::pdf::render(backend::pdf::Template::Tenant, &data, None, None)?;
        let tenant_took = t.elapsed();
        let t = Instant::now();
        let data = backend::reports::portfolio_report_data(&ctx, &brand, now).await?;
        let portfolio_pdf = backend::pdf::render(backend::pdf::Template::Portfolio, &data, None, None)?;
        // The first run also builds Typst's font book; it is left out.
        if run > 0 {
            tenant_times.push(tenant_took);
            portfolio_times.push(t.elapsed());
        }
        sizes = (pdf.len(), portfolio_pdf.len());
    }
    analytics.push((format!("tenant PDF report ({} KiB)", sizes.0 / 1024), tenant_times));
    analytics.push((format!("portfolio PDF report, {} tenants ({} KiB)", settings.tenants, sizes.1 / 1024), portfolio_times));

    println!("queries ({} timed runs each, after 2 untimed runs):", settings.iterations);
    print_stats(&format!("tenant_rows ({} rows)", settings.tenants), &rows_times);
    print_stats("summarise (portfolio figures)", &summary_times);
    print_stats("tenant_rows + summarise", &both_times);
    print_stats(&format!("tenant_detail (random tenant, {controls_seen} controls)"), &detail_times);
    for (label, times) in &analytics {
        print_stats(label, times);
    }
    if let Some(summary) = last_summary {
        println!(
            "  portfolio: {} managed, {} excluded, {} with data, average {:?}, 90-day change {:?}",
            summary.managed_tenants,
            summary.excluded_tenants,
            summary.tenants_with_data,
            summary.portfolio_average,
            summary.portfolio_average_change_90d
        );
    }
    Ok(())
}

async fn sqlite_run(settings: &Settings) -> BenchResult<()> {
    let dir = std::env::temp_dir().join(format!("trust-center-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("bench.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let target = Target::Sqlite { dir: dir.clone(), file };
    let result = async {
        let db = backend::db::connect(&url, 4).await?;
        backend::db::migrate(&db).await?;
        let outcome = run("SQLite", &db, &target, settings).await;
        db.close().await.ok();
        outcome
    }
    .await;
    if let Target::Sqlite { dir, file } = &target {
        if settings.keep {
            println!("kept {}", file.display());
        } else {
            std::fs::remove_dir_all(dir).ok();
        }
    }
    result
}

async fn postgres_run(admin_url: &str, settings: &Settings) -> BenchResult<()> {
    let slash = admin_url
        .rfind('/')
        .filter(|s| *s > "postgres://".len())
        .ok_or("BENCH_DATABASE_URL must end with /DATABASE, for example postgres://postgres@127.0.0.1:5432/test")?;
    let name = format!("tc_bench_{}", std::process::id());
    let url = format!("{}/{name}", &admin_url[..slash]);
    let admin = Database::connect(admin_url).await?;
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    admin.close().await.ok();
    let target = Target::Postgres { admin_url: admin_url.to_owned(), name: name.clone() };
    let result = async {
        let db = backend::db::connect(&url, 4).await?;
        backend::db::migrate(&db).await?;
        let outcome = run("PostgreSQL", &db, &target, settings).await;
        db.close().await.ok();
        outcome
    }
    .await;
    if let Target::Postgres { admin_url, name } = &target {
        if settings.keep {
            println!("kept database {name}");
        } else {
            let admin = Database::connect(admin_url.as_str()).await?;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
            admin.close().await.ok();
        }
    }
    result
}

fn main() -> BenchResult<()> {
    let settings = Settings::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        println!("portfolio benchmark: {}", settings.describe());
        if !settings.skip_sqlite {
            sqlite_run(&settings).await?;
        }
        match &settings.postgres {
            Some(url) => postgres_run(url, &settings).await?,
            None => println!("\nBENCH_DATABASE_URL is not set: PostgreSQL skipped"),
        }
        Ok(())
    })
}
