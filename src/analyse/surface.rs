//! Surface proxy: what a run was probably run on (road, trail, track, treadmill, indoor).
//!
//! FIT files do not record the surface. A run's `sub_sport` sometimes declares it (street,
//! trail, track, treadmill, indoor_running); most files say `generic`. This module computes a
//! handful of proxy features from the records — whether there is GPS, how hilly and how
//! irregularly hilly the altitude profile is, how much the moving speed varies, how much the
//! path turns, and whether the path keeps closing a ~400 m loop — and turns them into a class
//! with a short, fixed rule (see [`classify`]). Every threshold lives in [`SurfaceSettings`].
//! The declared class, when there is one, wins, but the inferred one is always computed so that
//! the two can be compared. Everything runs in one or two linear passes over the samples.

use serde::{Deserialize, Serialize};

use super::cadence::MAX_SAMPLE_WEIGHT_S;
use super::valid_altitude;
use crate::decode::Samples;

/// Mean Earth radius, metres (the projection below is local, so the sphere is good enough).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Every threshold of the surface proxy. Defaults are the documented ones.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SurfaceSettings {
    /// Runs shorter than this (seconds of recorded time) are `unknown`: two minutes is too
    /// little to see hills, turns or laps.
    pub min_duration_s: f64,
    /// Distance (metres) below which per-kilometre features are not computed and a GPS-less
    /// run counts as having no distance (then `indoor`, not `treadmill`).
    pub min_distance_m: f64,
    /// A run "has GPS" when at least this fraction (0–1) of its samples carry a position (or
    /// its fixes trace at least `min_distance_m`); a treadmill run may log a handful of fixes
    /// taken at the door.
    pub min_gps_fraction: f64,
    /// Speeds, distance increments and position jumps faster than this (m/s) are glitches:
    /// the fastest human sprint is about 12.4 m/s.
    pub max_speed_mps: f64,
    /// Speed (m/s) at or above which a sample counts as moving; low enough to keep the
    /// power-hiking of steep trail climbs (about 1 m/s).
    pub moving_speed_mps: f64,
    /// Trailing moving-average window for altitude, seconds: barometric altitude jitters by
    /// ±0.5 m and GPS altitude by metres from one second to the next.
    pub altitude_smoothing_s: f64,
    /// Dead band of the climb counter, metres: a change smaller than this from the last
    /// counted level is noise, not terrain.
    pub altitude_deadband_m: f64,
    /// Distance window (metres) over which one grade is measured for the grade variability;
    /// shorter windows measure the altitude noise rather than the terrain.
    pub grade_window_m: f64,
    /// Trailing moving-average window for speed, seconds: 1 s GPS speed is noisy, while the
    /// changes of pace that terrain forces last tens of seconds.
    pub speed_smoothing_s: f64,
    /// Path resampling step for turn density, metres: GPS noise of a few metres makes headings
    /// over shorter steps meaningless.
    pub turn_step_m: f64,
    /// Heading changes smaller than this (degrees, per resampled step) are GPS noise and not
    /// counted as turning.
    pub turn_noise_deg: f64,
    /// Path resampling step for loop detection, metres.
    pub loop_step_m: f64,
    /// Two passes count as the same place when their positions are within this distance
    /// (metres): GPS on a track wanders by 5–10 m from lap to lap.
    pub loop_match_m: f64,
    /// Shortest loop looked for, metres (below it, a stop-and-go jitter looks like a loop).
    pub loop_search_min_m: f64,
    /// Longest loop looked for, metres (keeps the search linear; park loops of a kilometre
    /// are not tracks).
    pub loop_search_max_m: f64,
    /// A run is `track` when its dominant loop is at least this long, metres (a 400 m track
    /// measured by GPS in lane 1 usually comes out at 380–420 m).
    pub track_lap_min_m: f64,
    /// …and at most this long, metres (outer lanes run up to 453 m; GPS cuts corners).
    pub track_lap_max_m: f64,
    /// …and at least this fraction (0–1) of its path re-traces the loop; the rest may be the
    /// jog to and from the track.
    pub track_min_loop_score: f64,
    /// A run with GPS whose positions all fit in a box with this diagonal (metres) went
    /// nowhere: a treadmill run recorded with GPS on.
    pub stationary_bbox_m: f64,
    /// Altitude roughness (m/km) at which the roughness vote is neutral between road and
    /// trail; road runs rarely climb more than 15 m per km, trail runs usually far more.
    pub trail_roughness_m_per_km: f64,
    /// Grade variability (percentage points) at which that vote is neutral; roads are graded
    /// for vehicles (a few per cent), paths follow the ground.
    pub trail_grade_variability_pct: f64,
    /// Speed coefficient of variation (%) at which that vote is neutral: steady road running
    /// varies by well under 10 %, technical ground and climbs force more.
    pub trail_speed_cv_pct: f64,
    /// Turn density (degrees/km) at which that vote is neutral; streets run straight between
    /// corners, paths wind.
    pub trail_turn_deg_per_km: f64,
    /// Stance-time coefficient of variation (%) at which the running-dynamics vote is
    /// neutral (only when the run carries stance time).
    pub trail_stance_cv_pct: f64,
    /// Weight of the altitude-roughness vote.
    pub weight_roughness: f64,
    /// Weight of the grade-variability vote.
    pub weight_grade: f64,
    /// Weight of the speed-variability vote.
    pub weight_speed: f64,
    /// Weight of the turn-density vote.
    pub weight_turns: f64,
    /// Weight of the running-dynamics vote.
    pub weight_dynamics: f64,
}

