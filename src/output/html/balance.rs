//! The page's contact-time balance section: each run's left-foot share of ground contact and
//! the weekly median over the weeks the pain chart spans, with the diary's pain beside it when
//! there is a diary. Empty when no run carries a balance.

use chrono::NaiveDate;
use plotters::prelude::*;

use super::chart::{self, Area, ChartResult, Layout, Mark, DARK_BLUE, GREY, ORANGE};
use super::load::WeekAxis;
use super::pain::charted_weeks;
use super::Thresholds;
use crate::model::{Rule, Tables, Week};

/// The section's HTML, or nothing when no charted run carries a balance.
pub(super) fn section(t: &Tables, th: &Thresholds) -> String {
    let Some(chart) = BalanceChart::new(t) else {
        return String::new();
    };
    let svg = chart::both(|root, layout| chart.draw(root, layout));
    let with_pain = !chart.pain.is_empty();
    let mut legend = vec![
        (Mark::Dot(GREY), "a run's median balance, % left".into()),
        (
            Mark::Dot(ORANGE),
            format!(
                "a run in a shift of more than {:.1} points from the usual",
                th.gct_balance_shift_pct
            ),
        ),
        (Mark::Line(DARK_BLUE), "the week's median, % left".into()),
        (Mark::Line(GREY), "50 %: even".into()),
    ];
    if with_pain {
        legend.push((
            Mark::Dot(RED),
            "diary day with pain, 0–10 (right axis)".into(),
        ));
    }
    let shifts = t
        .findings
        .iter()
        .filter(|f| f.rule == Rule::GctBalance)
        .count();
    format!(
        "<h2>Contact-time balance</h2>\n{}",
        chart::figure(
            if with_pain {
                "Contact-time balance and pain"
            } else {
                "Contact-time balance"
            },
            &legend,
            &svg,
            &format!(
                "The left foot's share of ground contact time (a chest strap or foot pod with \
                 running dynamics), in the {} weeks from {}. Garmin calls up to 50.7 % to \
                 either side balanced; what matters here is a move away from your own usual \
                 that lasts, as a limp would make. A heuristic, not a diagnosis: balance also \
                 drifts on hills and with fatigue.",
                chart.weeks.len(),
                chart.w0
            ),
            &format!(
                " class=\"balance\" data-runs=\"{}\" data-shifts=\"{shifts}\"",
                chart.runs.len()
            ),
        )
    )
}

/// What the chart draws.
struct BalanceChart<'t> {
    weeks: &'t [Week],
    w0: NaiveDate,
    axis: WeekAxis,
    /// Each run from `w0` with a balance: its x, its balance, and whether it is in a shift.
    runs: Vec<(f64, f64, bool)>,
    /// Each diary day from `w0` with pain: its x and its worst score.
    pain: Vec<(f64, f64)>,
    /// The y range, % left.
    y: (f64, f64),
}

impl<'t> BalanceChart<'t> {
    fn new(t: &'t Tables) -> Option<BalanceChart<'t>> {
        let weeks = charted_weeks(t);
        let w0 = weeks.first()?.start;
        let x = |d: NaiveDate| ((d - w0).num_days() as f64 + 0.5) / 7.0 - 0.5;
        let runs: Vec<(f64, f64, bool)> = t
            .activities
            .iter()
            .filter_map(|a| {
                let day = a.local_day.filter(|&d| d >= w0)?;
                let b = a.run.gct_balance_left_pct.get()?;
                let shifted = t.gct_shifts.iter().any(|s| s == t.source_of(a));
                Some((x(day), b, shifted))
            })
            .collect();
        if runs.is_empty() {
            return None;
        }
        let pain = t
            .diary
            .iter()
            .filter(|d| d.date >= w0 && d.worst() > 0.0)
            .map(|d| (x(d.date), d.worst()))
            .collect();
        // At least 47–53 %, so an even balance never fills the chart.
        let (lo, hi) = runs
            .iter()
            .fold((47.0f64, 53.0f64), |(lo, hi), r| (lo.min(r.1), hi.max(r.1)));
        Some(BalanceChart {
            weeks,
            w0,
            axis: WeekAxis::new(weeks),
            runs,
            pain,
            y: ((lo - 0.5).floor(), (hi + 0.5).ceil()),
        })
    }

    fn draw(&self, root: &Area<'_>, layout: Layout) -> ChartResult {
        let n = self.axis.n;
        let mut c = chart::builder(root, layout, true, false)
            .build_cartesian_2d(-0.5..n - 0.5, self.y.0..self.y.1)?
            .set_secondary_coord(-0.5..n - 0.5, 0.0..10.6);
        self.axis.mesh_as(&mut c, layout, "left foot's share, %")?;
        if !self.pain.is_empty() {
            chart::right_axis(&mut c, layout, "pain, 0–10", 0)?;
        }
        c.draw_series(LineSeries::new(
            [(-0.5, 50.0), (n - 0.5, 50.0)],
            GREY.stroke_width(1),
        ))?;
        let medians = self
            .weeks
            .iter()
            .enumerate()
            .filter_map(|(i, w)| w.gct_balance_left_pct.map(|b| (i as f64, b)));
        c.draw_series(LineSeries::new(medians, DARK_BLUE.stroke_width(2)))?;
        c.draw_series(self.runs.iter().map(|&(x, b, shifted)| {
            let colour = if shifted { ORANGE } else { GREY };
            Circle::new((x, b), 3, colour.filled())
        }))?;
        c.draw_secondary_series(
            self.pain
                .iter()
                .map(|&(x, p)| Circle::new((x, p), 4, RED.mix(0.8).filled())),
        )?;
        Ok(())
    }
}
