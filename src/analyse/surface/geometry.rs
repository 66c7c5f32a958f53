//! Geometry of the GPS path: its bounding box, how much it turns, and the loop it repeats.

use std::ops::Range;

use crate::config::SurfaceSettings;
use crate::model::SurfaceFeatures;
use crate::series::upper_median;

/// The share of the path that must close a loop for its lap length to be told.
const MIN_LOOP_SCORE: f64 = 0.1;

/// Bounding box, turn density and loop features from the projected GPS path (`NaN` where a
/// sample has no position).
pub(super) fn geometry_features(xy: &[(f64, f64)], cfg: &SurfaceSettings, f: &mut SurfaceFeatures) {
    let Some(diagonal) = bbox_diagonal(xy) else {
        return;
    };
    f.bbox_diagonal_m = Some(diagonal);
    let (turned_deg, turn_path_m) = turning(xy, cfg);
    if turn_path_m >= cfg.min_distance_m {
        f.turn_density_deg_per_km = Some(turned_deg / (turn_path_m / 1000.0));
    }
    let verts = loop_vertices(xy, cfg.loop_step_m.max(1.0));
    let path = verts.last().map_or(0.0, |v| v.along_m);
    if path < cfg.loop_search_min_m + cfg.min_distance_m {
        return;
    }
    let (mut lags, eligible) = loop_lags(&verts, cfg);
    if eligible == 0 {
        return;
    }
    let score = lags.len() as f64 / eligible as f64;
    f.loop_score = Some(score);
    if score >= MIN_LOOP_SCORE {
        f.lap_length_m = upper_median(&mut lags);
    }
}

/// The positions, those without one left out.
fn positions(xy: &[(f64, f64)]) -> impl Iterator<Item = (f64, f64)> + '_ {
    xy.iter().copied().filter(|p| p.0.is_finite())
}

/// The diagonal of the box holding every position, m; `None` without positions.
fn bbox_diagonal(xy: &[(f64, f64)]) -> Option<f64> {
    let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in positions(xy) {
        xmin = xmin.min(x);
        xmax = xmax.max(x);
        ymin = ymin.min(y);
        ymax = ymax.max(y);
    }
    (xmin <= xmax).then(|| (xmax - xmin).hypot(ymax - ymin))
}

/// How much the path turns: the summed heading change, degrees, and the length of the path
/// resampled every `turn_step_m` it was measured on, m. Changes below `turn_noise_deg` are
/// noise, and after a gap in the track the heading change is not a turn.
fn turning(xy: &[(f64, f64)], cfg: &SurfaceSettings) -> (f64, f64) {
    let turn_step = cfg.turn_step_m.max(1.0);
    let mut last: Option<(f64, f64)> = None;
    let mut heading: Option<f64> = None;
    let (mut turned, mut path) = (0.0, 0.0);
    for (x, y) in positions(xy) {
        let Some((px, py)) = last else {
            last = Some((x, y));
            continue;
        };
        let d = (x - px).hypot(y - py);
        if d < turn_step {
            continue;
        }
        let h = (y - py).atan2(x - px).to_degrees();
        if let (Some(h0), true) = (heading, d <= 4.0 * turn_step) {
            let dh = (h - h0 + 180.0).rem_euclid(360.0) - 180.0;
            if dh.abs() >= cfg.turn_noise_deg {
                turned += dh.abs();
            }
        }
        heading = Some(h);
        path += d;
        last = Some((x, y));
    }
    (turned, path)
}

/// A point of the path resampled for the loop search.
#[derive(Clone, Copy, Debug)]
struct Vertex {
    x: f64,
    y: f64,
    /// Distance along the resampled path, m.
    along_m: f64,
}

impl Vertex {
    /// The squared distance to `other`, m² (compared squared: the loop search is the costliest
    /// of the surface features).
    fn distance_sq(&self, other: &Vertex) -> f64 {
        (self.x - other.x) * (self.x - other.x) + (self.y - other.y) * (self.y - other.y)
    }
}

/// The path resampled every `step_m`.
fn loop_vertices(xy: &[(f64, f64)], step_m: f64) -> Vec<Vertex> {
    let mut verts: Vec<Vertex> = Vec::new();
    for (x, y) in positions(xy) {
        let along_m = match verts.last() {
            None => 0.0,
            Some(p) => {
                let d = (x - p.x).hypot(y - p.y);
                if d < step_m {
                    continue;
                }
                p.along_m + d
            }
        };
        verts.push(Vertex { x, y, along_m });
    }
    verts
}

/// The loops the path closes: for each vertex past the first `loop_search_min_m`, the lag
/// back to where the path passed it one loop earlier (see [`loop_lag`]), and how many vertices
/// were searched. The window of lags holds at most (max − min) / step vertices, so this stays
/// linear.
fn loop_lags(verts: &[Vertex], cfg: &SurfaceSettings) -> (Vec<f64>, usize) {
    let mut lags: Vec<f64> = Vec::new();
    let mut eligible = 0usize;
    let match_sq = cfg.loop_match_m * cfg.loop_match_m;
    let mut j_hi = 0usize; // first vertex whose lag is below the minimum
    let mut j_lo = 0usize; // first vertex whose lag is within the maximum
    for i in 1..verts.len() {
        let ci = verts[i].along_m;
        while j_hi < i && ci - verts[j_hi].along_m >= cfg.loop_search_min_m {
            j_hi += 1;
        }
        while j_lo < j_hi && ci - verts[j_lo].along_m > cfg.loop_search_max_m {
            j_lo += 1;
        }
        if ci < cfg.loop_search_min_m {
            continue;
        }
        eligible += 1;
        if let Some(lag) = loop_lag(verts, i, j_lo.max(1)..j_hi, match_sq) {
            lags.push(lag);
        }
    }
    (lags, eligible)
}

/// The lag of one loop at vertex `i`: walking back through the vertices `window` (latest
/// first), the first local minimum of the distance that comes within the match distance
/// (`match_sq`, squared) while heading the same way.
fn loop_lag(verts: &[Vertex], i: usize, window: Range<usize>, match_sq: f64) -> Option<f64> {
    let vi = verts[i];
    let (dxi, dyi) = (vi.x - verts[i - 1].x, vi.y - verts[i - 1].y);
    let mut best: Option<(f64, f64)> = None; // (squared distance, lag)
    for j in window.rev() {
        let vj = verts[j];
        let d = vi.distance_sq(&vj);
        match best {
            Some((bd, _)) if d > bd => break, // past the first local minimum
            Some(_) => best = Some((d, vi.along_m - vj.along_m)),
            None if d <= match_sq => {
                let (dxj, dyj) = (vj.x - verts[j - 1].x, vj.y - verts[j - 1].y);
                let dot = dxi * dxj + dyi * dyj;
                let norm = dxi.hypot(dyi) * dxj.hypot(dyj);
                if norm > 0.0 && dot >= 0.5 * norm {
                    best = Some((d, vi.along_m - vj.along_m));
                }
            }
            None => {}
        }
    }
    best.map(|(_, lag)| lag)
}
