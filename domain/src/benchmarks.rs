//! Industry benchmarks and industry ranks. Every figure carries its source:
//! Microsoft's `IndustryTypes` average when Graph returns one, otherwise a
//! reference value an admin entered with its source, otherwise none. Nothing
//! is estimated or invented.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::score::{self, round2, round2_opt};

/// Tenants with data an industry needs before its own 90th percentile is
/// used as the top-10 % threshold.
pub const TOP_DECILE_MIN_TENANTS: usize = 10;

/// Tenants with data an industry needs before ranks are shown.
pub const RANK_MIN_TENANTS: usize = 5;

/// Label of the group of tenants whose industry is not set.
pub const NO_INDUSTRY: &str = "Industry not set";

/// The origin of a benchmark figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FigureSource {
    /// Mean of Microsoft's `IndustryTypes` averages in the tenants' latest snapshots.
    MicrosoftIndustryTypes,
    /// A value an admin entered, with its source text.
    Reference,
    /// The 90th percentile of the portfolio's own tenants in the group.
    PortfolioPercentile,
    /// No figure is available.
    None,
}

/// A reference value for an industry, entered by an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IndustryReference {
    pub industry: String,
    /// Average Secure Score percentage (0-100) of the industry.
    pub average_score: f64,
    /// Percentage (0-100) that the top 10 % of the industry reach, if the source gives one.
    pub top_decile_score: Option<f64>,
    /// The origin of the values, e.g. a report's title, publisher and year.
    pub source: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
}

/// One industry group of the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IndustryBenchmark {
    /// The industry as the MSP set it; null for tenants without one.
    pub industry: Option<String>,
    /// The group's name for display ("Industry not set" for null).
    pub label: String,
    /// Included tenants of the group with a latest snapshot.
    pub tenants_with_data: u32,
    /// Unweighted mean of the group's tenant percentages.
    pub portfolio_average: Option<f64>,
    /// Population variance of the group's tenant percentages, in squared points.
    pub variance: Option<f64>,
    /// Square root of the variance, in percentage points.
    pub standard_deviation: Option<f64>,
    pub industry_average: Option<f64>,
    pub industry_average_source: FigureSource,
    /// The origin of the industry average, in words.
    pub industry_average_note: String,
    /// Mean of Microsoft's `AllTenants` averages over the group's tenants.
    pub all_tenants_average: Option<f64>,
    /// Mean of Microsoft's `TotalSeats` (similar seat count) averages.
    pub similar_size_average: Option<f64>,
    /// Percentage a tenant needs to be in the top 10 % of the group.
    pub top_decile_threshold: Option<f64>,
    pub top_decile_source: FigureSource,
    pub top_decile_note: String,
}

/// `GET benchmarks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BenchmarksReport {
    /// Groups with the most tenants first; "Industry not set" last.
    pub groups: Vec<IndustryBenchmark>,
    /// Every stored reference value, used or not.
    pub references: Vec<IndustryReference>,
    pub tenants_included: u32,
    pub as_of: Option<NaiveDate>,
}

/// An included tenant's latest snapshot, reduced to what benchmarks need.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkInput {
    pub industry: Option<String>,
    pub percentage: f64,
    /// Microsoft's `IndustryTypes` average as a percentage, when usable.
    pub industry_types: Option<f64>,
    pub all_tenants: Option<f64>,
    pub similar_seats: Option<f64>,
}

/// The value below which `p` (0-1) of `values` fall, interpolating linearly
/// between ranks (the spreadsheet function PERCENTILE.INC).
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * p;
    let low = h.floor() as usize;
    let high = h.ceil() as usize;
    Some(sorted[low] + (h - low as f64) * (sorted[high] - sorted[low]))
}

/// Population variance: the mean squared distance from the mean.
pub fn variance(values: &[f64]) -> Option<f64> {
    let mean = score::mean(values.iter().copied())?;
    score::mean(values.iter().map(|v| (v - mean).powi(2)))
}

