//! The page's load section: every week of the history, a readable zoom on the last 52 weeks
//! with the acute:chronic ratio, monthly distance, and a table of yearly totals.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use plotters::prelude::*;

use super::chart::{self, Layout, Mark, BAND, BLUE, DARK_BLUE, DARK_RED, GREY, ORANGE};
use super::{escape, Runs, Thresholds};
use crate::model::{Tables, Week};

/// The zoom shows this many weeks; the weeks table and the whole-history chart hold them all.
pub(super) const RECENT_WEEKS: usize = 52;

/// The most recent weeks, for the zoomed charts.
pub(super) fn recent_weeks(t: &Tables) -> &[Week] {
    &t.weeks[t.weeks.len().saturating_sub(RECENT_WEEKS)..]
}

/// Totals of a month or a year, summed from the dated runs (as the weeks table is).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Total {
    pub(super) runs: u32,
    pub(super) distance_m: f64,
    pub(super) duration_s: f64,
    pub(super) longest_m: f64,
}

impl Total {
    pub(super) fn add(&mut self, distance_m: f64, duration_s: f64) {
        self.runs += 1;
        self.distance_m += distance_m;
        self.duration_s += duration_s;
        self.longest_m = self.longest_m.max(distance_m);
    }
}

/// Every calendar month from the first dated run to the last, months without running included,
/// keyed by (year, month).
pub(super) fn monthly(r: &Runs) -> Vec<((i32, u32), Total)> {
    let m = &r.months;
    let (Some(&first), Some(&last)) = (m.keys().next(), m.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut y, mut mo) = first;
    while (y, mo) <= last {
        out.push(((y, mo), m.get(&(y, mo)).cloned().unwrap_or_default()));
        (y, mo) = if mo == 12 { (y + 1, 1) } else { (y, mo + 1) };
    }
    out
}

/// Every calendar year from the first dated run to the last, summed from the months.
pub(super) fn yearly(months: &[((i32, u32), Total)]) -> Vec<(i32, Total)> {
    let mut out: Vec<(i32, Total)> = Vec::new();
    for ((y, _), m) in months {
        if out.last().map(|l| l.0) != Some(*y) {
            out.push((*y, Total::default()));
        }
        let year = &mut out.last_mut().expect("just pushed").1;
        year.runs += m.runs;
        year.distance_m += m.distance_m;
        year.duration_s += m.duration_s;
        year.longest_m = year.longest_m.max(m.longest_m);
    }
    out
}

/// The section: the charts and the yearly table.
pub(super) fn section(t: &Tables, r: &Runs, th: &Thresholds) -> String {
    if t.weeks.is_empty() {
        return "<h2>Load</h2>\n<p>No dated runs: nothing to chart.</p>\n".to_string();
    }
    let months = monthly(r);
    let years = yearly(&months);
    let mut o = String::from("<h2>Load</h2>\n");
    // A history of a year or less is all in the zoom.
    if t.weeks.len() > RECENT_WEEKS {
        o.push_str(&history_figure(t));
    }
    o.push_str(&recent_figure(t, th));
    o.push_str(&monotony_figure(t, th));
    o.push_str(&monthly_figure(&months));
    o.push_str(&years_table(&years, &months));
    o
}

fn km(m: f64) -> f64 {
    m / 1000.0
}

fn week_end(w: &Week) -> NaiveDate {
    w.start + Duration::days(7)
}

