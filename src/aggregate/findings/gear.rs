//! The shoe rules: a pair past the retirement distance, a pair worn again after the gear log
//! retired it, and a load spike (a long-run spike, or a week above the acute:chronic band) run
//! mostly in a pair already past the retirement distance.
//!
//! Shoes are a weak lever: worn cushioning changes impact little and no trial ties a mileage to
//! injury. The rules say where the runner's own rule of thumb applies; docs/methodology.md
//! (Shoes) cites what is known.

use std::collections::HashMap;

use chrono::Duration;

use super::super::gear::retirements;
use super::text::{decisive, fmt_km};
use crate::config::{GearSettings, LoadSettings};
use crate::model::{plural, Finding, GearRow, Rule, Scope, Severity, Tables, Week};

const EV_MILEAGE: &str = "Cook, Kester & Brunet 1985 (machine-worn shoes kept 60 % of their \
                          shock absorption at 500 miles, runner-worn ~80 %, levelling off near \
                          500 miles ≈ 800 km); Wang et al. 2010 (500 km of running: peak force \
                          +4.9 %); the usual advice: replace at 300–500 miles (480–800 km)";

fn finding(
    scope: Scope,
    key: &str,
    date: Option<chrono::NaiveDate>,
    rule: Rule,
    (value, threshold): (f64, f64),
    message: String,
    advice: &'static str,
) -> Finding {
    Finding {
        scope,
        key: key.to_string(),
        first: date,
        last: date,
        occurrences: 1,
        rule,
        severity: Severity::Watch,
        value,
        threshold,
        message,
        advice: advice.into(),
        evidence: EV_MILEAGE.into(),
        preceded_by: Vec::new(),
    }
}

/// Applies the shoe rules: for each pair, past the retirement distance and worn after its
/// retirement; then the long-run spikes in a worn pair; then the weeks above the acute:chronic
/// band run mostly in one worn pair.
pub(super) fn findings(t: &Tables, cfg: &GearSettings, load_cfg: &LoadSettings) -> Vec<Finding> {
    let shoes = Shoes {
        t,
        cfg,
        before: distance_before(t),
    };
    let mut out = Vec::new();
    for row in &t.gear {
        out.extend(shoes.past_retirement(row));
        out.extend(shoes.worn_after_retirement(row));
    }
    out.extend(shoes.long_run_spikes());
    out.extend(
        t.weeks
            .iter()
            .filter_map(|w| shoes.worn_spike_week(w, load_cfg.acwr_high)),
    );
    out
}

/// What every shoe rule reads: the tables, the settings and how far each run's pair had gone.
struct Shoes<'t> {
    t: &'t Tables,
    cfg: &'t GearSettings,
    /// Distance of each run's pair before the run, metres, in the order of `t.activities`.
    before: Vec<f64>,
}

/// Distance of each run's pair before the run (activities are in start order); 0 for a run
/// without gear.
fn distance_before(t: &Tables) -> Vec<f64> {
    let mut so_far: HashMap<&str, f64> = HashMap::new();
    let mut before = Vec::with_capacity(t.activities.len());
    for a in &t.activities {
        let g = a.run.label().gear.as_deref();
        let prev = g.map_or(0.0, |g| *so_far.get(g).unwrap_or(&0.0));
        before.push(prev);
        if let Some(g) = g {
            *so_far.entry(g).or_default() += a.run.distance_m.unwrap_or(0.0);
        }
    }
    before
}

