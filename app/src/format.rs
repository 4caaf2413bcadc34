//! Text for numbers, dates and statuses, so every page writes them the same
//! way.

use chrono::{DateTime, NaiveDate, Utc};

/// Placeholder for a value that does not exist, shown instead of a 0.
pub const MISSING: &str = "—";

/// Rounds to `decimals` places and turns a negative zero into zero, so
/// -0.04 never prints as "-0.0".
fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    let rounded = (value * factor).round() / factor;
    if rounded == 0.0 {
        0.0
    } else {
        rounded
    }
}

/// Explains a tenant's industry rank, or why it has none, for a tooltip.
pub fn industry_rank_tooltip(row: &domain::TenantRow) -> String {
    let industry = row.industry.as_deref().unwrap_or("its industry");
    match (row.industry_position, row.industry_peers) {
        (Some(position), Some(peers)) => format!(
            "Position {position} of {peers} {industry} tenants with data in this portfolio. {}",
            domain::benchmarks::RANK_METHOD
        ),
        _ if row.industry.is_none() => "No rank: the tenant's industry is not set.".to_owned(),
        _ => format!(
            "No rank: {industry} has fewer than {} tenants with data in this portfolio.",
            domain::benchmarks::RANK_MIN_TENANTS
        ),
    }
}

/// Formats a percentage with one decimal: `74.0 %`.
pub fn percent(value: f64) -> String {
    format!("{:.1} %", round(value, 1))
}

/// Formats a percentage, or [`MISSING`] when there is none.
pub fn percent_or_missing(value: Option<f64>) -> String {
    value.map(percent).unwrap_or_else(|| MISSING.to_owned())
}