fn history_figure(t: &Tables) -> String {
    let weeks = &t.weeks;
    let (first, last) = (&weeks[0], &weeks[weeks.len() - 1]);
    let (x0, x1) = (
        chart::year_pos(first.start),
        chart::year_pos(week_end(last)),
    );
    let span = x1 - x0;
    let (x0, x1) = chart::range([x0, x1].into_iter(), 0.01, 0.0);
    let y1 = chart::top(weeks.iter().map(|w| km(w.distance_m)));
    let svg = chart::both(|root, layout: Layout| {
        let mut c = chart::years(root, layout, (x0, x1), (0.0, y1), span, "km per week")?;
        // A week is under a pixel wide over a long history: bars are at least two units wide
        // (neighbours then overlap, so they are opaque).
        let min_w = (x1 - x0) * 2.0 / layout.plot_w();
        c.draw_series(weeks.iter().filter(|w| w.distance_m > 0.0).map(|w| {
            let a = chart::year_pos(w.start);
            let b = chart::year_pos(week_end(w)).max(a + min_w);
            Rectangle::new(
                [(a, 0.0), (b, km(w.distance_m))],
                chart::tint(BLUE, 0.55).filled(),
            )
        }))?;
        // The 4-week average, where 28 days of history exist; broken over long breaks
        // (no running in the 28 days) rather than drawn along the axis.
        for piece in pieces(weeks.iter().map(|w| {
            let avg = km(w.chronic_28d_m) / 4.0;
            (w.chronic_complete && w.chronic_28d_m > 0.0)
                .then(|| (chart::year_pos(week_end(w)), avg))
        })) {
            c.draw_series(LineSeries::new(piece, DARK_BLUE.stroke_width(2)))?;
        }
        Ok(())
    });
    chart::figure(
        &format!("Every week, {} to {}", first.start, last.start),
        &[
            (
                Mark::Box(chart::tint(BLUE, 0.55)),
                "distance per week, km".into(),
            ),
            (
                Mark::Line(DARK_BLUE),
                "average of the last 4 weeks, km per week".into(),
            ),
        ],
        &svg,
        &format!(
            "All {} weeks from the first run to the last (local time; weeks.csv has each one). \
             Gaps are weeks without running.",
            weeks.len()
        ),
        &format!(
            " class=\"weeks-all\" data-from=\"{}\" data-to=\"{}\" data-weeks=\"{}\"",
            first.start,
            last.start,
            weeks.len()
        ),
    )
}

