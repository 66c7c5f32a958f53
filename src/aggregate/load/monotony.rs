//! Training monotony and strain (Foster 1998): how evenly a week's load was spread over its
//! seven local days, and the week's load weighted by it.
//!
//! monotony = mean daily load ÷ standard deviation of the daily loads, over the week's seven
//! days, a day without running counting as 0; strain = the week's load × monotony. The
//! standard deviation is the population one (divided by 7, not 6): the seven days are the whole
//! week, not a sample of it, and it is the convention Runalyze uses, so the figures can be
//! compared with it. Seven equal days have no spread and an unbounded monotony: it is capped at
//! [`MONOTONY_CAP`], as Runalyze caps it.

use super::returns::usual_before;
use super::Placed;
use crate::config::LoadSettings;
use crate::model::Week;

/// The largest monotony reported: seven days of one load (no spread at all), or as good as
/// (distances a few metres apart), read as this.
pub(crate) const MONOTONY_CAP: f64 = 10.0;

/// The monotony of seven daily loads; `None` when the week holds no load.
pub(crate) fn monotony(days: &[f64]) -> Option<f64> {
    let n = days.len() as f64;
    let mean = days.iter().sum::<f64>() / n;
    // NaN (no days) and 0 alike: no load.
    if mean.is_nan() || mean <= 0.0 {
        return None;
    }
    let sd = (days.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    Some(if sd > 0.0 {
        (mean / sd).min(MONOTONY_CAP)
    } else {
        MONOTONY_CAP
    })
}

/// Each week's monotony and strain, on distance and (where every run of the week is rated) on
/// session-RPE; the usual strain before it; and the flag: monotony at or above
/// `monotony_max` with the strain more than `strain_rise_pct` above the usual.
pub(super) fn set_monotony(
    out: &mut [Week],
    placed: &Placed,
    in_break: &[bool],
    first_week: usize,
    cfg: &LoadSettings,
) {
    for (i, w) in out.iter_mut().enumerate() {
        let days = i * 7..i * 7 + 7;
        w.monotony = monotony(&placed.distance[days.clone()]);
        w.strain_km = w.monotony.map(|m| w.distance_m / 1000.0 * m);
        if w.runs > 0 && w.runs_without_rpe == 0 {
            w.srpe_monotony = monotony(&placed.srpe[days]);
            w.srpe_strain = w.srpe_monotony.zip(w.srpe_load).map(|(m, l)| l * m);
        }
    }
    // The usual strain, like the usual distance, is read from regular weeks.
    let usual = usual_before(out, in_break, first_week, cfg, |w| w.strain_km);
    for (w, usual) in out.iter_mut().zip(usual) {
        w.usual_strain_km = usual;
        w.flag_monotony = match (w.monotony, w.strain_km, usual) {
            (Some(m), Some(s), Some(usual)) => {
                m >= cfg.monotony_max
                    && w.distance_m >= cfg.min_base_m
                    && usual > 0.0
                    && s > usual * (1.0 + cfg.strain_rise_pct / 100.0)
            }
            _ => false,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotony_is_the_mean_over_the_population_sd_of_seven_days() {
        // Three 10 km days: mean 30/7, variance 3·100/7 − (30/7)² = 1200/49, sd = √1200 / 7.
        let m = monotony(&[10.0, 0.0, 10.0, 0.0, 10.0, 0.0, 0.0]).unwrap();
        assert!((m - 30.0 / 1200f64.sqrt()).abs() < 1e-12, "{m}");
        // Six equal days and a rest day: 6 / √6.
        let m = monotony(&[8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 0.0]).unwrap();
        assert!((m - 6f64.sqrt()).abs() < 1e-12, "{m}");
        // One run: 1 / √6, whatever its length.
        let m = monotony(&[0.0, 0.0, 0.0, 21.1, 0.0, 0.0, 0.0]).unwrap();
        assert!((m - 1.0 / 6f64.sqrt()).abs() < 1e-12, "{m}");
        assert_eq!(monotony(&[5.0; 7]), Some(MONOTONY_CAP));
        assert_eq!(
            monotony(&[5.0, 5.001, 5.0, 5.0, 5.0, 5.0, 5.0]),
            Some(MONOTONY_CAP)
        );
        assert_eq!(monotony(&[0.0; 7]), None);
    }
}
