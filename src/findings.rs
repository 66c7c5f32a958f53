//! Findings: the rules that turn the tables into a short list of things worth a runner's
//! attention, each with its value, threshold, a plain sentence, advice and evidence.
//!
//! These are load heuristics, not diagnoses. Every threshold is configurable (`[findings]`
//! and `[load]` in the config file) and every rule cites its evidence in the README.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aggregate::{Activity, Tables};
use crate::load::{self, LoadSettings};

/// Settings of the findings (`[findings]` in the config file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FindingsSettings {
    /// A run's median cadence below this is flagged, steps/min.
    pub low_cadence_spm: f64,
    /// …and below this the finding is `high`, steps/min.
    pub low_cadence_high_spm: f64,
    /// A speed-matched downhill cadence drop above this is flagged, steps/min.
    pub overstride_drop_spm: f64,
    /// …and above this the finding is `high`, steps/min.
    pub overstride_drop_high_spm: f64,
    /// Downhill running needed in a run before its cadence drop is judged, m.
    pub overstride_min_downhill_m: f64,
    /// Length of the two periods compared by the history trends, weeks.
    pub trend_weeks: u32,
    /// A fall of the median cadence between the two periods beyond this is flagged, steps/min.
    pub cadence_trend_drop_spm: f64,
    /// A share of downhill distance in the recent period above this is flagged, %.
    pub downhill_share_pct: f64,
}

impl Default for FindingsSettings {
    fn default() -> Self {
        FindingsSettings {
            low_cadence_spm: 160.0,
            low_cadence_high_spm: 150.0,
            overstride_drop_spm: 5.0,
            overstride_drop_high_spm: 10.0,
            overstride_min_downhill_m: 400.0,
            trend_weeks: 12,
            cadence_trend_drop_spm: 3.0,
            downhill_share_pct: 20.0,
        }
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Strong evidence or a large deviation.
    High,
    /// Worth watching.
    Watch,
    /// Context.
    Info,
}

impl Severity {
    /// The token written to the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Watch => "watch",
            Severity::Info => "info",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// `run`, `week` or `history`.
    pub scope: &'static str,
    /// The run's source, the week's start date, or `history`.
    pub key: String,
    /// Local date of the run, first day of the week, or last day of the period.
    pub date_local: Option<NaiveDate>,
    /// Rule name.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The measured value (unit in the message).
    pub value: f64,
    /// The threshold it was compared with.
    pub threshold: f64,
    /// One plain sentence.
    pub message: String,
    /// What to do about it.
    pub advice: String,
    /// Short citation.
    pub evidence: &'static str,
}

const EV_CADENCE: &str = "Heiderscheit et al. 2011 (+5–10 % step rate lowers hip and knee \
                          loading); Thakkar et al. 2019 (≤166 spm: higher tibiofemoral forces)";
const EV_DOWNHILL: &str = "Gottschall & Kram 2005 (−9°: impact +54 %, braking +73 %); Willson et \
                           al. 2014 (+10 % step length: ~14 % more patellofemoral stress per mile); \
                           Vernillo et al. 2017 (downhill lowers step frequency)";
const EV_RAMP: &str = "the \"10 % rule\" (weak: Buist et al. 2008 found no effect)";
const EV_RAMP_2W: &str = "Nielsen et al. 2014 (>30 % over two weeks: more injuries)";
const EV_ACWR: &str = "Gabbett 2016 (acute:chronic above 1.5: \"danger zone\")";
const EV_SPIKE: &str = "Frandsen et al., BJSM 2025 (5,205 runners: a run >10 % longer than the \
                        longest of the previous 30 days, hazard ratio 1.64)";
const EV_VARIETY: &str = "common coaching advice to vary terrain weekly (no trial evidence)";

fn fmt_km(m: f64) -> String {
    format!("{:.1} km", m / 1000.0)
}

/// Applies every rule. `days` maps runs to local dates (see [`load::local_day`]).
pub fn findings(t: &Tables, cfg: &FindingsSettings, load_cfg: &LoadSettings) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in &t.activities {
        run_findings(a, cfg, load_cfg, &mut out);
    }
    for w in &t.weeks {
        let key = w.start.map(|d| d.to_string()).unwrap_or_default();
        let mut push = |rule, severity, value, threshold, message: String, advice: &str, ev| {
            out.push(Finding {
                scope: "week",
                key: key.clone(),
                date_local: w.start,
                rule,
                severity,
                value,
                threshold,
                message,
                advice: advice.to_string(),
                evidence: ev,
            })
        };
        if let (true, Some(c)) = (w.flag_ramp, w.change_pct) {
            push(
                "ramp",
                Severity::Info,
                c,
                load_cfg.ramp_max_pct,
                format!(
                    "Weekly distance rose {c:.0} % to {} (more than {:.0} %).",
                    fmt_km(w.distance_m),
                    load_cfg.ramp_max_pct
                ),
                "Hold this volume for a week or two before adding more.",
                EV_RAMP,
            );
        }
        if let (true, Some(c)) = (w.flag_ramp_2w, w.change_2w_pct) {
            push(
                "ramp_2w",
                Severity::Watch,
                c,
                load_cfg.ramp_2w_max_pct,
                format!(
                    "Distance is up {c:.0} % on two weeks earlier (more than {:.0} %).",
                    load_cfg.ramp_2w_max_pct
                ),
                "Spread the increase over more weeks; keep easy runs easy.",
                EV_RAMP_2W,
            );
        }
        // A low ratio is news in a week with running; a week without any is plain in the table
        // and would repeat the same line through every break.
        let low_but_idle = w.runs == 0 && w.acwr.is_some_and(|r| r < load_cfg.acwr_low);
        if let (true, Some(r), false) = (w.flag_acwr, w.acwr, low_but_idle) {
            let high = r > load_cfg.acwr_high;
            push(
                "acwr",
                if high { Severity::High } else { Severity::Info },
                r,
                if high {
                    load_cfg.acwr_high
                } else {
                    load_cfg.acwr_low
                },
                if high && w.acwr_uncoupled.is_none() {
                    // Nothing in the three weeks before: the ratio is the return from a break.
                    format!(
                        "A {} week after three or more weeks without running (acute:chronic \
                         {r:.2}, above {:.1}).",
                        fmt_km(w.distance_m),
                        load_cfg.acwr_high
                    )
                } else if high {
                    format!(
                        "This week's distance is {r:.2}× your 4-week average (above {:.1}).",
                        load_cfg.acwr_high
                    )
                } else {
                    format!(
                        "This week's distance is {r:.2}× your 4-week average (below {:.1}).",
                        load_cfg.acwr_low
                    )
                },
                if high && w.acwr_uncoupled.is_none() {
                    "After a break, rebuild over several weeks: start around half your usual \
                     volume."
                } else if high {
                    "Ease the next week back towards your usual volume."
                } else {
                    "After a lighter spell, build back up gradually rather than all at once."
                },
                EV_ACWR,
            );
        }
        if w.flag_no_variety {
            let (i, _) = w
                .surface_m
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap_or((5, &0.0));
            push(
                "no_variety",
                Severity::Info,
                load_cfg.no_variety_weeks as f64,
                load_cfg.no_variety_weeks as f64,
                format!(
                    "Every run of the last {} weeks was on one surface ({}).",
                    load_cfg.no_variety_weeks,
                    load::SURFACES[i]
                ),
                "Put at least one run a week on a different surface (trail, grass, track).",
                EV_VARIETY,
            );
        }
    }
    history_findings(t, cfg, load_cfg, &mut out);
    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| b.date_local.cmp(&a.date_local))
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

