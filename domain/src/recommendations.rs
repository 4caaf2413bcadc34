//! Improvement actions ranked across the portfolio: the points each one
//! would gain, the effort it takes, a tag, and the status workflow that
//! tracks it per tenant.
//!
//! Rules (the README repeats them for users):
//! - Points available for a tenant = profile maximum - score, when above 0.
//!   Deprecated controls, controls at full score, controls the tenant marked
//!   Risk Accepted here, and controls Microsoft lists as `Ignored` or
//!   `ThirdParty` are left out.
//! - Effort = cost level + user-impact level, each Low 1, Moderate 2,
//!   High 3, so 2 to 6. Unknown, missing and unseen values count as Moderate.
//! - Impact = mean points available over the affected tenants.
//!   Impact-to-effort ratio = impact / effort.
//! - Tags: Quick Win when effort <= 3 and impact >= 2 points; otherwise
//!   High Impact when impact >= 5 points; otherwise Strategic when effort
//!   >= 5 and impact >= 3 points; otherwise none.
//! - Projected rise of the portfolio average if done everywhere = the sum
//!   over affected tenants of points / tenant maximum x 100, divided by the
//!   number of tenants in the portfolio average.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::score::{round2, round2_opt};

/// Effort at or below which an action can be a Quick Win.
pub const QUICK_WIN_MAX_EFFORT: u8 = 3;
/// Mean points an action needs to be a Quick Win.
pub const QUICK_WIN_MIN_POINTS: f64 = 2.0;
/// Mean points that make an action High Impact.
pub const HIGH_IMPACT_MIN_POINTS: f64 = 5.0;
/// Effort from which an action with enough points is Strategic.
pub const STRATEGIC_MIN_EFFORT: u8 = 5;
/// Mean points a Strategic action needs.
pub const STRATEGIC_MIN_POINTS: f64 = 3.0;

/// Implementation cost or user impact as Microsoft grades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Moderate,
    High,
}

impl Level {
    /// Reads Graph's text ignoring case; "Unknown", null and unseen values
    /// count as Moderate.
    pub fn parse(raw: Option<&str>) -> Self {
        match raw.map(|r| r.trim().to_ascii_lowercase()).as_deref() {
            Some("low") => Self::Low,
            Some("high") => Self::High,
            _ => Self::Moderate,
        }
    }

    pub fn weight(self) -> u8 {
        match self {
            Self::Low => 1,
            Self::Moderate => 2,
            Self::High => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Moderate => "Moderate",
            Self::High => "High",
        }
    }
}

/// A ranking tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    QuickWin,
    HighImpact,
    Strategic,
}

impl Tag {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QuickWin => "quick_win",
            Self::HighImpact => "high_impact",
            Self::Strategic => "strategic",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::QuickWin, Self::HighImpact, Self::Strategic].into_iter().find(|t| t.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::QuickWin => "Quick Win",
            Self::HighImpact => "High Impact",
            Self::Strategic => "Strategic",
        }
    }
}

/// Applies the tag rules of this module.
pub fn tag_for(effort: u8, impact: f64) -> Option<Tag> {
    if effort <= QUICK_WIN_MAX_EFFORT && impact >= QUICK_WIN_MIN_POINTS {
        Some(Tag::QuickWin)
    } else if impact >= HIGH_IMPACT_MIN_POINTS {
        Some(Tag::HighImpact)
    } else if effort >= STRATEGIC_MIN_EFFORT && impact >= STRATEGIC_MIN_POINTS {
        Some(Tag::Strategic)
    } else {
        None
    }
}

/// The status of an action for one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    Planned,
    InProgress,
    Completed,
    RiskAccepted,
}

impl Status {
    pub const ALL: [Status; 5] = [Self::NotStarted, Self::Planned, Self::InProgress, Self::Completed, Self::RiskAccepted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::RiskAccepted => "risk_accepted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not Started",
            Self::Planned => "Planned",
            Self::InProgress => "In Progress",
            Self::Completed => "Completed",
            Self::RiskAccepted => "Risk Accepted",
        }
    }
}

