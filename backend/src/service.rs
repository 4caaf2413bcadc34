//! Read queries that return DTOs. REST handlers and server functions call
//! these same functions, so pages, API and exports show the same numbers.
//!
//! Overview figures come from the tenants table alone: sync precomputes each
//! tenant's latest score and 7/30/90-day changes there, so the portfolio and
//! the comparison read one row per tenant and run no query per row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::score::{self, round2, round2_opt};
use domain::text::html_to_text;
use domain::{
    CategoryComparison, CategoryScore, ControlScoreView, DataQualityNote, PeerAverage, PortfolioSummary, SnapshotDetail, SyncRunSummary, SyncStatus, TenantDetail,
    TenantId, TenantRef, TenantRow,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::analytics;
use crate::context::AppContext;
use crate::entity::{control_description, control_profile, control_score, score_snapshot, tenant};
use crate::error::ServiceError;
use crate::graph::wire::AverageComparativeScore;
use crate::store;

/// Builds the portfolio overview at `now`.
pub async fn portfolio(ctx: &AppContext, now: DateTime<Utc>) -> Result<PortfolioSummary, ServiceError> {
    let rows = tenant_rows(&ctx.db, now).await?;
    let last_sync = latest_sync_run(&ctx.db).await?;
    let mut summary = summarise(&rows, last_sync, ctx.demo);
    (summary.open_alerts, summary.critical_alerts) = crate::alerts::query::open_counts(&ctx.db).await?;
    Ok(summary)
}

/// Builds the overview from comparison rows. Excluded tenants count only in
/// `excludedTenants`; tenants without a percentage are in no average.
pub fn summarise(rows: &[TenantRow], last_sync: Option<SyncRunSummary>, demo: bool) -> PortfolioSummary {
    let included: Vec<&TenantRow> = rows.iter().filter(|r| !r.excluded).collect();
    let with_data: Vec<&TenantRow> = included.iter().copied().filter(|r| r.percentage.is_some()).collect();
    let changes: Vec<f64> = with_data.iter().filter_map(|r| r.trend90d).collect();

    let by_percentage = |a: &&TenantRow, b: &&TenantRow| {
        a.percentage
            .partial_cmp(&b.percentage)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| b.display_name.to_lowercase().cmp(&a.display_name.to_lowercase()))
    };
    let as_ref = |r: &TenantRow| TenantRef {
        tenant_id: r.tenant_id.clone(),
        display_name: r.display_name.clone(),
        percentage: round2(r.percentage.unwrap_or_default()),
    };

    PortfolioSummary {
        portfolio_average: round2_opt(score::mean(with_data.iter().filter_map(|r| r.percentage))),
        portfolio_average_change_90d: round2_opt(score::mean(changes.iter().copied())),
        tenants_with_change_90d: changes.len() as u32,
        tenants_improved_90d: changes.iter().filter(|c| **c > 0.0).count() as u32,
        tenants_regressed_90d: changes.iter().filter(|c| **c < 0.0).count() as u32,
        top_tenant: with_data.iter().copied().max_by(by_percentage).map(as_ref),
        lowest_tenant: with_data.iter().copied().min_by(by_percentage).map(as_ref),
        managed_tenants: included.len() as u32,
        excluded_tenants: (rows.len() - included.len()) as u32,
        tenants_with_data: with_data.len() as u32,
        tenants_without_data: (included.len() - with_data.len()) as u32,
        stale_tenants: with_data.iter().filter(|r| r.stale).count() as u32,
        failing_tenants: included.iter().filter(|r| r.sync_status.is_failure()).count() as u32,
        open_alerts: 0,
        critical_alerts: 0,
        distribution: score::distribution(with_data.iter().filter_map(|r| r.percentage)),
        as_of: with_data.iter().filter_map(|r| r.last_snapshot_date).max(),
        last_sync,
        demo,
    }
}

