//! Terrain from altitude: how much a run climbs per km, and how irregular its grade is.

use crate::config::SurfaceSettings;
use crate::model::{valid_altitude, Samples};
use crate::series::trailing_average;

/// Altitude roughness (m/km) and grade variability (percentage points) from the valid
/// altitude samples, smoothed over time.
pub(super) fn altitude_features(
    s: &Samples,
    along: &[f64],
    cfg: &SurfaceSettings,
) -> (Option<f64>, Option<f64>) {
    let n = s.len().min(along.len());
    let alt: Vec<f64> = (0..n)
        .map(|i| s.altitude_m.get(i).copied().unwrap_or(f64::NAN))
        .collect();
    let smooth = trailing_average(&s.t[..n], &alt, cfg.altitude_smoothing_s, valid_altitude);

    let mut first: Option<usize> = None;
    let mut last = 0usize;
    let mut anchor = f64::NAN;
    let mut climbed = 0.0;
    // Grade over consecutive distance windows (Welford's running variance).
    let mut seg: Option<usize> = None;
    let (mut gn, mut gmean, mut gm2) = (0usize, 0.0, 0.0);
    for k in 0..n {
        let a = smooth[k];
        if !a.is_finite() {
            continue;
        }
        first.get_or_insert(k);
        last = k;
        if !anchor.is_finite() {
            anchor = a;
        } else if (a - anchor).abs() >= cfg.altitude_deadband_m {
            climbed += (a - anchor).abs();
            anchor = a;
        }
        match seg {
            None => seg = Some(k),
            Some(j) => {
                let dd = along[k] - along[j];
                if dd >= cfg.grade_window_m.max(1.0) {
                    // A window stretched over a gap in the altitude is not a grade.
                    if dd <= 3.0 * cfg.grade_window_m {
                        let g = 100.0 * (a - smooth[j]) / dd;
                        gn += 1;
                        let delta = g - gmean;
                        gmean += delta / gn as f64;
                        gm2 += delta * (g - gmean);
                    }
                    seg = Some(k);
                }
            }
        }
    }
    let Some(first) = first else {
        return (None, None);
    };
    let km = (along[last] - along[first]) / 1000.0;
    if km * 1000.0 < cfg.min_distance_m {
        return (None, None);
    }
    let roughness = climbed / km;
    let grade = (gn >= 5).then(|| (gm2 / gn as f64).sqrt());
    (Some(roughness), grade)
}
