//! The report's rows, as aggregation builds them and the output stage writes them.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::{
    ExportIndex, FileRow, GearRow, GearSpan, Ledger, OptF64, OptI64, RunCore, RunFacts, Surface,
};

/// A local day on the wire, as days since 1 January of year 1 (chrono's serde is not built).
mod day {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        d.map(|d| d.num_days_from_ce()).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<i32>::deserialize(d)? {
            None => Ok(None),
            Some(n) => NaiveDate::from_num_days_from_ce_opt(n)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("a day out of range")),
        }
    }
}

/// What became of one member: its ledger row and its runs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The ledger row (status may still change to `duplicate` in aggregation).
    pub(crate) row: FileRow,
    /// Running sessions found.
    pub(crate) runs: Vec<RunFacts>,
    /// Share of input bytes for the progress bar.
    pub(crate) progress_bytes: u64,
    /// What the decoder complained of while reading it (see `fit::decode_noting`), a line
    /// each, for decoder.log.
    pub(crate) decoder: Vec<String>,
    /// Taken from the result cache, not read this time (never stored).
    #[serde(skip)]
    pub(crate) from_cache: bool,
}

/// One row of the activities table: a run and where it came from.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Activity {
    /// The file's place in discovery order (the ledger's `seq`): its source is the ledger's
    /// ([`Tables::source_of`]).
    pub(crate) seq: u32,
    /// The run (its full facts are read back for the tables).
    pub(crate) run: RunCore,
    /// Start on the athlete's clock, Unix seconds shifted by the offset the device wrote
    /// (`None` without a date or an offset).
    pub(crate) start_local: OptI64,
    /// The local calendar day the run counts on (the configured default offset stands in for
    /// a missing one); `None` without a date.
    #[serde(with = "day")]
    pub(crate) local_day: Option<NaiveDate>,
    /// Longest run in the lookback window before this one (30 days by default), m.
    pub(crate) longest_prev_30d_m: OptF64,
    /// What the long-run rule compares this run with, m: `longest_prev_30d_m`, or the longest
    /// run before a break when that is longer and the lookback reaches into the break or the
    /// return after it; `None` when the lookback is not all inside the history or holds
    /// nothing to compare.
    pub(crate) long_run_ref_m: OptF64,
    /// This run is more than the configured margin longer than `long_run_ref_m`.
    pub(crate) flag_long_run_spike: bool,
    /// The pain diary's score of the run's local day, 0–10 (`None`: no diary row that day).
    pub(crate) pain: OptF64,
    /// The diary's next-morning score of that day, 0–10.
    pub(crate) pain_next_morning: OptF64,
}

/// One row of the pain diary: a local day and how it hurt.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DiaryDay {
    /// The local calendar day.
    pub(crate) date: NaiveDate,
    /// Pain during or after running that day, 0–10.
    pub(crate) pain: f64,
    /// Pain the next morning, 0–10, counted on this row's day.
    pub(crate) next_morning: Option<f64>,
    /// Where it hurt, as written.
    pub(crate) location: Option<String>,
    /// The runner's note.
    pub(crate) note: Option<String>,
    /// The line of the diary file the row starts on (1-based, the header is line 1).
    pub(crate) line: usize,
}

impl DiaryDay {
    /// The day's highest score, during or next morning.
    pub(crate) fn worst(&self) -> f64 {
        self.next_morning.map_or(self.pain, |m| m.max(self.pain))
    }
}

/// The first day of the report's weeks (`--week-start`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FirstDay(pub(crate) Weekday);

impl Default for FirstDay {
    fn default() -> Self {
        FirstDay(Weekday::Mon)
    }
}

impl FirstDay {
    /// The first day of the week `day` falls in.
    pub(crate) fn week_of(self, day: NaiveDate) -> NaiveDate {
        let back = (7 + day.weekday().num_days_from_monday() - self.0.num_days_from_monday()) % 7;
        day - Duration::days(i64::from(back))
    }
}

