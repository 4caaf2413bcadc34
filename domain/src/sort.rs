//! Ordering of comparison rows, shared by the table in the browser and the
//! REST API so both sort the same way.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::dto::TenantRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TenantSort {
    DisplayName,
    CurrentScore,
    MaxScore,
    Percentage,
    Trend30d,
    Industry,
    LastSnapshotDate,
}

impl TenantSort {
    pub const ALL: [TenantSort; 7] = [
        Self::DisplayName,
        Self::CurrentScore,
        Self::MaxScore,
        Self::Percentage,
        Self::Trend30d,
        Self::Industry,
        Self::LastSnapshotDate,
    ];

    /// Returns the query-string name, equal to the JSON field name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DisplayName => "displayName",
            Self::CurrentScore => "currentScore",
            Self::MaxScore => "maxScore",
            Self::Percentage => "percentage",
            Self::Trend30d => "trend30d",
            Self::Industry => "industry",
            Self::LastSnapshotDate => "lastSnapshotDate",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(raw.trim()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }

    pub fn flip(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
}

fn cmp_opt<T: PartialOrd>(a: &Option<T>, b: &Option<T>) -> Option<Ordering> {
    match (a, b) {
        (Some(a), Some(b)) => a.partial_cmp(b),
        _ => None,
    }
}

/// Sorts rows by `key`. Rows without a value for the key go last in either
/// direction; ties fall back to the display name, then the tenant id.
pub fn sort_rows(rows: &mut [TenantRow], key: TenantSort, order: SortOrder) {
    rows.sort_by(|a, b| {
        let primary = match key {
            TenantSort::DisplayName => Some(a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase())),
            TenantSort::CurrentScore => cmp_opt(&a.current_score, &b.current_score),
            TenantSort::MaxScore => cmp_opt(&a.max_score, &b.max_score),
            TenantSort::Percentage => cmp_opt(&a.percentage, &b.percentage),
            TenantSort::Trend30d => cmp_opt(&a.trend30d, &b.trend30d),
            TenantSort::Industry => cmp_opt(
                &a.industry.as_ref().map(|s| s.to_lowercase()),
                &b.industry.as_ref().map(|s| s.to_lowercase()),
            ),
            TenantSort::LastSnapshotDate => cmp_opt(&a.last_snapshot_date, &b.last_snapshot_date),
        };
        let missing = |row: &TenantRow| match key {
            TenantSort::DisplayName => false,
            TenantSort::CurrentScore => row.current_score.is_none(),
            TenantSort::MaxScore => row.max_score.is_none(),
            TenantSort::Percentage => row.percentage.is_none(),
            TenantSort::Trend30d => row.trend30d.is_none(),
            TenantSort::Industry => row.industry.is_none(),
            TenantSort::LastSnapshotDate => row.last_snapshot_date.is_none(),
        };
        let by_key = match primary {
            Some(ordering) => match order {
                SortOrder::Asc => ordering,
                SortOrder::Desc => ordering.reverse(),
            },
            None => missing(a).cmp(&missing(b)),
        };
        by_key
            .then_with(|| a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()))
            .then_with(|| a.tenant_id.cmp(&b.tenant_id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::SyncStatus;

    fn row(name: &str, pct: Option<f64>) -> TenantRow {
        TenantRow {
            tenant_id: name.to_lowercase(),
            display_name: name.to_owned(),
            industry: None,
            excluded: false,
            current_score: pct,
            max_score: pct.map(|_| 100.0),
            percentage: pct,
            trend7d: None,
            trend30d: None,
            trend90d: None,
            industry_rank: None,
            industry_rank_label: None,
            industry_position: None,
            industry_peers: None,
            last_snapshot_date: None,
            stale: false,
            sync_status: SyncStatus::Ok,
            sync_message: None,
            last_synced_at: None,
        }
    }

    fn names(rows: &[TenantRow]) -> Vec<&str> {
        rows.iter().map(|r| r.display_name.as_str()).collect()
    }

    #[test]
    fn rows_without_value_go_last_both_ways() {
        let mut rows = vec![row("Beta", None), row("Alpha", Some(40.0)), row("Gamma", Some(90.0))];
        sort_rows(&mut rows, TenantSort::Percentage, SortOrder::Desc);
        assert_eq!(names(&rows), ["Gamma", "Alpha", "Beta"]);
        sort_rows(&mut rows, TenantSort::Percentage, SortOrder::Asc);
        assert_eq!(names(&rows), ["Alpha", "Gamma", "Beta"]);
    }

    #[test]
    fn names_sort_ignoring_case() {
        let mut rows = vec![row("beta", None), row("Alpha", None), row("Gamma", None)];
        sort_rows(&mut rows, TenantSort::DisplayName, SortOrder::Asc);
        assert_eq!(names(&rows), ["Alpha", "beta", "Gamma"]);
    }

    #[test]
    fn sort_keys_parse_from_field_names() {
        assert_eq!(TenantSort::parse("trend30d"), Some(TenantSort::Trend30d));
        assert_eq!(TenantSort::parse("PERCENTAGE"), Some(TenantSort::Percentage));
        assert_eq!(TenantSort::parse("score"), None);
        assert_eq!(SortOrder::parse("DESC"), Some(SortOrder::Desc));
    }
}
