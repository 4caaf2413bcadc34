//! Benchmarks (`/benchmarks`): per industry group, the portfolio average
//! beside an industry average, the top-10 % threshold and the spread. Each
//! figure names its source, and admins keep the reference values here.

use domain::benchmarks::{BenchmarksReport, FigureSource, IndustryBenchmark, IndustryReference};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::chart::Chart;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::format;
use crate::server_fns::analytics::{get_benchmarks_page, BenchmarksPageData, DeleteBenchmarkReference, SetBenchmarkReference};

#[component]
pub fn BenchmarksPage() -> impl IntoView {
    let set = ServerAction::<SetBenchmarkReference>::new();
    let delete = ServerAction::<DeleteBenchmarkReference>::new();
    let data = Resource::new(move || (set.version().get(), delete.version().get()), |_| get_benchmarks_page());
    view! {
        <Title text="Benchmarks"/>
        <div class="page-header">
            <div>
                <h1>"Benchmarks"</h1>
                <p class="muted">"Each industry group of the portfolio against its industry and Microsoft's averages. Every figure names its source."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading label="Loading the benchmarks…"/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <BenchmarksView data set delete/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BenchmarksView(
    data: BenchmarksPageData,
    set: ServerAction<SetBenchmarkReference>,
    delete: ServerAction<DeleteBenchmarkReference>,
) -> impl IntoView {
    let BenchmarksPageData { report, chart, can_edit } = data;
    let BenchmarksReport { groups, references, tenants_included, as_of } = report;
    let industries: Vec<String> = groups.iter().filter_map(|g| g.industry.clone()).collect();
    let content = if tenants_included == 0 {
        view! {
            <section class="panel empty-state">
                <h2>"No data yet"</h2>
                <p>"No included tenant has a Secure Score snapshot. Benchmarks appear after the first successful sync."</p>
            </section>
        }
        .into_any()
    } else {
        let rows = groups.into_iter().map(|group| view! { <GroupRow group/> }).collect_view();
        view! {
            <section class="panel" aria-labelledby="benchmark-chart-heading">
                <h2 id="benchmark-chart-heading">"Industry groups"</h2>
                <p class="muted">
                    {format!("{tenants_included} tenants with data, latest snapshots as of {}. ", format::date_or_missing(as_of))}
                    "Industries are the ones set on each tenant."
                </p>
                <Chart options=chart label="Portfolio, industry and Microsoft averages per industry group".to_owned() test_id="benchmarks-chart"/>
            </section>
            <section class="panel panel-flush" aria-labelledby="benchmark-table-heading">
                <h2 id="benchmark-table-heading" class="panel-title">"Figures per industry"</h2>
                <div class="table-scroll">
                    <table class="data-table" data-test="benchmarks-table">
                        <thead>
                            <tr>
                                <th scope="col">"Industry"</th>
                                <th scope="col" class="numeric">"Tenants"</th>
                                <th scope="col" class="numeric">"Portfolio average"</th>
                                <th scope="col" class="numeric">"Industry average"</th>
                                <th scope="col" class="numeric">"Top 10 % threshold"</th>
                                <th scope="col" class="numeric" title="Population variance of the tenants' percentages (squared points); the standard deviation is in brackets">
                                    "Variance (σ)"
                                </th>
                                <th scope="col" class="numeric">"Microsoft: all tenants"</th>
                                <th scope="col" class="numeric">"Microsoft: similar size"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        }
        .into_any()
    };
    view! {
        {content}
        <ReferencesPanel references can_edit industries set delete/>
    }
}

fn source_label(source: FigureSource) -> &'static str {
    match source {
        FigureSource::MicrosoftIndustryTypes => "Microsoft",
        FigureSource::Reference => "Reference",
        FigureSource::PortfolioPercentile => "Portfolio",
        FigureSource::None => "None",
    }
}

/// Returns the short line under a figure; the full note is in the cell's tooltip.
fn short_note(source: FigureSource, note: &str) -> String {
    match source {
        FigureSource::MicrosoftIndustryTypes => "Graph IndustryTypes average".to_owned(),
        FigureSource::Reference => note.strip_prefix("Reference value: ").unwrap_or(note).to_owned(),
        FigureSource::PortfolioPercentile => "90th percentile of the group".to_owned(),
        FigureSource::None => String::new(),
    }
}

#[component]
fn GroupRow(group: IndustryBenchmark) -> impl IntoView {
    let spread = match (group.variance, group.standard_deviation) {
        (Some(variance), Some(deviation)) => format!("{} ({})", format::points(variance), format::points(deviation)),
        _ => format::MISSING.to_owned(),
    };
    let no_reference = group.industry_average_source == FigureSource::None;
    view! {
        <tr data-test="benchmark-row" data-industry=group.label.clone()>
            <th scope="row">{group.label.clone()}</th>
            <td class="numeric">{group.tenants_with_data}</td>
            <td class="numeric" data-test="cell-portfolio-average">{format::percent_or_missing(group.portfolio_average)}</td>
            <td class="numeric" data-test="cell-industry-average" title=group.industry_average_note.clone()>
                {if no_reference {
                    view! { <span class="muted">"No industry reference: see Microsoft's averages"</span> }.into_any()
                } else {
                    view! {
                        {format::percent_or_missing(group.industry_average)}
                        " "
                        <span class="badge badge-neutral">{source_label(group.industry_average_source)}</span>
                    }
                    .into_any()
                }}
                <span class="cell-note">{short_note(group.industry_average_source, &group.industry_average_note)}</span>
            </td>
            <td class="numeric" data-test="cell-top-decile" title=group.top_decile_note.clone()>
                {format::percent_or_missing(group.top_decile_threshold)}
                {(group.top_decile_source != FigureSource::None).then(|| view! {
                    " "
                    <span class="badge badge-neutral">{source_label(group.top_decile_source)}</span>
                })}
                <span class="cell-note">{short_note(group.top_decile_source, &group.top_decile_note)}</span>
            </td>
            <td class="numeric" data-test="cell-variance">{spread}</td>
            <td class="numeric" class:emphasis=no_reference>{format::percent_or_missing(group.all_tenants_average)}</td>
            <td class="numeric" class:emphasis=no_reference>{format::percent_or_missing(group.similar_size_average)}</td>
        </tr>
    }
}

#[component]
fn ReferencesPanel(
    references: Vec<IndustryReference>,
    can_edit: bool,
    industries: Vec<String>,
    set: ServerAction<SetBenchmarkReference>,
    delete: ServerAction<DeleteBenchmarkReference>,
) -> impl IntoView {
    let list = if references.is_empty() {
        view! { <p class="muted" data-test="no-references">"No reference values are set."</p> }.into_any()
    } else {
        let rows = references
            .into_iter()
            .map(|reference| {
                let industry = reference.industry.clone();
                let row_industry = reference.industry.clone();
                view! {
                    <tr data-test="reference-row" data-industry=row_industry>
                        <th scope="row">{reference.industry}</th>
                        <td class="numeric">{format::percent(reference.average_score)}</td>
                        <td class="numeric">{format::percent_or_missing(reference.top_decile_score)}</td>
                        <td>{reference.source}</td>
                        <td class="numeric">
                            {format::date_time(reference.updated_at)}
                            {reference.updated_by.map(|by| view! { <span class="muted">" · "{by}</span> })}
                        </td>
                        {can_edit.then(|| view! {
                            <td>
                                <ActionForm action=delete>
                                    <input type="hidden" name="industry" value=industry/>
                                    <button type="submit" class="button button-secondary">"Remove"</button>
                                </ActionForm>
                            </td>
                        })}
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="data-table" data-test="references-table">
                    <thead>
                        <tr>
                            <th scope="col">"Industry"</th>
                            <th scope="col" class="numeric">"Average"</th>
                            <th scope="col" class="numeric">"Top 10 %"</th>
                            <th scope="col">"Source"</th>
                            <th scope="col" class="numeric">"Updated"</th>
                            {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let options = industries.into_iter().map(|industry| view! { <option value=industry.clone()></option> }).collect_view();
    let error = move || {
        let set_error = set.value().get().and_then(Result::err);
        let delete_error = delete.value().get().and_then(Result::err);
        set_error.or(delete_error).map(|error| view! { <p class="form-message error-text" role="alert">{error.to_string()}</p> })
    };
    view! {
        <section class="panel" aria-labelledby="references-heading">
            <h2 id="references-heading">"Industry reference values"</h2>
            <p class="muted">
                "Used when Graph returns no industry average (Microsoft's IndustryTypes). Enter figures from a published source and name it; they are shown with that source."
            </p>
            {list}
            {can_edit.then(|| view! {
                <ActionForm action=set attr:class="stacked-form" attr:data-test="reference-form">
                    <h3>"Set a reference value"</h3>
                    <label for="reference-industry">"Industry"</label>
                    <input id="reference-industry" name="industry" list="reference-industries" required maxlength="100"/>
                    <datalist id="reference-industries">{options}</datalist>
                    <label for="reference-average">"Industry average (%)"</label>
                    <input id="reference-average" name="average_score" inputmode="decimal" required placeholder="48.1"/>
                    <label for="reference-top">"Top 10 % threshold (%), optional"</label>
                    <input id="reference-top" name="top_decile_score" inputmode="decimal" placeholder="71.0"/>
                    <label for="reference-source">"Source (publisher, title, year)"</label>
                    <input id="reference-source" name="source" required maxlength="500"/>
                    <button type="submit" class="button button-primary">"Save reference"</button>
                </ActionForm>
            })}
            {error}
        </section>
    }
}
