//! Session totals against their bounds and the cleaned records: kept when plausible (a clean
//! file's totals stay the source), else replaced by the records' value or dropped, with a note.

use super::fmt;
use crate::analyse::run::records_timer_s;
use crate::config::GuardSettings;
use crate::model::{Samples, SessionMsg};

/// Slack on session distances and climbs beyond what the speed bound allows, m (GPS noise at
/// the start, barometric drift while standing).
const DISTANCE_SLACK_M: f64 = 100.0;
/// Slack of timer time over elapsed time, s (devices round each differently).
const TIMER_SLACK_S: f64 = 2.0;
/// Slack of a session's elapsed time below its records' span, s.
const SPAN_SLACK_S: f64 = 60.0;

/// Session totals against their bounds and the cleaned records. With `before` (the records'
/// totals before samples or distance were taken out of them), a total that agreed with them
/// but not with what is kept is replaced by the kept records' value.
pub(super) fn totals(
    s: &mut SessionMsg,
    r: &Samples,
    cfg: &GuardSettings,
    before: Option<&RecordTotals>,
    notes: &mut Vec<String>,
) {
    let max_t = cfg.max_duration_s;
    let vmax = cfg.max_speed_mps;
    let tol = cfg.totals_tolerance_pct / 100.0;
    let in_time = |x: f64| (0.0..=max_t).contains(&x);
    // Records spread over more than the longest session cannot tell a session's times.
    let span = records_span_s(&r.t, max_t).filter(|&x| in_time(x));
    let rec_timer = records_timer_s(&r.t);
    let finite: Vec<f64> = r
        .distance_m
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    let rec_distance = (finite.len() > 1).then(|| finite[finite.len() - 1] - finite[0]);
    // Times the session does not give come from the records, as for a file without a session.
    s.elapsed_s = s.elapsed_s.or_else(|| match r.len() {
        0 => None,
        1 => Some(0.0),
        _ => span,
    });
    s.timer_s = s.timer_s.or(rec_timer);

    let why_e = s.elapsed_s.and_then(|e| {
        if !in_time(e) {
            Some(format!("outside 0–{} s", fmt(max_t, 0)))
        } else {
            span.filter(|&sp| e < sp * (1.0 - tol) - SPAN_SLACK_S)
                .map(|_| "shorter than its records".to_string())
        }
    });
    let above = |t: f64, e: Option<f64>| e.is_some_and(|e| t > e * 1.01 + TIMER_SLACK_S);
    let off = |x: f64| span.map_or(f64::INFINITY, |sp| (x - sp).abs());
    let pair = "timer time above elapsed time";
    // When timer time exceeds elapsed time, the one further from the records' span is wrong
    // (both, when there are no records).
    let why_e = why_e.or_else(|| {
        let (e, t) = (s.elapsed_s?, s.timer_s.filter(|&t| in_time(t))?);
        (above(t, Some(e)) && (span.is_none() || off(e) > off(t))).then(|| pair.to_string())
    });
    if let Some(why) = why_e {
        let new = span.filter(|&x| in_time(x));
        replace(notes, "elapsed time", s.elapsed_s, new, " s", 0, &why);
        s.elapsed_s = new;
    }
    let why_t = s.timer_s.and_then(|t| {
        if !in_time(t) {
            Some(format!("outside 0–{} s", fmt(max_t, 0)))
        } else {
            above(t, s.elapsed_s).then(|| pair.to_string())
        }
    });
    if let Some(why) = why_t {
        let new = rec_timer.filter(|&x| in_time(x) && !above(x, s.elapsed_s));
        replace(notes, "timer time", s.timer_s, new, " s", 0, &why);
        s.timer_s = new;
    }

    let time = [s.elapsed_s, s.timer_s, span]
        .into_iter()
        .flatten()
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
    let max_d = vmax * time.unwrap_or(max_t) + DISTANCE_SLACK_M;
    let plausible_d = |x: f64| (0.0..=max_d).contains(&x);
    if let Some(d) = s.distance_m.filter(|&d| !plausible_d(d)) {
        let new = rec_distance.filter(|&x| plausible_d(x));
        let why = format!("faster than {} m/s over its time", fmt(vmax, 1));
        replace_km(notes, "distance", d, new, &why);
        s.distance_m = new;
    }
    if let Some(v) = s.avg_speed_mps.filter(|v| !(0.0..=vmax).contains(v)) {
        notes.push(format!("session average speed {} m/s dropped", fmt(v, 1)));
        s.avg_speed_mps = None;
    }
    let max_climb = s.distance_m.map_or(max_d, |d| d + DISTANCE_SLACK_M);
    for (name, v) in [("ascent", &mut s.ascent_m), ("descent", &mut s.descent_m)] {
        if let Some(x) = v.filter(|x| !(0.0..=max_climb).contains(x)) {
            notes.push(format!(
                "session {name} {} m dropped (more than the distance)",
                fmt(x, 0)
            ));
            *v = None;
        }
    }
    if let Some(c) = s
        .avg_cadence_raw
        .filter(|c| !(0.0..=cfg.max_cadence_spm / 2.0).contains(c))
    {
        notes.push(format!("session average cadence {} dropped", fmt(c, 0)));
        s.avg_cadence_raw = None;
    }
    if let Some(before) = before {
        agree_with_records(s, before, &RecordTotals::of(r, cfg), cfg, notes);
    }
    pace(s, rec_distance, rec_timer, cfg, notes);
    fill_from_records(s, r, max_d, vmax);
    if let (Some(st), Some(&first)) = (s.start, r.t.first()) {
        if (st - first).abs() as f64 > max_t {
            notes.push("session start time more than the longest session away from its records: the first record's time used".to_string());
            s.start = Some(first);
        }
    }
}

