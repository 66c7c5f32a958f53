//! The `pain` rule: diary days with pain above the threshold, or worse the next morning than
//! during the run; days close together are one episode, with what preceded its first day in
//! the lookback window.
//!
//! The model is the pain-monitoring model of Silbernagel et al. 2007 (pain up to 5/10 during
//! and after loading is acceptable if it has settled by the next morning and does not build
//! from week to week) and this project's own rule of thumb: 3/10, not worse the next morning,
//! is a load you can keep; 7/10 means back off. A day at or under the threshold that did not
//! get worse overnight gives nothing.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate};

use super::super::load::{rise, Rise};
use super::episode::Occurrence;
use super::text::fmt_km;
use crate::config::{FindingsSettings, LoadSettings};
use crate::model::{DiaryDay, Finding, Rule, Scope, Severity, Tables};

const EV_PAIN: &str = "Silbernagel et al. 2007 (pain-monitoring model, Am J Sports Med 35:897: \
                       pain up to 5/10 during and after loading is acceptable if it has settled \
                       by the next morning and does not increase from week to week)";

/// The model's ceiling of acceptable pain during and after loading (0–10).
const MODEL_ACCEPTABLE: f64 = 5.0;

/// One finding per episode of painful diary days. `runs` holds the run rules' occurrences,
/// from which the low-cadence and overstriding runs of the window are taken.
pub(super) fn findings(
    t: &Tables,
    runs: &[Occurrence],
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    retire_m: f64,
) -> Vec<Finding> {
    let gap = Duration::days(i64::from(cfg.episode_gap_days));
    let mut episodes: Vec<Vec<&DiaryDay>> = Vec::new();
    for d in t.diary.iter().filter(|d| needs_a_finding(d, cfg)) {
        match episodes.last_mut() {
            Some(e) if d.date <= e[e.len() - 1].date + gap => e.push(d),
            _ => episodes.push(vec![d]),
        }
    }
    episodes
        .iter()
        .map(|days| {
            let preceded = preceded_by(t, runs, days[0].date, cfg, load_cfg, retire_m);
            episode(t, days, preceded, cfg)
        })
        .collect()
}

/// A day above the threshold, or worse the next morning than during.
fn needs_a_finding(d: &DiaryDay, cfg: &FindingsSettings) -> bool {
    d.worst() > cfg.pain_threshold || is_worse(d)
}

fn is_worse(d: &DiaryDay) -> bool {
    d.next_morning.is_some_and(|m| m > d.pain)
}

