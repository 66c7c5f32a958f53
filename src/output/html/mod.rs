//! `report.html`: one self-contained page (no scripts, fonts or anything fetched) for a whole
//! history: what was read, the load week by week, month by month and year by year, pain and
//! shoes when there are any, running form, and the findings grouped. Charts are drawn with
//! plotters' SVG backend, inlined twice (a wide layout and a phone one; CSS shows one), with
//! their legends in HTML above them so no legend covers data.

mod balance;
mod chart;
mod findings;
mod form;
mod gear;
mod load;
mod pain;
mod read;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use self::chart::Pieces;
use crate::model::{CadenceSource, Severity, Surface, Tables};

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
    /// A week's monotony at or above this (with the strain above the usual) is flagged.
    pub(crate) monotony_max: f64,
    /// A run's contact-time balance this many points off the usual is a shift.
    pub(crate) gct_balance_shift_pct: f64,
}

impl Thresholds {
    /// The thresholds the settings give.
    pub(crate) fn of(cfg: &crate::config::Config) -> Thresholds {
        Thresholds {
            acwr_low: cfg.load.acwr_low,
            acwr_high: cfg.load.acwr_high,
            low_cadence_spm: cfg.findings.low_cadence_spm,
            pain_threshold: cfg.findings.pain_threshold,
            pain_high: cfg.findings.pain_high,
            retire_m: cfg.gear.retire_m,
            monotony_max: cfg.load.monotony_max,
            gct_balance_shift_pct: cfg.findings.gct_balance_shift_pct,
        }
    }
}

/// What the page draws from the runs, gathered in one pass over the activity rows. The dot
/// charts keep a point per run; the rest is totals per year, month or whole history.
#[derive(Clone, Debug, Default)]
pub(crate) struct Runs {
    /// The first and last local days of the dated runs.
    days: Option<(NaiveDate, NaiveDate)>,
    /// The runs' distances added up in start order, m.
    distance_m: f64,
    /// (Place in the years, cadence) of the dated runs with cadence recorded per second.
    cadence: Vec<(f64, f64)>,
    /// (Flat, downhill) cadence of the runs with both.
    downhill: Vec<(f64, f64)>,
    /// Distance per surface per calendar year, m, in [`Surface::ALL`] order.
    surface_years: BTreeMap<i32, [f64; Surface::ALL.len()]>,
    /// Totals per calendar month of the dated runs.
    months: BTreeMap<(i32, u32), load::Total>,
}

