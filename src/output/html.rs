//! `report.html`: one self-contained page (no scripts, fonts or anything fetched) with the
//! charts a runner looks at and the findings table. Charts are drawn with plotters' SVG backend
//! and inlined; the page reflows to a phone's width.

mod gear;
mod pain;

use std::fmt::Write as _;

use chrono::NaiveDate;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::model::{CadenceSource, Severity, Surface, Tables, Week};

/// The thresholds the page draws: the acute:chronic band and the low-cadence line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Thresholds {
    /// Lower edge of the acute:chronic band.
    pub(crate) acwr_low: f64,
    /// Upper edge of the acute:chronic band.
    pub(crate) acwr_high: f64,
    /// The low-cadence line, steps/min.
    pub(crate) low_cadence_spm: f64,
    /// Diary pain above this is a finding (0–10).
    pub(crate) pain_threshold: f64,
    /// …and at or above this, back off.
    pub(crate) pain_high: f64,
    /// A pair past this running distance is a finding, m.
    pub(crate) retire_m: f64,
}

const W: u32 = 640;
const H: u32 = 400;
/// Axis labels are drawn large: the charts shrink to a phone's width.
const LABEL: (&str, u32) = ("sans-serif", 15);
const BLUE: RGBColor = RGBColor(52, 101, 164);
const ORANGE: RGBColor = RGBColor(230, 126, 34);
const GREEN: RGBColor = RGBColor(46, 139, 87);
const GREY: RGBColor = RGBColor(150, 150, 150);
const BAND: RGBColor = RGBColor(200, 230, 201);
const SURFACE_COLOURS: [RGBColor; 6] = [
    RGBColor(120, 120, 120),
    RGBColor(46, 139, 87),
    RGBColor(192, 57, 43),
    RGBColor(52, 101, 164),
    RGBColor(142, 68, 173),
    RGBColor(200, 200, 200),
];

/// Weekly charts show the most recent weeks; the weeks table holds them all.
const CHART_WEEKS: usize = 52;

/// The most recent weeks, for the weekly charts.
fn recent_weeks(t: &Tables) -> &[Week] {
    &t.weeks[t.weeks.len().saturating_sub(CHART_WEEKS)..]
}

/// What the two weekly charts share: the x range, the distance scale and the week labels.
struct WeekAxis {
    n: f64,
    max_km: f64,
    starts: Vec<String>,
}

impl WeekAxis {
    fn new(weeks: &[Week]) -> Self {
        WeekAxis {
            n: weeks.len().max(1) as f64,
            max_km: weeks
                .iter()
                .map(|w| w.distance_m / 1000.0)
                .fold(1.0, f64::max)
                * 1.15,
            starts: weeks.iter().map(|w| w.start.to_string()).collect(),
        }
    }

    /// Draws the grid with week-start labels and a km axis.
    fn mesh(&self, chart: &mut Chart<'_, '_>) -> ChartResult {
        chart
            .configure_mesh()
            .label_style(LABEL)
            .axis_desc_style(LABEL)
            .disable_x_mesh()
            .x_labels(5)
            .x_label_formatter(&|x| {
                self.starts
                    .get(x.round().max(0.0) as usize)
                    .cloned()
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("km per week")
            .draw()?;
        Ok(())
    }
}

type ChartResult = Result<(), Box<dyn std::error::Error>>;

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The series legend, boxed, in large type.
fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, position: SeriesLabelPosition) -> ChartResult {
    chart
        .configure_series_labels()
        .label_font(LABEL)
        .background_style(WHITE.mix(0.8))
        .border_style(GREY)
        .position(position)
        .draw()?;
    Ok(())
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

fn day_number(d: NaiveDate) -> f64 {
    (d - epoch()).num_days() as f64
}

fn day_label(x: f64) -> String {
    (epoch() + chrono::Duration::days(x.round() as i64))
        .format("%Y-%m-%d")
        .to_string()
}

/// Draws into an SVG string.
fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> ChartResult) -> String {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (W, H)).into_drawing_area();
        let _ = root.fill(&WHITE);
        if let Err(e) = draw(&root) {
            return format!(
                "<p class=\"err\">chart not drawn: {}</p>",
                escape(&e.to_string())
            );
        }
        let _ = root.present();
    }
    buf
}