/// Groups tenants by industry (case-insensitive; the spelling that sorts
/// first names the group)
/// and builds one benchmark row per group.
pub fn summarise(tenants: &[BenchmarkInput], references: &[IndustryReference]) -> Vec<IndustryBenchmark> {
    let mut groups: BTreeMap<Option<String>, (String, Vec<&BenchmarkInput>)> = BTreeMap::new();
    for tenant in tenants {
        let key = tenant.industry.as_deref().map(|i| i.trim().to_lowercase()).filter(|i| !i.is_empty());
        let label = match &key {
            Some(_) => tenant.industry.as_deref().unwrap_or_default().trim().to_owned(),
            None => NO_INDUSTRY.to_owned(),
        };
        let entry = groups.entry(key).or_insert_with(|| (label.clone(), Vec::new()));
        // The same label whatever order the tenants come in.
        if label < entry.0 {
            entry.0 = label;
        }
        entry.1.push(tenant);
    }
    let mut rows: Vec<IndustryBenchmark> = groups
        .into_iter()
        .map(|(key, (label, members))| {
            let reference = key
                .as_ref()
                .and_then(|k| references.iter().find(|r| r.industry.trim().to_lowercase() == *k));
            group_row(key.map(|_| label.clone()), label, &members, reference)
        })
        .collect();
    rows.sort_by(|a, b| {
        a.industry
            .is_none()
            .cmp(&b.industry.is_none())
            .then(b.tenants_with_data.cmp(&a.tenants_with_data))
            .then_with(|| a.label.to_lowercase().cmp(&b.label.to_lowercase()))
    });
    rows
}

fn group_row(
    industry: Option<String>,
    label: String,
    members: &[&BenchmarkInput],
    reference: Option<&IndustryReference>,
) -> IndustryBenchmark {
    let percentages: Vec<f64> = members.iter().map(|m| m.percentage).collect();
    let variance = variance(&percentages);
    let microsoft: Vec<f64> = members.iter().filter_map(|m| m.industry_types).collect();

    let (industry_average, industry_average_source, industry_average_note) = if let Some(average) = score::mean(microsoft.iter().copied()) {
        (
            Some(round2(average)),
            FigureSource::MicrosoftIndustryTypes,
            format!(
                "Microsoft Secure Score industry average (Graph IndustryTypes), mean over {} of {} tenants' latest snapshots",
                microsoft.len(),
                members.len()
            ),
        )
    } else if let Some(reference) = reference {
        (Some(round2(reference.average_score)), FigureSource::Reference, format!("Reference value: {}", reference.source))
    } else {
        (
            None,
            FigureSource::None,
            "No industry reference: Graph returned no IndustryTypes average and no reference value is set. Microsoft's all-tenants and similar-size averages are shown instead.".to_owned(),
        )
    };

    let (top_decile_threshold, top_decile_source, top_decile_note) = if members.len() >= TOP_DECILE_MIN_TENANTS {
        (
            percentile(&percentages, 0.9).map(round2),
            FigureSource::PortfolioPercentile,
            format!("90th percentile of the portfolio's {} tenants in this group", members.len()),
        )
    } else if let Some((value, reference)) = reference.and_then(|r| r.top_decile_score.map(|v| (v, r))) {
        (Some(round2(value)), FigureSource::Reference, format!("Reference value: {}", reference.source))
    } else {
        (
            None,
            FigureSource::None,
            format!(
                "Needs {TOP_DECILE_MIN_TENANTS} tenants with data in the group ({} now) or a reference value",
                members.len()
            ),
        )
    };

    IndustryBenchmark {
        industry,
        label,
        tenants_with_data: members.len() as u32,
        portfolio_average: round2_opt(score::mean(percentages.iter().copied())),
        variance: round2_opt(variance),
        standard_deviation: round2_opt(variance.map(f64::sqrt)),
        industry_average,
        industry_average_source,
        industry_average_note,
        all_tenants_average: round2_opt(score::mean(members.iter().filter_map(|m| m.all_tenants))),
        similar_size_average: round2_opt(score::mean(members.iter().filter_map(|m| m.similar_seats))),
        top_decile_threshold,
        top_decile_source,
        top_decile_note,
    }
}

/// A tenant's place among the portfolio's tenants of its industry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IndustryRank {
    /// 1 for the highest percentage; equal percentages share the better position.
    pub position: u32,
    /// Tenants of the industry with data.
    pub peers: u32,
    /// position / peers x 100: the tenant is in the top `percentile` % (lower is better).
    pub percentile: f64,
    /// "Top N%" in the better half, "Bottom N%" in the other.
    pub label: String,
}