/// The finding of one episode: its worst day decides the severity, the advice and the value.
fn episode(
    t: &Tables,
    days: &[&DiaryDay],
    preceded: Vec<(&'static str, String)>,
    cfg: &FindingsSettings,
) -> Finding {
    let worst = days
        .iter()
        .copied()
        .max_by(|a, b| a.worst().total_cmp(&b.worst()).then(b.date.cmp(&a.date)))
        .expect("an episode holds a day");
    let (first, last) = (days[0].date, days[days.len() - 1].date);
    let lookback = cfg.pain_lookback_days;
    // What stands out (the shoes worn are context unless past their retirement distance).
    let mut standout: Vec<&str> = Vec::new();
    for k in preceded.iter().map(|p| p.0).filter(|k| !k.is_empty()) {
        if !standout.contains(&k) {
            standout.push(k);
        }
    }
    let before = if days.len() == 1 { "it" } else { "it began" };
    let kinds = if standout.is_empty() {
        format!(" Nothing in the load of the {lookback} days before {before} stands out.")
    } else {
        format!(
            " In the {lookback} days before {before}: {}.",
            standout.join(", ")
        )
    };
    let day_text = day_sentence(t, worst);
    let message = if days.len() == 1 {
        format!("{day_text}.{kinds}")
    } else {
        format!(
            "Pain on {} diary days from {first} to {last}; the worst, on {}: {}.{kinds}",
            days.len(),
            worst.date,
            lowercase_first(&day_text)
        )
    };
    let high = worst.worst() >= cfg.pain_high;
    let above = worst.worst() > cfg.pain_threshold;
    let evidence = if preceded.is_empty() {
        format!("{EV_PAIN}. Preceded by nothing that stands out in {lookback} days.")
    } else {
        let lines: Vec<&str> = preceded.iter().map(|p| p.1.as_str()).collect();
        format!(
            "{EV_PAIN}. Preceded by ({lookback} days): {}.",
            lines.join("; ")
        )
    };
    Finding {
        scope: Scope::Day,
        key: first.to_string(),
        first: Some(first),
        last: Some(last),
        occurrences: days.len() as u32,
        rule: Rule::Pain,
        severity: if high {
            Severity::High
        } else {
            Severity::Watch
        },
        value: worst.worst(),
        threshold: if above {
            cfg.pain_threshold
        } else {
            worst.pain
        },
        message,
        advice: advice(worst, cfg),
        evidence: evidence.into(),
        preceded_by: preceded.into_iter().map(|p| p.1).collect(),
    }
}

/// "Pain 4/10 (left knee) after 10.8 km of running, worse the next morning at 6/10".
fn day_sentence(t: &Tables, d: &DiaryDay) -> String {
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
        Some(m) if is_worse(d) => format!(", worse the next morning at {m}/10"),
        Some(m) => format!(", {m}/10 the next morning"),
        None => String::new(),
    };
    format!("Pain {}/10{at}{after}{morning}", d.pain)
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What the model advises after the episode's worst day.
fn advice(d: &DiaryDay, cfg: &FindingsSettings) -> Cow<'static, str> {
    let worst = d.worst();
    if worst >= cfg.pain_high {
        format!(
            "Back off: cut or pause running until pain during it is back at {:.0}/10 or less \
             and no worse the next morning. Pain that does not settle within a few days, is \
             sharp, swollen or started with a pop needs a clinician.",
            cfg.pain_threshold
        )
        .into()
    } else if is_worse(d) {
        "Pain that is worse the next morning means that load was more than the knee \
         tolerated: make the next runs shorter, flatter or slower until the morning after is \
         no worse than the run."
            .into()
    } else if worst <= MODEL_ACCEPTABLE {
        format!(
            "Within the pain-monitoring model's acceptable zone (up to {MODEL_ACCEPTABLE:.0}/10) \
             if it settles by the next morning and does not build week to week: hold this \
             load, do not add to it, and note the next morning's pain."
        )
        .into()
    } else {
        format!(
            "Above the {MODEL_ACCEPTABLE:.0}/10 the pain-monitoring model accepts: reduce the \
             next runs until pain stays at {:.0}/10 or less.",
            cfg.pain_threshold
        )
        .into()
    }
}

