//! One running session → its facts: totals, gait, cadence, downhill and surface.

use super::{cadence, downhill, gait, surface, SampleSeries};
use crate::config::FileSettings;
use crate::fit::time::is_dated;
use crate::model::{
    valid_altitude, CadenceSource, Decoded, Gait, RunFacts, Samples, SessionMsg, Sport,
    TotalsSource,
};
use crate::series::weighted_median_mean;

/// Sums record intervals no longer than this as timer time when a file has no session.
const MAX_TIMER_GAP_S: i64 = 30;

/// Timer time rebuilt from record time stamps: the intervals of at most 30 s, summed; `None`
/// with fewer than two samples.
pub(super) fn records_timer_s(t: &[i64]) -> Option<f64> {
    (t.len() > 1).then(|| {
        t.windows(2)
            .map(|w| w[1] - w[0])
            .filter(|&dt| dt > 0 && dt <= MAX_TIMER_GAP_S)
            .sum::<i64>() as f64
    })
}

/// The facts of session `index` (`s`) of file `d`, from its samples, both already through the
/// guard (`guard/`), which also fills the totals the session lacks from the records.
pub(super) fn facts(
    index: u32,
    s: &SessionMsg,
    samples: &Samples,
    d: &Decoded,
    cfg: &FileSettings<'_>,
    totals_repaired: bool,
) -> RunFacts {
    let first_t = samples.t.first().copied();
    let start_utc = s.start.or(first_t).filter(|&t| is_dated(t));
    let series = SampleSeries::new(samples, cfg.gait);
    let has_cadence = samples.cadence_raw.iter().any(|&x| x > 0.0);
    let cadence = RunCadence::of(&series, has_cadence, s);
    let (running_s, walking_s) = (series.seconds(Gait::Running), series.seconds(Gait::Walking));
    RunFacts {
        label: Default::default(),
        session: index,
        start_utc,
        utc_offset_s: d.utc_offset_raw_s.map(round_offset),
        sport: Sport::Running,
        sub_sport: s.sub_sport.clone(),
        device: d.file.device(),
        duration_s: s.timer_s,
        elapsed_s: s.elapsed_s,
        distance_m: s.distance_m,
        ascent_m: s.ascent_m,
        descent_m: s.descent_m,
        avg_speed_mps: s.avg_speed_mps,
        cadence_spm: cadence.median_spm,
        cadence_spm_mean: cadence.mean_spm,
        cadence_source: cadence.source,
        power_w: running_median(&samples.power_w, &series),
        gct_balance_left_pct: running_median(&samples.stance_balance_pct, &series),
        running_s,
        walking_s,
        gait: gait::of_run(running_s, walking_s, cfg.gait),
        // A value outside its scale is a device's placeholder or garbage: not recorded.
        rpe: s.rpe.filter(|x| (0.0..=10.0).contains(x)),
        feel: s.feel.filter(|x| (0.0..=100.0).contains(x)),
        samples: samples.len() as u32,
        has_gps: samples.lat_deg.iter().any(|x| x.is_finite()),
        has_altitude: samples.altitude_m.iter().any(|&x| valid_altitude(x)),
        has_cadence,
        totals_source: totals_source(s, totals_repaired),
        file_key: d.file.serial.zip(d.file.time_created),
        downhill: downhill::analyse(samples, &series, cfg.downhill, cfg.guard.max_step_length_m),
        surface: surface::surface(samples, &series, s.sub_sport.as_deref(), cfg.surface),
    }
}

/// A run's cadence and where it came from.
#[derive(Clone, Copy, Debug, Default)]
struct RunCadence {
    median_spm: Option<f64>,
    mean_spm: Option<f64>,
    source: Option<CadenceSource>,
}

impl RunCadence {
    /// The cadence of the running samples; records with cadence but no running (a walk) have
    /// none. The session's average (`s`) stands in only when no record carries cadence at all.
    fn of(series: &SampleSeries, has_cadence: bool, s: &SessionMsg) -> RunCadence {
        if let Some(c) = cadence::cadence(&series.spm, &series.weight_s) {
            return RunCadence {
                median_spm: Some(c.median_spm),
                mean_spm: Some(c.mean_spm),
                source: Some(CadenceSource::Records),
            };
        }
        if has_cadence {
            return RunCadence::default(); // a walk
        }
        match s.avg_cadence_raw.filter(|&c| c > 0.0) {
            Some(c) => {
                let spm = cadence::to_spm(c);
                RunCadence {
                    median_spm: Some(spm),
                    mean_spm: Some(spm),
                    source: Some(CadenceSource::Session),
                }
            }
            None => RunCadence::default(),
        }
    }
}

/// Where the totals of session `s` came from: repaired by the guard, the session message, or
/// the records.
fn totals_source(s: &SessionMsg, totals_repaired: bool) -> TotalsSource {
    if totals_repaired {
        TotalsSource::Repaired
    } else if s.from_session_message {
        TotalsSource::Session
    } else {
        TotalsSource::Records
    }
}

/// The time-weighted median of a per-sample column (power, contact-time balance) over the
/// running samples that carry a value above 0.
fn running_median(column: &[f64], series: &SampleSeries) -> Option<f64> {
    let w: Vec<f64> = (series.gait.iter().enumerate())
        .map(|(i, g)| match column.get(i) {
            Some(&p) if *g == Gait::Running && p > 0.0 => p,
            _ => f64::NAN,
        })
        .collect();
    weighted_median_mean(&w, &series.weight_s).map(|(median, _, _)| median)
}

/// Rounds a device-reported offset to the nearest quarter hour: every civil UTC offset is a
/// multiple of 15 minutes, and devices write the two time stamps a second or two apart.
fn round_offset(raw: i64) -> i32 {
    ((raw as f64 / 900.0).round() * 900.0) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_to_quarter_hours() {
        assert_eq!(round_offset(7200), 7200);
        assert_eq!(round_offset(7199), 7200);
        assert_eq!(round_offset(-18_002), -18_000);
        assert_eq!(round_offset(19_800), 19_800); // UTC+5:30
        assert_eq!(round_offset(20_700), 20_700); // UTC+5:45
    }
}
