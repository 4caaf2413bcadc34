//! Alert rules, evaluated after every sync, and the episode logic that
//! keeps one alert per episode. Pure functions: the caller supplies the
//! tenant's recent history and the outcome of its recent syncs.
//!
//! NOTE: nothing calls this module yet; the store, the channels and the
//! alerts page are still to be built on top of it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::score::{self, round2, DailyScore};

/// The kinds of alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// Thresholds of the rules; portfolio defaults, overridable per tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    /// Percentage points a drop must reach (inclusive).
    pub drop_points: f64,
    /// Days the drop is measured over.
    pub drop_days: u32,
    /// Percentage below which a tenant is under its baseline.
    pub baseline: f64,
    /// Percentages whose upward crossing is a milestone.
    pub milestones: Vec<f64>,
    /// Hours without a new snapshot before data is stale.
    pub stale_hours: i64,
    /// Failed syncs in a row before Sync Failing opens.
    pub failed_syncs: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            drop_points: 5.0,
            drop_days: 7,
            baseline: 60.0,
            milestones: vec![80.0, 90.0],
            stale_hours: score::STALE_AFTER_HOURS,
            failed_syncs: 3,
        }
    }
}

/// A control whose points fell between the two snapshots of a drop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LostControl {
    pub control_name: String,
    pub from_score: f64,
    pub to_score: f64,
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
    /// For drops: the controls that lost points, most first.
    pub lost_controls: Vec<LostControl>,
}

/// The inputs of the rules for one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantState<'a> {
    /// Daily scores, any order.
    pub history: &'a [DailyScore],
    /// Control scores of the latest snapshot and of the drop's base snapshot.
    pub latest_controls: &'a [(String, f64)],
    pub base_controls: &'a [(String, f64)],
    /// Control profile ids seen at this sync and at the previous one
    /// (`None` before the second sync, when nothing is "new").
    pub profiles_now: &'a [String],
    pub profiles_before: Option<&'a [String]>,
    pub latest_created: Option<DateTime<Utc>>,
    /// Failed syncs in a row, newest last.
    pub failed_syncs_in_a_row: u32,
    pub now: DateTime<Utc>,
}

/// Evaluates every rule for one tenant.
pub fn evaluate(state: &TenantState<'_>, thresholds: &Thresholds) -> Vec<Condition> {
    let mut out = Vec::new();
    if let Some(drop) = score_drop(state, thresholds) {
        out.push(drop);
    }
    let latest = state.history.iter().max_by_key(|d| d.date);
    if let Some(pct) = latest.and_then(DailyScore::percentage) {
        if pct < thresholds.baseline {
            out.push(Condition {
                kind: AlertKind::BelowBaseline,
                key: format!("below_baseline:{}", thresholds.baseline),
                severity: Severity::Warning,
                message: format!("Secure Score is {:.1} %, under the baseline of {} %.", pct, thresholds.baseline),
                lost_controls: Vec::new(),
            });
        }
    }
    out.extend(milestones(state.history, thresholds));
    if let Some(before) = state.profiles_before {
        for id in state.profiles_now.iter().filter(|id| !before.contains(id)) {
            out.push(Condition {
                kind: AlertKind::NewRecommendation,
                key: format!("new_recommendation:{id}"),
                severity: Severity::Info,
                message: format!("Microsoft added the improvement action {id}."),
                lost_controls: Vec::new(),
            });
        }
    }
    if let Some(created) = state.latest_created {
        if state.now - created > Duration::hours(thresholds.stale_hours) {
            out.push(Condition {
                kind: AlertKind::StaleData,
                key: "stale_data".to_owned(),
                severity: Severity::Warning,
                message: format!("No new snapshot since {}.", created.format("%Y-%m-%d %H:%M UTC")),
                lost_controls: Vec::new(),
            });
        }
    }
    if state.failed_syncs_in_a_row >= thresholds.failed_syncs && thresholds.failed_syncs > 0 {
        out.push(Condition {
            kind: AlertKind::SyncFailing,
            key: "sync_failing".to_owned(),
            severity: Severity::Critical,
            message: format!("The last {} syncs of this tenant failed.", state.failed_syncs_in_a_row),
            lost_controls: Vec::new(),
        });
    }
    out
}

