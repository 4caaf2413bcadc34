//! Portfolio figures per category (Identity, Data, Device, Apps, and
//! Infrastructure when any tenant has points there).

use serde::{Deserialize, Serialize};

use crate::category::Category;
use crate::dto::{CategoryScore, DistributionBucket};
use crate::score::{self, round2, round2_opt};

/// How many of the weakest tenants each category lists.
pub const WEAKEST_TENANTS: usize = 5;

/// One tenant's latest snapshot reduced to what the category view needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantCategories {
    pub tenant_id: String,
    pub display_name: String,
    pub categories: Vec<CategoryScore>,
    /// Microsoft's averages as percentages per category, from the snapshot's
    /// `AllTenants` entry (score over maximum; absent when the maximum is 0).
    pub all_tenants: Vec<(Category, f64)>,
    /// The same from the `TotalSeats` entry (tenants of similar seat count).
    pub similar_seats: Vec<(Category, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CategoryTenant {
    pub tenant_id: String,
    pub display_name: String,
    pub percentage: f64,
    pub points: f64,
    pub max_points: f64,
}

/// One category across the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CategorySummary {
    pub category: String,
    /// Unweighted mean of the tenants' category percentages (0-100); tenants
    /// whose category maximum is 0 are left out.
    pub portfolio_average: Option<f64>,
    pub tenants_with_data: u32,
    /// Tenants that have the category but a maximum of 0, shown as "—".
    pub tenants_without_maximum: u32,
    /// Mean over tenants of Microsoft's `AllTenants` category average.
    pub peer_all_tenants: Option<f64>,
    /// Mean over tenants of Microsoft's `TotalSeats` category average.
    pub peer_similar_seats: Option<f64>,
    pub distribution: Vec<DistributionBucket>,
    /// Lowest percentages first, at most five.
    pub weakest_tenants: Vec<CategoryTenant>,
}

/// The categories view of the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CategoriesReport {
    pub categories: Vec<CategorySummary>,
    /// Included tenants with a latest snapshot; excluded tenants are left out.
    pub tenants_included: u32,
    /// The newest snapshot date among them.
    pub as_of: Option<chrono::NaiveDate>,
}

/// Builds the per-category summaries. The four main categories always
/// appear; Infrastructure and unknown categories appear when some tenant has
/// a maximum above 0 in them.
pub fn summarise(tenants: &[TenantCategories]) -> Vec<CategorySummary> {
    let mut names: Vec<Category> = Category::MAIN.to_vec();
    for tenant in tenants {
        for category in &tenant.categories {
            let parsed = Category::from_graph(&category.category);
            if !names.contains(&parsed) && category.max_points > 0.0 {
                names.push(parsed);
            }
        }
    }
    names.sort_by_key(|c| (c.order(), c.name().to_owned()));
    names.iter().map(|category| summarise_one(category, tenants)).collect()
}

