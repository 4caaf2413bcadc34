//! Alert rules, evaluated after every sync, and the episode logic that
//! keeps one alert per episode. Pure functions: the caller supplies the
//! tenant's recent history, its new improvement actions and the outcome of
//! its recent syncs.
//!
//! An episode is identified by a key. While a rule's condition is true, each
//! evaluation produces the same key, so the stored alert stays open and no
//! second notice goes out. When the condition clears, the alert resolves.
//! Milestones and new recommendations are events: their condition stays
//! true for [`EVENT_DAYS`] days after the event, then the alert resolves.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::score::{self, round2, DailyScore};

/// Days an event alert (milestone, new recommendation) stays open.
pub const EVENT_DAYS: i64 = 7;

/// The kinds of alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    ScoreDrop,
    BelowBaseline,
    MilestoneReached,
    NewRecommendation,
    StaleData,
    SyncFailing,
}

impl AlertKind {
    pub const ALL: [AlertKind; 6] = [
        Self::ScoreDrop,
        Self::BelowBaseline,
        Self::MilestoneReached,
        Self::NewRecommendation,
        Self::StaleData,
        Self::SyncFailing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ScoreDrop => "score_drop",
            Self::BelowBaseline => "below_baseline",
            Self::MilestoneReached => "milestone_reached",
            Self::NewRecommendation => "new_recommendation",
            Self::StaleData => "stale_data",
            Self::SyncFailing => "sync_failing",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ScoreDrop => "Score drop",
            Self::BelowBaseline => "Below baseline",
            Self::MilestoneReached => "Milestone reached",
            Self::NewRecommendation => "New recommendation",
            Self::StaleData => "Stale data",
            Self::SyncFailing => "Sync failing",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }

    /// Lists the wire names, for error messages.
    pub fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Self::Info, Self::Warning, Self::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Info => "Info",
            Self::Warning => "Warning",
            Self::Critical => "Critical",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }
}

/// The thresholds of the rules in force for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    /// Percentage points a drop must reach (inclusive).
    pub drop_points: f64,
    /// Days the drop is measured over.
    pub drop_days: u32,
    /// Percentage below which a tenant is under its baseline.
    pub baseline: f64,
    /// Percentages whose upward crossing is a milestone, ascending.
    pub milestones: Vec<f64>,
    /// Hours without a new snapshot before data is stale.
    pub stale_hours: u32,
    /// Failed syncs in a row before Sync Failing opens.
    pub failed_syncs: u32,
    /// Alert types switched off.
    pub disabled_types: Vec<AlertKind>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            drop_points: 5.0,
            drop_days: 7,
            baseline: 60.0,
            milestones: vec![80.0, 90.0],
            stale_hours: score::STALE_AFTER_HOURS as u32,
            failed_syncs: 3,
            disabled_types: Vec::new(),
        }
    }
}

impl Thresholds {
    /// These thresholds with the fields that `overrides` sets replaced.
    pub fn with(&self, overrides: &ThresholdOverrides) -> Thresholds {
        Thresholds {
            drop_points: overrides.drop_points.unwrap_or(self.drop_points),
            drop_days: overrides.drop_days.unwrap_or(self.drop_days),
            baseline: overrides.baseline.unwrap_or(self.baseline),
            milestones: overrides.milestones.clone().unwrap_or_else(|| self.milestones.clone()),
            stale_hours: overrides.stale_hours.unwrap_or(self.stale_hours),
            failed_syncs: overrides.failed_syncs.unwrap_or(self.failed_syncs),
            disabled_types: overrides.disabled_types.clone().unwrap_or_else(|| self.disabled_types.clone()),
        }
    }

    pub fn enabled(&self, kind: AlertKind) -> bool {
        !self.disabled_types.contains(&kind)
    }
}

/// Thresholds that replace the defaults: the portfolio's over the built-in
/// defaults, a tenant's over the portfolio's. Absent fields inherit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ThresholdOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_points: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestones: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_syncs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_types: Option<Vec<AlertKind>>,
}

