//! The implementation of each subcommand.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use backend::graph::{GraphClient, GraphConfig, Secret};
use backend::sim::{Faults, SimOptions, Simulator};
use backend::store::tenants::{TenantInput, Upserted};
use backend::sync::{GraphClients, SyncHandle, SyncSettings, SyncTrigger};
use backend::AppContext;
use chrono::Utc;
use domain::TenantId;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::cli::{Command, ServeArgs, SimArgs, SyncArgs, TenantCommand};
use crate::config::{Config, DEMO_DATABASE_URL};
use crate::router::router;
use crate::scheduler;
use crate::state::AppState;

/// A failed command: the message is printed and the process exits with 1.
#[derive(Debug)]
pub struct CommandError(pub String);

impl<E: std::fmt::Display> From<E> for CommandError {
    fn from(error: E) -> Self {
        Self(error.to_string())
    }
}

pub type CommandResult = Result<(), CommandError>;

pub async fn run(command: Command) -> CommandResult {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Sync(args) => sync(args).await,
        Command::Migrate => migrate().await,
        Command::GraphSim(args) => graph_sim(args).await,
        Command::Tenant(command) => tenant(command).await,
        Command::User(command) => crate::admin_commands::user(command).await,
        Command::Token(command) => crate::admin_commands::token(command).await,
        Command::Credentials(command) => crate::admin_commands::credentials(command).await,
    }
}

/// Connects and applies migrations; a failed migration stops the command.
pub(crate) async fn open_database(config: &Config, demo: bool) -> Result<DatabaseConnection, CommandError> {
    let url = config.database_url.clone().unwrap_or_else(|| {
        if demo { DEMO_DATABASE_URL } else { backend::db::DEFAULT_DATABASE_URL }.to_owned()
    });
    let db = backend::db::connect(&url, config.db_max_connections)
        .await
        .map_err(|e| CommandError(format!("cannot open the database ({}): {e}", redact_url(&url))))?;
    backend::db::migrate(&db)
        .await
        .map_err(|e| CommandError(format!("database migration failed, nothing was started: {e}")))?;
    Ok(db)
}

/// Hides a password in a database URL before it is printed.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &credentials[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn graph_client(config: &Config, base: String, login: String, client_id: String, secret: Secret) -> Result<GraphClient, CommandError> {
    let mut graph = GraphConfig::new(base, login, client_id, secret);
    graph.request_timeout = config.graph_request_timeout;
    graph.connect_timeout = config.graph_connect_timeout;
    graph.max_retries = config.graph_max_retries;
    Ok(GraphClient::new(graph)?)
}

fn configured_graph(config: &Config) -> Result<Option<GraphClient>, CommandError> {
    match (&config.graph_client_id, &config.graph_client_secret) {
        (Some(id), Some(secret)) => Ok(Some(graph_client(
            config,
            config.graph_base_url.clone(),
            config.graph_login_url.clone(),
            id.clone(),
            Secret::new(secret.expose()),
        )?)),
        _ => Ok(None),
    }
}

fn sync_settings(config: &Config) -> SyncSettings {
    SyncSettings {
        concurrency: config.sync_concurrency,
        write_back: config.graph_write_back,
        ..SyncSettings::default()
    }
}

