//! On foot or not. A human has run a mile at 7.2 m/s and a marathon at 5.8 m/s, never faster:
//! a run, or a stretch of one, faster than the world record for its duration (with a margin)
//! was a car, a train or a bike. Such a stretch is cut off and the rest kept; a run that is
//! such a stretch from end to end, or that pedals (cadence without a runner's fractional
//! cadence or running dynamics, at a bike's speeds and strides), is not counted as running.

use super::notes::{FastStretch, NotOnFoot, Note, Place, Ride};
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
    /// A note per stretch, for the ledger.
    pub(super) notes: Vec<Note>,
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
        cut.notes.push(Note::FastStretch(describe(s, a, b, cfg)));
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
    let fast = fast_samples(s, &known, cfg);
    let own = limit(cfg.record_window_s, cfg);
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
        let stretch = Stretch { s, inside, own };
        if let Some(ends) = stretch.trimmed() {
            out.push(ends);
        }
    }
    out
}

/// Flags the samples within a window of `record_window_s` or longer (between samples with a
/// distance, `known`) whose speed is beyond running.
fn fast_samples(s: &Samples, known: &[usize], cfg: &GuardSettings) -> Vec<bool> {
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
    fast
}

/// A run of samples flagged fast, to be trimmed at its ends.
struct Stretch<'a> {
    s: &'a Samples,
    /// Its samples with a distance.
    inside: Vec<usize>,
    /// The speed no one runs for `record_window_s`, m/s.
    own: f64,
}

impl Stretch<'_> {
    /// Whether the speed from sample `from` to `to` is beyond running.
    fn fast(&self, from: usize, to: usize) -> bool {
        let s = self.s;
        let dt = (s.t[to] - s.t[from]) as f64;
        let dd = s.distance_m[to] - s.distance_m[from];
        dt > 0.0 && dd / dt > self.own
    }

    /// Whether the step between samples `k` and `m`, in either order, is beyond running.
    fn step(&self, k: usize, m: usize) -> bool {
        self.fast(k.min(m), k.max(m))
    }

    /// The first and last samples of the stretch that are fast themselves, when there are
    /// such and in that order: the running just before and after the vehicle stays.
    fn trimmed(&self) -> Option<(usize, usize)> {
        let (a, b) = (self.first()?, self.last()?);
        (a <= b).then_some((a, b))
    }

    /// The first sample whose own speed over the next 30 s is beyond running; then, within
    /// those 30 s, the first whose own step is.
    fn first(&self) -> Option<usize> {
        let t = &self.s.t;
        let inside = &self.inside;
        let ahead = |k: usize| inside.iter().copied().find(|&m| t[m] >= t[k] + EDGE_S);
        let mut a = inside
            .iter()
            .copied()
            .find(|&k| ahead(k).is_some_and(|m| self.fast(k, m)))?;
        let next = |k: usize| inside.iter().copied().find(|&m| m > k);
        while let Some(m) = next(a).filter(|&m| !self.step(a, m) && t[m] < t[a] + EDGE_S) {
            a = m;
        }
        Some(a)
    }

    /// The last sample whose own speed over the previous 30 s is beyond running; then, within
    /// those 30 s, the last whose own step is.
    fn last(&self) -> Option<usize> {
        let t = &self.s.t;
        let inside = &self.inside;
        let behind = |k: usize| {
            inside
                .iter()
                .copied()
                .rev()
                .find(|&m| t[m] + EDGE_S <= t[k])
        };
        let mut b = inside
            .iter()
            .copied()
            .rev()
            .find(|&k| behind(k).is_some_and(|m| self.fast(m, k)))?;
        let prev = |k: usize| inside.iter().copied().rev().find(|&m| m < k);
        while let Some(m) = prev(b).filter(|&m| !self.step(m, b) && t[m] + EDGE_S > t[b]) {
            b = m;
        }
        Some(b)
    }
}

/// A stretch from sample `a` to `b` cut off as faster than anyone runs.
fn describe(s: &Samples, a: usize, b: usize, cfg: &GuardSettings) -> FastStretch {
    let place = if a == 0 {
        Place::Start
    } else if b + 1 == s.len() {
        Place::End
    } else {
        Place::Into { s: s.t[a] - s.t[0] }
    };
    FastStretch {
        distance_m: s.distance_m[b] - s.distance_m[a],
        duration_s: (s.t[b] - s.t[a]) as f64,
        place,
        margin_pct: cfg.record_margin_pct,
    }
}

/// Why a run is not on foot, or `None` when it may be: its distance over its timer time is
/// beyond running, or it pedals.
pub(super) fn not_on_foot(s: &SessionMsg, r: &Samples, cfg: &GuardSettings) -> Option<NotOnFoot> {
    if let (Some(d), Some(t)) = (s.distance_m, s.timer_s) {
        if beyond_running(d, t, cfg) {
            return Some(NotOnFoot::BeyondRecord {
                distance_m: d,
                timer_s: t,
                margin_pct: cfg.record_margin_pct,
                record_mps: record_speed(t),
            });
        }
    }
    ride(r, cfg).map(NotOnFoot::Ride)
}

/// A ride recorded on the run profile: no running dynamics (which a runner's sensor writes),
/// and either a median moving speed no runner's session has (`ride_median_mps`), or pedal
/// cadence — cadence but never a running watch's fractional cadence — at a bike's speed
/// (above `ride_min_speed_mps`) for a good share of the time. Pedal and running cadences
/// overlap (85–95 rpm reads as 170–190 steps/min), and bike computers write fractional
/// cadence too, so the cadence alone never decides.
pub(in crate::analyse) fn ride(r: &Samples, cfg: &GuardSettings) -> Option<Ride> {
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
        return Some(Ride::MedianSpeed { mps: v });
    }
    let pedals = r.cadence_raw.iter().any(|&c| c > 0.0) && !has(&r.fractional_cadence);
    let share = if moving > 0.0 {
        100.0 * fast / moving
    } else {
        0.0
    };
    (pedals && share >= cfg.ride_min_share_pct).then(|| Ride::Pedals {
        median_rpm: median(&mut rpm).unwrap_or(f64::NAN),
        share_pct: share,
        min_speed_mps: cfg.ride_min_speed_mps,
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
