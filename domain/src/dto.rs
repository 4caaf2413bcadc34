//! Data transfer objects: the one vocabulary of the pages, the REST API and
//! the exports. Field names are a public contract (camelCase on the wire);
//! add fields freely, rename none.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The outcome of a tenant's last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    NeverSynced,
    Ok,
    /// Graph returned no snapshot (`{"value": []}`).
    NoData,
    /// The token request failed: admin consent is missing or was revoked.
    ConsentMissing,
    /// Graph returned 403 because a permission or licence is missing.
    AccessDenied,
    /// Retries ran out on 429 responses.
    Throttled,
    /// Any other failure (Graph 5xx, timeout, malformed payload).
    Failed,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NeverSynced => "never_synced",
            Self::Ok => "ok",
            Self::NoData => "no_data",
            Self::ConsentMissing => "consent_missing",
            Self::AccessDenied => "access_denied",
            Self::Throttled => "throttled",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::NeverSynced,
            Self::Ok,
            Self::NoData,
            Self::ConsentMissing,
            Self::AccessDenied,
            Self::Throttled,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::NeverSynced => "Not synced yet",
            Self::Ok => "Synced",
            Self::NoData => "No data",
            Self::ConsentMissing => "Consent missing",
            Self::AccessDenied => "Access denied",
            Self::Throttled => "Throttled",
            Self::Failed => "Sync failed",
        }
    }

    pub fn is_failure(self) -> bool {
        matches!(self, Self::ConsentMissing | Self::AccessDenied | Self::Throttled | Self::Failed)
    }
}

/// A tenant named with its percentage, for leaderboards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantRef {
    pub tenant_id: String,
    pub display_name: String,
    pub percentage: f64,
}

/// Count of tenants whose percentage falls in `[from, to)` (the last bucket
/// includes 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DistributionBucket {
    pub from: u32,
    pub to: u32,
    pub count: u32,
}

/// The portfolio overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortfolioSummary {
    /// Unweighted mean of the included tenants' latest percentages (0-100).
    pub portfolio_average: Option<f64>,
    /// Mean of the tenants' 90-day changes, in percentage points.
    pub portfolio_average_change_90d: Option<f64>,
    /// Tenants that have a 90-day change.
    pub tenants_with_change_90d: u32,
    pub tenants_improved_90d: u32,
    pub tenants_regressed_90d: u32,
    pub top_tenant: Option<TenantRef>,
    pub lowest_tenant: Option<TenantRef>,
    /// Tenants under management, excluded ones left out.
    pub managed_tenants: u32,
    pub excluded_tenants: u32,
    pub tenants_with_data: u32,
    pub tenants_without_data: u32,
    pub stale_tenants: u32,
    pub failing_tenants: u32,
    /// Open alerts across the portfolio, and how many of them are critical.
    pub open_alerts: u32,
    pub critical_alerts: u32,
    pub distribution: Vec<DistributionBucket>,
    /// The newest snapshot date across the portfolio.
    pub as_of: Option<NaiveDate>,
    pub last_sync: Option<SyncRunSummary>,
    /// True when the data comes from the built-in Graph simulator.
    pub demo: bool,
}

/// One row of the cross-tenant comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantRow {
    pub tenant_id: String,
    pub display_name: String,
    pub industry: Option<String>,
    pub excluded: bool,
    pub current_score: Option<f64>,
    pub max_score: Option<f64>,
    /// 0-100; null when the tenant has no data.
    pub percentage: Option<f64>,
    pub trend7d: Option<f64>,
    pub trend30d: Option<f64>,
    pub trend90d: Option<f64>,
    /// Position within the tenant's industry as a share of its tenants with
    /// data (position / tenants x 100; lower is better, 1 of 8 is 12.5).
    /// Null when the industry has fewer than 5 tenants with data. Method:
    /// `domain::benchmarks::RANK_METHOD`.
    pub industry_rank: Option<f64>,
    /// "Top 13%" or "Bottom 50%"; null with `industryRank`.
    #[serde(default)]
    pub industry_rank_label: Option<String>,
    /// 1 for the industry's highest percentage; equal percentages share a position.
    #[serde(default)]
    pub industry_position: Option<u32>,
    /// Tenants of the industry with data.
    #[serde(default)]
    pub industry_peers: Option<u32>,
    pub last_snapshot_date: Option<NaiveDate>,
    pub stale: bool,
    pub sync_status: SyncStatus,
    /// The reason the last sync failed, in words a person can act on.
    pub sync_message: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
}