/// What the records say of a run's totals: distance, span without clock jumps, timer time.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct RecordTotals {
    pub(super) distance_m: Option<f64>,
    pub(super) span_s: Option<f64>,
    pub(super) timer_s: Option<f64>,
}

impl RecordTotals {
    /// The totals of `r` (distance: last minus first known; times as [`records_span_s`] and
    /// [`records_timer_s`]).
    pub(super) fn of(r: &Samples, cfg: &GuardSettings) -> RecordTotals {
        let mut known = r.distance_m.iter().copied().filter(|x| x.is_finite());
        let first = known.next();
        let last = known.next_back().or(first);
        RecordTotals {
            distance_m: first.zip(last).map(|(f, l)| l - f).filter(|_| r.len() > 1),
            span_s: records_span_s(&r.t, cfg.max_duration_s),
            timer_s: records_timer_s(&r.t),
        }
    }
}

/// After samples or distance were taken out of the records, a session distance, elapsed or
/// timer time that agreed with the records before (`before`, within the tolerance and 100 m,
/// or 60 s) but not with what is kept described what was removed too: the kept records'
/// value replaces it. A total that never agreed (records the file keeps only in part) stays.
fn agree_with_records(
    s: &mut SessionMsg,
    before: &RecordTotals,
    kept: &RecordTotals,
    cfg: &GuardSettings,
    notes: &mut Vec<String>,
) {
    let tol = cfg.totals_tolerance_pct / 100.0;
    let near = |a: f64, b: f64, slack: f64| (a - b).abs() <= b * tol + slack;
    let stale = |x: f64, was: Option<f64>, now: Option<f64>, slack: f64| match (was, now) {
        (Some(w), Some(n)) => near(x, w, slack) && !near(x, n, slack),
        _ => false,
    };
    let why = "more than the records kept";
    let mut changed = false;
    if let Some(d) = s.distance_m {
        if stale(d, before.distance_m, kept.distance_m, DISTANCE_SLACK_M) {
            replace_km(notes, "distance", d, kept.distance_m, why);
            s.distance_m = kept.distance_m;
            changed = true;
        }
    }
    for (what, total, was, now) in [
        ("elapsed time", &mut s.elapsed_s, before.span_s, kept.span_s),
        ("timer time", &mut s.timer_s, before.timer_s, kept.timer_s),
    ] {
        if let Some(x) = *total {
            if stale(x, was, now, SPAN_SLACK_S) {
                replace(notes, what, Some(x), now, " s", 0, why);
                *total = now;
                changed = true;
            }
        }
    }
    if changed {
        // Made again from the kept distance and time.
        s.avg_speed_mps = None;
    }
}