impl ThresholdOverrides {
    /// `self` with the fields that `newer` sets replaced.
    pub fn merged(&self, newer: &ThresholdOverrides) -> ThresholdOverrides {
        ThresholdOverrides {
            drop_points: newer.drop_points.or(self.drop_points),
            drop_days: newer.drop_days.or(self.drop_days),
            baseline: newer.baseline.or(self.baseline),
            milestones: newer.milestones.clone().or_else(|| self.milestones.clone()),
            stale_hours: newer.stale_hours.or(self.stale_hours),
            failed_syncs: newer.failed_syncs.or(self.failed_syncs),
            disabled_types: newer.disabled_types.clone().or_else(|| self.disabled_types.clone()),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ThresholdOverrides::default()
    }
}

/// Thresholds as a person or script sends them: alert types as text, so an
/// unknown one is reported by name instead of failing the whole document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThresholdInput {
    /// Points (0-100, above 0) a drop must reach to alert.
    pub drop_points: Option<f64>,
    /// Days (1-90) the drop is measured over.
    pub drop_days: Option<u32>,
    /// Percentage (0-100) under which a tenant is below its baseline.
    pub baseline: Option<f64>,
    /// Targets (0-100, above 0; at most 10) whose upward crossing is a milestone.
    pub milestones: Option<Vec<f64>>,
    /// Hours (1-720) without a new snapshot before data counts as stale.
    pub stale_hours: Option<u32>,
    /// Failed syncs in a row (1-50) before Sync Failing opens.
    pub failed_syncs: Option<u32>,
    /// Alert types to switch off; an empty list switches all on.
    pub disabled_types: Option<Vec<String>>,
}

/// A rejected input value: the field that contains it and what to send instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn in_percent_range(field: String, value: f64, allow_zero: bool) -> Result<f64, FieldError> {
    let low_ok = if allow_zero { value >= 0.0 } else { value > 0.0 };
    if value.is_finite() && low_ok && value <= 100.0 {
        Ok(value)
    } else {
        let range = if allow_zero { "from 0 to 100" } else { "above 0 and at most 100" };
        Err(FieldError::new(field, format!("{value} is outside 0-100; send a percentage {range}")))
    }
}

fn in_count_range(field: String, value: u32, low: u32, high: u32, unit: &str) -> Result<u32, FieldError> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(field, format!("{value} is out of range; send {unit} from {low} to {high}")))
    }
}

impl ThresholdInput {
    /// Checks every field; `prefix` names where the object sits in the
    /// request, for example `defaults` or `tenantOverrides[2].thresholds`.
    pub fn check(&self, prefix: &str) -> Result<ThresholdOverrides, FieldError> {
        let field = |name: &str| format!("{prefix}.{name}");
        let milestones = match &self.milestones {
            None => None,
            Some(list) if list.len() > 10 => {
                return Err(FieldError::new(field("milestones"), format!("{} targets given; send at most 10", list.len())));
            }
            Some(list) => {
                let mut checked = Vec::with_capacity(list.len());
                for (i, m) in list.iter().enumerate() {
                    checked.push(in_percent_range(format!("{prefix}.milestones[{i}]"), *m, false)?);
                }
                checked.sort_by(f64::total_cmp);
                checked.dedup();
                Some(checked)
            }
        };
        let disabled_types = match &self.disabled_types {
            None => None,
            Some(list) => {
                let mut kinds = Vec::with_capacity(list.len());
                for (i, raw) in list.iter().enumerate() {
                    let kind = AlertKind::parse(raw).ok_or_else(|| {
                        FieldError::new(
                            format!("{prefix}.disabledTypes[{i}]"),
                            format!("'{raw}' is not an alert type; use one of {}", AlertKind::names()),
                        )
                    })?;
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                kinds.sort();
                Some(kinds)
            }
        };
        Ok(ThresholdOverrides {
            drop_points: self.drop_points.map(|v| in_percent_range(field("dropPoints"), v, false)).transpose()?,
            drop_days: self.drop_days.map(|v| in_count_range(field("dropDays"), v, 1, 90, "days")).transpose()?,
            baseline: self.baseline.map(|v| in_percent_range(field("baseline"), v, true)).transpose()?,
            milestones,
            stale_hours: self.stale_hours.map(|v| in_count_range(field("staleHours"), v, 1, 720, "hours")).transpose()?,
            failed_syncs: self.failed_syncs.map(|v| in_count_range(field("failedSyncs"), v, 1, 50, "syncs")).transpose()?,
            disabled_types,
        })
    }
}

/// A control whose points fell between the two snapshots of a drop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LostControl {
    pub control_name: String,
    pub from_score: f64,
    pub to_score: f64,
}

/// Why a Score Drop alert opened: the two snapshots compared, the change
/// split into lost points and maximum-score drift, and the controls that
/// lost points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DropCause {
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub from_percentage: f64,
    pub to_percentage: f64,
    /// Percentage points, negative for a drop.
    pub change: f64,
    /// The part of the change from points the tenant lost or gained.
    pub points_effect: f64,
    /// The part of the change from Microsoft moving the maximum score.
    pub max_drift: f64,
    /// True when the tenant lost no points: the drop is drift alone.
    pub drift_only: bool,
    /// Most points lost first.
    pub lost_controls: Vec<LostControl>,
}

/// A condition that is true now. `key` identifies its episode: the same key
/// on the next evaluation continues the same alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub kind: AlertKind,
    pub key: String,
    pub severity: Severity,
    pub message: String,
    pub drop: Option<DropCause>,
}

