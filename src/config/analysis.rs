//! Settings of the per-file stages: reading, gait, cadence, downhill and surface.

use serde::{Deserialize, Serialize};

use super::{check, non_negative, positive, within, Violation};

/// Settings of the ingest stage.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Ingest {
    /// Two runs starting within this many seconds of each other may be the same activity.
    pub(crate) duplicate_start_window_s: f64,
    /// …if their distances also agree within this percentage.
    pub(crate) duplicate_distance_pct: f64,
    /// Largest activity file read, decompressed, MB: a bigger one is `too_large`. Bounds the
    /// memory a zip bomb can take (see the README's Performance section).
    pub(crate) max_member_mb: u64,
}

impl Default for Ingest {
    fn default() -> Self {
        Ingest {
            duplicate_start_window_s: 60.0,
            duplicate_distance_pct: 2.0,
            max_member_mb: 64,
        }
    }
}

impl Ingest {
    pub(super) fn validate(&self) -> Result<(), Violation> {
        non_negative(
            "ingest.duplicate_start_window_s",
            self.duplicate_start_window_s,
        )?;
        non_negative("ingest.duplicate_distance_pct", self.duplicate_distance_pct)?;
        within(
            "ingest.max_member_mb",
            self.max_member_mb as f64,
            1.0,
            4096.0,
        )
    }

    /// The largest activity file read, bytes.
    pub(crate) fn max_member_bytes(&self) -> u64 {
        self.max_member_mb * 1_000_000
    }
}

/// How each sample is classed running, walking or stopped (`[gait]` in the config file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct GaitSettings {
    /// A sample with a cadence at or above this is running, below it walking, steps/min:
    /// walking cadences rarely exceed 130–140, running cadences rarely fall below 140–150.
    pub(crate) run_min_spm: f64,
    /// A moving sample without cadence is running at or above this speed, m/s (people switch
    /// from walking to running at about 2 m/s).
    pub(crate) run_min_speed_mps: f64,
    /// A sample at or above this speed is running whatever its cadence, m/s: nobody walks that
    /// fast outside race walking, and a low cadence at a running speed is a long stride, which
    /// the cadence analyses must see.
    pub(crate) walk_max_speed_mps: f64,
    /// A sample slower than this is stopped whatever its cadence (running on the spot at a
    /// crossing is not running form), m/s.
    pub(crate) stopped_max_speed_mps: f64,
    /// A run whose walking takes at least this share of its moving time is a run-walk, %.
    pub(crate) run_walk_min_pct: f64,
}

impl Default for GaitSettings {
    fn default() -> Self {
        GaitSettings {
            run_min_spm: 140.0,
            run_min_speed_mps: 2.0,
            walk_max_speed_mps: 2.5,
            stopped_max_speed_mps: 0.5,
            run_walk_min_pct: 10.0,
        }
    }
}

impl GaitSettings {
    pub(super) fn validate(&self) -> Result<(), Violation> {
        positive("gait.run_min_spm", self.run_min_spm)?;
        non_negative("gait.stopped_max_speed_mps", self.stopped_max_speed_mps)?;
        check(
            self.run_min_speed_mps.is_finite()
                && self.run_min_speed_mps >= self.stopped_max_speed_mps,
            "gait.run_min_speed_mps",
            "must be a number at or above gait.stopped_max_speed_mps",
        )?;
        check(
            self.walk_max_speed_mps.is_finite()
                && self.walk_max_speed_mps >= self.run_min_speed_mps,
            "gait.walk_max_speed_mps",
            "must be a number at or above gait.run_min_speed_mps",
        )?;
        within("gait.run_walk_min_pct", self.run_walk_min_pct, 0.0, 50.0)
    }
}

/// Settings of the downhill analysis (`[downhill]` in the config file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct DownhillSettings {
    /// Spacing of the distance grid, m.
    pub(crate) grid_m: f64,
    /// Width of the centred moving average applied to altitude, m.
    pub(crate) altitude_smoothing_m: f64,
    /// Distance over which grade is measured, m.
    pub(crate) grade_window_m: f64,
    /// A point at or below this grade is downhill, %.
    pub(crate) downhill_max_pct: f64,
    /// A downhill segment at or below this mean grade is also `steep`, %.
    pub(crate) steep_downhill_max_pct: f64,
    /// A point within ± this grade is flat, %.
    pub(crate) flat_max_abs_pct: f64,
    /// A point at or above this grade is uphill, %.
    pub(crate) uphill_min_pct: f64,
    /// Segments shorter than this are merged into their neighbours, m.
    pub(crate) min_segment_m: f64,
    /// Width of the speed bins used to compare downhill and flat cadence at the same speed, m/s.
    pub(crate) speed_bin_mps: f64,
    /// A flat speed bin is used for matching when it holds at least this much running, s.
    pub(crate) min_flat_bin_s: f64,
    /// The run's own flat running is used for matching when it covers at least this share of
    /// the downhill time; otherwise the runner's other runs are used, %.
    pub(crate) min_match_coverage_pct: f64,
}

