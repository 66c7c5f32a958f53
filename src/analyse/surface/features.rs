//! The surface features of one run: GPS presence and path, distance, altitude and speed
//! variation, running-dynamics variation.

use super::geometry::geometry_features;
use super::terrain::altitude_features;
use super::EARTH_RADIUS_M;
use crate::analyse::SampleSeries;
use crate::config::SurfaceSettings;
use crate::model::{Samples, SurfaceFeatures};
use crate::series::{trailing_average, weighted_cv};

/// Computes the proxy features of one run. Linear in the number of samples; tolerates
/// missing values, unequal column lengths and time or distance going backwards.
pub(crate) fn features(
    s: &Samples,
    series: &SampleSeries,
    cfg: &SurfaceSettings,
) -> SurfaceFeatures {
    let n = s.len();
    let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    let weights = &series.weight_s;
    // Recorded time: one weight per time stamp (samples sharing one share its interval).
    let duration_s: f64 = (0..n)
        .filter(|&i| i + 1 == n || s.t[i + 1] != s.t[i])
        .map(|i| weights[i])
        .sum();
    let max_speed = cfg.max_speed_mps.max(0.1);

    // Positions on a local plane (metres east/north of the first fix), with jumps faster than
    // `max_speed_mps` dropped. Five rejections in a row re-anchor on the new position, so a
    // bad first fix cannot reject the whole run.
    let mut xy = vec![(f64::NAN, f64::NAN); n];
    let mut origin: Option<(f64, f64, f64)> = None; // lat0, lon0 (radians), cos(lat0)
    let mut last: Option<(f64, f64, i64)> = None;
    let mut rejected = 0;
    let mut fixes = 0usize;
    let mut gps_path = 0.0;
    for (i, p) in xy.iter_mut().enumerate() {
        let (la, lo) = (at(&s.lat_deg, i), at(&s.lon_deg, i));
        if !(la.is_finite() && lo.is_finite() && la.abs() <= 90.0 && lo.abs() <= 180.0) {
            continue;
        }
        fixes += 1;
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
            if step_m > max_speed * dt + 50.0 && rejected < 5 {
                rejected += 1;
                continue;
            }
        }
        rejected = 0;
        if let Some((step_m, _)) = step {
            gps_path += step_m;
        }
        last = Some((x, y, s.t[i]));
        *p = (x, y);
    }
    // GPS is present when enough samples carry it, or when the fixes that exist trace a real
    // path (a watch that found the satellites late in an outdoor run).
    let has_gps = fixes >= 2
        && (fixes as f64 >= cfg.min_gps_fraction * n as f64 || gps_path >= cfg.min_distance_m);

    // Cumulative distance along the run: the record distance when the run has one (foot pod
    // or the watch's own fused distance), else the GPS path. Mixing the two would count the
    // stretches where both exist twice.
    let use_record = s
        .distance_m
        .iter()
        .filter(|d| d.is_finite() && **d > 0.0)
        .count()
        >= 2;
    let mut along = Vec::with_capacity(n);
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
                if dd <= max_speed * dt + 50.0 {
                    acc += dd;
                }
            }
            last_p = Some((x, y));
        }
        along.push(acc);
    }
    let total_m = acc;
    let distance_m = (total_m > 0.0).then_some(total_m);
    let enough_distance = total_m >= cfg.min_distance_m;

    let (altitude_roughness_m_per_km, grade_variability_pct) = if enough_distance {
        altitude_features(s, &along, cfg)
    } else {
        (None, None)
    };

    // Speed (recorded, else the distance rate), smoothed.
    let smooth = trailing_average(&s.t, &series.speed_mps, cfg.speed_smoothing_s, |v| {
        (0.0..=max_speed).contains(&v)
    });
    let moving: Vec<bool> = smooth
        .iter()
        .map(|&v| v >= cfg.moving_speed_mps && v <= max_speed)
        .collect();
    let speed_cv_pct = weighted_cv(&smooth, weights, &moving, 60.0);

    let dyn_moving: Vec<bool> = (0..n)
        .map(|i| moving[i] || (smooth[i].is_nan() && at(&s.cadence_raw, i) > 0.0))
        .collect();
    let positive = |v: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| {
                let x = at(v, i);
                if x > 0.0 {
                    x
                } else {
                    f64::NAN
                }
            })
            .collect()
    };
    let vertical_oscillation_cv_pct = weighted_cv(
        &positive(&s.vertical_oscillation_mm),
        weights,
        &dyn_moving,
        60.0,
    );
    let stance_time_cv_pct = weighted_cv(&positive(&s.stance_time_ms), weights, &dyn_moving, 60.0);

    let mut f = SurfaceFeatures {
        has_gps,
        duration_s,
        distance_m,
        altitude_roughness_m_per_km,
        grade_variability_pct,
        speed_cv_pct,
        vertical_oscillation_cv_pct,
        stance_time_cv_pct,
        ..SurfaceFeatures::default()
    };
    if has_gps {
        geometry_features(&xy, cfg, &mut f);
    }
    f
}