/// Returns every tenant's comparison row (excluded ones too, flagged), unsorted.
pub async fn tenant_rows(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<TenantRow>, ServiceError> {
    let tenants = tenant::Entity::find().all(db).await?;
    let mut rows: Vec<TenantRow> = tenants.into_iter().map(|t| to_row(t, now)).collect();
    analytics::apply_industry_ranks(&mut rows);
    Ok(rows)
}

fn to_row(t: tenant::Model, now: DateTime<Utc>) -> TenantRow {
    let sync_status = SyncStatus::parse(&t.sync_status).unwrap_or(SyncStatus::Failed);
    TenantRow {
        tenant_id: t.tenant_id,
        display_name: t.display_name,
        industry: t.industry,
        excluded: t.excluded,
        current_score: t.percentage.and(t.current_score).map(round2),
        max_score: t.percentage.and(t.max_score).map(round2),
        percentage: round2_opt(t.percentage),
        trend7d: round2_opt(t.trend7d),
        trend30d: round2_opt(t.trend30d),
        trend90d: round2_opt(t.trend90d),
        industry_rank: None,
        industry_rank_label: None,
        industry_position: None,
        industry_peers: None,
        last_snapshot_date: t.latest_snapshot_date,
        stale: t.latest_created_at.is_some_and(|created| score::is_stale(created, now)),
        sync_status,
        sync_message: t.last_error,
        last_synced_at: t.last_sync_at,
    }
}

/// Returns one tenant with its latest snapshot, or `NotFound` for an unknown id.
pub async fn tenant_detail(db: &DatabaseConnection, now: DateTime<Utc>, id: &TenantId) -> Result<TenantDetail, ServiceError> {
    let tenant = store::tenants::find(db, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("tenant {id} is not registered")))?;
    let snapshot = match tenant.latest_snapshot_id {
        Some(snapshot_id) => score_snapshot::Entity::find_by_id(snapshot_id).one(db).await?,
        None => None,
    };
    let (history, max_score_changes) = match &snapshot {
        Some(snapshot) => analytics::tenant_history(db, tenant.id, snapshot.snapshot_date).await?,
        None => (Vec::new(), Vec::new()),
    };
    let comparative: Vec<AverageComparativeScore> = snapshot
        .as_ref()
        .and_then(|s| serde_json::from_value(s.comparative_scores.clone()).ok())
        .unwrap_or_default();
    let latest_snapshot = match snapshot {
        Some(snapshot) => Some(snapshot_detail(db, tenant.id, snapshot).await?),
        None => None,
    };
    let category_comparison = match &latest_snapshot {
        Some(latest) => compare_categories(&latest.categories, &categories(db).await?, &comparative),
        None => Vec::new(),
    };
    let mut row = to_row(tenant, now);
    rank_one(db, &mut row).await?;
    let data_quality = data_quality_notes(&row, latest_snapshot.as_ref());
    Ok(TenantDetail {
        tenant: row,
        latest_snapshot,
        history,
        max_score_changes,
        category_comparison,
        data_quality,
    })
}

