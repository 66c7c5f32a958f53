//! The page's shoe section: running distance per pair against the retirement distance, with
//! the day each pair was retired in the gear log. Empty when no run has gear.

use std::fmt::Write as _;

use plotters::prelude::*;

use super::chart::{self, Area, ChartResult, Layout, Mark, BLUE, GREY};
use super::{escape, Thresholds};

use crate::model::{GearRow, Tables};

/// Pairs drawn: the most used (the table holds them all).
const MAX_PAIRS: usize = 12;

/// The section's HTML, or nothing without gear.
pub(super) fn section(t: &Tables, th: &Thresholds) -> String {
    if t.gear.is_empty() {
        return String::new();
    }
    let bars = Bars::new(t, th);
    let chart = chart::both(|root, layout| bars.draw(root, layout));
    let figure = chart::figure(
        "Running distance per pair of shoes",
        &legend(bars.retire_km),
        &chart,
        &format!(
            "Running distance per pair (the {MAX_PAIRS} most used), from the export's gear or \
             the gear log; the list below has the full names, numbered as the bars are when a name \
             does not fit."
        ),
        " class=\"shoes\"",
    );
    format!("<h2>Shoes</h2>\n{figure}{}", bars.list())
}

/// The pairs charted, most used first, and the chart's scale.
struct Bars<'t> {
    /// At most [`MAX_PAIRS`], by distance, longest first.
    pairs: Vec<&'t GearRow>,
    /// The retirement distance, km.
    retire_km: f64,
    /// The top of the distance axis, km.
    max_km: f64,
}

impl<'t> Bars<'t> {
    fn new(t: &'t Tables, th: &Thresholds) -> Bars<'t> {
        let mut pairs: Vec<_> = t.gear.iter().collect();
        pairs.sort_by(|a, b| b.distance_m.total_cmp(&a.distance_m));
        pairs.truncate(MAX_PAIRS);
        let retire_km = th.retire_m / 1000.0;
        let max_km = pairs
            .iter()
            .map(|p| p.distance_m / 1000.0)
            .fold(retire_km, f64::max)
            * 1.1;
        Bars {
            pairs,
            retire_km,
            max_km,
        }
    }

    /// Draws a bar per pair (red past the retirement distance, grey when retired) and the
    /// retirement distance across them.
    fn draw(&self, root: &Area<'_>, layout: Layout) -> ChartResult {
        let (retire_km, n) = (self.retire_km, self.pairs.len() as f64);
        let mut c = chart::builder(root, layout, false, false)
            .x_label_area_size(layout.font * 2 + 10)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..self.max_km)?;
        // Names are cut to the width of a bar's slot (a character is about 0.6 of the font
        // wide); where fewer than 6 characters fit, the bars carry the numbers of the list.
        let keep = (layout.plot_w() / n / (0.6 * layout.font as f64 / 1.24)) as usize;
        c.configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE.mix(0.0))
            .label_style(layout.label())
            .axis_desc_style(layout.label())
            .x_labels(self.pairs.len())
            .x_label_formatter(&|x| self.name_at(*x, keep))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("km")
            .draw()?;
        c.draw_series(self.pairs.iter().enumerate().map(|(i, p)| {
            let x = i as f64;
            let km = p.distance_m / 1000.0;
            let colour = if km > retire_km { RED } else { BLUE };
            let colour = if p.retired.is_some() { GREY } else { colour };
            Rectangle::new([(x - 0.35, 0.0), (x + 0.35, km)], colour.mix(0.6).filled())
        }))?;
        c.draw_series(LineSeries::new(
            [(-0.5, retire_km), (n - 0.5, retire_km)],
            RED.stroke_width(2),
        ))?;
        Ok(())
    }

    /// The label under the bar at `x`: the pair's name cut to `keep` characters, or its number
    /// in the list when fewer than 6 fit; nothing between bars.
    fn name_at(&self, x: f64, keep: usize) -> String {
        let i = x.round();
        if (x - i).abs() > 0.01 || i < 0.0 {
            return String::new();
        }
        self.pairs
            .get(i as usize)
            .map(|p| {
                if keep >= 6 {
                    p.gear.chars().take(keep).collect()
                } else {
                    format!("{}", i as usize + 1)
                }
            })
            .unwrap_or_default()
    }

    /// The numbered list of the pairs under the chart, with their full names.
    fn list(&self) -> String {
        let mut list = String::from("<ol>\n");
        for p in &self.pairs {
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
        list.push_str("</ol>\n");
        list
    }
}

/// The chart's legend.
fn legend(retire_km: f64) -> [(Mark, String); 4] {
    [
        (Mark::Box(chart::tint(BLUE, 0.6)), "in use".into()),
        (
            Mark::Box(chart::tint(RED, 0.6)),
            "past the retirement distance".into(),
        ),
        (
            Mark::Box(chart::tint(GREY, 0.6)),
            "retired in the gear log".into(),
        ),
        (
            Mark::Line(RED),
            format!("retirement distance, {retire_km:.0} km"),
        ),
    ]
}
