//! On foot or not. A human has run a mile at 7.2 m/s and a marathon at 5.8 m/s, never faster:
//! a run, or a stretch of one, faster than the world record for its duration (with a margin)
//! was a car, a train or a bike. Such a stretch is cut off and the rest kept; a run that is
//! such a stretch from end to end, or that pedals (cadence without a runner's fractional
//! cadence or running dynamics, at a bike's speeds and strides), is not counted as running.

use super::fmt;
use crate::config::GuardSettings;
use crate::model::{Samples, SessionMsg};
use crate::series::{median, sample_speeds, sample_weights};

/// Men's world records (World Athletics), as (distance m, time s): 1500 m 3:26.00 (El
/// Guerrouj 1998), the mile 3:43.13 (El Guerrouj 1999), 5000 m 12:35.36 and 10,000 m 26:11.00
/// (Cheptegei 2020), the half marathon 57:30 (Kejelcha 2024), the marathon 2:00:35 (Kiptum
/// 2023).
const RECORDS: [(f64, f64); 6] = [
    (1500.0, 206.0),
    (1609.344, 223.13),
    (5000.0, 755.36),
    (10_000.0, 1571.0),
    (21_097.5, 3450.0),
    (42_195.0, 7235.0),
];

/// Below this moving speed a sample is no bike's, m/s (a ride's median moving speed is taken
/// over the faster samples).
const MOVING_MPS: f64 = 2.5;
/// The stretch over which a sample's own speed is read when a fast stretch's edges are
/// trimmed, s.
const EDGE_S: i64 = 30;

/// The fastest speed a human has held for `duration_s`: interpolated in the logarithm of time
/// between the records; the 1500 m's speed for shorter, the marathon's for longer, m/s.
pub(in crate::analyse) fn record_speed(duration_s: f64) -> f64 {
    let speed = |(d, t): (f64, f64)| d / t;
    let first = RECORDS[0];
    let last = RECORDS[RECORDS.len() - 1];
    if duration_s <= first.1 {
        return speed(first);
    }
    if duration_s >= last.1 {
        return speed(last);
    }
    let k = RECORDS.partition_point(|r| r.1 < duration_s);
    let (a, b) = (RECORDS[k - 1], RECORDS[k]);
    let f = (duration_s.ln() - a.1.ln()) / (b.1.ln() - a.1.ln());
    speed(a) + f * (speed(b) - speed(a))
}

/// The speed no one runs for `duration_s`: the record's, with the margin.
pub(in crate::analyse) fn limit(duration_s: f64, cfg: &GuardSettings) -> f64 {
    record_speed(duration_s) * (1.0 + cfg.record_margin_pct / 100.0)
}

/// Whether `distance_m` in `duration_s` is beyond running (only durations of at least
/// `record_window_s` are judged: shorter ones are left to the speed bound).
pub(in crate::analyse) fn beyond_running(
    distance_m: f64,
    duration_s: f64,
    cfg: &GuardSettings,
) -> bool {
    duration_s >= cfg.record_window_s && distance_m / duration_s > limit(duration_s, cfg)
}

/// What [`cut_off`] removed.
#[derive(Debug, Default)]
pub(super) struct Cut {
    /// Samples removed.
    pub(super) samples: usize,
    /// A phrase per stretch, for the ledger.
    pub(super) notes: Vec<String>,
}

/// Removes the stretches faster than anyone runs for `record_window_s` or longer; the distance
/// they covered is taken out of the cumulative distance after them.
pub(super) fn cut_off(s: &mut Samples, cfg: &GuardSettings) -> Cut {
    let stretches = fast_stretches(s, cfg);
    let mut cut = Cut::default();
    if stretches.is_empty() {
        return cut;
    }
    let n = s.len();
    let mut keep = vec![true; n];
    let mut removed_m = vec![0.0; n];
    for &(a, b) in &stretches {
        keep[a..=b].fill(false);
        let before = (0..a).rev().find(|&k| s.distance_m[k].is_finite());
        let after = (b + 1..n).find(|&k| s.distance_m[k].is_finite());
        if let Some(q) = after {
            let from = before.map_or(s.distance_m[a], |p| s.distance_m[p]);
            let gained = s.distance_m[q] - from;
            if gained.is_finite() && gained > 0.0 {
                removed_m[q..].iter_mut().for_each(|x| *x += gained);
            }
        }
        cut.notes.push(describe(s, a, b, cfg));
    }
    for (d, r) in s.distance_m.iter_mut().zip(&removed_m) {
        *d -= r;
    }
    let idx: Vec<usize> = (0..n).filter(|&i| keep[i]).collect();
    cut.samples = n - idx.len();
    *s = s.select(&idx);
    cut
}

