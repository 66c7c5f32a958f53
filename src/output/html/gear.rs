//! The page's shoe section: running distance per pair against the retirement distance, with
//! the day each pair was retired in the gear log. Empty when no run has gear.

use std::fmt::Write as _;

use plotters::prelude::*;

use super::{escape, svg, Thresholds, BLUE, GREY, LABEL};

use crate::model::Tables;

/// Pairs drawn: the most used (the table holds them all).
const MAX_PAIRS: usize = 12;

/// The section's HTML, or nothing without gear.
pub(super) fn section(t: &Tables, th: &Thresholds) -> String {
    if t.gear.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<_> = t.gear.iter().collect();
    pairs.sort_by(|a, b| b.distance_m.total_cmp(&a.distance_m));
    pairs.truncate(MAX_PAIRS);
    let retire_km = th.retire_m / 1000.0;
    let max_km = pairs
        .iter()
        .map(|p| p.distance_m / 1000.0)
        .fold(retire_km, f64::max)
        * 1.1;
    let n = pairs.len() as f64;
    let chart = svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption("Running distance per pair of shoes", ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..max_km)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .label_style(LABEL)
            .axis_desc_style(LABEL)
            .x_labels(pairs.len())
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                pairs
                    .get(i as usize)
                    .map(|p| p.gear.chars().take(14).collect())
                    .unwrap_or_default()
            })
            .y_desc("km")
            .draw()?;
        chart
            .draw_series(pairs.iter().enumerate().map(|(i, p)| {
                let x = i as f64;
                let km = p.distance_m / 1000.0;
                let colour = if km > retire_km { RED } else { BLUE };
                let colour = if p.retired.is_some() { GREY } else { colour };
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, km)], colour.mix(0.6).filled())
            }))?
            .label("distance (grey: retired in the gear log)")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BLUE.mix(0.6).filled()));
        chart
            .draw_series(LineSeries::new(
                [(-0.5, retire_km), (n - 0.5, retire_km)],
                RED.stroke_width(2),
            ))?
            .label(format!("retirement distance, {retire_km:.0} km"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], RED));
        super::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    });
    let mut list = String::from("<ul>\n");
    for p in &pairs {
        let _ = writeln!(
            list,
            "<li><b>{}</b>: {:.0} km in {} run(s){}</li>",
            escape(&p.gear),
            p.distance_m / 1000.0,
            p.runs,
            p.retired
                .map(|d| format!(", retired {d}"))
                .unwrap_or_default()
        );
    }
    list.push_str("</ul>\n");
    format!(
        "<h2>Shoes</h2>\n<figure>{chart}<figcaption><small>Running distance per pair (the \
         {MAX_PAIRS} most used), from the export's gear or the gear log; red above the \
         retirement distance ({retire_km:.0} km).</small></figcaption></figure>\n{list}"
    )
}