/// A status change as requested, before it is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusRequest<'a> {
    pub status: &'a str,
    pub target_date: Option<&'a str>,
    pub justification: Option<&'a str>,
    /// With `completed`: a third-party tool covers the control.
    pub third_party: bool,
}

/// A checked status change.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub status: Status,
    pub target_date: Option<NaiveDate>,
    pub justification: Option<String>,
    pub third_party: bool,
}

impl StatusChange {
    /// The state Microsoft should have after this change: Risk Accepted is
    /// `Ignored`, completed by a third party is `ThirdParty`, and an open
    /// status is `Default`. `None` for a plain completion, which Microsoft
    /// measures itself.
    pub fn graph_state(&self) -> Option<&'static str> {
        match self.status {
            Status::RiskAccepted => Some("Ignored"),
            Status::Completed if self.third_party => Some("ThirdParty"),
            Status::Completed => None,
            Status::NotStarted | Status::Planned | Status::InProgress => Some("Default"),
        }
    }
}

/// Maximum length of a justification, in characters.
pub const MAX_JUSTIFICATION_CHARS: usize = 2000;

/// Checks a requested change; the error names the value and the fix.
pub fn check_status_request(request: &StatusRequest<'_>) -> Result<StatusChange, String> {
    let status = Status::parse(request.status).ok_or_else(|| {
        format!(
            "status '{}' is invalid: use not_started, planned, in_progress, completed or risk_accepted",
            request.status.trim()
        )
    })?;
    let target_date = match request.target_date.map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(raw) => Some(
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| format!("targetDate '{raw}' is invalid: use a date as YYYY-MM-DD, such as 2027-01-31"))?,
        ),
    };
    if target_date.is_some() && status != Status::Planned && status != Status::InProgress {
        return Err(format!("targetDate is only kept for planned and in_progress, not for {}: leave it out", status.as_str()));
    }
    let justification = request.justification.map(str::trim).filter(|j| !j.is_empty()).map(str::to_owned);
    if status == Status::RiskAccepted && justification.is_none() {
        return Err("justification is missing: risk_accepted needs the reason the risk is accepted".to_owned());
    }
    if justification.as_ref().is_some_and(|j| j.chars().count() > MAX_JUSTIFICATION_CHARS) {
        return Err(format!("justification is longer than {MAX_JUSTIFICATION_CHARS} characters: shorten it"));
    }
    if request.third_party && status != Status::Completed {
        return Err(format!("thirdParty applies only to completed, not to {}: leave it out", status.as_str()));
    }
    Ok(StatusChange { status, target_date, justification, third_party: request.third_party })
}

/// One tenant's open points on one action, as stored at ingestion.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub tenant_id: String,
    pub display_name: String,
    pub control_id: String,
    pub score: f64,
    pub max: f64,
    /// The tenant's maximum Secure Score, for the projection.
    pub tenant_max: f64,
    /// The tenant's current Secure Score, for the projection.
    pub tenant_current: f64,
}

impl Gap {
    pub fn points(&self) -> f64 {
        (self.max - self.score).max(0.0)
    }

    /// Percentage points the tenant's score rises when the gap closes.
    pub fn rise(&self) -> f64 {
        if self.tenant_max > 0.0 {
            self.points() / self.tenant_max * 100.0
        } else {
            0.0
        }
    }
}

/// The catalogue entry of an action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionInfo {
    pub control_id: String,
    pub title: Option<String>,
    pub category: Option<String>,
    pub implementation_cost: Option<String>,
    pub user_impact: Option<String>,
    pub service: Option<String>,
    pub action_url: Option<String>,
}