/// Splits optional points into runs of consecutive defined ones.
fn pieces(points: impl Iterator<Item = Option<(f64, f64)>>) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for p in points {
        match p {
            Some(p) => out.last_mut().expect("never empty").push(p),
            None if !out.last().expect("never empty").is_empty() => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// What the zoomed weekly charts share: the x range, the distance scale and the week labels.
pub(super) struct WeekAxis {
    pub(super) n: f64,
    pub(super) max_km: f64,
    starts: Vec<NaiveDate>,
}

impl WeekAxis {
    pub(super) fn new(weeks: &[Week]) -> Self {
        WeekAxis {
            n: weeks.len().max(1) as f64,
            max_km: chart::top(weeks.iter().map(|w| km(w.distance_m))),
            starts: weeks.iter().map(|w| w.start).collect(),
        }
    }

    /// The grid with week-start labels and a km axis.
    pub(super) fn mesh(&self, c: &mut chart::Chart<'_, '_>, layout: Layout) -> chart::ChartResult {
        self.mesh_as(c, layout, "km per week")
    }

    /// The grid with week-start labels and `y_desc` on the left axis.
    pub(super) fn mesh_as(
        &self,
        c: &mut chart::Chart<'_, '_>,
        layout: Layout,
        y_desc: &str,
    ) -> chart::ChartResult {
        let wide = layout.w >= chart::WIDE.w;
        chart::mesh(
            c,
            layout,
            &|x| {
                let i = x.round();
                if (x - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                self.starts
                    .get(i as usize)
                    .map(|d| {
                        d.format(if wide { "%Y-%m-%d" } else { "%b %Y" })
                            .to_string()
                    })
                    .unwrap_or_default()
            },
            y_desc,
            None,
        )
    }
}

fn recent_figure(t: &Tables, th: &Thresholds) -> String {
    let weeks = recent_weeks(t);
    let axis = WeekAxis::new(weeks);
    let max_ratio = weeks
        .iter()
        .filter_map(|w| w.acwr)
        .fold(2.0, f64::max)
        .min(4.0)
        * 1.05;
    let svg = chart::both(|root, layout| {
        let n = axis.n;
        let mut c = chart::builder(root, layout, true, false)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..axis.max_km)?
            .set_secondary_coord(-0.5..n - 0.5, 0.0..max_ratio);
        axis.mesh(&mut c, layout)?;
        chart::right_axis(&mut c, layout, "acute:chronic", 1)?;
        c.draw_secondary_series(std::iter::once(Rectangle::new(
            [(-0.5, th.acwr_low), (n - 0.5, th.acwr_high)],
            BAND.mix(0.6).filled(),
        )))?;
        c.draw_series(weeks.iter().enumerate().map(|(i, w)| {
            let x = i as f64;
            Rectangle::new(
                [(x - 0.38, 0.0), (x + 0.38, km(w.distance_m))],
                BLUE.mix(0.8).filled(),
            )
        }))?;
        // The ratio breaks where it is undefined (no running in the last 28 days, or not yet
        // 28 days of history) rather than bridging the gap.
        for piece in pieces(weeks.iter().enumerate().map(|(i, w)| {
            w.acwr
                .filter(|_| w.chronic_complete)
                .map(|r| (i as f64, r.min(max_ratio)))
        })) {
            c.draw_secondary_series(LineSeries::new(piece, ORANGE.stroke_width(2)))?;
        }
        Ok(())
    });
    let (from, to) = (weeks[0].start, weeks[weeks.len() - 1].start);
    chart::figure(
        &format!("The last {} weeks, {from} to {to}", weeks.len()),
        &[
            (Mark::Box(BLUE), "distance per week, km (left axis)".into()),
            (
                Mark::Line(ORANGE),
                "acute:chronic ratio (right axis)".into(),
            ),
            (
                Mark::Box(BAND),
                format!("{:.1}–{:.1}, the usual range", th.acwr_low, th.acwr_high),
            ),
        ],
        &svg,
        "The acute:chronic ratio is this week's distance against the average week of the last \
         four; it is shown once 28 days of history exist and breaks off after four weeks \
         without running.",
        &format!(" class=\"weeks-recent\" data-from=\"{from}\" data-to=\"{to}\""),
    )
}

/// Monotony and strain of the recent weeks: strain as bars, monotony as a line against its
/// threshold. Nothing when no recent week has a monotony (no running).
fn monotony_figure(t: &Tables, th: &Thresholds) -> String {
    let weeks = recent_weeks(t);
    if weeks.iter().all(|w| w.monotony.is_none()) {
        return String::new();
    }
    let axis = WeekAxis::new(weeks);
    let max_strain = chart::top(weeks.iter().filter_map(|w| w.strain_km));
    let max_m = weeks
        .iter()
        .filter_map(|w| w.monotony)
        .fold(th.monotony_max * 1.5, f64::max)
        * 1.05;
    let svg = chart::both(|root, layout| {
        let n = axis.n;
        let mut c = chart::builder(root, layout, true, false)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..max_strain)?
            .set_secondary_coord(-0.5..n - 0.5, 0.0..max_m);
        axis.mesh_as(&mut c, layout, "strain, km")?;
        chart::right_axis(&mut c, layout, "monotony", 1)?;
        c.draw_series(weeks.iter().enumerate().filter_map(|(i, w)| {
            let x = i as f64;
            let colour = if w.flag_monotony { ORANGE } else { GREY };
            w.strain_km
                .map(|s| Rectangle::new([(x - 0.38, 0.0), (x + 0.38, s)], colour.mix(0.5).filled()))
        }))?;
        c.draw_secondary_series(LineSeries::new(
            [(-0.5, th.monotony_max), (n - 0.5, th.monotony_max)],
            DARK_RED.stroke_width(1),
        ))?;
        for piece in pieces(
            weeks
                .iter()
                .enumerate()
                .map(|(i, w)| w.monotony.map(|m| (i as f64, m))),
        ) {
            c.draw_secondary_series(LineSeries::new(piece, DARK_BLUE.stroke_width(2)))?;
        }
        Ok(())
    });
    let (from, to) = (weeks[0].start, weeks[weeks.len() - 1].start);
    let flagged = weeks.iter().filter(|w| w.flag_monotony).count();
    chart::figure(
        &format!("How evenly the load was spread, {from} to {to}"),
        &[
            (
                Mark::Box(chart::tint(GREY, 0.5)),
                "strain: km × monotony (left axis)".into(),
            ),
            (
                Mark::Box(chart::tint(ORANGE, 0.5)),
                "a week of high monotony with strain above the usual".into(),
            ),
            (Mark::Line(DARK_BLUE), "monotony (right axis)".into()),
            (
                Mark::Line(DARK_RED),
                format!("monotony {:.1}", th.monotony_max),
            ),
        ],
        &svg,
        "Monotony is a week's mean daily distance over the spread of its seven daily distances \
         (Foster 1998): hard days and easy days keep it low; much the same distance every day \
         raises it. Strain is the week's distance times its monotony.",
        &format!(
            " class=\"monotony\" data-from=\"{from}\" data-to=\"{to}\" data-flagged=\"{flagged}\""
        ),
    )
}

fn monthly_figure(months: &[((i32, u32), Total)]) -> String {
    let pos = |y: i32, m: u32| y as f64 + (m - 1) as f64 / 12.0;
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return String::new();
    };
    let (x0, x1) = (
        pos(first.0 .0, first.0 .1),
        pos(last.0 .0, last.0 .1) + 1.0 / 12.0,
    );
    let span = x1 - x0;
    let (x0, x1) = chart::range([x0, x1].into_iter(), 0.01, 0.0);
    let y1 = chart::top(months.iter().map(|(_, m)| km(m.distance_m)));
    let svg = chart::both(|root, layout| {
        let mut c = chart::years(root, layout, (x0, x1), (0.0, y1), span, "km per month")?;
        let bar = (0.8 / 12.0f64).max((x1 - x0) * 2.0 / layout.plot_w());
        c.draw_series(
            months
                .iter()
                .filter(|(_, m)| m.runs > 0)
                .map(|((y, mo), m)| {
                    let x = pos(*y, *mo) + 0.5 / 12.0 - bar / 2.0;
                    Rectangle::new([(x, 0.0), (x + bar, km(m.distance_m))], GREENISH.filled())
                }),
        )?;
        Ok(())
    });
    chart::figure(
        "Distance per month",
        &[(
            Mark::Box(GREENISH),
            "distance per calendar month, km".into(),
        )],
        &svg,
        "Calendar months by the local day of each run; the table below has the numbers.",
        &format!(" class=\"months\" data-months=\"{}\"", months.len()),
    )
}

