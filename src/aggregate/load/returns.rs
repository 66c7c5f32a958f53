//! Breaks in running and the returns after them, the usual weekly load, and the weekly flags
//! read against it: a ramp is a rise over the larger of the reference week and the usual load,
//! a return is judged against the load the runner held before the break, and the
//! acute:chronic band only where the chronic window holds no break.

use std::collections::VecDeque;

use chrono::{Duration, NaiveDate, Weekday};

use super::week_start_of;
use crate::config::LoadSettings;
use crate::model::{Activity, Break, ReturnWeek, Surface, Week};
use crate::series::median;

/// The breaks in running: stretches of at least `break_min_days` days without a run between
/// two runs, each with the return after it (as many weeks as the break lasted, rounded, at
/// most `return_max_weeks`, counted from the week of the first run back).
pub(crate) fn breaks(activities: &[Activity], cfg: &LoadSettings, first: Weekday) -> Vec<Break> {
    let mut days: Vec<NaiveDate> = activities.iter().filter_map(|a| a.local_day).collect();
    days.sort_unstable();
    days.dedup();
    days.windows(2)
        .filter_map(|w| {
            let idle = (w[1] - w[0]).num_days() - 1;
            (idle >= i64::from(cfg.break_min_days)).then(|| {
                // The weeks off, rounded: 15 days (a Sunday run, then a Tuesday two weeks
                // later) are two weeks.
                let return_weeks = ((idle as u32 + 3) / 7).clamp(1, cfg.return_max_weeks);
                let return_end =
                    week_start_of(w[1], first) + Duration::days(7 * i64::from(return_weeks) - 1);
                Break {
                    first: w[0] + Duration::days(1),
                    back: w[1],
                    return_weeks,
                    return_end,
                }
            })
        })
        .collect()
}

/// Marks the weeks of each return after a break (their base is set once the usual loads are
/// known); returns which days lie inside a break.
pub(super) fn mark_returns(
    out: &mut [Week],
    breaks: &[Break],
    w0: NaiveDate,
    cfg: &LoadSettings,
) -> Vec<bool> {
    let mut in_break = vec![false; out.len() * 7];
    let index = |d: NaiveDate| (d - w0).num_days() as usize;
    for b in breaks {
        in_break[index(b.first)..index(b.back)].fill(true);
    }
    // A later return overrides an earlier one from its first week.
    for b in breaks {
        let r0 = index(b.back) / 7;
        let half = b.return_weeks.div_ceil(2);
        for k in 0..b.return_weeks {
            let Some(w) = out.get_mut(r0 + k as usize) else {
                break;
            };
            let first_half = k < half;
            w.ret = Some(ReturnWeek {
                week: k + 1,
                of: b.return_weeks,
                break_days: b.days(),
                base_m: None,
                max_pct: if first_half {
                    cfg.return_first_max_pct
                } else {
                    cfg.return_second_max_pct
                },
                first_half,
            });
        }
    }
    in_break
}

/// The usual weekly distance before each week: the median of the last `usual_weeks` regular
/// weeks (neither all inside a break nor part of a return).
pub(super) fn set_usual(
    out: &mut [Week],
    in_break: &[bool],
    first_week: usize,
    cfg: &LoadSettings,
) {
    let usual = usual_before(out, in_break, first_week, cfg, |w| Some(w.distance_m));
    for (w, u) in out.iter_mut().zip(usual) {
        w.usual_m = u;
    }
}

/// Before each week, the median of `value` over the last `usual_weeks` regular weeks (neither
/// all inside a break nor part of a return) that have one; `None` until there are that many.
pub(super) fn usual_before(
    out: &[Week],
    in_break: &[bool],
    first_week: usize,
    cfg: &LoadSettings,
    value: impl Fn(&Week) -> Option<f64>,
) -> Vec<Option<f64>> {
    let n = cfg.usual_weeks.max(1) as usize;
    let regular = |i: usize, w: &Week| {
        i >= first_week && w.ret.is_none() && !in_break[i * 7..i * 7 + 7].iter().all(|&b| b)
    };
    let mut recent: VecDeque<f64> = VecDeque::with_capacity(n);
    let mut usual = Vec::with_capacity(out.len());
    for (i, w) in out.iter().enumerate() {
        usual.push((recent.len() == n).then(|| {
            let mut v: Vec<f64> = recent.iter().copied().collect();
            median(&mut v).unwrap_or(0.0)
        }));
        if let (true, Some(x)) = (regular(i, w), value(w)) {
            if recent.len() == n {
                recent.pop_front();
            }
            recent.push_back(x);
        }
    }
    usual
}