/// Formats points with at most two decimals and no trailing zeros: `128`,
/// `12.5`, `0.33`.
pub fn points(value: f64) -> String {
    let text = format!("{:.2}", round(value, 2));
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Formats points, or [`MISSING`] when there are none.
pub fn points_or_missing(value: Option<f64>) -> String {
    value.map(points).unwrap_or_else(|| MISSING.to_owned())
}

/// Formats a change in percentage points with its sign and one decimal:
/// `+2.3`, `-1.5`, `0.0`.
pub fn signed_change(value: f64) -> String {
    let value = round(value, 1);
    if value > 0.0 {
        format!("+{value:.1}")
    } else {
        format!("{value:.1}")
    }
}

/// Formats a change in points, or [`MISSING`] when there is no history to
/// compare.
pub fn signed_change_or_missing(value: Option<f64>) -> String {
    value.map(signed_change).unwrap_or_else(|| MISSING.to_owned())
}

/// Formats a change with its unit, `+2.3 pts`, or [`MISSING`] when there is
/// no history to compare.
pub fn signed_points_or_missing(value: Option<f64>) -> String {
    value
        .map(|change| format!("{} pts", signed_change(change)))
        .unwrap_or_else(|| MISSING.to_owned())
}

/// Formats the portfolio's 90-day change: `+2.3 pts over 90 days`.
pub fn change_over_90_days(value: Option<f64>) -> String {
    match value {
        Some(change) => format!("{} pts over 90 days", signed_change(change)),
        None => "no 90-day history yet".to_owned(),
    }
}

/// Formats the points behind a percentage: `(128 of 274 points)`, shown
/// after it as in `46.7 % (128 of 274 points)`.
pub fn points_context(current: f64, max: f64) -> String {
    format!("({} of {} points)", points(current), points(max))
}

/// Formats a control's score against its maximum: `3 of 10`, or `3 of —`
/// when the maximum is unknown.
pub fn score_of_max(score: f64, max: Option<f64>) -> String {
    format!("{} of {}", points(score), points_or_missing(max))
}

/// Formats an ISO date: `2026-12-03`.
pub fn date(value: NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

/// Formats an ISO date, or [`MISSING`].
pub fn date_or_missing(value: Option<NaiveDate>) -> String {
    value.map(date).unwrap_or_else(|| MISSING.to_owned())
}

/// Formats a UTC date and time to the minute: `2026-12-03 14:05 UTC`.
pub fn date_time(value: DateTime<Utc>) -> String {
    value.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Formats how long before `now` the time `then` was: `just now`,
/// `5 minutes ago`, `1 hour ago`, `3 days ago`. A future time reads `just now`.
pub fn time_ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let elapsed = now.signed_duration_since(then);
    let (count, unit) = if elapsed.num_minutes() < 1 {
        return "just now".to_owned();
    } else if elapsed.num_hours() < 1 {
        (elapsed.num_minutes(), "minute")
    } else if elapsed.num_days() < 2 {
        (elapsed.num_hours(), "hour")
    } else {
        (elapsed.num_days(), "day")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural} ago")
}

/// Formats a duration in milliseconds: `850 ms`, `12 s`, `3 min 5 s`.
pub fn duration_ms(value: i64) -> String {
    if value < 1_000 {
        format!("{value} ms")
    } else if value < 60_000 {
        format!("{} s", value / 1_000)
    } else {
        format!("{} min {} s", value / 60_000, (value % 60_000) / 1_000)
    }
}

/// Returns the label for a sync run status (`running`, `succeeded`, `partial`, `failed`,
/// `interrupted`). An unknown status is returned as sent.
pub fn run_status_label(status: &str) -> String {
    match status {
        "running" => "Running".to_owned(),
        "succeeded" => "Succeeded".to_owned(),
        "partial" => "Partly failed".to_owned(),
        "failed" => "Failed".to_owned(),
        "interrupted" => "Interrupted".to_owned(),
        other => other.to_owned(),
    }
}

/// Returns the label for what started a sync run (`scheduler`, `cli`, `manual`,
/// `startup`).
pub fn run_trigger_label(trigger: &str) -> String {
    match trigger {
        "scheduler" => "scheduled".to_owned(),
        "cli" => "command line".to_owned(),
        "manual" => "Refresh now".to_owned(),
        "startup" => "server start".to_owned(),
        other => other.to_owned(),
    }
}

/// Formats the label of a distribution bucket: `0–10 %`.
pub fn bucket_label(from: u32, to: u32) -> String {
    format!("{from}–{to} %")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn percent_has_one_decimal_and_unit() {
        assert_eq!(percent(74.0), "74.0 %");
        assert_eq!(percent(46.715), "46.7 %");
        assert_eq!(percent(99.96), "100.0 %");
        assert_eq!(percent(0.0), "0.0 %");
        assert_eq!(percent(-0.01), "0.0 %");
    }

    #[test]
    fn missing_percent_is_a_dash() {
        assert_eq!(percent_or_missing(None), "—");
        assert_eq!(percent_or_missing(Some(12.34)), "12.3 %");
    }

    #[test]
    fn points_drop_trailing_zeros() {
        assert_eq!(points(128.0), "128");
        assert_eq!(points(12.5), "12.5");
        assert_eq!(points(0.333), "0.33");
        assert_eq!(points(2.005_1), "2.01");
        assert_eq!(points(0.0), "0");
        assert_eq!(points(-0.001), "0");
        assert_eq!(points(10.0), "10");
        assert_eq!(points_or_missing(None), "—");
    }

    #[test]
    fn signed_change_shows_sign() {
        assert_eq!(signed_change(2.34), "+2.3");
        assert_eq!(signed_change(-1.5), "-1.5");
        assert_eq!(signed_change(0.0), "0.0");
        assert_eq!(signed_change(-0.04), "0.0");
        assert_eq!(signed_change(0.05), "+0.1");
        assert_eq!(signed_change_or_missing(None), "—");
        assert_eq!(signed_points_or_missing(Some(-1.25)), "-1.3 pts");
        assert_eq!(signed_points_or_missing(None), "—");
    }

    #[test]
    fn change_over_90_days_never_invents_zero() {
        assert_eq!(change_over_90_days(Some(2.3)), "+2.3 pts over 90 days");
        assert_eq!(change_over_90_days(Some(-0.7)), "-0.7 pts over 90 days");
        assert_eq!(change_over_90_days(Some(0.0)), "0.0 pts over 90 days");
        assert_eq!(change_over_90_days(None), "no 90-day history yet");
    }

    #[test]
    fn points_context_shows_both_totals() {
        assert_eq!(points_context(128.0, 274.0), "(128 of 274 points)");
        assert_eq!(points_context(12.5, 40.0), "(12.5 of 40 points)");
        assert_eq!(points_context(0.0, 0.0), "(0 of 0 points)");
    }

    #[test]
    fn score_of_max_handles_unknown_max() {
        assert_eq!(score_of_max(3.0, Some(10.0)), "3 of 10");
        assert_eq!(score_of_max(2.5, None), "2.5 of —");
    }

    #[test]
    fn dates_are_iso() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(date(day), "2026-12-03");
        assert_eq!(date_or_missing(None), "—");
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 14, 5, 59).unwrap();
        assert_eq!(date_time(at), "2026-12-03 14:05 UTC");
    }

    #[test]
    fn time_ago_picks_unit() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let cases = [
            (chrono::Duration::seconds(30), "just now"),
            (chrono::Duration::seconds(-600), "just now"),
            (chrono::Duration::minutes(1), "1 minute ago"),
            (chrono::Duration::minutes(59), "59 minutes ago"),
            (chrono::Duration::hours(1), "1 hour ago"),
            (chrono::Duration::hours(47), "47 hours ago"),
            (chrono::Duration::hours(48), "2 days ago"),
            (chrono::Duration::days(30), "30 days ago"),
        ];
        for (elapsed, expected) in cases {
            assert_eq!(time_ago(now - elapsed, now), expected, "elapsed {elapsed}");
        }
    }

    #[test]
    fn duration_ms_scales_unit() {
        assert_eq!(duration_ms(850), "850 ms");
        assert_eq!(duration_ms(12_400), "12 s");
        assert_eq!(duration_ms(185_000), "3 min 5 s");
    }

    #[test]
    fn status_labels() {
        assert_eq!(run_status_label("partial"), "Partly failed");
        assert_eq!(run_status_label("queued"), "queued");
        assert_eq!(run_trigger_label("manual"), "Refresh now");
        assert_eq!(bucket_label(90, 100), "90–100 %");
    }
}
