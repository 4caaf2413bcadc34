//! Report exports: CSV files built from the same DTOs as the pages and the
//! REST API, so a spreadsheet shows the numbers the dashboard shows.

use domain::compliance::{PortfolioCompliance, TenantCompliance};
use domain::csv::{self, Cell};
use domain::recommendations::{RecommendationPage, Status};
use domain::trends::TrendsReport;
use domain::{TenantDetail, TenantRow};

/// Writes the comparison table: one row per tenant, excluded ones flagged.
pub fn comparison_csv(rows: &[TenantRow]) -> String {
    let header = [
        "tenantId",
        "displayName",
        "industry",
        "currentScore",
        "maxScore",
        "percentage",
        "trend7d",
        "trend30d",
        "trend90d",
        "industryRank",
        "lastSnapshotDate",
        "stale",
        "syncStatus",
        "excluded",
    ];
    let body: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                r.tenant_id.clone().into(),
                r.display_name.clone().into(),
                r.industry.clone().into(),
                r.current_score.into(),
                r.max_score.into(),
                r.percentage.into(),
                r.trend7d.into(),
                r.trend30d.into(),
                r.trend90d.into(),
                r.industry_rank_label.clone().into(),
                r.last_snapshot_date.map(|d| d.to_string()).into(),
                bool_cell(r.stale),
                r.sync_status.as_str().into(),
                bool_cell(r.excluded),
            ]
        })
        .collect();
    csv::write(&header, &body)
}

/// Writes a tenant's controls in its latest snapshot.
pub fn controls_csv(detail: &TenantDetail) -> String {
    let header = ["controlName", "title", "category", "score", "maxScore", "implementationStatus", "lastSynced"];
    let body: Vec<Vec<Cell>> = detail
        .latest_snapshot
        .iter()
        .flat_map(|s| s.controls.iter())
        .map(|c| {
            vec![
                c.control_name.clone().into(),
                c.title.clone().into(),
                c.category.clone().into(),
                c.score.into(),
                c.max_score.into(),
                c.implementation_status.clone().into(),
                c.last_synced.map(|t| t.to_rfc3339()).into(),
            ]
        })
        .collect();
    csv::write(&header, &body)
}

/// Writes the portfolio average per day; days without snapshots have empty averages.
pub fn trends_csv(report: &TrendsReport) -> String {
    let header = ["date", "portfolioAverage", "tenants"];
    let body: Vec<Vec<Cell>> = report
        .series
        .iter()
        .map(|p| vec![p.date.to_string().into(), p.average.into(), p.tenants.into()])
        .collect();
    csv::write(&header, &body)
}

/// Writes the ranked improvement actions with their status counts.
pub fn recommendations_csv(page: &RecommendationPage) -> String {
    let mut header = vec![
        "id",
        "title",
        "category",
        "tag",
        "affectedTenants",
        "meanPoints",
        "totalPoints",
        "effort",
        "impactToEffort",
        "projectedPortfolioRise",
    ];
    header.extend(Status::ALL.iter().map(|s| s.as_str()));
    let body: Vec<Vec<Cell>> = page
        .items
        .iter()
        .map(|r| {
            let mut row: Vec<Cell> = vec![
                r.id.clone().into(),
                r.title.clone().into(),
                r.category.clone().into(),
                r.tag.map(|t| t.as_str().to_owned()).into(),
                r.affected_tenants.into(),
                r.mean_points.into(),
                r.total_points.into(),
                u32::from(r.effort).into(),
                r.impact_to_effort.into(),
                r.projected_portfolio_rise.into(),
            ];
            row.extend(Status::ALL.iter().map(|s| Cell::from(r.status_counts.get(*s))));
            row
        })
        .collect();
    csv::write(&header, &body)
}

/// Writes a tenant's framework controls, one row per framework control,
/// with its state and the Secure Score actions behind it
/// (`controlId=state`, separated by "; ").
pub fn compliance_csv(report: &TenantCompliance) -> String {
    let header = ["framework", "frameworkLabel", "control", "state", "actions", "source", "scoresAsOf", "mappingVersion"];
    let body: Vec<Vec<Cell>> = report
        .frameworks
        .iter()
        .flat_map(|f| f.controls.iter().map(move |c| (f, c)))
        .map(|(f, c)| {
            let actions: Vec<String> = c.actions.iter().map(|a| format!("{}={}", a.control_id, a.state.as_str())).collect();
            vec![
                f.framework.as_str().into(),
                f.label.clone().into(),
                c.control.clone().into(),
                c.state.as_str().into(),
                actions.join("; ").into(),
                c.source.clone().into(),
                report.as_of.map(|d| d.to_string()).into(),
                report.mapping_version.clone().into(),
            ]
        })
        .collect();
    csv::write(&header, &body)
}

