//! Chart options for the pages, built with charming and sent to the browser
//! as JSON, where the bundled echarts script draws them (`public/charts.js`).
//! Missing values stay `null`, so echarts leaves gaps instead of drawing
//! zeros or joining the points on either side.

use charming::component::{Axis, Grid, Legend};
use charming::element::{
    AxisLabel, AxisType, ItemStyle, Label, LineStyle, LineStyleType, MarkLine, MarkLineData, MarkLineVariant, Symbol, Tooltip, Trigger,
};
use charming::series::{Bar, Line};
use charming::Chart;
use domain::benchmarks::BenchmarksReport;
use domain::categories::CategoriesReport;
use domain::score::points_text;
use domain::trends::TrendsReport;
use domain::{CategoryComparison, HistoryPoint, MaxScoreChange};

/// One colour per comparison basis, the same on every page.
pub mod colour {
    pub const TENANT: &str = "#2563eb";
    pub const PORTFOLIO: &str = "#475569";
    pub const ALL_TENANTS: &str = "#d97706";
    pub const SIMILAR_SIZE: &str = "#059669";
    pub const INDUSTRY: &str = "#7c3aed";
    pub const TOP_DECILE: &str = "#be123c";
    pub const MAX_CHANGE: &str = "#9f1239";
}

fn percent_axis() -> Axis {
    Axis::new()
        .type_(AxisType::Value)
        .min(0)
        .max(100)
        .axis_label(AxisLabel::new().formatter("{value} %"))
}

/// Starts a chart with an axis tooltip. `bottom` is the room left for the
/// x-axis labels.
fn base(legend: bool, bottom: i32) -> Chart {
    let chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(48).right(24).top(if legend { 48 } else { 24 }).bottom(bottom));
    if legend {
        chart.legend(Legend::new().top(8))
    } else {
        chart
    }
}

/// Builds a category axis that labels every bar, tilted when names are long.
fn names_axis(names: Vec<String>, tilt: bool) -> Axis {
    let label = AxisLabel::new().interval(0);
    let label = if tilt { label.rotate(30) } else { label };
    Axis::new().type_(AxisType::Category).axis_label(label).data(names)
}

fn to_json(chart: &Chart) -> String {
    serde_json::to_string(chart).unwrap_or_else(|_| "{}".to_owned())
}

fn bar(name: &str, colour: &str, values: Vec<Option<f64>>) -> Bar {
    Bar::new().name(name).item_style(ItemStyle::new().color(colour)).data(values)
}

/// Draws the portfolio average per day, with gaps on days without snapshots.
pub fn trend_line(report: &TrendsReport) -> String {
    let dates: Vec<String> = report.series.iter().map(|p| p.date.to_string()).collect();
    let values: Vec<Option<f64>> = report.series.iter().map(|p| p.average).collect();
    let chart = base(false, 40)
        .x_axis(Axis::new().type_(AxisType::Category).data(dates))
        .y_axis(percent_axis())
        .series(
            Line::new()
                .name("Portfolio average (%)")
                .connect_nulls(false)
                .item_style(ItemStyle::new().color(colour::PORTFOLIO))
                .data(values),
        );
    to_json(&chart)
}

/// Draws a tenant's percentage per day, with a dashed marker on each day
/// the maximum score changed.
pub fn tenant_history(history: &[HistoryPoint], changes: &[MaxScoreChange]) -> String {
    let dates: Vec<String> = history.iter().map(|p| p.date.to_string()).collect();
    let values: Vec<Option<f64>> = history.iter().map(|p| p.percentage).collect();
    let mut line = Line::new()
        .name("Secure Score (%)")
        .connect_nulls(false)
        .item_style(ItemStyle::new().color(colour::TENANT))
        .data(values);
    if !changes.is_empty() {
        let markers: Vec<MarkLineVariant> = changes
            .iter()
            .map(|c| {
                MarkLineData::new()
                    .name(format!("Maximum {} → {}", points_text(c.from_max), points_text(c.to_max)))
                    .x_axis(c.date.to_string())
            })
            .map(MarkLineVariant::Simple)
            .collect();
        line = line.mark_line(
            MarkLine::new()
                .symbol(vec![Symbol::None, Symbol::None])
                .label(Label::new().formatter("{b}"))
                .line_style(LineStyle::new().color(colour::MAX_CHANGE).type_(LineStyleType::Dashed))
                .data(markers),
        );
    }
    let chart = base(false, 40)
        .x_axis(Axis::new().type_(AxisType::Category).data(dates))
        .y_axis(percent_axis())
        .series(line);
    to_json(&chart)
}

