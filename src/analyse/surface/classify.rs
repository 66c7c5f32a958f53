//! The rule that turns a run's surface features into a class and a confidence.

use crate::config::SurfaceSettings;
use crate::model::{Surface, SurfaceFeatures};

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
pub(crate) fn classify(f: &SurfaceFeatures, cfg: &SurfaceSettings) -> (Surface, f64) {
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