/// The stretches (first and last sample) whose speed over `record_window_s` or longer is
/// beyond running, each trimmed at its ends to the samples that are fast themselves.
fn fast_stretches(s: &Samples, cfg: &GuardSettings) -> Vec<(usize, usize)> {
    let known: Vec<usize> = (0..s.len())
        .filter(|&i| s.distance_m[i].is_finite())
        .collect();
    let window = cfg.record_window_s as i64;
    let mut fast = vec![false; s.len()];
    let mut j = 0;
    for (a, &i) in known.iter().enumerate() {
        j = j.max(a);
        while j < known.len() && s.t[known[j]] - s.t[i] < window {
            j += 1;
        }
        let Some(&k) = known.get(j) else { break };
        let dt = (s.t[k] - s.t[i]) as f64;
        if beyond_running(s.distance_m[k] - s.distance_m[i], dt, cfg) {
            fast[i..=k].fill(true);
        }
    }
    let own = limit(cfg.record_window_s, cfg);
    let local = |from: usize, to: usize| {
        let dt = (s.t[to] - s.t[from]) as f64;
        let dd = s.distance_m[to] - s.distance_m[from];
        dt > 0.0 && dd / dt > own
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < fast.len() {
        if !fast[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < fast.len() && fast[i] {
            i += 1;
        }
        let inside: Vec<usize> = known
            .iter()
            .copied()
            .filter(|&k| k >= start && k < i)
            .collect();
        // The first and last samples whose own speed over the next (last: previous) 30 s is
        // beyond running: the running just before and after the vehicle stays.
        let ahead = |k: usize| inside.iter().copied().find(|&m| s.t[m] >= s.t[k] + EDGE_S);
        let behind = |k: usize| {
            inside
                .iter()
                .copied()
                .rev()
                .find(|&m| s.t[m] + EDGE_S <= s.t[k])
        };
        let first = inside
            .iter()
            .copied()
            .find(|&k| ahead(k).is_some_and(|m| local(k, m)));
        let last = inside
            .iter()
            .copied()
            .rev()
            .find(|&k| behind(k).is_some_and(|m| local(m, k)));
        // Within those 30 s, the first (last) sample whose own step is beyond running.
        let step = |k: usize, m: usize| local(k.min(m), k.max(m));
        let first = first.map(|a| {
            let next = |k: usize| inside.iter().copied().find(|&m| m > k);
            let mut a = a;
            while let Some(m) = next(a).filter(|&m| !step(a, m) && s.t[m] < s.t[a] + EDGE_S) {
                a = m;
            }
            a
        });
        let last = last.map(|b| {
            let prev = |k: usize| inside.iter().copied().rev().find(|&m| m < k);
            let mut b = b;
            while let Some(m) = prev(b).filter(|&m| !step(m, b) && s.t[m] + EDGE_S > s.t[b]) {
                b = m;
            }
            b
        });
        if let (Some(a), Some(b)) = (first, last) {
            if a <= b {
                out.push((a, b));
            }
        }
    }
    out
}

/// "14.40 km in 15 min (16.0 m/s) at the end, faster than anyone runs for that long,
/// removed".
fn describe(s: &Samples, a: usize, b: usize, cfg: &GuardSettings) -> String {
    let dt = (s.t[b] - s.t[a]) as f64;
    let dd = s.distance_m[b] - s.distance_m[a];
    let place = if a == 0 {
        "at the start".to_string()
    } else if b + 1 == s.len() {
        "at the end".to_string()
    } else {
        format!("{} min in", fmt((s.t[a] - s.t[0]) as f64 / 60.0, 0))
    };
    format!(
        "{} km in {} min ({} m/s) {place}, faster than {} % of the world-record pace for \
         that long, removed",
        fmt(dd / 1000.0, 2),
        fmt(dt / 60.0, 0),
        fmt(dd / dt.max(1.0), 1),
        fmt(100.0 + cfg.record_margin_pct, 0)
    )
}

/// Why a run is not on foot, or `None` when it may be: its distance over its timer time is
/// beyond running, or it pedals.
pub(super) fn not_on_foot(s: &SessionMsg, r: &Samples, cfg: &GuardSettings) -> Option<String> {
    if let (Some(d), Some(t)) = (s.distance_m, s.timer_s) {
        if beyond_running(d, t, cfg) {
            return Some(format!(
                "{} km in {} min ({} m/s): faster than {} % of the world-record pace for that \
                 long ({} m/s)",
                fmt(d / 1000.0, 2),
                fmt(t / 60.0, 0),
                fmt(d / t, 2),
                fmt(100.0 + cfg.record_margin_pct, 0),
                fmt(record_speed(t), 2)
            ));
        }
    }
    ride(r, cfg)
}

/// A ride recorded on the run profile: no running dynamics (which a runner's sensor writes),
/// and either a median moving speed no runner's session has (`ride_median_mps`), or pedal
/// cadence — cadence but never a running watch's fractional cadence — at a bike's speed
/// (above `ride_min_speed_mps`) for a good share of the time. Pedal and running cadences
/// overlap (85–95 rpm reads as 170–190 steps/min), and bike computers write fractional
/// cadence too, so the cadence alone never decides.
pub(in crate::analyse) fn ride(r: &Samples, cfg: &GuardSettings) -> Option<String> {
    let has = |v: &[f64]| v.iter().any(|x| x.is_finite());
    if running_dynamics(r, cfg) {
        return None;
    }
    let speeds = sample_speeds(r);
    let weights = sample_weights(&r.t);
    let (mut moving, mut fast) = (0.0, 0.0);
    let (mut rpm, mut moving_speeds) = (Vec::new(), Vec::new());
    for (i, (&v, &w)) in speeds.iter().zip(&weights).enumerate() {
        if v >= MOVING_MPS {
            moving += w;
            moving_speeds.push(v);
            if v > cfg.ride_min_speed_mps {
                fast += w;
            }
            if let Some(&c) = r.cadence_raw.get(i).filter(|c| **c > 0.0) {
                rpm.push(c);
            }
        }
    }
    if let Some(v) = median(&mut moving_speeds).filter(|&v| v >= cfg.ride_median_mps) {
        return Some(format!(
            "a ride on the run profile: a median moving speed of {} m/s, no runner's session's",
            fmt(v, 1)
        ));
    }
    let pedals = r.cadence_raw.iter().any(|&c| c > 0.0) && !has(&r.fractional_cadence);
    let share = if moving > 0.0 {
        100.0 * fast / moving
    } else {
        0.0
    };
    (pedals && share >= cfg.ride_min_share_pct).then(|| {
        format!(
            "a ride on the run profile: cadence without fractional cadence or running \
             dynamics (median {} rpm), and {} % of the moving time faster than {} m/s",
            fmt(median(&mut rpm).unwrap_or(f64::NAN), 0),
            fmt(share, 0),
            fmt(cfg.ride_min_speed_mps, 1)
        )
    })
}

/// Whether the records hold plausible running dynamics (a ground contact time or a vertical
/// oscillation within the guard's bounds), which only a runner's sensor writes.
pub(in crate::analyse) fn running_dynamics(r: &Samples, cfg: &GuardSettings) -> bool {
    let within = |v: &[f64], max: f64| v.iter().any(|&x| x > 0.0 && x <= max);
    within(&r.stance_time_ms, cfg.max_stance_time_ms)
        || within(&r.vertical_oscillation_mm, cfg.max_vertical_oscillation_mm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_curve_passes_through_each_record_and_falls_with_time() {
        for (d, t) in RECORDS {
            assert!((record_speed(t) - d / t).abs() < 1e-9);
        }
        // 10.2 km in 25 minutes is faster than the 10,000 m record's pace: not running.
        let cfg = GuardSettings::default();
        assert!(beyond_running(10_207.7, 1499.4, &cfg));
        assert!(!beyond_running(10_000.0, 2400.0, &cfg));
        let mut last = f64::INFINITY;
        for t in (100..20_000).step_by(50) {
            let v = record_speed(t as f64);
            assert!(v <= last, "{t}");
            last = v;
        }
    }
}