/// An improvement action that appeared in a tenant's profiles after its
/// first sync.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    pub control_id: String,
    pub title: Option<String>,
    pub added_at: DateTime<Utc>,
}

/// The inputs of the rules for one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantState<'a> {
    /// Daily scores, any order; at least the last `drop_days` days.
    pub history: &'a [DailyScore],
    /// Control scores of the latest snapshot and of the snapshot that
    /// [`drop_base`] picked.
    pub latest_controls: &'a [(String, f64)],
    pub base_controls: &'a [(String, f64)],
    /// Actions first seen after the tenant's first sync.
    pub new_actions: &'a [NewAction],
    /// `createdDateTime` of the newest snapshot.
    pub latest_created: Option<DateTime<Utc>>,
    pub failed_syncs_in_a_row: u32,
    pub now: DateTime<Utc>,
}

/// The snapshot a drop is measured from: the highest percentage among the
/// snapshots of the `days` days before the latest one (the day exactly
/// `days` earlier included), the newest on a tie. `None` without one.
pub fn drop_base(history: &[DailyScore], days: u32) -> Option<&DailyScore> {
    let latest = history.iter().max_by_key(|d| d.date)?;
    let from = latest.date - Duration::days(i64::from(days));
    history
        .iter()
        .filter(|d| d.date >= from && d.date < latest.date)
        .filter_map(|d| d.percentage().map(|p| (d, p)))
        .max_by(|(a, pa), (b, pb)| pa.total_cmp(pb).then(a.date.cmp(&b.date)))
        .map(|(d, _)| d)
}

/// Evaluates every enabled rule for one tenant.
pub fn evaluate(state: &TenantState<'_>, thresholds: &Thresholds) -> Vec<Condition> {
    let mut out = Vec::new();
    if thresholds.enabled(AlertKind::ScoreDrop) {
        out.extend(score_drop(state, thresholds));
    }
    let latest = state.history.iter().max_by_key(|d| d.date);
    if let Some(pct) = latest.and_then(DailyScore::percentage).filter(|_| thresholds.enabled(AlertKind::BelowBaseline)) {
        if pct < thresholds.baseline {
            out.push(Condition {
                kind: AlertKind::BelowBaseline,
                key: format!("below_baseline:{}", thresholds.baseline),
                severity: Severity::Warning,
                message: format!("Secure Score is {:.1} %, under the baseline of {} %.", pct, thresholds.baseline),
                drop: None,
            });
        }
    }
    if thresholds.enabled(AlertKind::MilestoneReached) {
        out.extend(milestones(state.history, thresholds));
    }
    if thresholds.enabled(AlertKind::NewRecommendation) {
        let mut fresh: Vec<&NewAction> = state
            .new_actions
            .iter()
            .filter(|a| state.now - a.added_at <= Duration::days(EVENT_DAYS))
            .collect();
        fresh.sort_by(|a, b| a.control_id.cmp(&b.control_id));
        for action in fresh {
            let name = action.title.as_deref().unwrap_or(&action.control_id);
            out.push(Condition {
                kind: AlertKind::NewRecommendation,
                key: format!("new_recommendation:{}", action.control_id),
                severity: Severity::Info,
                message: format!(
                    "Microsoft added the improvement action \"{name}\" ({}) on {}.",
                    action.control_id,
                    action.added_at.format("%Y-%m-%d")
                ),
                drop: None,
            });
        }
    }
    if let Some(created) = state.latest_created.filter(|_| thresholds.enabled(AlertKind::StaleData)) {
        if state.now - created > Duration::hours(i64::from(thresholds.stale_hours)) {
            out.push(Condition {
                kind: AlertKind::StaleData,
                key: "stale_data".to_owned(),
                severity: Severity::Warning,
                message: format!(
                    "No new snapshot for {} hours (newest from {}).",
                    (state.now - created).num_hours(),
                    created.format("%Y-%m-%d %H:%M UTC")
                ),
                drop: None,
            });
        }
    }
    if thresholds.enabled(AlertKind::SyncFailing) && state.failed_syncs_in_a_row >= thresholds.failed_syncs.max(1) {
        out.push(Condition {
            kind: AlertKind::SyncFailing,
            key: "sync_failing".to_owned(),
            severity: Severity::Critical,
            message: format!("The last {} syncs of this tenant failed.", state.failed_syncs_in_a_row),
            drop: None,
        });
    }
    out
}

