//! Command-line interface of the `trust-center` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "trust-center",
    version,
    about = "Security Score Dashboard: Microsoft Secure Score across the Microsoft 365 tenants an MSP manages",
    after_help = "Configuration comes from environment variables (DATABASE_URL, GRAPH_CLIENT_ID, ...); see .env.example."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web dashboard and REST API, syncing on a schedule.
    Serve(ServeArgs),
    /// Sync Secure Score data from Microsoft Graph now, then exit.
    Sync(SyncArgs),
    /// Apply database migrations, then exit.
    Migrate,
    /// Run the Microsoft Graph simulator (token, secureScores and
    /// secureScoreControlProfiles endpoints) on a loopback port.
    GraphSim(SimArgs),
    /// Manage the tenants under management.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens for scripts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Store Microsoft Graph app credentials, encrypted, in the database.
    #[command(subcommand)]
    Credentials(CredentialsCommand),
}

/// Generated tenants in demo mode.
pub const DEMO_TENANTS: usize = 40;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Run the Graph simulator in-process, register its tenants and sync
    /// them; pages show a demo banner. Uses data/demo.db unless DATABASE_URL is set.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: serve recorded payloads from this folder (one sub-folder
    /// per tenant id) instead of generated tenants.
    #[arg(long, value_name = "DIR", requires = "demo")]
    pub fixtures: Option<PathBuf>,
    /// With --demo: seed of the generated tenants.
    #[arg(long, default_value_t = 7, requires = "demo")]
    pub seed: u64,
    /// With --demo: number of generated tenants. Industry ranks need at
    /// least 5 tenants of one industry, which the default gives.
    #[arg(long, default_value_t = DEMO_TENANTS, requires = "demo")]
    pub tenants: usize,
    /// Address and port to listen on [env: TRUST_CENTER_ADDR, default 127.0.0.1:3000].
    #[arg(long, value_name = "ADDR")]
    pub addr: Option<SocketAddr>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Sync only this tenant id.
    #[arg(long, value_name = "TENANT_ID")]
    pub tenant: Option<String>,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address and port to listen on (loopback only is sensible).
    #[arg(long, default_value = "127.0.0.1:4010")]
    pub addr: SocketAddr,
    /// Seed of the generated tenants; the same seed and day give the same payloads.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Number of generated tenants.
    #[arg(long, default_value_t = 12)]
    pub tenants: usize,
    /// Serve recorded payloads from this folder: one sub-folder per tenant id
    /// holding secureScores.json and secureScoreControlProfiles.json.
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Control profiles per page.
    #[arg(long, default_value_t = 50)]
    pub page_size: usize,
    /// Days of generated history per tenant.
    #[arg(long, default_value_t = 100)]
    pub history_days: u32,
    /// Reject token requests whose client secret differs from this one.
    #[arg(long, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// Return 403 AccessDenied to every Graph call for this tenant (repeatable).
    #[arg(long, value_name = "TENANT_ID")]
    pub forbidden: Vec<String>,
    /// Reject token requests for this tenant as if admin consent were missing (repeatable).
    #[arg(long, value_name = "TENANT_ID")]
    pub consent_missing: Vec<String>,
    /// Return 429 to the first N Graph calls for a tenant (TENANT_ID[:N], N defaults to 1; repeatable).
    #[arg(long, value_name = "TENANT_ID[:N]")]
    pub throttle: Vec<String>,
    /// Return 503 to the first N Graph calls for a tenant (TENANT_ID[:N]; repeatable).
    #[arg(long, value_name = "TENANT_ID[:N]")]
    pub server_error: Vec<String>,
    /// Cut this tenant's response bodies in half, making them invalid JSON (repeatable).
    #[arg(long, value_name = "TENANT_ID")]
    pub truncate: Vec<String>,
    /// Reject this tenant's control profile updates (PATCH) with 400 BadRequest (repeatable).
    #[arg(long, value_name = "TENANT_ID")]
    pub reject_updates: Vec<String>,
    /// Delay every response by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub delay_ms: u64,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Register a tenant, or update its name, industry and excluded flag.
    Add {
        /// Microsoft Entra tenant id (directory id GUID).
        #[arg(long, value_name = "TENANT_ID")]
        id: String,
        /// Customer name shown on pages and reports.
        #[arg(long)]
        name: String,
        /// Industry used for benchmarks, e.g. Healthcare.
        #[arg(long)]
        industry: Option<String>,
        /// Keep syncing the tenant but leave it out of every average and leaderboard.
        #[arg(long)]
        excluded: bool,
    },
    /// List registered tenants.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a tenant and all of its stored snapshots.
    Remove {
        #[arg(long, value_name = "TENANT_ID")]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account. The password (at least 12 characters) is read
    /// from standard input: prompted twice without echo on a terminal,
    /// otherwise taken from the first line.
    Add {
        /// E-mail address used to sign in.
        #[arg(long)]
        email: String,
        /// Role of the account: viewer reads; analyst also changes status,
        /// exports and creates client links; admin also manages accounts,
        /// tokens and credentials.
        #[arg(long, value_parser = ["viewer", "analyst", "admin"])]
        role: String,
    },
    /// List staff accounts.
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it once; only its hash is stored.
    Create {
        /// Name that describes what the token is for, for example ci-export.
        #[arg(long)]
        name: String,
        /// Permissions of the token: read, read_write (also change status and
        /// export) or admin.
        #[arg(long, value_parser = ["read", "read_write", "admin"])]
        scope: String,
    },
    /// List API tokens, revoked ones included (never their values).
    List,
    /// Revoke an API token; requests with it are rejected at once.
    Revoke {
        /// Token id, as `token list` prints it.
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Store the client id and client secret of the Graph app registration,
    /// encrypted with the key from TRUST_CENTER_SECRET_KEY or data/secret.key.
    /// The secret is read from standard input: prompted twice without echo
    /// on a terminal, otherwise taken from the first line.
    Set {
        /// Application (client) id of the app registration.
        #[arg(long, value_name = "ID")]
        client_id: String,
        /// Store them for this tenant only; without it they are the
        /// installation default.
        #[arg(long, value_name = "TENANT_ID")]
        tenant: Option<String>,
    },
}