impl Shoes<'_> {
    /// A pair past the retirement distance, dated by the run that crossed it.
    fn past_retirement(&self, row: &GearRow) -> Option<Finding> {
        let (t, cfg) = (self.t, self.cfg);
        let past = row.distance_m > cfg.retire_m;
        if !past {
            return None;
        }
        let crossed = t
            .activities
            .iter()
            .zip(&self.before)
            .find(|(a, &b)| {
                a.run.label().gear.as_deref() == Some(row.gear.as_str())
                    && b + a.run.distance_m.unwrap_or(0.0) > cfg.retire_m
            })
            .and_then(|(a, _)| a.local_day);
        Some(finding(
            Scope::Gear,
            &row.gear,
            crossed,
            Rule::ShoeDistance,
            (row.distance_m / 1000.0, cfg.retire_m / 1000.0),
            format!(
                "{} has {} km of running, past {} (crossed on {}).",
                row.gear,
                decisive(row.distance_m / 1000.0, cfg.retire_m / 1000.0, 1),
                fmt_km(cfg.retire_m),
                crossed.map_or("an undated run".into(), |d| d.to_string())
            ),
            "Check the midsole for creases and the outsole for wear; if the pair feels flat \
             or your legs ache after runs in it, replace it or keep it for short runs.",
        ))
    }

    /// A pair run in after the gear log retired it: one finding for each retirement followed
    /// by runs.
    fn worn_after_retirement(&self, row: &GearRow) -> Vec<Finding> {
        let t = self.t;
        let mut out = Vec::new();
        for retired in retirements(&t.gear_log, &row.gear) {
            let after: Vec<_> = t
                .activities
                .iter()
                .filter(|a| a.run.label().gear.as_deref() == Some(row.gear.as_str()))
                .filter(|a| a.local_day.is_some_and(|d| d > retired))
                .collect();
            let Some(first) = after.first() else {
                continue;
            };
            let m: f64 = after.iter().map(|a| a.run.distance_m.unwrap_or(0.0)).sum();
            out.push(finding(
                Scope::Gear,
                &row.gear,
                first.local_day,
                Rule::ShoeRetiredWorn,
                (m / 1000.0, 0.0),
                format!(
                    "{} was retired in the gear log on {retired} but ran {} in {} after \
                     it, from {}.",
                    row.gear,
                    fmt_km(m),
                    plural(after.len(), "run", "runs"),
                    first.local_day.map_or(String::new(), |d| d.to_string())
                ),
                "Fix the gear log (a new pair under the old name?) or the export's gear; if the \
                 old pair is back in use, its mileage counts on.",
            ));
        }
        out
    }

    /// Long-run spikes run in a pair already past the retirement distance.
    fn long_run_spikes(&self) -> Vec<Finding> {
        let (t, cfg) = (self.t, self.cfg);
        let mut out = Vec::new();
        for (a, &b) in t.activities.iter().zip(&self.before) {
            let Some(g) = a.run.label().gear.as_deref() else {
                continue;
            };
            if a.flag_long_run_spike && b >= cfg.retire_m {
                out.push(finding(
                    Scope::Run,
                    t.source_of(a),
                    a.local_day,
                    Rule::ShoeSpike,
                    (b / 1000.0, cfg.retire_m / 1000.0),
                    format!(
                        "A long-run spike run in {g}, which already had {} on it.",
                        fmt_km(b)
                    ),
                    "Do the next long runs in a fresher pair, and build their length gradually.",
                ));
            }
        }
        out
    }

    /// A week above the acute:chronic band (`acwr_high`) run mostly in one pair that was past
    /// the retirement distance by the week's end.
    fn worn_spike_week(&self, w: &Week, acwr_high: f64) -> Option<Finding> {
        let cfg = self.cfg;
        if !(w.flag_acwr && w.acwr.is_some_and(|r| r > acwr_high)) {
            return None;
        }
        let (g, m, at_start) = self.main_pair(w)?;
        let share = if w.distance_m > 0.0 {
            100.0 * m / w.distance_m
        } else {
            0.0
        };
        let worn = share >= cfg.spike_share_pct && at_start + m >= cfg.retire_m;
        if !worn {
            return None;
        }
        Some(finding(
            Scope::Week,
            &w.start.to_string(),
            Some(w.start),
            Rule::ShoeSpike,
            ((at_start + m) / 1000.0, cfg.retire_m / 1000.0),
            format!(
                "A week above the acute:chronic band ({:.2}) run {share:.0} % in {g}, which \
                 had {} on it by the week's end.",
                w.acwr.unwrap_or(0.0),
                fmt_km(at_start + m)
            ),
            "A jump in load is the bigger risk; do not add worn shoes to it: run the extra \
             distance in a fresher pair.",
        ))
    }

    /// The pair run furthest in a week (ties to the first name): its name, its distance that
    /// week and its distance before its first run of the week, metres.
    fn main_pair(&self, w: &Week) -> Option<(&str, f64, f64)> {
        let end = w.start + Duration::days(7);
        let mut per: HashMap<&str, (f64, f64)> = HashMap::new();
        for (a, &b) in self.t.activities.iter().zip(&self.before) {
            let (Some(g), Some(d)) = (a.run.label().gear.as_deref(), a.local_day) else {
                continue;
            };
            if d >= w.start && d < end {
                let e = per.entry(g).or_insert((0.0, b));
                e.0 += a.run.distance_m.unwrap_or(0.0);
            }
        }
        per.into_iter()
            .max_by(|x, y| x.1 .0.total_cmp(&y.1 .0).then_with(|| y.0.cmp(x.0)))
            .map(|(g, (m, at_start))| (g, m, at_start))
    }
}