/// Counts of tenants per status for one action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StatusCounts {
    pub not_started: u32,
    pub planned: u32,
    pub in_progress: u32,
    pub completed: u32,
    pub risk_accepted: u32,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::NotStarted => self.not_started += 1,
            Status::Planned => self.planned += 1,
            Status::InProgress => self.in_progress += 1,
            Status::Completed => self.completed += 1,
            Status::RiskAccepted => self.risk_accepted += 1,
        }
    }

    pub fn get(&self, status: Status) -> u32 {
        match status {
            Status::NotStarted => self.not_started,
            Status::Planned => self.planned,
            Status::InProgress => self.in_progress,
            Status::Completed => self.completed,
            Status::RiskAccepted => self.risk_accepted,
        }
    }
}

/// One ranked improvement action across the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// The control profile id, the same in every tenant.
    pub id: String,
    pub title: String,
    pub category: String,
    pub implementation_cost: Level,
    pub user_impact: Level,
    /// Cost weight + user-impact weight, 2 (least) to 6.
    pub effort: u8,
    /// Tenants with points available on this action.
    pub affected_tenants: u32,
    pub total_points: f64,
    /// Impact: mean points available over the affected tenants.
    pub mean_points: f64,
    /// Rise of the portfolio average, in percentage points, if done everywhere.
    pub projected_portfolio_rise: f64,
    /// `meanPoints / effort`.
    pub impact_to_effort: f64,
    pub tag: Option<Tag>,
    /// Tenants per status; tenants never touched count as not started.
    pub status_counts: StatusCounts,
    pub service: Option<String>,
    pub action_url: Option<String>,
    /// Frameworks with controls this action supports (the compliance mapping).
    #[serde(default)]
    pub frameworks: Vec<crate::compliance::Framework>,
}

/// One tenant's place in an action, for the drawer and the bulk form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AffectedTenant {
    pub tenant_id: String,
    pub display_name: String,
    pub score: f64,
    pub max_score: f64,
    pub points_available: f64,
    /// Percentage points the tenant's score rises when it is done.
    pub projected_rise: f64,
    pub status: Status,
    pub target_date: Option<NaiveDate>,
    pub justification: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// True when a completed action fell back below full score.
    pub regression: bool,
    /// The last write-back to Microsoft for this tenant, if any.
    pub graph: Option<GraphWriteBack>,
}

/// A write-back of a control's state to Microsoft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GraphWriteBack {
    /// The state for Microsoft: `Ignored`, `ThirdParty` or `Default`.
    pub state: String,
    /// `applied` (read back from Graph), `pending` (sent, not read back
    /// yet), `unchanged` (Microsoft already had it, nothing sent),
    /// `refused` (not changeable through Graph) or `failed`.
    pub result: String,
    pub message: String,
    pub at: Option<DateTime<Utc>>,
}