impl Default for SurfaceSettings {
    fn default() -> Self {
        SurfaceSettings {
            min_duration_s: 120.0,
            min_distance_m: 400.0,
            min_gps_fraction: 0.25,
            max_speed_mps: 12.5,
            moving_speed_mps: 1.0,
            altitude_smoothing_s: 30.0,
            altitude_deadband_m: 2.0,
            grade_window_m: 100.0,
            speed_smoothing_s: 10.0,
            turn_step_m: 25.0,
            turn_noise_deg: 10.0,
            loop_step_m: 10.0,
            loop_match_m: 20.0,
            loop_search_min_m: 150.0,
            loop_search_max_m: 600.0,
            track_lap_min_m: 360.0,
            track_lap_max_m: 460.0,
            track_min_loop_score: 0.4,
            stationary_bbox_m: 50.0,
            trail_roughness_m_per_km: 30.0,
            trail_grade_variability_pct: 4.0,
            trail_speed_cv_pct: 15.0,
            trail_turn_deg_per_km: 400.0,
            trail_stance_cv_pct: 8.0,
            weight_roughness: 1.0,
            weight_grade: 1.0,
            weight_speed: 1.0,
            weight_turns: 1.0,
            weight_dynamics: 0.0,
        }
    }
}

/// A run's surface class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// Streets and pavements.
    Road,
    /// Paths, trails, off-road.
    Trail,
    /// An athletics track.
    Track,
    /// A treadmill.
    Treadmill,
    /// Indoors, not known to be a treadmill.
    Indoor,
    /// Not enough data to tell.
    Unknown,
}

impl Surface {
    /// The token written to the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Road => "road",
            Surface::Trail => "trail",
            Surface::Track => "track",
            Surface::Treadmill => "treadmill",
            Surface::Indoor => "indoor",
            Surface::Unknown => "unknown",
        }
    }

    /// The surface a FIT `sub_sport` declares, if it declares one.
    pub fn declared(sub_sport: Option<&str>) -> Option<Surface> {
        match sub_sport? {
            "street" => Some(Surface::Road),
            "trail" => Some(Surface::Trail),
            "track" => Some(Surface::Track),
            "treadmill" => Some(Surface::Treadmill),
            "indoor_running" => Some(Surface::Indoor),
            _ => None,
        }
    }
}

/// Proxy features of one run; `None` when a feature cannot be computed (no GPS, no altitude,
/// too short).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurfaceFeatures {
    /// At least `min_gps_fraction` of the samples carry a position, or the positions trace
    /// at least `min_distance_m` of path.
    pub has_gps: bool,
    /// Recorded time, seconds (sample intervals, each capped at 10 s so pauses do not count).
    pub duration_s: f64,
    /// Distance the per-km features are measured over, metres: record distance, else the GPS
    /// path.
    pub distance_m: Option<f64>,
    /// Climb plus descent per km after smoothing and a dead band, metres/km.
    pub altitude_roughness_m_per_km: Option<f64>,
    /// Standard deviation of the grade over consecutive `grade_window_m` stretches,
    /// percentage points.
    pub grade_variability_pct: Option<f64>,
    /// Coefficient of variation of the smoothed moving speed, time-weighted, percent.
    pub speed_cv_pct: Option<f64>,
    /// Summed heading change of the resampled GPS path, degrees per km (changes below the
    /// noise threshold ignored). A 400 m track gives about 900.
    pub turn_density_deg_per_km: Option<f64>,
    /// Diagonal of the box holding every accepted GPS position, metres.
    pub bbox_diagonal_m: Option<f64>,
    /// Median length of the loops the path closes (between `loop_search_min_m` and
    /// `loop_search_max_m`), metres; `None` when under a tenth of the path closes a loop.
    pub lap_length_m: Option<f64>,
    /// Fraction (0–1) of the path (after its first `loop_search_min_m`) that passes, heading
    /// the same way, a point it passed one loop earlier.
    pub loop_score: Option<f64>,
    /// Coefficient of variation of vertical oscillation over moving samples, percent.
    pub vertical_oscillation_cv_pct: Option<f64>,
    /// Coefficient of variation of ground-contact (stance) time over moving samples, percent.
    pub stance_time_cv_pct: Option<f64>,
}

