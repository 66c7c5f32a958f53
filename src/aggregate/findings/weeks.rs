//! The rules over one week: load that rises (the ramp, the two-week ramp, the acute:chronic
//! ratio above its band — one family, so a big week is found once, by its strongest rule), a
//! ratio below the band, weeks on one surface, and returns after a break faster than gradual.
//!
//! The weekly flags these read are made in `load.rs`: ramps against the larger of the
//! reference week and the usual load, ratios only from a chronic window without a break, and
//! returns against the load the runner held before the break.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate};

use super::super::load::rise;
use super::episode::{Episode, EpisodeText, Occurrence};
use super::text::{decisive, fmt_km};
use crate::config::LoadSettings;
use crate::model::{ReturnWeek, Rule, Scope, Severity, Surface, Week};

const EV_RAMP: &str = "the \"10 % rule\" (weak: Buist et al. 2008 found no effect; Frandsen et \
                       al. 2025 found no link between week-to-week change and injury)";
const EV_RAMP_2W: &str = "Nielsen et al. 2014 (novice runners who progressed more than 30 % over \
                          two weeks had more distance-related injuries)";
const EV_ACWR: &str =
    "Gabbett 2016 (acute:chronic above 1.5: \"danger zone\"; contested: Lolli et \
                       al. 2019, Impellizzeri et al. 2021)";
const EV_ACWR_LOW: &str = "Gabbett 2016 (lowest injury risk at acute:chronic 0.8–1.3; \
                           under-training may also raise it — no figure for runners)";
const EV_MONOTONY: &str = "Foster 1998 (25 athletes: most illnesses and minor injuries came \
                           when an athlete passed a threshold of their own, mostly of strain; \
                           monotony = mean daily load ÷ its SD, strain = weekly load × \
                           monotony); the 2.0 line is a coaching convention (Runalyze's \
                           critical level), not Foster's";
const EV_VARIETY: &str = "common coaching advice to vary terrain weekly (no trial evidence)";
const EV_RETURN: &str = "return-to-running plans after time off (as commonly coded from \
                         Daniels' Running Formula: 6–28 days off, about 50 % of the former load \
                         for the first half of the return, 75 % for the second); Dijkhuis et al. \
                         2020 (a chronic load after a break is biased for four weeks)";

/// What a family episode of load increases is called when its weeks were flagged by
/// different rules.
pub(super) const RISING: &str = "weeks of rising distance";

/// The occurrences of the weekly rules, by kind.
#[derive(Default)]
pub(super) struct WeekRules {
    /// Load increases (ramp, two-week ramp, high ratio): the strongest of each week.
    pub(super) rising: Vec<Occurrence>,
    /// Ratios below the band in weeks with running.
    pub(super) low: Vec<Occurrence>,
    /// Weeks closing a window on one surface.
    pub(super) one_surface: Vec<Occurrence>,
    /// Weeks of high monotony with the strain above the usual.
    pub(super) monotony: Vec<Occurrence>,
}

/// The weekly rules over the table.
pub(super) fn occurrences(weeks: &[Week], cfg: &LoadSettings) -> WeekRules {
    let mut out = WeekRules::default();
    let mut streak = 0usize;
    let mut monotonous: Vec<Occurrence> = Vec::new();
    for (i, w) in weeks.iter().enumerate() {
        if let Some(o) = rising(weeks, i, cfg) {
            out.rising.push(o);
        }
        if let Some(o) = low_ratio(w, cfg) {
            out.low.push(o);
        }
        // Monotony counts when it stays high: `monotony_weeks` flagged weeks in a row.
        match monotony(w, cfg) {
            Some(o) => monotonous.push(o),
            None => keep_if_long(&mut monotonous, &mut out.monotony, cfg.monotony_weeks),
        }
        streak = if w.flag_no_variety { streak + 1 } else { 0 };
        if streak > 0 {
            out.one_surface
                .push(one_surface(weeks, i, streak, cfg.no_variety_weeks));
        }
    }
    keep_if_long(&mut monotonous, &mut out.monotony, cfg.monotony_weeks);
    out
}

/// Moves a run of weeks in a row into `to` when it is at least `n` long; empties it.
fn keep_if_long(run: &mut Vec<Occurrence>, to: &mut Vec<Occurrence>, n: u32) {
    if run.len() >= n as usize {
        to.append(run);
    }
    run.clear();
}