/// Builds the ranked list from the open gaps of included tenants, with
/// risk-accepted ones already removed. `statuses` contains every stored
/// status per (control, tenant), and `portfolio_size` is the number of
/// tenants in the portfolio average.
pub fn rank(
    actions: &[ActionInfo],
    gaps: &[Gap],
    statuses: &BTreeMap<(String, String), Status>,
    portfolio_size: usize,
) -> Vec<Recommendation> {
    let mut by_control: BTreeMap<&str, Vec<&Gap>> = BTreeMap::new();
    for gap in gaps.iter().filter(|g| g.points() > 0.0) {
        by_control.entry(gap.control_id.as_str()).or_default().push(gap);
    }
    let mut out: Vec<Recommendation> = by_control
        .into_iter()
        .map(|(control_id, members)| {
            let info = actions.iter().find(|a| a.control_id == control_id);
            let cost = Level::parse(info.and_then(|i| i.implementation_cost.as_deref()));
            let impact_level = Level::parse(info.and_then(|i| i.user_impact.as_deref()));
            let effort = cost.weight() + impact_level.weight();
            let total: f64 = members.iter().map(|g| g.points()).sum();
            let mean = total / members.len() as f64;
            let rise: f64 = members.iter().map(|g| g.rise()).sum::<f64>() / portfolio_size.max(1) as f64;
            let mut counts = StatusCounts::default();
            for gap in &members {
                let status = statuses
                    .get(&(control_id.to_owned(), gap.tenant_id.clone()))
                    .copied()
                    .unwrap_or(Status::NotStarted);
                counts.add(status);
            }
            // Risk-accepted tenants have no gap, but they are part of the workflow.
            counts.risk_accepted = statuses
                .iter()
                .filter(|((control, _), status)| control == control_id && **status == Status::RiskAccepted)
                .count() as u32;
            Recommendation {
                id: control_id.to_owned(),
                title: info.and_then(|i| i.title.clone()).unwrap_or_else(|| control_id.to_owned()),
                category: info.and_then(|i| i.category.clone()).unwrap_or_else(|| "Uncategorised".to_owned()),
                implementation_cost: cost,
                user_impact: impact_level,
                effort,
                affected_tenants: members.len() as u32,
                total_points: round2(total),
                mean_points: round2(mean),
                projected_portfolio_rise: round2(rise),
                impact_to_effort: round2(mean / f64::from(effort)),
                tag: tag_for(effort, mean),
                status_counts: counts,
                service: info.and_then(|i| i.service.clone()),
                action_url: info.and_then(|i| i.action_url.clone()),
                frameworks: Vec::new(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.impact_to_effort
            .total_cmp(&a.impact_to_effort)
            .then(b.projected_portfolio_rise.total_cmp(&a.projected_portfolio_rise))
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
    });
    out
}

/// The portfolio average before and after the selected actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Projection {
    pub actions: Vec<String>,
    pub current_average: Option<f64>,
    pub projected_average: Option<f64>,
    pub tenants: Vec<TenantProjection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantProjection {
    pub tenant_id: String,
    pub display_name: String,
    pub current_percentage: f64,
    pub projected_percentage: f64,
    pub points_gained: f64,
}

/// Projects the portfolio if `selected` actions were done in every
/// affected tenant. `tenants` are (id, name, current, max) of the tenants
/// in the portfolio average; `gaps` their open gaps.
pub fn project(selected: &[String], tenants: &[(String, String, f64, f64)], gaps: &[Gap]) -> Projection {
    let mut rows: Vec<TenantProjection> = tenants
        .iter()
        .filter(|(_, _, _, max)| *max > 0.0)
        .map(|(id, name, current, max)| {
            let gained: f64 = gaps
                .iter()
                .filter(|g| g.tenant_id == *id && selected.contains(&g.control_id))
                .map(Gap::points)
                .sum();
            TenantProjection {
                tenant_id: id.clone(),
                display_name: name.clone(),
                current_percentage: current / max * 100.0,
                projected_percentage: ((current + gained) / max * 100.0).min(100.0),
                points_gained: gained,
            }
        })
        .collect();
    let current = crate::score::mean(rows.iter().map(|r| r.current_percentage));
    let projected = crate::score::mean(rows.iter().map(|r| r.projected_percentage));
    for row in &mut rows {
        row.current_percentage = round2(row.current_percentage);
        row.projected_percentage = round2(row.projected_percentage);
        row.points_gained = round2(row.points_gained);
    }
    rows.retain(|r| r.points_gained > 0.0);
    rows.sort_by(|a, b| b.points_gained.total_cmp(&a.points_gained).then_with(|| a.display_name.cmp(&b.display_name)));
    Projection {
        actions: selected.to_vec(),
        current_average: round2_opt(current),
        projected_average: round2_opt(projected),
        tenants: rows,
    }
}

/// `GET recommendations`: one page of ranked actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RecommendationPage {
    pub items: Vec<Recommendation>,
    pub page: u32,
    pub page_size: u32,
    pub total_items: u32,
    pub total_pages: u32,
    /// Tenants in the portfolio average, the base of `projectedPortfolioRise`.
    pub tenants_in_average: u32,
}

/// One status change in an action's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub tenant_id: String,
    pub display_name: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub target_date: Option<NaiveDate>,
    pub justification: Option<String>,
    /// The author of the change: `user:EMAIL`, `token:ID:NAME` or `sync`.
    pub actor: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// `GET recommendations/{id}/status`: an action with every tenant it
/// concerns and its history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActionDetail {
    pub id: String,
    /// Null when no tenant has points left on the action.
    pub recommendation: Option<Recommendation>,
    pub tenants: Vec<AffectedTenant>,
    pub history: Vec<HistoryEntry>,
}

