//! The Microsoft Graph simulator: a loopback HTTP server with the token
//! endpoint, `secureScores` and `secureScoreControlProfiles` (GET with
//! paging, PATCH) for many tenants, in Graph's JSON shapes.
//!
//! Data is either generated (deterministic for a seed and a newest day) or
//! read from a fixtures folder. Faults can be injected per tenant: 403,
//! missing consent, 429 with `Retry-After`, 503, truncated bodies and
//! slow responses.

mod catalogue;
mod fixtures;
mod generate;
mod paging;
mod rng;
mod routes;
mod state;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use domain::TenantId;
use tokio::sync::oneshot;
use tracing::{info, warn};

use state::{FaultPlan, SimState, TenantEntry};

/// Settings of a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Seed of generated data. Default 7.
    pub seed: u64,
    /// Generated tenants; ignored with `fixtures`. Default 12.
    pub tenant_count: usize,
    /// Folder with one sub-folder per tenant id; replaces generated data.
    pub fixtures: Option<PathBuf>,
    /// Profiles per page when the client sends no `$top`. Default 50.
    pub profile_page_size: usize,
    /// Daily snapshots per generated tenant. Default 100, so a change over
    /// 90 days has both ends even though real Graph keeps 90 days.
    pub history_days: u32,
    /// Newest snapshot day. Default: the current UTC date.
    pub today: Option<NaiveDate>,
    /// When set, the token endpoint rejects any other secret with
    /// AADSTS7000215. When `None`, any non-empty secret is accepted.
    pub client_secret: Option<String>,
    pub faults: Faults,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            seed: 7,
            tenant_count: 12,
            fixtures: None,
            profile_page_size: 50,
            history_days: 100,
            today: None,
            client_secret: None,
            faults: Faults::default(),
        }
    }
}

/// Faults injected per tenant.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Graph responds with 403 AccessDenied.
    pub forbidden: Vec<TenantId>,
    /// The token endpoint responds with 400 AADSTS700016 (app not found in
    /// the directory).
    pub consent_missing: Vec<TenantId>,
    /// The first N Graph requests of the tenant get 429 with
    /// `Retry-After: 1`.
    pub throttle: Vec<(TenantId, u32)>,
    /// The next N Graph requests (after any throttled ones) get 503.
    pub server_errors: Vec<(TenantId, u32)>,
    /// List bodies are cut in half, so they are invalid JSON.
    pub truncate: Vec<TenantId>,
    /// `PATCH secureScoreControlProfiles` gets 400 BadRequest.
    pub reject_updates: Vec<TenantId>,
    /// Added to every response, in milliseconds.
    pub delay_ms: u64,
}

/// The role a tenant plays in the simulated portfolio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimScenario {
    /// Slow improvement.
    Normal,
    /// Controls drop to 0 between 14 and 20 days before the newest day.
    Regressing,
    /// New controls appear partway with no points, so the maximum grows
    /// while the points stay the same that day.
    MaxDrift,
    /// `secureScores` returns an empty `value` array.
    NoData,
    /// Every Graph call gets 403 AccessDenied.
    AccessDenied,
    /// Recorded payloads from a fixtures folder.
    Fixture,
}

impl SimScenario {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Regressing => "regressing",
            Self::MaxDrift => "max_drift",
            Self::NoData => "no_data",
            Self::AccessDenied => "access_denied",
            Self::Fixture => "fixture",
        }
    }
}

/// A tenant the simulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimTenant {
    pub tenant_id: TenantId,
    pub display_name: String,
    pub industry: Option<String>,
    pub scenario: SimScenario,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("the fixtures folder {} could not be read: {source}", path.display())]
    ReadFolder { path: PathBuf, source: std::io::Error },
    #[error("the fixture file {} could not be read: {source}", path.display())]
    ReadFile { path: PathBuf, source: std::io::Error },
    #[error(
        "the tenant file {} is invalid ({detail}); expected {{\"displayName\": \"...\", \"industry\": \"...\"}}",
        path.display()
    )]
    InvalidTenantFile { path: PathBuf, detail: String },
    #[error(
        "the fixtures folder {} has no sub-folder named after a tenant id; create one per tenant, \
         for example 72f988bf-86f1-41af-91ab-2d7cd011db47/secureScores.json",
        path.display()
    )]
    NoTenants { path: PathBuf },
    #[error("invalid simulator option: {0}")]
    InvalidOption(String),
}

/// A simulator ready to serve; see [`Simulator::spawn`] and
/// [`Simulator::router`].
pub struct Simulator {
    state: Arc<SimState>,
}