/// Detects a fall of at least `drop_points` from the best snapshot of the
/// last `drop_days` days to the latest one. A fall caused by maximum-score
/// drift alone (the tenant lost no points) is reported at Info severity.
fn score_drop(state: &TenantState<'_>, thresholds: &Thresholds) -> Option<Condition> {
    let latest = state.history.iter().max_by_key(|d| d.date)?;
    let base = drop_base(state.history, thresholds.drop_days)?;
    let change = score::change_between(base, latest)?;
    let fall = round2(-change.change);
    if fall < thresholds.drop_points {
        return None;
    }
    let drift_only = round2(change.points_effect) >= 0.0;
    let mut lost: Vec<LostControl> = if drift_only {
        Vec::new()
    } else {
        state
            .latest_controls
            .iter()
            .filter_map(|(name, to)| {
                let from = state.base_controls.iter().find(|(n, _)| n == name)?.1;
                (from - to > 0.005).then(|| LostControl { control_name: name.clone(), from_score: from, to_score: *to })
            })
            .collect()
    };
    lost.sort_by(|a, b| {
        (b.from_score - b.to_score)
            .total_cmp(&(a.from_score - a.to_score))
            .then_with(|| a.control_name.cmp(&b.control_name))
    });
    let span = format!(
        "{:.1} % on {} to {:.1} % on {}",
        change.from_percentage, change.from_date, change.to_percentage, change.to_date
    );
    let (severity, message) = if drift_only {
        (
            Severity::Info,
            format!(
                "Secure Score fell {fall:.1} points ({span}) only because Microsoft raised the maximum score ({:+.1}); the tenant lost no points.",
                change.max_drift
            ),
        )
    } else {
        (
            Severity::Critical,
            format!(
                "Secure Score fell {fall:.1} points ({span}): {:+.1} from lost points, {:+.1} from maximum-score drift.",
                change.points_effect, change.max_drift
            ),
        )
    };
    Some(Condition {
        kind: AlertKind::ScoreDrop,
        // One key per tenant: the alert stays open while a drop holds, even
        // as the window moves day by day, and a later drop is a new episode.
        key: "score_drop".to_owned(),
        severity,
        message,
        drop: Some(DropCause {
            from_date: change.from_date,
            to_date: change.to_date,
            from_percentage: round2(change.from_percentage),
            to_percentage: round2(change.to_percentage),
            change: round2(change.change),
            points_effect: round2(change.points_effect),
            max_drift: round2(change.max_drift),
            drift_only,
            lost_controls: lost,
        }),
    })
}

/// A milestone holds for [`EVENT_DAYS`] days after the score last crossed it
/// upward, while the score stays at or above it.
fn milestones(history: &[DailyScore], thresholds: &Thresholds) -> Vec<Condition> {
    let mut days: Vec<(NaiveDate, f64)> = history.iter().filter_map(|d| d.percentage().map(|p| (d.date, p))).collect();
    days.sort_by_key(|d| d.0);
    let Some(&(latest_date, latest)) = days.last() else {
        return Vec::new();
    };
    thresholds
        .milestones
        .iter()
        .filter(|m| latest >= **m)
        .filter_map(|m| {
            let crossed = days.windows(2).rev().find(|w| w[0].1 < *m && w[1].1 >= *m)?[1].0;
            (latest_date - crossed <= Duration::days(EVENT_DAYS)).then(|| Condition {
                kind: AlertKind::MilestoneReached,
                key: format!("milestone:{m}"),
                severity: Severity::Info,
                message: format!("Secure Score reached {m} % on {crossed}; it is {latest:.1} % on {latest_date}."),
                drop: None,
            })
        })
        .collect()
}

/// An alert as stored: its episode key and whether it is still open.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAlert {
    pub kind: AlertKind,
    pub key: String,
}

/// The actions after an evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconciled {
    /// Conditions with no open alert: open one each (and notify).
    pub open: Vec<Condition>,
    /// Open alerts whose condition still holds, with the condition now:
    /// keep open, refresh the message, no new notice.
    pub keep: Vec<Condition>,
    /// Open alerts whose condition no longer holds: resolve.
    pub resolve: Vec<String>,
}

/// Matches current conditions against open alerts by episode key, so
/// evaluating the same data twice opens nothing new.
pub fn reconcile(open_alerts: &[OpenAlert], conditions: Vec<Condition>) -> Reconciled {
    let mut out = Reconciled::default();
    for alert in open_alerts {
        if !conditions.iter().any(|c| c.key == alert.key) {
            out.resolve.push(alert.key.clone());
        }
    }
    for condition in conditions {
        if open_alerts.iter().any(|a| a.key == condition.key) {
            out.keep.push(condition);
        } else {
            out.open.push(condition);
        }
    }
    out
}

/// The alerts a notification channel receives. Empty lists mean all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelFilter {
    pub kinds: Vec<AlertKind>,
    /// Tenant ids (GUIDs, lower case).
    pub tenant_ids: Vec<String>,
    pub min_severity: Severity,
}

