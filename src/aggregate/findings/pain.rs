//! The `pain` rule: a diary day with pain above the threshold, or worse the next morning than
//! during the run, with what preceded it in the lookback window.
//!
//! The model is the pain-monitoring model of Silbernagel et al. 2007 (pain up to 5/10 during
//! and after loading is acceptable if it has settled by the next morning and does not build
//! from week to week) and this project's own rule of thumb: 3/10, not worse the next morning,
//! is a load you can keep; 7/10 means back off. A day at or under the threshold that did not
//! get worse overnight gives nothing.

use chrono::{Duration, NaiveDate};

use super::fmt_km;
use crate::config::{FindingsSettings, LoadSettings};
use crate::model::{Finding, Rule, Scope, Severity, Tables};

const EV_PAIN: &str = "Silbernagel et al. 2007 (pain-monitoring model, Am J Sports Med 35:897: \
                       pain up to 5/10 during and after loading is acceptable if it has settled \
                       by the next morning and does not increase from week to week)";

/// The model's ceiling of acceptable pain during and after loading (0–10).
const MODEL_ACCEPTABLE: f64 = 5.0;

/// One finding per diary day that needs one, dated that day. `before` holds the findings of the
/// other rules, from which the low-cadence and overstriding runs of the window are taken.
pub(super) fn findings(
    t: &Tables,
    before: &[Finding],
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    retire_m: f64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &t.diary {
        let worst = d.worst();
        let above = worst > cfg.pain_threshold;
        let worse = d.next_morning.is_some_and(|m| m > d.pain);
        if !above && !worse {
            continue;
        }
        let preceded = preceded_by(t, before, d.date, cfg, load_cfg, retire_m);
        // What stands out (the shoes worn are context unless past their retirement distance).
        let standout: Vec<&str> =
            preceded
                .iter()
                .map(|p| p.0)
                .filter(|k| !k.is_empty())
                .fold(Vec::new(), |mut v, k| {
                    if !v.contains(&k) {
                        v.push(k);
                    }
                    v
                });
        let days = cfg.pain_lookback_days;
        let ran: f64 = t
            .activities
            .iter()
            .filter(|a| a.local_day == Some(d.date))
            .filter_map(|a| a.run.distance_m.get())
            .sum();
        let after = if ran > 0.0 {
            format!(" after {} of running", fmt_km(ran))
        } else {
            String::new()
        };
        let at = d
            .location
            .as_deref()
            .map_or(String::new(), |l| format!(" ({l})"));
        let morning = match d.next_morning {
            Some(m) if worse => format!(", worse the next morning at {m}/10"),
            Some(m) => format!(", {m}/10 the next morning"),
            None => String::new(),
        };
        let kinds = if standout.is_empty() {
            format!(" Nothing in the load of the {days} days before it stands out.")
        } else {
            format!(" In the {days} days before it: {}.", standout.join(", "))
        };
        let high = worst >= cfg.pain_high;
        let advice = if high {
            format!(
                "Back off: cut or pause running until pain during it is back at {:.0}/10 or \
                 less and no worse the next morning. Pain that does not settle within a few \
                 days, is sharp, swollen or started with a pop needs a clinician.",
                cfg.pain_threshold
            )
        } else if worse {
            "Pain that is worse the next morning means that load was more than the knee \
             tolerated: make the next runs shorter, flatter or slower until the morning after \
             is no worse than the run."
                .to_string()
        } else if worst <= MODEL_ACCEPTABLE {
            format!(
                "Within the pain-monitoring model's acceptable zone (up to {MODEL_ACCEPTABLE:.0}/10) \
                 if it settles by the next morning and does not build week to week: hold this \
                 load, do not add to it, and note the next morning's pain."
            )
        } else {
            format!(
                "Above the {MODEL_ACCEPTABLE:.0}/10 the pain-monitoring model accepts: reduce \
                 the next runs until pain stays at {:.0}/10 or less.",
                cfg.pain_threshold
            )
        };
        let evidence = if preceded.is_empty() {
            format!("{EV_PAIN}. Preceded by nothing that stands out in {days} days.")
        } else {
            let lines: Vec<&str> = preceded.iter().map(|p| p.1.as_str()).collect();
            format!(
                "{EV_PAIN}. Preceded by ({days} days): {}.",
                lines.join("; ")
            )
        };
        out.push(Finding {
            scope: Scope::Day,
            key: d.date.to_string(),
            date_local: Some(d.date),
            rule: Rule::Pain,
            severity: if high {
                Severity::High
            } else {
                Severity::Watch
            },
            value: worst,
            threshold: if above { cfg.pain_threshold } else { d.pain },
            message: format!("Pain {}/10{at}{after}{morning}.{kinds}", d.pain),
            advice: advice.into(),
            evidence: evidence.into(),
            preceded_by: preceded.into_iter().map(|p| p.1).collect(),
        });
    }
    out
}

