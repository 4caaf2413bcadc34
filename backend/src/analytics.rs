//! Trends, benchmarks, industry ranks and a tenant's history. Every query
//! here reads the precomputed tenant rows or an indexed range of snapshots;
//! none reads a tenant's whole history to produce one number.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::benchmarks::{self, BenchmarkInput, BenchmarksReport, IndustryReference};
use domain::score::{round2, round2_opt, DailyScore};
use domain::trends::{self, DayAverage, TenantEnds, TrendsReport, MAX_TREND_DAYS};
use domain::{HistoryPoint, MaxScoreChange, TenantRow};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, TryIntoModel, DatabaseBackend, DatabaseConnection, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set, Statement,
};

use crate::auth::audit::{self, NewAuditEvent};
use crate::entity::{industry_reference, score_snapshot, tenant};
use crate::error::ServiceError;
use crate::graph::wire::AverageComparativeScore;

/// Days of history on the tenant page.
pub const HISTORY_DAYS: i64 = 90;

/// Maximum length of an industry name and of a reference source, in characters.
pub const MAX_INDUSTRY_CHARS: usize = 100;
pub const MAX_SOURCE_CHARS: usize = 500;

/// Builds `GET trends` for the last `days` days (1 to 365).
pub async fn trends(db: &DatabaseConnection, days: u32) -> Result<TrendsReport, ServiceError> {
    if !(1..=MAX_TREND_DAYS).contains(&days) {
        return Err(ServiceError::BadRequest(format!(
            "days '{days}' is invalid: use a whole number from 1 to {MAX_TREND_DAYS}"
        )));
    }
    let tenants = included_with_data(db).await?;
    let to = tenants.iter().filter_map(|t| t.latest_snapshot_date).max();
    let daily = match to {
        Some(to) => daily_averages(db, to - Duration::days(i64::from(days)), to).await?,
        None => Vec::new(),
    };
    let bases = base_snapshots(db, days).await?;
    let ends: Vec<TenantEnds> = tenants
        .iter()
        .filter_map(|t| {
            Some(TenantEnds {
                tenant_id: t.tenant_id.clone(),
                display_name: t.display_name.clone(),
                latest: DailyScore { date: t.latest_snapshot_date?, current: t.current_score?, max: t.max_score? },
                base: bases.get(&t.id).copied(),
            })
        })
        .collect();
    Ok(trends::summarise(days, to, &daily, &ends))
}

/// Included tenants whose latest snapshot has a percentage.
async fn included_with_data(db: &DatabaseConnection) -> Result<Vec<tenant::Model>, ServiceError> {
    Ok(tenant::Entity::find()
        .filter(tenant::Column::Excluded.eq(false))
        .filter(tenant::Column::Percentage.is_not_null())
        .all(db)
        .await?)
}

/// Mean percentage and count per day over included tenants, aggregated by
/// the database from the (date, tenant, percentage) index.
async fn daily_averages(db: &DatabaseConnection, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayAverage>, ServiceError> {
    let rows: Vec<(NaiveDate, Option<f64>, i64)> = score_snapshot::Entity::find()
        .select_only()
        .column(score_snapshot::Column::SnapshotDate)
        .column_as(Expr::col((score_snapshot::Entity, score_snapshot::Column::Percentage)).avg(), "average")
        .column_as(Expr::col((score_snapshot::Entity, score_snapshot::Column::Id)).count(), "tenants")
        .join(JoinType::InnerJoin, score_snapshot::Relation::Tenant.def())
        .filter(tenant::Column::Excluded.eq(false))
        .filter(score_snapshot::Column::Percentage.is_not_null())
        .filter(score_snapshot::Column::SnapshotDate.between(from, to))
        .group_by(score_snapshot::Column::SnapshotDate)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(date, average, tenants)| {
            Some(DayAverage { date, average: average?, tenants: u32::try_from(tenants).unwrap_or(u32::MAX) })
        })
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct BaseRow {
    tenant_id: i32,
    snapshot_date: NaiveDate,
    current_score: f64,
    max_score: f64,
}

/// For each included tenant, its latest snapshot dated at least `days`
/// before its own latest one. One statement; each tenant costs one seek on
/// the (tenant, date) index.
async fn base_snapshots(db: &DatabaseConnection, days: u32) -> Result<HashMap<i32, DailyScore>, ServiceError> {
    let backend = db.get_database_backend();
    // `days` is a validated integer, not user text, so it is written into the SQL.
    let cutoff = match backend {
        DatabaseBackend::Postgres => format!("t.latest_snapshot_date - {days}"),
        _ => format!("date(t.latest_snapshot_date, '-{days} days')"),
    };
    let sql = format!(
        "SELECT s.tenant_id, s.snapshot_date, s.current_score, s.max_score \
         FROM tenants t JOIN score_snapshots s ON s.id = ( \
             SELECT s2.id FROM score_snapshots s2 \
             WHERE s2.tenant_id = t.id AND s2.snapshot_date <= {cutoff} \
             ORDER BY s2.snapshot_date DESC LIMIT 1) \
         WHERE t.excluded = FALSE AND t.percentage IS NOT NULL"
    );
    let rows = BaseRow::find_by_statement(Statement::from_string(backend, sql)).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.tenant_id, DailyScore { date: r.snapshot_date, current: r.current_score, max: r.max_score }))
        .collect())
}

