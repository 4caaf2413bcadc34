//! Portfolio movement over a window of days: the daily average line, the
//! tenants that improved, regressed or stayed level, the biggest movers, and
//! each change split into points and maximum-score drift.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::score::{self, round2, round2_opt, DailyScore, ScoreChange};

/// Maximum window of `GET trends`, in days.
pub const MAX_TREND_DAYS: u32 = 365;

/// Number of gainers, and of decliners, that the report lists.
pub const MOVERS: usize = 5;

/// The portfolio average of one day. `average` is null on a day without any
/// snapshot: the chart shows a gap there, never a zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    pub date: NaiveDate,
    /// Unweighted mean of the percentages of the tenants with a snapshot that day.
    pub average: Option<f64>,
    /// How many tenants had a snapshot that day.
    pub tenants: u32,
}

/// One tenant's change over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantMove {
    pub tenant_id: String,
    pub display_name: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub from_percentage: f64,
    pub to_percentage: f64,
    /// Percentage points, positive when the score rose.
    pub change: f64,
    /// The part of `change` caused by the tenant's points moving.
    pub points_effect: f64,
    /// The part of `change` caused by Microsoft changing the maximum score.
    pub max_drift: f64,
}

/// `GET trends`: the portfolio over the last `days` days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TrendsReport {
    pub days: u32,
    /// First day of the line: `to` minus `days`.
    pub from: Option<NaiveDate>,
    /// The newest snapshot date in the portfolio.
    pub to: Option<NaiveDate>,
    /// One point per day from `from` to `to`, both included.
    pub series: Vec<TrendPoint>,
    /// Mean of the tenant changes, in percentage points.
    pub portfolio_change: Option<f64>,
    /// Mean of the tenants' points effects.
    pub points_effect: Option<f64>,
    /// Mean of the tenants' maximum drifts.
    pub max_drift: Option<f64>,
    /// Included tenants with a latest snapshot.
    pub tenants_included: u32,
    /// Tenants with a snapshot at least `days` older than their latest.
    pub tenants_with_change: u32,
    pub tenants_improved: u32,
    pub tenants_regressed: u32,
    /// Changes that round to 0.00 points.
    pub tenants_unchanged: u32,
    /// Tenants with no snapshot that old: they have no change, not 0.
    pub tenants_without_change: u32,
    /// Largest rises first, at most five.
    pub biggest_gains: Vec<TenantMove>,
    /// Largest drops first, at most five.
    pub biggest_drops: Vec<TenantMove>,
}

/// One tenant's latest snapshot and the snapshot the change starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantEnds {
    pub tenant_id: String,
    pub display_name: String,
    pub latest: DailyScore,
    /// The latest snapshot dated at least `days` before `latest`, if any.
    pub base: Option<DailyScore>,
}

/// Mean percentage and tenant count of one day, as the database aggregates it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayAverage {
    pub date: NaiveDate,
    pub average: f64,
    pub tenants: u32,
}

/// Returns one point per day from `from` to `to`; days missing from `days`
/// get a null average.
pub fn daily_series(from: NaiveDate, to: NaiveDate, days: &[DayAverage]) -> Vec<TrendPoint> {
    let mut out = Vec::new();
    let mut date = from;
    while date <= to {
        let found = days.iter().find(|d| d.date == date && d.tenants > 0);
        out.push(TrendPoint {
            date,
            average: found.map(|d| round2(d.average)),
            tenants: found.map_or(0, |d| d.tenants),
        });
        date += Duration::days(1);
    }
    out
}

/// Builds the report. `to` is the newest snapshot date in the portfolio;
/// `days` the window; `daily` the aggregated averages inside the window.
pub fn summarise(days: u32, to: Option<NaiveDate>, daily: &[DayAverage], tenants: &[TenantEnds]) -> TrendsReport {
    let from = to.map(|to| to - Duration::days(i64::from(days)));
    let series = match (from, to) {
        (Some(from), Some(to)) => daily_series(from, to, daily),
        _ => Vec::new(),
    };

    let exact: Vec<(&TenantEnds, ScoreChange)> = tenants
        .iter()
        .filter_map(|t| Some((t, score::change_between(t.base.as_ref()?, &t.latest)?)))
        .collect();
    // Means from the exact changes; counts from the rounded ones, so a
    // tenant shown as 0.00 counts as unchanged.
    let mean_of = |pick: fn(&ScoreChange) -> f64| round2_opt(score::mean(exact.iter().map(|(_, c)| pick(c))));
    let portfolio_change = mean_of(|c| c.change);
    let points_effect = mean_of(|c| c.points_effect);
    let max_drift = mean_of(|c| c.max_drift);
    let mut moves: Vec<TenantMove> = exact.iter().map(|(t, c)| to_move(t, c)).collect();
    let improved = moves.iter().filter(|m| m.change > 0.0).count() as u32;
    let regressed = moves.iter().filter(|m| m.change < 0.0).count() as u32;
    let with_change = moves.len() as u32;

    moves.sort_by(|a, b| {
        b.change
            .partial_cmp(&a.change)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()))
    });
    let biggest_gains: Vec<TenantMove> = moves.iter().filter(|m| m.change > 0.0).take(MOVERS).cloned().collect();
    let biggest_drops: Vec<TenantMove> = moves.iter().rev().filter(|m| m.change < 0.0).take(MOVERS).cloned().collect();

    TrendsReport {
        days,
        from,
        to,
        series,
        portfolio_change,
        points_effect,
        max_drift,
        tenants_included: tenants.len() as u32,
        tenants_with_change: with_change,
        tenants_improved: improved,
        tenants_regressed: regressed,
        tenants_unchanged: with_change - improved - regressed,
        tenants_without_change: tenants.len() as u32 - with_change,
        biggest_gains,
        biggest_drops,
    }
}

