//! The grade profile: altitude over distance on an even grid, cleaned of steps that are not
//! terrain, smoothed, and the grade at every grid point.

use crate::config::DownhillSettings;
use crate::model::{valid_altitude, Samples};
use crate::series::{centred_average, MAX_SAMPLE_WEIGHT_S};

/// Smoothed altitude and grade on a distance grid.
#[derive(Clone, Debug, Default)]
pub(super) struct GradeProfile {
    /// Grid distances, m (start at the first sample's distance).
    pub(super) x_m: Vec<f64>,
    /// Smoothed altitude at each grid point, m (relative: altitude steps that are not terrain
    /// are taken out, which shifts everything after them).
    pub(super) altitude_m: Vec<f64>,
    /// Grade at each grid point, %.
    pub(super) grade_pct: Vec<f64>,
    /// Time at each grid point (interpolated), Unix seconds.
    pub(super) t: Vec<f64>,
}

/// Builds the grade profile; `None` when fewer than two samples carry both distance and
/// altitude, or the run covers less than one grade window.
pub(super) fn grade_profile(s: &Samples, cfg: &DownhillSettings) -> Option<GradeProfile> {
    // Points with distance and altitude, distance non-decreasing (a GPS glitch that goes back is
    // dropped rather than folding the profile).
    let mut pts: Vec<(f64, f64, f64)> = Vec::new();
    for i in 0..s.len() {
        let (d, a) = (s.distance_m[i], s.altitude_m[i]);
        if !d.is_finite() || !valid_altitude(a) {
            continue;
        }
        if let Some(&(pd, _, _)) = pts.last() {
            if d < pd {
                continue;
            }
        }
        pts.push((d, a, s.t[i] as f64));
    }
    if pts.len() < 2 {
        return None;
    }
    remove_altitude_steps(&mut pts, cfg.altitude_smoothing_m);
    let (d0, d1) = (pts[0].0, pts[pts.len() - 1].0);
    let step = cfg.grid_m.max(0.5);
    // A span beyond any run is a corrupt distance field; a grid over it would only waste memory.
    if d1 - d0 < cfg.grade_window_m.max(step) || d1 - d0 > MAX_PROFILE_M {
        return None;
    }
    let n = ((d1 - d0) / step).floor() as usize + 1;
    let mut x = Vec::with_capacity(n);
    let mut alt = Vec::with_capacity(n);
    let mut tt = Vec::with_capacity(n);
    let mut j = 0;
    for k in 0..n {
        let xk = d0 + k as f64 * step;
        while j + 1 < pts.len() - 1 && pts[j + 1].0 < xk {
            j += 1;
        }
        let (a, b) = (pts[j], pts[(j + 1).min(pts.len() - 1)]);
        let f = if b.0 > a.0 {
            ((xk - a.0) / (b.0 - a.0)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        x.push(xk);
        alt.push(a.1 + f * (b.1 - a.1));
        tt.push(a.2 + f * (b.2 - a.2));
    }
    let smooth = centred_average(
        &alt,
        (cfg.altitude_smoothing_m / step / 2.0).round() as usize,
    );
    let half = ((cfg.grade_window_m / step / 2.0).round() as usize).max(1);
    let grade = (0..n)
        .map(|k| {
            let lo = k.saturating_sub(half);
            let hi = (k + half).min(n - 1);
            let run = x[hi] - x[lo];
            if run > 0.0 {
                100.0 * (smooth[hi] - smooth[lo]) / run
            } else {
                0.0
            }
        })
        .collect();
    Some(GradeProfile {
        x_m: x,
        altitude_m: smooth,
        grade_pct: grade,
        t: tt,
    })
}

/// Longest distance a grade profile is built over, m (ultra races stay well below).
const MAX_PROFILE_M: f64 = 1_000_000.0;

/// Steepest altitude change between consecutive samples that is taken as terrain: rise over
/// run. Nothing runnable (or walkable without hands) is steeper than 45°.
const MAX_TERRAIN_GRADE: f64 = 1.0;

/// Altitude change between consecutive samples allowed on top of [`MAX_TERRAIN_GRADE`], m: ten
/// steps of the FIT altitude field (0.2 m). A barometric altitude that is updated every few
/// seconds moves by a metre or more in one record while the distance hardly does, and GPS
/// altitude jitters by as much from second to second.
const ALTITUDE_STEP_TOLERANCE_M: f64 = 2.0;

/// Takes out of `(distance, altitude, time)` points the altitude steps that are not terrain,
/// so that the grid over distance does not turn them into cliffs, nor smoothing into steep fake
/// slopes.
///
/// A step is a change between consecutive points larger than the run between them times
/// [`MAX_TERRAIN_GRADE`], plus [`ALTITUDE_STEP_TOLERANCE_M`]. It is subtracted, whole, from
/// that point and every later one when it is
/// - across a pause (points more than [`MAX_SAMPLE_WEIGHT_S`] apart): the timer, and
///   with it the distance, stopped while the altitude changed (the runner walked down a flight
///   of stairs, the altimeter re-calibrated); there is no run to spread it over, and devices
///   leave it out of their own ascent and descent too;
/// - one side of a spike, i.e. followed by a step the other way within `spike_max_m`, or
///   within `spike_max_m` of either end of the run, where the other side of a spike may not
///   have been recorded: GPS altitude settling after the first fix, a barometer disturbed for
///   a moment. The moving average sees a spike at an end from one side only and would make a
///   steep slope of it.
///
/// Other steps are kept: a barometric altitude that lags and then catches up in one jump (some
/// watches do) carries climb that is real, and devices count it.
fn remove_altitude_steps(pts: &mut [(f64, f64, f64)], spike_max_m: f64) {
    let n = pts.len();
    let step = |k: usize| -> Option<f64> {
        let change = pts[k].1 - pts[k - 1].1;
        let limit = MAX_TERRAIN_GRADE * (pts[k].0 - pts[k - 1].0) + ALTITUDE_STEP_TOLERANCE_M;
        (change.abs() > limit).then_some(change)
    };
    let mut remove = vec![false; n];
    for k in 1..n {
        if remove[k] {
            continue;
        }
        let Some(change) = step(k) else { continue };
        let paused = pts[k].2 - pts[k - 1].2 > MAX_SAMPLE_WEIGHT_S;
        let at_end =
            pts[k - 1].0 - pts[0].0 <= spike_max_m || pts[n - 1].0 - pts[k].0 <= spike_max_m;
        if paused || at_end {
            remove[k] = true;
            continue;
        }
        let back = (k + 1..n)
            .take_while(|&m| pts[m].0 - pts[k - 1].0 <= spike_max_m)
            .find(|&m| step(m).is_some_and(|c| c.signum() != change.signum()));
        if let Some(m) = back {
            remove[k] = true;
            remove[m] = true;
        }
    }
    let mut offset = 0.0;
    let mut prev_raw = pts[0].1;
    for k in 1..n {
        let raw = pts[k].1;
        if remove[k] {
            offset -= raw - prev_raw;
        }
        prev_raw = raw;
        pts[k].1 = raw + offset;
    }
}