/// One thing that preceded a pain day: when, its kind (for the message; empty for context
/// only), and one line with its date and numbers (for the evidence).
type Preceding = (NaiveDate, &'static str, String);

/// What preceded `day` in the lookback window (the day included), oldest first: each entry is
/// its kind and its line.
fn preceded_by(
    t: &Tables,
    runs: &[Occurrence],
    day: NaiveDate,
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    retire_m: f64,
) -> Vec<(&'static str, String)> {
    let from = day - Duration::days(i64::from(cfg.pain_lookback_days) - 1);
    let mut out: Vec<Preceding> = Vec::new();
    spikes(t, from, day, load_cfg, &mut out);
    weeks(t, from, day, load_cfg, &mut out);
    form(runs, from, day, &mut out);
    shoes(t, from, day, retire_m, &mut out);
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

/// The long-run spikes of the window.
fn spikes(
    t: &Tables,
    from: NaiveDate,
    day: NaiveDate,
    cfg: &LoadSettings,
    out: &mut Vec<Preceding>,
) {
    for a in &t.activities {
        let (Some(d), true, Some(prev), Some(km)) = (
            a.local_day,
            a.flag_long_run_spike,
            a.long_run_ref_m.get(),
            a.run.distance_m.get(),
        ) else {
            continue;
        };
        if d >= from && d <= day {
            out.push((
                d,
                "a long-run spike",
                format!(
                    "{d} long-run spike: {}, {:.0} % over the longest of the {} days before",
                    fmt_km(km),
                    100.0 * (km - prev) / prev,
                    cfg.long_run_lookback_days
                ),
            ));
        }
    }
}

/// The weeks of the window (a week counts when any of its days falls in it) with a ramp, a
/// return above its plan, or a high ratio of distance or session-RPE.
fn weeks(
    t: &Tables,
    from: NaiveDate,
    day: NaiveDate,
    cfg: &LoadSettings,
    out: &mut Vec<Preceding>,
) {
    for (i, w) in t.weeks.iter().enumerate() {
        let end = w.start + Duration::days(6);
        if end < from || w.start > day {
            continue;
        }
        let s = w.start;
        let rise = |back| rise(&t.weeks, i, back, cfg.min_base_m);
        let against = |r: &Rise, what: &str| {
            if r.usual {
                format!("the usual {} a week", fmt_km(r.reference_m))
            } else {
                what.to_string()
            }
        };
        if let (true, Some(r)) = (w.flag_ramp_2w, rise(2)) {
            out.push((
                s,
                "a two-week ramp",
                format!(
                    "week of {s}: distance up {:.0} % on {}",
                    r.pct,
                    against(&r, "two weeks before")
                ),
            ));
        } else if let (true, Some(r)) = (w.flag_ramp, rise(1)) {
            out.push((
                s,
                "a ramp",
                format!(
                    "week of {s}: distance up {:.0} % on {}",
                    r.pct,
                    against(&r, "the week before")
                ),
            ));
        }
        if let (true, Some(r)) = (w.flag_return, w.ret) {
            out.push((
                s,
                "a fast return after a break",
                format!(
                    "week of {s}: {} in week {} of a return after {} days off",
                    fmt_km(w.distance_m),
                    r.week,
                    r.break_days
                ),
            ));
        }
        if let (true, Some(r)) = (w.flag_acwr, w.acwr.filter(|&r| r > cfg.acwr_high)) {
            out.push((
                s,
                "a high acute:chronic ratio",
                format!("week of {s}: distance acute:chronic {r:.2}"),
            ));
        }
        if let Some(r) = w.srpe.acwr.filter(|&r| r > cfg.acwr_high) {
            out.push((
                s,
                "a high session-RPE ratio",
                format!("week of {s}: session-RPE acute:chronic {r:.2}"),
            ));
        }
    }
}

/// The low-cadence and downhill overstriding runs of the window.
fn form(runs: &[Occurrence], from: NaiveDate, day: NaiveDate, out: &mut Vec<Preceding>) {
    for o in runs.iter().filter(|o| o.first >= from && o.first <= day) {
        let d = o.first;
        match o.rule {
            Rule::LowCadence => out.push((
                d,
                "low-cadence runs",
                format!("{d} low cadence: {:.0} spm", o.value),
            )),
            Rule::DownhillOverstriding => out.push((
                d,
                "overstriding downhill",
                format!(
                    "{d} downhill overstriding: {:.0} spm drop at the same speed",
                    o.value
                ),
            )),
            _ => {}
        }
    }
}

/// The shoes worn in the window, with the distance on them by `day`; a pair past the
/// retirement distance also stands out in the message.
fn shoes(t: &Tables, from: NaiveDate, day: NaiveDate, retire_m: f64, out: &mut Vec<Preceding>) {
    let mut worn: Vec<(&str, NaiveDate)> = Vec::new();
    for a in &t.activities {
        if let (Some(g), Some(d)) = (a.run.label().gear.as_deref(), a.local_day) {
            if d >= from && d <= day {
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
