//! HTTP client for the Microsoft Graph Secure Score resources.
//!
//! One client serves every customer tenant. Per tenant it keeps a
//! client-credentials access token and a semaphore that bounds the requests
//! in flight, because Graph allows 4 concurrent requests per app and tenant on
//! the secure score resources. Throttling (429), 5xx responses and transport
//! errors are retried with `Retry-After` or exponential backoff. A PATCH is
//! retried only where Graph cannot have applied it (429, 503, connect
//! errors), because a repeated PATCH appends a second state update.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::TenantId;
use reqwest::header::{HeaderMap, ACCEPT, RETRY_AFTER, WARNING};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use tokio::sync::{Mutex as AsyncMutex, Semaphore};
use tracing::{debug, info, warn};
use url::{Origin, Url};

use super::error::{truncate_detail, GraphError};
use super::secret::Secret;
use super::wire::{self, ControlProfile, SecureScoreRecord};

/// OAuth scope for app-only Graph tokens.
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
/// Upper bound on pages followed in one listing, so a server that keeps
/// returning next links cannot loop the client forever.
const MAX_PAGES: usize = 100;
/// A cached token is replaced this long before it expires.
const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Tokens that would stay cached for less than this are used once and not
/// cached at all.
const MIN_TOKEN_CACHE: Duration = Duration::from_secs(60);
/// First backoff ceiling; it doubles with each retry.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// States that `PATCH secureScoreControlProfiles/{id}` accepts.
const CONTROL_STATES: [&str; 4] = ["Default", "Ignored", "ThirdParty", "Reviewed"];
/// AADSTS codes meaning the app has no usable presence in the tenant.
/// They are 65001 (consent not granted), 700016 (app not found in the
/// directory), 7000112 (app disabled), 7000229 (service principal missing),
/// 90002 (tenant not found) and 500011 (resource principal not found).
const CONSENT_ERROR_CODES: [u64; 6] = [65001, 700016, 7000112, 7000229, 90002, 500011];
/// AADSTS codes for a wrong or expired client secret.
const CREDENTIAL_ERROR_CODES: [u64; 2] = [7000215, 7000222];

/// Settings of the Graph client. Build with [`GraphConfig::new`] and change
/// the public fields to override the defaults.
#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// For example `https://graph.microsoft.com/v1.0`; a trailing slash is
    /// allowed.
    pub graph_base_url: String,
    /// For example `https://login.microsoftonline.com`; the token URL is
    /// `{login_base_url}/{tenantId}/oauth2/v2.0/token`.
    pub login_base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Whole request including the body. Default 30 s.
    pub request_timeout: Duration,
    /// Default 10 s.
    pub connect_timeout: Duration,
    /// Retries after the first attempt on 429, 5xx and transport errors.
    /// Default 4.
    pub max_retries: u32,
    /// Cap on each wait, whether from `Retry-After` or backoff. Default 60 s.
    pub max_retry_wait: Duration,
    /// Requests in flight per tenant. Default 4, Graph's limit on the secure
    /// score resources.
    pub max_concurrent_per_tenant: usize,
}

impl GraphConfig {
    pub fn new(graph_base_url: String, login_base_url: String, client_id: String, client_secret: Secret) -> Self {
        Self {
            graph_base_url,
            login_base_url,
            client_id,
            client_secret,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            max_retry_wait: Duration::from_secs(60),
            max_concurrent_per_tenant: 4,
        }
    }
}

/// Secure score snapshots of one tenant, newest first.
#[derive(Debug, Clone, Default)]
pub struct ScoreFetch {
    pub records: Vec<SecureScoreRecord>,
    /// `Warning` header texts of 206 (partial content) pages.
    pub warnings: Vec<String>,
}

/// Every control profile of one tenant.
#[derive(Debug, Clone, Default)]
pub struct ProfileFetch {
    pub profiles: Vec<ControlProfile>,
    /// `Warning` header texts of 206 (partial content) pages.
    pub warnings: Vec<String>,
}

/// Body of `PATCH /security/secureScoreControlProfiles/{id}`. Graph appends
/// it to the profile's `controlStateUpdates`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlProfileUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `Default`, `Ignored`, `ThirdParty` or `Reviewed`.
    pub state: String,
    #[serde(rename = "vendorInformation")]
    pub vendor: VendorInformation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorInformation {
    pub provider: String,
    pub provider_version: Option<String>,
    pub sub_provider: Option<String>,
    pub vendor: String,
}