/// The surface of one run and how it was found.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceVerdict {
    /// The declared surface when `sub_sport` declares one, else the inferred one.
    pub surface: Surface,
    /// `declared` or `inferred`.
    pub source: &'static str,
    /// The classifier's own answer, computed even when the surface is declared.
    pub inferred: Surface,
    /// Confidence in `surface`, 0–1: 1.0 for a declaration (the runner chose the profile),
    /// else the classifier's confidence.
    pub confidence: f64,
    /// The features behind the inferred class.
    pub features: SurfaceFeatures,
}

/// The surface of one run: declared from `sub_sport` when it says, inferred otherwise.
pub fn surface(s: &Samples, sub_sport: Option<&str>, cfg: &SurfaceSettings) -> SurfaceVerdict {
    let features = features(s, cfg);
    let (inferred, conf) = classify(&features, cfg);
    match Surface::declared(sub_sport) {
        Some(d) => SurfaceVerdict {
            surface: d,
            source: "declared",
            inferred,
            confidence: 1.0,
            features,
        },
        None => SurfaceVerdict {
            surface: inferred,
            source: "inferred",
            inferred,
            confidence: conf,
            features,
        },
    }
}

/// Classifies a run from its features; returns the class and a confidence in 0–1.
///
/// In order:
/// 1. under `min_duration_s` of data → `unknown` (confidence 0);
/// 2. no GPS → `treadmill` when the run has distance (a foot pod or the watch's
///    accelerometer), else `indoor`; GPS but under `min_distance_m` → `unknown`;
/// 3. a path that keeps closing a loop of `track_lap_min_m`–`track_lap_max_m` over at least
///    `track_min_loop_score` of its length → `track`;
/// 4. GPS positions that never leave a `stationary_bbox_m` box → `treadmill` (GPS left on);
/// 5. otherwise trail against road by a vote: each available feature votes
///    `log2(value / neutral)`, clamped to ±1 (twice the neutral value is a full vote for
///    trail, half of it a full vote for road); the weighted mean over all weighted features
///    (a missing feature votes 0) above zero is `trail`, else `road`. Confidence is
///    0.5 + 0.45 × the absolute mean: a proxy is never certain, so an inferred class stays
///    at or below 0.95.
pub fn classify(f: &SurfaceFeatures, cfg: &SurfaceSettings) -> (Surface, f64) {
    if f.duration_s.is_nan() || f.duration_s < cfg.min_duration_s {
        return (Surface::Unknown, 0.0);
    }
    let has_distance = f.distance_m.is_some_and(|d| d >= cfg.min_distance_m);
    if !f.has_gps {
        if !has_distance {
            return (Surface::Indoor, 0.5);
        }
        // A treadmill keeps the altitude flat (or has none); a rough profile hints at a
        // GPS-less watch with a foot pod outdoors.
        let flat = f
            .altitude_roughness_m_per_km
            .is_none_or(|r| r < cfg.trail_roughness_m_per_km / 2.0);
        return (Surface::Treadmill, if flat { 0.8 } else { 0.6 });
    }
    if !has_distance {
        return (Surface::Unknown, 0.0);
    }
    if let (Some(score), Some(lap)) = (f.loop_score, f.lap_length_m) {
        if score >= cfg.track_min_loop_score
            && lap >= cfg.track_lap_min_m
            && lap <= cfg.track_lap_max_m
        {
            return (Surface::Track, 0.5 + 0.45 * score.min(1.0));
        }
    }
    if f.bbox_diagonal_m
        .is_some_and(|d| d <= cfg.stationary_bbox_m)
    {
        return (Surface::Treadmill, 0.6);
    }
    let vote = |value: Option<f64>, neutral: f64| -> f64 {
        match value {
            Some(v) if v > 0.0 && neutral > 0.0 => (v / neutral).log2().clamp(-1.0, 1.0),
            Some(_) => -1.0,
            None => 0.0,
        }
    };
    let parts = [
        (
            cfg.weight_roughness,
            vote(f.altitude_roughness_m_per_km, cfg.trail_roughness_m_per_km),
        ),
        (
            cfg.weight_grade,
            vote(f.grade_variability_pct, cfg.trail_grade_variability_pct),
        ),
        (
            cfg.weight_speed,
            vote(f.speed_cv_pct, cfg.trail_speed_cv_pct),
        ),
        (
            cfg.weight_turns,
            vote(f.turn_density_deg_per_km, cfg.trail_turn_deg_per_km),
        ),
        (
            cfg.weight_dynamics,
            vote(f.stance_time_cv_pct, cfg.trail_stance_cv_pct),
        ),
    ];
    let total: f64 = parts.iter().map(|p| p.0.max(0.0)).sum();
    if total <= 0.0 {
        return (Surface::Road, 0.5);
    }
    let score = parts.iter().map(|p| p.0.max(0.0) * p.1).sum::<f64>() / total;
    let class = if score > 0.0 {
        Surface::Trail
    } else {
        Surface::Road
    };
    (class, 0.5 + 0.45 * score.abs().min(1.0))
}