/// The outcome of a status change for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantOutcome {
    pub tenant_id: String,
    pub ok: bool,
    /// The stored status when `ok`.
    pub status: Option<Status>,
    /// `not_found` or `invalid_parameter` when not `ok`.
    pub error_code: Option<String>,
    pub message: Option<String>,
    /// The write-back to Microsoft, when write-back is on and the change maps to a state.
    #[serde(default)]
    pub graph: Option<GraphWriteBack>,
}

/// One tenant's actions for its report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReportActions {
    /// Open actions, most points first.
    pub open: Vec<OpenAction>,
    /// Completions confirmed by the data in the report period.
    pub completed: Vec<CompletedAction>,
    pub risk_accepted: Vec<AcceptedRisk>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OpenAction {
    pub title: String,
    pub category: String,
    pub points: f64,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompletedAction {
    pub title: String,
    pub confirmed_on: NaiveDate,
    pub points_gained: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AcceptedRisk {
    pub title: String,
    pub justification: String,
    pub decided_on: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(tenant: &str, control: &str, score: f64, max: f64, tenant_current: f64, tenant_max: f64) -> Gap {
        Gap {
            tenant_id: tenant.to_owned(),
            display_name: format!("Tenant {tenant}"),
            control_id: control.to_owned(),
            score,
            max,
            tenant_max,
            tenant_current,
        }
    }

    fn action(id: &str, cost: Option<&str>, impact: Option<&str>) -> ActionInfo {
        ActionInfo {
            control_id: id.to_owned(),
            title: Some(format!("Action {id}")),
            category: Some("Identity".to_owned()),
            implementation_cost: cost.map(str::to_owned),
            user_impact: impact.map(str::to_owned),
            service: None,
            action_url: None,
        }
    }

    #[test]
    fn levels_ignore_case_and_default_to_moderate() {
        assert_eq!(Level::parse(Some("LOW")), Level::Low);
        assert_eq!(Level::parse(Some(" high ")), Level::High);
        assert_eq!(Level::parse(Some("Unknown")), Level::Moderate);
        assert_eq!(Level::parse(Some("Enormous")), Level::Moderate);
        assert_eq!(Level::parse(None), Level::Moderate);
    }

    #[test]
    fn tags_follow_the_rules() {
        assert_eq!(tag_for(2, 2.0), Some(Tag::QuickWin));
        assert_eq!(tag_for(3, 1.99), None);
        assert_eq!(tag_for(4, 5.0), Some(Tag::HighImpact));
        assert_eq!(tag_for(3, 9.0), Some(Tag::QuickWin), "Quick Win is checked first");
        assert_eq!(tag_for(5, 3.0), Some(Tag::Strategic));
        assert_eq!(tag_for(4, 3.0), None);
    }

    #[test]
    fn ranking_sums_points_and_projects_the_average() {
        let actions = [action("Mfa", Some("low"), Some("Low")), action("Dlp", Some("High"), Some("High"))];
        let gaps = [
            // Mfa: 10 - 4 = 6 points of 200 in a, 10 - 0 = 10 points of 100 in b.
            gap("a", "Mfa", 4.0, 10.0, 120.0, 200.0),
            gap("b", "Mfa", 0.0, 10.0, 50.0, 100.0),
            // Dlp: 8 points of 100 in b; at full score in a (no gap).
            gap("b", "Dlp", 2.0, 10.0, 50.0, 100.0),
            gap("a", "Dlp", 10.0, 10.0, 120.0, 200.0),
        ];
        let mut statuses = BTreeMap::new();
        statuses.insert(("Mfa".to_owned(), "a".to_owned()), Status::Planned);
        statuses.insert(("Dlp".to_owned(), "c".to_owned()), Status::RiskAccepted);
        let out = rank(&actions, &gaps, &statuses, 4);

        let mfa = &out[0];
        assert_eq!(mfa.id, "Mfa");
        // Effort 1 + 1 = 2; total 16; mean 8; ratio 4.
        assert_eq!((mfa.effort, mfa.affected_tenants, mfa.total_points, mfa.mean_points, mfa.impact_to_effort), (2, 2, 16.0, 8.0, 4.0));
        // Rise: (6/200 x 100 + 10/100 x 100) / 4 tenants = (3 + 10) / 4 = 3.25.
        assert_eq!(mfa.projected_portfolio_rise, 3.25);
        assert_eq!(mfa.tag, Some(Tag::QuickWin));
        assert_eq!((mfa.status_counts.planned, mfa.status_counts.not_started), (1, 1));

        let dlp = &out[1];
        // Effort 6; one tenant with 8 points; ratio 8 / 6 = 1.33; High Impact.
        assert_eq!((dlp.effort, dlp.affected_tenants, dlp.mean_points, dlp.impact_to_effort), (6, 1, 8.0, 1.33));
        assert_eq!(dlp.tag, Some(Tag::HighImpact));
        assert_eq!(dlp.status_counts.risk_accepted, 1);
        // 8 / 100 x 100 / 4 = 2.
        assert_eq!(dlp.projected_portfolio_rise, 2.0);
    }

    #[test]
    fn projection_adds_selected_points() {
        let tenants = [("a".to_owned(), "A".to_owned(), 120.0, 200.0), ("b".to_owned(), "B".to_owned(), 50.0, 100.0)];
        let gaps = [gap("a", "Mfa", 4.0, 10.0, 120.0, 200.0), gap("b", "Mfa", 0.0, 10.0, 50.0, 100.0), gap("b", "Dlp", 2.0, 10.0, 50.0, 100.0)];
        let out = project(&["Mfa".to_owned()], &tenants, &gaps);
        // Now (60 + 50) / 2 = 55; after (126/200 = 63, 60/100 = 60) / 2 = 61.5.
        assert_eq!((out.current_average, out.projected_average), (Some(55.0), Some(61.5)));
        assert_eq!(out.tenants[0].tenant_id, "b");
        assert_eq!((out.tenants[0].points_gained, out.tenants[0].projected_percentage), (10.0, 60.0));
    }

    #[test]
    fn status_requests_are_checked() {
        let ok = |status, date, why| check_status_request(&StatusRequest { status, target_date: date, justification: why, third_party: false });
        assert_eq!(ok("planned", Some("2027-01-31"), None).unwrap().target_date, NaiveDate::from_ymd_opt(2027, 1, 31));
        assert!(ok("done", None, None).unwrap_err().starts_with("status 'done' is invalid"));
        assert!(ok("risk_accepted", None, Some("  ")).unwrap_err().starts_with("justification is missing"));
        assert_eq!(ok("risk_accepted", None, Some("Legacy app needs it")).unwrap().justification.as_deref(), Some("Legacy app needs it"));
        assert!(ok("planned", Some("31/01/2027"), None).unwrap_err().contains("targetDate '31/01/2027'"));
        assert!(ok("completed", Some("2027-01-31"), None).unwrap_err().contains("only kept for planned"));
    }
}