const GREENISH: RGBColor = RGBColor(62, 150, 120);

fn hours(s: f64) -> String {
    let m = (s / 60.0).round() as i64;
    format!("{}:{:02}", m / 60, m % 60)
}

fn years_table(years: &[(i32, Total)], months: &[((i32, u32), Total)]) -> String {
    let mut o = String::from(
        "<h3>Year by year</h3>\n<div class=\"scroll\"><table class=\"years\"><thead><tr>\
         <th>Year</th><th>Runs</th><th>km</th><th>km/wk</th><th>h:mm</th>\
         <th>Longest, km</th></tr></thead><tbody>\n",
    );
    for (y, t) in years.iter().rev() {
        // Weeks of the year that fall in the history: a first or last year counts only its
        // months with history.
        let n_months = months.iter().filter(|((yy, _), _)| yy == y).count();
        let weeks = n_months as f64 * 52.18 / 12.0;
        let _ = writeln!(
            o,
            "<tr data-year=\"{y}\" data-runs=\"{}\" data-m=\"{:.1}\"><td>{y}</td><td>{}</td>\
             <td>{:.0}</td><td>{:.1}</td><td>{}</td><td>{:.1}</td></tr>",
            t.runs,
            t.distance_m,
            t.runs,
            km(t.distance_m),
            km(t.distance_m) / weeks,
            hours(t.duration_s),
            km(t.longest_m),
        );
    }
    o.push_str("</tbody></table></div>\n<details><summary>Month by month</summary>\n");
    o.push_str(
        "<div class=\"scroll\"><table class=\"months\"><thead><tr><th>Month</th><th>Runs</th>\
         <th>km</th><th>h:mm</th><th>Longest, km</th></tr></thead><tbody>\n",
    );
    for ((y, m), t) in months.iter().rev() {
        let _ = writeln!(
            o,
            "<tr data-month=\"{y}-{m:02}\" data-runs=\"{}\" data-m=\"{:.1}\"><td>{y}-{m:02}</td>\
             <td>{}</td><td>{:.1}</td><td>{}</td><td>{:.1}</td></tr>",
            t.runs,
            t.distance_m,
            t.runs,
            km(t.distance_m),
            hours(t.duration_s),
            km(t.longest_m),
        );
    }
    let _ = write!(
        o,
        "</tbody></table></div></details>\n<p><small>{}</small></p>\n",
        escape(
            "km/wk: the year's distance over its weeks in the history (a first or last year counts \
             only its months with history); h:mm: timer time. Runs without a date are in \
             activities.csv but not here."
        )
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_break_at_gaps() {
        let p = pieces(
            [
                None,
                Some((0.0, 1.0)),
                Some((1.0, 1.0)),
                None,
                None,
                Some((4.0, 2.0)),
            ]
            .into_iter(),
        );
        assert_eq!(p, vec![vec![(0.0, 1.0), (1.0, 1.0)], vec![(4.0, 2.0)]]);
    }

    #[test]
    fn years_sum_their_months_and_keep_the_longest() {
        let t = |runs, d: f64| Total {
            runs,
            distance_m: d,
            duration_s: d,
            longest_m: d / runs.max(1) as f64,
        };
        let months = vec![
            ((2019, 12), t(2, 20_000.0)),
            ((2020, 1), t(0, 0.0)),
            ((2020, 2), t(1, 5_000.0)),
            ((2020, 3), t(4, 40_000.0)),
        ];
        let years = yearly(&months);
        assert_eq!(years.len(), 2);
        assert_eq!(years[0].0, 2019);
        assert_eq!(years[1].0, 2020);
        assert_eq!(years[1].1.runs, 5);
        assert_eq!(years[1].1.distance_m, 45_000.0);
        assert_eq!(years[1].1.longest_m, 10_000.0);
    }
}
