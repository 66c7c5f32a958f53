//! Settings of the stages across runs: weekly load and the findings.

use serde::{Deserialize, Serialize};

use super::{check, non_negative, positive, within, Violation};

/// Settings of the load analysis (`[load]` in the config file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct LoadSettings {
    /// Flag a week whose distance is up more than this on the previous week, %.
    pub(crate) ramp_max_pct: f64,
    /// Flag a week whose distance is up more than this on the week two weeks before, %.
    pub(crate) ramp_2w_max_pct: f64,
    /// Flag an acute:chronic ratio above this.
    pub(crate) acwr_high: f64,
    /// …and one at or above this is `high` (above `acwr_high`, `watch`).
    pub(crate) acwr_severe: f64,
    /// Flag an acute:chronic ratio below this.
    pub(crate) acwr_low: f64,
    /// A high ratio is flagged only when the week holds at least this much running, m: a ratio
    /// has no scale, and a short jog after a break is not a load spike.
    pub(crate) acwr_min_acute_m: f64,
    /// Flag a run more than this much longer than the longest run of the lookback window, %.
    pub(crate) long_run_spike_pct: f64,
    /// The window for the long-run comparison, days before the run.
    pub(crate) long_run_lookback_days: u32,
    /// The shortest run that counts as the longest of the window, m: a recording shorter than
    /// this (a watch started by mistake) is no long run to grow from.
    pub(crate) long_run_min_prev_m: f64,
    /// A long-run spike beyond this, %, is `high` (beyond `long_run_spike_pct`, `watch`).
    pub(crate) long_run_spike_high_pct: f64,
    /// Flag when every run of this many weeks (this one included) was on one surface.
    pub(crate) no_variety_weeks: u32,
    /// The usual weekly distance is the median of this many regular weeks before a week (weeks
    /// neither inside a break nor part of the return after one).
    pub(crate) usual_weeks: u32,
    /// A reference week (last week, the usual, the load before a break) below this is no base
    /// for a percentage, m: a rise from it is a return, not a ramp.
    pub(crate) min_base_m: f64,
    /// This many days or more without running are a break; the weeks after it are a return,
    /// judged against the usual weekly distance before the break.
    pub(crate) break_min_days: u32,
    /// A return lasts as many weeks as the break did, at most this many.
    pub(crate) return_max_weeks: u32,
    /// In the first half of a return, a week above this share of the load before the break is
    /// flagged, % (a gradual return starts at about half).
    pub(crate) return_first_max_pct: f64,
    /// In the second half, above this share, %.
    pub(crate) return_second_max_pct: f64,
    /// A week of the first half at or above this share is a return at full load (`high`), %.
    pub(crate) return_full_pct: f64,
    /// Offset used for runs whose device wrote none, s east of UTC.
    pub(crate) default_utc_offset_s: i32,
}

impl Default for LoadSettings {
    fn default() -> Self {
        LoadSettings {
            ramp_max_pct: 10.0,
            ramp_2w_max_pct: 30.0,
            acwr_high: 1.5,
            acwr_severe: 2.0,
            acwr_low: 0.8,
            acwr_min_acute_m: 5000.0,
            long_run_spike_pct: 10.0,
            long_run_lookback_days: 30,
            long_run_min_prev_m: 1000.0,
            long_run_spike_high_pct: 30.0,
            no_variety_weeks: 4,
            usual_weeks: 4,
            min_base_m: 5000.0,
            break_min_days: 14,
            return_max_weeks: 8,
            return_first_max_pct: 60.0,
            return_second_max_pct: 85.0,
            return_full_pct: 90.0,
            default_utc_offset_s: 0,
        }
    }
}

/// Settings of the findings (`[findings]` in the config file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct FindingsSettings {
    /// A run's median cadence below this is flagged, steps/min.
    pub(crate) low_cadence_spm: f64,
    /// …and below this the finding is `high`, steps/min.
    pub(crate) low_cadence_high_spm: f64,
    /// A run's cadence is judged only with at least this much running in it, s.
    pub(crate) low_cadence_min_running_s: f64,
    /// A speed-matched downhill cadence drop above this is flagged, steps/min.
    pub(crate) overstride_drop_spm: f64,
    /// …and above this the finding is `high`, steps/min.
    pub(crate) overstride_drop_high_spm: f64,
    /// Downhill running needed in a run before its cadence drop is judged, m.
    pub(crate) overstride_min_downhill_m: f64,
    /// Length of the two periods compared by the history trends, weeks.
    pub(crate) trend_weeks: u32,
    /// A fall of the median cadence between the two periods beyond this is flagged, steps/min.
    pub(crate) cadence_trend_drop_spm: f64,
    /// A share of downhill distance in the recent period above this is flagged, %.
    pub(crate) downhill_share_pct: f64,
    /// A diary day with pain above this (0–10) is a finding.
    pub(crate) pain_threshold: f64,
    /// …and at or above this it is `high`: back off (0–10).
    pub(crate) pain_high: f64,
    /// A pain finding names what preceded it in this many days up to the day.
    pub(crate) pain_lookback_days: u32,
    /// A rule's occurrence within this many days of its previous one continues that episode.
    pub(crate) episode_gap_days: u32,
    /// A rule with this many `watch` or `info` episodes or more is summarised as one pattern
    /// (`high` episodes are always listed one by one).
    pub(crate) pattern_min_episodes: u32,
    /// What matters now: episodes that reach into this many weeks up to the history's last day
    /// lead the list.
    pub(crate) recent_weeks: u32,
}