/// Draws a tenant's categories beside the portfolio's and Microsoft's averages.
pub fn tenant_categories(rows: &[CategoryComparison]) -> String {
    let names: Vec<String> = rows.iter().map(|r| r.category.clone()).collect();
    let chart = base(true, 40)
        .x_axis(names_axis(names, false))
        .y_axis(percent_axis())
        .series(bar("This tenant", colour::TENANT, rows.iter().map(|r| r.percentage).collect()))
        .series(bar("Portfolio average", colour::PORTFOLIO, rows.iter().map(|r| r.portfolio_average).collect()))
        .series(bar("Microsoft: all tenants", colour::ALL_TENANTS, rows.iter().map(|r| r.peer_all_tenants).collect()))
        .series(bar("Microsoft: similar size", colour::SIMILAR_SIZE, rows.iter().map(|r| r.peer_similar_seats).collect()));
    to_json(&chart)
}

/// Draws the portfolio's category averages beside Microsoft's.
pub fn portfolio_categories(report: &CategoriesReport) -> String {
    let rows = &report.categories;
    let names: Vec<String> = rows.iter().map(|r| r.category.clone()).collect();
    let chart = base(true, 40)
        .x_axis(names_axis(names, false))
        .y_axis(percent_axis())
        .series(bar("Portfolio average", colour::PORTFOLIO, rows.iter().map(|r| r.portfolio_average).collect()))
        .series(bar("Microsoft: all tenants", colour::ALL_TENANTS, rows.iter().map(|r| r.peer_all_tenants).collect()))
        .series(bar("Microsoft: similar size", colour::SIMILAR_SIZE, rows.iter().map(|r| r.peer_similar_seats).collect()));
    to_json(&chart)
}

/// Per industry group: the portfolio average, the industry average, the
/// top-10 % threshold and Microsoft's all-tenants average.
pub fn benchmarks(report: &BenchmarksReport) -> String {
    let rows = &report.groups;
    let names: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let chart = base(true, 96)
        .x_axis(names_axis(names, true))
        .y_axis(percent_axis())
        .series(bar("Portfolio average", colour::PORTFOLIO, rows.iter().map(|r| r.portfolio_average).collect()))
        .series(bar("Industry average", colour::INDUSTRY, rows.iter().map(|r| r.industry_average).collect()))
        .series(bar("Top 10 % threshold", colour::TOP_DECILE, rows.iter().map(|r| r.top_decile_threshold).collect()))
        .series(bar("Microsoft: all tenants", colour::ALL_TENANTS, rows.iter().map(|r| r.all_tenants_average).collect()));
    to_json(&chart)
}


#[cfg(test)]
mod tests {
    use super::*;
    use domain::trends::TrendPoint;
    use serde_json::Value;

    #[test]
    fn gaps_are_null_in_the_chart_data() {
        let report = TrendsReport {
            days: 2,
            from: Some("2026-03-01".parse().unwrap()),
            to: Some("2026-03-03".parse().unwrap()),
            series: vec![
                TrendPoint { date: "2026-03-01".parse().unwrap(), average: Some(50.5), tenants: 2 },
                TrendPoint { date: "2026-03-02".parse().unwrap(), average: None, tenants: 0 },
                TrendPoint { date: "2026-03-03".parse().unwrap(), average: Some(51.0), tenants: 2 },
            ],
            portfolio_change: None,
            points_effect: None,
            max_drift: None,
            tenants_included: 2,
            tenants_with_change: 0,
            tenants_improved: 0,
            tenants_regressed: 0,
            tenants_unchanged: 0,
            tenants_without_change: 2,
            biggest_gains: Vec::new(),
            biggest_drops: Vec::new(),
        };
        let chart: Value = serde_json::from_str(&trend_line(&report)).unwrap();
        assert_eq!(chart["series"][0]["data"], serde_json::json!([50.5, null, 51.0]));
        assert_eq!(chart["series"][0]["connectNulls"], Value::Bool(false));
        assert_eq!(chart["xAxis"]["data"][1], "2026-03-02");
    }

    #[test]
    fn maximum_changes_become_markers() {
        let history = [HistoryPoint { date: "2026-03-03".parse().unwrap(), current_score: Some(128.0), max_score: Some(300.0), percentage: Some(42.67) }];
        let changes = [MaxScoreChange { date: "2026-03-03".parse().unwrap(), from_max: 274.0, to_max: 300.0 }];
        let chart: Value = serde_json::from_str(&tenant_history(&history, &changes)).unwrap();
        let marker = &chart["series"][0]["markLine"]["data"][0];
        assert_eq!(marker["name"], "Maximum 274 → 300");
        assert_eq!(marker["xAxis"], "2026-03-03");
    }
}
