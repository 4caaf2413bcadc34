//! Score definitions: one implementation used by the pages, the REST API,
//! the reports and the sync that precomputes tenant summaries.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::category::Category;
use crate::dto::{CategoryScore, DistributionBucket};

/// Hours after which a tenant's newest snapshot counts as stale.
pub const STALE_AFTER_HOURS: i64 = 48;

/// currentScore / maxScore x 100, or `None` when there is nothing to divide by.
pub fn percentage(current: f64, max: f64) -> Option<f64> {
    if max > 0.0 && max.is_finite() && current.is_finite() {
        Some(current / max * 100.0)
    } else {
        None
    }
}

/// Formats points with at most two decimals and no trailing zeros: 274.0 as
/// "274", 48.5 as "48.5".
pub fn points_text(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Rounds to two decimals for display and for the wire.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

pub fn round2_opt(value: Option<f64>) -> Option<f64> {
    value.map(round2)
}

/// One tenant's score on one day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DailyScore {
    pub date: NaiveDate,
    pub current: f64,
    pub max: f64,
}

impl DailyScore {
    pub fn percentage(&self) -> Option<f64> {
        percentage(self.current, self.max)
    }
}

/// A change in percentage points between two snapshots, split into what the
/// tenant did (points gained or lost) and what Microsoft did (maximum drift).
///
/// `change = points_effect + max_drift` is exact:
/// c1/m1 - c0/m0 = (c1 - c0)/m1 + (c0/m1 - c0/m0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreChange {
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub from_percentage: f64,
    pub to_percentage: f64,
    /// Percentage points, positive when the score rose.
    pub change: f64,
    /// Percentage points caused by the tenant's own points moving.
    pub points_effect: f64,
    /// Percentage points caused by the maximum score moving.
    pub max_drift: f64,
}

/// Change over `days` for one tenant: the latest snapshot against the latest
/// snapshot dated at least `days` earlier. `None` when no snapshot is that
/// old, or when either end has no percentage; never a made-up 0.
pub fn change_over(history: &[DailyScore], days: i64) -> Option<ScoreChange> {
    let latest = history.iter().max_by_key(|s| s.date)?;
    let cutoff = latest.date - Duration::days(days);
    let base = history.iter().filter(|s| s.date <= cutoff).max_by_key(|s| s.date)?;
    change_between(base, latest)
}

/// Change from `base` to `latest`, split into points and drift; `None` when
/// either end has no percentage.
pub fn change_between(base: &DailyScore, latest: &DailyScore) -> Option<ScoreChange> {
    let to_percentage = latest.percentage()?;
    let from_percentage = base.percentage()?;
    let points_effect = (latest.current - base.current) / latest.max * 100.0;
    let max_drift = (base.current / latest.max - base.current / base.max) * 100.0;
    Some(ScoreChange {
        from_date: base.date,
        to_date: latest.date,
        from_percentage,
        to_percentage,
        change: to_percentage - from_percentage,
        points_effect,
        max_drift,
    })
}

/// Unweighted mean of the tenants' percentages; `None` for no tenants.
pub fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.into_iter().fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Returns whether a snapshot created at `created` is stale at `now`.
pub fn is_stale(created: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - created > Duration::hours(STALE_AFTER_HOURS)
}

/// The source of a scored control's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MaxSource {
    /// The control profile's `maxScore`.
    Profile,
    /// score / (scoreInPercentage / 100), for a control without a profile.
    Derived,
    /// Neither was available: the control is counted as unmatched.
    Unmatched,
}

/// Resolves a scored control's maximum (architecture doc, category points).
pub fn resolve_control_max(score: f64, profile_max: Option<f64>, score_in_percentage: Option<f64>) -> (Option<f64>, MaxSource) {
    if let Some(max) = profile_max.filter(|m| m.is_finite() && *m >= 0.0) {
        return (Some(max), MaxSource::Profile);
    }
    match score_in_percentage {
        Some(pct) if pct > 0.0 && pct.is_finite() && score.is_finite() => (Some(score / (pct / 100.0)), MaxSource::Derived),
        _ => (None, MaxSource::Unmatched),
    }
}

/// A scored control reduced to what category math needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlPoints {
    pub category: Category,
    pub score: f64,
    pub max: Option<f64>,
}

/// Sums points and maxima per category. Unmatched controls add their points
/// but not a maximum, and are counted. Categories come back in display order.
pub fn category_breakdown(controls: &[ControlPoints]) -> Vec<CategoryScore> {
    let mut out: Vec<CategoryScore> = Vec::new();
    for control in controls {
        let index = match out.iter().position(|c| c.category == control.category.name()) {
            Some(index) => index,
            None => {
                out.push(CategoryScore {
                    category: control.category.name().to_owned(),
                    points: 0.0,
                    max_points: 0.0,
                    percentage: None,
                    controls: 0,
                    unmatched_controls: 0,
                });
                out.len() - 1
            }
        };
        let entry = &mut out[index];
        entry.points += control.score;
        entry.controls += 1;
        match control.max {
            Some(max) => entry.max_points += max,
            None => entry.unmatched_controls += 1,
        }
    }
    for entry in &mut out {
        entry.percentage = percentage(entry.points, entry.max_points);
    }
    out.sort_by_key(|c| (Category::from_graph(&c.category).order(), c.category.clone()));
    out
}