fn run_findings(
    a: &Activity,
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    out: &mut Vec<Finding>,
) {
    let r = &a.run;
    let date = load::local_day(a, load_cfg);
    let mut push = |rule, severity, value, threshold, message: String, advice: String, ev| {
        out.push(Finding {
            scope: "run",
            key: a.source.clone(),
            date_local: date,
            rule,
            severity,
            value,
            threshold,
            message,
            advice,
            evidence: ev,
        })
    };
    if let (Some(c), Some("records")) = (r.cadence_spm, r.cadence_source) {
        if c < cfg.low_cadence_spm {
            let (lo, hi) = (c * 1.05, c * 1.10);
            push(
                "low_cadence",
                if c < cfg.low_cadence_high_spm {
                    Severity::High
                } else {
                    Severity::Watch
                },
                c,
                cfg.low_cadence_spm,
                format!(
                    "Median cadence {c:.0} spm is below {:.0} spm.",
                    cfg.low_cadence_spm
                ),
                format!(
                    "Aim for {c:.0} → {lo:.0}–{hi:.0} spm (+5 to +10 %): shorter, quicker steps \
                     at the same pace, raised over several weeks."
                ),
                EV_CADENCE,
            );
        }
    }
    let dh = &r.downhill;
    if dh.downhill_m >= cfg.overstride_min_downhill_m {
        let plain = match (dh.flat_cadence_spm, dh.downhill_cadence_spm) {
            (Some(f), Some(d)) => Some(f - d),
            _ => None,
        };
        let (drop, how) = match (r.matched, plain) {
            (Some(m), _) => (Some(m.drop_spm), "at the same speed"),
            (None, Some(p)) => (
                Some(p),
                "against your flat median (no speed match possible)",
            ),
            _ => (None, ""),
        };
        if let Some(drop) = drop.filter(|&d| d > cfg.overstride_drop_spm) {
            let step = match (dh.flat_step_length_m, dh.downhill_step_length_m) {
                (Some(f), Some(d)) if f > 0.0 => format!(
                    ", and steps {} from {f:.2} to {d:.2} m ({:+.0} %)",
                    if d > f { "lengthen" } else { "shorten" },
                    100.0 * (d - f) / f
                ),
                _ => String::new(),
            };
            push(
                "downhill_overstriding",
                if drop > cfg.overstride_drop_high_spm {
                    Severity::High
                } else {
                    Severity::Watch
                },
                drop,
                cfg.overstride_drop_spm,
                format!(
                    "Downhill cadence drops {drop:.0} spm {how} over {}{step}.",
                    fmt_km(dh.downhill_m)
                ),
                "On descents keep your stride rate up: shorter steps, feet under you, stay in \
                 control rather than braking with long strides."
                    .to_string(),
                EV_DOWNHILL,
            );
        }
    }
    if let (true, Some(prev), Some(d)) = (a.flag_long_run_spike, a.longest_prev_30d_m, r.distance_m)
    {
        push(
            "long_run_spike",
            Severity::High,
            d,
            prev * (1.0 + load_cfg.long_run_spike_pct / 100.0),
            format!(
                "This {} run is {:.0} % longer than your longest of the previous {} days ({}).",
                fmt_km(d),
                100.0 * (d - prev) / prev,
                load_cfg.long_run_lookback_days,
                fmt_km(prev)
            ),
            format!(
                "Grow the long run in steps of at most {:.0} % ({} next).",
                load_cfg.long_run_spike_pct,
                fmt_km(prev * (1.0 + load_cfg.long_run_spike_pct / 100.0))
            ),
            EV_SPIKE,
        );
    }
}

