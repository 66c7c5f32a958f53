//! Weekly load in the runner's local time: totals, week-over-week change, acute:chronic ratios,
//! surface mix, breaks and the returns after them (`returns.rs`), and single-run spikes
//! (`spikes.rs`).
//!
//! Each run is placed on its local calendar day (UTC start plus the offset its device wrote);
//! weeks run Monday to Sunday (or Sunday to Saturday) and every week from the first run to the
//! last is present, including weeks without running. Ratios are evaluated on each week's last
//! day from a daily series: distance, and session-RPE load (Foster et al. 2001).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

mod monotony;
mod returns;
mod spikes;

use crate::config::LoadSettings;
use crate::model::{Activity, Break, FirstDay, Ratios, RunCore, Week};
use crate::series::median;

pub(crate) use returns::{breaks, rise, Rise};
pub(crate) use spikes::long_run_spikes;

/// The calendar day of a local time (Unix seconds shifted by the athlete's offset).
pub(super) fn day_of(local_unix: i64) -> Option<NaiveDate> {
    let days = local_unix.div_euclid(86_400);
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(Duration::days(days))
}

pub(super) fn week_start_of(day: NaiveDate, first: Weekday) -> NaiveDate {
    FirstDay(first).week_of(day)
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
    breaks: &[Break],
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
    let n_weeks = ((week_start_of(hi, first) - w0).num_days() / 7 + 1) as usize;
    let mut out = calendar(w0, n_weeks);
    let placed = place_runs(&dated, w0, &mut out);
    // Lo may be a diary day before the first run: windows count from the first run.
    let first_run = dated.iter().map(|x| x.0).min().unwrap_or(lo);
    let first_day = (first_run - w0).num_days() as usize;
    set_ratios(&mut out, &placed, first_day);
    let in_break = returns::mark_returns(&mut out, breaks, w0, cfg);
    returns::set_usual(&mut out, &in_break, first_day / 7, cfg);
    monotony::set_monotony(&mut out, &placed, &in_break, first_day / 7, cfg);
    set_balance(&mut out, &dated, w0);
    returns::set_return_bases(&mut out, breaks, w0);
    returns::set_flags(&mut out, &placed.surfaces_seen, &in_break, cfg);
    out
}

/// Every week from `w0`, with its start and ISO week.
fn calendar(w0: NaiveDate, n_weeks: usize) -> Vec<Week> {
    (0..n_weeks)
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
        .collect()
}

/// The runs placed on their local days: the daily series the ratios are read from, and the
/// surfaces seen each week.
pub(super) struct Placed {
    /// Distance per day, m.
    distance: Vec<f64>,
    /// Session-RPE load per day.
    srpe: Vec<f64>,
    /// Runs without an RPE per day (they make a window's sRPE unknown).
    unrated: Vec<f64>,
    /// A bit set of the surfaces run on, per week.
    surfaces_seen: Vec<u8>,
}

/// Adds each run to its week's totals and its day's loads.
fn place_runs(dated: &[(NaiveDate, &Activity)], w0: NaiveDate, out: &mut [Week]) -> Placed {
    let n_days = out.len() * 7;
    let mut p = Placed {
        distance: vec![0.0; n_days],
        srpe: vec![0.0; n_days],
        unrated: vec![0.0; n_days],
        surfaces_seen: vec![0; out.len()],
    };
    for (day, a) in dated {
        let di = (*day - w0).num_days() as usize;
        let w = &mut out[di / 7];
        let r = &a.run;
        let dist = r.distance_m.unwrap_or(0.0);
        if p.distance[di] == 0.0 && dist > 0.0 {
            w.running_days += 1;
        }
        p.distance[di] += dist;
        w.runs += 1;
        w.distance_m += dist;
        w.duration_s += r.duration_s.unwrap_or(0.0);
        w.ascent_m += r.ascent_m.unwrap_or(0.0);
        w.descent_m += r.descent_m.unwrap_or(0.0);
        w.downhill_m += r.downhill.downhill_m;
        w.longest_run_m = w.longest_run_m.max(dist);
        let si = a.run.surface as usize;
        w.surface_m[si] += dist;
        p.surfaces_seen[di / 7] |= 1 << si;
        match srpe(r) {
            Some(load) => {
                p.srpe[di] += load;
                *w.srpe_load.get_or_insert(0.0) += load;
            }
            None => {
                p.unrated[di] += 1.0;
                w.runs_without_rpe += 1;
            }
        }
    }
    p
}

/// Each week's contact-time balance: the median of its runs' (those that carry one).
fn set_balance(out: &mut [Week], dated: &[(NaiveDate, &Activity)], w0: NaiveDate) {
    let mut per_week: Vec<Vec<f64>> = vec![Vec::new(); out.len()];
    for (day, a) in dated {
        if let Some(b) = a.run.gct_balance_left_pct.get() {
            per_week[(*day - w0).num_days() as usize / 7].push(b);
        }
    }
    for (w, mut v) in out.iter_mut().zip(per_week) {
        w.gct_balance_left_pct = median(&mut v);
    }
}

/// Acute and chronic loads and their ratios on each week's last day, distance and session-RPE,
/// and the changes on one and two weeks before.
fn set_ratios(out: &mut [Week], placed: &Placed, first_day: usize) {
    let distance = Daily::new(&placed.distance);
    let srpe_daily = Daily::new(&placed.srpe);
    let unrated = Daily::new(&placed.unrated);
    for i in 0..out.len() {
        let last = i * 7 + 6;
        let r = distance.ratios(last);
        let prev = (i >= 1).then(|| out[i - 1].distance_m);
        let prev2 = (i >= 2).then(|| out[i - 2].distance_m);
        let w = &mut out[i];
        w.acute_7d_m = r.acute_7d.unwrap_or(0.0);
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
        let change = |p: f64| 100.0 * (w.distance_m - p) / p;
        w.change_pct = prev.filter(|&p| p > 0.0).map(change);
        w.change_2w_pct = prev2.filter(|&p| p > 0.0).map(change);
    }
}

/// A run's session-RPE load (Foster et al. 2001): RPE (CR10) × timer minutes; `None` without
/// an RPE or a timer time.
pub(super) fn srpe(r: &RunCore) -> Option<f64> {
    Some(r.rpe.get()? * r.duration_s.get()? / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