async fn serve(args: ServeArgs) -> CommandResult {
    let config = Config::from_env()?;
    let addr = args.addr.unwrap_or(config.addr);
    let db = open_database(&config, args.demo).await?;
    let interrupted = backend::store::sync_runs::mark_interrupted(&db, Utc::now()).await?;
    if interrupted > 0 {
        tracing::warn!(runs = interrupted, "marked {interrupted} sync run(s) left running by a stopped process as interrupted");
    }

    let mut simulator = None;
    let graph = if args.demo {
        load_secret_key()?;
        let running = start_demo_simulator(&args, &db).await?;
        let client = graph_client(
            &config,
            running.graph_base_url(),
            running.login_base_url(),
            "demo-client".into(),
            Secret::new("demo-secret"),
        )?;
        simulator = Some(running);
        Some(client)
    } else {
        let client = configured_graph_or_stored(&config, &db).await?;
        if client.is_none() {
            tracing::warn!("no Graph credentials: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET or run `trust-center credentials set`; stored data is served, but nothing will sync");
        }
        client
    };
    announce_sign_in(&db, args.demo, addr).await?;

    // The demo's tenants all live in the simulator, so stored per-tenant
    // credentials (which point at Microsoft) are not used there.
    let per_tenant = if args.demo { HashMap::new() } else { tenant_clients(&config, &db).await? };
    let clients = GraphClients { default: graph, per_tenant };
    let mut settings = sync_settings(&config);
    // The simulator accepts the same PATCH requests as Graph, so the demo
    // shows write-back without touching Microsoft.
    settings.write_back |= args.demo;

    let key = load_secret_key()?;
    let (smtp, public_url, demo_sink) = if args.demo {
        let (sink, smtp) = start_demo_alerts(&db, &key).await?;
        (Some(smtp), Some(format!("http://{addr}")), Some(sink))
    } else {
        (config.smtp.clone(), config.public_url.clone(), None)
    };
    let notifier = backend::alerts::Notifier::new(db.clone(), key, smtp, public_url)?;
    settings.alert_wake = Some(notifier.waker());
    let sender = notifier.spawn();

    let sync = SyncHandle::with_clients(db.clone(), clients, settings);
    let ctx = AppContext {
        db: db.clone(),
        sync: sync.clone(),
        demo: args.demo,
        login_limiter: Default::default(),
        alerts: Some(notifier),
        demo_sim_url: simulator.as_ref().map(|running| running.login_base_url()),
    };
    let leptos_options = LeptosOptions::builder()
        .output_name("trust-center")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    check_site_root(&config.site_root);
    let app = router(AppState { ctx, leptos_options });

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CommandError(format!("cannot listen on {addr}: {e} (set TRUST_CENTER_ADDR or --addr to a free port)")))?;
    println!("Security Score Dashboard: http://{addr}");
    if args.demo {
        println!("Demo mode: data comes from the built-in Graph simulator, synced through the real ingestion path.");
    }

    if sync_due_at_start(&db, &config, args.demo).await {
        if let Err(e) = sync.start(SyncTrigger::Startup).await {
            tracing::warn!(error = %e, "start-up sync could not start");
        }
    }
    let scheduler = scheduler::spawn(sync, config.sync_interval);

    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| CommandError(format!("the server stopped with an error: {e}")))?;
    scheduler.abort();
    sender.abort();
    drop(demo_sink);
    if let Some(running) = simulator {
        running.shutdown();
    }
    tracing::info!("server stopped");
    Ok(())
}

/// Graph credentials from GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET, else the
/// installation default stored (encrypted) by `trust-center credentials set`.
async fn configured_graph_or_stored(config: &Config, db: &DatabaseConnection) -> Result<Option<GraphClient>, CommandError> {
    // Loading the key also creates the key file (mode 0600) on a first run.
    let key = load_secret_key()?;
    if let Some(client) = configured_graph(config)? {
        return Ok(Some(client));
    }
    match backend::auth::graph_credentials::load(db, &key, None).await? {
        Some((client_id, secret)) => Ok(Some(graph_client(
            config,
            config.graph_base_url.clone(),
            config.graph_login_url.clone(),
            client_id,
            secret,
        )?)),
        None => Ok(None),
    }
}

/// Clients for tenants with their own stored credentials (`trust-center
/// credentials set --tenant ID`), read once at start.
/// NOTE: credentials stored while the server runs apply after a restart.
async fn tenant_clients(config: &Config, db: &DatabaseConnection) -> Result<HashMap<String, GraphClient>, CommandError> {
    let key = load_secret_key()?;
    let mut clients = HashMap::new();
    for tenant in backend::store::tenants::list(db).await? {
        let Ok(tenant_id) = TenantId::parse(&tenant.tenant_id) else { continue };
        if let Some((client_id, secret)) = backend::auth::graph_credentials::load(db, &key, Some(&tenant_id)).await? {
            let client = graph_client(config, config.graph_base_url.clone(), config.graph_login_url.clone(), client_id, secret)?;
            clients.insert(tenant.tenant_id.clone(), client);
        }
    }
    Ok(clients)
}

