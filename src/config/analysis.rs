//! Settings of the per-file stages: reading, gait, cadence, downhill and surface.

use super::declare::settings;

settings! {
    /// Settings of the ingest stage.
    struct Ingest = "ingest", "Reading and reducing files." {
        /// Two runs starting within this many seconds of each other may be the same activity.
        duplicate_start_window_s: f64 = 60.0, [NonNegative], "Runs starting within this many seconds of each other may be one activity…";
        /// …if their distances also agree within this percentage.
        duplicate_distance_pct: f64 = 2.0, [NonNegative], "…when their distances also agree within this percentage.";
        /// Largest activity file read, decompressed, MB: a bigger one is `too_large`. Bounds the
        /// memory a zip bomb can take (see docs/performance.md, The member cap).
        max_member_mb: u64 = 64, [Within(1.0, 4096.0)], "Largest activity file read (decompressed), MB; a larger one is skipped as too_large.";
    }
}

settings! {
    /// How each sample is classed running, walking or stopped (`[gait]` in the config file).
    struct GaitSettings = "gait", "Each sample is running, walking or stopped; running form is measured on running samples only." {
        /// A sample with a cadence at or above this is running, below it walking, steps/min:
        /// walking cadences rarely exceed 130–140, running cadences rarely fall below 140–150.
        run_min_spm: f64 = 140.0, [Positive], "A sample with cadence at or above this is running, below it walking, steps/min.";
        /// A moving sample without cadence is running at or above this speed, m/s (people switch
        /// from walking to running at about 2 m/s).
        run_min_speed_mps: f64 = 2.0, [When(|s| s.run_min_speed_mps.is_finite() && s.run_min_speed_mps >= s.stopped_max_speed_mps, "must be a number at or above gait.stopped_max_speed_mps")], "A moving sample without cadence is running at or above this speed, m/s.";
        /// A sample at or above this speed is running whatever its cadence, m/s: nobody walks that
        /// fast outside race walking, and a low cadence at a running speed is a long stride, which
        /// the cadence analyses must see.
        walk_max_speed_mps: f64 = 2.5, [When(|s| s.walk_max_speed_mps.is_finite() && s.walk_max_speed_mps >= s.run_min_speed_mps, "must be a number at or above gait.run_min_speed_mps")], "Samples at or above this speed are running whatever their cadence, m/s.";
        /// A sample slower than this is stopped whatever its cadence (running on the spot at a
        /// crossing is not running form), m/s.
        stopped_max_speed_mps: f64 = 0.5, [NonNegative], "Slower samples are stopped whatever their cadence, m/s.";
        /// A run whose walking takes at least this share of its moving time is a run-walk, %.
        run_walk_min_pct: f64 = 10.0, [Within(0.0, 50.0)], "A run with at least this share of walking in its moving time is a run-walk, %.";
    }
}

settings! {
    /// Settings of the downhill analysis (`[downhill]` in the config file).
    struct DownhillSettings = "downhill", "Grade from smoothed altitude over distance, and grade segments." {
        /// Spacing of the distance grid, m.
        grid_m: f64 = 5.0, [Positive], "Spacing of the distance grid the profile is computed on, m.";
        /// Width of the centred moving average applied to altitude, m.
        altitude_smoothing_m: f64 = 60.0, [NonNegative], "Centred moving average applied to altitude, m (barometric and GPS altitude jitter).";
        /// Distance over which grade is measured, m.
        grade_window_m: f64 = 50.0, [Positive], "Distance over which one grade is measured, m.";
        /// A point at or below this grade is downhill, %.
        downhill_max_pct: f64 = -3.0, [When(|s| s.downhill_max_pct < 0.0 && s.downhill_max_pct <= -s.flat_max_abs_pct, "must be negative and at or below the flat band (−downhill.flat_max_abs_pct)")], "At or below this grade a point is downhill, %.";
        /// A downhill segment at or below this mean grade is also `steep`, %.
        steep_downhill_max_pct: f64 = -10.0, [When(|s| s.steep_downhill_max_pct <= s.downhill_max_pct, "must be at or below downhill.downhill_max_pct")], "A downhill segment at or below this mean grade is also steep, %.";
        /// A point within ± this grade is flat, %.
        flat_max_abs_pct: f64 = 2.0, [NonNegative], "Within ± this grade a point is flat, %; between the bands the previous class holds.";
        /// A point at or above this grade is uphill, %.
        uphill_min_pct: f64 = 3.0, [When(|s| s.uphill_min_pct > 0.0 && s.uphill_min_pct >= s.flat_max_abs_pct, "must be positive and at or above downhill.flat_max_abs_pct")], "At or above this grade a point is uphill, %.";
        /// Segments shorter than this are merged into their neighbours, m.
        min_segment_m: f64 = 150.0, [NonNegative], "Shorter segments are merged into their neighbours, m.";
        /// Width of the speed bins used to compare downhill and flat cadence at the same speed, m/s.
        speed_bin_mps: f64 = 0.2, [Positive], "Speed bins for comparing downhill and flat cadence at the same speed, m/s.";
        /// A flat speed bin is used for matching when it holds at least this much running, s.
        min_flat_bin_s: f64 = 20.0, [NonNegative], "A flat speed bin serves as reference with at least this much running, s.";
        /// The run's own flat running is used for matching when it covers at least this share of
        /// the downhill time; otherwise the runner's other runs are used, %.
        min_match_coverage_pct: f64 = 50.0, [Within(0.0, 100.0)], "The run's own flat running is the reference when it covers this share of downhill time, else the runner's other runs, %.";
    }
}