/// An occurrence of a weekly rule in week `w`.
#[allow(clippy::too_many_arguments)]
fn occurrence(
    w: &Week,
    rule: Rule,
    severity: Severity,
    (value, threshold, extremity): (f64, f64, f64),
    message: String,
    example: String,
    advice: &'static str,
    evidence: &'static str,
    (what, peak_word): (String, &'static str),
) -> Occurrence {
    Occurrence {
        rule,
        scope: Scope::Week,
        severity,
        key: w.start.to_string(),
        first: w.start,
        last: last_day(w),
        value,
        threshold,
        priority: match rule {
            Rule::Acwr => 2,
            Rule::Ramp2w => 1,
            _ => 0,
        },
        extremity,
        message,
        example,
        advice: Cow::Borrowed(advice),
        pattern_advice: None,
        evidence,
        what: what.into(),
        peak_word,
        text: EpisodeText::PeakThenSpan,
    }
}

fn last_day(w: &Week) -> NaiveDate {
    w.start + Duration::days(6)
}

/// The strongest of the week's load increases: a ratio above the band (`watch`, `high` from
/// `acwr_severe`), a two-week ramp (`watch`), a ramp (`info`).
fn rising(weeks: &[Week], i: usize, cfg: &LoadSettings) -> Option<Occurrence> {
    high_ratio(&weeks[i], cfg)
        .or_else(|| ramp(weeks, i, 2, cfg))
        .or_else(|| ramp(weeks, i, 1, cfg))
}

/// A ratio above the band from a chronic window without a break.
fn high_ratio(w: &Week, cfg: &LoadSettings) -> Option<Occurrence> {
    let r = w.acwr.filter(|&r| w.flag_acwr && r > cfg.acwr_high)?;
    let km = fmt_km(w.distance_m);
    let severe = r >= cfg.acwr_severe;
    let (level, shown) = if severe {
        (cfg.acwr_severe, format!("{r:.2}"))
    } else {
        (cfg.acwr_high, decisive(r, cfg.acwr_high, 2))
    };
    Some(occurrence(
        w,
        Rule::Acwr,
        if severe {
            Severity::High
        } else {
            Severity::Watch
        },
        (r, level, r),
        format!(
            "The week of {} ran {km}, {shown}× the average of the 4 weeks to its end \
             (acute:chronic {} {level:.1}).",
            w.start,
            if severe { "at or above" } else { "above" }
        ),
        format!("{shown}× in the week of {} ({km})", w.start),
        "Ease the next week back towards your usual volume.",
        EV_ACWR,
        (
            format!("weeks above {:.1}× the 4-week average", cfg.acwr_high),
            "the highest",
        ),
    ))
}

/// A rise over the larger of the week `back` weeks before and the usual load: the two-week
/// ramp (`back` 2, `watch`) or the ramp (1, `info`).
fn ramp(weeks: &[Week], i: usize, back: usize, cfg: &LoadSettings) -> Option<Occurrence> {
    let w = &weeks[i];
    let two = back == 2;
    let (flag, limit) = if two {
        (w.flag_ramp_2w, cfg.ramp_2w_max_pct)
    } else {
        (w.flag_ramp, cfg.ramp_max_pct)
    };
    let r = rise(weeks, i, back, cfg.min_base_m).filter(|_| flag)?;
    let km = fmt_km(w.distance_m);
    let shown = decisive(r.pct, limit, 0);
    let before = if two {
        "two weeks before"
    } else {
        "the week before"
    };
    let against = if r.usual {
        format!("your usual {} a week", fmt_km(r.reference_m))
    } else {
        format!("the {} of {before}", fmt_km(r.reference_m))
    };
    Some(occurrence(
        w,
        if two { Rule::Ramp2w } else { Rule::Ramp },
        if two { Severity::Watch } else { Severity::Info },
        (r.pct, limit, r.pct),
        format!(
            "The week of {} ran {km}, {shown} % above {against} (more than {limit:.0} %).",
            w.start
        ),
        format!("+{shown} % in the week of {} ({km})", w.start),
        if two {
            "Spread the increase over more weeks; keep easy runs easy."
        } else {
            "Hold this volume for a week or two before adding more."
        },
        if two { EV_RAMP_2W } else { EV_RAMP },
        (
            format!("weeks more than {limit:.0} % above {before} and the usual load"),
            "the largest rise",
        ),
    ))
}

/// A ratio below the band in a week with running (a lighter week; a week without running is
/// plain in the table).
fn low_ratio(w: &Week, cfg: &LoadSettings) -> Option<Occurrence> {
    let r = w.acwr.filter(|&r| w.flag_acwr && r < cfg.acwr_low)?;
    let shown = decisive(r, cfg.acwr_low, 2);
    let km = fmt_km(w.distance_m);
    Some(occurrence(
        w,
        Rule::Acwr,
        Severity::Info,
        (r, cfg.acwr_low, cfg.acwr_low - r),
        format!(
            "The week of {} ran {km}, {shown}× the average of the 4 weeks to its end (below \
             {:.1}): a lighter week.",
            w.start, cfg.acwr_low
        ),
        format!("{shown}× in the week of {} ({km})", w.start),
        "After a lighter spell, build back up gradually rather than all at once.",
        EV_ACWR_LOW,
        (
            format!("weeks below {:.1}× the 4-week average", cfg.acwr_low),
            "the lowest",
        ),
    ))
}

/// A week of high monotony (`watch`) while its strain is above the usual: much the same load
/// every day, more of it than usual.
fn monotony(w: &Week, cfg: &LoadSettings) -> Option<Occurrence> {
    let (m, strain, usual) = (w.monotony?, w.strain_km?, w.usual_strain_km?);
    if !w.flag_monotony {
        return None;
    }
    let limit = cfg.monotony_max;
    let shown = decisive(m, limit, 2);
    let rise = 100.0 * (strain / usual - 1.0);
    let days = w.running_days;
    Some(occurrence(
        w,
        Rule::Monotony,
        Severity::Watch,
        (m, limit, m),
        format!(
            "The week of {} ran {} on {days} of its 7 days, much the same each day: monotony \
             {shown} (at or above {limit:.1}), strain {strain:.0} km, {} % above your usual \
             {usual:.0} km (more than {:.0} %).",
            w.start,
            fmt_km(w.distance_m),
            decisive(rise, cfg.strain_rise_pct, 0),
            cfg.strain_rise_pct,
        ),
        format!(
            "monotony {shown} in the week of {} ({})",
            w.start,
            fmt_km(w.distance_m)
        ),
        "Make the week uneven again: keep easy days short and easy, and take a day without \
         running.",
        EV_MONOTONY,
        (
            format!("weeks of monotony at or above {limit:.1} with strain above the usual"),
            "the highest",
        ),
    ))
}

/// Week `i` closes `n` weeks whose runs were all on one surface, the `streak`-th such week in
/// a row: the stretch began `n + streak − 1` weeks back.
fn one_surface(weeks: &[Week], i: usize, streak: usize, n: u32) -> Occurrence {
    let w = &weeks[i];
    let span = n as usize + streak - 1;
    let from = weeks[(i + 1).saturating_sub(span)].start;
    let mut totals = [0.0; Surface::ALL.len()];
    for x in &weeks[(i + 1).saturating_sub(span)..=i] {
        for (t, m) in totals.iter_mut().zip(x.surface_m) {
            *t += m;
        }
    }
    let surface = Surface::ALL[totals
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |x| x.0)];
    let to = last_day(w);
    let mut o = occurrence(
        w,
        Rule::NoVariety,
        Severity::Info,
        (span as f64, f64::from(n), span as f64),
        format!("Every run of the {span} weeks from {from} to {to} was on {surface}."),
        format!("{surface}, {span} weeks to {to}"),
        "Put at least one run a week on a different surface (trail, grass, track).",
        EV_VARIETY,
        (
            format!("weeks closing {n} weeks on one surface"),
            "the longest",
        ),
    );
    o.text = EpisodeText::PeakOnly;
    o
}

