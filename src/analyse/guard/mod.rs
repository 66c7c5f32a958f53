//! The plausibility guard: the one place where a run's samples and session totals are checked
//! against physical bounds (`[guard]`), before any analysis sees them.
//!
//! A sample whose time stamp breaks the time order is removed; a value outside its bounds is
//! dropped (set to `NaN`), never clamped; a distance increment faster than the speed bound is
//! removed from the cumulative distance. Session totals stay the source unless they are
//! implausible by themselves or against the cleaned records; then the records' value replaces
//! them (or nothing, when the records cannot tell). Everything done is said in a note for the
//! ledger. A clean file passes unchanged.

pub(super) mod foot;
mod notes;
mod totals;

pub(super) use foot::{ride, running_dynamics};
pub(super) use notes::{NotOnFoot, Note};

use super::cadence::steps_per_raw;
use crate::config::GuardSettings;
use crate::model::{Samples, SessionMsg};
use crate::series::{median, sample_speeds};
use notes::Bound;

/// Slack of one distance increment beyond the speed bound, m: a GPS watch that lost its fix
/// adds the straight line when the fix returns (up to 40 m in one second on the corpus).
const JUMP_SLACK_M: f64 = 50.0;
/// Parts of a run cut off by a time gap longer than the longest session are wild time stamps
/// when they hold less than this share of its samples, %, and are removed; larger parts are a
/// clock jump and kept (time-weighted statistics cap every interval, so a jump adds nothing).
const WILD_PART_PCT: f64 = 5.0;
/// Samples around one whose step, from speed and cadence, is longer than the bound: when the
/// median of theirs is too, the cadences are implausible.
const STEP_WINDOW: usize = 31;

/// A run's samples and session after the guard.
#[derive(Clone, Debug)]
pub(super) struct Guarded {
    /// The session, with implausible totals replaced or removed.
    pub(super) session: SessionMsg,
    /// The samples that survive, with implausible values set to `NaN`.
    pub(super) samples: Samples,
    /// What was removed or replaced, one note each; empty for a clean run.
    pub(super) notes: Vec<Note>,
    /// Too little survived: the run is not kept.
    pub(super) rejected: bool,
    /// Why the run is not running at all (faster than anyone runs, or a ride): not kept.
    pub(super) not_on_foot: Option<NotOnFoot>,
    /// A session total was replaced or dropped.
    pub(super) totals_repaired: bool,
}

/// Cleans one run's samples and session totals.
pub(super) fn guard(s: &SessionMsg, samples: &Samples, cfg: &GuardSettings) -> Guarded {
    let mut notes = Vec::new();
    let n0 = samples.len();
    let idx = time_order(&samples.t, cfg.max_duration_s as i64, &mut notes);
    let mut out = if idx.len() == n0 {
        samples.clone()
    } else {
        samples.select(&idx)
    };
    let jumps = distance(&mut out, cfg.max_speed_mps, &mut notes);
    // Stretches beyond running (a car at the end) go before single values are judged: their
    // speeds and distances, dropped as too fast one by one, are what shows them.
    let moving = out.len();
    let cut = foot::cut_off(&mut out, cfg);
    notes.extend(cut.notes);
    values(&mut out, cfg, &mut notes);
    let implied = consistency(&mut out, cfg, &mut notes);
    let mut session = s.clone();
    // Samples or distance taken out: the session's totals stand only where the rest agrees.
    let removed = idx.len() < n0 || jumps || cut.samples > 0 || implied;
    let as_read = removed.then(|| totals::RecordTotals::of(samples, cfg));
    let repairs = totals::totals(&mut session, &out, cfg, as_read.as_ref());
    let totals_repaired = !repairs.is_empty();
    notes.extend(repairs.into_iter().map(Note::Total));
    // Nearly all of it faster than running: the run is not on foot; else the run as kept.
    let not_on_foot = if 2 * cut.samples > moving {
        Some(NotOnFoot::MostlyTooFast {
            samples: cut.samples,
            moving,
        })
    } else {
        foot::not_on_foot(&session, &out, cfg)
    };
    let kept_pct = if n0 == 0 {
        100.0
    } else {
        100.0 * out.len() as f64 / n0 as f64
    };
    let rejected = kept_pct < cfg.min_kept_pct && not_on_foot.is_none();
    if rejected {
        notes.push(Note::TooLittleKept {
            kept: out.len(),
            samples: n0,
            min_kept_pct: cfg.min_kept_pct,
        });
    }
    Guarded {
        session,
        samples: out,
        notes,
        rejected,
        not_on_foot,
        totals_repaired,
    }
}

