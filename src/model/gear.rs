//! Shoes: which pair a run was worn in, where that came from, and the per-pair totals.

use chrono::NaiveDate;

tokens! {
    /// Where a run's gear came from.
    GearSource {
        /// An export (Strava's `activities.csv`) named it for this activity.
        Export => "export",
        /// The runner's gear log covers the run's local day.
        Log => "log",
    }
}

/// What an export or the gear log says about one run. Belongs to the activity: when a run is
/// a duplicate of another, its label moves to the run kept.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Label {
    /// The gear's name as the source wrote it; `None` when unknown.
    pub(crate) gear: Option<String>,
    /// Where `gear` came from.
    pub(crate) gear_source: Option<GearSource>,
    /// The activity's name in the export.
    pub(crate) name: Option<String>,
    /// What this run took from its duplicates where its own file said nothing.
    pub(crate) merged: Option<Box<Merged>>,
}

/// What a run kept took from the other copies of the same activity (a second watch, a Strava
/// export), each where its own file has nothing: the runner's rating, running dynamics, climb.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Merged {
    /// `rpe`, from a copy that carries one.
    pub(crate) rpe: Option<f64>,
    /// `feel`, likewise.
    pub(crate) feel: Option<f64>,
    /// The running dynamics' variation, likewise.
    pub(crate) vertical_oscillation_cv_pct: Option<f64>,
    pub(crate) stance_time_cv_pct: Option<f64>,
    /// The session's climb, from a copy with altitude.
    pub(crate) ascent_m: Option<f64>,
    pub(crate) descent_m: Option<f64>,
    /// Running power, from a copy with a power meter.
    pub(crate) power_w: Option<f64>,
    /// Contact-time balance, from a copy with running dynamics.
    pub(crate) gct_balance_left_pct: Option<f64>,
    /// Where each came from: "rpe, feel from <source>", a line per copy.
    pub(crate) from: Vec<String>,
}

/// One activity listed in a Strava `activities.csv`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ExportEntry {
    /// The member's `source` as discovery names it (the CSV's folder + `Filename`).
    pub(crate) source: String,
    /// `Activity Name`.
    pub(crate) name: Option<String>,
    /// `Activity Gear` (empty: none).
    pub(crate) gear: Option<String>,
    /// `Activity Type` is a run (`Run`, `Trail Run`, `Virtual Run`).
    pub(crate) running: bool,
}

/// One Strava `activities.csv` found among the inputs.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ExportIndex {
    /// Its `source` (path, `!` for archive members).
    pub(crate) source: String,
    /// The activities it lists that have a file.
    pub(crate) entries: Vec<ExportEntry>,
    /// Lines left out, `source:line: what`.
    pub(crate) errors: Vec<String>,
    /// Why the whole file was ignored (not Strava's header, not UTF-8), if it was.
    pub(crate) ignored: Option<String>,
}

/// One span of the runner's gear log: a pair worn from `from` to `to` (local days, inclusive).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GearSpan {
    /// The pair's name.
    pub(crate) gear: String,
    /// First local day.
    pub(crate) from: NaiveDate,
    /// Last local day; `None` while still in use.
    pub(crate) to: Option<NaiveDate>,
    /// The log's line (1-based); a later line wins where spans overlap.
    pub(crate) line: usize,
}

/// One row of the `gear` table: a pair's running totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct GearRow {
    /// The pair's name.
    pub(crate) gear: String,
    /// Runs in it.
    pub(crate) runs: u32,
    /// Distance, m.
    pub(crate) distance_m: f64,
    /// Timer time, s.
    pub(crate) duration_s: f64,
    /// Downhill distance, m.
    pub(crate) downhill_m: f64,
    /// Start of the first and last run, local clock (Unix seconds shifted by the offset).
    pub(crate) first_run_local: Option<i64>,
    /// See `first_run_local`.
    pub(crate) last_run_local: Option<i64>,
    /// Distance by surface, in `Surface::ALL` order, m.
    pub(crate) by_surface_m: Vec<f64>,
    /// The log's last `to` for the pair (`None`: still in use or not in the log).
    pub(crate) retired: Option<NaiveDate>,
    /// For each configured threshold (m), the local day of the run that crossed it.
    pub(crate) crossed: Vec<(f64, Option<NaiveDate>)>,
}