impl TenantRow {
    pub fn has_data(&self) -> bool {
        self.percentage.is_some()
    }
}

/// A page of tenant rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantPage {
    pub items: Vec<TenantRow>,
    pub page: u32,
    pub page_size: u32,
    pub total_items: u32,
    pub total_pages: u32,
}

/// Points and maximum of one category in one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CategoryScore {
    pub category: String,
    pub points: f64,
    pub max_points: f64,
    /// Null when the category maximum is 0.
    pub percentage: Option<f64>,
    pub controls: u32,
    /// Scored controls with neither a profile nor a usable scoreInPercentage.
    pub unmatched_controls: u32,
}

/// One scored control in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ControlScoreView {
    pub control_name: String,
    pub title: Option<String>,
    pub category: String,
    pub score: f64,
    pub max_score: Option<f64>,
    /// `profile`, `derived` or `unmatched`.
    pub max_source: String,
    pub score_in_percentage: Option<f64>,
    pub implementation_status: Option<String>,
    pub last_synced: Option<DateTime<Utc>>,
    /// The control's description as plain text (Graph sends HTML; tags are
    /// removed and entities decoded).
    #[serde(default)]
    pub description: Option<String>,
}

/// One of Microsoft's comparative averages, as a percentage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PeerAverage {
    /// `AllTenants`, `TotalSeats` or `IndustryTypes`.
    pub basis: String,
    pub average_score: f64,
    pub seat_size_range_lower: Option<u32>,
    pub seat_size_range_upper: Option<u32>,
}

/// The latest snapshot of a tenant, resolved for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SnapshotDetail {
    pub snapshot_date: NaiveDate,
    pub created_date_time: DateTime<Utc>,
    pub current_score: f64,
    pub max_score: f64,
    pub percentage: Option<f64>,
    pub active_user_count: Option<i64>,
    pub enabled_services: Vec<String>,
    pub categories: Vec<CategoryScore>,
    pub controls: Vec<ControlScoreView>,
    pub peer_averages: Vec<PeerAverage>,
    /// Data-quality notes recorded when the snapshot was stored.
    pub warnings: Vec<String>,
}

/// A tenant with its latest snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantDetail {
    pub tenant: TenantRow,
    pub latest_snapshot: Option<SnapshotDetail>,
    /// One point per day for the 90 days up to the latest snapshot (91
    /// points); days without a snapshot have null values.
    #[serde(default)]
    pub history: Vec<HistoryPoint>,
    /// Days on which Microsoft changed the tenant's maximum score.
    #[serde(default)]
    pub max_score_changes: Vec<MaxScoreChange>,
    /// The tenant's categories beside the portfolio and Microsoft's averages.
    #[serde(default)]
    pub category_comparison: Vec<CategoryComparison>,
    /// Things that make the numbers less certain: stale data, unmatched
    /// controls, a missing benchmark, warnings recorded at ingestion.
    #[serde(default)]
    pub data_quality: Vec<DataQualityNote>,
}

/// A tenant's score on one day; all values null on a day without a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryPoint {
    pub date: NaiveDate,
    pub current_score: Option<f64>,
    pub max_score: Option<f64>,
    pub percentage: Option<f64>,
}

/// A change of the maximum score between two consecutive snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MaxScoreChange {
    pub date: NaiveDate,
    pub from_max: f64,
    pub to_max: f64,
}

/// One category of a tenant beside the averages it is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CategoryComparison {
    pub category: String,
    /// Null when the category maximum is 0.
    pub percentage: Option<f64>,
    pub points: f64,
    pub max_points: f64,
    /// Mean of the included tenants' percentages in this category.
    pub portfolio_average: Option<f64>,
    /// Microsoft's `AllTenants` average for the category, from this tenant's snapshot.
    pub peer_all_tenants: Option<f64>,
    /// Microsoft's `TotalSeats` (similar seat count) average for the category.
    pub peer_similar_seats: Option<f64>,
}

/// A data-quality note: a stable code for scripts and a sentence for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DataQualityNote {
    /// `stale`, `unmatched_controls`, `no_benchmark` or `ingestion_warning`.
    pub code: String,
    pub message: String,
}

/// The progress and outcome of a sync run, for people and scripts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncRunSummary {
    pub id: i64,
    /// `scheduler`, `cli`, `manual` or `startup`.
    pub trigger: String,
    /// `running`, `succeeded`, `partial`, `failed` or `interrupted`.
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub tenants_total: u32,
    pub tenants_done: u32,
    pub tenants_failed: u32,
    pub snapshots_written: u32,
    pub duration_ms: Option<i64>,
}