/// The rank method in words, for tooltips and the API description.
pub const RANK_METHOD: &str = "Position among the portfolio's tenants of the same industry that have data (highest score first, equal scores share a position), divided by their number. Top N% = position / tenants, rounded up; Bottom N% = (tenants - position + 1) / tenants, rounded up. Shown when the industry has at least 5 tenants with data.";

/// Ranks tenants within their industries. `tenants` contains (key, industry,
/// percentage) for included tenants with data. Tenants without an industry,
/// or of an industry with fewer than five such tenants, get no rank.
pub fn industry_ranks<K: Clone + Ord>(tenants: &[(K, Option<String>, f64)]) -> BTreeMap<K, IndustryRank> {
    let mut by_industry: BTreeMap<String, Vec<(&K, f64)>> = BTreeMap::new();
    for (key, industry, percentage) in tenants {
        if let Some(industry) = industry.as_deref().map(|i| i.trim().to_lowercase()).filter(|i| !i.is_empty()) {
            by_industry.entry(industry).or_default().push((key, round2(*percentage)));
        }
    }
    let mut out = BTreeMap::new();
    for members in by_industry.values() {
        if members.len() < RANK_MIN_TENANTS {
            continue;
        }
        let peers = members.len() as u32;
        for (key, percentage) in members {
            let position = 1 + members.iter().filter(|(_, other)| other > percentage).count() as u32;
            out.insert((*key).clone(), rank(position, peers));
        }
    }
    out
}