/// Rounds each figure to two decimals, so "unchanged" means "shows as 0.00".
fn to_move(tenant: &TenantEnds, change: &ScoreChange) -> TenantMove {
    TenantMove {
        tenant_id: tenant.tenant_id.clone(),
        display_name: tenant.display_name.clone(),
        from_date: change.from_date,
        to_date: change.to_date,
        from_percentage: round2(change.from_percentage),
        to_percentage: round2(change.to_percentage),
        change: round2(change.change),
        points_effect: round2(change.points_effect),
        max_drift: round2(change.max_drift),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    fn day(raw: &str, current: f64, max: f64) -> DailyScore {
        DailyScore { date: date(raw), current, max }
    }

    fn ends(id: &str, base: Option<DailyScore>, latest: DailyScore) -> TenantEnds {
        TenantEnds { tenant_id: id.to_owned(), display_name: format!("Tenant {id}"), latest, base }
    }

    #[test]
    fn missing_days_are_gaps_not_zeros() {
        let daily = [
            DayAverage { date: date("2026-03-01"), average: 50.0, tenants: 2 },
            DayAverage { date: date("2026-03-03"), average: 52.125, tenants: 1 },
        ];
        let series = daily_series(date("2026-03-01"), date("2026-03-04"), &daily);
        let averages: Vec<Option<f64>> = series.iter().map(|p| p.average).collect();
        assert_eq!(averages, [Some(50.0), None, Some(52.13), None]);
        let counts: Vec<u32> = series.iter().map(|p| p.tenants).collect();
        assert_eq!(counts, [2, 0, 1, 0]);
    }

    #[test]
    fn counts_and_means_over_tenants_with_both_ends() {
        let tenants = [
            // 50 % -> 60 %: +10, all points.
            ends("a", Some(day("2026-02-01", 50.0, 100.0)), day("2026-03-03", 60.0, 100.0)),
            // 100 of 200 -> 120 of 250: 50 % -> 48 %: -2 = +8 points, -10 drift.
            ends("b", Some(day("2026-02-01", 100.0, 200.0)), day("2026-03-03", 120.0, 250.0)),
            // 30 of 60 -> 30 of 60: unchanged.
            ends("c", Some(day("2026-01-15", 30.0, 60.0)), day("2026-03-03", 30.0, 60.0)),
            // Registered last week: no change, not 0.
            ends("d", None, day("2026-03-03", 10.0, 100.0)),
        ];
        let report = summarise(30, Some(date("2026-03-03")), &[], &tenants);
        assert_eq!(report.from, Some(date("2026-02-01")));
        assert_eq!(report.series.len(), 31);
        assert_eq!(
            (report.tenants_included, report.tenants_with_change, report.tenants_without_change),
            (4, 3, 1)
        );
        assert_eq!((report.tenants_improved, report.tenants_regressed, report.tenants_unchanged), (1, 1, 1));
        // (10 - 2 + 0) / 3 = 2.67; points (10 + 8 + 0) / 3 = 6; drift (0 - 10 + 0) / 3 = -3.33.
        assert_eq!(report.portfolio_change, Some(2.67));
        assert_eq!(report.points_effect, Some(6.0));
        assert_eq!(report.max_drift, Some(-3.33));

        let gains: Vec<&str> = report.biggest_gains.iter().map(|m| m.tenant_id.as_str()).collect();
        let drops: Vec<&str> = report.biggest_drops.iter().map(|m| m.tenant_id.as_str()).collect();
        assert_eq!(gains, ["a"]);
        assert_eq!(drops, ["b"]);
        let b = &report.biggest_drops[0];
        assert_eq!((b.change, b.points_effect, b.max_drift), (-2.0, 8.0, -10.0));
    }

    #[test]
    fn movers_are_ordered_and_capped() {
        // Changes of -6 to +6 points.
        let tenants: Vec<TenantEnds> = (0..13)
            .map(|i| {
                let latest = 50.0 + f64::from(i) - 6.0;
                ends(&i.to_string(), Some(day("2026-01-01", 50.0, 100.0)), day("2026-01-08", latest, 100.0))
            })
            .collect();
        let report = summarise(7, Some(date("2026-01-08")), &[], &tenants);
        let gains: Vec<f64> = report.biggest_gains.iter().map(|m| m.change).collect();
        let drops: Vec<f64> = report.biggest_drops.iter().map(|m| m.change).collect();
        assert_eq!(gains, [6.0, 5.0, 4.0, 3.0, 2.0]);
        assert_eq!(drops, [-6.0, -5.0, -4.0, -3.0, -2.0]);
        assert_eq!(report.tenants_unchanged, 1);
    }

    #[test]
    fn empty_portfolio_has_no_line_and_no_change() {
        let report = summarise(90, None, &[], &[]);
        assert!(report.series.is_empty());
        assert_eq!((report.from, report.portfolio_change, report.tenants_with_change), (None, None, 0));
    }
}
