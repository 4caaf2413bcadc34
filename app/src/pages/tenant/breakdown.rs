//! Tables and lists of one snapshot: categories, controls, Microsoft's
//! comparison averages and data-quality warnings.

use domain::{CategoryScore, ControlScoreView, DataQualityNote, PeerAverage};
use leptos::prelude::*;

use crate::format;

#[component]
pub fn CategoryTable(categories: Vec<CategoryScore>) -> impl IntoView {
    let rows = categories
        .into_iter()
        .map(|category| {
            view! {
                <tr>
                    <th scope="row">{category.category}</th>
                    <td class="numeric">{format::points(category.points)}</td>
                    <td class="numeric">{format::points(category.max_points)}</td>
                    <td class="numeric">{format::percent_or_missing(category.percentage)}</td>
                    <td class="numeric">{category.controls}</td>
                    <td class="numeric">{category.unmatched_controls}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="panel panel-flush" aria-labelledby="categories-heading">
            <h2 id="categories-heading" class="panel-title">"Categories"</h2>
            <div class="table-scroll">
                <table class="data-table" data-test="category-table">
                    <thead>
                        <tr>
                            <th scope="col">"Category"</th>
                            <th scope="col" class="numeric">"Points"</th>
                            <th scope="col" class="numeric">"Max"</th>
                            <th scope="col" class="numeric">"Percentage"</th>
                            <th scope="col" class="numeric">"Controls"</th>
                            <th scope="col" class="numeric" title="Scored controls whose maximum could not be determined">
                                "Unmatched"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn ControlTable(controls: Vec<ControlScoreView>) -> impl IntoView {
    let count = controls.len();
    let rows = controls
        .into_iter()
        .map(|control| {
            view! {
                <tr>
                    <th scope="row" class="control-name">{control.control_name}</th>
                    <td>
                        {control.title.unwrap_or_else(|| format::MISSING.to_owned())}
                        {control.description.map(|text| view! {
                            <details class="control-description">
                                <summary>"Description"</summary>
                                <p>{text}</p>
                            </details>
                        })}
                    </td>
                    <td>{control.category}</td>
                    <td class="numeric" data-max-source=control.max_source>
                        {format::score_of_max(control.score, control.max_score)}
                    </td>
                    <td>{control.implementation_status.unwrap_or_else(|| format::MISSING.to_owned())}</td>
                    <td class="numeric">
                        {control.last_synced.map(format::date_time).unwrap_or_else(|| format::MISSING.to_owned())}
                    </td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="panel panel-flush" aria-labelledby="controls-heading">
            <h2 id="controls-heading" class="panel-title">{format!("Controls ({count})")}</h2>
            <div class="table-scroll table-scroll-tall">
                <table class="data-table" data-test="control-table">
                    <thead>
                        <tr>
                            <th scope="col">"Control"</th>
                            <th scope="col">"Title"</th>
                            <th scope="col">"Category"</th>
                            <th scope="col" class="numeric">"Score"</th>
                            <th scope="col">"Implementation status"</th>
                            <th scope="col" class="numeric">"Last synced"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Renders Microsoft's comparison averages, or nothing when Graph sent none.
#[component]
pub fn PeerAverages(peers: Vec<PeerAverage>) -> impl IntoView {
    if peers.is_empty() {
        return None;
    }
    let items = peers
        .into_iter()
        .map(|peer| {
            view! {
                <div class="stat">
                    <dt>{peer_label(&peer)}</dt>
                    <dd>{format::percent(peer.average_score)}</dd>
                </div>
            }
        })
        .collect_view();

    Some(view! {
        <section class="panel" aria-labelledby="peers-heading">
            <h2 id="peers-heading">"Microsoft comparison averages"</h2>
            <dl class="stat-grid stat-grid-compact">{items}</dl>
        </section>
    })
}

fn peer_label(peer: &PeerAverage) -> String {
    match peer.basis.as_str() {
        "AllTenants" => "All Microsoft 365 tenants".to_owned(),
        "TotalSeats" => match (peer.seat_size_range_lower, peer.seat_size_range_upper) {
            (Some(lower), Some(upper)) => format!("Organisations with {lower}–{upper} seats"),
            _ => "Organisations of similar size".to_owned(),
        },
        "IndustryTypes" => "Same industry".to_owned(),
        other => other.to_owned(),
    }
}

/// Renders the data-quality notes (stale data, unmatched controls, missing
/// benchmark, warnings recorded at ingestion), or nothing when there are none.
#[component]
pub fn DataQuality(notes: Vec<DataQualityNote>) -> impl IntoView {
    (!notes.is_empty()).then(|| {
        let items = notes
            .into_iter()
            .map(|note| view! { <li data-code=note.code>{note.message}</li> })
            .collect_view();
        view! {
            <section class="panel panel-warning" aria-labelledby="quality-heading" data-test="data-quality">
                <h2 id="quality-heading">"Data quality"</h2>
                <ul>{items}</ul>
            </section>
        }
    })
}
