//! Gait: running, walking or stopped, sample by sample, and what a whole run was.
//!
//! Cadence tells walking from running better than speed does: a brisk walk is faster than a
//! slow jog, but walking cadences rarely exceed 130–140 steps/min and running cadences rarely
//! fall below 140–150. Speed decides only what cadence cannot: a sample slower than a walk is
//! stopped whatever its cadence, one faster than anyone walks is running whatever its cadence
//! (a low cadence there is a long stride, not a walk), and a moving sample without cadence is
//! running from the speed at which people switch from walking to running.

use crate::config::GaitSettings;
use crate::model::{Gait, RunGait};

/// The gait of one sample from its steps/min (`NaN` when it has none) and its speed (`NaN`
/// when unknown).
pub(crate) fn of_sample(spm: f64, speed_mps: f64, cfg: &GaitSettings) -> Gait {
    if speed_mps.is_finite() && speed_mps < cfg.stopped_max_speed_mps {
        return Gait::Stopped;
    }
    if spm > 0.0 {
        return if spm >= cfg.run_min_spm || speed_mps >= cfg.walk_max_speed_mps {
            Gait::Running
        } else {
            Gait::Walking
        };
    }
    if !speed_mps.is_finite() {
        Gait::Stopped
    } else if speed_mps >= cfg.run_min_speed_mps {
        Gait::Running
    } else {
        Gait::Walking
    }
}

/// What a run was from its running and walking time; `None` when nothing moved.
pub(crate) fn of_run(running_s: f64, walking_s: f64, cfg: &GaitSettings) -> Option<RunGait> {
    let moving = running_s + walking_s;
    if moving <= 0.0 {
        return None;
    }
    Some(if walking_s > running_s {
        RunGait::Walking
    } else if 100.0 * walking_s / moving >= cfg.run_walk_min_pct {
        RunGait::RunWalk
    } else {
        RunGait::Running
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadence_decides_and_speed_only_where_cadence_cannot() {
        let cfg = GaitSettings::default();
        // A brisk walk faster than a slow jog.
        assert_eq!(of_sample(124.0, 1.9, &cfg), Gait::Walking);
        // A long, slow stride at a running speed is running.
        assert_eq!(of_sample(132.0, 2.9, &cfg), Gait::Running);
        assert_eq!(of_sample(158.0, 1.6, &cfg), Gait::Running);
        // A steep climb, running slowly.
        assert_eq!(of_sample(150.0, 1.1, &cfg), Gait::Running);
        // Running on the spot at a crossing.
        assert_eq!(of_sample(160.0, 0.2, &cfg), Gait::Stopped);
        // A treadmill without speed.
        assert_eq!(of_sample(170.0, f64::NAN, &cfg), Gait::Running);
        // No cadence: the speed alone.
        assert_eq!(of_sample(f64::NAN, 3.0, &cfg), Gait::Running);
        assert_eq!(of_sample(f64::NAN, 1.4, &cfg), Gait::Walking);
        assert_eq!(of_sample(f64::NAN, f64::NAN, &cfg), Gait::Stopped);
    }

    #[test]
    fn a_run_is_named_by_its_share_of_walking() {
        let cfg = GaitSettings::default();
        assert_eq!(of_run(0.0, 0.0, &cfg), None);
        assert_eq!(of_run(1000.0, 50.0, &cfg), Some(RunGait::Running));
        assert_eq!(of_run(1000.0, 400.0, &cfg), Some(RunGait::RunWalk));
        assert_eq!(of_run(400.0, 1000.0, &cfg), Some(RunGait::Walking));
    }
}
