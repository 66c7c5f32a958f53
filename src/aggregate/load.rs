//! Weekly load in the runner's local time: totals, week-over-week change, acute:chronic ratios,
//! surface mix, and single-run spikes.
//!
//! Each run is placed on its local calendar day (UTC start plus the offset its device wrote);
//! weeks run Monday to Sunday (or Sunday to Saturday) and every week from the first run to the
//! last is present, including weeks without running. Ratios are evaluated on each week's last
//! day from a daily series: distance, and session-RPE load (Foster et al. 2001).

use std::collections::VecDeque;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::config::LoadSettings;
use crate::model::{Activity, Ratios, RunCore, Surface, Week};

/// The calendar day of a local time (Unix seconds shifted by the athlete's offset).
pub(super) fn day_of(local_unix: i64) -> Option<NaiveDate> {
    let days = local_unix.div_euclid(86_400);
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(Duration::days(days))
}

fn week_start_of(day: NaiveDate, first: Weekday) -> NaiveDate {
    let back = (7 + day.weekday().num_days_from_monday() - first.num_days_from_monday()) % 7;
    day - Duration::days(back as i64)
}

/// Window totals and exponentially weighted averages of one daily load series, from which
/// each week's acute:chronic figures are read. Distance and session-RPE load both go through
/// it, so the two sets of ratios are computed the same way.
struct Daily {
    /// `prefix[d]`: the load of days `0..d`.
    prefix: Vec<f64>,
    /// 7-day and 28-day EWMA on each day (Williams et al. 2017: λ = 2 / (N + 1)), started at
    /// zero on day 0.
    ewma: Vec<(f64, f64)>,
}

impl Daily {
    fn new(daily: &[f64]) -> Daily {
        let mut prefix = vec![0.0; daily.len() + 1];
        for (d, x) in daily.iter().enumerate() {
            prefix[d + 1] = prefix[d] + x;
        }
        let (la, lc) = (2.0 / 8.0, 2.0 / 29.0);
        let (mut ea, mut ec) = (0.0, 0.0);
        let ewma = daily
            .iter()
            .map(|x| {
                ea = la * x + (1.0 - la) * ea;
                ec = lc * x + (1.0 - lc) * ec;
                (ea, ec)
            })
            .collect();
        Daily { prefix, ewma }
    }

    /// The load of the `len` days ending on day `end` (fewer at the start of the series).
    fn window(&self, end: usize, len: usize) -> f64 {
        self.prefix[end + 1] - self.prefix[(end + 1).saturating_sub(len)]
    }

    /// Acute (7 days) and chronic (28 days) load ending on day `last`, and their ratios:
    /// coupled, uncoupled (the 21 days before the acute week) and EWMA.
    fn ratios(&self, last: usize) -> Ratios {
        let acute = self.window(last, 7);
        let chronic = self.window(last, 28);
        let before = if last >= 7 {
            self.window(last - 7, 21)
        } else {
            0.0
        };
        let (a, c) = self.ewma[last];
        Ratios {
            acute_7d: Some(acute),
            chronic_28d: Some(chronic),
            acwr: (chronic > 0.0).then(|| acute / (chronic / 4.0)),
            acwr_uncoupled: (before > 0.0).then(|| acute / (before / 3.0)),
            acwr_ewma: (c > 0.0).then(|| a / c),
        }
    }
}