impl Default for DownhillSettings {
    fn default() -> Self {
        DownhillSettings {
            grid_m: 5.0,
            altitude_smoothing_m: 60.0,
            grade_window_m: 50.0,
            downhill_max_pct: -3.0,
            steep_downhill_max_pct: -10.0,
            flat_max_abs_pct: 2.0,
            uphill_min_pct: 3.0,
            min_segment_m: 150.0,
            speed_bin_mps: 0.2,
            min_flat_bin_s: 20.0,
            min_match_coverage_pct: 50.0,
        }
    }
}

impl DownhillSettings {
    pub(super) fn validate(&self) -> Result<(), Violation> {
        positive("downhill.grid_m", self.grid_m)?;
        non_negative("downhill.altitude_smoothing_m", self.altitude_smoothing_m)?;
        positive("downhill.grade_window_m", self.grade_window_m)?;
        non_negative("downhill.flat_max_abs_pct", self.flat_max_abs_pct)?;
        check(
            self.downhill_max_pct < 0.0 && self.downhill_max_pct <= -self.flat_max_abs_pct,
            "downhill.downhill_max_pct",
            "must be negative and at or below the flat band (−downhill.flat_max_abs_pct)",
        )?;
        check(
            self.uphill_min_pct > 0.0 && self.uphill_min_pct >= self.flat_max_abs_pct,
            "downhill.uphill_min_pct",
            "must be positive and at or above downhill.flat_max_abs_pct",
        )?;
        check(
            self.steep_downhill_max_pct <= self.downhill_max_pct,
            "downhill.steep_downhill_max_pct",
            "must be at or below downhill.downhill_max_pct",
        )?;
        non_negative("downhill.min_segment_m", self.min_segment_m)?;
        positive("downhill.speed_bin_mps", self.speed_bin_mps)?;
        non_negative("downhill.min_flat_bin_s", self.min_flat_bin_s)?;
        within(
            "downhill.min_match_coverage_pct",
            self.min_match_coverage_pct,
            0.0,
            100.0,
        )
    }
}

/// Every threshold of the surface proxy. Defaults are the documented ones.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct SurfaceSettings {
    /// Runs shorter than this (seconds of recorded time) are `unknown`: two minutes is too
    /// little to see hills, turns or laps.
    pub(crate) min_duration_s: f64,
    /// Distance (metres) below which per-kilometre features are not computed and a GPS-less
    /// run counts as having no distance (then `indoor`, not `treadmill`).
    pub(crate) min_distance_m: f64,
    /// A run "has GPS" when at least this fraction (0–1) of its samples carry a position (or
    /// its fixes trace at least `min_distance_m`); a treadmill run may log a handful of fixes
    /// taken at the door.
    pub(crate) min_gps_fraction: f64,
    /// Speeds, distance increments and position jumps faster than this (m/s) are glitches:
    /// the fastest human sprint is about 12.4 m/s.
    pub(crate) max_speed_mps: f64,
    /// Speed (m/s) at or above which a sample counts as moving; low enough to keep the
    /// power-hiking of steep trail climbs (about 1 m/s).
    pub(crate) moving_speed_mps: f64,
    /// Trailing moving-average window for altitude, seconds: barometric altitude jitters by
    /// ±0.5 m and GPS altitude by metres from one second to the next.
    pub(crate) altitude_smoothing_s: f64,
    /// Dead band of the climb counter, metres: a change smaller than this from the last
    /// counted level is noise, not terrain.
    pub(crate) altitude_deadband_m: f64,
    /// Distance window (metres) over which one grade is measured for the grade variability;
    /// shorter windows measure the altitude noise rather than the terrain.
    pub(crate) grade_window_m: f64,
    /// Trailing moving-average window for speed, seconds: 1 s GPS speed is noisy, while the
    /// changes of pace that terrain forces last tens of seconds.
    pub(crate) speed_smoothing_s: f64,
    /// Path resampling step for turn density, metres: GPS noise of a few metres makes headings
    /// over shorter steps meaningless.
    pub(crate) turn_step_m: f64,
    /// Heading changes smaller than this (degrees, per resampled step) are GPS noise and not
    /// counted as turning.
    pub(crate) turn_noise_deg: f64,
    /// Path resampling step for loop detection, metres.
    pub(crate) loop_step_m: f64,
    /// Two passes count as the same place when their positions are within this distance
    /// (metres): GPS on a track wanders by 5–10 m from lap to lap.
    pub(crate) loop_match_m: f64,
    /// Shortest loop looked for, metres (below it, a stop-and-go jitter looks like a loop).
    pub(crate) loop_search_min_m: f64,
    /// Longest loop looked for, metres (keeps the search linear; park loops of a kilometre
    /// are not tracks).
    pub(crate) loop_search_max_m: f64,
    /// A run is `track` when its dominant loop is at least this long, metres (a 400 m track
    /// measured by GPS in lane 1 usually comes out at 380–420 m).
    pub(crate) track_lap_min_m: f64,
    /// …and at most this long, metres (outer lanes run up to 453 m; GPS cuts corners).
    pub(crate) track_lap_max_m: f64,
    /// …and at least this fraction (0–1) of its path re-traces the loop; the rest may be the
    /// jog to and from the track.
    pub(crate) track_min_loop_score: f64,
    /// A run with GPS whose positions all fit in a box with this diagonal (metres) went
    /// nowhere: a treadmill run recorded with GPS on.
    pub(crate) stationary_bbox_m: f64,
    /// Altitude roughness (m/km) at which the roughness vote is neutral between road and
    /// trail; road runs rarely climb more than 15 m per km, trail runs usually far more.
    pub(crate) trail_roughness_m_per_km: f64,
    /// Grade variability (percentage points) at which that vote is neutral; roads are graded
    /// for vehicles (a few per cent), paths follow the ground.
    pub(crate) trail_grade_variability_pct: f64,
    /// Speed coefficient of variation (%) at which that vote is neutral: steady road running
    /// varies by well under 10 %, technical ground and climbs force more.
    pub(crate) trail_speed_cv_pct: f64,
    /// Turn density (degrees/km) at which that vote is neutral; streets run straight between
    /// corners, paths wind.
    pub(crate) trail_turn_deg_per_km: f64,
    /// Stance-time coefficient of variation (%) at which the running-dynamics vote is
    /// neutral (only when the run carries stance time).
    pub(crate) trail_stance_cv_pct: f64,
    /// Weight of the altitude-roughness vote.
    pub(crate) weight_roughness: f64,
    /// Weight of the grade-variability vote.
    pub(crate) weight_grade: f64,
    /// Weight of the speed-variability vote.
    pub(crate) weight_speed: f64,
    /// Weight of the turn-density vote.
    pub(crate) weight_turns: f64,
    /// Weight of the running-dynamics vote.
    pub(crate) weight_dynamics: f64,
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

