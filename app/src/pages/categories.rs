//! Categories across the portfolio (`/categories`): per category the
//! portfolio average beside Microsoft's, the distribution across tenants
//! and the weakest tenants.

use domain::categories::{CategoriesReport, CategorySummary};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::chart::Chart;
use crate::components::distribution::Distribution;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::format;
use crate::server_fns::analytics::{get_categories_page, CategoriesPageData};

#[component]
pub fn CategoriesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_categories_page());
    view! {
        <Title text="Categories"/>
        <div class="page-header">
            <div>
                <h1>"Categories"</h1>
                <p class="muted">"Where the portfolio's points come from: Identity, Data, Device, Apps, and Infrastructure when it has points"</p>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading label="Loading the categories…"/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <CategoriesView data/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CategoriesView(data: CategoriesPageData) -> impl IntoView {
    let CategoriesPageData { report, chart } = data;
    let CategoriesReport { categories, tenants_included, as_of } = report;
    if tenants_included == 0 {
        return view! {
            <section class="panel empty-state">
                <h2>"No data yet"</h2>
                <p>"No included tenant has a Secure Score snapshot. Categories appear after the first successful sync."</p>
            </section>
        }
        .into_any();
    }
    let rows = categories.iter().cloned().map(|category| view! { <CategoryRow category/> }).collect_view();
    let panels = categories.into_iter().map(|category| view! { <CategoryPanel category/> }).collect_view();
    view! {
        <section class="panel" aria-labelledby="category-chart-heading">
            <h2 id="category-chart-heading">"Portfolio average per category"</h2>
            <p class="muted">
                {format!("{tenants_included} tenants, latest snapshots as of {}. ", format::date_or_missing(as_of))}
                "Microsoft's averages come from each tenant's latest snapshot (category points over category maximum)."
            </p>
            <Chart options=chart label="Portfolio and Microsoft averages per category".to_owned() test_id="categories-chart"/>
        </section>
        <section class="panel panel-flush" aria-labelledby="category-table-heading">
            <h2 id="category-table-heading" class="panel-title">"Figures per category"</h2>
            <div class="table-scroll">
                <table class="data-table" data-test="categories-table">
                    <thead>
                        <tr>
                            <th scope="col">"Category"</th>
                            <th scope="col" class="numeric">"Portfolio average"</th>
                            <th scope="col" class="numeric">"Microsoft: all tenants"</th>
                            <th scope="col" class="numeric">"Microsoft: similar size"</th>
                            <th scope="col" class="numeric">"Tenants with data"</th>
                            <th scope="col" class="numeric" title="Tenants whose maximum in this category is 0: no percentage">
                                "Maximum 0"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
        <div class="card-grid">{panels}</div>
    }
    .into_any()
}

#[component]
fn CategoryRow(category: CategorySummary) -> impl IntoView {
    view! {
        <tr data-test="category-row" data-category=category.category.clone()>
            <th scope="row">{category.category.clone()}</th>
            <td class="numeric" data-test="cell-portfolio-average">{format::percent_or_missing(category.portfolio_average)}</td>
            <td class="numeric">{format::percent_or_missing(category.peer_all_tenants)}</td>
            <td class="numeric">{format::percent_or_missing(category.peer_similar_seats)}</td>
            <td class="numeric">{category.tenants_with_data}</td>
            <td class="numeric">{category.tenants_without_maximum}</td>
        </tr>
    }
}

#[component]
fn CategoryPanel(category: CategorySummary) -> impl IntoView {
    let heading_id = format!("category-{}", category.category.to_lowercase().replace(' ', "-"));
    let weakest = if category.weakest_tenants.is_empty() {
        view! { <p class="muted">"No tenant has points to earn in this category."</p> }.into_any()
    } else {
        let items = category
            .weakest_tenants
            .into_iter()
            .map(|tenant| {
                view! {
                    <li>
                        <A href=format!("/tenants/{}", tenant.tenant_id)>{tenant.display_name}</A>
                        <span class="muted">
                            {format!(" · {} ({} of {} points)", format::percent(tenant.percentage), format::points(tenant.points), format::points(tenant.max_points))}
                        </span>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="plain-list">{items}</ol> }.into_any()
    };
    let labelled_by = heading_id.clone();
    view! {
        <section class="panel" aria-labelledby=labelled_by data-test="category-panel">
            <h2 id=heading_id>{category.category}</h2>
            <Distribution buckets=category.distribution/>
            <h3>"Weakest tenants"</h3>
            {weakest}
        </section>
    }
}
