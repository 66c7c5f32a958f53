//! Findings: the rules that turn the tables into a short list of things worth a runner's
//! attention, each with its value, threshold, a plain sentence, advice and evidence.
//!
//! The `pain` rule, which reads the others' findings, lives in its own module.
//!
//! These are load heuristics, not diagnoses. Every threshold is configurable (`[findings]`
//! and `[load]` in the config file) and every rule cites its evidence in the README.

mod gear;
mod pain;

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::config::{FindingsSettings, GearSettings, LoadSettings};
use crate::model::{
    Activity, CadenceSource, DownhillCore, Finding, Rule, RunGait, Scope, Severity, Surface, Tables,
};
use crate::series::median;

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

/// The article, capitalised to start a sentence, that a number takes when read out: "An" for
/// 8, 11, 18, 80–89, 800–899, … and 11,000–11,999 … (eight, eleven, eighteen), else "A". `x`
/// is rounded as it is printed (one decimal).
fn a_or_an(x: f64) -> &'static str {
    let whole = format!("{:.1}", x.abs());
    let digits = whole.split('.').next().unwrap_or("");
    let eleven_or_eighteen = |d: &str| d.starts_with("11") || d.starts_with("18");
    let an = digits.starts_with('8') || (digits.len() % 3 == 2 && eleven_or_eighteen(digits));
    if an {
        "An"
    } else {
        "A"
    }
}

fn fmt_km(m: f64) -> String {
    format!("{:.1} km", m / 1000.0)
}

/// Applies every rule.
pub(super) fn findings(
    t: &Tables,
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    gear_cfg: &GearSettings,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in &t.activities {
        run_findings(a, t.source_of(a), cfg, load_cfg, &mut out);
    }
    for w in &t.weeks {
        let key = w.start.to_string();
        let mut push =
            |rule, severity, value, threshold, message: String, advice: &'static str, ev| {
                out.push(Finding {
                    scope: Scope::Week,
                    key: key.clone(),
                    date_local: Some(w.start),
                    rule,
                    severity,
                    value,
                    threshold,
                    message,
                    advice: advice.into(),
                    evidence: Cow::Borrowed(ev),
                    preceded_by: Vec::new(),
                })
            };
        if let (true, Some(c)) = (w.flag_ramp, w.change_pct) {
            push(
                Rule::Ramp,
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
                Rule::Ramp2w,
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
                Rule::Acwr,
                if high { Severity::High } else { Severity::Info },
                r,
                if high {
                    load_cfg.acwr_high
                } else {
                    load_cfg.acwr_low
                },
                if high && w.follows_a_break() {
                    // Nothing in the three weeks before: the ratio is the return from a break.
                    format!(
                        "{} {} week after three or more weeks without running (acute:chronic \
                         {r:.2}, above {:.1}).",
                        a_or_an(w.distance_m / 1000.0),
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
                if high && w.follows_a_break() {
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
                .unwrap_or((Surface::Unknown as usize, &0.0));
            push(
                Rule::NoVariety,
                Severity::Info,
                load_cfg.no_variety_weeks as f64,
                load_cfg.no_variety_weeks as f64,
                format!(
                    "Every run of the last {} weeks was on one surface ({}).",
                    load_cfg.no_variety_weeks,
                    Surface::ALL[i]
                ),
                "Put at least one run a week on a different surface (trail, grass, track).",
                EV_VARIETY,
            );
        }
    }
    history_findings(t, cfg, &mut out);
    out.extend(gear::findings(t, gear_cfg, load_cfg));
    let pain = pain::findings(t, &out, cfg, load_cfg, gear_cfg.retire_m);
    out.extend(pain);
    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| b.date_local.cmp(&a.date_local))
            .then_with(|| a.rule.as_str().cmp(b.rule.as_str()))
            .then_with(|| a.key.cmp(&b.key))
    });
    // Grown by doubling; the findings last until the page is written.
    out.shrink_to_fit();
    out
}

fn run_findings(
    a: &Activity,
    source: &str,
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    out: &mut Vec<Finding>,
) {
    let r = &a.run;
    let date = a.local_day;
    let mut push =
        |rule, severity, value, threshold, message: String, advice: Cow<'static, str>, ev| {
            out.push(Finding {
                scope: Scope::Run,
                key: source.to_string(),
                date_local: date,
                rule,
                severity,
                value,
                threshold,
                message,
                advice,
                evidence: Cow::Borrowed(ev),
                preceded_by: Vec::new(),
            })
        };
    // Running form is judged on running: a walk is never told to raise its cadence, and a
    // run-walk is judged on its running stretches, when there is enough of them.
    let judged = r.gait != Some(RunGait::Walking) && r.running_s >= cfg.low_cadence_min_running_s;
    if let (Some(c), Some(CadenceSource::Records), true) =
        (r.cadence_spm.get(), r.cadence_source, judged)
    {
        if c < cfg.low_cadence_spm {
            let what = match r.gait {
                Some(RunGait::RunWalk) => format!(
                    "Median running cadence {c:.0} spm is below {:.0} spm (running stretches \
                     only; {:.0} % of the moving time was walking).",
                    cfg.low_cadence_spm,
                    100.0 * r.walking_s / (r.running_s + r.walking_s)
                ),
                _ => format!(
                    "Median cadence {c:.0} spm is below {:.0} spm.",
                    cfg.low_cadence_spm
                ),
            };
            let (lo, hi) = (c * 1.05, c * 1.10);
            push(
                Rule::LowCadence,
                if c < cfg.low_cadence_high_spm {
                    Severity::High
                } else {
                    Severity::Watch
                },
                c,
                cfg.low_cadence_spm,
                what,
                format!(
                    "Aim for {c:.0} → {lo:.0}–{hi:.0} spm (+5 to +10 %): shorter, quicker steps \
                     at the same pace, raised over several weeks."
                )
                .into(),
                EV_CADENCE,
            );
        }
    }
    downhill_findings(&r.downhill, cfg, &mut push);
    if let (true, Some(prev), Some(d)) = (
        a.flag_long_run_spike,
        a.longest_prev_30d_m.get(),
        r.distance_m.get(),
    ) {
        push(
            Rule::LongRunSpike,
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
            )
            .into(),
            EV_SPIKE,
        );
    }
}