/// Each return after a break with a week above its plan: one episode per return, its weeks
/// above the plan its occurrences.
pub(super) fn returns(weeks: &[Week], cfg: &LoadSettings) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    let mut current: Option<usize> = None;
    for w in weeks {
        let Some(r) = w.ret else {
            current = None;
            continue;
        };
        if r.week == 1 {
            current = None;
        }
        if !w.flag_return {
            continue;
        }
        let o = return_week(w, &r, cfg);
        match current {
            Some(k) => out[k].items.push(o),
            None => {
                out.push(Episode { items: vec![o] });
                current = Some(out.len() - 1);
            }
        }
    }
    out
}

/// A return week above its plan: `high` at full load in the first half of the return.
fn return_week(w: &Week, r: &ReturnWeek, cfg: &LoadSettings) -> Occurrence {
    let base = r.base_m.unwrap_or(0.0);
    let pct = 100.0 * w.distance_m / base;
    let full = r.first_half && pct >= cfg.return_full_pct;
    let shown = decisive(pct, r.max_pct, 0);
    let half = r.of.div_ceil(2);
    let plan = if r.first_half {
        format!(
            "a gradual return keeps to about half of it, and below {:.0} %, in its first {}",
            r.max_pct,
            if half == 1 {
                "week".to_string()
            } else {
                format!("{half} weeks")
            }
        )
    } else {
        format!(
            "a gradual return stays below {:.0} % until week {} of {}",
            r.max_pct, r.of, r.of
        )
    };
    occurrence(
        w,
        Rule::ReturnAfterBreak,
        if full {
            Severity::High
        } else {
            Severity::Watch
        },
        (pct, r.max_pct, pct - r.max_pct),
        format!(
            "Back after {} days without running, the week of {} (week {} of the return) ran \
             {}, {shown} % of the {} a week you ran before the break; {plan}.",
            r.break_days,
            w.start,
            r.week,
            fmt_km(w.distance_m),
            fmt_km(base)
        ),
        format!(
            "{shown} % of the former {} a week in the week of {}",
            fmt_km(base),
            w.start
        ),
        if full {
            "Back off to about half your former weekly distance and build up over as many \
             weeks as you were off."
        } else {
            "Hold the volume for now: build back to your former weekly distance over as many \
             weeks as you were off."
        },
        EV_RETURN,
        (
            "weeks of the return above its gradual plan".to_string(),
            "the highest",
        ),
    )
}
