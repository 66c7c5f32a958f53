//! Session totals against their bounds and the cleaned records: kept when plausible (a clean
//! file's totals stay the source), else replaced by the records' value or dropped, with a note.

use super::notes::{Climb, Repair, Total, Why};
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
/// but not with what is kept is replaced by the kept records' value. Returns what was changed;
/// empty when every total stands.
pub(super) fn totals(
    s: &mut SessionMsg,
    r: &Samples,
    cfg: &GuardSettings,
    before: Option<&RecordTotals>,
) -> Vec<Repair> {
    let mut repairs = Vec::new();
    let w = Witness::of(r, cfg);
    // Times the session does not give come from the records, as for a file without a session.
    s.elapsed_s = s.elapsed_s.or_else(|| match r.len() {
        0 => None,
        1 => Some(0.0),
        _ => w.span_s,
    });
    s.timer_s = s.timer_s.or(w.timer_s);
    w.elapsed(s, &mut repairs);
    w.timer(s, &mut repairs);
    let max_d = w.max_distance_m(s);
    w.distance(s, max_d, &mut repairs);
    averages_and_climbs(s, max_d, cfg, &mut repairs);
    if let Some(before) = before {
        agree_with_records(s, before, &RecordTotals::of(r, cfg), cfg, &mut repairs);
    }
    pace(s, w.distance_m, w.timer_s, cfg, &mut repairs);
    fill_from_records(s, r, max_d, cfg.max_speed_mps);
    if let (Some(st), Some(&first)) = (s.start, r.t.first()) {
        if (st - first).abs() as f64 > cfg.max_duration_s {
            repairs.push(Repair::StartMoved);
            s.start = Some(first);
        }
    }
    repairs
}

/// What a session's times and distance are judged against: the bounds, and the cleaned
/// records' totals.
struct Witness<'a> {
    cfg: &'a GuardSettings,
    /// The records' span, s, when within the longest session (records spread over more
    /// cannot tell a session's times).
    span_s: Option<f64>,
    /// The records' timer time, s.
    timer_s: Option<f64>,
    /// The last known distance less the first, m.
    distance_m: Option<f64>,
}

impl Witness<'_> {
    fn of<'a>(r: &Samples, cfg: &'a GuardSettings) -> Witness<'a> {
        let max_t = cfg.max_duration_s;
        let finite: Vec<f64> = r
            .distance_m
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        Witness {
            cfg,
            span_s: records_span_s(&r.t, max_t).filter(|&x| (0.0..=max_t).contains(&x)),
            timer_s: records_timer_s(&r.t),
            distance_m: (finite.len() > 1).then(|| finite[finite.len() - 1] - finite[0]),
        }
    }

    /// Whether `x` is a time a session can have: 0 to the longest session.
    fn in_time(&self, x: f64) -> bool {
        (0.0..=self.cfg.max_duration_s).contains(&x)
    }

    /// Whether timer time `t` is above elapsed time `e`, beyond rounding.
    fn above(t: f64, e: Option<f64>) -> bool {
        e.is_some_and(|e| t > e * 1.01 + TIMER_SLACK_S)
    }

    /// How far time `x` is from the records' span, s (infinitely, without one).
    fn off(&self, x: f64) -> f64 {
        self.span_s.map_or(f64::INFINITY, |sp| (x - sp).abs())
    }

    /// Why a time total is outside 0 to the longest session.
    fn outside(&self) -> Why {
        Why::OutsideTime {
            max_s: self.cfg.max_duration_s,
        }
    }

    /// The session's elapsed time: outside its bounds, shorter than its records, or further
    /// from the records' span than a timer time above it (both, without records), it is
    /// replaced by the span.
    fn elapsed(&self, s: &mut SessionMsg, repairs: &mut Vec<Repair>) {
        let tol = self.cfg.totals_tolerance_pct / 100.0;
        let why = s.elapsed_s.and_then(|e| {
            if !self.in_time(e) {
                Some(self.outside())
            } else {
                self.span_s
                    .filter(|&sp| e < sp * (1.0 - tol) - SPAN_SLACK_S)
                    .map(|_| Why::ShorterThanRecords)
            }
        });
        let why = why.or_else(|| {
            let (e, t) = (s.elapsed_s?, s.timer_s.filter(|&t| self.in_time(t))?);
            (Self::above(t, Some(e)) && (self.span_s.is_none() || self.off(e) > self.off(t)))
                .then_some(Why::TimerAboveElapsed)
        });
        if let Some(why) = why {
            let new = self.span_s.filter(|&x| self.in_time(x));
            replace(repairs, Total::ElapsedTime, &mut s.elapsed_s, new, why);
        }
    }

    /// The session's timer time: outside its bounds or above the elapsed time, it is replaced
    /// by the records' when theirs is neither.
    fn timer(&self, s: &mut SessionMsg, repairs: &mut Vec<Repair>) {
        let why = s.timer_s.and_then(|t| {
            if !self.in_time(t) {
                Some(self.outside())
            } else {
                Self::above(t, s.elapsed_s).then_some(Why::TimerAboveElapsed)
            }
        });
        if let Some(why) = why {
            let new = self
                .timer_s
                .filter(|&x| self.in_time(x) && !Self::above(x, s.elapsed_s));
            replace(repairs, Total::TimerTime, &mut s.timer_s, new, why);
        }
    }

    /// The longest distance the session's longest time allows at the speed bound, m (the
    /// longest session's, without a time).
    fn max_distance_m(&self, s: &SessionMsg) -> f64 {
        let time = [s.elapsed_s, s.timer_s, self.span_s]
            .into_iter()
            .flatten()
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        self.cfg.max_speed_mps * time.unwrap_or(self.cfg.max_duration_s) + DISTANCE_SLACK_M
    }

    /// The session's distance: beyond `max_d`, it is replaced by the records' when theirs is
    /// not.
    fn distance(&self, s: &mut SessionMsg, max_d: f64, repairs: &mut Vec<Repair>) {
        let plausible = |x: f64| (0.0..=max_d).contains(&x);
        if s.distance_m.is_some_and(|d| !plausible(d)) {
            let new = self.distance_m.filter(|&x| plausible(x));
            let why = Why::FasterThanBound {
                max_speed_mps: self.cfg.max_speed_mps,
            };
            replace(repairs, Total::Distance, &mut s.distance_m, new, why);
        }
    }
}