impl VendorInformation {
    /// Returns the vendor information Graph itself puts on Secure Score
    /// resources.
    pub fn secure_score() -> Self {
        Self {
            provider: "SecureScore".to_owned(),
            provider_version: None,
            sub_provider: None,
            vendor: "Microsoft".to_owned(),
        }
    }
}

/// Microsoft Graph client; cheap to clone, all clones share tokens and
/// per-tenant limits.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: GraphConfig,
    /// `graph_base_url` without a trailing slash.
    graph_base: String,
    graph_origin: Origin,
    /// `login_base_url` without a trailing slash.
    login_base: String,
    tenants: Mutex<HashMap<TenantId, Arc<TenantState>>>,
}

struct TenantState {
    /// Held while a token is requested, so concurrent callers for one tenant
    /// wait for that request instead of sending their own.
    token: AsyncMutex<Option<CachedToken>>,
    permits: Semaphore,
}

struct CachedToken {
    token: Secret,
    refresh_at: Instant,
}

struct IssuedToken {
    token: Secret,
    /// `None` when the token lives too briefly to cache.
    refresh_at: Option<Instant>,
}

/// A complete HTTP response with its body read.
struct Exchange {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient")
            .field("graph_base_url", &self.inner.graph_base)
            .field("login_base_url", &self.inner.login_base)
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// Checks the configuration and builds the HTTP client (rustls, no
    /// redirects, connect and request timeouts).
    pub fn new(config: GraphConfig) -> Result<Self, GraphError> {
        let graph_url = parse_base_url("Graph base URL", &config.graph_base_url)?;
        parse_base_url("login base URL", &config.login_base_url)?;
        if config.client_id.trim().is_empty() {
            return Err(GraphError::Config { detail: "the client id is empty".to_owned() });
        }
        if config.client_secret.is_empty() {
            return Err(GraphError::Config { detail: "the client secret is empty".to_owned() });
        }
        if config.max_concurrent_per_tenant == 0 {
            return Err(GraphError::Config { detail: "max_concurrent_per_tenant must be at least 1".to_owned() });
        }

        // Redirects stay off: a redirect would resend the bearer token to a
        // location the client did not choose.
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("SecurityScoreDashboard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| GraphError::Config { detail: format!("the HTTP client could not be built: {error}") })?;

        let inner = Inner {
            http,
            graph_base: config.graph_base_url.trim().trim_end_matches('/').to_owned(),
            graph_origin: graph_url.origin(),
            login_base: config.login_base_url.trim().trim_end_matches('/').to_owned(),
            tenants: Mutex::new(HashMap::new()),
            config,
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// Fetches up to `top` secure score snapshots, newest first, with
    /// `GET {graph}/security/secureScores?$top={top}`, following
    /// `@odata.nextLink` until `top` records are collected or no link remains.
    pub async fn secure_scores(&self, tenant: &TenantId, top: u32) -> Result<ScoreFetch, GraphError> {
        let mut fetch = ScoreFetch::default();
        if top == 0 {
            return Ok(fetch);
        }
        let requested = top as usize;
        let mut url = self.graph_url(&format!("/security/secureScores?$top={top}"))?;

        for _ in 0..MAX_PAGES {
            let exchange = self.graph_request(tenant, "secureScores", Method::GET, &url, None).await?;
            collect_warnings(&exchange, &mut fetch.warnings);
            let page = wire::parse_secure_scores(&exchange.body)?;
            fetch.records.extend(page.records);
            if fetch.records.len() >= requested {
                fetch.records.truncate(requested);
                return Ok(fetch);
            }
            match page.next_link {
                Some(link) => url = self.checked_next_link(tenant, &link)?,
                None => return Ok(fetch),
            }
        }
        Err(GraphError::TooManyPages { limit: MAX_PAGES })
    }

    /// Fetches every page of `GET {graph}/security/secureScoreControlProfiles`
    /// by following `@odata.nextLink`.
    pub async fn control_profiles(&self, tenant: &TenantId) -> Result<ProfileFetch, GraphError> {
        let mut fetch = ProfileFetch::default();
        let mut url = self.graph_url("/security/secureScoreControlProfiles")?;

        for _ in 0..MAX_PAGES {
            let exchange = self.graph_request(tenant, "secureScoreControlProfiles", Method::GET, &url, None).await?;
            collect_warnings(&exchange, &mut fetch.warnings);
            let page = wire::parse_control_profiles(&exchange.body)?;
            fetch.profiles.extend(page.profiles);
            match page.next_link {
                Some(link) => url = self.checked_next_link(tenant, &link)?,
                None => return Ok(fetch),
            }
        }
        Err(GraphError::TooManyPages { limit: MAX_PAGES })
    }

    /// Sends `PATCH {graph}/security/secureScoreControlProfiles/{id}`, to
    /// which Graph responds with 204. Ids starting with `scid_` (Defender for
    /// Endpoint device controls) and unknown states are rejected without a
    /// request.
    pub async fn update_control_profile(
        &self,
        tenant: &TenantId,
        control_id: &str,
        update: &ControlProfileUpdate,
    ) -> Result<(), GraphError> {
        if control_id.trim().is_empty() {
            return Err(GraphError::InvalidRequest { detail: "the control id is empty".to_owned() });
        }
        if control_id.to_ascii_lowercase().starts_with("scid_") {
            return Err(GraphError::NotUpdatable { control_id: control_id.to_owned() });
        }
        if !CONTROL_STATES.contains(&update.state.as_str()) {
            return Err(GraphError::InvalidRequest {
                detail: format!(
                    "state '{}' is not one of {}",
                    truncate_detail(&update.state),
                    CONTROL_STATES.join(", ")
                ),
            });
        }

        let mut url = self.graph_url("/security/secureScoreControlProfiles")?;
        url.path_segments_mut()
            .map_err(|()| GraphError::Config { detail: "the Graph base URL cannot take a path".to_owned() })?
            .push(control_id);
        let body = serde_json::to_value(update).map_err(|error| GraphError::InvalidRequest {
            detail: format!("the update could not be encoded: {error}"),
        })?;

        self.graph_request(tenant, "updateControlProfile", Method::PATCH, &url, Some(&body)).await?;
        info!(tenant = %tenant, control_id, state = %update.state, "updated control profile state in Graph");
        Ok(())
    }

    fn graph_url(&self, path_and_query: &str) -> Result<Url, GraphError> {
        let text = format!("{}{}", self.inner.graph_base, path_and_query);
        Url::parse(&text)
            .map_err(|error| GraphError::Config { detail: format!("'{text}' is not a valid URL: {error}") })
    }

    /// Accepts a next link only on the origin (scheme, host, port) of the
    /// Graph base URL, because following it sends the bearer token.
    fn checked_next_link(&self, tenant: &TenantId, link: &str) -> Result<Url, GraphError> {
        let rejected = || GraphError::InvalidNextLink { link: truncate_detail(link) };
        let url = Url::parse(link).map_err(|_| rejected())?;
        let has_credentials = !url.username().is_empty() || url.password().is_some();
        if url.origin() != self.inner.graph_origin || has_credentials {
            warn!(tenant = %tenant, link = %truncate_detail(link), "rejected a next link outside the Graph base URL");
            return Err(rejected());
        }
        Ok(url)
    }

    fn tenant_state(&self, tenant: &TenantId) -> Arc<TenantState> {
        let mut tenants = self.inner.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        tenants
            .entry(tenant.clone())
            .or_insert_with(|| {
                Arc::new(TenantState {
                    token: AsyncMutex::new(None),
                    permits: Semaphore::new(self.inner.config.max_concurrent_per_tenant),
                })
            })
            .clone()
    }

    /// Sends one Graph request with retries. On 401 the token is fetched
    /// anew and the request sent once more.
    async fn graph_request(
        &self,
        tenant: &TenantId,
        operation: &'static str,
        method: Method,
        url: &Url,
        body: Option<&serde_json::Value>,
    ) -> Result<Exchange, GraphError> {
        let state = self.tenant_state(tenant);
        // PATCH appends a state update, so a retry after the request may
        // have been processed could append it twice.
        let idempotent = method == Method::GET;
        let mut token_renewed = false;

        loop {
            let token = self.access_token(tenant, &state).await?;
            let build = || {
                let request = self
                    .inner
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(token.expose())
                    .header(ACCEPT, "application/json");
                match body {
                    Some(body) => request.json(body),
                    None => request,
                }
            };
            let (exchange, attempts) =
                self.send_with_retries(tenant, operation, idempotent, Some(&state.permits), build).await?;

            let status = exchange.status;
            if status.is_success() {
                return Ok(exchange);
            }
            let detail = graph_error_detail(&exchange.body);
            match status.as_u16() {
                401 if !token_renewed => {
                    info!(tenant = %tenant, operation, "Graph returned 401, requesting a new token and retrying once");
                    forget_token(&state, &token).await;
                    token_renewed = true;
                }
                401 => return Err(GraphError::Unauthorized { detail }),
                403 => return Err(GraphError::AccessDenied { detail }),
                429 => return Err(GraphError::Throttled { attempts }),
                code => return Err(GraphError::Upstream { status: code, detail }),
            }
        }
    }

    /// Returns the cached token of `tenant`, or requests a new one while
    /// holding the tenant's token lock.
    async fn access_token(&self, tenant: &TenantId, state: &TenantState) -> Result<Secret, GraphError> {
        let mut slot = state.token.lock().await;
        if let Some(cached) = slot.as_ref() {
            if Instant::now() < cached.refresh_at {
                return Ok(cached.token.clone());
            }
        }
        *slot = None;

        let issued = self.request_token(tenant).await?;
        if let Some(refresh_at) = issued.refresh_at {
            *slot = Some(CachedToken { token: issued.token.clone(), refresh_at });
        }
        Ok(issued.token)
    }

    async fn request_token(&self, tenant: &TenantId) -> Result<IssuedToken, GraphError> {
        let config = &self.inner.config;
        let url = format!("{}/{}/oauth2/v2.0/token", self.inner.login_base, tenant.as_str());
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose()),
            ("scope", GRAPH_SCOPE),
        ];
        let build = || self.inner.http.post(&url).header(ACCEPT, "application/json").form(&form);
        let (exchange, attempts) = self.send_with_retries(tenant, "token", true, None, build).await?;

        if exchange.status.is_success() {
            let issued = parse_token_response(&exchange)?;
            debug!(tenant = %tenant, cached = issued.refresh_at.is_some(), "received an access token");
            return Ok(issued);
        }
        if exchange.status == StatusCode::TOO_MANY_REQUESTS {
            return Err(GraphError::Throttled { attempts });
        }

        let failure = TokenFailure::parse(&exchange.body);
        let detail = self.scrub(&failure.detail);
        if failure.codes.iter().any(|code| CONSENT_ERROR_CODES.contains(code)) {
            return Err(GraphError::ConsentMissing { detail });
        }
        if failure.error == "invalid_client" || failure.codes.iter().any(|code| CREDENTIAL_ERROR_CODES.contains(code)) {
            warn!(tenant = %tenant, detail = %detail, "the token endpoint rejected the client credentials");
            return Err(GraphError::InvalidCredentials);
        }
        Err(GraphError::Upstream { status: exchange.status.as_u16(), detail })
    }

    /// Removes the client secret from text that came back from a server,
    /// in case a server echoes it.
    fn scrub(&self, text: &str) -> String {
        let secret = self.inner.config.client_secret.expose();
        if secret.is_empty() {
            text.to_owned()
        } else {
            text.replace(secret, "[redacted]")
        }
    }

    /// Sends a request, retrying up to `max_retries` times on 429, 503 and
    /// connect errors, and also on 500, 502, 504 and other transport errors
    /// when `idempotent`. Returns the last response with the number of
    /// attempts made. Only transport errors become `Err`.
    async fn send_with_retries<F>(
        &self,
        tenant: &TenantId,
        operation: &'static str,
        idempotent: bool,
        permits: Option<&Semaphore>,
        build: F,
    ) -> Result<(Exchange, u32), GraphError>
    where
        F: Fn() -> reqwest::RequestBuilder,
    {
        let max_retries = self.inner.config.max_retries;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let result = {
                let _permit = match permits {
                    Some(semaphore) => Some(semaphore.acquire().await.map_err(|_| GraphError::Config {
                        detail: "the tenant request limiter was closed".to_owned(),
                    })?),
                    None => None,
                };
                send(build()).await
            };
            let retries_left = attempt <= max_retries;

            match result {
                Ok(exchange) => {
                    if !(retries_left && is_retryable_status(exchange.status, idempotent)) {
                        return Ok((exchange, attempt));
                    }
                    let wait = self.retry_wait(attempt, Some(&exchange.headers));
                    warn!(
                        tenant = %tenant,
                        operation,
                        status = exchange.status.as_u16(),
                        attempt,
                        max_retries,
                        wait_ms = wait.as_millis() as u64,
                        "Graph request failed, retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(error) => {
                    // A connect error means nothing was sent, so even a
                    // PATCH may be repeated.
                    let retryable = idempotent || error.is_connect();
                    let failure = transport_error(&error);
                    if !(retries_left && retryable) {
                        warn!(tenant = %tenant, operation, attempt, error = %failure, "Graph request failed");
                        return Err(failure);
                    }
                    let wait = self.retry_wait(attempt, None);
                    warn!(
                        tenant = %tenant,
                        operation,
                        error = %failure,
                        attempt,
                        max_retries,
                        wait_ms = wait.as_millis() as u64,
                        "Graph request failed, retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Computes the wait before retry number `attempt` (1-based): the
    /// `Retry-After` value when present, else full-jitter exponential backoff,
    /// capped at `max_retry_wait`.
    fn retry_wait(&self, attempt: u32, headers: Option<&HeaderMap>) -> Duration {
        let cap = self.inner.config.max_retry_wait;
        let retry_after = headers
            .and_then(|headers| headers.get(RETRY_AFTER))
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, Utc::now()));
        if let Some(wait) = retry_after {
            return wait.min(cap);
        }
        let ceiling = BACKOFF_BASE.saturating_mul(1u32 << (attempt - 1).min(16)).min(cap);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=ceiling_ms))
    }
}

async fn send(request: reqwest::RequestBuilder) -> Result<Exchange, reqwest::Error> {
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    Ok(Exchange { status, headers, body })
}

/// Drops the cached token if it is still the one Graph rejected; another
/// caller may already have replaced it.
async fn forget_token(state: &TenantState, rejected: &Secret) {
    let mut slot = state.token.lock().await;
    if slot.as_ref().is_some_and(|cached| &cached.token == rejected) {
        *slot = None;
    }
}

fn is_retryable_status(status: StatusCode, idempotent: bool) -> bool {
    match status.as_u16() {
        // 429 and 503 mean the request was not processed.
        429 | 503 => true,
        500 | 502 | 504 => idempotent,
        _ => false,
    }
}

fn parse_base_url(name: &str, value: &str) -> Result<Url, GraphError> {
    let invalid =
        |reason: &str| GraphError::Config { detail: format!("the {name} '{}' {reason}", truncate_detail(value)) };
    let url = Url::parse(value.trim()).map_err(|_| invalid("is not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must start with https:// (or http:// for a local simulator)"));
    }
    if url.host_str().is_none() {
        return Err(invalid("has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain credentials"));
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        warn!(name, url = %url, "plain http to a host that is not loopback: tokens and secrets travel unencrypted");
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Parses `Retry-After` as delay seconds or as an HTTP date.
fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

fn collect_warnings(exchange: &Exchange, warnings: &mut Vec<String>) {
    if exchange.status != StatusCode::PARTIAL_CONTENT {
        return;
    }
    let before = warnings.len();
    for value in exchange.headers.get_all(WARNING) {
        warnings.push(truncate_detail(&String::from_utf8_lossy(value.as_bytes())));
    }
    if warnings.len() == before {
        warnings.push("Microsoft Graph returned partial content (HTTP 206) without a Warning header".to_owned());
    }
}

/// `code: message` from a Graph error body, else the start of the body.
fn graph_error_detail(body: &[u8]) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().and_then(|root| root.get("error"));
    let code = error.and_then(|e| e.get("code")).and_then(|v| v.as_str());
    let message = error.and_then(|e| e.get("message")).and_then(|v| v.as_str());
    match (code, message) {
        (Some(code), Some(message)) => truncate_detail(&format!("{code}: {message}")),
        (Some(code), None) => truncate_detail(code),
        (None, Some(message)) => truncate_detail(message),
        (None, None) if body.is_empty() => "empty response body".to_owned(),
        (None, None) => truncate_detail(&String::from_utf8_lossy(body)),
    }
}

fn transport_error(error: &reqwest::Error) -> GraphError {
    if error.is_timeout() {
        return GraphError::Timeout;
    }
    // The chain of sources names the cause ("Connection refused"), while
    // the top level only reports that sending failed.
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    GraphError::Network { detail: truncate_detail(&parts.join(": ")) }
}

fn parse_token_response(exchange: &Exchange) -> Result<IssuedToken, GraphError> {
    let invalid = |reason: &str| GraphError::Upstream {
        status: exchange.status.as_u16(),
        detail: format!("the token endpoint returned {reason}"),
    };
    let root: serde_json::Value =
        serde_json::from_slice(&exchange.body).map_err(|_| invalid("a body that is not JSON"))?;
    let token = root
        .get("access_token")
        .and_then(|v| v.as_str())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| invalid("no access_token"))?;
    // Older endpoints send expires_in as a string.
    let expires_in = match root.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    let refresh_at = expires_in
        .map(|seconds| Duration::from_secs(seconds).saturating_sub(TOKEN_REFRESH_MARGIN))
        .filter(|lifetime| *lifetime >= MIN_TOKEN_CACHE)
        .map(|lifetime| Instant::now() + lifetime);
    Ok(IssuedToken { token: Secret::new(token), refresh_at })
}

/// The parts of a Microsoft Entra ID token error body that matter.
struct TokenFailure {
    error: String,
    codes: Vec<u64>,
    detail: String,
}

impl TokenFailure {
    fn parse(body: &[u8]) -> Self {
        let root: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let error = root.get("error").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let description = root.get("error_description").and_then(|v| v.as_str()).unwrap_or_default();
        let mut codes: Vec<u64> = root
            .get("error_codes")
            .and_then(|v| v.as_array())
            .map(|codes| codes.iter().filter_map(serde_json::Value::as_u64).collect())
            .unwrap_or_default();
        if codes.is_empty() {
            codes.extend(aadsts_code(description));
        }
        // The first line contains the code and reason. Later lines carry
        // trace and correlation ids.
        let first_line = description.lines().next().unwrap_or_default();
        let detail = match (error.is_empty(), first_line.is_empty()) {
            (false, false) => format!("{error}: {first_line}"),
            (false, true) => error.clone(),
            (true, false) => first_line.to_owned(),
            (true, true) if body.is_empty() => "empty response body".to_owned(),
            (true, true) => String::from_utf8_lossy(body).into_owned(),
        };
        Self { error, codes, detail: truncate_detail(&detail) }
    }
}

/// Extracts the number of the first `AADSTS<digits>` in `text`.
fn aadsts_code(text: &str) -> Option<u64> {
    let start = text.find("AADSTS")? + "AADSTS".len();
    let digits: String = text[start..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:50Z").unwrap().with_timezone(&Utc);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn token_failure_reads_codes_and_first_line() {
        let body = br#"{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier 'abc' was not found.\r\nTrace ID: 1\r\nCorrelation ID: 2","error_codes":[700016]}"#;
        let failure = TokenFailure::parse(body);
        assert_eq!(failure.codes, vec![700016]);
        assert_eq!(
            failure.detail,
            "unauthorized_client: AADSTS700016: Application with identifier 'abc' was not found."
        );
    }

    #[test]
    fn token_failure_without_codes_reads_description() {
        let body = br#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found."}"#;
        assert_eq!(TokenFailure::parse(body).codes, vec![90002]);
    }

    #[test]
    fn graph_error_detail_joins_code_and_message() {
        let body =
            br#"{"error":{"code":"AccessDenied","message":"Insufficient privileges","innerError":{"date":"x"}}}"#;
        assert_eq!(graph_error_detail(body), "AccessDenied: Insufficient privileges");
        assert_eq!(graph_error_detail(b""), "empty response body");
        assert_eq!(graph_error_detail(b"<html>Bad gateway</html>"), "<html>Bad gateway</html>");
    }

    #[test]
    fn update_body_matches_graph_shape() {
        let update = ControlProfileUpdate {
            assigned_to: None,
            comment: Some("Handled by the MSP".into()),
            state: "Reviewed".into(),
            vendor: VendorInformation::secure_score(),
        };
        let body = serde_json::to_value(&update).unwrap();
        let expected = serde_json::json!({
            "comment": "Handled by the MSP",
            "state": "Reviewed",
            "vendorInformation": {"provider": "SecureScore", "providerVersion": null, "subProvider": null, "vendor": "Microsoft"}
        });
        assert_eq!(body, expected);
    }

    #[test]
    fn base_url_must_be_http() {
        let config = GraphConfig::new(
            "ftp://example.test/v1.0".into(),
            "https://login.example.test".into(),
            "id".into(),
            Secret::new("s"),
        );
        let error = GraphClient::new(config).unwrap_err();
        assert!(matches!(error, GraphError::Config { .. }), "{error:?}");
        assert!(error.to_string().contains("ftp://example.test/v1.0"), "{error}");
    }
}