fn rank(position: u32, peers: u32) -> IndustryRank {
    let share = |n: u32| (f64::from(n) * 100.0 / f64::from(peers)).ceil();
    let label = if position * 2 <= peers {
        format!("Top {}%", share(position))
    } else {
        format!("Bottom {}%", share(peers - position + 1))
    };
    IndustryRank {
        position,
        peers,
        percentile: round2(f64::from(position) * 100.0 / f64::from(peers)),
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(industry: Option<&str>, percentage: f64) -> BenchmarkInput {
        BenchmarkInput {
            industry: industry.map(str::to_owned),
            percentage,
            industry_types: None,
            all_tenants: None,
            similar_seats: None,
        }
    }

    fn reference(industry: &str, average: f64, top: Option<f64>) -> IndustryReference {
        IndustryReference {
            industry: industry.to_owned(),
            average_score: average,
            top_decile_score: top,
            source: "Example survey 2026".to_owned(),
            updated_at: "2026-12-01T00:00:00Z".parse().unwrap(),
            updated_by: None,
        }
    }

    #[test]
    fn percentile_interpolates_between_ranks() {
        let values: Vec<f64> = (1..=10).map(|i| f64::from(i) * 10.0).collect();
        // h = 9 x 0.9 = 8.1: 90 + 0.1 x (100 - 90) = 91.
        assert_eq!(percentile(&values, 0.9), Some(91.0));
        assert_eq!(percentile(&[42.0], 0.9), Some(42.0));
        assert_eq!(percentile(&[], 0.9), None);
    }

    #[test]
    fn variance_is_the_population_variance() {
        // Mean 50; squared distances 100 and 100.
        assert_eq!(variance(&[40.0, 60.0]), Some(100.0));
        // Mean 5; squared distances 9, 1, 1, 1, 0, 0, 4, 16 sum to 32; 32 / 8 = 4.
        assert_eq!(variance(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]), Some(4.0));
        assert_eq!(variance(&[]), None);
    }

    #[test]
    fn microsoft_average_wins_over_reference() {
        let mut a = input(Some("Healthcare"), 40.0);
        a.industry_types = Some(48.1);
        let b = input(Some("healthcare"), 60.0);
        let rows = summarise(&[a, b], &[reference("Healthcare", 55.0, Some(80.0))]);
        assert_eq!(rows.len(), 1, "industries group case-insensitively");
        let row = &rows[0];
        assert_eq!(row.label, "Healthcare");
        assert_eq!((row.industry_average, row.industry_average_source), (Some(48.1), FigureSource::MicrosoftIndustryTypes));
        assert!(row.industry_average_note.contains("1 of 2"), "{}", row.industry_average_note);
        // Two tenants are fewer than ten: the reference's top-decile value is used.
        assert_eq!((row.top_decile_threshold, row.top_decile_source), (Some(80.0), FigureSource::Reference));
        assert_eq!((row.portfolio_average, row.variance, row.standard_deviation), (Some(50.0), Some(100.0), Some(10.0)));
    }

    #[test]
    fn reference_fills_missing_industry_average() {
        let rows = summarise(&[input(Some("Legal"), 70.0)], &[reference("legal", 61.5, None)]);
        let row = &rows[0];
        assert_eq!((row.industry_average, row.industry_average_source), (Some(61.5), FigureSource::Reference));
        assert_eq!(row.industry_average_note, "Reference value: Example survey 2026");
        assert_eq!((row.top_decile_threshold, row.top_decile_source), (None, FigureSource::None));
    }

    #[test]
    fn missing_reference_shows_microsoft_peers() {
        let mut a = input(Some("Retail"), 30.0);
        a.all_tenants = Some(52.0);
        a.similar_seats = Some(48.0);
        let mut b = input(Some("Retail"), 50.0);
        b.all_tenants = Some(54.0);
        let rows = summarise(&[a, b], &[]);
        let row = &rows[0];
        assert_eq!((row.industry_average, row.industry_average_source), (None, FigureSource::None));
        assert!(row.industry_average_note.starts_with("No industry reference"));
        assert_eq!((row.all_tenants_average, row.similar_size_average), (Some(53.0), Some(48.0)));
    }

    #[test]
    fn ten_tenants_use_their_own_90th_percentile() {
        let tenants: Vec<BenchmarkInput> = (1..=10).map(|i| input(Some("Education"), f64::from(i) * 10.0)).collect();
        let rows = summarise(&tenants, &[reference("Education", 50.0, Some(70.0))]);
        assert_eq!((rows[0].top_decile_threshold, rows[0].top_decile_source), (Some(91.0), FigureSource::PortfolioPercentile));
        // Nine tenants: the reference value again.
        let rows = summarise(&tenants[..9], &[reference("Education", 50.0, Some(70.0))]);
        assert_eq!((rows[0].top_decile_threshold, rows[0].top_decile_source), (Some(70.0), FigureSource::Reference));
    }

    #[test]
    fn groups_are_ordered_by_size_with_unset_last() {
        let tenants = [
            input(None, 10.0),
            input(None, 20.0),
            input(None, 30.0),
            input(Some("Legal"), 40.0),
            input(Some("Retail"), 50.0),
            input(Some("Retail"), 60.0),
        ];
        let labels: Vec<String> = summarise(&tenants, &[]).into_iter().map(|r| r.label).collect();
        assert_eq!(labels, ["Retail", "Legal", NO_INDUSTRY]);
    }

    #[test]
    fn ranks_need_five_peers_and_share_ties() {
        let industry = Some("Healthcare".to_owned());
        let mut tenants: Vec<(u32, Option<String>, f64)> =
            [90.0, 80.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0].iter().enumerate().map(|(i, p)| (i as u32, industry.clone(), *p)).collect();
        tenants.push((100, Some("Legal".to_owned()), 99.0));
        tenants.push((101, None, 99.0));
        let ranks = industry_ranks(&tenants);
        assert_eq!(ranks.len(), 8, "Legal has one tenant and the last has no industry");
        // 1 of 8: 12.5 % rounds up to Top 13%.
        assert_eq!((ranks[&0].position, ranks[&0].percentile, ranks[&0].label.as_str()), (1, 12.5, "Top 13%"));
        // The two 80 % tenants share position 2.
        assert_eq!((ranks[&1].position, ranks[&2].position), (2, 2));
        assert_eq!(ranks[&2].label, "Top 25%");
        // Position 4 of 8 is still the better half; 5 of 8 is Bottom 50%.
        assert_eq!(ranks[&3].label, "Top 50%");
        assert_eq!(ranks[&4].label, "Bottom 50%");
        assert_eq!((ranks[&7].position, ranks[&7].label.as_str()), (8, "Bottom 13%"));
    }
}