/// Loads the AES-256-GCM key that seals stored Graph credentials: from
/// TRUST_CENTER_SECRET_KEY, else the key file under ./data/.
fn load_secret_key() -> Result<backend::auth::SecretKey, CommandError> {
    let key_env = std::env::var(backend::auth::crypto::KEY_ENV).ok();
    Ok(backend::auth::SecretKey::load(
        key_env.as_deref(),
        std::path::Path::new(backend::auth::crypto::DEFAULT_KEY_FILE),
    )?)
}

/// Tells the person starting the server how to sign in. The demo creates
/// the first admin itself and prints its password once.
async fn announce_sign_in(db: &DatabaseConnection, demo: bool, addr: SocketAddr) -> CommandResult {
    const DEMO_ADMIN: &str = "admin@demo.local";
    if demo {
        match backend::auth::users::ensure_first_admin(db, DEMO_ADMIN, Utc::now()).await? {
            Some(password) => {
                println!("Sign in at http://{addr}/login as {DEMO_ADMIN} with this password (shown only now): {password}");
            }
            None => println!("Sign in at http://{addr}/login with an existing account (the demo admin's password was printed at its first start)."),
        }
    } else if backend::auth::users::count_admins(db).await? == 0 {
        println!("No admin account yet: create one with `trust-center user add --email you@example.com --role admin`.");
    }
    Ok(())
}

/// Decides whether to sync at start: always in demo mode, otherwise when
/// the newest run is older than the sync interval (or there is none).
async fn sync_due_at_start(db: &DatabaseConnection, config: &Config, demo: bool) -> bool {
    if demo {
        return true;
    }
    match backend::store::sync_runs::latest(db).await {
        Ok(Some(run)) => Utc::now() - run.started_at > chrono::Duration::from_std(config.sync_interval).unwrap_or_default(),
        Ok(None) => true,
        Err(_) => false,
    }
}

async fn start_demo_simulator(args: &ServeArgs, db: &DatabaseConnection) -> Result<backend::sim::RunningSim, CommandError> {
    let options = SimOptions {
        seed: args.seed,
        tenant_count: args.tenants,
        fixtures: args.fixtures.clone(),
        ..SimOptions::default()
    };
    let simulator = Simulator::new(options)?;
    let running = simulator.spawn(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let now = Utc::now();
    for tenant in running.tenants() {
        let existing = backend::store::tenants::find(db, &tenant.tenant_id).await?;
        if existing.is_none() {
            backend::store::tenants::upsert(
                db,
                TenantInput {
                    tenant_id: tenant.tenant_id.clone(),
                    display_name: tenant.display_name.clone(),
                    industry: tenant.industry.clone(),
                    excluded: false,
                },
                now,
            )
            .await?;
        }
    }
    tracing::info!(sim.addr = %running.local_addr(), tenants = running.tenants().len(), "demo Graph simulator running");
    Ok(running)
}

/// Sets up the demo's alert channels: an e-mail channel and a signed webhook,
/// both aimed at a sink on loopback that writes what arrives to
/// `data/demo-outbox/` (or TRUST_CENTER_DEMO_OUTBOX). The sink's ports change with every start, so the two
/// channels are rewritten each time; channels a person added stay as they are.
async fn start_demo_alerts(
    db: &DatabaseConnection,
    key: &backend::auth::SecretKey,
) -> Result<(backend::alerts::sink::Sink, backend::alerts::SmtpSettings), CommandError> {
    let outbox = std::env::var("TRUST_CENTER_DEMO_OUTBOX").ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| "data/demo-outbox".to_owned());
    let secret = backend::auth::tokens::random_token_hex()?;
    let sink = backend::alerts::sink::Sink::start(Some(outbox.clone().into()), Some(secret.clone()))
        .await
        .map_err(|e| CommandError(format!("cannot start the demo's notification sink on 127.0.0.1: {e}")))?;
    let channels = vec![
        domain::alerts::ChannelInput {
            name: "Demo e-mail".into(),
            kind: Some("email".into()),
            recipients: Some(vec!["msp-team@demo.local".into()]),
            ..Default::default()
        },
        domain::alerts::ChannelInput {
            name: "Demo webhook".into(),
            kind: Some("webhook".into()),
            url: Some(sink.url("/hooks/trust-center")),
            secret: Some(secret),
            ..Default::default()
        },
    ];
    let input = domain::alerts::AlertConfigInput { channels, ..Default::default() };
    let by = backend::analytics::Actor { actor: "demo".into(), source_ip: None };
    backend::alerts::configure(db, key, input, &by, true, Utc::now()).await?;
    let smtp = backend::alerts::SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.smtp_port,
        tls: backend::alerts::SmtpTls::None,
        username: None,
        password: None,
        from: "Security Score Dashboard <alerts@demo.local>".into(),
    };
    println!("Demo alerts: e-mails and signed webhooks land in {outbox}/ (one file each).");
    Ok((sink, smtp))
}