/// Cadence trend and downhill share: the last `trend_weeks` weeks against the ones before.
fn history_findings(
    t: &Tables,
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    out: &mut Vec<Finding>,
) {
    let dated: Vec<(NaiveDate, &Activity)> = t
        .activities
        .iter()
        .filter_map(|a| load::local_day(a, load_cfg).map(|d| (d, a)))
        .collect();
    let Some(last) = dated.iter().map(|x| x.0).max() else {
        return;
    };
    let span = chrono::Duration::days(7 * cfg.trend_weeks.max(1) as i64);
    let recent_from = last - span + chrono::Duration::days(1);
    let before_from = recent_from - span;
    let median = |from: NaiveDate, to: NaiveDate| {
        let mut v: Vec<f64> = dated
            .iter()
            .filter(|(d, a)| *d >= from && *d <= to && a.run.cadence_source == Some("records"))
            .filter_map(|(_, a)| a.run.cadence_spm)
            .collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some((v[v.len() / 2] + v[(v.len() - 1) / 2]) / 2.0)
    };
    let day_before = recent_from - chrono::Duration::days(1);
    if let (Some(now), Some(then)) = (median(recent_from, last), median(before_from, day_before)) {
        let change = now - then;
        let falling = -change > cfg.cadence_trend_drop_spm;
        out.push(Finding {
            scope: "history",
            key: "history".into(),
            date_local: Some(last),
            rule: "cadence_trend",
            severity: if falling {
                Severity::Watch
            } else {
                Severity::Info
            },
            value: change,
            threshold: -cfg.cadence_trend_drop_spm,
            message: format!(
                "Median cadence over the last {} weeks is {now:.0} spm, {change:+.1} spm on the {} \
                 weeks before.",
                cfg.trend_weeks, cfg.trend_weeks
            ),
            advice: if falling {
                "Your cadence is drifting down: check shoes, fatigue and pace, and add short \
                 quick-step drills."
                    .into()
            } else {
                "No action needed.".into()
            },
            evidence: EV_CADENCE,
        });
    }
    let (mut total, mut down, mut graded) = (0.0, 0.0, 0.0);
    for (d, a) in &dated {
        if *d >= recent_from {
            let dist = a.run.distance_m.unwrap_or(0.0);
            total += dist;
            if a.run.downhill.has_grade {
                graded += dist;
                down += a.run.downhill.downhill_m;
            }
        }
    }
    if graded > 0.0 {
        let share = 100.0 * down / graded;
        let high = share > cfg.downhill_share_pct;
        out.push(Finding {
            scope: "history",
            key: "history".into(),
            date_local: Some(last),
            rule: "downhill_share",
            severity: if high {
                Severity::Watch
            } else {
                Severity::Info
            },
            value: share,
            threshold: cfg.downhill_share_pct,
            message: format!(
                "{share:.0} % of your running with altitude data over the last {} weeks was \
                 downhill ({} of {}; {} in all).",
                cfg.trend_weeks,
                fmt_km(down),
                fmt_km(graded),
                fmt_km(total)
            ),
            advice: if high {
                "Descents load the knee most: build downhill volume gradually and practise \
                 short, quick steps on them."
                    .into()
            } else {
                "No action needed.".into()
            },
            evidence: EV_DOWNHILL,
        });
    }
}