/// What preceded `day` in the lookback window (the day included), oldest first: each entry is
/// its kind (for the message) and one line with its date and numbers (for the evidence).
fn preceded_by(
    t: &Tables,
    before: &[Finding],
    day: NaiveDate,
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    retire_m: f64,
) -> Vec<(&'static str, String)> {
    let from = day - Duration::days(cfg.pain_lookback_days as i64 - 1);
    let within = |d: NaiveDate| d >= from && d <= day;
    let mut out: Vec<(NaiveDate, &'static str, String)> = Vec::new();
    for a in &t.activities {
        let (Some(d), true, Some(prev), Some(km)) = (
            a.local_day,
            a.flag_long_run_spike,
            a.longest_prev_30d_m.get(),
            a.run.distance_m.get(),
        ) else {
            continue;
        };
        if within(d) {
            out.push((
                d,
                "a long-run spike",
                format!(
                    "{d} long-run spike: {}, {:.0} % over the longest of the {} days before",
                    fmt_km(km),
                    100.0 * (km - prev) / prev,
                    load_cfg.long_run_lookback_days
                ),
            ));
        }
    }
    for w in &t.weeks {
        // A week counts when any of its days falls in the window.
        let end = w.start + Duration::days(6);
        if end < from || w.start > day {
            continue;
        }
        let s = w.start;
        if let (true, Some(c)) = (w.flag_ramp_2w, w.change_2w_pct) {
            out.push((
                s,
                "a two-week ramp",
                format!("week of {s}: distance up {c:.0} % on two weeks before"),
            ));
        } else if let (true, Some(c)) = (w.flag_ramp, w.change_pct) {
            out.push((
                s,
                "a ramp",
                format!("week of {s}: distance up {c:.0} % on the week before"),
            ));
        }
        if let (true, Some(r)) = (w.flag_acwr, w.acwr.filter(|&r| r > load_cfg.acwr_high)) {
            out.push((
                s,
                "a high acute:chronic ratio",
                format!("week of {s}: distance acute:chronic {r:.2}"),
            ));
        }
        if let Some(r) = w.srpe.acwr.filter(|&r| r > load_cfg.acwr_high) {
            out.push((
                s,
                "a high session-RPE ratio",
                format!("week of {s}: session-RPE acute:chronic {r:.2}"),
            ));
        }
    }
    for (rule, kind, what) in [
        (Rule::LowCadence, "low-cadence runs", "low cadence"),
        (
            Rule::DownhillOverstriding,
            "overstriding downhill",
            "downhill overstriding",
        ),
    ] {
        for f in before.iter().filter(|f| f.rule == rule) {
            if let Some(d) = f.date_local.filter(|&d| within(d)) {
                let unit = if rule == Rule::LowCadence {
                    "spm"
                } else {
                    "spm drop at the same speed"
                };
                out.push((d, kind, format!("{d} {what}: {:.0} {unit}", f.value)));
            }
        }
    }
    // The shoes worn in the window, with the distance on them by that day; a pair past the
    // retirement distance also stands out in the message.
    let mut worn: Vec<(&str, NaiveDate)> = Vec::new();
    for a in &t.activities {
        if let (Some(g), Some(d)) = (a.run.label().gear.as_deref(), a.local_day) {
            if within(d) {
                match worn.iter_mut().find(|w| w.0 == g) {
                    Some(w) => w.1 = w.1.max(d),
                    None => worn.push((g, d)),
                }
            }
        }
    }
    for (g, last) in worn {
        let on_pair: f64 = t
            .activities
            .iter()
            .filter(|a| a.run.label().gear.as_deref() == Some(g))
            .filter(|a| a.local_day.is_some_and(|d| d <= day))
            .filter_map(|a| a.run.distance_m.get())
            .sum();
        let past = on_pair >= retire_m;
        out.push((
            last,
            if past {
                "shoes past their retirement distance"
            } else {
                ""
            },
            format!(
                "shoes {g}: {} on them by {day}{}",
                fmt_km(on_pair),
                if past {
                    " (past the retirement distance)"
                } else {
                    ""
                }
            ),
        ));
    }
    if let Some((share, graded)) = downhill_share(t, from, day) {
        if share > cfg.downhill_share_pct {
            out.push((
                day,
                "a large downhill share",
                format!(
                    "{share:.0} % of {} with altitude data run downhill (above {:.0} %)",
                    fmt_km(graded),
                    cfg.downhill_share_pct
                ),
            ));
        }
    }
    out.sort_by_key(|p| p.0);
    out.into_iter().map(|p| (p.1, p.2)).collect()
}

/// Share of the window's running with altitude data that was downhill, %, and that distance.
fn downhill_share(t: &Tables, from: NaiveDate, to: NaiveDate) -> Option<(f64, f64)> {
    let (mut graded, mut down) = (0.0, 0.0);
    for a in &t.activities {
        if a.local_day.is_some_and(|d| d >= from && d <= to) && a.run.downhill.has_grade {
            graded += a.run.distance_m.unwrap_or(0.0);
            down += a.run.downhill.downhill_m;
        }
    }
    (graded > 0.0).then(|| (100.0 * down / graded, graded))
}
