//! Cadence: steps per minute from running records.
//!
//! A running record's `cadence` counts strides (one foot) per minute and `fractional_cadence`
//! adds the fraction, so steps/min = 2 × (`cadence` + `fractional_cadence`). Only moving running
//! samples count: cadence above zero and speed at or above a configurable minimum. Samples are
//! weighted by the time they stand for, so 1 s and "smart" (1–8 s) recording agree.

use crate::decode::Samples;

/// Longest interval a single sample may stand for, seconds (pauses are not running).
pub const MAX_SAMPLE_WEIGHT_S: f64 = 10.0;

/// Strides/min as recorded → steps/min.
pub fn to_spm(raw: f64) -> f64 {
    2.0 * raw
}

/// Summary of a run's cadence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cadence {
    /// Time-weighted median, steps/min.
    pub median_spm: f64,
    /// Time-weighted mean, steps/min.
    pub mean_spm: f64,
    /// Seconds of moving running samples behind it.
    pub seconds: f64,
}

/// The time each sample stands for: the interval to the next sample with a later time stamp,
/// capped (a pause is not running); the last sample gets the interval before it. Some apps
/// write two records per instant (one with position, one with distance): both get the full
/// interval, since each usually carries different fields.
pub fn sample_weights(t: &[i64]) -> Vec<f64> {
    let n = t.len();
    let mut w = vec![0.0; n];
    let mut next_later: Option<i64> = None;
    for i in (0..n).rev() {
        if i + 1 < n && t[i + 1] > t[i] {
            next_later = Some(t[i + 1]);
        } else if i + 1 < n && t[i + 1] < t[i] {
            next_later = None;
        }
        let dt = match next_later {
            Some(later) if later > t[i] => later.saturating_sub(t[i]) as f64,
            _ => previous_interval(t, i),
        };
        w[i] = dt.clamp(0.0, MAX_SAMPLE_WEIGHT_S);
    }
    w
}

/// The interval before sample `i` (for the last sample of a run), else 1 s.
fn previous_interval(t: &[i64], i: usize) -> f64 {
    (0..i)
        .rev()
        .map(|j| t[i].saturating_sub(t[j]))
        .find(|&dt| dt > 0)
        .map_or(1.0, |dt| dt as f64)
}