/// Returns a tenant's daily scores for the [`HISTORY_DAYS`] days up to `latest`,
/// with null points on days without a snapshot, and the days on which the
/// maximum score changed.
pub async fn tenant_history(
    db: &DatabaseConnection,
    tenant_pk: i32,
    latest: NaiveDate,
) -> Result<(Vec<HistoryPoint>, Vec<MaxScoreChange>), ServiceError> {
    let from = latest - Duration::days(HISTORY_DAYS);
    let rows: Vec<(NaiveDate, f64, f64, Option<f64>)> = score_snapshot::Entity::find()
        .select_only()
        .column(score_snapshot::Column::SnapshotDate)
        .column(score_snapshot::Column::CurrentScore)
        .column(score_snapshot::Column::MaxScore)
        .column(score_snapshot::Column::Percentage)
        .filter(score_snapshot::Column::TenantId.eq(tenant_pk))
        .filter(score_snapshot::Column::SnapshotDate.between(from, latest))
        .order_by_asc(score_snapshot::Column::SnapshotDate)
        .into_tuple()
        .all(db)
        .await?;
    Ok(history_points(from, latest, &rows))
}

fn history_points(
    from: NaiveDate,
    to: NaiveDate,
    rows: &[(NaiveDate, f64, f64, Option<f64>)],
) -> (Vec<HistoryPoint>, Vec<MaxScoreChange>) {
    let by_date: HashMap<NaiveDate, &(NaiveDate, f64, f64, Option<f64>)> = rows.iter().map(|r| (r.0, r)).collect();
    let mut points = Vec::new();
    let mut date = from;
    while date <= to {
        let row = by_date.get(&date);
        points.push(HistoryPoint {
            date,
            current_score: row.map(|r| round2(r.1)),
            max_score: row.map(|r| round2(r.2)),
            percentage: row.and_then(|r| round2_opt(r.3)),
        });
        date += Duration::days(1);
    }
    let changes = rows
        .windows(2)
        .filter(|pair| round2(pair[0].2) != round2(pair[1].2))
        .map(|pair| MaxScoreChange { date: pair[1].0, from_max: round2(pair[0].2), to_max: round2(pair[1].2) })
        .collect();
    (points, changes)
}

/// Builds `GET benchmarks` from each included tenant's latest snapshot and
/// the stored reference values.
pub async fn benchmarks(db: &DatabaseConnection) -> Result<BenchmarksReport, ServiceError> {
    let tenants: HashMap<i32, tenant::Model> = included_with_data(db).await?.into_iter().map(|t| (t.id, t)).collect();
    let latest_ids = Query::select()
        .column(tenant::Column::LatestSnapshotId)
        .from(tenant::Entity)
        .and_where(tenant::Column::Excluded.eq(false))
        .and_where(tenant::Column::Percentage.is_not_null())
        .to_owned();
    let snapshots: Vec<(i32, serde_json::Value)> = score_snapshot::Entity::find()
        .select_only()
        .column(score_snapshot::Column::TenantId)
        .column(score_snapshot::Column::ComparativeScores)
        .filter(score_snapshot::Column::Id.in_subquery(latest_ids))
        .into_tuple()
        .all(db)
        .await?;
    let inputs: Vec<BenchmarkInput> = snapshots
        .into_iter()
        .filter_map(|(tenant_pk, comparative)| {
            let tenant = tenants.get(&tenant_pk)?;
            let comparative: Vec<AverageComparativeScore> = serde_json::from_value(comparative).unwrap_or_default();
            Some(BenchmarkInput {
                industry: tenant.industry.clone(),
                percentage: tenant.percentage?,
                industry_types: basis_average(&comparative, "IndustryTypes"),
                all_tenants: basis_average(&comparative, "AllTenants"),
                similar_seats: basis_average(&comparative, "TotalSeats"),
            })
        })
        .collect();
    let references = references(db).await?;
    Ok(BenchmarksReport {
        groups: benchmarks::summarise(&inputs, &references),
        references,
        tenants_included: inputs.len() as u32,
        as_of: tenants.values().filter_map(|t| t.latest_snapshot_date).max(),
    })
}