impl Simulator {
    /// Loads the fixtures folder or generates tenants.
    pub fn new(options: SimOptions) -> Result<Self, SimError> {
        if options.profile_page_size == 0 {
            return Err(SimError::InvalidOption("profile_page_size must be at least 1".to_owned()));
        }
        let tenants: Vec<TenantEntry> = match &options.fixtures {
            Some(dir) => fixtures::load(dir)?.into_iter().map(TenantEntry::recorded).collect(),
            None => {
                let today = options.today.unwrap_or_else(|| Utc::now().date_naive());
                generate::generate_tenants(options.seed, options.tenant_count, options.history_days, today)
                    .into_iter()
                    .map(TenantEntry::generated)
                    .collect()
            }
        };

        let faults = FaultPlan::from(options.faults);
        warn_about_unknown_fault_tenants(&tenants, &faults);
        let state = SimState::new(tenants, faults, options.client_secret, options.profile_page_size, options.seed);
        Ok(Self { state: Arc::new(state) })
    }

    pub fn tenants(&self) -> Vec<SimTenant> {
        self.state.tenants.iter().map(|entry| entry.info.clone()).collect()
    }

    /// Builds the simulator's routes, to serve on a listener of the caller's
    /// choice. Absolute links in responses are built from the `Host` header.
    pub fn router(&self) -> axum::Router {
        routes::router(self.state.clone())
    }

    /// Binds `addr` (port 0 picks a free port) and serves in a tokio task
    /// until the returned handle is shut down or dropped.
    pub async fn spawn(self, addr: SocketAddr) -> std::io::Result<RunningSim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let router = self.router();
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let server = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = server.await {
                warn!(%error, "the Graph simulator stopped with an error");
            }
        });
        info!(addr = %local_addr, tenants = self.state.tenants.len(), "Graph simulator listening");
        Ok(RunningSim { addr: local_addr, state: self.state, shutdown: Some(shutdown) })
    }
}

fn warn_about_unknown_fault_tenants(tenants: &[TenantEntry], faults: &FaultPlan) {
    let known = |id: &TenantId| tenants.iter().any(|entry| &entry.info.tenant_id == id);
    let named = faults
        .forbidden
        .iter()
        .chain(&faults.consent_missing)
        .chain(&faults.truncate)
        .chain(faults.throttle.keys())
        .chain(faults.server_errors.keys());
    for id in named {
        if !known(id) {
            warn!(tenant = %id, "a fault names a tenant the simulator does not serve");
        }
    }
}

/// A simulator serving in the background. Dropping it stops the server.
pub struct RunningSim {
    addr: SocketAddr,
    state: Arc<SimState>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl RunningSim {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/v1.0` for an IPv4 bind; an unspecified bind
    /// address is replaced by loopback.
    pub fn graph_base_url(&self) -> String {
        format!("http://{}/v1.0", self.reachable_addr())
    }

    /// `http://127.0.0.1:PORT`; token URLs are `{this}/{tenantId}/oauth2/v2.0/token`.
    pub fn login_base_url(&self) -> String {
        format!("http://{}", self.reachable_addr())
    }

    pub fn tenants(&self) -> Vec<SimTenant> {
        self.state.tenants.iter().map(|entry| entry.info.clone()).collect()
    }

    /// Token requests received so far, successful or not.
    pub fn token_requests(&self) -> u64 {
        self.state.token_requests.load(Ordering::Relaxed)
    }

    /// Stops accepting connections and lets open requests finish.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }

    fn reachable_addr(&self) -> SocketAddr {
        match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), self.addr.port()),
            IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), self.addr.port()),
            _ => self.addr,
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Asks a running simulator at `base` (`http://127.0.0.1:PORT`) to zero the
/// best controls of `tenant` on its newest day, over its HTTP control route.
/// Returns the names of the zeroed controls.
pub async fn request_regression(base: &str, tenant: &domain::TenantId) -> Result<Vec<String>, crate::error::ServiceError> {
    use crate::error::ServiceError;

    let url = format!("{}/sim/tenants/{}/regress", base.trim_end_matches('/'), tenant.as_str());
    let response = reqwest::Client::new()
        .post(url)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| ServiceError::Internal(format!("the simulator did not respond: {}", e.without_url())))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        let reason = body["error"].as_str().unwrap_or("no reason given");
        return Err(ServiceError::BadRequest(format!("the simulator cannot regress tenant {tenant}: {reason}")));
    }
    Ok(body["controls"].as_array().map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect()).unwrap_or_default())
}
