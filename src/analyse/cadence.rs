//! Cadence: steps per minute from running records.
//!
//! A running record's `cadence` counts strides (one foot) per minute and `fractional_cadence`
//! adds the fraction, so steps/min = 2 × (`cadence` + `fractional_cadence`). Only running
//! samples count (see [`super::gait`]). Samples are weighted by the time they stand for, so
//! 1 s and "smart" (1–8 s) recording agree.

use crate::model::Samples;
use crate::series::{upper_median, weighted_median_mean};

/// Strides/min as recorded → steps/min.
pub(crate) fn to_spm(raw: f64) -> f64 {
    2.0 * raw
}

/// Summary of a run's cadence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Cadence {
    /// Time-weighted median, steps/min.
    pub(crate) median_spm: f64,
    /// Time-weighted mean, steps/min.
    pub(crate) mean_spm: f64,
}

/// Per-sample steps/min, `NaN` where a sample has no cadence (or 0).
///
/// Some devices write steps rather than strides in the `cadence` field: a run whose median raw
/// value is above 120 (240 steps/min if doubled, beyond any human) is taken as steps already.
pub(crate) fn steps_per_min(s: &Samples) -> Vec<f64> {
    let factor = steps_per_raw(&s.cadence_raw);
    (0..s.len())
        .map(|i| {
            let c = s.cadence_raw.get(i).copied().unwrap_or(f64::NAN);
            if c > 0.0 {
                factor * c
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// Steps per raw cadence unit of a run's records: 1 when their median positive value is above
/// 120 (steps already), else 2 (strides).
pub(crate) fn steps_per_raw(cadence_raw: &[f64]) -> f64 {
    let mut positive: Vec<f64> = cadence_raw.iter().copied().filter(|&c| c > 0.0).collect();
    if upper_median(&mut positive).is_some_and(|m| m > 120.0) {
        1.0
    } else {
        2.0
    }
}

/// The run's cadence from its running steps/min and sample weights, or `None` when no
/// running sample carries cadence.
pub(crate) fn cadence(spm: &[f64], weight_s: &[f64]) -> Option<Cadence> {
    weighted_median_mean(spm, weight_s).map(|(median_spm, mean_spm, _)| Cadence {
        median_spm,
        mean_spm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::SampleSeries;
    use crate::config::GaitSettings;

    fn samples(t: &[i64], cad: &[f64], speed: &[f64]) -> Samples {
        let n = t.len();
        Samples {
            t: t.to_vec(),
            cadence_raw: cad.to_vec(),
            speed_mps: speed.to_vec(),
            distance_m: vec![f64::NAN; n],
            ..Samples::default()
        }
    }

    fn running_cadence(s: &Samples) -> Option<Cadence> {
        let series = SampleSeries::new(s, &GaitSettings::default());
        cadence(&series.spm, &series.weight_s)
    }

    #[test]
    fn doubles_strides_and_adds_the_fraction() {
        let s = samples(&[0, 1, 2, 3], &[85.5, 85.5, 85.5, 85.5], &[3.0; 4]);
        let c = running_cadence(&s).unwrap();
        assert_eq!(c.median_spm, 171.0);
        assert_eq!(c.mean_spm, 171.0);
    }

    #[test]
    fn standing_and_walking_samples_do_not_count() {
        // Two running samples at 180, a stop (cadence 0), a slow walk at 120 and a brisk walk
        // at 126, faster than many a jog.
        let s = samples(
            &[0, 1, 2, 3, 4, 5, 6],
            &[90.0, 90.0, 0.0, 60.0, 60.0, 63.0, 63.0],
            &[3.0, 3.0, 0.0, 1.0, 1.0, 1.9, 1.9],
        );
        let series = SampleSeries::new(&s, &GaitSettings::default());
        let c = cadence(&series.spm, &series.weight_s).unwrap();
        assert_eq!(c.median_spm, 180.0);
        let counted: f64 = (0..s.len())
            .filter(|&i| series.spm[i].is_finite())
            .map(|i| series.weight_s[i])
            .sum();
        assert_eq!(counted, 2.0);
    }

    #[test]
    fn weights_follow_recording_intervals() {
        // 160 spm held for 8 s in one sample outweighs three 1 s samples at 180.
        let s = samples(&[0, 8, 9, 10], &[80.0, 90.0, 90.0, 90.0], &[3.0; 4]);
        let c = running_cadence(&s).unwrap();
        assert_eq!(c.median_spm, 160.0);
        assert!((c.mean_spm - (160.0 * 8.0 + 180.0 * 3.0) / 11.0).abs() < 1e-9);
    }

    #[test]
    fn steps_written_as_cadence_are_not_doubled() {
        let s = samples(&[0, 1, 2], &[172.0, 172.0, 172.0], &[3.0; 3]);
        assert_eq!(running_cadence(&s).unwrap().median_spm, 172.0);
    }

    #[test]
    fn no_cadence_gives_none() {
        let s = samples(&[0, 1], &[f64::NAN, f64::NAN], &[3.0, 3.0]);
        assert!(running_cadence(&s).is_none());
    }
}