/// The indices of the samples kept in time order: the longest non-decreasing run of time
/// stamps (so a single wild time stamp, early or late, is what goes), less the small parts
/// cut off by gaps longer than `max_gap_s` (see [`WILD_PART_PCT`]).
fn time_order(t: &[i64], max_gap_s: i64, notes: &mut Vec<Note>) -> Vec<usize> {
    let mut idx = longest_non_decreasing(t);
    if idx.len() < t.len() {
        notes.push(Note::OutOfTimeOrder {
            samples: t.len() - idx.len(),
        });
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for k in 1..=idx.len() {
        if k == idx.len() || t[idx[k]] - t[idx[k - 1]] > max_gap_s {
            parts.push(start..k);
            start = k;
        }
    }
    if parts.len() > 1 {
        let min_len = idx.len() as f64 * WILD_PART_PCT / 100.0;
        let kept: Vec<usize> = parts
            .into_iter()
            .filter(|p| p.len() as f64 >= min_len)
            .flat_map(|p| idx[p].to_vec())
            .collect();
        if kept.len() < idx.len() {
            notes.push(Note::BeyondTimeGap {
                samples: idx.len() - kept.len(),
                max_gap_s,
            });
        }
        idx = kept;
    }
    idx
}

/// Indices of a longest non-decreasing subsequence of `v` (patience sorting, O(n log n)); the
/// whole range when `v` is already in order.
fn longest_non_decreasing<T: PartialOrd + Copy>(v: &[T]) -> Vec<usize> {
    if v.windows(2).all(|w| w[0] <= w[1]) {
        return (0..v.len()).collect();
    }
    let mut tails: Vec<usize> = Vec::new(); // index of the smallest tail of each length
    let mut prev = vec![usize::MAX; v.len()];
    for i in 0..v.len() {
        let pos = tails.partition_point(|&j| v[j] <= v[i]);
        if pos > 0 {
            prev[i] = tails[pos - 1];
        }
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied().unwrap_or(usize::MAX);
    while at != usize::MAX {
        out.push(at);
        at = prev[at];
    }
    out.reverse();
    out
}

/// Distance: negative values and values out of order are dropped (the longest non-decreasing
/// run of them stays), then every increment faster than `max_speed` is taken out of the
/// cumulative distance. Returns whether any distance was dropped or taken out.
fn distance(s: &mut Samples, max_speed: f64, notes: &mut Vec<Note>) -> bool {
    let negative = drop_negative(&mut s.distance_m);
    if negative > 0 {
        notes.push(Note::NegativeDistances { count: negative });
    }
    let out_of_order = drop_out_of_order(&mut s.distance_m);
    if out_of_order > 0 {
        notes.push(Note::DistancesOutOfOrder {
            count: out_of_order,
        });
    }
    let (jumps, removed_m) = remove_jumps(s, max_speed);
    if jumps > 0 {
        notes.push(Note::DistanceJumps {
            count: jumps,
            max_speed_mps: max_speed,
            removed_m,
        });
    }
    negative > 0 || out_of_order > 0 || jumps > 0
}

/// Drops the negative distances; returns how many.
fn drop_negative(d: &mut [f64]) -> usize {
    let mut count = 0;
    for x in d.iter_mut().filter(|x| **x < 0.0) {
        *x = f64::NAN;
        count += 1;
    }
    count
}

/// Drops the distances out of order, keeping the longest non-decreasing run of them; returns
/// how many.
fn drop_out_of_order(d: &mut [f64]) -> usize {
    let finite: Vec<usize> = (0..d.len()).filter(|&i| d[i].is_finite()).collect();
    let values: Vec<f64> = finite.iter().map(|&i| d[i]).collect();
    let keep = longest_non_decreasing(&values);
    if keep.len() == finite.len() {
        return 0;
    }
    let mut kept = vec![false; finite.len()];
    keep.iter().for_each(|&k| kept[k] = true);
    for (k, &i) in finite.iter().enumerate() {
        if !kept[k] {
            d[i] = f64::NAN;
        }
    }
    finite.len() - keep.len()
}

/// Takes every increment faster than `max_speed` (with [`JUMP_SLACK_M`]) out of the cumulative
/// distance; returns how many and the metres taken out.
fn remove_jumps(s: &mut Samples, max_speed: f64) -> (usize, f64) {
    let (mut jumps, mut removed_m, mut offset) = (0usize, 0.0, 0.0);
    let mut last: Option<(usize, f64)> = None; // (index, distance as recorded)
    let t = &s.t;
    for (i, x) in s.distance_m.iter_mut().enumerate() {
        let raw = *x;
        if !raw.is_finite() {
            continue;
        }
        if let Some((j, prev)) = last {
            let dt = (t[i] - t[j]).max(1) as f64;
            let inc = raw - prev;
            if inc > max_speed * dt + JUMP_SLACK_M {
                jumps += 1;
                removed_m += inc;
                offset += inc;
            }
        }
        last = Some((i, raw));
        *x = raw - offset;
    }
    (jumps, removed_m)
}

/// Per-sample values outside their bounds are dropped.
fn values(s: &mut Samples, cfg: &GuardSettings, notes: &mut Vec<Note>) {
    let per_raw = steps_per_raw(&s.cadence_raw);
    let columns = [
        (
            &mut s.speed_mps,
            Bound::Speed {
                max_mps: cfg.max_speed_mps,
            },
        ),
        (
            &mut s.cadence_raw,
            Bound::Cadence {
                max_spm: cfg.max_cadence_spm,
            },
        ),
        (
            &mut s.altitude_m,
            Bound::Altitude {
                min_m: cfg.min_altitude_m,
                max_m: cfg.max_altitude_m,
            },
        ),
        (
            &mut s.heart_rate,
            Bound::HeartRate {
                min_bpm: cfg.min_heart_rate_bpm,
                max_bpm: cfg.max_heart_rate_bpm,
            },
        ),
        (
            &mut s.step_length_mm,
            Bound::StepLength {
                max_m: cfg.max_step_length_m,
            },
        ),
        (
            &mut s.vertical_oscillation_mm,
            Bound::VerticalOscillation {
                max_mm: cfg.max_vertical_oscillation_mm,
            },
        ),
        (
            &mut s.stance_time_ms,
            Bound::StanceTime {
                max_ms: cfg.max_stance_time_ms,
            },
        ),
        (
            &mut s.power_w,
            Bound::Power {
                max_w: cfg.max_power_w,
            },
        ),
        (
            &mut s.stance_balance_pct,
            Bound::StanceBalance {
                max_off_pct: cfg.max_stance_balance_off_pct,
            },
        ),
    ];
    for (column, bound) in columns {
        let count = drop_outside(column, bound, per_raw);
        if count > 0 {
            notes.push(Note::OutOfBounds { count, bound });
        }
    }
    let count = drop_off_the_globe(s);
    if count > 0 {
        notes.push(Note::OffTheGlobe { count });
    }
}

/// Drops the values of `column` outside `bound` (a cadence bound is in steps/min, the column
/// in raw units of `per_raw` steps/min each); returns how many.
fn drop_outside(column: &mut [f64], bound: Bound, per_raw: f64) -> usize {
    let (allowed, zero_allowed) = match bound {
        Bound::Speed { max_mps } => (0.0..=max_mps, false),
        Bound::Cadence { max_spm } => (0.0..=max_spm / per_raw, false),
        Bound::Altitude { min_m, max_m } => (min_m..=max_m, false),
        // 0 is no reading.
        Bound::HeartRate { min_bpm, max_bpm } => (min_bpm..=max_bpm, true),
        Bound::StepLength { max_m } => (0.0..=max_m * 1000.0, false),
        Bound::VerticalOscillation { max_mm } => (0.0..=max_mm, false),
        Bound::StanceTime { max_ms } => (0.0..=max_ms, false),
        Bound::Power { max_w } => (0.0..=max_w, false),
        // 0 is no reading (a stop, a step the pod missed).
        Bound::StanceBalance { max_off_pct } => (50.0 - max_off_pct..=50.0 + max_off_pct, true),
    };
    let outside = |x: f64| !(allowed.contains(&x) || (zero_allowed && x == 0.0));
    let mut count = 0;
    for x in column.iter_mut().filter(|x| x.is_finite() && outside(**x)) {
        *x = f64::NAN;
        count += 1;
    }
    count
}

/// Drops the positions off the globe; returns how many.
fn drop_off_the_globe(s: &mut Samples) -> usize {
    let mut count = 0;
    for i in 0..s.lat_deg.len().min(s.lon_deg.len()) {
        let (la, lo) = (s.lat_deg[i], s.lon_deg[i]);
        if (la.is_finite() && la.abs() > 90.0) || (lo.is_finite() && lo.abs() > 180.0) {
            s.lat_deg[i] = f64::NAN;
            s.lon_deg[i] = f64::NAN;
            count += 1;
        }
    }
    count
}

/// Values that are each within bounds but not together: a sample without a recorded speed
/// whose distance implies one above the bound loses its distance; a stretch of cadences too
/// low for their speeds (the median step of the [`STEP_WINDOW`] samples around is longer than
/// the bound) loses its cadences. A lone sample is left alone: cadence lags speed for a few
/// seconds after a start. Returns whether any distance was dropped.
fn consistency(s: &mut Samples, cfg: &GuardSettings, notes: &mut Vec<Note>) -> bool {
    let speeds = sample_speeds(s);
    let mut fast = 0;
    for (i, &v) in speeds.iter().enumerate() {
        if s.speed_mps[i].is_nan() && v > cfg.max_speed_mps {
            s.distance_m[i] = f64::NAN;
            fast += 1;
        }
    }
    if fast > 0 {
        notes.push(Note::ImpliedSpeeds {
            count: fast,
            max_speed_mps: cfg.max_speed_mps,
        });
    }
    let per_raw = steps_per_raw(&s.cadence_raw);
    let max_step = cfg.max_step_length_m;
    let step: Vec<f64> = (0..s.len())
        .map(|i| {
            let (v, spm) = (speeds[i], s.cadence_raw[i] * per_raw);
            if v <= cfg.max_speed_mps && spm > 0.0 {
                v * 60.0 / spm
            } else {
                f64::NAN
            }
        })
        .collect();
    let half = STEP_WINDOW / 2;
    let mut long = 0;
    for (i, &own) in step.iter().enumerate() {
        if own.is_nan() || own <= max_step {
            continue;
        }
        let mut around: Vec<f64> = step[i.saturating_sub(half)..(i + half + 1).min(s.len())]
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        if median(&mut around).is_some_and(|m| m > max_step) {
            s.cadence_raw[i] = f64::NAN;
            long += 1;
        }
    }
    if long > 0 {
        notes.push(Note::CadencesTooLow {
            count: long,
            max_step_m: max_step,
        });
    }
    fast > 0
}

/// `x` with `decimals` decimals and a comma between thousands: `21,474.84`.
fn fmt(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '−');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_600_000_000;

    /// The notes as the ledger writes them.
    fn texts(notes: &[Note]) -> Vec<String> {
        notes.iter().map(ToString::to_string).collect()
    }

    /// `n` samples a second apart at 3 m/s and 170 steps/min.
    fn samples(n: usize) -> Samples {
        let nan = vec![f64::NAN; n];
        Samples {
            t: (0..n as i64).map(|i| T0 + i).collect(),
            distance_m: (0..n).map(|i| 3.0 * i as f64).collect(),
            altitude_m: vec![100.0; n],
            speed_mps: vec![3.0; n],
            cadence_raw: vec![85.0; n],
            fractional_cadence: vec![0.0; n],
            heart_rate: vec![150.0; n],
            lat_deg: nan.clone(),
            lon_deg: nan.clone(),
            step_length_mm: nan.clone(),
            vertical_oscillation_mm: nan.clone(),
            stance_time_ms: nan.clone(),
            stance_balance_pct: nan.clone(),
            power_w: nan,
        }
    }

    fn session(n: usize) -> SessionMsg {
        let s = (n - 1) as f64;
        SessionMsg {
            start: Some(T0),
            end: Some(T0 + n as i64 - 1),
            sport: Some("running".into()),
            elapsed_s: Some(s),
            timer_s: Some(s),
            distance_m: Some(3.0 * s),
            avg_speed_mps: Some(3.0),
            from_session_message: true,
            ..SessionMsg::default()
        }
    }

    #[test]
    fn a_clean_run_passes_unchanged() {
        let g = guard(&session(200), &samples(200), &GuardSettings::default());
        assert!(g.notes.is_empty(), "{:?}", g.notes);
        assert!(!g.rejected && !g.totals_repaired);
        assert_eq!(g.samples.t, samples(200).t);
        assert_eq!(g.samples.distance_m, samples(200).distance_m);
        assert_eq!(g.session.distance_m, Some(597.0));
    }

    #[test]
    fn an_absurd_session_distance_is_replaced_by_the_records() {
        let mut s = session(200);
        s.distance_m = Some(36_932_900.0);
        s.elapsed_s = Some(-31_780_086.0);
        let g = guard(&s, &samples(200), &GuardSettings::default());
        assert_eq!(
            texts(&g.notes),
            [
                "session elapsed time −31,780,086 s (outside 0–604,800 s) replaced by the \
                 records' 199 s",
                "session distance 36,932.90 km (faster than 12.5 m/s over its time) replaced by \
                 the records' 0.60 km",
            ]
        );
        assert_eq!(g.session.distance_m, Some(597.0));
        assert_eq!(g.session.elapsed_s, Some(199.0));
        assert!(g.totals_repaired && !g.rejected);
    }

    #[test]
    fn wild_samples_are_dropped_not_clamped() {
        let mut r = samples(200);
        r.t[50] += 100_000_000; // one wild time stamp
        for d in &mut r.distance_m[120..] {
            *d += 5000.0; // a 5 km jump in one second
        }
        r.speed_mps[10] = 500.0;
        r.altitude_m[20] = 20_000.0;
        r.cadence_raw[30] = 250.0;
        let g = guard(&session(200), &r, &GuardSettings::default());
        assert_eq!(
            texts(&g.notes),
            [
                "1 sample out of time order removed",
                "1 distance jump faster than 12.5 m/s (5.00 km) removed",
                "1 speed outside 0–12.5 m/s dropped",
                "1 cadence above 300 steps/min dropped",
                "1 altitude outside −500…9,000 m dropped",
            ]
        );
        assert_eq!(g.samples.len(), 199);
        // The whole increment goes, the 3 m run in that second with it.
        assert_eq!(g.samples.distance_m.last(), Some(&594.0));
        assert!(g.samples.speed_mps[10].is_nan() && g.samples.altitude_m[20].is_nan());
        assert!(g.samples.cadence_raw[30].is_nan() && !g.totals_repaired);
    }

    #[test]
    fn timer_above_elapsed_replaces_the_one_the_records_contradict() {
        let mut s = session(300);
        s.elapsed_s = Some(0.162);
        let g = guard(&s, &samples(300), &GuardSettings::default());
        assert_eq!(g.session.elapsed_s, Some(299.0));
        assert_eq!(g.session.timer_s, Some(299.0));
        assert_eq!(g.notes.len(), 1, "{:?}", g.notes);
    }

    #[test]
    fn a_run_with_too_little_left_is_not_kept() {
        let mut r = samples(100);
        r.t.reverse();
        let g = guard(&session(100), &r, &GuardSettings::default());
        assert!(g.rejected);
        assert!(g
            .notes
            .last()
            .unwrap()
            .to_string()
            .contains("only 1 of 100 samples survive"));
    }

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(fmt(21_474.84, 2), "21,474.84");
        assert_eq!(fmt(-31_780_086.0, 0), "−31,780,086");
        assert_eq!(fmt(5.0, 1), "5.0");
        assert_eq!(fmt(-0.0001, 1), "0.0");
    }
}