/// Fills the industry rank of one row from its industry's included tenants.
async fn rank_one(db: &DatabaseConnection, row: &mut TenantRow) -> Result<(), ServiceError> {
    let Some(industry) = row.industry.clone() else {
        return Ok(());
    };
    let peers: Vec<(String, Option<String>, Option<f64>)> = tenant::Entity::find()
        .select_only()
        .column(tenant::Column::TenantId)
        .column(tenant::Column::Industry)
        .column(tenant::Column::Percentage)
        .filter(tenant::Column::Excluded.eq(false))
        .filter(tenant::Column::Industry.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let key = industry.trim().to_lowercase();
    let keyed: Vec<(String, Option<String>, f64)> = peers
        .into_iter()
        .filter(|(_, i, _)| i.as_deref().is_some_and(|i| i.trim().to_lowercase() == key))
        .filter_map(|(id, i, pct)| Some((id, i, round2(pct?))))
        .collect();
    if let Some(rank) = domain::benchmarks::industry_ranks(&keyed).remove(&row.tenant_id) {
        if !row.excluded {
            analytics::set_rank(row, rank);
        }
    }
    Ok(())
}

/// Pairs the tenant's categories with the portfolio's and Microsoft's averages.
fn compare_categories(
    own: &[CategoryScore],
    portfolio: &domain::categories::CategoriesReport,
    comparative: &[AverageComparativeScore],
) -> Vec<CategoryComparison> {
    let all_tenants = peer_categories(comparative, "AllTenants");
    let similar_seats = peer_categories(comparative, "TotalSeats");
    let peer = |list: &[(domain::Category, f64)], category: &domain::Category| {
        list.iter().find(|(c, _)| c == category).map(|(_, v)| round2(*v))
    };
    let mut names: Vec<String> = portfolio.categories.iter().map(|c| c.category.clone()).collect();
    for category in own {
        if !names.contains(&category.category) && category.max_points > 0.0 {
            names.push(category.category.clone());
        }
    }
    names
        .into_iter()
        .map(|name| {
            let parsed = domain::Category::from_graph(&name);
            let mine = own.iter().find(|c| domain::Category::from_graph(&c.category) == parsed);
            CategoryComparison {
                percentage: mine.and_then(|c| c.percentage),
                points: mine.map_or(0.0, |c| c.points),
                max_points: mine.map_or(0.0, |c| c.max_points),
                portfolio_average: portfolio.categories.iter().find(|c| c.category == name).and_then(|c| c.portfolio_average),
                peer_all_tenants: peer(&all_tenants, &parsed),
                peer_similar_seats: peer(&similar_seats, &parsed),
                category: name,
            }
        })
        .collect()
}

/// Notes that make a tenant's numbers less certain, most important first.
fn data_quality_notes(row: &TenantRow, latest: Option<&SnapshotDetail>) -> Vec<DataQualityNote> {
    let note = |code: &str, message: String| DataQualityNote { code: code.to_owned(), message };
    let mut notes = Vec::new();
    let Some(latest) = latest else {
        return notes;
    };
    if row.stale {
        notes.push(note(
            "stale",
            format!(
                "The newest snapshot is from {} (created {}), more than {} hours ago: check the tenant's sync status.",
                latest.snapshot_date,
                latest.created_date_time.format("%Y-%m-%d %H:%M UTC"),
                score::STALE_AFTER_HOURS
            ),
        ));
    }
    let unmatched: u32 = latest.categories.iter().map(|c| c.unmatched_controls).sum();
    if unmatched > 0 {
        notes.push(note(
            "unmatched_controls",
            format!(
                "{unmatched} scored control(s) have no improvement-action profile and no usable scoreInPercentage: their points count, their maximum is unknown, so category percentages may read high."
            ),
        ));
    }
    if latest.peer_averages.is_empty() {
        notes.push(note(
            "no_benchmark",
            "Microsoft returned no usable peer average for this snapshot (no averageComparativeScores, or -1 values): peer comparisons are left empty.".to_owned(),
        ));
    }
    for warning in &latest.warnings {
        notes.push(note("ingestion_warning", warning.clone()));
    }
    notes
}

async fn snapshot_detail(db: &DatabaseConnection, tenant_pk: i32, snapshot: score_snapshot::Model) -> Result<SnapshotDetail, ServiceError> {
    let controls = control_score::Entity::find()
        .filter(control_score::Column::SnapshotId.eq(snapshot.id))
        .order_by_asc(control_score::Column::ControlCategory)
        .order_by_asc(control_score::Column::ControlName)
        .all(db)
        .await?;
    let titles: HashMap<String, Option<String>> = control_profile::Entity::find()
        .select_only()
        .column(control_profile::Column::ControlId)
        .column(control_profile::Column::Title)
        .filter(control_profile::Column::TenantId.eq(tenant_pk))
        .into_tuple::<(String, Option<String>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let descriptions: HashMap<String, String> = control_description::Entity::find()
        .select_only()
        .column(control_description::Column::ControlName)
        .column(control_description::Column::Description)
        .filter(control_description::Column::TenantId.eq(tenant_pk))
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let categories: Vec<CategoryScore> = serde_json::from_value(snapshot.category_scores.clone()).unwrap_or_default();
    let comparative: Vec<AverageComparativeScore> = serde_json::from_value(snapshot.comparative_scores.clone()).unwrap_or_default();
    let peer_averages = comparative
        .iter()
        .filter_map(|c| {
            Some(PeerAverage {
                basis: c.basis.clone()?,
                average_score: round2(c.usable_average()?),
                seat_size_range_lower: c.seat_size_range_lower_value.and_then(|v| u32::try_from(v).ok()),
                seat_size_range_upper: c.seat_size_range_upper_value.and_then(|v| u32::try_from(v).ok()),
            })
        })
        .collect();

    Ok(SnapshotDetail {
        snapshot_date: snapshot.snapshot_date,
        created_date_time: snapshot.created_date_time,
        current_score: round2(snapshot.current_score),
        max_score: round2(snapshot.max_score),
        percentage: round2_opt(snapshot.percentage),
        active_user_count: snapshot.active_user_count,
        enabled_services: serde_json::from_value(snapshot.enabled_services).unwrap_or_default(),
        categories: categories
            .into_iter()
            .map(|c| CategoryScore {
                points: round2(c.points),
                max_points: round2(c.max_points),
                percentage: round2_opt(c.percentage),
                ..c
            })
            .collect(),
        controls: controls
            .into_iter()
            .map(|c| ControlScoreView {
                title: titles.get(&c.control_name).cloned().flatten(),
                description: descriptions.get(&c.control_name).map(|d| html_to_text(d)).filter(|d| !d.is_empty()),
                control_name: c.control_name,
                category: c.control_category,
                score: round2(c.score),
                max_score: round2_opt(c.max_score),
                max_source: c.max_source,
                score_in_percentage: round2_opt(c.score_in_percentage),
                implementation_status: c.implementation_status.map(|s| html_to_text(&s)).filter(|s| !s.is_empty()),
                last_synced: c.last_synced,
            })
            .collect(),
        peer_averages,
        warnings: serde_json::from_value(snapshot.warnings).unwrap_or_default(),
    })
}

/// Returns the newest sync run, running or finished.
pub async fn latest_sync_run(db: &DatabaseConnection) -> Result<Option<SyncRunSummary>, ServiceError> {
    store::sync_runs::latest(db).await
}

/// Builds the categories view from each included tenant's latest snapshot:
/// one query for the tenants and one for their latest snapshots.
pub async fn categories(db: &DatabaseConnection) -> Result<domain::categories::CategoriesReport, ServiceError> {
    use domain::categories::{summarise as summarise_categories, CategoriesReport, TenantCategories};
    use sea_orm::sea_query::Query;

    let tenants: HashMap<i32, tenant::Model> = tenant::Entity::find()
        .filter(tenant::Column::Excluded.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let latest_ids = Query::select()
        .column(tenant::Column::LatestSnapshotId)
        .from(tenant::Entity)
        .and_where(tenant::Column::Excluded.eq(false))
        .and_where(tenant::Column::LatestSnapshotId.is_not_null())
        .to_owned();
    let snapshots: Vec<(i32, chrono::NaiveDate, serde_json::Value, serde_json::Value)> = score_snapshot::Entity::find()
        .select_only()
        .column(score_snapshot::Column::TenantId)
        .column(score_snapshot::Column::SnapshotDate)
        .column(score_snapshot::Column::CategoryScores)
        .column(score_snapshot::Column::ComparativeScores)
        .filter(score_snapshot::Column::Id.in_subquery(latest_ids))
        .into_tuple()
        .all(db)
        .await?;

    let as_of = snapshots.iter().map(|s| s.1).max();
    let inputs: Vec<TenantCategories> = snapshots
        .into_iter()
        .filter_map(|(tenant_pk, _, categories, comparative)| {
            let tenant = tenants.get(&tenant_pk)?;
            let comparative: Vec<AverageComparativeScore> = serde_json::from_value(comparative).unwrap_or_default();
            Some(TenantCategories {
                tenant_id: tenant.tenant_id.clone(),
                display_name: tenant.display_name.clone(),
                categories: serde_json::from_value(categories).unwrap_or_default(),
                all_tenants: peer_categories(&comparative, "AllTenants"),
                similar_seats: peer_categories(&comparative, "TotalSeats"),
            })
        })
        .collect();
    Ok(CategoriesReport {
        tenants_included: inputs.len() as u32,
        categories: summarise_categories(&inputs),
        as_of,
    })
}

/// Microsoft's per-category averages of one basis as percentages (score over
/// maximum); categories whose maximum is missing or 0 are left out.
fn peer_categories(comparative: &[AverageComparativeScore], basis: &str) -> Vec<(domain::Category, f64)> {
    let Some(entry) = comparative.iter().find(|c| c.basis.as_deref().is_some_and(|b| b.eq_ignore_ascii_case(basis))) else {
        return Vec::new();
    };
    [
        (domain::Category::Identity, entry.identity_score, entry.identity_score_max),
        (domain::Category::Data, entry.data_score, entry.data_score_max),
        (domain::Category::Device, entry.device_score, entry.device_score_max),
        (domain::Category::Apps, entry.apps_score, entry.apps_score_max),
        (domain::Category::Infrastructure, entry.infrastructure_score, entry.infrastructure_score_max),
    ]
    .into_iter()
    .filter_map(|(category, points, max)| {
        let (points, max) = (points?, max?);
        // A negative value is Graph's "no benchmark" marker.
        (points >= 0.0).then(|| score::percentage(points, max)).flatten().map(|pct| (category, pct))
    })
    .collect()
}