/// Computes the proxy features of one run. Linear in the number of samples; tolerates
/// missing values, unequal column lengths and time or distance going backwards.
pub fn features(s: &Samples, cfg: &SurfaceSettings) -> SurfaceFeatures {
    let n = s.len();
    let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    let weights = weights(&s.t);
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
        if let Some((px, py, pt)) = last {
            let dt = s.t[i].saturating_sub(pt).max(1) as f64;
            if (x - px).hypot(y - py) > max_speed * dt + 50.0 && rejected < 5 {
                rejected += 1;
                continue;
            }
        }
        rejected = 0;
        if let Some((px, py, _)) = last {
            gps_path += (x - px).hypot(y - py);
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

    // Speed: recorded, else the distance rate (as `cadence::sample_speeds`), smoothed.
    let speeds: Vec<f64> = (0..n)
        .map(|i| {
            let v = at(&s.speed_mps, i);
            if v.is_finite() || i == 0 {
                return v;
            }
            let dt = s.t[i].saturating_sub(s.t[i - 1]) as f64;
            let dd = at(&s.distance_m, i) - at(&s.distance_m, i - 1);
            if dt > 0.0 && dd.is_finite() && dd >= 0.0 {
                dd / dt
            } else {
                f64::NAN
            }
        })
        .collect();
    let smooth = moving_average(&s.t, &speeds, cfg.speed_smoothing_s, |v| {
        (0.0..=max_speed).contains(&v)
    });
    let moving: Vec<bool> = smooth
        .iter()
        .map(|&v| v >= cfg.moving_speed_mps && v <= max_speed)
        .collect();
    let speed_cv_pct = weighted_cv(&smooth, &weights, &moving, 60.0);

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
        &weights,
        &dyn_moving,
        60.0,
    );
    let stance_time_cv_pct = weighted_cv(&positive(&s.stance_time_ms), &weights, &dyn_moving, 60.0);

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

/// The time each sample stands for, like `cadence::sample_weights` (the interval to the next
/// time stamp, capped at `MAX_SAMPLE_WEIGHT_S`; the last samples take the interval before),
/// with two differences: samples that share a time stamp each stand for the interval to the
/// next *later* one (some apps split one instant into a record with position and speed and
/// another with distance), and the arithmetic saturates for any time stamp.
fn weights(t: &[i64]) -> Vec<f64> {
    let n = t.len();
    let cap = |dt: i64| (dt as f64).clamp(0.0, MAX_SAMPLE_WEIGHT_S);
    let mut w = vec![f64::NAN; n];
    let mut later: Option<i64> = None; // the next time stamp after t[i + 1]'s group
    for i in (0..n).rev() {
        later = match t.get(i + 1) {
            Some(&u) if u > t[i] => Some(u),
            Some(&u) if u == t[i] => later,
            _ => None,
        };
        if let Some(u) = later {
            w[i] = cap(u.saturating_sub(t[i]));
        }
    }
    // The final group (and a group followed by a step back in time) takes the interval from
    // the time stamp before it, or 1 s when there is none.
    let mut before: Option<i64> = None; // the last time stamp before t[i]'s group
    for i in 0..n {
        if i > 0 && t[i] != t[i - 1] {
            before = Some(t[i - 1]);
        }
        if w[i].is_nan() {
            w[i] = match before {
                Some(b) if b < t[i] => cap(t[i].saturating_sub(b)),
                Some(_) => 0.0,
                None => 1.0,
            };
        }
    }
    w
}

/// Trailing time-window moving average of the values `keep` accepts; `NaN` where the sample
/// itself is not accepted. A step back in time restarts the window.
fn moving_average(t: &[i64], v: &[f64], window_s: f64, keep: impl Fn(f64) -> bool) -> Vec<f64> {
    let n = t.len().min(v.len());
    let mut out = vec![f64::NAN; t.len()];
    let (mut lo, mut sum, mut count) = (0usize, 0.0, 0usize);
    for k in 0..n {
        if keep(v[k]) {
            sum += v[k];
            count += 1;
        }
        while lo < k && (t[k].saturating_sub(t[lo]) as f64 >= window_s || t[lo] > t[k]) {
            if keep(v[lo]) {
                sum -= v[lo];
                count -= 1;
            }
            lo += 1;
        }
        if keep(v[k]) && count > 0 {
            out[k] = sum / count as f64;
        }
    }
    out
}

/// Time-weighted coefficient of variation (percent) of the finite values where `mask` holds;
/// `None` with less than `min_weight` seconds or a zero mean.
fn weighted_cv(v: &[f64], w: &[f64], mask: &[bool], min_weight: f64) -> Option<f64> {
    let (mut sw, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for ((&x, &wi), &m) in v.iter().zip(w).zip(mask) {
        if m && x.is_finite() && wi > 0.0 {
            sw += wi;
            s1 += wi * x;
            s2 += wi * x * x;
        }
    }
    if sw < min_weight {
        return None;
    }
    let mean = s1 / sw;
    let var = (s2 / sw - mean * mean).max(0.0);
    (mean > 0.0).then(|| 100.0 * var.sqrt() / mean)
}

/// Altitude roughness (m/km) and grade variability (percentage points) from the valid
/// altitude samples, smoothed over time.
fn altitude_features(
    s: &Samples,
    along: &[f64],
    cfg: &SurfaceSettings,
) -> (Option<f64>, Option<f64>) {
    let n = s.len().min(along.len());
    let alt: Vec<f64> = (0..n)
        .map(|i| s.altitude_m.get(i).copied().unwrap_or(f64::NAN))
        .collect();
    let smooth = moving_average(&s.t[..n], &alt, cfg.altitude_smoothing_s, valid_altitude);

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

/// Bounding box, turn density and loop features from the projected GPS path.
fn geometry_features(xy: &[(f64, f64)], cfg: &SurfaceSettings, f: &mut SurfaceFeatures) {
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
        let mut best: Option<(f64, f64)> = None; // (distance, lag)
        let mut j = j_hi;
        while j > j_lo.max(1) {
            j -= 1;
            let (xj, yj, cj) = verts[j];
            let d = (xi - xj).hypot(yi - yj);
            match best {
                Some((bd, _)) if d > bd => break, // past the first local minimum
                Some(_) => best = Some((d, ci - cj)),
                None if d <= cfg.loop_match_m => {
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
        let mid = lags.len() / 2;
        let (_, m, _) = lags.select_nth_unstable_by(mid, f64::total_cmp);
        f.lap_length_m = Some(*m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Small deterministic noise source (xorshift), so the tests need no crate.
    struct Noise(u64);

    impl Noise {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
        /// Roughly normal (sum of uniforms), mean 0, standard deviation `sd`.
        fn normal(&mut self, sd: f64) -> f64 {
            let s: f64 = (0..12).map(|_| self.uniform()).sum();
            (s - 6.0) * sd
        }
    }

    /// One second of a synthetic run: true position (m east/north), altitude, speed.
    struct Truth {
        x: f64,
        y: f64,
        alt: f64,
        speed: f64,
    }

    /// Builds 1 s samples from a true path, adding GPS error (a slowly wandering offset of
    /// about 2 m plus 0.5 m of jitter), altitude jitter and speed noise; distance is the true
    /// distance run, as a watch's fused distance roughly is.
    fn record(truth: &[Truth], gps: bool, alt_jitter: f64, seed: u64) -> Samples {
        let mut rng = Noise(seed);
        let (lat0, lon0) = (48.137_f64, 11.575_f64);
        let m_per_deg = EARTH_RADIUS_M * PI / 180.0;
        let (mut ex, mut ey) = (0.0, 0.0);
        let mut s = Samples::default();
        let mut dist = 0.0;
        for (i, p) in truth.iter().enumerate() {
            if i > 0 {
                let q = &truth[i - 1];
                dist += (p.x - q.x).hypot(p.y - q.y);
            }
            ex = 0.95 * ex + rng.normal(0.6);
            ey = 0.95 * ey + rng.normal(0.6);
            let (x, y) = (p.x + ex + rng.normal(0.5), p.y + ey + rng.normal(0.5));
            s.t.push(1_000_000_000 + i as i64);
            s.distance_m.push(dist);
            s.altitude_m.push(p.alt + rng.normal(alt_jitter));
            s.speed_mps.push((p.speed + rng.normal(0.1)).max(0.0));
            s.cadence_raw.push(85.0);
            s.heart_rate.push(150.0);
            if gps {
                s.lat_deg.push(lat0 + y / m_per_deg);
                s.lon_deg
                    .push(lon0 + x / (m_per_deg * lat0.to_radians().cos()));
            } else {
                s.lat_deg.push(f64::NAN);
                s.lon_deg.push(f64::NAN);
            }
            s.step_length_mm.push(f64::NAN);
            s.vertical_oscillation_mm.push(f64::NAN);
            s.stance_time_ms.push(f64::NAN);
        }
        s
    }

    /// Walks a path given its heading (degrees from east) as a function of distance.
    fn walk(
        seconds: usize,
        speed: impl Fn(f64, f64) -> f64,
        heading: impl Fn(f64) -> f64,
        alt: impl Fn(f64) -> f64,
    ) -> Vec<Truth> {
        let (mut x, mut y, mut d) = (0.0, 0.0, 0.0);
        let mut out = Vec::with_capacity(seconds);
        for _ in 0..seconds {
            let grade = (alt(d + 5.0) - alt(d - 5.0)) / 10.0;
            let v = speed(d, grade);
            out.push(Truth {
                x,
                y,
                alt: alt(d),
                speed: v,
            });
            let h = heading(d).to_radians();
            x += v * h.cos();
            y += v * h.sin();
            d += v;
        }
        out
    }

    fn flat_road(seed: u64) -> Samples {
        // 45 min at 3 m/s on a flat street grid: a right-angle corner every 900 m.
        let truth = walk(
            2700,
            |_, _| 3.0,
            |d| 90.0 * ((d / 900.0).floor() % 2.0),
            |_| 520.0,
        );
        record(&truth, true, 0.3, seed)
    }

    fn rolling_trail() -> Samples {
        // 75 min over rolling hills (±30 m every 1.5 km, ±12 m every 500 m) on a winding
        // path; slower uphill, faster downhill, with surges.
        let truth = walk(
            4500,
            |d, grade| (3.0 - 9.0 * grade + 0.4 * (d / 90.0).sin()).clamp(1.0, 4.8),
            |d| 40.0 * (d / 1200.0) + 70.0 * (2.0 * PI * d / 160.0).sin(),
            |d| 300.0 + 30.0 * (2.0 * PI * d / 1500.0).sin() + 12.0 * (2.0 * PI * d / 500.0).sin(),
        );
        record(&truth, true, 0.3, 7)
    }

    /// Position on a standard 400 m track (lane 1 line): 84.39 m straights, 36.5 m radius.
    fn track_point(s: f64) -> (f64, f64) {
        let (st, r) = (84.39, 36.5);
        let arc = PI * r;
        let lap = 2.0 * st + 2.0 * arc;
        let s = s.rem_euclid(lap);
        if s < st {
            (s, -r)
        } else if s < st + arc {
            let a = -PI / 2.0 + (s - st) / r;
            (st + r * a.cos(), r * a.sin())
        } else if s < 2.0 * st + arc {
            (st - (s - st - arc), r)
        } else {
            let a = PI / 2.0 + (s - 2.0 * st - arc) / r;
            (r * a.cos(), r * a.sin())
        }
    }

    fn track_laps() -> Samples {
        // Ten laps at 4 m/s.
        let truth: Vec<Truth> = (0..1000)
            .map(|i| {
                let (x, y) = track_point(4.0 * i as f64);
                Truth {
                    x,
                    y,
                    alt: 35.0,
                    speed: 4.0,
                }
            })
            .collect();
        record(&truth, true, 0.3, 3)
    }

    fn treadmill(altitude: f64) -> Samples {
        let truth: Vec<Truth> = (0..1800)
            .map(|i| Truth {
                x: 0.0,
                y: 0.0,
                alt: altitude,
                speed: if i < 300 { 2.8 } else { 3.2 },
            })
            .collect();
        let mut s = record(&truth, false, 0.0, 5);
        // The foot pod counts what the belt moved; the first second already has a step.
        let mut d = 0.0;
        for (out, p) in s.distance_m.iter_mut().zip(&truth) {
            d += p.speed;
            *out = d;
        }
        s
    }

    fn infer(s: &Samples) -> (Surface, f64, SurfaceFeatures) {
        let cfg = SurfaceSettings::default();
        let f = features(s, &cfg);
        let (c, conf) = classify(&f, &cfg);
        (c, conf, f)
    }

    #[test]
    fn flat_road_is_road() {
        let (c, conf, f) = infer(&flat_road(11));
        assert_eq!(c, Surface::Road, "{f:?}");
        assert!(conf > 0.7, "{conf} {f:?}");
        assert!(f.has_gps);
        assert!(f.altitude_roughness_m_per_km.unwrap() < 5.0, "{f:?}");
        assert!(f.speed_cv_pct.unwrap() < 5.0, "{f:?}");
        assert!(f.loop_score.unwrap() < 0.1, "{f:?}");
        let d = f.distance_m.unwrap();
        assert!((d - 8100.0).abs() < 10.0, "{d}");
    }

    #[test]
    fn rolling_trail_is_trail() {
        let (c, conf, f) = infer(&rolling_trail());
        assert_eq!(c, Surface::Trail, "{f:?}");
        assert!(conf > 0.7, "{conf} {f:?}");
        assert!(f.altitude_roughness_m_per_km.unwrap() > 60.0, "{f:?}");
        assert!(f.grade_variability_pct.unwrap() > 4.0, "{f:?}");
        assert!(f.speed_cv_pct.unwrap() > 15.0, "{f:?}");
    }

    #[test]
    fn track_laps_are_track_with_a_400_m_lap() {
        let (c, conf, f) = infer(&track_laps());
        assert_eq!(c, Surface::Track, "{f:?}");
        let lap = f.lap_length_m.unwrap();
        assert!((lap - 400.0).abs() <= 20.0, "{lap}");
        assert!(f.loop_score.unwrap() > 0.8, "{f:?}");
        assert!(f.bbox_diagonal_m.unwrap() < 250.0, "{f:?}");
        assert!(conf > 0.9);
    }

    #[test]
    fn treadmill_without_gps_is_treadmill() {
        for alt in [120.0, f64::NAN] {
            let (c, conf, f) = infer(&treadmill(alt));
            assert_eq!(c, Surface::Treadmill, "{f:?}");
            assert!(!f.has_gps);
            assert_eq!(conf, 0.8);
            // 2.8 m/s for 5 min then 3.2 m/s; the first second has no increment.
            assert!((f.distance_m.unwrap() - 5637.2).abs() < 0.01, "{f:?}");
            assert!(f.turn_density_deg_per_km.is_none() && f.loop_score.is_none());
        }
    }

    #[test]
    fn no_gps_and_no_distance_is_indoor() {
        let mut s = treadmill(f64::NAN);
        s.distance_m.iter_mut().for_each(|d| *d = f64::NAN);
        s.speed_mps.iter_mut().for_each(|v| *v = f64::NAN);
        assert_eq!(infer(&s).0, Surface::Indoor);
    }

    #[test]
    fn gps_that_never_moves_is_a_treadmill() {
        // GPS left on indoors: the fixes wander by metres while the foot pod counts 5 km.
        let mut s = treadmill(50.0);
        let mut rng = Noise(9);
        for i in 0..s.len() {
            s.lat_deg[i] = 48.0 + rng.normal(2e-5);
            s.lon_deg[i] = 11.0 + rng.normal(3e-5);
        }
        let (c, _, f) = infer(&s);
        assert_eq!(c, Surface::Treadmill, "{f:?}");
    }

    #[test]
    fn records_split_at_one_instant_share_its_interval() {
        // An app that writes position and speed in one record and distance in another with
        // the same time stamp: both stand for the second that follows, counted once.
        assert_eq!(weights(&[0, 0, 1, 1, 3]), vec![1.0, 1.0, 2.0, 2.0, 2.0]);
        assert_eq!(weights(&[5]), vec![1.0]);
        assert_eq!(weights(&[0, 4, 2]), vec![4.0, 4.0, 0.0]);
        let road = flat_road(8);
        let mut split = Samples::default();
        for i in 0..road.len() {
            for half in 0..2 {
                let pick = |v: &Vec<f64>, keep: bool| if keep { v[i] } else { f64::NAN };
                split.t.push(road.t[i]);
                split.lat_deg.push(pick(&road.lat_deg, half == 0));
                split.lon_deg.push(pick(&road.lon_deg, half == 0));
                split.speed_mps.push(pick(&road.speed_mps, half == 0));
                split.altitude_m.push(pick(&road.altitude_m, half == 0));
                split.distance_m.push(pick(&road.distance_m, half == 1));
            }
        }
        let (a, b) = (infer(&road).2, infer(&split).2);
        assert_eq!(a.duration_s, b.duration_s);
        assert_eq!(a.distance_m, b.distance_m);
        assert!((a.speed_cv_pct.unwrap() - b.speed_cv_pct.unwrap()).abs() < 1e-9);
        assert_eq!(infer(&split).0, Surface::Road);
    }

    #[test]
    fn a_late_gps_fix_still_counts_as_gps() {
        // Satellites found after 80 % of an outdoor run: not a treadmill.
        let mut s = flat_road(6);
        let late = s.len() * 4 / 5;
        s.lat_deg[..late].iter_mut().for_each(|x| *x = f64::NAN);
        s.lon_deg[..late].iter_mut().for_each(|x| *x = f64::NAN);
        let (c, _, f) = infer(&s);
        assert!(f.has_gps, "{f:?}");
        assert_eq!(c, Surface::Road, "{f:?}");
    }

    #[test]
    fn too_little_data_is_unknown() {
        let (c, conf, _) = infer(&Samples::default());
        assert_eq!((c, conf), (Surface::Unknown, 0.0));
        let mut s = flat_road(1);
        for v in [
            &mut s.distance_m,
            &mut s.altitude_m,
            &mut s.speed_mps,
            &mut s.cadence_raw,
            &mut s.heart_rate,
            &mut s.lat_deg,
            &mut s.lon_deg,
            &mut s.step_length_mm,
            &mut s.vertical_oscillation_mm,
            &mut s.stance_time_ms,
        ] {
            v.truncate(3);
        }
        s.t.truncate(3);
        assert_eq!(infer(&s).0, Surface::Unknown);
        s.t.truncate(1);
        assert_eq!(infer(&s).0, Surface::Unknown);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        // NaN everywhere.
        let mut s = flat_road(2);
        for v in [
            &mut s.distance_m,
            &mut s.altitude_m,
            &mut s.speed_mps,
            &mut s.lat_deg,
            &mut s.lon_deg,
        ] {
            v.iter_mut().for_each(|x| *x = f64::NAN);
        }
        let (c, _, f) = infer(&s);
        assert_eq!(c, Surface::Indoor, "{f:?}");
        // Time and distance going backwards, −500 m placeholders, infinities.
        let mut s = flat_road(3);
        for i in (0..s.len()).step_by(7) {
            s.t[i] -= 100;
            s.distance_m[i] = 0.0;
            s.altitude_m[i] = -500.0;
            s.speed_mps[i] = f64::INFINITY;
            s.lat_deg[i] = 1e9;
        }
        let _ = infer(&s);
        // Columns of unequal length, time stamps at the extremes.
        let s = Samples {
            t: vec![i64::MIN, 0, i64::MAX, 5],
            distance_m: vec![1.0],
            lat_deg: vec![10.0, 10.0, 10.0, 10.0, 10.0],
            lon_deg: vec![20.0, 20.001],
            ..Samples::default()
        };
        let _ = infer(&s);
        let _ = infer(&Samples {
            t: vec![0; 500],
            ..Samples::default()
        });
    }

    #[test]
    fn a_declared_surface_wins_but_the_inferred_one_is_kept() {
        let cfg = SurfaceSettings::default();
        let v = surface(&flat_road(4), Some("trail"), &cfg);
        assert_eq!(v.surface, Surface::Trail);
        assert_eq!(v.source, "declared");
        assert_eq!(v.inferred, Surface::Road);
        assert_eq!(v.confidence, 1.0);
        let v = surface(&flat_road(4), Some("generic"), &cfg);
        assert_eq!((v.surface, v.source), (Surface::Road, "inferred"));
        assert!(v.confidence > 0.5 && v.confidence <= 0.95);
    }

    #[test]
    fn sub_sports_map_to_surfaces() {
        assert_eq!(Surface::declared(Some("street")), Some(Surface::Road));
        assert_eq!(Surface::declared(Some("track")), Some(Surface::Track));
        assert_eq!(
            Surface::declared(Some("indoor_running")),
            Some(Surface::Indoor)
        );
        assert_eq!(Surface::declared(Some("generic")), None);
        assert_eq!(Surface::declared(None), None);
        assert_eq!(Surface::Treadmill.as_str(), "treadmill");
    }

    #[test]
    fn settings_reject_unknown_keys_and_default_the_rest() {
        let s: SurfaceSettings = toml::from_str("trail_speed_cv_pct = 20.0").unwrap();
        assert_eq!(s.trail_speed_cv_pct, 20.0);
        assert_eq!(s.min_duration_s, SurfaceSettings::default().min_duration_s);
        assert!(toml::from_str::<SurfaceSettings>("no_such_key = 1").is_err());
    }
}
