//! Per-sample series and the statistics over them, in one place: how long each sample stands
//! for, each sample's speed, centred and trailing averages, medians and weighted statistics.
//!
//! Every analysis of a run uses these, so that 1 s and "smart" (1–8 s) recording, records
//! split at one instant and time stamps that step back are handled the same way everywhere.

use crate::model::Samples;

/// Longest interval a single sample may stand for, seconds (a pause is not running).
pub(crate) const MAX_SAMPLE_WEIGHT_S: f64 = 10.0;

/// The time each sample stands for: the interval to the next *later* time stamp, capped at
/// [`MAX_SAMPLE_WEIGHT_S`]. Samples that share a time stamp each stand for the whole interval
/// after it (some apps split one instant into a record with position and speed and another
/// with distance, each with different fields). The final group of samples, and a group
/// followed by a step back in time, take the interval from the time stamp before them (0 if
/// that one is later, 1 s if there is none). Linear, and saturating for any time stamp.
pub(crate) fn sample_weights(t: &[i64]) -> Vec<f64> {
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

/// Speed of each sample, m/s: the recorded speed, else the distance rate over the previous
/// interval (`NaN` when neither is known). Tolerates columns shorter than the time stamps.
pub(crate) fn sample_speeds(s: &Samples) -> Vec<f64> {
    let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    (0..s.len())
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
        .collect()
}

/// Centred moving average over `half` points each side (the window shrinks at the ends), for
/// evenly spaced values. O(n).
pub(crate) fn centred_average(v: &[f64], half: usize) -> Vec<f64> {
    let n = v.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &x in v {
        prefix.push(prefix[prefix.len() - 1] + x);
    }
    (0..n)
        .map(|k| {
            let lo = k.saturating_sub(half);
            let hi = (k + half + 1).min(n);
            (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

/// Trailing moving average over the last `window_s` seconds of the values `keep` accepts;
/// `NaN` where the sample itself is not accepted. A step back in time restarts the window.
/// O(n).
pub(crate) fn trailing_average(
    t: &[i64],
    v: &[f64],
    window_s: f64,
    keep: impl Fn(f64) -> bool,
) -> Vec<f64> {
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

/// The upper median: the middle value, or the upper of the two middle ones for an even count
/// (always a value of the input). `None` when empty. Reorders `v`; O(n).
pub(crate) fn upper_median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    Some(*m)
}

/// The median: the middle value, or the mean of the two middle ones for an even count. `None`
/// when empty. Reorders `v`; O(n).
pub(crate) fn median(v: &mut [f64]) -> Option<f64> {
    let hi = upper_median(v)?;
    let lo = if v.len().is_multiple_of(2) {
        // After the selection the lower half holds everything below the upper median.
        v[..v.len() / 2]
            .iter()
            .copied()
            .max_by(f64::total_cmp)
            .unwrap_or(hi)
    } else {
        hi
    };
    Some((hi + lo) / 2.0)
}

/// Weighted median, weighted mean and total weight of `values` (non-finite values and
/// non-positive weights skipped); `None` when no weight remains. The median is the lower
/// weighted median, or the mean of the two neighbours when the cumulative weight lands
/// exactly on half, so that an even split is symmetric.
pub(crate) fn weighted_median_mean(values: &[f64], weights: &[f64]) -> Option<(f64, f64, f64)> {
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
    // Unstable: pairs of one value may change places, which only reorders the weights summed
    // within that value (the median is that value either way); twice as fast as a stable sort
    // on the many equal cadences of a run.
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
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

/// Weighted coefficient of variation, %, of the finite values where `mask` holds; `None` with
/// less than `min_weight` of weight or a mean that is not positive.
pub(crate) fn weighted_cv(v: &[f64], w: &[f64], mask: &[bool], min_weight: f64) -> Option<f64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_recording_intervals_and_survive_hostile_time_stamps() {
        assert_eq!(sample_weights(&[0, 8, 9, 10]), vec![8.0, 1.0, 1.0, 1.0]);
        assert_eq!(sample_weights(&[0, 30, 31]), vec![10.0, 1.0, 1.0]);
        assert_eq!(sample_weights(&[5]), vec![1.0]);
        assert_eq!(
            sample_weights(&[0, 0, 1, 1, 2]),
            vec![1.0, 1.0, 1.0, 1.0, 1.0]
        );
        // Records split at one instant each stand for the interval after it.
        assert_eq!(
            sample_weights(&[0, 0, 1, 1, 3]),
            vec![1.0, 1.0, 2.0, 2.0, 2.0]
        );
        // A step back in time: the sample before it takes its interval from its own past.
        assert_eq!(sample_weights(&[0, 4, 2]), vec![4.0, 4.0, 0.0]);
        let w = sample_weights(&[i64::MIN, i64::MAX, 0]);
        assert!(
            w.iter().all(|x| (0.0..=MAX_SAMPLE_WEIGHT_S).contains(x)),
            "{w:?}"
        );
        // A long run of one time stamp is linear, not quadratic.
        assert_eq!(sample_weights(&vec![7; 200_000]).len(), 200_000);
    }

    #[test]
    fn medians_agree_with_their_definitions() {
        assert_eq!(upper_median(&mut []), None);
        assert_eq!(upper_median(&mut [3.0, 1.0, 2.0, 4.0]), Some(3.0));
        assert_eq!(median(&mut [3.0, 1.0, 2.0, 4.0]), Some(2.5));
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        let m = weighted_median_mean(&[160.0, 180.0], &[8.0, 3.0]).unwrap();
        assert_eq!(m.0, 160.0);
        assert!((m.1 - (160.0 * 8.0 + 180.0 * 3.0) / 11.0).abs() < 1e-12);
        assert_eq!(
            weighted_median_mean(&[1.0, 2.0], &[1.0, 1.0]).unwrap().0,
            1.5
        );
    }

    #[test]
    fn averages_keep_their_windows() {
        assert_eq!(centred_average(&[0.0, 3.0, 6.0], 1), vec![1.5, 3.0, 4.5]);
        let t = [0, 1, 2, 10];
        let v = trailing_average(&t, &[1.0, 3.0, 5.0, 7.0], 3.0, |x| x > 2.0);
        assert!(v[0].is_nan());
        assert_eq!(&v[1..], &[3.0, 4.0, 7.0]);
    }
}