/// Counts percentages into ten buckets of ten points; 100 % falls in the last.
pub fn distribution(percentages: impl IntoIterator<Item = f64>) -> Vec<DistributionBucket> {
    let mut buckets: Vec<DistributionBucket> = (0..10)
        .map(|i| DistributionBucket { from: i * 10, to: i * 10 + 10, count: 0 })
        .collect();
    for pct in percentages {
        let index = ((pct / 10.0).floor().clamp(0.0, 9.0)) as usize;
        buckets[index].count += 1;
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str, current: f64, max: f64) -> DailyScore {
        DailyScore { date: d.parse().unwrap(), current, max }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn percentage_of_the_real_capture() {
        // heimdall2 capture: 128 of 274 points.
        assert_eq!(round2(percentage(128.0, 274.0).unwrap()), 46.72);
    }

    #[test]
    fn zero_maximum_has_no_percentage() {
        assert_eq!(percentage(10.0, 0.0), None);
        assert_eq!(percentage(f64::NAN, 10.0), None);
    }

    #[test]
    fn portfolio_average_is_unweighted() {
        assert_eq!(mean([92.0, 82.0, 74.0, 48.0]), Some(74.0));
        assert_eq!(mean(Vec::<f64>::new()), None);
    }

    #[test]
    fn change_uses_latest_snapshot_at_least_n_days_old() {
        let history = [
            day("2026-01-01", 50.0, 100.0),
            day("2026-01-20", 60.0, 100.0),
            day("2026-01-28", 70.0, 100.0),
            day("2026-02-01", 80.0, 100.0),
        ];
        // 30 days before 2026-02-01 is 2026-01-02: the newest at or before is 2026-01-01.
        let change = change_over(&history, 30).unwrap();
        assert_eq!(change.from_date, "2026-01-01".parse::<NaiveDate>().unwrap());
        assert!(close(change.change, 30.0));
        // 7 days before is 2026-01-25: 2026-01-20 qualifies, 2026-01-28 does not.
        let change = change_over(&history, 7).unwrap();
        assert!(close(change.change, 20.0));
    }

    #[test]
    fn no_snapshot_old_enough_means_no_change_not_zero() {
        let history = [day("2026-01-20", 60.0, 100.0), day("2026-02-01", 80.0, 100.0)];
        assert_eq!(change_over(&history, 30), None);
        assert_eq!(change_over(&[], 7), None);
    }

    #[test]
    fn rising_maximum_is_attributed_to_drift() {
        // Same 128 points, maximum grows from 274 to 300.
        let history = [day("2026-01-01", 128.0, 274.0), day("2026-01-31", 128.0, 300.0)];
        let change = change_over(&history, 30).unwrap();
        // 42.666.. - 46.715.. = -4.0496..
        assert!(close(change.change, 128.0 / 300.0 * 100.0 - 128.0 / 274.0 * 100.0));
        assert_eq!(round2(change.change), -4.05);
        assert!(close(change.points_effect, 0.0));
        assert!(close(change.max_drift, change.change));
    }

    #[test]
    fn mixed_change_splits_exactly() {
        let history = [day("2026-01-01", 100.0, 200.0), day("2026-01-08", 120.0, 250.0)];
        let change = change_over(&history, 7).unwrap();
        // 48 - 50 = -2; points: 20/250 = +8; drift: 100/250 - 100/200 = -10.
        assert!(close(change.change, -2.0));
        assert!(close(change.points_effect, 8.0));
        assert!(close(change.max_drift, -10.0));
    }

    #[test]
    fn stale_after_48_hours() {
        let now: DateTime<Utc> = "2026-12-04T12:00:00Z".parse().unwrap();
        assert!(!is_stale("2026-12-02T12:00:00Z".parse().unwrap(), now));
        assert!(is_stale("2026-12-02T11:59:00Z".parse().unwrap(), now));
        assert!(is_stale("2026-11-29T00:00:00Z".parse().unwrap(), now));
    }

    #[test]
    fn control_maximum_prefers_profile_then_derives() {
        assert_eq!(resolve_control_max(3.0, Some(10.0), Some(30.0)), (Some(10.0), MaxSource::Profile));
        assert_eq!(resolve_control_max(3.0, None, Some(30.0)), (Some(10.0), MaxSource::Derived));
        assert_eq!(resolve_control_max(0.0, None, Some(0.0)), (None, MaxSource::Unmatched));
        assert_eq!(resolve_control_max(0.0, None, None), (None, MaxSource::Unmatched));
    }

    #[test]
    fn categories_sum_points_and_maxima() {
        let controls = [
            ControlPoints { category: Category::Apps, score: 2.0, max: Some(5.0) },
            ControlPoints { category: Category::Identity, score: 8.0, max: Some(10.0) },
            ControlPoints { category: Category::Apps, score: 0.0, max: None },
            ControlPoints { category: Category::Data, score: 0.0, max: Some(0.0) },
        ];
        let out = category_breakdown(&controls);
        let names: Vec<&str> = out.iter().map(|c| c.category.as_str()).collect();
        assert_eq!(names, ["Identity", "Data", "Apps"]);
        assert_eq!(out[0].percentage, Some(80.0));
        assert_eq!(out[1].percentage, None, "maximum 0 is never divided");
        assert_eq!((out[2].points, out[2].max_points, out[2].controls, out[2].unmatched_controls), (2.0, 5.0, 2, 1));
    }

    #[test]
    fn distribution_puts_edges_in_the_right_bucket() {
        let buckets = distribution([0.0, 9.99, 10.0, 46.72, 100.0]);
        let counts: Vec<u32> = buckets.iter().map(|b| b.count).collect();
        assert_eq!(counts, [2, 1, 0, 0, 1, 0, 0, 0, 0, 1]);
    }
}