fn weekly_chart(t: &Tables, th: &Thresholds) -> String {
    let axis = WeekAxis::new(recent_weeks(t));
    let weeks = recent_weeks(t);
    svg(|root| {
        let n = axis.n;
        let max_ratio = weeks
            .iter()
            .filter_map(|w| w.acwr)
            .fold(2.0, f64::max)
            .min(4.0);
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Weekly distance and acute:chronic ratio",
                ("sans-serif", 22),
            )
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .right_y_label_area_size(60)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..axis.max_km)?
            .set_secondary_coord(-0.5..n - 0.5, 0.0..max_ratio);
        axis.mesh(&mut chart)?;
        chart
            .configure_secondary_axes()
            .label_style(LABEL)
            .axis_desc_style(LABEL)
            .y_label_formatter(&|y| format!("{y:.1}"))
            .y_desc("acute:chronic")
            .draw()?;
        chart.draw_secondary_series(std::iter::once(Rectangle::new(
            [(-0.5, th.acwr_low), (n - 0.5, th.acwr_high)],
            BAND.mix(0.5).filled(),
        )))?;
        chart
            .draw_series(weeks.iter().enumerate().map(|(i, w)| {
                let x = i as f64;
                Rectangle::new(
                    [(x - 0.38, 0.0), (x + 0.38, w.distance_m / 1000.0)],
                    BLUE.mix(0.8).filled(),
                )
            }))?
            .label("distance (km)")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BLUE.filled()));
        // The ratio line breaks where it is undefined (no running in the last 28 days, or not
        // yet 28 days of history) rather than bridging the gap.
        let mut pieces: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, w) in weeks.iter().enumerate() {
            match w.acwr.filter(|_| w.chronic_complete) {
                Some(r) => pieces
                    .last_mut()
                    .expect("never empty")
                    .push((i as f64, r.min(max_ratio))),
                None if !pieces.last().expect("never empty").is_empty() => pieces.push(Vec::new()),
                None => {}
            }
        }
        for (k, piece) in pieces.into_iter().filter(|p| !p.is_empty()).enumerate() {
            let series =
                chart.draw_secondary_series(LineSeries::new(piece, ORANGE.stroke_width(2)))?;
            if k == 0 {
                series
                    .label(format!(
                        "acute:chronic ({:.1}–{:.1} band shaded)",
                        th.acwr_low, th.acwr_high
                    ))
                    .legend(|(x, y)| {
                        PathElement::new([(x, y), (x + 14, y)], ORANGE.stroke_width(2))
                    });
            }
        }
        chart
            .configure_series_labels()
            .label_font(LABEL)
            .background_style(WHITE.mix(0.8))
            .border_style(GREY)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
        Ok(())
    })
}

fn cadence_chart(t: &Tables, low: f64) -> String {
    let pts: Vec<(f64, f64)> = t
        .activities
        .iter()
        .filter(|a| a.run.cadence_source == Some(CadenceSource::Records))
        .filter_map(|a| Some((day_number(a.local_day?), a.run.cadence_spm?)))
        .collect();
    svg(|root| {
        let (x0, x1) = range(pts.iter().map(|p| p.0), 3.0);
        let (y0, y1) = range(pts.iter().map(|p| p.1).chain([low]), 5.0);
        let mut chart = ChartBuilder::on(root)
            .caption("Cadence per run", ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .label_style(LABEL)
            .axis_desc_style(LABEL)
            .x_labels(4)
            .x_label_formatter(&|x| day_label(*x))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("steps/min (median of the run)")
            .draw()?;
        chart
            .draw_series(LineSeries::new([(x0, low), (x1, low)], RED.stroke_width(2)))?
            .label(format!("{low:.0} spm"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], RED.stroke_width(2)));
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 3, BLUE.filled())))?
            .label("run")
            .legend(|(x, y)| Circle::new((x + 6, y), 3, BLUE.filled()));
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

fn downhill_chart(t: &Tables) -> String {
    let pts: Vec<(f64, f64)> = t
        .activities
        .iter()
        .filter_map(|a| {
            let d = &a.run.downhill;
            Some((d.flat_cadence_spm?, d.downhill_cadence_spm?))
        })
        .collect();
    svg(|root| {
        let (lo, hi) = range(pts.iter().flat_map(|p| [p.0, p.1]), 5.0);
        let mut chart = ChartBuilder::on(root)
            .caption("Downhill vs flat cadence per run", ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, lo..hi)?;
        chart
            .configure_mesh()
            .label_style(LABEL)
            .axis_desc_style(LABEL)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("flat cadence (spm)")
            .y_desc("downhill cadence (spm)")
            .draw()?;
        chart
            .draw_series(LineSeries::new([(lo, lo), (hi, hi)], GREY.stroke_width(1)))?
            .label("same cadence (below the line: cadence drops downhill)")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], GREY));
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 4, GREEN.filled())))?
            .label("run")
            .legend(|(x, y)| Circle::new((x + 6, y), 4, GREEN.filled()));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