/// Downhill running against flat running at the same speed. Overstriding is claimed only from
/// a speed-matched comparison, where a lower cadence is a longer step by definition; a plain
/// drop that comes from descending slower with shorter steps is named for what it is.
fn downhill_findings(
    dh: &DownhillCore,
    cfg: &FindingsSettings,
    push: &mut impl FnMut(Rule, Severity, f64, f64, String, Cow<'static, str>, &'static str),
) {
    if dh.downhill_m < cfg.overstride_min_downhill_m {
        return;
    }
    let Some((m, _)) = dh.matched else { return };
    let overall = match (
        dh.flat_step_length_m.get(),
        dh.downhill_step_length_m.get(),
        dh.flat_speed_mps.get(),
        dh.downhill_speed_mps.get(),
    ) {
        (Some(fl), Some(dl), Some(fv), Some(dv)) => Some((fl, dl, fv, dv)),
        _ => None,
    };
    if m.drop_spm > cfg.overstride_drop_spm {
        let context = overall.map_or(String::new(), |(fl, dl, fv, dv)| {
            format!(
                " Overall, downhill steps are {dl:.2} m against {fl:.2} m on the flat, at \
                 {dv:.1} against {fv:.1} m/s."
            )
        });
        push(
            Rule::DownhillOverstriding,
            if m.drop_spm > cfg.overstride_drop_high_spm {
                Severity::High
            } else {
                Severity::Watch
            },
            m.drop_spm,
            cfg.overstride_drop_spm,
            format!(
                "Downhill cadence drops {:.0} spm at the same speed over {}: at equal speed your \
                 steps are {:.0} % longer.{context}",
                m.drop_spm,
                fmt_km(dh.downhill_m),
                m.step_length_change_pct()
            ),
            "On descents keep your stride rate up: shorter steps, feet under you, stay in \
             control rather than braking with long strides."
                .into(),
            EV_DOWNHILL,
        );
        return;
    }
    let plain = dh.cadence_drop.map(|(spm, _)| spm);
    if let (Some(plain), Some((fl, dl, fv, dv))) = (plain, overall) {
        if plain > cfg.overstride_drop_spm && dl < fl {
            push(
                Rule::CarefulDescending,
                Severity::Info,
                plain,
                cfg.overstride_drop_spm,
                format!(
                    "Downhill cadence is {plain:.0} spm below your flat cadence because you \
                     descend slower ({dv:.1} against {fv:.1} m/s) with shorter steps ({dl:.2} \
                     against {fl:.2} m); at the same speed it changes by {:+.0} spm. Careful \
                     descending, not overstriding.",
                    -m.drop_spm
                ),
                "Nothing to change: short steps on descents keep the braking load down.".into(),
                EV_DOWNHILL,
            );
        }
    }
}

/// Cadence trend and downhill share: the last `trend_weeks` weeks against the ones before.
fn history_findings(t: &Tables, cfg: &FindingsSettings, out: &mut Vec<Finding>) {
    let dated: Vec<(NaiveDate, &Activity)> = t
        .activities
        .iter()
        .filter_map(|a| a.local_day.map(|d| (d, a)))
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
            .filter(|(d, a)| {
                *d >= from && *d <= to && a.run.cadence_source == Some(CadenceSource::Records)
            })
            .filter_map(|(_, a)| a.run.cadence_spm.get())
            .collect();
        median(&mut v)
    };
    let day_before = recent_from - chrono::Duration::days(1);
    if let (Some(now), Some(then)) = (median(recent_from, last), median(before_from, day_before)) {
        let change = now - then;
        let falling = -change > cfg.cadence_trend_drop_spm;
        out.push(Finding {
            scope: Scope::History,
            key: "history".into(),
            date_local: Some(last),
            rule: Rule::CadenceTrend,
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
            evidence: EV_CADENCE.into(),
            preceded_by: Vec::new(),
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
            scope: Scope::History,
            key: "history".into(),
            date_local: Some(last),
            rule: Rule::DownhillShare,
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
            evidence: EV_DOWNHILL.into(),
            preceded_by: Vec::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::a_or_an;

    #[test]
    fn numbers_read_as_eight_eleven_or_eighteen_take_an() {
        for x in [8.0, 11.3, 18.0, 80.5, 812.0, 11_400.0] {
            assert_eq!(a_or_an(x), "An", "{x}");
        }
        for x in [1.0, 7.2, 13.1, 110.0, 181.0, 1_100.0, 9.96] {
            assert_eq!(a_or_an(x), "A", "{x}");
        }
    }
}
