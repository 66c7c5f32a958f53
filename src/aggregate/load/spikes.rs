//! The long-run spike: each run against the longest of its lookback window, or against the
//! long run held before a break while the lookback reaches into the break or its return.

use std::collections::VecDeque;

use chrono::{Duration, NaiveDate};

use crate::config::LoadSettings;
use crate::model::{Activity, Break};

/// Sets each run's longest run of the lookback window, what the long-run rule compares it with
/// and its spike flag. `activities` are in start order, so the window slides forward: each
/// candidate enters it and leaves it once.
///
/// A run is compared only when its whole lookback lies inside the history (no comparison with
/// runs the tool has not seen) and holds a run to compare with. When the lookback reaches into
/// a break or the return after it, the longest run of the lookback before the break counts
/// too: the runner's own long run, not the shortened ones of a gradual return.
pub(crate) fn long_run_spikes(activities: &mut [Activity], breaks: &[Break], cfg: &LoadSettings) {
    let days = i64::from(cfg.long_run_lookback_days);
    let window = days * 86_400;
    // Only runs of at least `long_run_min_prev_m` can be the longest to compare with: after a
    // window holding nothing longer, there is no comparison, as after a window without runs.
    let dated: Vec<(i64, f64)> = activities
        .iter()
        .filter_map(|a| {
            a.run
                .start_utc
                .get()
                .map(|t| (t, a.run.distance_m.unwrap_or(0.0)))
        })
        .filter(|&(_, d)| d >= cfg.long_run_min_prev_m)
        .collect();
    let first_day = activities.iter().filter_map(|a| a.local_day).min();
    // The longest run of the lookback before each break, by the break's first day.
    let held: Vec<Option<f64>> = breaks
        .iter()
        .map(|b| longest_between(activities, b.first - Duration::days(days), b.first, cfg))
        .collect();
    let mut lookback = LookbackWindow::new(&dated, window);
    for a in activities.iter_mut() {
        let Some(t) = a.run.start_utc.get() else {
            continue;
        };
        let longest = lookback.longest_before(t);
        a.longest_prev_30d_m = longest.into();
        let complete = match (a.local_day, first_day) {
            (Some(d), Some(f)) => (d - f).num_days() >= days,
            _ => false,
        };
        let reference = a.local_day.filter(|_| complete).and_then(|d| {
            let from = d - Duration::days(days);
            let before_break = breaks
                .iter()
                .zip(&held)
                .rev()
                .find(|(b, _)| b.first < d && b.return_end >= from)
                .and_then(|(_, h)| *h);
            // After an empty lookback there is no comparison: the week's return judges it.
            longest.map(|l| before_break.map_or(l, |h| l.max(h)))
        });
        a.long_run_ref_m = reference.into();
        a.flag_long_run_spike = match (reference, a.run.distance_m.get()) {
            (Some(l), Some(d)) if l > 0.0 => d > l * (1.0 + cfg.long_run_spike_pct / 100.0),
            _ => false,
        };
    }
}

/// The longest run of at least `long_run_min_prev_m` on the local days `from..to`.
fn longest_between(
    activities: &[Activity],
    from: NaiveDate,
    to: NaiveDate,
    cfg: &LoadSettings,
) -> Option<f64> {
    activities
        .iter()
        .filter(|a| a.local_day.is_some_and(|d| d >= from && d < to))
        .filter_map(|a| a.run.distance_m.get())
        .filter(|&d| d >= cfg.long_run_min_prev_m)
        .reduce(f64::max)
}

/// The longest of the candidate runs that started in the lookback window before a time, for
/// times asked in order: the window slides forward, each candidate entering and leaving it
/// once.
struct LookbackWindow<'a> {
    /// (start, distance) of the candidates, in start order.
    dated: &'a [(i64, f64)],
    /// Window length, s.
    len_s: i64,
    /// The next candidate to enter.
    next: usize,
    /// The candidates no later, longer one hides: distances strictly falling from the front,
    /// whose first is the window's longest.
    longest_first: VecDeque<(i64, f64)>,
}

impl<'a> LookbackWindow<'a> {
    fn new(dated: &'a [(i64, f64)], len_s: i64) -> Self {
        debug_assert!(
            dated.windows(2).all(|w| w[0].0 <= w[1].0),
            "runs in start order"
        );
        LookbackWindow {
            dated,
            len_s,
            next: 0,
            longest_first: VecDeque::new(),
        }
    }

    /// The longest distance among candidates started in `[t - len_s, t)`; `t` never smaller
    /// than in the call before.
    fn longest_before(&mut self, t: i64) -> Option<f64> {
        while let Some(&(u, d)) = self.dated.get(self.next).filter(|(u, _)| *u < t) {
            while self.longest_first.back().is_some_and(|&(_, e)| e <= d) {
                self.longest_first.pop_back();
            }
            self.longest_first.push_back((u, d));
            self.next += 1;
        }
        while self
            .longest_first
            .front()
            .is_some_and(|&(u, _)| u < t - self.len_s)
        {
            self.longest_first.pop_front();
        }
        self.longest_first.front().map(|&(_, d)| d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sliding window gives what scanning every candidate gives, for each time: with runs
    /// on the window's edges, runs starting at the same second, equal distances, and a long run
    /// leaving the window before shorter ones.
    #[test]
    fn the_sliding_window_finds_the_longest_run_a_full_scan_finds() {
        let day = 86_400;
        let len = 30 * day;
        // A small linear congruential sequence: starts a few hours to days apart, some equal.
        let mut x: u64 = 7;
        let mut next = |m: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 33) % m
        };
        let mut dated = Vec::new();
        let mut t = 0i64;
        for _ in 0..400 {
            t += [0, 3_600, day, 5 * day, len, len + 1][next(6) as usize];
            dated.push((t, [5_000.0, 8_000.0, 8_000.0, 21_000.0][next(4) as usize]));
        }
        let scan = |t: i64| {
            dated
                .iter()
                .filter(|(u, _)| *u < t && *u >= t - len)
                .map(|x| x.1)
                .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))
        };
        let mut times: Vec<i64> = dated
            .iter()
            .flat_map(|&(u, _)| [u, u + len, u + len + 1])
            .collect();
        times.sort_unstable();
        let mut window = LookbackWindow::new(&dated, len);
        for t in times {
            assert_eq!(window.longest_before(t), scan(t), "at {t}");
        }
    }
}