impl SurfaceSettings {
    pub(super) fn validate(&self) -> Result<(), Violation> {
        let key = |name: &str| format!("surface.{name}");
        for (name, v) in [
            ("min_duration_s", self.min_duration_s),
            ("min_distance_m", self.min_distance_m),
            ("moving_speed_mps", self.moving_speed_mps),
            ("altitude_deadband_m", self.altitude_deadband_m),
            ("loop_match_m", self.loop_match_m),
            ("loop_search_min_m", self.loop_search_min_m),
            ("track_lap_min_m", self.track_lap_min_m),
            ("stationary_bbox_m", self.stationary_bbox_m),
            ("turn_noise_deg", self.turn_noise_deg),
            ("weight_roughness", self.weight_roughness),
            ("weight_grade", self.weight_grade),
            ("weight_speed", self.weight_speed),
            ("weight_turns", self.weight_turns),
            ("weight_dynamics", self.weight_dynamics),
        ] {
            non_negative(&key(name), v)?;
        }
        for (name, v) in [
            ("max_speed_mps", self.max_speed_mps),
            ("altitude_smoothing_s", self.altitude_smoothing_s),
            ("grade_window_m", self.grade_window_m),
            ("speed_smoothing_s", self.speed_smoothing_s),
            ("turn_step_m", self.turn_step_m),
            ("loop_step_m", self.loop_step_m),
            ("trail_roughness_m_per_km", self.trail_roughness_m_per_km),
            (
                "trail_grade_variability_pct",
                self.trail_grade_variability_pct,
            ),
            ("trail_speed_cv_pct", self.trail_speed_cv_pct),
            ("trail_turn_deg_per_km", self.trail_turn_deg_per_km),
            ("trail_stance_cv_pct", self.trail_stance_cv_pct),
        ] {
            positive(&key(name), v)?;
        }
        within(&key("min_gps_fraction"), self.min_gps_fraction, 0.0, 1.0)?;
        within(
            &key("track_min_loop_score"),
            self.track_min_loop_score,
            0.0,
            1.0,
        )?;
        check(
            self.loop_search_max_m >= self.loop_search_min_m,
            &key("loop_search_max_m"),
            "must be at or above surface.loop_search_min_m",
        )?;
        check(
            self.track_lap_max_m >= self.track_lap_min_m,
            &key("track_lap_max_m"),
            "must be at or above surface.track_lap_min_m",
        )
    }
}
