//! Shared state of a running simulator: tenants and their payloads, issued
//! tokens, request counters for fault injection.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use domain::TenantId;
use serde_json::Value;

use super::fixtures::{FixtureTenant, Recorded};
use super::generate::GeneratedTenant;
use super::rng::mix;
use super::{Faults, SimScenario, SimTenant};

/// Lifetime of issued access tokens, in seconds, as Microsoft Entra ID
/// reports it.
pub(crate) const TOKEN_LIFETIME_SECONDS: u64 = 3599;

pub(crate) struct SimState {
    pub(crate) tenants: Vec<TenantEntry>,
    positions: HashMap<TenantId, usize>,
    pub(crate) faults: FaultPlan,
    pub(crate) client_secret: Option<String>,
    pub(crate) profile_page_size: usize,
    pub(crate) seed: u64,
    grants: Mutex<HashMap<String, Grant>>,
    issued_tokens: AtomicU64,
    pub(crate) token_requests: AtomicU64,
    graph_requests: Mutex<HashMap<TenantId, u32>>,
    pub(crate) error_count: AtomicU64,
}

pub(crate) struct TenantEntry {
    pub(crate) info: SimTenant,
    pub(crate) scores: ScoreSource,
    pub(crate) profiles: Mutex<ProfileSource>,
    /// Controls zeroed by a simulated regression, by catalogue position,
    /// with the day it starts.
    regressed: Mutex<HashMap<usize, NaiveDate>>,
}

pub(crate) enum ScoreSource {
    Generated(Arc<GeneratedTenant>),
    Recorded(Recorded),
}

pub(crate) enum ProfileSource {
    Generated {
        tenant: Arc<GeneratedTenant>,
        /// State updates sent with PATCH, by catalogue position.
        appended: HashMap<usize, Vec<Value>>,
    },
    Recorded(Recorded),
}

/// A page cut from a payload.
pub(crate) enum Page {
    Values {
        values: Vec<Value>,
        total: usize,
    },
    /// A fixture that could not be read as JSON, served unchanged.
    Raw(Vec<u8>),
}

/// Result of a PATCH of a control profile.
pub(crate) enum UpdateOutcome {
    Updated,
    NotFound,
}

#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) tenant: TenantId,
    pub(crate) client_id: String,
    issued_at: Instant,
}

/// [`Faults`] in lookup form.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    pub(crate) forbidden: HashSet<TenantId>,
    pub(crate) consent_missing: HashSet<TenantId>,
    pub(crate) throttle: HashMap<TenantId, u32>,
    pub(crate) server_errors: HashMap<TenantId, u32>,
    pub(crate) truncate: HashSet<TenantId>,
    pub(crate) reject_updates: HashSet<TenantId>,
    pub(crate) delay: Duration,
}

impl From<Faults> for FaultPlan {
    fn from(faults: Faults) -> Self {
        Self {
            forbidden: faults.forbidden.into_iter().collect(),
            consent_missing: faults.consent_missing.into_iter().collect(),
            throttle: faults.throttle.into_iter().collect(),
            server_errors: faults.server_errors.into_iter().collect(),
            truncate: faults.truncate.into_iter().collect(),
            reject_updates: faults.reject_updates.into_iter().collect(),
            delay: Duration::from_millis(faults.delay_ms),
        }
    }
}

/// The fault, if any, for the `n`-th (0-based) Graph request of a tenant.
/// Throttling covers the first requests, server errors the ones after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InjectedFault {
    Throttle,
    ServerError,
}

impl FaultPlan {
    pub(crate) fn for_request(&self, tenant: &TenantId, n: u32) -> Option<InjectedFault> {
        let throttled = self.throttle.get(tenant).copied().unwrap_or(0);
        let failing = self.server_errors.get(tenant).copied().unwrap_or(0);
        if n < throttled {
            Some(InjectedFault::Throttle)
        } else if n < throttled.saturating_add(failing) {
            Some(InjectedFault::ServerError)
        } else {
            None
        }
    }
}

