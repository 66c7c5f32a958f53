//! Settings of the stages across runs: weekly load and the findings.

use super::declare::settings;

settings! {
    /// Settings of the load analysis (`[load]` in the config file).
    struct LoadSettings = "load", "Weekly load in local time, and long-run spikes." {
        /// Flag a week whose distance is up more than this on the previous week, %.
        ramp_max_pct: f64 = 10.0, [NonNegative], "Flag a week up more than this on the previous week, % (the \"10 % rule\").";
        /// Flag a week whose distance is up more than this on the week two weeks before, %.
        ramp_2w_max_pct: f64 = 30.0, [NonNegative], "Flag a week up more than this on two weeks before, % (Nielsen et al. 2014).";
        /// Flag an acute:chronic ratio above this.
        acwr_high: f64 = 1.5, [When(|s| s.acwr_high.is_finite() && s.acwr_high > s.acwr_low, "must be above load.acwr_low")], "Flag an acute:chronic ratio above this (Gabbett 2016).";
        /// …and one at or above this is `high` (above `acwr_high`, `watch`).
        acwr_severe: f64 = 2.0, [When(|s| s.acwr_severe.is_finite() && s.acwr_severe >= s.acwr_high, "must be at or above load.acwr_high")], "…as `high` at or above this (above acwr_high, `watch`: the ratio's evidence in runners is weak).";
        /// Flag an acute:chronic ratio below this.
        acwr_low: f64 = 0.8, [NonNegative], "…or below this.";
        /// A high ratio is flagged only when the week holds at least this much running, m: a ratio
        /// has no scale, and a short jog after a break is not a load spike.
        acwr_min_acute_m: f64 = 5000.0, [NonNegative], "A high ratio counts only with at least this much running in the week, m.";
        /// Flag a run more than this much longer than the longest run of the lookback window, %.
        long_run_spike_pct: f64 = 10.0, [NonNegative], "Flag a run more than this longer than the longest of the lookback, % (BJSM 2025).";
        /// The window for the long-run comparison, days before the run.
        long_run_lookback_days: u32 = 30, [AtLeast(1.0)], "The lookback of the long-run rule, days.";
        /// The shortest run that counts as the longest of the window, m: a recording shorter than
        /// this (a watch started by mistake) is no long run to grow from.
        long_run_min_prev_m: f64 = 1000.0, [NonNegative], "Runs shorter than this do not count as the longest of the lookback, m.";
        /// A long-run spike beyond this, %, is `high` (beyond `long_run_spike_pct`, `watch`).
        long_run_spike_high_pct: f64 = 30.0, [When(|s| s.long_run_spike_high_pct.is_finite() && s.long_run_spike_high_pct >= s.long_run_spike_pct, "must be at or above load.long_run_spike_pct")], "…as `high` beyond this, % (below it, `watch`).";
        /// Flag when every run of this many weeks (this one included) was on one surface.
        no_variety_weeks: u32 = 4, [AtLeast(1.0)], "Flag when every run of this many weeks was on one surface.";
        /// The usual weekly distance is the median of this many regular weeks before a week (weeks
        /// neither inside a break nor part of the return after one).
        usual_weeks: u32 = 4, [AtLeast(1.0)], "The usual weekly distance: the median of this many weeks before, leaving out breaks and returns.";
        /// A reference week (last week, the usual, the load before a break) below this is no base
        /// for a percentage, m: a rise from it is a return, not a ramp.
        min_base_m: f64 = 5000.0, [NonNegative], "A reference week below this is no base for a percentage (a rise from it is a return, not a ramp), m.";
        /// This many days or more without running are a break; the weeks after it are a return,
        /// judged against the usual weekly distance before the break.
        break_min_days: u32 = 14, [AtLeast(1.0)], "This many days without running are a break; the weeks after it are a return, judged against the load before it.";
        /// A return lasts as many weeks as the break did, at most this many.
        return_max_weeks: u32 = 8, [AtLeast(1.0)], "A return lasts as many weeks as its break, at most this many.";
        /// In the first half of a return, a week above this share of the load before the break is
        /// flagged, % (a gradual return starts at about half).
        return_first_max_pct: f64 = 60.0, [Within(0.0, 1000.0)], "First half of a return: flag a week above this share of the usual load before the break, %.";
        /// In the second half, above this share, %.
        return_second_max_pct: f64 = 85.0, [When(|s| s.return_second_max_pct >= s.return_first_max_pct && s.return_second_max_pct <= 1000.0, "must be from load.return_first_max_pct to 1000")], "Second half of a return: flag a week above this share, %.";
        /// A week of the first half at or above this share is a return at full load (`high`), %.
        return_full_pct: f64 = 90.0, [When(|s| s.return_full_pct >= s.return_first_max_pct && s.return_full_pct <= 1000.0, "must be from load.return_first_max_pct to 1000")], "A first-half week at or above this share is a return at full load (`high`), %.";
        /// Flag a week whose training monotony (Foster 1998: mean daily distance ÷ its standard
        /// deviation over the week's seven days) is at or above this…
        monotony_max: f64 = 2.0, [Positive], "Flag a week whose monotony (mean daily distance ÷ its SD over 7 days) is at or above this… (2.0: coaching convention, Runalyze's critical level)";
        /// …while its strain (distance × monotony) is more than this above the usual strain (the
        /// median of the last `usual_weeks` regular weeks), %: Foster's thresholds were each
        /// athlete's own.
        strain_rise_pct: f64 = 20.0, [NonNegative], "…while its strain (km × monotony) is more than this above the usual strain of the last usual_weeks regular weeks, %…";
        /// …in at least this many weeks in a row (monotony that stays high); a single week is
        /// only flagged in the weekly table.
        monotony_weeks: u32 = 2, [AtLeast(1.0)], "…in at least this many weeks in a row (a single week is flagged in weeks.csv only).";
        /// Offset used for runs whose device wrote none, s east of UTC.
        default_utc_offset_s: i32 = 0, [When(|s| (-14 * 3600..=14 * 3600).contains(&s.default_utc_offset_s), "must be within ±14 hours (±50400 s)")], "Offset for runs whose device wrote none, s east of UTC.";
    }
}