/// Writes every tenant's coverage, one row per tenant and framework with
/// at least one supported control.
pub fn portfolio_compliance_csv(portfolio: &PortfolioCompliance) -> String {
    let header = ["tenantId", "displayName", "framework", "controls", "satisfied", "partial", "open", "riskAccepted", "scoresAsOf"];
    let body: Vec<Vec<Cell>> = portfolio
        .tenants
        .iter()
        .flat_map(|t| domain::compliance::Framework::ALL.iter().zip(&t.coverage).map(move |(f, c)| (t, f, c)))
        .filter(|(_, _, c)| c.controls > 0)
        .map(|(t, f, c)| {
            vec![
                t.tenant_id.clone().into(),
                t.display_name.clone().into(),
                f.as_str().into(),
                c.controls.into(),
                c.satisfied.into(),
                c.partial.into(),
                c.open.into(),
                c.risk_accepted.into(),
                t.as_of.map(|d| d.to_string()).into(),
            ]
        })
        .collect();
    csv::write(&header, &body)
}

fn bool_cell(value: bool) -> Cell {
    Cell::Text(if value { "true" } else { "false" }.to_owned())
}

/// Builds a file name safe in a `Content-Disposition` header: lower-case letters,
/// digits and hyphens, from `parts` joined by hyphens.
pub fn file_name(parts: &[&str], extension: &str) -> String {
    let mut slug = String::new();
    for part in parts {
        for ch in part.chars() {
            if ch.is_ascii_alphanumeric() {
                slug.push(ch.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    format!("{slug}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_letters_digits_and_hyphens() {
        assert_eq!(file_name(&["secure-score", "Smith & Söhne, Ltd.", "2026-12-04"], "csv"), "secure-score-smith-s-hne-ltd-2026-12-04.csv");
        assert_eq!(file_name(&["portfolio", "2026-12-04"], "pdf"), "portfolio-2026-12-04.pdf");
    }
}

/// The MSP's branding on PDF reports, from the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Brand {
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// A PNG, JPEG or SVG file.
    pub logo_path: Option<std::path::PathBuf>,
}

/// Brand colour when `TRUST_CENTER_BRAND_COLOUR` is unset or invalid.
pub const DEFAULT_BRAND_COLOUR: &str = "#1d5bb8";

impl Brand {
    /// Reads `TRUST_CENTER_BRAND_NAME`, `TRUST_CENTER_BRAND_COLOUR` and
    /// `TRUST_CENTER_BRAND_LOGO`. An invalid colour falls back to the default
    /// with a warning.
    pub fn from_env() -> Self {
        let get = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let colour = match get("TRUST_CENTER_BRAND_COLOUR") {
            Some(c) if c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) => c,
            Some(other) => {
                tracing::warn!(value = %other, "TRUST_CENTER_BRAND_COLOUR '{other}' is not a #rrggbb colour; using {DEFAULT_BRAND_COLOUR}");
                DEFAULT_BRAND_COLOUR.to_owned()
            }
            None => DEFAULT_BRAND_COLOUR.to_owned(),
        };
        Self {
            name: get("TRUST_CENTER_BRAND_NAME").unwrap_or_else(|| "Security Score Dashboard".to_owned()),
            colour,
            logo_path: get("TRUST_CENTER_BRAND_LOGO").map(std::path::PathBuf::from),
        }
    }

    /// Reads the logo file; a missing or unreadable file is logged and left out.
    pub fn logo(&self) -> Option<Vec<u8>> {
        let path = self.logo_path.as_ref()?;
        match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "the brand logo could not be read; the report shows the brand name");
                None
            }
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "name": self.name, "colour": self.colour })
    }
}