/// Microsoft's average for `basis` as a percentage, or `None` when Graph
/// sent none or sent its "no benchmark" marker.
pub fn basis_average(comparative: &[AverageComparativeScore], basis: &str) -> Option<f64> {
    comparative
        .iter()
        .find(|c| c.basis.as_deref().is_some_and(|b| b.eq_ignore_ascii_case(basis)))
        .and_then(AverageComparativeScore::usable_average)
}

/// Returns every stored reference value, by industry name.
pub async fn references(db: &DatabaseConnection) -> Result<Vec<IndustryReference>, ServiceError> {
    Ok(industry_reference::Entity::find()
        .order_by_asc(industry_reference::Column::IndustryKey)
        .all(db)
        .await?
        .into_iter()
        .map(|r| IndustryReference {
            industry: r.industry,
            average_score: r.average_score,
            top_decile_score: r.top_decile_score,
            source: r.source,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        })
        .collect())
}

/// A reference value to store, as an admin entered it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceInput {
    pub industry: String,
    pub average_score: f64,
    pub top_decile_score: Option<f64>,
    pub source: String,
}

/// The author of a change, for the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub actor: String,
    pub source_ip: Option<String>,
}

/// Checks a reference value; the error names the value and the fix.
pub fn validate_reference(input: &ReferenceInput) -> Result<(), ServiceError> {
    let industry = input.industry.trim();
    if industry.is_empty() || industry.chars().count() > MAX_INDUSTRY_CHARS {
        return Err(ServiceError::BadRequest(format!(
            "industry '{industry}' is invalid: use the industry name set on the tenants, 1 to {MAX_INDUSTRY_CHARS} characters"
        )));
    }
    let percent = |name: &str, value: f64| {
        if value.is_finite() && (0.0..=100.0).contains(&value) {
            Ok(())
        } else {
            Err(ServiceError::BadRequest(format!("{name} '{value}' is invalid: use a percentage from 0 to 100")))
        }
    };
    percent("averageScore", input.average_score)?;
    if let Some(top) = input.top_decile_score {
        percent("topDecileScore", top)?;
        if top < input.average_score {
            return Err(ServiceError::BadRequest(format!(
                "topDecileScore '{top}' is below averageScore '{}': the top 10 % threshold cannot be lower than the average",
                input.average_score
            )));
        }
    }
    let source = input.source.trim();
    if source.is_empty() || source.chars().count() > MAX_SOURCE_CHARS {
        return Err(ServiceError::BadRequest(format!(
            "source is invalid: name where the values come from (publisher, title, year) in 1 to {MAX_SOURCE_CHARS} characters"
        )));
    }
    Ok(())
}

