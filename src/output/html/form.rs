//! The page's running-form charts over the whole history: cadence per run, downhill against
//! flat cadence, and the surface mix per year.

use plotters::prelude::*;

use super::chart::{self, Mark, Pieces, BLUE, DARK_RED, GREEN, GREY};
use super::Runs;
use crate::model::Surface;

const SURFACE_COLOURS: [RGBColor; 6] = [
    RGBColor(120, 120, 120),
    RGBColor(46, 139, 87),
    RGBColor(192, 57, 43),
    RGBColor(52, 101, 164),
    RGBColor(142, 68, 173),
    RGBColor(200, 200, 200),
];

/// Dot radius in the wide and the narrow layout.
fn radius(layout: chart::Layout) -> i32 {
    if layout.w >= chart::WIDE.w {
        4
    } else {
        3
    }
}

pub(super) fn cadence(r: &Runs, low: f64) -> Pieces<'_> {
    let pts = &r.cadence;
    if pts.is_empty() {
        return Box::new(std::iter::empty());
    }
    // Room at both ends of both axes: a dot at an extreme is drawn whole.
    let (x0, x1) = chart::range(pts.iter().map(|p| p.0), 0.02, 0.05);
    let (y0, y1) = chart::range(pts.iter().map(|p| p.1).chain([low]), 0.06, 2.0);
    let span = x1 - x0;
    let draw = move |root: &chart::Area<'_>, layout: chart::Layout| {
        let mut c = chart::years(root, layout, (x0, x1), (y0, y1), span, "steps/min")?;
        c.draw_series(LineSeries::new(
            [(x0, low), (x1, low)],
            DARK_RED.stroke_width(2),
        ))?;
        let r = radius(layout);
        c.draw_series(
            pts.iter()
                .map(|&p| Circle::new(p, r, BLUE.mix(0.75).filled())),
        )?;
        Ok(())
    };
    chart::figure_parts(
        "Cadence per run",
        &[
            (
                Mark::Dot(BLUE),
                "one run: its median cadence while running, steps/min".into(),
            ),
            (
                Mark::Line(DARK_RED),
                format!("{low:.0} steps/min, the low-cadence line"),
            ),
        ],
        draw,
        "Runs with cadence recorded per second, over the whole history.",
        &format!(" class=\"cadence\" data-runs=\"{}\"", pts.len()),
    )
}

pub(super) fn downhill(r: &Runs) -> Pieces<'_> {
    let pts = &r.downhill;
    if pts.is_empty() {
        return Box::new(std::iter::empty());
    }
    let (lo, hi) = chart::range(pts.iter().flat_map(|p| [p.0, p.1]), 0.06, 2.0);
    let draw = move |root: &chart::Area<'_>, layout: chart::Layout| {
        let mut c = chart::builder(root, layout, false, true).build_cartesian_2d(lo..hi, lo..hi)?;
        c.configure_mesh()
            .label_style(layout.label())
            .axis_desc_style(layout.label())
            .light_line_style(WHITE.mix(0.0))
            .x_labels(layout.x_labels + 1)
            .y_labels(layout.x_labels + 1)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("flat, steps/min")
            .y_desc("downhill, steps/min")
            .draw()?;
        c.draw_series(LineSeries::new([(lo, lo), (hi, hi)], GREY.stroke_width(2)))?;
        let r = radius(layout);
        c.draw_series(
            pts.iter()
                .map(|&p| Circle::new(p, r, GREEN.mix(0.8).filled())),
        )?;
        Ok(())
    };
    chart::figure_parts(
        "Downhill against flat cadence",
        &[
            (
                Mark::Dot(GREEN),
                "one run with downhill and flat stretches".into(),
            ),
            (Mark::Line(GREY), "same cadence on both".into()),
        ],
        draw,
        "Below the grey line, cadence drops on descents: longer steps brake harder.",
        " class=\"downhill\"",
    )
}

/// Distance per surface per calendar year, m, in [`Surface::ALL`] order.
fn surface_years(r: &Runs) -> Vec<(i32, [f64; Surface::ALL.len()])> {
    let m = &r.surface_years;
    let (Some(&first), Some(&last)) = (m.keys().next(), m.keys().next_back()) else {
        return Vec::new();
    };
    (first..=last)
        .map(|y| (y, m.get(&y).copied().unwrap_or_default()))
        .collect()
}

pub(super) fn surfaces(r: &Runs) -> String {
    let years = surface_years(r);
    if years.is_empty() {
        return String::new();
    }
    let n = years.len() as f64;
    let y1 = chart::top(years.iter().map(|(_, s)| s.iter().sum::<f64>() / 1000.0));
    let svg = chart::both(|root, layout| {
        let mut c = chart::builder(root, layout, false, false)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..y1)?;
        // Every year labelled when they fit, else every other or third one.
        let every = (years.len() / layout.x_labels.max(1)).max(1) + usize::from(layout.w < 500);
        chart::mesh(
            &mut c,
            layout,
            &|x| {
                let i = x.round();
                if (x - i).abs() > 0.01 || i < 0.0 || !(i as usize).is_multiple_of(every) {
                    return String::new();
                }
                years
                    .get(i as usize)
                    .map(|(y, _)| y.to_string())
                    .unwrap_or_default()
            },
            "km per year",
            None,
        )?;
        for (s, colour) in SURFACE_COLOURS.iter().enumerate() {
            c.draw_series(years.iter().enumerate().map(|(i, (_, m))| {
                let below: f64 = m[..s].iter().sum::<f64>() / 1000.0;
                let x = i as f64;
                Rectangle::new(
                    [(x - 0.38, below), (x + 0.38, below + m[s] / 1000.0)],
                    colour.filled(),
                )
            }))?;
        }
        Ok(())
    });
    let legend: Vec<(Mark, String)> = Surface::ALL
        .iter()
        .zip(SURFACE_COLOURS)
        .map(|(s, c)| (Mark::Box(c), s.as_str().to_string()))
        .collect();
    chart::figure(
        "Surfaces, year by year",
        &legend,
        &svg,
        "Distance per calendar year by surface: declared by the watch, or inferred from the \
         track (unknown: neither).",
        " class=\"surfaces\"",
    )
}