/// Detects a drop of at least `drop_points` against the latest snapshot at least
/// `drop_days` older. A drop caused by maximum-score drift alone (the
/// tenant lost no points) is reported at Info severity as drift.
fn score_drop(state: &TenantState<'_>, thresholds: &Thresholds) -> Option<Condition> {
    let change = score::change_over(state.history, i64::from(thresholds.drop_days))?;
    if round2(-change.change) < thresholds.drop_points {
        return None;
    }
    let mut lost: Vec<LostControl> = state
        .latest_controls
        .iter()
        .filter_map(|(name, to)| {
            let from = state.base_controls.iter().find(|(n, _)| n == name)?.1;
            (from - to > 0.005).then(|| LostControl { control_name: name.clone(), from_score: from, to_score: *to })
        })
        .collect();
    lost.sort_by(|a, b| (b.from_score - b.to_score).total_cmp(&(a.from_score - a.to_score)).then_with(|| a.control_name.cmp(&b.control_name)));
    let drift_only = round2(change.points_effect) >= 0.0;
    let (severity, message) = if drift_only {
        (
            Severity::Info,
            format!(
                "Secure Score fell {:.1} points in {} days, all from Microsoft raising the maximum score ({:+.1}); the tenant lost no points.",
                -change.change, thresholds.drop_days, change.max_drift
            ),
        )
    } else {
        (
            Severity::Critical,
            format!(
                "Secure Score fell {:.1} points in {} days: {:+.1} from lost points, {:+.1} from maximum-score drift.",
                -change.change, thresholds.drop_days, change.points_effect, change.max_drift
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
        lost_controls: if drift_only { Vec::new() } else { lost },
    })
}

/// Milestones crossed upward between the two newest snapshots.
fn milestones(history: &[DailyScore], thresholds: &Thresholds) -> Vec<Condition> {
    let mut days: Vec<&DailyScore> = history.iter().collect();
    days.sort_by_key(|d| d.date);
    let [.., before, latest] = days.as_slice() else {
        return Vec::new();
    };
    let (Some(from), Some(to)) = (before.percentage(), latest.percentage()) else {
        return Vec::new();
    };
    thresholds
        .milestones
        .iter()
        .filter(|m| from < **m && to >= **m)
        .map(|m| Condition {
            kind: AlertKind::MilestoneReached,
            key: format!("milestone:{m}:{}", latest.date),
            severity: Severity::Info,
            message: format!("Secure Score reached {m} % ({to:.1} % on {}).", latest.date),
            lost_controls: Vec::new(),
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
    /// Open alerts whose condition still holds: keep, no new notice.
    pub keep: Vec<String>,
    /// Open alerts whose condition no longer holds: resolve.
    pub resolve: Vec<String>,
}

/// Matches current conditions against open alerts by episode key, so
/// evaluating the same data twice opens nothing new.
pub fn reconcile(open_alerts: &[OpenAlert], conditions: Vec<Condition>) -> Reconciled {
    let mut out = Reconciled::default();
    for alert in open_alerts {
        if conditions.iter().any(|c| c.key == alert.key) {
            out.keep.push(alert.key.clone());
        } else {
            out.resolve.push(alert.key.clone());
        }
    }
    out.open = conditions.into_iter().filter(|c| !open_alerts.iter().any(|a| a.key == c.key)).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str, current: f64, max: f64) -> DailyScore {
        DailyScore { date: raw.parse().unwrap(), current, max }
    }

    fn state<'a>(history: &'a [DailyScore], latest: &'a [(String, f64)], base: &'a [(String, f64)]) -> TenantState<'a> {
        TenantState {
            history,
            latest_controls: latest,
            base_controls: base,
            profiles_now: &[],
            profiles_before: None,
            latest_created: None,
            failed_syncs_in_a_row: 0,
            now: "2026-03-10T06:00:00Z".parse().unwrap(),
        }
    }

    fn kinds(conditions: &[Condition]) -> Vec<AlertKind> {
        conditions.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn drop_of_exactly_five_points_triggers() {
        // 70 % -> 65 % over 7 days: exactly 5.0 points.
        let history = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 65.0, 100.0)];
        let latest = [("Mfa".to_owned(), 5.0), ("Dlp".to_owned(), 10.0)];
        let base = [("Mfa".to_owned(), 10.0), ("Dlp".to_owned(), 10.0)];
        let out = evaluate(&state(&history, &latest, &base), &Thresholds::default());
        let drop = out.iter().find(|c| c.kind == AlertKind::ScoreDrop).expect("a drop");
        assert_eq!(drop.severity, Severity::Critical);
        assert_eq!(drop.key, "score_drop");
        assert_eq!(drop.lost_controls, [LostControl { control_name: "Mfa".into(), from_score: 10.0, to_score: 5.0 }]);
    }

    #[test]
    fn drop_of_four_point_nine_does_not() {
        let history = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 65.1, 100.0)];
        let out = evaluate(&state(&history, &[], &[]), &Thresholds::default());
        assert!(!kinds(&out).contains(&AlertKind::ScoreDrop));
    }

    #[test]
    fn drift_only_drop_is_reported_as_drift() {
        // 70 of 100 -> 70 of 125: 70 % -> 56 %, no points lost.
        let history = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 70.0, 125.0)];
        let out = evaluate(&state(&history, &[], &[]), &Thresholds::default());
        let drop = out.iter().find(|c| c.kind == AlertKind::ScoreDrop).unwrap();
        assert_eq!(drop.severity, Severity::Info);
        assert!(drop.message.contains("the tenant lost no points"), "{}", drop.message);
        assert!(drop.lost_controls.is_empty());
    }

    #[test]
    fn baseline_and_milestones() {
        // 79 % -> 81 %: crosses 80, not 90; above the 60 % baseline.
        let history = [day("2026-03-07", 79.0, 100.0), day("2026-03-08", 81.0, 100.0)];
        let out = evaluate(&state(&history, &[], &[]), &Thresholds::default());
        assert_eq!(kinds(&out), [AlertKind::MilestoneReached]);
        assert_eq!(out[0].key, "milestone:80:2026-03-08");
        let low = [day("2026-03-08", 59.9, 100.0)];
        assert_eq!(kinds(&evaluate(&state(&low, &[], &[]), &Thresholds::default())), [AlertKind::BelowBaseline]);
    }

    #[test]
    fn new_actions_stale_data_and_failing_syncs() {
        let history = [day("2026-03-08", 75.0, 100.0)];
        let now = ["Mfa".to_owned(), "NewOne".to_owned()];
        let before = ["Mfa".to_owned()];
        let mut s = state(&history, &[], &[]);
        s.profiles_now = &now;
        s.profiles_before = Some(&before);
        s.latest_created = Some("2026-03-08T00:00:00Z".parse().unwrap());
        s.failed_syncs_in_a_row = 3;
        // 54 hours after the snapshot: stale.
        let out = evaluate(&s, &Thresholds::default());
        assert_eq!(kinds(&out), [AlertKind::NewRecommendation, AlertKind::StaleData, AlertKind::SyncFailing]);
        assert_eq!(out[0].key, "new_recommendation:NewOne");
    }

    #[test]
    fn same_data_twice_opens_nothing_new() {
        let history = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 60.0, 100.0)];
        let first = evaluate(&state(&history, &[], &[]), &Thresholds::default());
        let opened = reconcile(&[], first.clone());
        assert_eq!(opened.open.len(), 1);
        let stored: Vec<OpenAlert> = opened.open.iter().map(|c| OpenAlert { kind: c.kind, key: c.key.clone() }).collect();
        let again = reconcile(&stored, evaluate(&state(&history, &[], &[]), &Thresholds::default()));
        assert!(again.open.is_empty());
        assert_eq!(again.keep, ["score_drop"]);
        // Recovered: the condition clears and the alert resolves.
        let recovered = [day("2026-03-01", 70.0, 100.0), day("2026-03-08", 69.0, 100.0)];
        let cleared = reconcile(&stored, evaluate(&state(&recovered, &[], &[]), &Thresholds::default()));
        assert_eq!(cleared.resolve, ["score_drop"]);
    }
}
