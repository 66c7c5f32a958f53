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
    // Sample weights are whole seconds: then every sum of weights is exact, in any order, and
    // selecting gives the very value sorting does, in linear time.
    let whole = total < EXACT_SUMS_BELOW && pairs.iter().all(|p| p.1.fract() == 0.0);
    let median = if whole {
        selected_median(&mut pairs, total)
    } else {
        sorted_median(&mut pairs, total)
    };
    Some((median, mean, total))
}

/// Sums of whole numbers below this are exact in `f64`.
const EXACT_SUMS_BELOW: f64 = 9_007_199_254_740_992.0; // 2^53

/// The weighted median of `pairs` (value, weight > 0; finite values) weighing `total`:
/// sorted by value, the first value at which the cumulative weight passes half the total, or
/// the mean of it and the next value when the cumulative weight lands on half.
fn sorted_median(pairs: &mut [(f64, f64)], total: f64) -> f64 {
    // Unstable: pairs of one value may change places, which only reorders the weights summed
    // within that value (the median is that value either way); twice as fast as a stable sort
    // on the many equal cadences of a run.
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    walk(pairs, 0.0, total / 2.0).unwrap_or(pairs[pairs.len() - 1].0)
}

/// [`sorted_median`]'s walk over sorted `pairs` from cumulative weight `below`; `None` when
/// the cumulative weight never reaches `half`.
fn walk(pairs: &[(f64, f64)], below: f64, half: f64) -> Option<f64> {
    let mut acc = below;
    for (k, (v, w)) in pairs.iter().enumerate() {
        acc += w;
        if acc > half + 1e-9 {
            return Some(*v);
        }
        if (acc - half).abs() <= 1e-9 {
            // The mean of two values, or the value itself when its copy comes next (so that
            // a value beyond half of `f64::MAX` is not doubled out of range).
            let next = pairs.get(k + 1).map_or(*v, |p| p.0);
            return Some(if next.to_bits() == v.to_bits() {
                *v
            } else {
                (v + next) / 2.0
            });
        }
    }
    None
}

/// [`sorted_median`] found by selection (quickselect), for weights whose sums are all exact
/// (see [`weighted_median_mean`]): the answer is the same value, since the walk's tolerance
/// then decides nothing. Values are compared as integers in [`f64::total_cmp`]'s order, each
/// round weighs the values below and at a pivot, then moves only the side that holds the
/// answer to the front, without branches (a run's cadences repeat and interleave, and a
/// partition that branches on each comparison was no faster than sorting). A part that is
/// small, or still large after as many rounds as a sort would take, is sorted and walked.
fn selected_median(pairs: &mut [(f64, f64)], total: f64) -> f64 {
    let half = total / 2.0;
    let mut keys: Vec<(i64, f64)> = pairs.iter().map(|&(v, w)| (order_key(v), w)).collect();
    // The answer lies in `keys[..n]`, which weighs `weight`; the pairs left behind below it
    // weigh `below` (< half).
    let (mut n, mut below, mut weight) = (keys.len(), 0.0, total);
    let mut rounds = 2 * (usize::BITS - n.leading_zeros());
    loop {
        let part = &mut keys[..n];
        if n <= 16 || rounds == 0 {
            part.sort_unstable_by_key(|p| p.0);
            for (to, &(k, w)) in pairs.iter_mut().zip(part.iter()) {
                *to = (from_order_key(k), w);
            }
            // `part` weighs more than half with `below`: the walk ends inside it.
            return walk(&pairs[..n], below, half).unwrap_or(pairs[n - 1].0);
        }
        rounds -= 1;
        let pivot = pivot(part, (half - below) / weight);
        let (mut w_less, mut w_equal) = (0.0, 0.0);
        for &(k, w) in part.iter() {
            w_less += only_if(k < pivot, w);
            w_equal += only_if(k == pivot, w);
        }
        let value = from_order_key(pivot);
        if below + w_less > half {
            weight = w_less;
            n = keep_front(part, |k| k < pivot);
        } else if below + w_less == half {
            // Half lands on the last of the smaller values: it and the pivot, the next.
            let last = part.iter().map(|p| p.0).filter(|&k| k < pivot).max();
            let last = last.expect("below < half, so the smaller values weigh something");
            return (from_order_key(last) + value) / 2.0;
        } else if below + w_less + w_equal > half {
            return value;
        } else if below + w_less + w_equal == half {
            // Half lands on the last of the pivot's copies: the next value is the smallest
            // larger one, which `part` holds since it weighs more than half with `below`.
            let next = part.iter().map(|p| p.0).filter(|&k| k > pivot).min();
            let next = next.expect("the part weighs more than half with below");
            return (value + from_order_key(next)) / 2.0;
        } else {
            below += w_less + w_equal;
            weight -= w_less + w_equal;
            n = keep_front(part, |k| k > pivot);
        }
    }
}