impl TenantEntry {
    pub(crate) fn generated(tenant: GeneratedTenant) -> Self {
        let tenant = Arc::new(tenant);
        Self {
            info: tenant.info.clone(),
            scores: ScoreSource::Generated(tenant.clone()),
            profiles: Mutex::new(ProfileSource::Generated { tenant, appended: HashMap::new() }),
            regressed: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn recorded(fixture: FixtureTenant) -> Self {
        Self {
            info: fixture.info,
            scores: ScoreSource::Recorded(fixture.scores),
            profiles: Mutex::new(ProfileSource::Recorded(fixture.profiles)),
            regressed: Mutex::new(HashMap::new()),
        }
    }

    /// Returns whether Graph rejects every call of this tenant with 403,
    /// regardless of faults.
    pub(crate) fn always_denied(&self) -> bool {
        self.info.scenario == SimScenario::AccessDenied
    }

    pub(crate) fn score_page(&self, offset: usize, size: usize) -> Page {
        match &self.scores {
            ScoreSource::Generated(tenant) => {
                let third_party = self.third_party_controls();
                let regressed = self.regressed.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let total = tenant.snapshot_count();
                let values = (offset..total.min(offset.saturating_add(size)))
                    .map(|i| tenant.snapshot_with(i, &third_party, &regressed))
                    .collect();
                Page::Values { values, total }
            }
            ScoreSource::Recorded(recorded) => recorded_page(recorded, offset, size),
        }
    }

    /// Zeroes the tenant's best controls on its newest day (see
    /// `GeneratedTenant::regression_controls`). Returns the day and the
    /// control names, or `None` for a tenant served from recorded payloads.
    pub(crate) fn regress(&self) -> Option<(NaiveDate, Vec<String>)> {
        let ScoreSource::Generated(tenant) = &self.scores else {
            return None;
        };
        let (date, controls) = tenant.regression_controls();
        let mut regressed = self.regressed.lock().unwrap_or_else(PoisonError::into_inner);
        for (position, _) in &controls {
            regressed.entry(*position).or_insert(date);
        }
        Some((date, controls.into_iter().map(|(_, name)| name).collect()))
    }

    /// Catalogue positions whose newest PATCHed state is `ThirdParty`, with
    /// the day it was set.
    fn third_party_controls(&self) -> HashMap<usize, NaiveDate> {
        let profiles = self.profiles.lock().unwrap_or_else(PoisonError::into_inner);
        let ProfileSource::Generated { appended, .. } = &*profiles else {
            return HashMap::new();
        };
        appended
            .iter()
            .filter_map(|(position, updates)| {
                let last = updates.last()?;
                if last.get("state").and_then(Value::as_str) != Some("ThirdParty") {
                    return None;
                }
                let at = last.get("updatedDateTime").and_then(Value::as_str)?;
                let day = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc).date_naive();
                Some((*position, day))
            })
            .collect()
    }

    pub(crate) fn profile_page(&self, offset: usize, size: usize) -> Page {
        let profiles = self.profiles.lock().unwrap_or_else(PoisonError::into_inner);
        match &*profiles {
            ProfileSource::Generated { tenant, appended } => {
                let total = tenant.profile_count();
                let values = (offset..total.min(offset.saturating_add(size)))
                    .map(|i| tenant.profile(i, appended.get(&i).map_or(&[][..], Vec::as_slice)))
                    .collect();
                Page::Values { values, total }
            }
            ProfileSource::Recorded(recorded) => recorded_page(recorded, offset, size),
        }
    }

    /// Appends `update` to the `controlStateUpdates` of profile `id`.
    pub(crate) fn append_state_update(&self, id: &str, update: Value) -> UpdateOutcome {
        let mut profiles = self.profiles.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *profiles {
            ProfileSource::Generated { tenant, appended } => match tenant.profile_position(id) {
                Some(position) => {
                    appended.entry(position).or_default().push(update);
                    UpdateOutcome::Updated
                }
                None => UpdateOutcome::NotFound,
            },
            ProfileSource::Recorded(Recorded::Records(values)) => {
                let found = values.iter_mut().find(|profile| profile.get("id").and_then(Value::as_str) == Some(id));
                let Some(profile) = found else {
                    return UpdateOutcome::NotFound;
                };
                let updated_at = update.get("updatedDateTime").cloned().unwrap_or(Value::Null);
                match profile.get_mut("controlStateUpdates") {
                    Some(Value::Array(updates)) => updates.push(update),
                    _ => profile["controlStateUpdates"] = Value::Array(vec![update]),
                }
                profile["lastModifiedDateTime"] = updated_at;
                UpdateOutcome::Updated
            }
            ProfileSource::Recorded(Recorded::Raw(_)) => UpdateOutcome::NotFound,
        }
    }
}

fn recorded_page(recorded: &Recorded, offset: usize, size: usize) -> Page {
    match recorded {
        Recorded::Records(values) => {
            Page::Values { values: values.iter().skip(offset).take(size).cloned().collect(), total: values.len() }
        }
        Recorded::Raw(bytes) => Page::Raw(bytes.clone()),
    }
}

impl SimState {
    pub(crate) fn new(
        tenants: Vec<TenantEntry>,
        faults: FaultPlan,
        client_secret: Option<String>,
        profile_page_size: usize,
        seed: u64,
    ) -> Self {
        let positions = tenants.iter().enumerate().map(|(i, t)| (t.info.tenant_id.clone(), i)).collect();
        Self {
            tenants,
            positions,
            faults,
            client_secret,
            profile_page_size,
            seed,
            grants: Mutex::new(HashMap::new()),
            issued_tokens: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
            graph_requests: Mutex::new(HashMap::new()),
            error_count: AtomicU64::new(0),
        }
    }

    pub(crate) fn tenant(&self, id: &TenantId) -> Option<&TenantEntry> {
        self.positions.get(id).map(|&i| &self.tenants[i])
    }

    /// Issues a new access token for `tenant`.
    pub(crate) fn issue_token(&self, tenant: &TenantId, client_id: &str) -> String {
        let n = self.issued_tokens.fetch_add(1, Ordering::Relaxed);
        let token = format!("sim.{:016x}{:016x}", mix(self.seed ^ mix(n)), mix(n.wrapping_add(0x7A11_0C4E)));
        let grant = Grant { tenant: tenant.clone(), client_id: client_id.to_owned(), issued_at: Instant::now() };
        self.grants.lock().unwrap_or_else(PoisonError::into_inner).insert(token.clone(), grant);
        token
    }

    /// Looks up the grant behind `token`, which must have been issued here
    /// and not have expired.
    pub(crate) fn grant(&self, token: &str) -> Result<Grant, TokenProblem> {
        let grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
        let grant = grants.get(token).ok_or(TokenProblem::Unknown)?;
        if grant.issued_at.elapsed() > Duration::from_secs(TOKEN_LIFETIME_SECONDS) {
            return Err(TokenProblem::Expired);
        }
        Ok(grant.clone())
    }

    /// Counts a Graph request of `tenant` and returns how many came before.
    pub(crate) fn count_graph_request(&self, tenant: &TenantId) -> u32 {
        let mut counts = self.graph_requests.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(tenant.clone()).or_insert(0);
        let before = *count;
        *count = count.saturating_add(1);
        before
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Unknown,
    Expired,
}