/// The report's rows.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    /// The first day of its weeks.
    pub(crate) first_day: FirstDay,
    /// Every input, once, in discovery order.
    pub(crate) files: Ledger,
    /// Every distinct run, in start order (undated runs last).
    pub(crate) activities: Vec<Activity>,
    /// Every week from the first run (or diary day) to the last.
    pub(crate) weeks: Vec<Week>,
    /// The breaks in running, in order.
    pub(crate) breaks: Vec<Break>,
    /// The pain diary's rows, by date (empty without a diary).
    pub(crate) diary: Vec<DiaryDay>,
    /// What the rules found, in the one order the table, the page and the summary show:
    /// what matters now, then the history's most severe, then the rest.
    pub(crate) findings: Vec<Finding>,
    /// The sources of the runs in a contact-time balance shift (for the page).
    pub(crate) gct_shifts: Vec<String>,
    /// The first day of what matters now (the last weeks up to the history's last day).
    pub(crate) recent_from: Option<NaiveDate>,
    /// Running totals per pair of shoes, by name.
    pub(crate) gear: Vec<GearRow>,
    /// The distances whose crossing day the gear table shows, m.
    pub(crate) gear_thresholds_m: Vec<f64>,
    /// The gear log's spans, in file order (empty without a log).
    pub(crate) gear_log: Vec<GearSpan>,
    /// The Strava export indexes read.
    pub(crate) exports: Vec<ExportIndex>,
}

impl Tables {
    /// Runs in the activities table.
    pub(crate) fn run_count(&self) -> usize {
        self.activities.len()
    }

    /// The source of a run, as in the ledger.
    pub(crate) fn source_of(&self, a: &Activity) -> &str {
        self.files.source_of_seq(a.seq)
    }
}

/// One week of the weekly table.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Week {
    /// First local day of the week.
    pub(crate) start: NaiveDate,
    /// ISO year of the week (of its Thursday for Monday weeks, its Wednesday for Sunday weeks).
    pub(crate) iso_year: i32,
    /// ISO week number.
    pub(crate) iso_week: u32,
    /// Runs.
    pub(crate) runs: u32,
    /// Distance, m.
    pub(crate) distance_m: f64,
    /// Timer time, s.
    pub(crate) duration_s: f64,
    /// Ascent, m.
    pub(crate) ascent_m: f64,
    /// Descent, m.
    pub(crate) descent_m: f64,
    /// Distance in downhill segments, m.
    pub(crate) downhill_m: f64,
    /// Longest run, m (0 in a week without running).
    pub(crate) longest_run_m: f64,
    /// Distance change on the previous week, % (`None` after a week without running).
    pub(crate) change_pct: Option<f64>,
    /// Distance change on the week two weeks before, %.
    pub(crate) change_2w_pct: Option<f64>,
    /// The usual weekly distance before this week: the median of the last regular weeks
    /// (neither inside a break nor part of a return), m; `None` with too few in the history.
    pub(crate) usual_m: Option<f64>,
    /// This week's place in the return after a break, if it is one.
    pub(crate) ret: Option<ReturnWeek>,
    /// A return week above the share of the load before the break its place allows.
    pub(crate) flag_return: bool,
    /// Distance of the 7 days ending on the week's last day, m.
    pub(crate) acute_7d_m: f64,
    /// Distance of the 28 days ending on the week's last day, m.
    pub(crate) chronic_28d_m: f64,
    /// acute ÷ (chronic ÷ 4), the chronic window including the acute week (coupled).
    pub(crate) acwr: Option<f64>,
    /// acute ÷ (the 21 days before the acute week ÷ 3) (uncoupled).
    pub(crate) acwr_uncoupled: Option<f64>,
    /// Exponentially weighted acute (7-day) ÷ chronic (28-day) load.
    pub(crate) acwr_ewma: Option<f64>,
    /// At least 28 days of history exist at the week's last day.
    pub(crate) chronic_complete: bool,
    /// Distance up more than `ramp_max_pct` on the previous week.
    pub(crate) flag_ramp: bool,
    /// Distance up more than `ramp_2w_max_pct` on two weeks before.
    pub(crate) flag_ramp_2w: bool,
    /// Ratio outside [`acwr_low`, `acwr_high`] with a complete chronic window (a high ratio only
    /// with at least `acwr_min_acute_m` in the week).
    pub(crate) flag_acwr: bool,
    /// Distance by surface, m, in [`Surface::ALL`] order.
    pub(crate) surface_m: [f64; Surface::ALL.len()],
    /// Every run of the last `no_variety_weeks` weeks was on one known surface.
    pub(crate) flag_no_variety: bool,
    /// Session-RPE load (RPE × timer minutes, Foster et al. 2001) of the runs that carry an
    /// RPE; `None` in a week with runs but none rated.
    pub(crate) srpe_load: Option<f64>,
    /// Runs without an RPE.
    pub(crate) runs_without_rpe: u32,
    /// The sRPE ratios, as the distance ones; `None` where a window holds an unrated run.
    pub(crate) srpe: Ratios,
    /// Days of the week with running.
    pub(crate) running_days: u32,
    /// Training monotony on distance (Foster 1998): the mean of the week's seven daily
    /// distances over their population standard deviation, capped at 10; `None` in a week
    /// without running.
    pub(crate) monotony: Option<f64>,
    /// Strain on distance: the week's distance in km × `monotony`.
    pub(crate) strain_km: Option<f64>,
    /// The usual strain before this week: the median of the last regular weeks' (as
    /// `usual_m`), km; `None` with too few.
    pub(crate) usual_strain_km: Option<f64>,
    /// Monotony at or above `monotony_max` with the strain more than `strain_rise_pct` above
    /// the usual.
    pub(crate) flag_monotony: bool,
    /// Monotony on the daily session-RPE loads; `None` unless every run of the week is rated.
    pub(crate) srpe_monotony: Option<f64>,
    /// The week's session-RPE load × `srpe_monotony`.
    pub(crate) srpe_strain: Option<f64>,
    /// The median of the week's runs' contact-time balance (left foot's share), %; `None`
    /// without a run that carries one.
    pub(crate) gct_balance_left_pct: Option<f64>,
    /// Highest diary score of the week (during or next morning, on the row's date); `None`
    /// without diary rows in the week.
    pub(crate) pain_max: Option<f64>,
    /// Diary days of the week with any pain (during or next morning above 0); `None` without
    /// diary rows in the week.
    pub(crate) pain_days: Option<u32>,
}