impl Runs {
    /// Reads the runs of `t` once.
    pub(crate) fn read(t: &Tables) -> Runs {
        let mut r = Runs {
            // The sum's own starting value, so the total is the one `Iterator::sum` gives.
            distance_m: std::iter::empty::<f64>().sum(),
            ..Runs::default()
        };
        for a in &t.activities {
            let run = &a.run;
            if let Some(d) = run.distance_m.get() {
                r.distance_m += d;
            }
            if run.cadence_source == Some(CadenceSource::Records) {
                if let (Some(day), Some(c)) = (a.local_day, run.cadence_spm.get()) {
                    r.cadence.push((chart::year_pos(day), c));
                }
            }
            let d = &run.downhill;
            if let (Some(flat), Some(down)) =
                (d.flat_cadence_spm.get(), d.downhill_cadence_spm.get())
            {
                r.downhill.push((flat, down));
            }
            let Some(day) = a.local_day else {
                continue;
            };
            r.days = Some(match r.days {
                Some((lo, hi)) => (lo.min(day), hi.max(day)),
                None => (day, day),
            });
            r.surface_years.entry(day.year()).or_default()[run.surface as usize] +=
                run.distance_m.unwrap_or(0.0);
            r.months
                .entry((day.year(), day.month()))
                .or_default()
                .add(run.distance_m.unwrap_or(0.0), run.duration_s.unwrap_or(0.0));
        }
        // Grown by doubling; they last until the page is written.
        r.cadence.shrink_to_fit();
        r.downhill.shrink_to_fit();
        r
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

/// The page's style. The wide chart layout shows from 720 px of window, the narrow one below;
/// text is never set below 0.8 of the body size.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
margin:0 auto;max-width:920px;padding:12px;color:#222;line-height:1.45}\
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}\
h3{font-size:1.05em;margin:.2em 0 .3em}h4{font-size:.95em;margin:.8em 0 .2em;color:#444}\
figure{margin:1.2em 0}svg{display:block;width:100%;height:auto}\
.narrow{display:none;max-width:560px}\
@media (max-width:720px){.wide{display:none}.narrow{display:block}}\
figcaption{font-size:.85em;color:#555}\
.legend{list-style:none;padding:0;margin:.2em 0 .4em;display:flex;flex-wrap:wrap;gap:.1em 1.2em;\
font-size:.9em}\
.sw{display:inline-block;width:14px;height:10px;margin-right:.4em;background:var(--c)}\
.sw.line{height:0;border-top:3px solid var(--c);background:none;vertical-align:middle}\
.sw.dot{width:10px;border-radius:50%}\
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.6em .8em}\
.stats{display:flex;flex-wrap:wrap;gap:.5em 1.5em;padding:0;list-style:none}\
.stats b{display:block;font-size:1.3em}\
.read li{margin:.15em 0}\
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9em}\
th,td{padding:.2em .6em;text-align:right;border-bottom:1px solid #eee}th:first-child,td:first-child{text-align:left}\
details{margin:.5em 0}summary{cursor:pointer;padding:.3em 0}\
.finding{border-left:6px solid #999;padding:.3em .8em;margin:.4em 0;background:#fafafa}\
.finding.high{border-left-color:#b00020}.finding.watch{border-left-color:#e69500}\
.finding p{margin:.2em 0}\
.finding small{overflow-wrap:anywhere}\
.sev{font-weight:bold;text-transform:uppercase;font-size:.85em}\
.high .sev{color:#b00020}.watch .sev{color:#a15c00}.advice{font-style:italic}\
small{color:#555}";

/// The page, a section at a time, in order: each is made only when the one before has been
/// written, so the page is never whole in memory (a long history's charts are the larger part
/// of it).
pub(crate) fn render<'a>(
    t: &'a Tables,
    runs: &'a Runs,
    th: &'a Thresholds,
) -> impl Iterator<Item = String> + 'a {
    // Each section in one piece, or in several: a dot chart's two drawings are pieces of their
    // own, each drawn only when the piece before it has been written.
    type Section = for<'a> fn(&'a Tables, &'a Runs, &'a Thresholds) -> Pieces<'a>;
    fn one<'a>(piece: String) -> Pieces<'a> {
        Box::new(std::iter::once(piece))
    }
    let sections: [Section; 12] = [
        |t, r, _| one(head(t, r)),
        |t, _, _| one(read::section(t)),
        |t, r, th| one(load::section(t, r, th)),
        |t, _, th| one(pain::section(t, th)),
        |t, _, th| one(balance::section(t, th)),
        |t, _, th| one(gear::section(t, th)),
        |_, _, _| one("<h2>Running form</h2>\n".to_string()),
        |_, r, th| form::cadence(r, th.low_cadence_spm),
        |_, r, _| form::downhill(r),
        |_, r, _| one(form::surfaces(r)),
        |t, _, _| one(findings::section(t)),
        |_, _, _| {
            one(
                "<p><small>Made by fitrisk from FIT files; nothing on this page is fetched from \
                  the network.</small></p>\n</body>\n</html>\n"
                    .to_string(),
            )
        },
    ];
    sections
        .into_iter()
        .flat_map(move |section| section(t, runs, th))
}

/// The page's head, title, figures at a glance and the note on what it is.
fn head(t: &Tables, r: &Runs) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>fitrisk report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Knee-load risk report</h1>\n"
    );
    // `+ 0.0` turns the empty sum's −0 into 0: an empty report reads "0 km".
    let km = r.distance_m / 1000.0 + 0.0;
    let period = match r.days {
        Some((a, b)) => format!("{a} – {b}"),
        _ => "no dated runs".to_string(),
    };
    let count = |s: Severity| t.findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        o,
        "<ul class=\"stats\"><li><b>{}</b>runs</li><li><b>{km:.0} km</b>in all</li>\
         <li><b>{}</b>period</li><li><b>{}</b>high findings</li><li><b>{}</b>to watch</li></ul>",
        t.run_count(),
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
    o
}