/// Builds the weekly table from the (deduplicated) runs. The weeks span the runs and the
/// `extra` days (the pain diary's), so pain after the last run still has a week.
pub(super) fn weeks(
    activities: &[Activity],
    extra: &[NaiveDate],
    cfg: &LoadSettings,
    first: Weekday,
) -> Vec<Week> {
    let dated: Vec<(NaiveDate, &Activity)> = activities
        .iter()
        .filter_map(|a| a.local_day.map(|d| (d, a)))
        .collect();
    let days = || dated.iter().map(|x| x.0).chain(extra.iter().copied());
    let (Some(lo), Some(hi)) = (days().min(), days().max()) else {
        return Vec::new();
    };
    let w0 = week_start_of(lo, first);
    let w_last = week_start_of(hi, first);
    let n_weeks = ((w_last - w0).num_days() / 7 + 1) as usize;
    let n_days = n_weeks * 7;
    let mut daily = vec![0.0f64; n_days];
    // Session-RPE load per day, and runs without an RPE per day (they make a window unknown).
    let mut daily_srpe = vec![0.0f64; n_days];
    let mut daily_unrated = vec![0.0f64; n_days];
    let mut out: Vec<Week> = (0..n_weeks)
        .map(|i| {
            let start = w0 + Duration::days(7 * i as i64);
            // ISO's own rule: a week belongs to the year of its Thursday; for Sunday weeks the
            // middle day is Wednesday.
            let mid = start + Duration::days(3);
            Week {
                start,
                iso_year: mid.iso_week().year(),
                iso_week: mid.iso_week().week(),
                ..Week::default()
            }
        })
        .collect();
    let mut surfaces_seen: Vec<u8> = vec![0; n_weeks]; // bit set of surfaces per week
    for (day, a) in &dated {
        let di = (*day - w0).num_days() as usize;
        let w = &mut out[di / 7];
        let r = &a.run;
        let dist = r.distance_m.unwrap_or(0.0);
        daily[di] += dist;
        w.runs += 1;
        w.distance_m += dist;
        w.duration_s += r.duration_s.unwrap_or(0.0);
        w.ascent_m += r.ascent_m.unwrap_or(0.0);
        w.descent_m += r.descent_m.unwrap_or(0.0);
        w.downhill_m += r.downhill.downhill_m;
        w.longest_run_m = w.longest_run_m.max(dist);
        let si = a.run.surface as usize;
        w.surface_m[si] += dist;
        surfaces_seen[di / 7] |= 1 << si;
        match srpe(r) {
            Some(load) => {
                daily_srpe[di] += load;
                *w.srpe_load.get_or_insert(0.0) += load;
            }
            None => {
                daily_unrated[di] += 1.0;
                w.runs_without_rpe += 1;
            }
        }
    }
    // Lo may be a diary day before the first run: chronic windows count from the first run.
    let first_run = dated.iter().map(|x| x.0).min().unwrap_or(lo);
    let first_day = (first_run - w0).num_days() as usize;
    let distance = Daily::new(&daily);
    let srpe_daily = Daily::new(&daily_srpe);
    let unrated = Daily::new(&daily_unrated);

    for i in 0..n_weeks {
        let last = i * 7 + 6;
        let r = distance.ratios(last);
        let acute = r.acute_7d.unwrap_or(0.0);
        let w = &mut out[i];
        w.acute_7d_m = acute;
        w.chronic_28d_m = r.chronic_28d.unwrap_or(0.0);
        w.chronic_complete = last + 1 >= first_day + 28;
        w.acwr = r.acwr;
        w.acwr_uncoupled = r.acwr_uncoupled;
        w.acwr_ewma = r.acwr_ewma;
        if w.runs == 0 {
            w.srpe_load = Some(0.0);
        }
        // A run without an RPE would read as a rest day: a window holding one is unknown.
        let s = srpe_daily.ratios(last);
        let acute_known = unrated.window(last, 7) == 0.0;
        let chronic_known = unrated.window(last, 28) == 0.0;
        w.srpe = Ratios {
            acute_7d: s.acute_7d.filter(|_| acute_known),
            chronic_28d: s.chronic_28d.filter(|_| chronic_known),
            acwr: s.acwr.filter(|_| chronic_known),
            acwr_uncoupled: s.acwr_uncoupled.filter(|_| chronic_known),
            acwr_ewma: s.acwr_ewma.filter(|_| chronic_known),
        };
        let prev = (i >= 1).then(|| out[i - 1].distance_m);
        let prev2 = (i >= 2).then(|| out[i - 2].distance_m);
        let w = &mut out[i];
        w.change_pct = prev
            .filter(|&p| p > 0.0)
            .map(|p| 100.0 * (w.distance_m - p) / p);
        w.change_2w_pct = prev2
            .filter(|&p| p > 0.0)
            .map(|p| 100.0 * (w.distance_m - p) / p);
        w.flag_ramp = w.change_pct.is_some_and(|c| c > cfg.ramp_max_pct);
        w.flag_ramp_2w = w.change_2w_pct.is_some_and(|c| c > cfg.ramp_2w_max_pct);
        w.flag_acwr = w.chronic_complete
            && w.acwr.is_some_and(|r| {
                (r > cfg.acwr_high && acute >= cfg.acwr_min_acute_m) || r < cfg.acwr_low
            });
        let n = cfg.no_variety_weeks.max(1) as usize;
        if i + 1 >= n {
            let span = (i + 1 - n)..=i;
            let runs: u32 = span.clone().map(|k| out[k].runs).sum();
            let seen = span.map(|k| surfaces_seen[k]).fold(0u8, |a, b| a | b);
            // One known surface (not `unknown`) across at least two runs.
            out[i].flag_no_variety =
                runs >= 2 && seen.count_ones() == 1 && seen & (1 << Surface::Unknown as usize) == 0;
        }
    }
    out
}

/// A run's session-RPE load (Foster et al. 2001): RPE (CR10) × timer minutes; `None` without
/// an RPE or a timer time.
pub(super) fn srpe(r: &RunCore) -> Option<f64> {
    Some(r.rpe.get()? * r.duration_s.get()? / 60.0)
}

/// Sets each run's longest run of the lookback window and its spike flag. `activities` are in
/// start order, so the window slides forward: each candidate enters it and leaves it once.
pub(super) fn long_run_spikes(activities: &mut [Activity], cfg: &LoadSettings) {
    let window = cfg.long_run_lookback_days as i64 * 86_400;
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
    let mut lookback = LookbackWindow::new(&dated, window);
    for a in activities.iter_mut() {
        let Some(t) = a.run.start_utc.get() else {
            continue;
        };
        let longest = lookback.longest_before(t);
        a.longest_prev_30d_m = longest.into();
        a.flag_long_run_spike = match (longest, a.run.distance_m.get()) {
            (Some(l), Some(d)) if l > 0.0 => d > l * (1.0 + cfg.long_run_spike_pct / 100.0),
            _ => false,
        };
    }
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

    #[test]
    fn weeks_start_on_the_chosen_day() {
        let wed = NaiveDate::from_ymd_opt(2024, 4, 17).unwrap();
        assert_eq!(
            week_start_of(wed, Weekday::Mon),
            NaiveDate::from_ymd_opt(2024, 4, 15).unwrap()
        );
        assert_eq!(
            week_start_of(wed, Weekday::Sun),
            NaiveDate::from_ymd_opt(2024, 4, 14).unwrap()
        );
        let sun = NaiveDate::from_ymd_opt(2024, 4, 21).unwrap();
        assert_eq!(week_start_of(sun, Weekday::Sun), sun);
        assert_eq!(
            week_start_of(sun, Weekday::Mon),
            NaiveDate::from_ymd_opt(2024, 4, 15).unwrap()
        );
    }
}