fn check_site_root(site_root: &str) {
    let script = std::path::Path::new(site_root).join("pkg").join("trust-center.js");
    if !script.exists() {
        tracing::warn!(
            site_root,
            "{} is missing: pages render but will not hydrate; build the front end with `cargo leptos build` (scripts/demo.sh does this) or set TRUST_CENTER_SITE_ROOT",
            script.display()
        );
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing open requests");
}

async fn sync(args: SyncArgs) -> CommandResult {
    let config = Config::from_env()?;
    let only = args.tenant.as_deref().map(TenantId::parse).transpose()?;
    let db = open_database(&config, false).await?;
    let clients = GraphClients {
        default: configured_graph_or_stored(&config, &db).await?,
        per_tenant: tenant_clients(&config, &db).await?,
    };
    if clients.is_empty() {
        return Err(CommandError(
            "no Graph credentials: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (see .env.example) or run `trust-center credentials set`".into(),
        ));
    }
    let handle = SyncHandle::with_clients(db.clone(), clients, sync_settings(&config));
    let run = handle.run_now(SyncTrigger::Cli, only.as_ref()).await?;
    println!(
        "Sync run {}: {} ({} tenant(s), {} failed, {} snapshot(s) written, {:.1} s)",
        run.id,
        run.status,
        run.tenants_done,
        run.tenants_failed,
        run.snapshots_written,
        run.duration_ms.unwrap_or_default() as f64 / 1000.0
    );
    for row in backend::service::tenant_rows(&db, Utc::now()).await? {
        if only.as_ref().is_some_and(|id| id.as_str() != row.tenant_id) {
            continue;
        }
        let figure = match (row.percentage, row.current_score, row.max_score) {
            (Some(pct), Some(current), Some(max)) => format!("{pct:.2} % ({current} of {max} points)"),
            _ => "no data".to_owned(),
        };
        let note = row.sync_message.map(|m| format!(": {m}")).unwrap_or_default();
        println!("  {}  {:<32} {:<18} {}{}", row.tenant_id, row.display_name, row.sync_status.label(), figure, note);
    }
    if run.tenants_failed > 0 {
        return Err(CommandError(format!("{} tenant(s) failed to sync", run.tenants_failed)));
    }
    Ok(())
}

async fn migrate() -> CommandResult {
    let config = Config::from_env()?;
    open_database(&config, false).await?;
    println!("Database is up to date.");
    Ok(())
}

async fn tenant(command: TenantCommand) -> CommandResult {
    let config = Config::from_env()?;
    let db = open_database(&config, false).await?;
    match command {
        TenantCommand::Add { id, name, industry, excluded } => {
            let tenant_id = TenantId::parse(&id)?;
            let input = TenantInput { tenant_id: tenant_id.clone(), display_name: name, industry, excluded };
            let detail = format!("excluded={excluded}");
            let action = match backend::store::tenants::upsert(&db, input, Utc::now()).await? {
                Upserted::Created => {
                    println!("Added tenant {tenant_id}.");
                    "tenant.added"
                }
                Upserted::Updated => {
                    println!("Updated tenant {tenant_id}.");
                    "tenant.updated"
                }
            };
            crate::admin_commands::record(&db, action, format!("tenant:{tenant_id}"), Some(detail), Utc::now()).await?;
        }
        TenantCommand::List { json } => {
            let tenants = backend::store::tenants::list(&db).await?;
            if json {
                let rows: Vec<serde_json::Value> = tenants
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "tenantId": t.tenant_id,
                            "displayName": t.display_name,
                            "industry": t.industry,
                            "excluded": t.excluded,
                            "syncStatus": t.sync_status,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if tenants.is_empty() {
                println!("No tenants yet: add one with `trust-center tenant add --id TENANT_ID --name NAME`.");
            } else {
                println!("{:<38} {:<32} {:<22} {:<9} SYNC STATUS", "TENANT ID", "NAME", "INDUSTRY", "EXCLUDED");
                for t in tenants {
                    println!(
                        "{:<38} {:<32} {:<22} {:<9} {}",
                        t.tenant_id,
                        t.display_name,
                        t.industry.as_deref().unwrap_or("-"),
                        if t.excluded { "yes" } else { "no" },
                        t.sync_status
                    );
                }
            }
        }
        TenantCommand::Remove { id } => {
            let tenant_id = TenantId::parse(&id)?;
            if backend::store::tenants::remove(&db, &tenant_id).await? {
                crate::admin_commands::record(&db, "tenant.removed", format!("tenant:{tenant_id}"), None, Utc::now()).await?;
                println!("Removed tenant {tenant_id} and its stored snapshots.");
            } else {
                return Err(CommandError(format!("tenant {tenant_id} is not registered (see `trust-center tenant list`)")));
            }
        }
    }
    Ok(())
}

/// Reads `TENANT_ID[:N]`; N defaults to 1.
fn tenant_with_count(raw: &str, flag: &str) -> Result<(TenantId, u32), CommandError> {
    let (id, count) = match raw.split_once(':') {
        Some((id, count)) => {
            let count = count.parse::<u32>().map_err(|_| {
                CommandError(format!("--{flag} '{raw}': the count after ':' must be a whole number, for example {id}:3"))
            })?;
            (id, count)
        }
        None => (raw, 1),
    };
    Ok((TenantId::parse(id)?, count))
}

async fn graph_sim(args: SimArgs) -> CommandResult {
    let ids = |values: &[String]| values.iter().map(|v| TenantId::parse(v)).collect::<Result<Vec<_>, _>>();
    let faults = Faults {
        forbidden: ids(&args.forbidden)?,
        consent_missing: ids(&args.consent_missing)?,
        throttle: args.throttle.iter().map(|v| tenant_with_count(v, "throttle")).collect::<Result<_, _>>()?,
        server_errors: args.server_error.iter().map(|v| tenant_with_count(v, "server-error")).collect::<Result<_, _>>()?,
        truncate: ids(&args.truncate)?,
        reject_updates: ids(&args.reject_updates)?,
        delay_ms: args.delay_ms,
    };
    let options = SimOptions {
        seed: args.seed,
        tenant_count: args.tenants,
        fixtures: args.fixtures,
        profile_page_size: args.page_size.max(1),
        history_days: args.history_days.max(1),
        client_secret: args.client_secret,
        faults,
        ..SimOptions::default()
    };
    let running = Simulator::new(options)?.spawn(args.addr).await?;
    println!("Graph simulator listening on http://{}", running.local_addr());
    println!("  GRAPH_BASE_URL={}", running.graph_base_url());
    println!("  GRAPH_LOGIN_URL={}", running.login_base_url());
    println!("  any GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET are accepted unless --client-secret is given");
    println!("Tenants (also at GET /sim/tenants):");
    for tenant in running.tenants() {
        println!(
            "  {}  {}{}",
            tenant.tenant_id,
            tenant.display_name,
            tenant.industry.as_deref().map(|i| format!(" ({i})")).unwrap_or_default()
        );
    }
    shutdown_signal().await;
    running.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_password_is_hidden() {
        assert_eq!(redact_url("postgres://app:hunter2@db:5432/tc"), "postgres://app:***@db:5432/tc");
        assert_eq!(redact_url("sqlite://data/x.db?mode=rwc"), "sqlite://data/x.db?mode=rwc");
    }

    #[test]
    fn fault_count_defaults_to_one() {
        let (id, count) = tenant_with_count("4b8c18bd-2f9f-4227-af55-9f1061cf9c32", "throttle").unwrap();
        assert_eq!((id.as_str(), count), ("4b8c18bd-2f9f-4227-af55-9f1061cf9c32", 1));
        let (_, count) = tenant_with_count("4b8c18bd-2f9f-4227-af55-9f1061cf9c32:3", "throttle").unwrap();
        assert_eq!(count, 3);
        assert!(tenant_with_count("4b8c18bd-2f9f-4227-af55-9f1061cf9c32:x", "throttle").is_err());
    }
}
