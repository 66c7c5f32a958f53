//! The page's pain section: the diary's scores against weekly distance on one time line, and
//! each pain finding with what preceded it. Empty without a diary.

use std::fmt::Write as _;

use chrono::NaiveDate;
use plotters::prelude::*;

use super::chart::{self, Area, ChartResult, Layout, Mark, BLUE, GREEN, ORANGE};
use super::load::{recent_weeks, WeekAxis};
use super::{escape, Thresholds};
use crate::model::{Rule, Tables, Week};

/// The section's HTML: the chart when a diary row falls in the charted weeks, and the
/// episodes (pain findings) of the whole history; nothing without either.
pub(super) fn section(t: &Tables, th: &Thresholds) -> String {
    let chart = figure(t, th).unwrap_or_default();
    let episodes = episodes(t);
    if chart.is_empty() && episodes.is_empty() {
        return String::new();
    }
    format!("<h2>Pain</h2>\n{chart}{episodes}")
}

/// The weeks the chart spans: the last 52, or from the diary's first day when it began
/// earlier, so that every diary day (and every pain episode) is on it.
pub(super) fn charted_weeks(t: &Tables) -> &[Week] {
    let recent = recent_weeks(t);
    let from = match (t.diary.first(), recent.first()) {
        (Some(d), Some(w)) if d.date < w.start => t
            .weeks
            .partition_point(|w| w.start + chrono::Duration::days(7) <= d.date),
        _ => t.weeks.len() - recent.len(),
    };
    &t.weeks[from..]
}

/// The chart with its caption, or `None` without diary rows.
fn figure(t: &Tables, th: &Thresholds) -> Option<String> {
    let chart = PainChart::new(t, th)?;
    let svg = chart::both(|root, layout| chart.draw(root, layout));
    Some(chart::figure(
        "Pain and weekly distance",
        &legend(th),
        &svg,
        &format!(
            "The {} weeks from {}, every diary day among them. Dots: green at or below \
             {:.0}/10, orange above it, red from {:.0}/10; a score worse overnight is also a \
             finding.",
            chart.weeks.len(),
            chart.w0,
            th.pain_threshold,
            th.pain_high
        ),
        " class=\"pain\"",
    ))
}

/// What the pain chart draws: the weeks' distance as bars, the diary days as dots on them.
struct PainChart<'t> {
    weeks: &'t [Week],
    /// The first charted week's start.
    w0: NaiveDate,
    axis: WeekAxis,
    /// Each diary day from `w0`: its x (inside its week's bar) and its worst score.
    points: Vec<(f64, f64)>,
    th: &'t Thresholds,
}

impl<'t> PainChart<'t> {
    /// The chart of the charted weeks, or `None` when no diary day falls in them.
    fn new(t: &'t Tables, th: &'t Thresholds) -> Option<PainChart<'t>> {
        let weeks = charted_weeks(t);
        let w0 = weeks.first()?.start;
        // Each diary day sits inside its week's bar: x = week index − 0.5 + (weekday + 0.5) / 7.
        let points: Vec<(f64, f64)> = t
            .diary
            .iter()
            .filter(|d| d.date >= w0)
            .map(|d| {
                let days = (d.date - w0).num_days() as f64;
                ((days + 0.5) / 7.0 - 0.5, d.worst())
            })
            .collect();
        if points.is_empty() {
            return None;
        }
        Some(PainChart {
            weeks,
            w0,
            axis: WeekAxis::new(weeks),
            points,
            th,
        })
    }

    /// Draws the weekly distance (left axis), the two pain levels and the diary's dots (right
    /// axis, 0–10).
    fn draw(&self, root: &Area<'_>, layout: Layout) -> ChartResult {
        let (n, th) = (self.axis.n, self.th);
        let mut c = chart::builder(root, layout, true, false)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..self.axis.max_km)?
            .set_secondary_coord(-0.5..n - 0.5, 0.0..10.6);
        self.axis.mesh(&mut c, layout)?;
        chart::right_axis(&mut c, layout, "pain, 0–10", 0)?;
        c.draw_series(self.weeks.iter().enumerate().map(|(i, w)| {
            let x = i as f64;
            Rectangle::new(
                [(x - 0.38, 0.0), (x + 0.38, w.distance_m / 1000.0)],
                BLUE.mix(0.35).filled(),
            )
        }))?;
        for (level, colour) in [(th.pain_threshold, ORANGE), (th.pain_high, RED)] {
            c.draw_secondary_series(LineSeries::new(
                [(-0.5, level), (n - 0.5, level)],
                colour.stroke_width(1),
            ))?;
        }
        c.draw_secondary_series(
            self.points
                .iter()
                .map(|&(x, p)| Circle::new((x, p), 4, dot_colour(p, th).filled())),
        )?;
        Ok(())
    }
}

/// A diary day's dot: green at or below the pain threshold, orange above it, red from "back
/// off".
fn dot_colour(p: f64, th: &Thresholds) -> RGBColor {
    if p >= th.pain_high {
        RED
    } else if p > th.pain_threshold {
        ORANGE
    } else {
        GREEN
    }
}

/// The chart's legend.
fn legend(th: &Thresholds) -> [(Mark, String); 4] {
    [
        (
            Mark::Box(chart::tint(BLUE, 0.35)),
            "distance per week, km (left axis)".into(),
        ),
        (
            Mark::Dot(ORANGE),
            "diary day: the worst of during and next morning (right axis)".into(),
        ),
        (
            Mark::Line(ORANGE),
            format!("pain {:.0}/10: above it is a finding", th.pain_threshold),
        ),
        (
            Mark::Line(RED),
            format!("pain {:.0}/10: back off", th.pain_high),
        ),
    ]
}

/// Each pain finding, oldest first, with what preceded it.
fn episodes(t: &Tables) -> String {
    let mut o = String::new();
    let mut episodes: Vec<_> = t.findings.iter().filter(|f| f.rule == Rule::Pain).collect();
    episodes.sort_by_key(|f| f.first);
    if !episodes.is_empty() {
        o.push_str("<p>What preceded each episode:</p>\n<ul>\n");
        for f in episodes {
            let before = if f.preceded_by.is_empty() {
                "nothing in the load stands out".to_string()
            } else {
                f.preceded_by
                    .iter()
                    .map(|p| escape(p))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let when = match (f.first, f.last) {
                (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
                (Some(a), _) => a.to_string(),
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "<li><b>{when}</b> {}<br/><small>Before it: {before}</small></li>",
                escape(&f.message),
            );
        }
        o.push_str("</ul>\n");
    }
    o
}
