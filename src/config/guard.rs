//! Plausibility bounds (`[guard]`): what a running sample or a session total can be. Values
//! outside them are damage, not measurements, and are dropped before any analysis (see
//! `analyse/guard/` and docs/methodology.md, *Plausibility guards*).

use super::declare::settings;

settings! {
    /// Physical bounds of running data (`[guard]` in the config file).
    struct GuardSettings = "guard", "Plausibility bounds: values outside them are damage and are dropped before any analysis." {
        /// Fastest plausible running speed, m/s: the fastest measured human sprints peak at about
        /// 12.1–12.3 m/s (Usain Bolt); also bounds distance increments and session distances.
        max_speed_mps: f64 = 12.5, [Positive], "Fastest plausible running speed, also for distance increments and session distances, m/s.";
        /// Highest plausible running cadence, steps/min (the raw stride field is half of it): Bolt
        /// at top speed stepped 4.36 times a second (262 steps/min) and shorter sprinters step
        /// faster; 300 (5 steps/s) is beyond any.
        max_cadence_spm: f64 = 300.0, [Positive], "Highest plausible running cadence, steps/min.";
        /// Lowest plausible altitude, m (the Dead Sea shore is at −430 m).
        min_altitude_m: f64 = -500.0, [], "Lowest plausible altitude, m.";
        /// Highest plausible altitude, m (Everest is 8,849 m).
        max_altitude_m: f64 = 9000.0, [When(|s| s.min_altitude_m.is_finite() && s.max_altitude_m.is_finite() && s.min_altitude_m < s.max_altitude_m, "must be a number above guard.min_altitude_m")], "Highest plausible altitude, m.";
        /// Lowest plausible heart rate, beats/min (0 is the devices' "no reading" and is left out).
        min_heart_rate_bpm: f64 = 20.0, [Positive], "Lowest plausible heart rate (0, no reading, is left out), beats/min.";
        /// Highest plausible heart rate, beats/min.
        max_heart_rate_bpm: f64 = 250.0, [When(|s| s.max_heart_rate_bpm.is_finite() && s.max_heart_rate_bpm > s.min_heart_rate_bpm, "must be a number above guard.min_heart_rate_bpm")], "Highest plausible heart rate, beats/min.";
        /// Longest plausible step, m (Bolt's at top speed: 2.70 m).
        max_step_length_m: f64 = 3.0, [Positive], "Longest plausible step, m.";
        /// Largest plausible vertical oscillation, mm.
        max_vertical_oscillation_mm: f64 = 300.0, [Positive], "Largest plausible vertical oscillation, mm.";
        /// Longest plausible ground contact (stance) time, ms (running: 200–300; no lower bound,
        /// sprinters touch down for under 90).
        max_stance_time_ms: f64 = 1000.0, [Positive], "Longest plausible ground contact time, ms.";
        /// Highest plausible power, W (a runner's sustained power is a few hundred watts; a
        /// sprint's start stays under this).
        max_power_w: f64 = 2000.0, [Positive], "Highest plausible power, W.";
        /// Largest plausible distance of the ground-contact-time balance from an even 50 %,
        /// percentage points: Garmin colours above 52.2 % red, and a limp that bad is still far
        /// inside 30–70 %.
        max_stance_balance_off_pct: f64 = 20.0, [Within(0.0, 50.0)], "A contact-time balance (left foot's share) further than this from 50 % is damage, percentage points.";
        /// Longest plausible session, elapsed or timer time, s.
        max_duration_s: f64 = 7.0 * 86_400.0, [Positive], "Longest plausible session (elapsed or timer time), s.";
        /// A session's distance or time is kept when it is plausible and within this share of what
        /// its records show (or above: the records may be cut short), %.
        totals_tolerance_pct: f64 = 10.0, [Within(0.0, 1000.0)], "A session total is replaced by the records' when it exceeds them by more than this, % (and is implausible).";
        /// A run keeps its place only when at least this share of its samples survives, %.
        min_kept_pct: f64 = 50.0, [Within(0.0, 100.0)], "A run is kept only when at least this share of its samples survives the guard, %.";
        /// On foot or not: a run, or a stretch of one, faster than the world record for its
        /// duration by more than this is not running (a car, a train, a bike), %.
        record_margin_pct: f64 = 5.0, [Within(0.0, 1000.0)], "A run, or a stretch of one, faster than the world record for its duration by more than this is not on foot, %.";
        /// The shortest stretch judged against the world records, s (about a mile's record).
        record_window_s: f64 = 240.0, [Within(60.0, 86_400.0)], "The shortest stretch judged against the world records, s.";
        /// A run on the run profile with pedal cadence (cadence, but never a fractional cadence
        /// or running dynamics) is a ride when it moves faster than this, m/s (no runner holds it
        /// for more than a sprint)…
        ride_min_speed_mps: f64 = 8.0, [Positive], "A run with pedal cadence (no fractional cadence, no running dynamics) is a ride when faster than this, m/s…";
        /// …for at least this share of its moving time, %; and any run without running dynamics
        /// is a ride when its median moving speed is at least `ride_median_mps` (no runner's
        /// session, warm-up and all, is that fast in the middle).
        ride_min_share_pct: f64 = 25.0, [Within(0.0, 100.0)], "…for at least this share of its moving time, %.";
        /// See `ride_min_share_pct`, m/s.
        ride_median_mps: f64 = 6.0, [Positive], "A run without running dynamics is a ride when its median moving speed is at least this, m/s.";
    }
}