/// Each return's base: the usual weekly distance of the week its break began in.
pub(super) fn set_return_bases(out: &mut [Week], breaks: &[Break], w0: NaiveDate) {
    let week = |d: NaiveDate| (d - w0).num_days() as usize / 7;
    for b in breaks {
        let base = out[week(b.first)].usual_m;
        let r0 = week(b.back);
        for w in out.iter_mut().skip(r0).take(b.return_weeks as usize) {
            if let Some(r) = w.ret.as_mut() {
                r.base_m = base;
            }
        }
    }
}

/// A week's rise over its reference for the ramps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rise {
    /// How far above the reference, %.
    pub(crate) pct: f64,
    /// The reference: the larger of the week `back` weeks before and the usual load, m.
    pub(crate) reference_m: f64,
    /// The usual load was the larger.
    pub(crate) usual: bool,
}

/// How far week `i` rose above the larger of the week `back` weeks before and the usual load;
/// `None` without a usual load (too little history) or with a reference below `min_base_m` (a
/// rise from almost nothing is a return, not a percentage).
pub(crate) fn rise(weeks: &[Week], i: usize, back: usize, min_base_m: f64) -> Option<Rise> {
    let usual = weeks[i].usual_m?;
    let before = if i >= back {
        weeks[i - back].distance_m
    } else {
        0.0
    };
    let reference_m = before.max(usual);
    (reference_m >= min_base_m).then(|| Rise {
        pct: 100.0 * (weeks[i].distance_m - reference_m) / reference_m,
        reference_m,
        usual: usual > before,
    })
}

/// The weekly flags: ramps against the larger of the reference week and the usual load, the
/// acute:chronic band where the chronic window holds no break, returns above their plan, and
/// weeks on one surface.
pub(super) fn set_flags(
    out: &mut [Week],
    surfaces_seen: &[u8],
    in_break: &[bool],
    cfg: &LoadSettings,
) {
    for i in 0..out.len() {
        let above =
            |back: usize, pct: f64| rise(out, i, back, cfg.min_base_m).is_some_and(|r| r.pct > pct);
        let judged = out[i].ret.is_none();
        let ramp = judged && above(1, cfg.ramp_max_pct);
        let ramp_2w = judged && above(2, cfg.ramp_2w_max_pct);
        let last = i * 7 + 6;
        let window_held = !in_break[(last + 1).saturating_sub(28)..=last]
            .iter()
            .any(|&b| b);
        let w = &mut out[i];
        w.flag_ramp = ramp;
        w.flag_ramp_2w = ramp_2w;
        w.flag_acwr = judged
            && window_held
            && w.chronic_complete
            && w.acwr.is_some_and(|r| {
                (r > cfg.acwr_high && w.acute_7d_m >= cfg.acwr_min_acute_m)
                    || (r < cfg.acwr_low && w.runs > 0)
            });
        w.flag_return = w.ret.is_some_and(|r| {
            r.base_m.is_some_and(|b| {
                b >= cfg.min_base_m
                    && w.distance_m >= cfg.min_base_m
                    && w.distance_m > b * r.max_pct / 100.0
            })
        });
        let n = cfg.no_variety_weeks.max(1) as usize;
        if i + 1 >= n && w.runs > 0 {
            let span = (i + 1 - n)..=i;
            let runs: u32 = span.clone().map(|k| out[k].runs).sum();
            let seen = span.map(|k| surfaces_seen[k]).fold(0u8, |a, b| a | b);
            // One known surface (not `unknown`) across at least two runs.
            out[i].flag_no_variety =
                runs >= 2 && seen.count_ones() == 1 && seen & (1 << Surface::Unknown as usize) == 0;
        }
    }
}
