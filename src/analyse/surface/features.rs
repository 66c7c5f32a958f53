//! The surface features of one run: GPS presence and path, distance, altitude and speed
//! variation, running-dynamics variation.

use super::geometry::geometry_features;
use super::terrain::altitude_features;
use super::EARTH_RADIUS_M;
use crate::analyse::SampleSeries;
use crate::config::SurfaceSettings;
use crate::model::{Samples, SurfaceFeatures};
use crate::series::{trailing_average, weighted_cv};

/// Slack of one step between positions (or GPS distances) beyond the speed bound, m.
const JUMP_SLACK_M: f64 = 50.0;
/// Fixes rejected as jumps in a row before the track re-anchors on the new position.
const MAX_REJECTED: usize = 5;
/// The least time a coefficient of variation is taken over, s.
const MIN_CV_WEIGHT_S: f64 = 60.0;

/// Computes the proxy features of one run. Linear in the number of samples; tolerates
/// missing values, unequal column lengths and time or distance going backwards.
pub(crate) fn features(
    s: &Samples,
    series: &SampleSeries,
    cfg: &SurfaceSettings,
) -> SurfaceFeatures {
    let max_speed = cfg.max_speed_mps.max(0.1);
    let track = Track::project(s, max_speed);
    let has_gps = track.shows_gps(s.len(), cfg);
    let along = distance_along(s, &track.xy, max_speed);
    let total_m = along.last().copied().unwrap_or(0.0);
    let (altitude_roughness_m_per_km, grade_variability_pct) = if total_m >= cfg.min_distance_m {
        altitude_features(s, &along, cfg)
    } else {
        (None, None)
    };
    let variation = Variation::of(s, series, cfg, max_speed);
    let mut f = SurfaceFeatures {
        has_gps,
        duration_s: recorded_duration_s(&s.t, &series.weight_s),
        distance_m: (total_m > 0.0).then_some(total_m),
        altitude_roughness_m_per_km,
        grade_variability_pct,
        speed_cv_pct: variation.speed_cv_pct,
        vertical_oscillation_cv_pct: variation.vertical_oscillation_cv_pct,
        stance_time_cv_pct: variation.stance_time_cv_pct,
        ..SurfaceFeatures::default()
    };
    if has_gps {
        geometry_features(&track.xy, cfg, &mut f);
    }
    f
}