impl Default for FindingsSettings {
    fn default() -> Self {
        FindingsSettings {
            low_cadence_spm: 160.0,
            low_cadence_high_spm: 150.0,
            low_cadence_min_running_s: 300.0,
            overstride_drop_spm: 5.0,
            overstride_drop_high_spm: 10.0,
            overstride_min_downhill_m: 400.0,
            trend_weeks: 12,
            cadence_trend_drop_spm: 3.0,
            downhill_share_pct: 20.0,
            pain_threshold: 3.0,
            pain_high: 7.0,
            pain_lookback_days: 28,
            episode_gap_days: 7,
            pattern_min_episodes: 4,
            recent_weeks: 4,
        }
    }
}

impl LoadSettings {
    pub(super) fn validate(&self) -> Result<(), Violation> {
        non_negative("load.ramp_max_pct", self.ramp_max_pct)?;
        non_negative("load.ramp_2w_max_pct", self.ramp_2w_max_pct)?;
        non_negative("load.acwr_low", self.acwr_low)?;
        non_negative("load.acwr_min_acute_m", self.acwr_min_acute_m)?;
        check(
            self.acwr_high.is_finite() && self.acwr_high > self.acwr_low,
            "load.acwr_high",
            "must be above load.acwr_low",
        )?;
        check(
            self.acwr_severe.is_finite() && self.acwr_severe >= self.acwr_high,
            "load.acwr_severe",
            "must be at or above load.acwr_high",
        )?;
        non_negative("load.long_run_spike_pct", self.long_run_spike_pct)?;
        check(
            self.long_run_lookback_days >= 1,
            "load.long_run_lookback_days",
            "must be at least 1",
        )?;
        non_negative("load.long_run_min_prev_m", self.long_run_min_prev_m)?;
        check(
            self.long_run_spike_high_pct.is_finite()
                && self.long_run_spike_high_pct >= self.long_run_spike_pct,
            "load.long_run_spike_high_pct",
            "must be at or above load.long_run_spike_pct",
        )?;
        check(
            self.no_variety_weeks >= 1,
            "load.no_variety_weeks",
            "must be at least 1",
        )?;
        check(
            self.usual_weeks >= 1,
            "load.usual_weeks",
            "must be at least 1",
        )?;
        non_negative("load.min_base_m", self.min_base_m)?;
        check(
            self.break_min_days >= 1,
            "load.break_min_days",
            "must be at least 1",
        )?;
        check(
            self.return_max_weeks >= 1,
            "load.return_max_weeks",
            "must be at least 1",
        )?;
        within(
            "load.return_first_max_pct",
            self.return_first_max_pct,
            0.0,
            1000.0,
        )?;
        check(
            self.return_second_max_pct >= self.return_first_max_pct
                && self.return_second_max_pct <= 1000.0,
            "load.return_second_max_pct",
            "must be from load.return_first_max_pct to 1000",
        )?;
        check(
            self.return_full_pct >= self.return_first_max_pct && self.return_full_pct <= 1000.0,
            "load.return_full_pct",
            "must be from load.return_first_max_pct to 1000",
        )?;
        check(
            (-14 * 3600..=14 * 3600).contains(&self.default_utc_offset_s),
            "load.default_utc_offset_s",
            "must be within ±14 hours (±50400 s)",
        )
    }
}

impl FindingsSettings {
    pub(super) fn validate(&self) -> Result<(), Violation> {
        positive("findings.low_cadence_spm", self.low_cadence_spm)?;
        check(
            self.low_cadence_high_spm > 0.0 && self.low_cadence_high_spm <= self.low_cadence_spm,
            "findings.low_cadence_high_spm",
            "must be positive and at or below findings.low_cadence_spm",
        )?;
        non_negative(
            "findings.low_cadence_min_running_s",
            self.low_cadence_min_running_s,
        )?;
        non_negative("findings.overstride_drop_spm", self.overstride_drop_spm)?;
        check(
            self.overstride_drop_high_spm >= self.overstride_drop_spm,
            "findings.overstride_drop_high_spm",
            "must be at or above findings.overstride_drop_spm",
        )?;
        non_negative(
            "findings.overstride_min_downhill_m",
            self.overstride_min_downhill_m,
        )?;
        check(
            self.trend_weeks >= 1,
            "findings.trend_weeks",
            "must be at least 1",
        )?;
        non_negative(
            "findings.cadence_trend_drop_spm",
            self.cadence_trend_drop_spm,
        )?;
        within(
            "findings.downhill_share_pct",
            self.downhill_share_pct,
            0.0,
            100.0,
        )?;
        within("findings.pain_threshold", self.pain_threshold, 0.0, 10.0)?;
        check(
            self.pain_high > self.pain_threshold && self.pain_high <= 10.0,
            "findings.pain_high",
            "must be above findings.pain_threshold and at most 10",
        )?;
        check(
            self.pain_lookback_days >= 1,
            "findings.pain_lookback_days",
            "must be at least 1",
        )?;
        check(
            self.pattern_min_episodes >= 2,
            "findings.pattern_min_episodes",
            "must be at least 2",
        )?;
        check(
            self.recent_weeks >= 1,
            "findings.recent_weeks",
            "must be at least 1",
        )
    }
}