settings! {
    /// Settings of the findings (`[findings]` in the config file).
    struct FindingsSettings = "findings", "The rules of the findings list." {
        /// A run's median cadence below this is flagged, steps/min.
        low_cadence_spm: f64 = 160.0, [Positive], "Flag a run whose median cadence is below this, steps/min.";
        /// …and below this the finding is `high`, steps/min.
        low_cadence_high_spm: f64 = 150.0, [When(|s| s.low_cadence_high_spm > 0.0 && s.low_cadence_high_spm <= s.low_cadence_spm, "must be positive and at or below findings.low_cadence_spm")], "…as `high` below this, steps/min.";
        /// A run's cadence is judged only with at least this much running in it, s.
        low_cadence_min_running_s: f64 = 300.0, [NonNegative], "A run's cadence is judged only with at least this much running in it, s.";
        /// A speed-matched downhill cadence drop above this is flagged, steps/min.
        overstride_drop_spm: f64 = 5.0, [NonNegative], "Flag a speed-matched downhill cadence drop above this, steps/min.";
        /// …and above this the finding is `high`, steps/min.
        overstride_drop_high_spm: f64 = 10.0, [When(|s| s.overstride_drop_high_spm >= s.overstride_drop_spm, "must be at or above findings.overstride_drop_spm")], "…as `high` above this, steps/min.";
        /// Downhill running needed in a run before its cadence drop is judged, m.
        overstride_min_downhill_m: f64 = 400.0, [NonNegative], "Downhill running a run needs before its drop is judged, m.";
        /// Length of the two periods compared by the history trends, weeks.
        trend_weeks: u32 = 12, [AtLeast(1.0)], "Length of the periods compared by the history trends, weeks.";
        /// A fall of the median cadence between the two periods beyond this is flagged, steps/min.
        cadence_trend_drop_spm: f64 = 3.0, [NonNegative], "Flag a fall of the median cadence between the periods beyond this, steps/min.";
        /// A share of downhill distance in the recent period above this is flagged, %.
        downhill_share_pct: f64 = 20.0, [Within(0.0, 100.0)], "Flag a recent share of downhill distance above this, %.";
        /// A diary day with pain above this (0–10) is a finding.
        pain_threshold: f64 = 3.0, [Within(0.0, 10.0)], "Flag a diary day with pain above this, 0–10 (or worse the next morning).";
        /// …and at or above this it is `high`: back off (0–10).
        pain_high: f64 = 7.0, [When(|s| s.pain_high > s.pain_threshold && s.pain_high <= 10.0, "must be above findings.pain_threshold and at most 10")], "…as `high` at or above this: back off, 0–10.";
        /// A pain finding names what preceded it in this many days up to the day.
        pain_lookback_days: u32 = 28, [AtLeast(1.0)], "A pain finding names what preceded it in this many days.";
        /// A run whose contact-time balance (left foot's share) is more than this many points off
        /// the runner's usual, with the runs next to it off on the same side, is a shift.
        gct_balance_shift_pct: f64 = 1.5, [Positive], "Flag runs whose contact-time balance is more than this off the runner's usual, percentage points…";
        /// …in a row of at least this many runs.
        gct_balance_min_runs: u32 = 2, [AtLeast(1.0)], "…this many runs in a row or more.";
        /// The usual balance is the median of the runs in this many days before a run…
        gct_balance_baseline_days: u32 = 56, [AtLeast(1.0)], "The usual balance: the median of the runs in this many days before…";
        /// …when there are at least this many of them.
        gct_balance_min_baseline_runs: u32 = 4, [AtLeast(1.0)], "…when there are at least this many.";
        /// A shift with a diary day of pain in this many days before it, or during it, is
        /// `watch` (otherwise `info`).
        gct_balance_pain_days: u32 = 14, [], "A shift is `watch` with pain in the diary this many days before it or during it, `info` otherwise.";
        /// A rule's occurrence within this many days of its previous one continues that episode.
        episode_gap_days: u32 = 7, [], "An occurrence within this many days of a rule's previous one continues that episode.";
        /// A rule with this many `watch` or `info` episodes or more is summarised as one pattern
        /// (`high` episodes are always listed one by one).
        pattern_min_episodes: u32 = 4, [AtLeast(2.0)], "From this many `watch` or `info` episodes of one rule, they are summarised as one pattern.";
        /// What matters now: episodes that reach into this many weeks up to the history's last day
        /// lead the list.
        recent_weeks: u32 = 4, [AtLeast(1.0)], "Episodes reaching into this many weeks up to the last day lead the list (what matters now).";
    }
}