/// `v` as an integer in [`f64::total_cmp`]'s order.
fn order_key(v: f64) -> i64 {
    flip_magnitude_if_negative(v.to_bits() as i64)
}

/// The value of an [`order_key`].
fn from_order_key(k: i64) -> f64 {
    f64::from_bits(flip_magnitude_if_negative(k) as u64)
}

/// `total_cmp`'s bit trick: a negative number's bits other than the sign are flipped, so that
/// the bits compare as signed integers in value order. It undoes itself (the sign stays).
fn flip_magnitude_if_negative(b: i64) -> i64 {
    b ^ (((b >> 63) as u64) >> 1) as i64
}

/// A pivot near quantile `q` of `part`'s keys (at least 17): that quantile of 31 keys taken
/// evenly across it. Cadences repeat, so a pivot close to the answer is often the answer, and
/// the first round ends the search.
fn pivot(part: &[(i64, f64)], q: f64) -> i64 {
    const SAMPLE: usize = 31;
    let s = SAMPLE.min(part.len());
    let mut sample = [0_i64; SAMPLE];
    for (j, k) in sample[..s].iter_mut().enumerate() {
        *k = part[j * part.len() / s].0;
    }
    sample[..s].sort_unstable();
    sample[((q.clamp(0.0, 1.0) * (s - 1) as f64).round() as usize).min(s - 1)]
}

/// `w` if `keep`, else 0, by a mask rather than a branch.
fn only_if(keep: bool, w: f64) -> f64 {
    f64::from_bits(w.to_bits() & u64::from(keep).wrapping_neg())
}

/// Moves the pairs whose key `keep`s to the front of `part`, in order, and returns how many;
/// every pair is written, whether kept or not, so that no branch depends on the data.
fn keep_front(part: &mut [(i64, f64)], keep: impl Fn(i64) -> bool) -> usize {
    let mut kept = 0;
    for i in 0..part.len() {
        let p = part[i];
        part[kept] = p;
        kept += usize::from(keep(p.0));
    }
    kept
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

    /// Selection gives what sorting gives, value for value, on whole weights: many repeated
    /// values, totals that split evenly (the mean of two neighbours), both zeros, slices long
    /// enough to be partitioned several times.
    #[test]
    fn selecting_the_weighted_median_matches_sorting() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut ties, mut means) = (0, 0);
        for case in 0..4000 {
            let n = 1 + (next() % [8, 60, 400, 3000][case % 4]) as usize;
            let spread = 1 + next() % [3, 12, 40, 1000][(case / 4) % 4];
            let pairs: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    let v = match next() % 50 {
                        0 => 0.0,
                        1 => -0.0,
                        _ => 150.0 + (next() % spread) as f64 / 2.0,
                    };
                    (v, (1 + next() % 10) as f64)
                })
                .collect();
            let total: f64 = pairs.iter().map(|p| p.1).sum();
            let sorted = sorted_median(&mut pairs.clone(), total);
            assert!(sorted.is_finite(), "case {case}");
            let selected = selected_median(&mut pairs.clone(), total);
            assert_eq!(
                sorted.to_bits(),
                selected.to_bits(),
                "case {case}: {pairs:?}"
            );
            let mut s = pairs.clone();
            s.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut acc = 0.0;
            for (k, p) in s.iter().enumerate() {
                acc += p.1;
                if acc == total / 2.0 {
                    ties += 1;
                    means += usize::from(s.get(k + 1).is_some_and(|q| q.0 != p.0));
                }
            }
        }
        // The cases reach both ends of an even split.
        assert!(
            ties > 200 && means > 100,
            "{ties} ties, {means} means of two values"
        );
    }

    /// Half landing between two copies of a huge value gives that value, both ways.
    #[test]
    fn huge_values_are_not_doubled_out_of_range() {
        let pairs = vec![(1e308, 1.0); 20];
        assert_eq!(sorted_median(&mut pairs.clone(), 20.0), 1e308);
        assert_eq!(selected_median(&mut pairs.clone(), 20.0), 1e308);
        assert_eq!(
            weighted_median_mean(&[1e308; 4], &[0.5; 4]).unwrap().0,
            1e308
        );
    }

    #[test]
    fn order_keys_sort_as_total_cmp_and_give_their_values_back() {
        let v = [
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -0.0,
            0.0,
            1e-310,
            2.5,
            171.5,
            f64::MAX,
        ];
        for w in v.windows(2) {
            assert!(order_key(w[0]) < order_key(w[1]), "{w:?}");
        }
        for x in v {
            assert_eq!(from_order_key(order_key(x)).to_bits(), x.to_bits());
        }
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