fn summarise_one(category: &Category, tenants: &[TenantCategories]) -> CategorySummary {
    let mut scored: Vec<CategoryTenant> = Vec::new();
    let mut without_maximum = 0;
    for tenant in tenants {
        let Some(entry) = tenant.categories.iter().find(|c| Category::from_graph(&c.category) == *category) else {
            continue;
        };
        match score::percentage(entry.points, entry.max_points) {
            Some(percentage) => scored.push(CategoryTenant {
                tenant_id: tenant.tenant_id.clone(),
                display_name: tenant.display_name.clone(),
                percentage: round2(percentage),
                points: round2(entry.points),
                max_points: round2(entry.max_points),
            }),
            None => without_maximum += 1,
        }
    }
    let peer = |pick: fn(&TenantCategories) -> &Vec<(Category, f64)>| {
        round2_opt(score::mean(
            tenants
                .iter()
                .filter_map(|t| pick(t).iter().find(|(c, _)| c == category).map(|(_, value)| *value)),
        ))
    };
    // Full-precision percentages for the mean and the buckets; the rows carry rounded ones.
    let exact: Vec<f64> = tenants
        .iter()
        .filter_map(|t| t.categories.iter().find(|c| Category::from_graph(&c.category) == *category))
        .filter_map(|c| score::percentage(c.points, c.max_points))
        .collect();

    let mut weakest = scored.clone();
    weakest.sort_by(|a, b| {
        a.percentage
            .partial_cmp(&b.percentage)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()))
    });
    weakest.truncate(WEAKEST_TENANTS);

    CategorySummary {
        category: category.name().to_owned(),
        portfolio_average: round2_opt(score::mean(exact.iter().copied())),
        tenants_with_data: scored.len() as u32,
        tenants_without_maximum: without_maximum,
        peer_all_tenants: peer(|t| &t.all_tenants),
        peer_similar_seats: peer(|t| &t.similar_seats),
        distribution: score::distribution(exact),
        weakest_tenants: weakest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(name: &str, points: f64, max: f64) -> CategoryScore {
        CategoryScore {
            category: name.to_owned(),
            points,
            max_points: max,
            percentage: score::percentage(points, max),
            controls: 1,
            unmatched_controls: 0,
        }
    }

    fn tenant(id: &str, categories: Vec<CategoryScore>, all: Vec<(Category, f64)>) -> TenantCategories {
        TenantCategories {
            tenant_id: id.to_owned(),
            display_name: format!("Tenant {id}"),
            categories,
            all_tenants: all,
            similar_seats: Vec::new(),
        }
    }

    #[test]
    fn averages_are_unweighted_and_skip_zero_maxima() {
        let tenants = [
            // Identity 40 of 50 = 80 %; Data maximum 0 is shown as "—".
            tenant("a", vec![category("Identity", 40.0, 50.0), category("Data", 0.0, 0.0)], vec![(Category::Identity, 60.0)]),
            // Identity 10 of 40 = 25 %; Data 3 of 4 = 75 %.
            tenant("b", vec![category("Identity", 10.0, 40.0), category("Data", 3.0, 4.0)], vec![(Category::Identity, 70.0)]),
        ];
        let out = summarise(&tenants);
        let names: Vec<&str> = out.iter().map(|c| c.category.as_str()).collect();
        assert_eq!(names, ["Identity", "Data", "Device", "Apps"]);

        let identity = &out[0];
        // (80 + 25) / 2, not 50 of 90 = 55.56.
        assert_eq!(identity.portfolio_average, Some(52.5));
        assert_eq!(identity.peer_all_tenants, Some(65.0));
        assert_eq!(identity.peer_similar_seats, None);
        let weakest: Vec<&str> = identity.weakest_tenants.iter().map(|t| t.tenant_id.as_str()).collect();
        assert_eq!(weakest, ["b", "a"]);

        let data = &out[1];
        assert_eq!((data.portfolio_average, data.tenants_with_data, data.tenants_without_maximum), (Some(75.0), 1, 1));
        assert_eq!(out[2].portfolio_average, None, "no tenant has Device controls");
    }

    #[test]
    fn infrastructure_appears_only_with_points_to_earn() {
        let zero = [tenant("a", vec![category("Infrastructure", 0.0, 0.0)], Vec::new())];
        assert_eq!(summarise(&zero).len(), 4);
        let some = [tenant("a", vec![category("Infrastructure", 2.0, 8.0)], Vec::new())];
        let out = summarise(&some);
        assert_eq!(out[4].category, "Infrastructure");
        assert_eq!(out[4].portfolio_average, Some(25.0));
    }

    #[test]
    fn weakest_list_is_capped_at_five() {
        let tenants: Vec<TenantCategories> = (0..7)
            .map(|i| tenant(&i.to_string(), vec![category("Apps", f64::from(i), 10.0)], Vec::new()))
            .collect();
        let apps = summarise(&tenants).into_iter().find(|c| c.category == "Apps").unwrap();
        let percentages: Vec<f64> = apps.weakest_tenants.iter().map(|t| t.percentage).collect();
        assert_eq!(percentages, [0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(apps.distribution.iter().map(|b| b.count).sum::<u32>(), 7);
    }
}