fn surface_chart(t: &Tables) -> String {
    let axis = WeekAxis::new(recent_weeks(t));
    let weeks = recent_weeks(t);
    svg(|root| {
        let n = axis.n;
        let mut chart = ChartBuilder::on(root)
            .caption("Surface mix per week", ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..axis.max_km)?;
        axis.mesh(&mut chart)?;
        for (s, surface) in Surface::ALL.iter().enumerate() {
            let colour = SURFACE_COLOURS[s];
            chart
                .draw_series(weeks.iter().enumerate().map(|(i, w)| {
                    let below: f64 = w.surface_m[..s].iter().sum::<f64>() / 1000.0;
                    let x = i as f64;
                    Rectangle::new(
                        [
                            (x - 0.38, below),
                            (x + 0.38, below + w.surface_m[s] / 1000.0),
                        ],
                        colour.filled(),
                    )
                }))?
                .label(surface.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled())
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

/// A padded range over values (a unit range around 0 when there are none).
fn range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo.is_finite() {
        (lo - pad, hi + pad)
    } else {
        (0.0, 1.0)
    }
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
margin:0 auto;max-width:920px;padding:12px;color:#222;line-height:1.45}\
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.15em;margin-top:1.6em}\
figure{margin:1em 0}svg{width:100%;height:auto}\
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.6em .8em}\
.stats{display:flex;flex-wrap:wrap;gap:.5em 1.5em;padding:0;list-style:none}\
.stats b{display:block;font-size:1.3em}\
.finding{border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;\
padding:.4em .8em;margin:.6em 0}.finding p{margin:.3em 0}.finding small{overflow-wrap:anywhere}\
.finding.high{border-left-color:#b00020}.finding.watch{border-left-color:#e69500}\
.head{font-size:.9em;color:#444}.sev{font-weight:bold;text-transform:uppercase}\
.high .sev{color:#b00020}.watch .sev{color:#a15c00}.advice{font-style:italic}\
small{color:#555}";

/// Renders the whole page.
pub(crate) fn render(t: &Tables, th: &Thresholds) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>fitrisk report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Knee-load risk report</h1>\n"
    );
    let dated: Vec<NaiveDate> = t.activities.iter().filter_map(|a| a.local_day).collect();
    let km: f64 = t
        .activities
        .iter()
        .filter_map(|a| a.run.distance_m)
        .sum::<f64>()
        / 1000.0;
    let period = match (dated.iter().min(), dated.iter().max()) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => "no dated runs".to_string(),
    };
    let count = |s: Severity| t.findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        o,
        "<ul class=\"stats\"><li><b>{}</b>runs</li><li><b>{km:.0} km</b>in all</li>\
         <li><b>{}</b>period</li><li><b>{}</b>high findings</li><li><b>{}</b>to watch</li></ul>",
        t.activities.len(),
        escape(&period),
        count(Severity::High),
        count(Severity::Watch)
    );
    o.push_str(
        "<p class=\"note\">These are load heuristics drawn from your watch data, not a diagnosis. \
         The evidence that changing cadence prevents injury is still thin (Anderson et al. 2022). \
         Pain that is sharp, comes with swelling, or started with a pop needs a clinician, not a \
         chart.</p>\n",
    );
    let figure = |o: &mut String, title: &str, svg: String, caption: &str| {
        let _ = write!(
            o,
            "<h2>{}</h2>\n<figure>{svg}<figcaption><small>{}</small></figcaption></figure>\n",
            escape(title),
            escape(caption)
        );
    };
    figure(
        &mut o,
        "Weekly load",
        weekly_chart(t, th),
        &format!(
            "The last {CHART_WEEKS} weeks (all weeks are in weeks.csv). Bars: distance per week \
             (local time). Line: this week's distance against the 4-week average, shown once 28 \
             days of history exist; the shaded band is {:.1}–{:.1}.",
            th.acwr_low, th.acwr_high
        ),
    );
    o.push_str(&pain::section(t, th));
    o.push_str(&gear::section(t, th));
    figure(
        &mut o,
        "Cadence",
        cadence_chart(t, th.low_cadence_spm),
        "Each dot is one run's median cadence while running. The red line is the \
         low-cadence threshold.",
    );
    figure(
        &mut o,
        "Downhill cadence",
        downhill_chart(t),
        "Each dot is a run with downhill and flat stretches: below the grey line, your \
         cadence drops on descents (longer steps brake harder).",
    );
    figure(
        &mut o,
        "Surfaces",
        surface_chart(t),
        &format!(
            "Distance per week by surface over the last {CHART_WEEKS} weeks: declared by the \
             watch, or inferred from the track."
        ),
    );
    o.push_str("<h2>Findings</h2>\n");
    if t.findings.is_empty() {
        o.push_str("<p>Nothing to report.</p>\n");
    } else {
        for f in &t.findings {
            let _ = writeln!(
                o,
                "<div class=\"finding {sev}\"><div class=\"head\"><span class=\"sev\">{sev}</span> \
                 {date} · {rule}</div><p>{msg}</p><p class=\"advice\">{adv}</p><p><small>{key}\
                 <br/>Evidence: {ev}</small></p></div>",
                sev = f.severity.as_str(),
                date = f.date_local.map(|d| d.to_string()).unwrap_or_default(),
                msg = escape(&f.message),
                rule = f.rule.as_str(),
                key = escape(&f.key),
                adv = escape(&f.advice),
                ev = escape(&f.evidence),
            );
        }
    }
    o.push_str("<p><small>Made by fitrisk from FIT files; nothing on this page is fetched from the network.</small></p>\n</body>\n</html>\n");
    o
}