/// Speed of each sample: the recorded speed, else the distance rate over the previous interval.
pub fn sample_speeds(s: &Samples) -> Vec<f64> {
    (0..s.len())
        .map(|i| {
            let v = s.speed_mps[i];
            if v.is_finite() || i == 0 {
                return v;
            }
            let dt = s.t[i].saturating_sub(s.t[i - 1]) as f64;
            let dd = s.distance_m[i] - s.distance_m[i - 1];
            if dt > 0.0 && dd.is_finite() && dd >= 0.0 {
                dd / dt
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// Per-sample steps/min for moving running samples, `NaN` elsewhere.
///
/// Some devices write steps rather than strides in the `cadence` field: a run whose median raw
/// value is above 120 (240 steps/min if doubled, beyond any human) is taken as steps already.
pub fn moving_spm(s: &Samples, speeds: &[f64], min_speed_mps: f64) -> Vec<f64> {
    let factor = if median_raw(&s.cadence_raw).is_some_and(|m| m > 120.0) {
        1.0
    } else {
        2.0
    };
    (0..s.len())
        .map(|i| {
            let c = s.cadence_raw[i];
            let v = speeds[i];
            // A sample without any speed (indoor, no foot pod) counts when it has cadence.
            let moving = c > 0.0 && (v.is_nan() || v >= min_speed_mps);
            if moving {
                factor * c
            } else {
                f64::NAN
            }
        })
        .collect()
}

fn median_raw(raw: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = raw.iter().copied().filter(|&c| c > 0.0).collect();
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    Some(*m)
}

/// Weighted median and mean of `values` (NaN values skipped); `None` when no weight remains.
pub fn weighted_median_mean(values: &[f64], weights: &[f64]) -> Option<(f64, f64, f64)> {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(v, w)| v.is_finite() && **w > 0.0)
        .map(|(v, w)| (*v, *w))
        .collect();
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    if pairs.is_empty() || total <= 0.0 {
        return None;
    }
    let mean = pairs.iter().map(|(v, w)| v * w).sum::<f64>() / total;
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Lower weighted median; when the cumulative weight lands exactly on half, average the two
    // neighbours so an even split is symmetric.
    let half = total / 2.0;
    let mut acc = 0.0;
    let mut median = pairs[pairs.len() - 1].0;
    for (k, (v, w)) in pairs.iter().enumerate() {
        acc += w;
        if acc > half + 1e-9 {
            median = *v;
            break;
        }
        if (acc - half).abs() <= 1e-9 {
            median = (v + pairs.get(k + 1).map_or(*v, |p| p.0)) / 2.0;
            break;
        }
    }
    Some((median, mean, total))
}

/// Per-sample speed, moving steps/min and time weight of one run: computed once, shared by the
/// run's cadence and its downhill analysis.
#[derive(Clone, Debug, Default)]
pub struct Moving {
    /// Speed of each sample, m/s (see [`sample_speeds`]).
    pub speed_mps: Vec<f64>,
    /// Steps/min of moving running samples, `NaN` elsewhere (see [`moving_spm`]).
    pub spm: Vec<f64>,
    /// Seconds each sample stands for (see [`sample_weights`]).
    pub weight_s: Vec<f64>,
}

impl Moving {
    /// Computes the three series for `s`.
    pub fn new(s: &Samples, min_speed_mps: f64) -> Moving {
        let speed_mps = sample_speeds(s);
        let spm = moving_spm(s, &speed_mps, min_speed_mps);
        Moving {
            speed_mps,
            spm,
            weight_s: sample_weights(&s.t),
        }
    }

    /// The run's cadence, or `None` when no moving sample carries cadence.
    pub fn cadence(&self) -> Option<Cadence> {
        weighted_median_mean(&self.spm, &self.weight_s).map(|(median_spm, mean_spm, seconds)| {
            Cadence {
                median_spm,
                mean_spm,
                seconds,
            }
        })
    }
}

/// The run's cadence from its records, or `None` when no moving sample carries cadence.
pub fn running_cadence(s: &Samples, min_speed_mps: f64) -> Option<Cadence> {
    Moving::new(s, min_speed_mps).cadence()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn doubles_strides_and_adds_the_fraction() {
        let s = samples(&[0, 1, 2, 3], &[85.5, 85.5, 85.5, 85.5], &[3.0; 4]);
        let c = running_cadence(&s, 1.5).unwrap();
        assert_eq!(c.median_spm, 171.0);
        assert_eq!(c.mean_spm, 171.0);
    }

    #[test]
    fn standing_and_walking_samples_do_not_count() {
        // Two running samples at 180, a stop (cadence 0) and a slow walk at 120.
        let s = samples(
            &[0, 1, 2, 3, 4],
            &[90.0, 90.0, 0.0, 60.0, 60.0],
            &[3.0, 3.0, 0.0, 1.0, 1.0],
        );
        let c = running_cadence(&s, 1.5).unwrap();
        assert_eq!(c.median_spm, 180.0);
        assert_eq!(c.seconds, 2.0);
    }

    #[test]
    fn weights_follow_recording_intervals() {
        // 160 spm held for 8 s in one sample outweighs three 1 s samples at 180.
        let s = samples(&[0, 8, 9, 10], &[80.0, 90.0, 90.0, 90.0], &[3.0; 4]);
        let c = running_cadence(&s, 1.5).unwrap();
        assert_eq!(c.median_spm, 160.0);
        assert!((c.mean_spm - (160.0 * 8.0 + 180.0 * 3.0) / 11.0).abs() < 1e-9);
    }

    #[test]
    fn steps_written_as_cadence_are_not_doubled() {
        let s = samples(&[0, 1, 2], &[172.0, 172.0, 172.0], &[3.0; 3]);
        assert_eq!(running_cadence(&s, 1.5).unwrap().median_spm, 172.0);
    }

    #[test]
    fn paired_records_and_hostile_time_stamps_are_weighted_sanely() {
        assert_eq!(
            sample_weights(&[0, 0, 1, 1, 2]),
            vec![1.0, 1.0, 1.0, 1.0, 1.0]
        );
        assert_eq!(sample_weights(&[0, 30, 31]), vec![10.0, 1.0, 1.0]);
        assert_eq!(sample_weights(&[5]), vec![1.0]);
        let w = sample_weights(&[i64::MIN, i64::MAX, 0]);
        assert!(
            w.iter().all(|x| (0.0..=MAX_SAMPLE_WEIGHT_S).contains(x)),
            "{w:?}"
        );
    }

    #[test]
    fn no_cadence_gives_none() {
        let s = samples(&[0, 1], &[f64::NAN, f64::NAN], &[3.0, 3.0]);
        assert!(running_cadence(&s, 1.5).is_none());
    }
}