/// A week of the return after a break.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ReturnWeek {
    /// 1 for the week of the first run back, 2 for the next, …
    pub(crate) week: u32,
    /// Weeks the return lasts.
    pub(crate) of: u32,
    /// Days without running before it.
    pub(crate) break_days: u32,
    /// The usual weekly distance before the break, m (`None`: too little history before it).
    pub(crate) base_m: Option<f64>,
    /// The share of `base_m` this week may reach before it is flagged, %.
    pub(crate) max_pct: f64,
    /// In the first half of the return.
    pub(crate) first_half: bool,
}

/// A stretch without running of at least `load.break_min_days`, and the return after it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Break {
    /// The first day without running.
    pub(crate) first: NaiveDate,
    /// The day of the first run back.
    pub(crate) back: NaiveDate,
    /// Weeks the return after it lasts.
    pub(crate) return_weeks: u32,
    /// The last day of the return's last week.
    pub(crate) return_end: NaiveDate,
}

impl Break {
    /// Days without running.
    pub(crate) fn days(&self) -> u32 {
        (self.back - self.first).num_days() as u32
    }
}

/// Acute and chronic windows of a daily load and their ratios, on a week's last day.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Ratios {
    /// Load of the 7 days ending on the week's last day.
    pub(crate) acute_7d: Option<f64>,
    /// Load of the 28 days ending on the week's last day.
    pub(crate) chronic_28d: Option<f64>,
    /// acute ÷ (chronic ÷ 4), coupled.
    pub(crate) acwr: Option<f64>,
    /// acute ÷ (the 21 days before the acute week ÷ 3).
    pub(crate) acwr_uncoupled: Option<f64>,
    /// Exponentially weighted 7-day ÷ 28-day load.
    pub(crate) acwr_ewma: Option<f64>,
}

