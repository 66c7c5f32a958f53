//! Geometry of the GPS path: its bounding box, how much it turns, and the loop it repeats.

use crate::config::SurfaceSettings;
use crate::model::SurfaceFeatures;
use crate::series::upper_median;

/// Bounding box, turn density and loop features from the projected GPS path.
pub(super) fn geometry_features(xy: &[(f64, f64)], cfg: &SurfaceSettings, f: &mut SurfaceFeatures) {
    let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    // Turn density on a path resampled every `turn_step_m`.
    let turn_step = cfg.turn_step_m.max(1.0);
    let mut tv: Option<(f64, f64)> = None;
    let mut heading: Option<f64> = None;
    let (mut turned, mut turn_path) = (0.0, 0.0);
    // Loop vertices every `loop_step_m`: (x, y, distance along the resampled path).
    let loop_step = cfg.loop_step_m.max(1.0);
    let mut verts: Vec<(f64, f64, f64)> = Vec::new();
    for &(x, y) in xy {
        if !x.is_finite() {
            continue;
        }
        xmin = xmin.min(x);
        xmax = xmax.max(x);
        ymin = ymin.min(y);
        ymax = ymax.max(y);
        match tv {
            None => tv = Some((x, y)),
            Some((px, py)) => {
                let d = (x - px).hypot(y - py);
                if d >= turn_step {
                    let h = (y - py).atan2(x - px).to_degrees();
                    // After a gap in the track the heading change is not a turn.
                    if let (Some(h0), true) = (heading, d <= 4.0 * turn_step) {
                        let dh = (h - h0 + 180.0).rem_euclid(360.0) - 180.0;
                        if dh.abs() >= cfg.turn_noise_deg {
                            turned += dh.abs();
                        }
                    }
                    heading = Some(h);
                    turn_path += d;
                    tv = Some((x, y));
                }
            }
        }
        match verts.last() {
            None => verts.push((x, y, 0.0)),
            Some(&(px, py, c)) => {
                let d = (x - px).hypot(y - py);
                if d >= loop_step {
                    verts.push((x, y, c + d));
                }
            }
        }
    }
    if xmin > xmax {
        return;
    }
    f.bbox_diagonal_m = Some((xmax - xmin).hypot(ymax - ymin));
    if turn_path >= cfg.min_distance_m {
        f.turn_density_deg_per_km = Some(turned / (turn_path / 1000.0));
    }
    let path = verts.last().map_or(0.0, |v| v.2);
    if path < cfg.loop_search_min_m + cfg.min_distance_m {
        return;
    }

    // For each vertex, walk back along the path from `loop_search_min_m` to
    // `loop_search_max_m` and take the first local minimum of the distance that comes within
    // `loop_match_m` while heading the same way: that lag is one loop. The window holds at
    // most (max − min) / step vertices, so this stays linear.
    let mut lags: Vec<f64> = Vec::new();
    let mut eligible = 0usize;
    // Distances are compared squared: this scan is the costliest of the surface features.
    let match_sq = cfg.loop_match_m * cfg.loop_match_m;
    let mut j_hi = 0usize; // first vertex whose lag is below the minimum
    let mut j_lo = 0usize; // first vertex whose lag is within the maximum
    for i in 1..verts.len() {
        let (xi, yi, ci) = verts[i];
        while j_hi < i && ci - verts[j_hi].2 >= cfg.loop_search_min_m {
            j_hi += 1;
        }
        while j_lo < j_hi && ci - verts[j_lo].2 > cfg.loop_search_max_m {
            j_lo += 1;
        }
        if ci < cfg.loop_search_min_m {
            continue;
        }
        eligible += 1;
        let (dxi, dyi) = (xi - verts[i - 1].0, yi - verts[i - 1].1);
        let mut best: Option<(f64, f64)> = None; // (squared distance, lag)
        let mut j = j_hi;
        while j > j_lo.max(1) {
            j -= 1;
            let (xj, yj, cj) = verts[j];
            let d = (xi - xj) * (xi - xj) + (yi - yj) * (yi - yj);
            match best {
                Some((bd, _)) if d > bd => break, // past the first local minimum
                Some(_) => best = Some((d, ci - cj)),
                None if d <= match_sq => {
                    let (dxj, dyj) = (xj - verts[j - 1].0, yj - verts[j - 1].1);
                    let dot = dxi * dxj + dyi * dyj;
                    let norm = dxi.hypot(dyi) * dxj.hypot(dyj);
                    if norm > 0.0 && dot >= 0.5 * norm {
                        best = Some((d, ci - cj));
                    }
                }
                None => {}
            }
        }
        if let Some((_, lag)) = best {
            lags.push(lag);
        }
    }
    if eligible == 0 {
        return;
    }
    let score = lags.len() as f64 / eligible as f64;
    f.loop_score = Some(score);
    if score >= 0.1 {
        f.lap_length_m = upper_median(&mut lags);
    }
}