/// Stores or replaces the reference value of an industry and audits it.
pub async fn set_reference(
    db: &DatabaseConnection,
    input: ReferenceInput,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<IndustryReference, ServiceError> {
    validate_reference(&input)?;
    let industry = input.industry.trim().to_owned();
    let key = industry.to_lowercase();
    let source = input.source.trim().to_owned();
    let existing = industry_reference::Entity::find()
        .filter(industry_reference::Column::IndustryKey.eq(key.clone()))
        .one(db)
        .await?;
    let mut model: industry_reference::ActiveModel = match existing {
        Some(found) => found.into(),
        None => industry_reference::ActiveModel { industry_key: Set(key), ..Default::default() },
    };
    model.industry = Set(industry.clone());
    model.average_score = Set(input.average_score);
    model.top_decile_score = Set(input.top_decile_score);
    model.source = Set(source.clone());
    model.updated_at = Set(now);
    model.updated_by = Set(Some(by.actor.clone()));
    let saved = model.save(db).await?;
    audit::record(
        db,
        NewAuditEvent {
            actor: by.actor.clone(),
            action: "benchmark_reference.set",
            target: Some(industry.clone()),
            detail: Some(format!(
                "average {}, top 10 % {}, source: {source}",
                input.average_score,
                input.top_decile_score.map_or_else(|| "none".to_owned(), |v| v.to_string())
            )),
            source_ip: by.source_ip.clone(),
        },
        now,
    )
    .await?;
    let saved = saved.try_into_model()?;
    Ok(IndustryReference {
        industry: saved.industry,
        average_score: saved.average_score,
        top_decile_score: saved.top_decile_score,
        source: saved.source,
        updated_at: saved.updated_at,
        updated_by: saved.updated_by,
    })
}

/// Removes the reference value of an industry; `NotFound` when none is set.
pub async fn delete_reference(db: &DatabaseConnection, industry: &str, by: &Actor, now: DateTime<Utc>) -> Result<(), ServiceError> {
    let key = industry.trim().to_lowercase();
    let deleted = industry_reference::Entity::delete_many()
        .filter(industry_reference::Column::IndustryKey.eq(key))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ServiceError::NotFound(format!(
            "no reference value is set for industry '{}'; GET benchmarks lists the stored ones",
            industry.trim()
        )));
    }
    audit::record(
        db,
        NewAuditEvent {
            actor: by.actor.clone(),
            action: "benchmark_reference.delete",
            target: Some(industry.trim().to_owned()),
            detail: None,
            source_ip: by.source_ip.clone(),
        },
        now,
    )
    .await
}

/// Fills the industry rank fields of `rows` (included tenants with data only).
pub fn apply_industry_ranks(rows: &mut [TenantRow]) {
    let keyed: Vec<(usize, Option<String>, f64)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.excluded)
        .filter_map(|(i, r)| Some((i, r.industry.clone(), r.percentage?)))
        .collect();
    for (index, rank) in benchmarks::industry_ranks(&keyed) {
        set_rank(&mut rows[index], rank);
    }
}

/// Copies an industry rank onto a comparison row.
pub fn set_rank(row: &mut TenantRow, rank: benchmarks::IndustryRank) {
    row.industry_rank = Some(rank.percentile);
    row.industry_rank_label = Some(rank.label);
    row.industry_position = Some(rank.position);
    row.industry_peers = Some(rank.peers);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    #[test]
    fn history_has_gaps_and_marks_maximum_changes() {
        let rows = [
            (date("2026-03-01"), 100.0, 200.0, Some(50.0)),
            // 2026-03-02 missing.
            (date("2026-03-03"), 100.0, 250.0, Some(40.0)),
            (date("2026-03-04"), 110.0, 250.0, Some(44.0)),
        ];
        let (points, changes) = history_points(date("2026-03-01"), date("2026-03-04"), &rows);
        let percentages: Vec<Option<f64>> = points.iter().map(|p| p.percentage).collect();
        assert_eq!(percentages, [Some(50.0), None, Some(40.0), Some(44.0)]);
        assert_eq!(changes, [MaxScoreChange { date: date("2026-03-03"), from_max: 200.0, to_max: 250.0 }]);
    }

    #[test]
    fn reference_values_are_checked() {
        let ok = ReferenceInput { industry: "Legal".into(), average_score: 48.1, top_decile_score: Some(70.0), source: "Survey".into() };
        assert!(validate_reference(&ok).is_ok());
        let message = |input: ReferenceInput| validate_reference(&input).unwrap_err().to_string();
        assert!(message(ReferenceInput { average_score: 109.0, ..ok.clone() }).contains("averageScore '109'"));
        assert!(message(ReferenceInput { top_decile_score: Some(40.0), ..ok.clone() }).contains("below averageScore"));
        assert!(message(ReferenceInput { source: " ".into(), ..ok.clone() }).starts_with("source is invalid"));
        assert!(message(ReferenceInput { industry: String::new(), ..ok }).starts_with("industry '' is invalid"));
    }
}
