//! The score distribution drawn as CSS bars, one per 10-point bucket.

use domain::DistributionBucket;
use leptos::prelude::*;

use crate::format;

#[component]
pub fn Distribution(buckets: Vec<DistributionBucket>) -> impl IntoView {
    let max_count = buckets.iter().map(|bucket| bucket.count).max().unwrap_or(0);
    let bars = buckets
        .into_iter()
        .map(|bucket| {
            // Bars are scaled to the fullest bucket so small portfolios still
            // show visible differences.
            let height = if max_count == 0 { 0.0 } else { f64::from(bucket.count) / f64::from(max_count) * 100.0 };
            let label = format::bucket_label(bucket.from, bucket.to);
            let tenants = if bucket.count == 1 { "tenant" } else { "tenants" };
            let description = format!("{label}: {} {tenants}", bucket.count);
            let tooltip = description.clone();
            view! {
                <li class="histogram-column" title=tooltip>
                    <span class="visually-hidden">{description}</span>
                    <span class="histogram-count" aria-hidden="true">{bucket.count}</span>
                    <span class="histogram-track" aria-hidden="true">
                        <span class="histogram-bar" style=format!("height: {height:.1}%")></span>
                    </span>
                    <span class="histogram-label" aria-hidden="true">
                        {bucket.from}<span class="histogram-label-to">"–"{bucket.to}</span>
                    </span>
                </li>
            }
        })
        .collect_view();

    view! {
        <figure class="distribution" data-test="score-distribution">
            <ol class="histogram">{bars}</ol>
            <figcaption class="muted">"Tenants per 10-point band of Secure Score percentage (0–100 %)"</figcaption>
        </figure>
    }
}