impl ChannelFilter {
    pub fn accepts(&self, kind: AlertKind, tenant_id: &str, severity: Severity) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&kind))
            && (self.tenant_ids.is_empty() || self.tenant_ids.iter().any(|t| t.eq_ignore_ascii_case(tenant_id)))
            && severity >= self.min_severity
    }
}

/// Delivery attempts per channel before a notice is given up, and the wait
/// before each retry (the last one repeats).
pub const DELIVERY_ATTEMPTS: u32 = 6;
const RETRY_WAITS_SECONDS: [i64; 5] = [30, 120, 600, 1800, 7200];

/// Wait after failed attempt number `attempt` (1-based); `None` once the
/// attempts are used up.
pub fn retry_wait(attempt: u32) -> Option<Duration> {
    if attempt >= DELIVERY_ATTEMPTS {
        return None;
    }
    let index = (attempt.max(1) as usize - 1).min(RETRY_WAITS_SECONDS.len() - 1);
    Some(Duration::seconds(RETRY_WAITS_SECONDS[index]))
}

/// The kinds of notification channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// E-mail over the configured SMTP server.
    Email,
    /// A Microsoft Teams incoming webhook; the notice is an Adaptive Card.
    Teams,
    /// A Slack incoming webhook.
    Slack,
    /// Any HTTPS endpoint; the JSON body is signed with HMAC-SHA256.
    Webhook,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 4] = [Self::Email, Self::Teams, Self::Slack, Self::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Teams => "teams",
            Self::Slack => "slack",
            Self::Webhook => "webhook",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "E-mail",
            Self::Teams => "Microsoft Teams",
            Self::Slack => "Slack",
            Self::Webhook => "Signed webhook",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }
}

/// One alert on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AlertView {
    pub id: i64,
    pub tenant_id: String,
    pub tenant_name: String,
    #[serde(rename = "type")]
    pub kind: AlertKind,
    pub type_label: String,
    pub severity: Severity,
    pub message: String,
    /// For score drops: the snapshots compared, the split into lost points
    /// and drift, and the controls that lost points.
    pub cause: Option<DropCause>,
    /// `open` or `resolved`.
    pub status: String,
    pub opened_at: DateTime<Utc>,
    /// The last evaluation that found the condition still true.
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub deliveries: Vec<DeliveryView>,
}

/// The notice of one alert to one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub channel: String,
    pub channel_type: ChannelKind,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// A page of alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AlertPage {
    pub items: Vec<AlertView>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// A notification channel on the wire; secrets and webhook URLs are never
/// sent back, only a hint of the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChannelView {
    pub id: i32,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ChannelKind,
    pub target: String,
    /// Empty: every type.
    pub alert_types: Vec<AlertKind>,
    /// Empty: every tenant.
    pub tenant_ids: Vec<String>,
    pub min_severity: Severity,
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

/// One tenant's overrides and the thresholds in force for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantRules {
    pub tenant_id: String,
    pub display_name: String,
    pub overrides: ThresholdOverrides,
    pub effective: Thresholds,
}

/// Everything `GET alerts/rules` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AlertRules {
    /// The portfolio thresholds: built-in defaults with the stored changes.
    pub defaults: Thresholds,
    pub tenant_overrides: Vec<TenantRules>,
    pub channels: Vec<ChannelView>,
    /// Whether SMTP is configured, so e-mail channels can send.
    pub email_configured: bool,
}

/// A channel to create, or to change when one of that name exists. Fields
/// left out of a change keep their stored values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChannelInput {
    pub name: String,
    /// `email`, `teams`, `slack` or `webhook`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The incoming-webhook or endpoint URL (https; http only on loopback).
    pub url: Option<String>,
    /// E-mail addresses, for `email`.
    pub recipients: Option<Vec<String>>,
    /// The HMAC-SHA256 key for `webhook`, at least 16 characters.
    pub secret: Option<String>,
    pub alert_types: Option<Vec<String>>,
    pub tenant_ids: Option<Vec<String>>,
    /// `info`, `warning` or `critical`: the least severe alert sent.
    pub min_severity: Option<String>,
    pub enabled: Option<bool>,
}

/// One tenant's thresholds; `null` removes the tenant's overrides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantOverrideInput {
    pub tenant_id: String,
    pub thresholds: Option<ThresholdInput>,
}

/// The body of `POST alerts`. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertConfigInput {
    /// Changes to the portfolio defaults; fields left out keep their values.
    #[serde(default)]
    pub defaults: Option<ThresholdInput>,
    #[serde(default)]
    pub tenant_overrides: Vec<TenantOverrideInput>,
    #[serde(default)]
    pub channels: Vec<ChannelInput>,
    /// Names of channels to delete.
    #[serde(default)]
    pub remove_channels: Vec<String>,
}

/// A channel's reply to a test notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChannelTest {
    pub ok: bool,
    /// The HTTP status or SMTP reply, or why it failed.
    pub detail: String,
}

