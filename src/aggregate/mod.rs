//! Aggregation: the outcomes of all files → the report's rows, each activity counted once,
//! with what can only be seen across runs: duplicates, the history-matched downhill
//! comparison, weekly load, the pain diary joined to runs and weeks, and the findings.

mod dedupe;
mod findings;
mod gear;
mod load;
mod pain;

use chrono::Weekday;

use crate::analyse::downhill::matched_drop;
use crate::config::{DownhillSettings, HistorySettings};
use crate::model::{
    Activity, DiaryDay, ExportIndex, FirstDay, GearSpan, Kept, Ledger, MatchSource, Outcome,
    SpeedBins, Tables,
};
use crate::store::{KeptRows, Store};

/// Marks duplicates and builds the rows (the runs' full facts are kept in a store dropped
/// at the end).
/// `outcomes` are the pipeline's, each with its own `seq`.
pub fn aggregate(
    mut outcomes: Vec<Outcome>,
    cfg: &HistorySettings<'_>,
    week_start: Weekday,
) -> Tables {
    outcomes.sort_by_key(|o| o.row.seq);
    let mut store = Store::default();
    let outcomes = outcomes
        .into_iter()
        .map(|o| store.keep_outcome(o))
        .collect();
    let rows = store.take_rows();
    aggregate_beside(outcomes, rows, &store, cfg, week_start, Beside::default())
}

/// What the runner and the exports say beside the FIT files.
#[derive(Clone, Debug, Default)]
pub(crate) struct Beside {
    /// The pain diary's rows, sorted by date.
    pub(crate) diary: Vec<DiaryDay>,
    /// The gear log's spans, in file order.
    pub(crate) gear_log: Vec<GearSpan>,
    /// The Strava export indexes found among the inputs.
    pub(crate) exports: Vec<ExportIndex>,
}

/// Marks duplicates and builds the rows, with the pain diary, the gear log and the export
/// indexes. `rows` are what [`Store::keep_outcome`] kept beside the `outcomes`: the activity
/// rows their `runs` ranges point into, and the ledger's text their slots point into. Export
/// labels are put on the runs before duplicates are marked, so they reach the run kept
/// whichever copy the export listed. The runs' full facts and the ledger's rows are in
/// `store`; only the speed bins and the rows of files with a duplicate are read here.
pub(crate) fn aggregate_beside(
    mut outcomes: Vec<Kept>,
    rows: KeptRows,
    store: &Store,
    cfg: &HistorySettings<'_>,
    week_start: Weekday,
    beside: Beside,
) -> Tables {
    let KeptRows { mut runs, sources } = rows;
    // A run finds its source in the ledger by `seq` (`Tables::source_of`).
    debug_assert!(outcomes.windows(2).all(|w| w[0].slot.seq < w[1].slot.seq));
    gear::label_from_exports(&outcomes, &sources, &mut runs, &beside.exports);
    let marked = dedupe::mark(&mut outcomes, &sources, &mut runs, store, cfg.ingest);
    let dropped = marked.is_dup;
    // The duplicates leave, and the rest are put in the order of their files, as they were
    // found: the history's speed bins below are summed in that order.
    let mut at = 0;
    runs.retain(|_| {
        at += 1;
        !dropped[at - 1]
    });
    drop(dropped);
    runs.sort_unstable_by_key(|a| (a.seq, a.run.session));
    // A vector of its own, not the outcomes' reused: a collect in place would keep each
    // outcome's room for each slot until the report ends.
    let mut slots = Vec::with_capacity(outcomes.len());
    slots.extend(outcomes.into_iter().map(|o| o.slot));
    let mut tables = Tables {
        first_day: FirstDay(week_start),
        files: Ledger {
            text: sources,
            slots,
            changed: marked.changed,
        },
        ..Tables::default()
    };
    for a in &mut runs {
        let run = &a.run;
        let offset = run.utc_offset_s.unwrap_or(cfg.load.default_utc_offset_s) as i64;
        a.start_local = run
            .start_utc
            .get()
            .zip(run.utc_offset_s)
            .map(|(t, o)| t + o as i64)
            .into();
        a.local_day = run.start_utc.get().and_then(|t| load::day_of(t + offset));
    }
    tables.activities = runs;
    match_with_history(&mut tables.activities, store, cfg.downhill);
    in_start_order(&mut tables);
    apply_rules(&mut tables, cfg, week_start, beside);
    tables
}

/// Puts the runs in start order (undated runs last); in place (no buffer of half the rows, as
/// a stable sort takes): file order breaks the last ties, as it did when this sort was stable.
fn in_start_order(tables: &mut Tables) {
    let files = &tables.files;
    tables.activities.sort_unstable_by(|a, b| {
        let ka = (a.run.start_utc.is_none(), a.run.start_utc.get());
        let kb = (b.run.start_utc.is_none(), b.run.start_utc.get());
        ka.cmp(&kb)
            .then_with(|| files.source_of_seq(a.seq).cmp(files.source_of_seq(b.seq)))
            .then_with(|| a.run.session.cmp(&b.run.session))
            .then_with(|| a.seq.cmp(&b.seq))
    });
}

/// The cross-run rules over the runs in start order: shoes from the gear log, breaks, long-run
/// spikes, weeks, pain, the gear table and the findings.
fn apply_rules(
    tables: &mut Tables,
    cfg: &HistorySettings<'_>,
    week_start: Weekday,
    beside: Beside,
) {
    let Beside {
        diary,
        gear_log,
        exports,
    } = beside;
    gear::label_from_log(&mut tables.activities, &gear_log);
    tables.breaks = load::breaks(&tables.activities, cfg.load, week_start);
    load::long_run_spikes(&mut tables.activities, &tables.breaks, cfg.load);
    let diary_days: Vec<_> = diary.iter().map(|d| d.date).collect();
    tables.weeks = load::weeks(
        &tables.activities,
        &diary_days,
        &tables.breaks,
        cfg.load,
        week_start,
    );
    tables.diary = diary;
    pain::join(tables);
    tables.gear = gear::table(&tables.activities, &gear_log, cfg.gear);
    tables.gear_thresholds_m = cfg.gear.thresholds_m.clone();
    tables.gear_log = gear_log;
    tables.exports = exports;
    let found = findings::findings(tables, cfg.findings, cfg.load, cfg.gear);
    tables.findings = found.findings;
    tables.gct_shifts = found.gct_shifts;
    tables.recent_from = findings::recent_from(tables, cfg.findings);
}

/// Runs whose own flat running does not cover their downhill speeds are compared with the
/// runner's flat running at those speeds in all their other runs.
fn match_with_history(activities: &mut [Activity], store: &Store, cfg: &DownhillSettings) {
    let mut all = SpeedBins::default();
    for a in activities.iter().filter(|a| a.run.downhill.has_flat_bins) {
        all.merge(store.bins(&a.run).0);
    }
    for a in activities.iter_mut() {
        let run = &mut a.run;
        if run.downhill.matched.is_some() || !run.downhill.has_downhill_bins {
            continue;
        }
        let (flat, downhill) = store.bins(run);
        let history = all.without(flat);
        run.downhill.matched =
            matched_drop(downhill, &history, cfg).map(|m| (m, MatchSource::History));
    }
}