/// Data of the tenant PDF report. Figures derived from other tenants
/// (portfolio averages, ranks) stay out: the report goes to the client.
pub async fn tenant_report_data(
    db: &sea_orm::DatabaseConnection,
    id: &domain::TenantId,
    brand: &Brand,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<serde_json::Value, crate::error::ServiceError> {
    use serde_json::json;

    let detail = crate::service::tenant_detail(db, now, id).await?;
    let tenant = crate::store::tenants::find(db, id).await?.ok_or_else(|| crate::error::ServiceError::NotFound(format!("tenant {id} is not registered")))?;
    let actions = crate::recommendations::tenant_actions(db, tenant.id, now - chrono::Duration::days(90)).await?;
    let snapshot = detail.latest_snapshot.as_ref();
    let compliance = crate::compliance::tenant(db, id).await?;
    Ok(json!({
        "brand": brand.json(),
        "generatedOn": now.date_naive().to_string(),
        "tenant": { "name": detail.tenant.display_name, "tenantId": detail.tenant.tenant_id, "industry": detail.tenant.industry },
        "score": {
            "percentage": detail.tenant.percentage,
            "current": snapshot.map(|s| s.current_score),
            "max": snapshot.map(|s| s.max_score),
            "change30": detail.tenant.trend30d,
            "change90": detail.tenant.trend90d,
            "asOf": detail.tenant.last_snapshot_date.map_or_else(|| "no data yet".to_owned(), |d| d.to_string()),
        },
        "history": detail.history.iter().map(|p| json!({ "date": p.date.to_string(), "percentage": p.percentage })).collect::<Vec<_>>(),
        "categories": detail.category_comparison.iter().map(|c| json!({
            "name": c.category, "percentage": c.percentage, "points": c.points, "max": c.max_points,
            "peerAll": c.peer_all_tenants, "peerSimilar": c.peer_similar_seats,
        })).collect::<Vec<_>>(),
        "recommendations": actions.open.iter().take(10).map(|a| json!({
            "title": a.title, "category": a.category, "points": a.points, "status": a.status.label(),
        })).collect::<Vec<_>>(),
        "completed": actions.completed.iter().map(|c| json!({
            "title": c.title, "date": c.confirmed_on.to_string(), "pointsGained": c.points_gained,
        })).collect::<Vec<_>>(),
        "riskAccepted": actions.risk_accepted.iter().map(|r| json!({
            "title": r.title, "justification": r.justification, "date": r.decided_on.to_string(),
        })).collect::<Vec<_>>(),
        "compliance": {
            "disclaimer": compliance.disclaimer,
            "mappingVersion": compliance.mapping_version,
            "frameworks": compliance.frameworks.iter().map(|f| json!({
                "label": f.label, "controls": f.coverage.controls, "satisfied": f.coverage.satisfied,
                "partial": f.coverage.partial, "open": f.coverage.open, "riskAccepted": f.coverage.risk_accepted,
            })).collect::<Vec<_>>(),
        },
    }))
}

/// Data of the portfolio PDF report, for the MSP's internal review.
pub async fn portfolio_report_data(
    ctx: &crate::context::AppContext,
    brand: &Brand,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<serde_json::Value, crate::error::ServiceError> {
    use serde_json::json;

    let db = &ctx.db;
    let mut rows = crate::service::tenant_rows(db, now).await?;
    rows.retain(|r| !r.excluded);
    domain::sort::sort_rows(&mut rows, domain::sort::TenantSort::Percentage, domain::sort::SortOrder::Desc);
    let summary = crate::service::summarise(&rows, crate::service::latest_sync_run(db).await?, ctx.demo);
    let trends = crate::analytics::trends(db, 90).await?;
    let categories = crate::service::categories(db).await?;
    let benchmarks = crate::analytics::benchmarks(db).await?;
    let backlog = crate::recommendations::list(db, &Default::default(), 1, 25).await?;
    Ok(json!({
        "brand": brand.json(),
        "generatedOn": now.date_naive().to_string(),
        "portfolio": {
            "portfolioAverage": summary.portfolio_average,
            "portfolioAverageChange90d": summary.portfolio_average_change_90d,
            "managedTenants": summary.managed_tenants,
            "tenantsWithData": summary.tenants_with_data,
            "staleTenants": summary.stale_tenants,
            "failingTenants": summary.failing_tenants,
            "asOf": summary.as_of.map(|d| d.to_string()),
        },
        "trend": trends.series.iter().map(|p| json!({ "date": p.date.to_string(), "percentage": p.average })).collect::<Vec<_>>(),
        "categories": categories.categories.iter().map(|c| json!({
            "name": c.category, "average": c.portfolio_average, "peerAll": c.peer_all_tenants, "peerSimilar": c.peer_similar_seats,
        })).collect::<Vec<_>>(),
        "benchmarks": benchmarks.groups.iter().map(|g| json!({
            "label": g.label, "tenants": g.tenants_with_data, "average": g.portfolio_average,
            "industry": g.industry_average, "topDecile": g.top_decile_threshold,
        })).collect::<Vec<_>>(),
        "recommendations": backlog.items.iter().map(|r| json!({
            "title": r.title, "tag": r.tag.map_or("", |t| t.label()), "tenants": r.affected_tenants,
            "meanPoints": r.mean_points, "rise": r.projected_portfolio_rise,
        })).collect::<Vec<_>>(),
        "tenants": rows.iter().map(|r| json!({
            "name": r.display_name, "industry": r.industry, "percentage": r.percentage, "trend30d": r.trend30d,
            "status": if r.stale { "Stale".to_owned() } else { r.sync_status.label().to_owned() },
        })).collect::<Vec<_>>(),
    }))
}
