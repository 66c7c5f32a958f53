//! Plausibility bounds (`[guard]`): what a running sample or a session total can be. Values
//! outside them are damage, not measurements, and are dropped before any analysis (see
//! `analyse/guard/` and the README's *Plausibility guards*).

use serde::{Deserialize, Serialize};

use super::{check, positive, within, Violation};

/// Physical bounds of running data (`[guard]` in the config file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct GuardSettings {
    /// Fastest plausible running speed, m/s: the fastest measured human sprints peak at about
    /// 12.1–12.3 m/s (Usain Bolt); also bounds distance increments and session distances.
    pub(crate) max_speed_mps: f64,
    /// Highest plausible running cadence, steps/min (the raw stride field is half of it): Bolt
    /// at top speed stepped 4.36 times a second (262 steps/min) and shorter sprinters step
    /// faster; 300 (5 steps/s) is beyond any.
    pub(crate) max_cadence_spm: f64,
    /// Lowest plausible altitude, m (the Dead Sea shore is at −430 m).
    pub(crate) min_altitude_m: f64,
    /// Highest plausible altitude, m (Everest is 8,849 m).
    pub(crate) max_altitude_m: f64,
    /// Lowest plausible heart rate, beats/min (0 is the devices' "no reading" and is left out).
    pub(crate) min_heart_rate_bpm: f64,
    /// Highest plausible heart rate, beats/min.
    pub(crate) max_heart_rate_bpm: f64,
    /// Longest plausible step, m (Bolt's at top speed: 2.70 m).
    pub(crate) max_step_length_m: f64,
    /// Largest plausible vertical oscillation, mm.
    pub(crate) max_vertical_oscillation_mm: f64,
    /// Longest plausible ground contact (stance) time, ms (running: 200–300; no lower bound,
    /// sprinters touch down for under 90).
    pub(crate) max_stance_time_ms: f64,
    /// Highest plausible power, W (a runner's sustained power is a few hundred watts; a
    /// sprint's start stays under this).
    pub(crate) max_power_w: f64,
    /// Longest plausible session, elapsed or timer time, s.
    pub(crate) max_duration_s: f64,
    /// A session's distance or time is kept when it is plausible and within this share of what
    /// its records show (or above: the records may be cut short), %.
    pub(crate) totals_tolerance_pct: f64,
    /// A run keeps its place only when at least this share of its samples survives, %.
    pub(crate) min_kept_pct: f64,
    /// On foot or not: a run, or a stretch of one, faster than the world record for its
    /// duration by more than this is not running (a car, a train, a bike), %.
    pub(crate) record_margin_pct: f64,
    /// The shortest stretch judged against the world records, s (about a mile's record).
    pub(crate) record_window_s: f64,
    /// A run on the run profile with pedal cadence (cadence, but never a fractional cadence
    /// or running dynamics) is a ride when it moves faster than this, m/s (no runner holds it
    /// for more than a sprint)…
    pub(crate) ride_min_speed_mps: f64,
    /// …for at least this share of its moving time, %; and any run without running dynamics
    /// is a ride when its median moving speed is at least `ride_median_mps` (no runner's
    /// session, warm-up and all, is that fast in the middle).
    pub(crate) ride_min_share_pct: f64,
    /// See `ride_min_share_pct`, m/s.
    pub(crate) ride_median_mps: f64,
}

impl Default for GuardSettings {
    fn default() -> Self {
        GuardSettings {
            max_speed_mps: 12.5,
            max_cadence_spm: 300.0,
            min_altitude_m: -500.0,
            max_altitude_m: 9000.0,
            min_heart_rate_bpm: 20.0,
            max_heart_rate_bpm: 250.0,
            max_step_length_m: 3.0,
            max_vertical_oscillation_mm: 300.0,
            max_stance_time_ms: 1000.0,
            max_power_w: 2000.0,
            max_duration_s: 7.0 * 86_400.0,
            totals_tolerance_pct: 10.0,
            min_kept_pct: 50.0,
            record_margin_pct: 5.0,
            record_window_s: 240.0,
            ride_min_speed_mps: 8.0,
            ride_min_share_pct: 25.0,
            ride_median_mps: 6.0,
        }
    }
}

impl GuardSettings {
    pub(super) fn validate(&self) -> Result<(), Violation> {
        positive("guard.max_speed_mps", self.max_speed_mps)?;
        positive("guard.max_cadence_spm", self.max_cadence_spm)?;
        check(
            self.min_altitude_m.is_finite()
                && self.max_altitude_m.is_finite()
                && self.min_altitude_m < self.max_altitude_m,
            "guard.max_altitude_m",
            "must be a number above guard.min_altitude_m",
        )?;
        positive("guard.min_heart_rate_bpm", self.min_heart_rate_bpm)?;
        check(
            self.max_heart_rate_bpm.is_finite()
                && self.max_heart_rate_bpm > self.min_heart_rate_bpm,
            "guard.max_heart_rate_bpm",
            "must be a number above guard.min_heart_rate_bpm",
        )?;
        positive("guard.max_step_length_m", self.max_step_length_m)?;
        positive(
            "guard.max_vertical_oscillation_mm",
            self.max_vertical_oscillation_mm,
        )?;
        positive("guard.max_stance_time_ms", self.max_stance_time_ms)?;
        positive("guard.max_power_w", self.max_power_w)?;
        positive("guard.max_duration_s", self.max_duration_s)?;
        within(
            "guard.totals_tolerance_pct",
            self.totals_tolerance_pct,
            0.0,
            1000.0,
        )?;
        within("guard.min_kept_pct", self.min_kept_pct, 0.0, 100.0)?;
        within(
            "guard.record_margin_pct",
            self.record_margin_pct,
            0.0,
            1000.0,
        )?;
        within(
            "guard.record_window_s",
            self.record_window_s,
            60.0,
            86_400.0,
        )?;
        positive("guard.ride_min_speed_mps", self.ride_min_speed_mps)?;
        within(
            "guard.ride_min_share_pct",
            self.ride_min_share_pct,
            0.0,
            100.0,
        )
    }
}