tokens! {
    /// How much a finding matters (most first).
    Severity {
        /// Strong evidence or a large deviation.
        High => "high",
        /// Worth watching.
        Watch => "watch",
        /// Context.
        Info => "info",
    }
}

tokens! {
    /// What a finding is about.
    Scope {
        /// One run (key: its source).
        Run => "run",
        /// One week (key: its first day).
        Week => "week",
        /// The recent history as a whole.
        History => "history",
        /// One day of the pain diary (key: its date).
        Day => "day",
        /// A pair of shoes (key: its name).
        Gear => "gear",
        /// A rule's episodes through the history, summarised (key: the rule).
        Pattern => "pattern",
    }
}

tokens! {
    /// The rule behind a finding (docs/methodology.md cites each one's evidence).
    Rule {
        /// A run's median cadence is low.
        LowCadence => "low_cadence",
        /// Cadence drops on descents at the same speed.
        DownhillOverstriding => "downhill_overstriding",
        /// A lower downhill cadence that comes from descending slower with shorter steps.
        CarefulDescending => "careful_descending",
        /// A run much longer than the recent longest.
        LongRunSpike => "long_run_spike",
        /// Weekly distance up on the previous week.
        Ramp => "ramp",
        /// Weekly distance up on two weeks before.
        Ramp2w => "ramp_2w",
        /// Acute:chronic ratio outside its band.
        Acwr => "acwr",
        /// A return after a break faster than a gradual one.
        ReturnAfterBreak => "return_after_break",
        /// Weeks on one surface only.
        NoVariety => "no_variety",
        /// Median cadence drifting between two periods.
        CadenceTrend => "cadence_trend",
        /// Share of recent distance run downhill.
        DownhillShare => "downhill_share",
        /// A diary day with pain above the threshold, or worse the next morning.
        Pain => "pain",
        /// A pair of shoes past the retirement distance.
        ShoeDistance => "shoe_distance",
        /// A pair worn again after the gear log retired it.
        ShoeRetiredWorn => "shoe_retired_worn",
        /// A load spike run mostly in a pair past the retirement distance.
        ShoeSpike => "shoe_spike",
        /// A week of high training monotony with its strain above the usual.
        Monotony => "monotony",
        /// Contact-time balance away from the runner's usual over runs in a row.
        GctBalance => "gct_balance",
    }
}

impl Finding {
    /// Does the finding reach into the recent weeks (from `from` on)?
    pub(crate) fn is_recent(&self, from: Option<NaiveDate>) -> bool {
        matches!((self.last.or(self.first), from), (Some(d), Some(from)) if d >= from)
    }
}

/// One finding: an episode of one rule (a run, a week, a diary day, or several in a row), or a
/// rule's episodes through the history summarised as a pattern.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Finding {
    /// What it is about.
    pub(crate) scope: Scope,
    /// The run's source, the (first) week's start date, the diary day, the pair, `history`, or
    /// for a pattern its rule.
    pub(crate) key: String,
    /// The first local day of the episode (a run's date, the first day of a week, the diary
    /// day, the day a pair crossed its distance).
    pub(crate) first: Option<NaiveDate>,
    /// The last local day of the episode (a week's last day).
    pub(crate) last: Option<NaiveDate>,
    /// How many runs, weeks or days the condition held in the episode (for a pattern: in all
    /// its episodes).
    pub(crate) occurrences: u32,
    /// The rule.
    pub(crate) rule: Rule,
    /// Severity.
    pub(crate) severity: Severity,
    /// The measured value at the episode's peak (unit in the message).
    pub(crate) value: f64,
    /// The threshold it was compared with.
    pub(crate) threshold: f64,
    /// One plain sentence.
    pub(crate) message: String,
    /// What to do about it.
    pub(crate) advice: std::borrow::Cow<'static, str>,
    /// Short citation (for `pain`, followed by what preceded the day).
    pub(crate) evidence: std::borrow::Cow<'static, str>,
    /// For `pain`: what preceded the episode in the lookback window, one short line each,
    /// oldest first; empty for other rules.
    pub(crate) preceded_by: Vec<String>,
}