/// The run's distance over its timer time must be within the speed bound: if not, the total
/// the records contradict is replaced by theirs — the timer time, the distance, or both — and
/// the distance is dropped when the records cannot tell. (A pace within the bound but beyond
/// the world records is no damage but a vehicle: that is judged after, see `foot.rs`.)
fn pace(
    s: &mut SessionMsg,
    rec_distance: Option<f64>,
    rec_timer: Option<f64>,
    cfg: &GuardSettings,
    notes: &mut Vec<String>,
) {
    let running = |d: f64, t: f64| t > 0.0 && d <= cfg.max_speed_mps * t + DISTANCE_SLACK_M;
    let (Some(d), Some(t)) = (s.distance_m, s.timer_s) else {
        return;
    };
    if running(d, t) {
        return;
    }
    let why = format!(
        "{} km in {} s: faster than {} m/s",
        fmt(d / 1000.0, 2),
        fmt(t, 0),
        fmt(cfg.max_speed_mps, 1)
    );
    // The records are the witness: of the repairs that give a running speed, the one whose
    // pace is nearest the records' own.
    let choice = match (rec_distance, rec_timer) {
        (Some(rd), Some(rt)) if rd > 0.0 && rt > 0.0 && running(rd, rt) => {
            let witness = (rd / rt).ln();
            [(d, rt), (rd, t), (rd, rt)]
                .into_iter()
                .filter(|&(dd, tt)| running(dd, tt) && dd > 0.0)
                .min_by(|a, b| {
                    let off = |(dd, tt): (f64, f64)| ((dd / tt).ln() - witness).abs();
                    off(*a).total_cmp(&off(*b))
                })
        }
        _ => None,
    };
    match choice {
        Some((dd, tt)) => {
            if tt != t {
                replace(notes, "timer time", Some(t), Some(tt), " s", 0, &why);
                s.timer_s = Some(tt);
            }
            if dd != d {
                replace_km(notes, "distance", d, Some(dd), &why);
                s.distance_m = Some(dd);
            }
        }
        None => {
            replace_km(notes, "distance", d, None, &why);
            s.distance_m = None;
        }
    }
    s.avg_speed_mps = None;
}

/// A distance and average speed the session does not give (a file without a session message,
/// a session without the field) come from the records: the largest distance, and distance
/// over timer time; an average speed above the bound is left out.
fn fill_from_records(s: &mut SessionMsg, r: &Samples, max_d: f64, vmax: f64) {
    // Within the speed bound over the timer time too, when there is one.
    let max_d = s
        .timer_s
        .map_or(max_d, |t| max_d.min(vmax * t + DISTANCE_SLACK_M));
    s.distance_m = s.distance_m.or_else(|| {
        r.distance_m
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
            .filter(|&x| x <= max_d)
    });
    s.avg_speed_mps = s.avg_speed_mps.or_else(|| match (s.distance_m, s.timer_s) {
        (Some(dm), Some(ts)) if ts > 0.0 => Some(dm / ts).filter(|&v| v <= vmax),
        _ => None,
    });
}

/// The time the records span, s: last minus first time stamp, without the gaps longer than
/// `max_gap_s` (clock jumps); `None` with fewer than two samples. Time stamps are in order.
fn records_span_s(t: &[i64], max_gap_s: f64) -> Option<f64> {
    (t.len() > 1).then(|| {
        t.windows(2)
            .map(|w| (w[1] - w[0]) as f64)
            .filter(|&dt| dt <= max_gap_s)
            .sum()
    })
}

/// Notes a replaced time total.
fn replace(
    notes: &mut Vec<String>,
    what: &str,
    old: Option<f64>,
    new: Option<f64>,
    unit: &str,
    decimals: usize,
    why: &str,
) {
    let old = old.map_or("missing".to_string(), |x| {
        format!("{}{unit}", fmt(x, decimals))
    });
    notes.push(match new {
        Some(x) => format!(
            "session {what} {old} ({why}) replaced by the records' {}{unit}",
            fmt(x, decimals)
        ),
        None => format!("session {what} {old} ({why}) dropped: the records cannot tell"),
    });
}

/// Notes a replaced distance.
fn replace_km(notes: &mut Vec<String>, what: &str, old: f64, new: Option<f64>, why: &str) {
    let km = |x: f64| format!("{} km", fmt(x / 1000.0, 2));
    notes.push(match new {
        Some(x) => format!(
            "session {what} {} ({why}) replaced by the records' {}",
            km(old),
            km(x)
        ),
        None => format!(
            "session {what} {} ({why}) dropped: the records cannot tell",
            km(old)
        ),
    });
}
