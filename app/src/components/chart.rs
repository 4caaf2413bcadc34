//! A chart drawn in the browser by the bundled echarts script from options
//! the server built (`public/charts.js` finds the `data-chart` attribute).
//! Pages place each chart beside a table or figures with the same numbers,
//! so nothing is lost without JavaScript.

use leptos::prelude::*;

#[component]
pub fn Chart(
    /// echarts options as JSON.
    options: String,
    /// What the chart shows, for screen readers.
    label: String,
    /// `data-test` value for end-to-end tests.
    test_id: &'static str,
    #[prop(default = "chart")] class: &'static str,
) -> impl IntoView {
    view! { <div class=class role="img" aria-label=label data-chart=options data-test=test_id></div> }
}