/// Replaces a session total by `new`, noting the repair with the value it had.
fn replace(
    repairs: &mut Vec<Repair>,
    total: Total,
    field: &mut Option<f64>,
    new: Option<f64>,
    why: Why,
) {
    repairs.push(Repair::Replaced {
        total,
        old: *field,
        new,
        why,
    });
    *field = new;
}

/// The session's average speed beyond the speed bound, its ascent or descent more than its
/// distance (or `max_d` without one), and its average cadence beyond the cadence bound are
/// dropped.
fn averages_and_climbs(
    s: &mut SessionMsg,
    max_d: f64,
    cfg: &GuardSettings,
    repairs: &mut Vec<Repair>,
) {
    if let Some(v) = s
        .avg_speed_mps
        .filter(|v| !(0.0..=cfg.max_speed_mps).contains(v))
    {
        repairs.push(Repair::AverageSpeedDropped { mps: v });
        s.avg_speed_mps = None;
    }
    let max_climb = s.distance_m.map_or(max_d, |d| d + DISTANCE_SLACK_M);
    for (climb, v) in [
        (Climb::Ascent, &mut s.ascent_m),
        (Climb::Descent, &mut s.descent_m),
    ] {
        if let Some(m) = v.filter(|x| !(0.0..=max_climb).contains(x)) {
            repairs.push(Repair::ClimbDropped { climb, m });
            *v = None;
        }
    }
    if let Some(raw) = s
        .avg_cadence_raw
        .filter(|c| !(0.0..=cfg.max_cadence_spm / 2.0).contains(c))
    {
        repairs.push(Repair::AverageCadenceDropped { raw });
        s.avg_cadence_raw = None;
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
    repairs: &mut Vec<Repair>,
) {
    let tol = cfg.totals_tolerance_pct / 100.0;
    let near = |a: f64, b: f64, slack: f64| (a - b).abs() <= b * tol + slack;
    let stale = |x: f64, was: Option<f64>, now: Option<f64>, slack: f64| match (was, now) {
        (Some(w), Some(n)) => near(x, w, slack) && !near(x, n, slack),
        _ => false,
    };
    let why = Why::MoreThanRecordsKept;
    let mut changed = false;
    if let Some(d) = s.distance_m {
        if stale(d, before.distance_m, kept.distance_m, DISTANCE_SLACK_M) {
            replace(
                repairs,
                Total::Distance,
                &mut s.distance_m,
                kept.distance_m,
                why,
            );
            changed = true;
        }
    }
    for (which, total, was, now) in [
        (
            Total::ElapsedTime,
            &mut s.elapsed_s,
            before.span_s,
            kept.span_s,
        ),
        (
            Total::TimerTime,
            &mut s.timer_s,
            before.timer_s,
            kept.timer_s,
        ),
    ] {
        if let Some(x) = *total {
            if stale(x, was, now, SPAN_SLACK_S) {
                replace(repairs, which, total, now, why);
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
    repairs: &mut Vec<Repair>,
) {
    let running = |d: f64, t: f64| t > 0.0 && d <= cfg.max_speed_mps * t + DISTANCE_SLACK_M;
    let (Some(d), Some(t)) = (s.distance_m, s.timer_s) else {
        return;
    };
    if running(d, t) {
        return;
    }
    let why = Why::Pace {
        distance_m: d,
        timer_s: t,
        max_speed_mps: cfg.max_speed_mps,
    };
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
    let replaced = |total: Total, old: f64, new: Option<f64>| Repair::Replaced {
        total,
        old: Some(old),
        new,
        why,
    };
    match choice {
        Some((dd, tt)) => {
            if tt != t {
                repairs.push(replaced(Total::TimerTime, t, Some(tt)));
                s.timer_s = Some(tt);
            }
            if dd != d {
                repairs.push(replaced(Total::Distance, d, Some(dd)));
                s.distance_m = Some(dd);
            }
        }
        None => {
            repairs.push(replaced(Total::Distance, d, None));
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