settings! {
    /// Every threshold of the surface proxy. Defaults are the documented ones.
    struct SurfaceSettings = "surface", "Surface proxies: road, trail, track, treadmill, indoor." {
        /// Runs shorter than this (seconds of recorded time) are `unknown`: two minutes is too
        /// little to see hills, turns or laps.
        min_duration_s: f64 = 120.0, [NonNegative], "Shorter runs are `unknown`, s.";
        /// Distance (metres) below which per-kilometre features are not computed and a GPS-less
        /// run counts as having no distance (then `indoor`, not `treadmill`).
        min_distance_m: f64 = 400.0, [NonNegative], "Below this no per-km feature is computed, and a GPS-less run counts as having no distance, m.";
        /// A run "has GPS" when at least this fraction (0–1) of its samples carry a position (or
        /// its fixes trace at least `min_distance_m`); a treadmill run may log a handful of fixes
        /// taken at the door.
        min_gps_fraction: f64 = 0.25, [Within(0.0, 1.0)], "A run has GPS when this fraction (0–1) of samples has a position (or the fixes trace min_distance_m).";
        /// Speeds, distance increments and position jumps faster than this (m/s) are glitches:
        /// the fastest human sprint is about 12.4 m/s.
        max_speed_mps: f64 = 12.5, [Positive], "Faster speeds and position jumps are glitches, m/s.";
        /// Speed (m/s) at or above which a sample counts as moving; low enough to keep the
        /// power-hiking of steep trail climbs (about 1 m/s).
        moving_speed_mps: f64 = 1.0, [NonNegative], "Samples at or above this speed are moving, m/s.";
        /// Trailing moving-average window for altitude, seconds: barometric altitude jitters by
        /// ±0.5 m and GPS altitude by metres from one second to the next.
        altitude_smoothing_s: f64 = 30.0, [Positive], "Moving average applied to altitude for roughness, s.";
        /// Dead band of the climb counter, metres: a change smaller than this from the last
        /// counted level is noise, not terrain.
        altitude_deadband_m: f64 = 2.0, [NonNegative], "Altitude changes smaller than this are noise, m.";
        /// Distance window (metres) over which one grade is measured for the grade variability;
        /// shorter windows measure the altitude noise rather than the terrain.
        grade_window_m: f64 = 100.0, [Positive], "Distance window of one grade for grade variability, m.";
        /// Trailing moving-average window for speed, seconds: 1 s GPS speed is noisy, while the
        /// changes of pace that terrain forces last tens of seconds.
        speed_smoothing_s: f64 = 10.0, [Positive], "Moving average applied to speed for its variability, s.";
        /// Path resampling step for turn density, metres: GPS noise of a few metres makes headings
        /// over shorter steps meaningless.
        turn_step_m: f64 = 25.0, [Positive], "Path resampling step for turn density, m.";
        /// Heading changes smaller than this (degrees, per resampled step) are GPS noise and not
        /// counted as turning.
        turn_noise_deg: f64 = 10.0, [NonNegative], "Heading changes below this per step are GPS noise, degrees.";
        /// Path resampling step for loop detection, metres.
        loop_step_m: f64 = 10.0, [Positive], "Path resampling step for loop detection, m.";
        /// Two passes count as the same place when their positions are within this distance
        /// (metres): GPS on a track wanders by 5–10 m from lap to lap.
        loop_match_m: f64 = 20.0, [NonNegative], "Two passes within this distance are the same place, m.";
        /// Shortest loop looked for, metres (below it, a stop-and-go jitter looks like a loop).
        loop_search_min_m: f64 = 150.0, [NonNegative], "Shortest loop looked for, m.";
        /// Longest loop looked for, metres (keeps the search linear; park loops of a kilometre
        /// are not tracks).
        loop_search_max_m: f64 = 600.0, [When(|s| s.loop_search_max_m >= s.loop_search_min_m, "must be at or above surface.loop_search_min_m")], "Longest loop looked for, m.";
        /// A run is `track` when its dominant loop is at least this long, metres (a 400 m track
        /// measured by GPS in lane 1 usually comes out at 380–420 m).
        track_lap_min_m: f64 = 360.0, [NonNegative], "A track's dominant loop is at least this long, m…";
        /// …and at most this long, metres (outer lanes run up to 453 m; GPS cuts corners).
        track_lap_max_m: f64 = 460.0, [When(|s| s.track_lap_max_m >= s.track_lap_min_m, "must be at or above surface.track_lap_min_m")], "…and at most this long, m.";
        /// …and at least this fraction (0–1) of its path re-traces the loop; the rest may be the
        /// jog to and from the track.
        track_min_loop_score: f64 = 0.4, [Within(0.0, 1.0)], "…and this fraction (0–1) of the path re-traces it.";
        /// A run with GPS whose positions all fit in a box with this diagonal (metres) went
        /// nowhere: a treadmill run recorded with GPS on.
        stationary_bbox_m: f64 = 50.0, [NonNegative], "GPS positions all inside a box this wide mean a treadmill, m.";
        /// Altitude roughness (m/km) at which the roughness vote is neutral between road and
        /// trail; road runs rarely climb more than 15 m per km, trail runs usually far more.
        trail_roughness_m_per_km: f64 = 30.0, [Positive], "Altitude roughness where the road/trail vote is neutral, m/km.";
        /// Grade variability (percentage points) at which that vote is neutral; roads are graded
        /// for vehicles (a few per cent), paths follow the ground.
        trail_grade_variability_pct: f64 = 4.0, [Positive], "Grade variability where the vote is neutral, percentage points.";
        /// Speed coefficient of variation (%) at which that vote is neutral: steady road running
        /// varies by well under 10 %, technical ground and climbs force more.
        trail_speed_cv_pct: f64 = 15.0, [Positive], "Speed variation (coefficient of variation) where the vote is neutral, %.";
        /// Turn density (degrees/km) at which that vote is neutral; streets run straight between
        /// corners, paths wind.
        trail_turn_deg_per_km: f64 = 400.0, [Positive], "Turn density where the vote is neutral, degrees/km.";
        /// Stance-time coefficient of variation (%) at which the running-dynamics vote is
        /// neutral (only when the run carries stance time).
        trail_stance_cv_pct: f64 = 8.0, [Positive], "Stance-time variation where the running-dynamics vote is neutral, %.";
        /// Weight of the altitude-roughness vote.
        weight_roughness: f64 = 1.0, [NonNegative], "Weight of the altitude-roughness vote.";
        /// Weight of the grade-variability vote.
        weight_grade: f64 = 1.0, [NonNegative], "Weight of the grade-variability vote.";
        /// Weight of the speed-variability vote.
        weight_speed: f64 = 1.0, [NonNegative], "Weight of the speed-variability vote.";
        /// Weight of the turn-density vote.
        weight_turns: f64 = 1.0, [NonNegative], "Weight of the turn-density vote.";
        /// Weight of the running-dynamics vote.
        weight_dynamics: f64 = 0.0, [NonNegative], "Weight of the running-dynamics vote.";
    }
}

impl Ingest {
    /// The largest activity file read, bytes.
    pub(crate) fn max_member_bytes(&self) -> u64 {
        self.max_member_mb * 1_000_000
    }
}