/// Acknowledge or snooze an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertActionInput {
    /// `acknowledge`, `snooze` or `unsnooze`.
    pub action: String,
    /// Hours to snooze (1-720), for `snooze`.
    pub hours: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str, current: f64, max: f64) -> DailyScore {
        DailyScore { date: raw.parse().unwrap(), current, max }
    }

    fn controls(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|(n, s)| (n.to_string(), *s)).collect()
    }

    fn state<'a>(history: &'a [DailyScore], latest: &'a [(String, f64)], base: &'a [(String, f64)]) -> TenantState<'a> {
        TenantState {
            history,
            latest_controls: latest,
            base_controls: base,
            new_actions: &[],
            latest_created: None,
            failed_syncs_in_a_row: 0,
            now: "2026-03-08T06:00:00Z".parse().unwrap(),
        }
    }

    fn kinds(conditions: &[Condition]) -> Vec<AlertKind> {
        conditions.iter().map(|c| c.kind).collect()
    }

    fn evaluate_default(history: &[DailyScore]) -> Vec<Condition> {
        evaluate(&state(history, &[], &[]), &Thresholds::default())
    }

    #[test]
    fn drop_of_exactly_five_points_triggers_and_lists_the_controls() {
        // 70 of 100 -> 65 of 100 over 7 days: exactly 5.0 points, all lost
        // points (the maximum did not move). Mfa lost 5, Dlp nothing.
        let history = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 65.0, 100.0)];
        let latest = controls(&[("Mfa", 5.0), ("Dlp", 10.0)]);
        let base = controls(&[("Mfa", 10.0), ("Dlp", 10.0)]);
        let out = evaluate(&state(&history, &latest, &base), &Thresholds::default());
        assert_eq!(kinds(&out), [AlertKind::ScoreDrop]);
        let drop = &out[0];
        assert_eq!(drop.severity, Severity::Critical);
        assert_eq!(drop.key, "score_drop");
        let cause = drop.drop.as_ref().unwrap();
        assert_eq!((cause.change, cause.points_effect, cause.max_drift), (-5.0, -5.0, 0.0));
        assert!(!cause.drift_only);
        assert_eq!(cause.lost_controls, [LostControl { control_name: "Mfa".into(), from_score: 10.0, to_score: 5.0 }]);
        assert_eq!(
            drop.message,
            "Secure Score fell 5.0 points (70.0 % on 2026-03-01 to 65.0 % on 2026-03-08): -5.0 from lost points, +0.0 from maximum-score drift."
        );
    }

    #[test]
    fn drop_of_four_point_nine_does_not_trigger() {
        let history = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 65.1, 100.0)];
        assert!(evaluate_default(&history).is_empty());
    }

    #[test]
    fn drop_is_measured_from_the_best_day_of_the_window() {
        // 70 % eight days ago is outside the window; 76 % three days ago is
        // the best day inside it, so 76 -> 70 is a 6-point drop although the
        // score equals the one of a week ago.
        let history = [
            day("2026-02-28", 70.0, 100.0),
            day("2026-03-05", 76.0, 100.0),
            day("2026-03-06", 74.0, 100.0),
            day("2026-03-08", 70.0, 100.0),
        ];
        let out = evaluate_default(&history);
        let cause = out[0].drop.as_ref().unwrap();
        assert_eq!(cause.from_date.to_string(), "2026-03-05");
        assert_eq!(cause.change, -6.0);
    }

    #[test]
    fn drop_older_than_the_window_resolves() {
        // The fall happened on 03-01; by 03-09 the 80 % day is 8 days back.
        let history = [day("2026-02-28", 80.0, 100.0), day("2026-03-01", 70.0, 100.0), day("2026-03-09", 70.0, 100.0)];
        assert!(evaluate_default(&history).is_empty());
        let open = [OpenAlert { kind: AlertKind::ScoreDrop, key: "score_drop".into() }];
        assert_eq!(reconcile(&open, evaluate_default(&history)).resolve, ["score_drop"]);
    }

    #[test]
    fn drift_only_drop_is_reported_as_drift() {
        // 70 of 100 -> 70 of 125: 70 % -> 56 %, -14 points, no points lost:
        // drift = 70/125 - 70/100 = -0.14.
        let history = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 70.0, 125.0)];
        let base = controls(&[("Mfa", 10.0)]);
        let latest = controls(&[("Mfa", 10.0)]);
        let out = evaluate(&state(&history, &latest, &base), &Thresholds::default());
        let drop = out.iter().find(|c| c.kind == AlertKind::ScoreDrop).unwrap();
        assert_eq!(drop.severity, Severity::Info);
        let cause = drop.drop.as_ref().unwrap();
        assert!(cause.drift_only);
        assert_eq!((cause.change, cause.points_effect, cause.max_drift), (-14.0, 0.0, -14.0));
        assert!(drop.message.contains("the tenant lost no points"), "{}", drop.message);
        assert!(cause.lost_controls.is_empty());
    }

    #[test]
    fn mixed_drop_splits_the_change_and_lists_the_controls() {
        // 80 of 100 -> 70 of 125: 80 % -> 56 %, -24 points;
        // points effect (70 - 80) / 125 = -8, drift 80/125 - 80/100 = -16.
        let history = [day("2026-03-01", 80.0, 100.0), day("2026-03-08", 70.0, 125.0)];
        let base = controls(&[("Mfa", 10.0), ("Dlp", 8.0), ("Audit", 5.0)]);
        let latest = controls(&[("Mfa", 4.0), ("Dlp", 4.0), ("Audit", 5.0), ("NewControl", 0.0)]);
        let out = evaluate(&state(&history, &latest, &base), &Thresholds::default());
        let cause = out[0].drop.as_ref().unwrap();
        assert_eq!(out[0].severity, Severity::Critical);
        assert_eq!((cause.change, cause.points_effect, cause.max_drift), (-24.0, -8.0, -16.0));
        let names: Vec<&str> = cause.lost_controls.iter().map(|c| c.control_name.as_str()).collect();
        assert_eq!(names, ["Mfa", "Dlp"]);
    }

    #[test]
    fn below_baseline_edge_and_resolution() {
        assert_eq!(kinds(&evaluate_default(&[day("2026-03-08", 59.9, 100.0)])), [AlertKind::BelowBaseline]);
        assert!(evaluate_default(&[day("2026-03-08", 60.0, 100.0)]).is_empty());
        let open = [OpenAlert { kind: AlertKind::BelowBaseline, key: "below_baseline:60".into() }];
        let back = reconcile(&open, evaluate_default(&[day("2026-03-07", 59.0, 100.0), day("2026-03-08", 61.0, 100.0)]));
        assert_eq!(back.resolve, ["below_baseline:60"]);
    }

    #[test]
    fn milestone_opens_on_crossing_and_holds_for_a_week() {
        // 79 % -> 81 %: crosses 80, not 90.
        let history = [day("2026-03-07", 79.0, 100.0), day("2026-03-08", 81.0, 100.0)];
        let out = evaluate_default(&history);
        assert_eq!(kinds(&out), [AlertKind::MilestoneReached]);
        assert_eq!(out[0].key, "milestone:80");
        // Already above 80 with no crossing in the history: nothing.
        assert!(evaluate_default(&[day("2026-03-07", 85.0, 100.0), day("2026-03-08", 86.0, 100.0)]).is_empty());
        // Crossed on 03-08 and still above on 03-15: holds; on 03-16: cleared.
        let mut later = history.to_vec();
        later.push(day("2026-03-15", 82.0, 100.0));
        assert_eq!(kinds(&evaluate_default(&later)), [AlertKind::MilestoneReached]);
        later.push(day("2026-03-16", 82.0, 100.0));
        assert!(evaluate_default(&later).is_empty());
        // Fell back under 80: cleared.
        assert!(evaluate_default(&[day("2026-03-07", 79.0, 100.0), day("2026-03-08", 81.0, 100.0), day("2026-03-09", 79.5, 100.0)]).is_empty());
    }

    #[test]
    fn new_actions_stale_data_and_failing_syncs() {
        let history = [day("2026-03-05", 75.0, 100.0)];
        let new = [
            NewAction { control_id: "NewOne".into(), title: Some("Turn on the new thing".into()), added_at: "2026-03-07T04:00:00Z".parse().unwrap() },
            NewAction { control_id: "OldNews".into(), title: None, added_at: "2026-02-20T04:00:00Z".parse().unwrap() },
        ];
        let mut s = state(&history, &[], &[]);
        s.new_actions = &new;
        // 50 hours after the snapshot: stale with the 48-hour default.
        s.latest_created = Some("2026-03-06T04:00:00Z".parse().unwrap());
        s.failed_syncs_in_a_row = 3;
        let out = evaluate(&s, &Thresholds::default());
        assert_eq!(kinds(&out), [AlertKind::NewRecommendation, AlertKind::StaleData, AlertKind::SyncFailing]);
        assert_eq!(out[0].key, "new_recommendation:NewOne");
        assert_eq!(out[0].message, "Microsoft added the improvement action \"Turn on the new thing\" (NewOne) on 2026-03-07.");
        assert_eq!(out[1].message, "No new snapshot for 50 hours (newest from 2026-03-06 04:00 UTC).");
        // 47 hours and two failures: neither.
        s.latest_created = Some("2026-03-06T07:00:00Z".parse().unwrap());
        s.failed_syncs_in_a_row = 2;
        assert_eq!(kinds(&evaluate(&s, &Thresholds::default())), [AlertKind::NewRecommendation]);
    }

    #[test]
    fn disabled_types_are_not_evaluated() {
        let thresholds = Thresholds { disabled_types: vec![AlertKind::BelowBaseline], ..Thresholds::default() };
        assert!(evaluate(&state(&[day("2026-03-08", 40.0, 100.0)], &[], &[]), &thresholds).is_empty());
    }

    #[test]
    fn same_data_twice_opens_nothing_new() {
        let history = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 64.0, 100.0)];
        let opened = reconcile(&[], evaluate_default(&history));
        assert_eq!(kinds(&opened.open), [AlertKind::ScoreDrop]);
        let stored: Vec<OpenAlert> = opened.open.iter().map(|c| OpenAlert { kind: c.kind, key: c.key.clone() }).collect();
        let again = reconcile(&stored, evaluate_default(&history));
        assert!(again.open.is_empty());
        assert_eq!(kinds(&again.keep), [AlertKind::ScoreDrop]);
        let recovered = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 69.0, 100.0)];
        assert_eq!(reconcile(&stored, evaluate_default(&recovered)).resolve, ["score_drop"]);
    }

    #[test]
    fn overrides_layer_over_the_defaults() {
        let portfolio = ThresholdOverrides { baseline: Some(70.0), ..Default::default() };
        let tenant = ThresholdOverrides { drop_points: Some(3.0), milestones: Some(vec![95.0]), ..Default::default() };
        let effective = Thresholds::default().with(&portfolio).with(&tenant);
        assert_eq!(effective.baseline, 70.0);
        assert_eq!(effective.drop_points, 3.0);
        assert_eq!(effective.drop_days, 7);
        assert_eq!(effective.milestones, [95.0]);
        let merged = portfolio.merged(&ThresholdOverrides { baseline: Some(65.0), stale_hours: Some(24), ..Default::default() });
        assert_eq!((merged.baseline, merged.stale_hours), (Some(65.0), Some(24)));
    }

    #[test]
    fn input_checks_name_the_field() {
        let bad = ThresholdInput { baseline: Some(101.0), ..Default::default() };
        let error = bad.check("defaults").unwrap_err();
        assert_eq!(error.field, "defaults.baseline");
        assert_eq!(error.message, "101 is outside 0-100; send a percentage from 0 to 100");
        let bad = ThresholdInput { disabled_types: Some(vec!["score_drop".into(), "score_dip".into()]), ..Default::default() };
        let error = bad.check("defaults").unwrap_err();
        assert_eq!(error.field, "defaults.disabledTypes[1]");
        assert!(error.message.starts_with("'score_dip' is not an alert type"), "{}", error.message);
        let bad = ThresholdInput { milestones: Some(vec![80.0, -1.0]), ..Default::default() };
        assert_eq!(bad.check("x").unwrap_err().field, "x.milestones[1]");
        assert_eq!(ThresholdInput { drop_points: Some(0.0), ..Default::default() }.check("x").unwrap_err().field, "x.dropPoints");
        let good = ThresholdInput { milestones: Some(vec![90.0, 80.0, 90.0]), drop_points: Some(100.0), ..Default::default() };
        let checked = good.check("x").unwrap();
        assert_eq!(checked.milestones, Some(vec![80.0, 90.0]));
        assert_eq!(checked.drop_points, Some(100.0));
    }

    #[test]
    fn channel_filter() {
        let filter = ChannelFilter {
            kinds: vec![AlertKind::ScoreDrop],
            tenant_ids: vec!["aaaaaaaa-0000-0000-0000-000000000001".into()],
            min_severity: Severity::Warning,
        };
        assert!(filter.accepts(AlertKind::ScoreDrop, "AAAAAAAA-0000-0000-0000-000000000001", Severity::Critical));
        assert!(!filter.accepts(AlertKind::ScoreDrop, "aaaaaaaa-0000-0000-0000-000000000001", Severity::Info));
        assert!(!filter.accepts(AlertKind::StaleData, "aaaaaaaa-0000-0000-0000-000000000001", Severity::Warning));
        assert!(!filter.accepts(AlertKind::ScoreDrop, "bbbbbbbb-0000-0000-0000-000000000002", Severity::Critical));
        let all = ChannelFilter { kinds: vec![], tenant_ids: vec![], min_severity: Severity::Info };
        assert!(all.accepts(AlertKind::MilestoneReached, "anything", Severity::Info));
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_wait(1), Some(Duration::seconds(30)));
        assert_eq!(retry_wait(2), Some(Duration::seconds(120)));
        assert_eq!(retry_wait(5), Some(Duration::seconds(7200)));
        assert_eq!(retry_wait(6), None);
    }
}