/// The value of column `v` at sample `i`; `NaN` past its end.
fn at(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// Recorded time, s: one weight per time stamp (samples sharing one share its interval).
fn recorded_duration_s(t: &[i64], weights: &[f64]) -> f64 {
    let n = t.len();
    (0..n)
        .filter(|&i| i + 1 == n || t[i + 1] != t[i])
        .map(|i| weights[i])
        .sum()
}

/// The GPS positions of a run on a local plane.
struct Track {
    /// Each sample's position, metres east and north of the first fix; `NaN` for a sample
    /// without a fix or whose fix jumped.
    xy: Vec<(f64, f64)>,
    /// Samples with a valid fix, jumps included.
    fixes: usize,
    /// Length of the path through the kept positions, m.
    path_m: f64,
}

impl Track {
    /// Projects the fixes of `s`, with jumps faster than `max_speed` (m/s) dropped. Five
    /// rejections in a row re-anchor on the new position, so a bad first fix cannot reject
    /// the whole run.
    fn project(s: &Samples, max_speed: f64) -> Track {
        let mut track = Track {
            xy: vec![(f64::NAN, f64::NAN); s.len()],
            fixes: 0,
            path_m: 0.0,
        };
        let mut origin: Option<(f64, f64, f64)> = None; // lat0, lon0 (radians), cos(lat0)
        let mut last: Option<(f64, f64, i64)> = None;
        let mut rejected = 0;
        for (i, p) in track.xy.iter_mut().enumerate() {
            let (la, lo) = (at(&s.lat_deg, i), at(&s.lon_deg, i));
            if !(la.is_finite() && lo.is_finite() && la.abs() <= 90.0 && lo.abs() <= 180.0) {
                continue;
            }
            track.fixes += 1;
            let (la, lo) = (la.to_radians(), lo.to_radians());
            let (la0, lo0, c0) = *origin.get_or_insert((la, lo, la.cos()));
            let (x, y) = (
                EARTH_RADIUS_M * (lo - lo0) * c0,
                EARTH_RADIUS_M * (la - la0),
            );
            // The step from the last kept fix: checked for a jump, then added to the path.
            let step = last.map(|(px, py, pt)| ((x - px).hypot(y - py), pt));
            if let Some((step_m, pt)) = step {
                let dt = s.t[i].saturating_sub(pt).max(1) as f64;
                if step_m > max_speed * dt + JUMP_SLACK_M && rejected < MAX_REJECTED {
                    rejected += 1;
                    continue;
                }
            }
            rejected = 0;
            if let Some((step_m, _)) = step {
                track.path_m += step_m;
            }
            last = Some((x, y, s.t[i]));
            *p = (x, y);
        }
        track
    }

    /// Whether a run of `n` samples has GPS: enough samples carry it, or the fixes that exist
    /// trace a real path (a watch that found the satellites late in an outdoor run).
    fn shows_gps(&self, n: usize, cfg: &SurfaceSettings) -> bool {
        self.fixes >= 2
            && (self.fixes as f64 >= cfg.min_gps_fraction * n as f64
                || self.path_m >= cfg.min_distance_m)
    }
}

/// Cumulative distance along the run at each sample, m: the record distance when the run has
/// one (foot pod or the watch's own fused distance), else the path through the positions `xy`.
/// Mixing the two would count the stretches where both exist twice. A step faster than
/// `max_speed` (m/s) does not count.
fn distance_along(s: &Samples, xy: &[(f64, f64)], max_speed: f64) -> Vec<f64> {
    let use_record = s
        .distance_m
        .iter()
        .filter(|d| d.is_finite() && **d > 0.0)
        .count()
        >= 2;
    let mut along = Vec::with_capacity(xy.len());
    let mut acc = 0.0;
    let mut last_d = f64::NAN;
    let mut last_p: Option<(f64, f64)> = None;
    for (i, &(x, y)) in xy.iter().enumerate() {
        let dt = if i > 0 {
            s.t[i].saturating_sub(s.t[i - 1]).max(1) as f64
        } else {
            1.0
        };
        if use_record {
            let d = at(&s.distance_m, i);
            if d.is_finite() {
                // A step backwards (a reset) restarts from the new value.
                if last_d.is_finite() && d >= last_d && d - last_d <= max_speed * dt {
                    acc += d - last_d;
                }
                last_d = d;
            }
        } else if x.is_finite() {
            if let Some((px, py)) = last_p {
                let dd = (x - px).hypot(y - py);
                if dd <= max_speed * dt + JUMP_SLACK_M {
                    acc += dd;
                }
            }
            last_p = Some((x, y));
        }
        along.push(acc);
    }
    along
}

/// How much the moving speed and the running dynamics vary: time-weighted coefficients of
/// variation, %.
struct Variation {
    speed_cv_pct: Option<f64>,
    vertical_oscillation_cv_pct: Option<f64>,
    stance_time_cv_pct: Option<f64>,
}

impl Variation {
    /// The variation of the smoothed speed (recorded, else the distance rate) while moving,
    /// and of the running dynamics while moving or, without a speed, while stepping.
    fn of(s: &Samples, series: &SampleSeries, cfg: &SurfaceSettings, max_speed: f64) -> Variation {
        let n = s.len();
        let weights = &series.weight_s;
        let smooth = trailing_average(&s.t, &series.speed_mps, cfg.speed_smoothing_s, |v| {
            (0.0..=max_speed).contains(&v)
        });
        let moving: Vec<bool> = smooth
            .iter()
            .map(|&v| v >= cfg.moving_speed_mps && v <= max_speed)
            .collect();
        let stepping: Vec<bool> = (0..n)
            .map(|i| moving[i] || (smooth[i].is_nan() && at(&s.cadence_raw, i) > 0.0))
            .collect();
        let positive = |v: &[f64]| -> Vec<f64> {
            (0..n)
                .map(|i| Some(at(v, i)).filter(|&x| x > 0.0).unwrap_or(f64::NAN))
                .collect()
        };
        let dynamics_cv =
            |v: &[f64]| weighted_cv(&positive(v), weights, &stepping, MIN_CV_WEIGHT_S);
        Variation {
            speed_cv_pct: weighted_cv(&smooth, weights, &moving, MIN_CV_WEIGHT_S),
            vertical_oscillation_cv_pct: dynamics_cv(&s.vertical_oscillation_mm),
            stance_time_cv_pct: dynamics_cv(&s.stance_time_ms),
        }
    }
}
