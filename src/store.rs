//! What the report keeps of every input while it aggregates the history: each input's ledger
//! row and each run's full facts, by their place here.
//!
//! Aggregation needs every run at once (duplicates, start order, lookback windows, the history's
//! flat running for speed matching), but only a small part of each: its [`RunCore`], which the
//! activity rows carry. The rest (grade segments, surface features, device…) is needed once
//! more, to write the tables, which read the full facts back from here.

use std::mem;

use crate::model::{
    Activity, FileRow, Kept, OptF64, OptI64, Outcome, RunCore, RunFacts, Slot, SpeedBins,
};

/// What [`Store::keep_outcome`] keeps beside each outcome's [`Kept`], for aggregation.
#[derive(Debug, Default)]
pub(crate) struct KeptRows {
    /// The activity rows of every run, in the order their outcomes arrived (each `Kept`'s
    /// `runs` is a range of them).
    pub(crate) runs: Vec<Activity>,
    /// Every input's source, one after the other (each `Kept`'s slot points into it).
    pub(crate) sources: String,
}

/// Every input's ledger row and every run's full facts.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// The ledger rows, at each [`Slot::row`].
    rows: Vec<FileRow>,
    /// The runs' full facts, at each [`RunCore::facts`].
    facts: Vec<RunFacts>,
    /// The activity rows of the runs kept so far, in the order they arrived.
    runs: Vec<Activity>,
    /// The sources of the inputs kept so far, one after the other (the ledger's text).
    sources: String,
}

impl Store {
    /// What the report keeps of `o`: its ledger row's [`Slot`] and source, and an activity row
    /// for each run, with the run's [`RunCore`], among the store's ([`Store::take_rows`]); the
    /// row and the full facts stay here.
    ///
    /// The rows of every input share one vector, which aggregation filters and sorts in
    /// place.
    pub(crate) fn keep_outcome(&mut self, o: Outcome) -> Kept {
        let first = self.runs.len();
        let seq = o.row.seq as u32;
        for run in o.runs {
            let run = self.keep(run);
            self.runs.push(Activity {
                seq,
                run,
                start_local: OptI64::NONE,
                local_day: None,
                longest_prev_30d_m: OptF64::NONE,
                long_run_ref_m: OptF64::NONE,
                flag_long_run_spike: false,
                pain: OptF64::NONE,
                pain_next_morning: OptF64::NONE,
            });
        }
        let start = self.sources.len() as u32;
        self.sources.push_str(&o.row.source);
        let slot = Slot {
            seq,
            status: o.row.status,
            reason: o.row.reason,
            runs: o.row.runs,
            source: (start, self.sources.len() as u32),
            row: self.rows.len() as u32,
        };
        self.rows.push(o.row);
        Kept {
            slot,
            runs: first..self.runs.len(),
            from_cache: o.from_cache,
        }
    }

    /// Makes room for `n` more inputs at once (one run per input is the usual count), so that
    /// the vectors do not grow by doubling.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.rows.reserve_exact(n);
        self.facts.reserve_exact(n);
        self.runs.reserve_exact(n);
    }

    /// The source of an input kept (before [`Store::take_rows`]).
    pub(crate) fn source(&self, slot: &Slot) -> &str {
        crate::model::source_in(&self.sources, slot)
    }

    /// What was kept of the outcomes so far for aggregation; the store keeps none of it after
    /// this.
    pub(crate) fn take_rows(&mut self) -> KeptRows {
        let mut sources = mem::take(&mut self.sources);
        // It grew by doubling; it lives to the end of the report.
        sources.shrink_to_fit();
        KeptRows {
            runs: mem::take(&mut self.runs),
            sources,
        }
    }

    /// An input's ledger row.
    pub(crate) fn row(&self, slot: &Slot) -> &FileRow {
        &self.rows[slot.row as usize]
    }

    /// Keeps `run` and returns its core.
    fn keep(&mut self, run: RunFacts) -> RunCore {
        let core = RunCore::of(&run, self.facts.len() as u32);
        self.facts.push(run);
        core
    }

    /// The flat and downhill speed bins of a run (empty when it has none).
    pub(crate) fn bins(&self, core: &RunCore) -> (&SpeedBins, &SpeedBins) {
        let d = &self.facts[core.facts as usize].downhill;
        (&d.flat_bins, &d.downhill_bins)
    }

    /// The full facts of a run, with what aggregation decided about it (its label, a match
    /// with the history) from `core`.
    pub(crate) fn facts(&self, core: &RunCore) -> RunFacts {
        let mut run = self.facts[core.facts as usize].clone();
        run.label = core.label().clone();
        run.downhill.matched = core.downhill.matched;
        if let Some(m) = core.label().merged.as_deref() {
            run.merge(m);
        }
        run
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MatchSource, Reason, Status};

    /// Every run of the `testdata/` FIT files, as analysis gives them.
    fn runs() -> Vec<RunFacts> {
        let cfg = crate::config::Config::default();
        let mut runs = Vec::new();
        for entry in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "fit") {
                let bytes = std::fs::read(entry.path()).unwrap();
                if let Ok(d) = crate::fit::decode(&bytes) {
                    runs.extend(crate::analyse::analyse(&d, &cfg.per_file()).runs);
                }
            }
        }
        assert!(runs.len() >= 10, "{} runs", runs.len());
        assert!(runs.iter().any(|r| !r.downhill.flat_bins.bins.is_empty()));
        runs
    }

    #[test]
    fn each_run_reads_back_beside_its_core() {
        let mut store = Store::default();
        let runs = runs();
        let cores: Vec<RunCore> = runs.iter().map(|r| store.keep(r.clone())).collect();
        for (run, core) in runs.iter().zip(&cores) {
            assert_eq!(format!("{:?}", store.facts(core)), format!("{run:?}"));
            let (flat, down) = store.bins(core);
            assert_eq!(flat, &run.downhill.flat_bins);
            assert_eq!(down, &run.downhill.downhill_bins);
            assert_eq!(core.downhill.has_flat_bins, !flat.bins.is_empty());
            assert_eq!(core.distance_m.get(), run.distance_m);
            assert_eq!(core.surface, run.surface.surface);
        }
    }

    #[test]
    fn ledger_rows_and_sources_read_back_whichever_outcome_came_first() {
        let mut store = Store::default();
        let mut runs = runs().into_iter();
        let mut kept = Vec::new();
        let mut rows = Vec::new();
        // Arrival order is not discovery order.
        for (k, seq) in [3usize, 0, 2, 1].into_iter().enumerate() {
            let row = crate::model::FileRow {
                seq,
                source: format!("in/{seq}/run ü.fit"),
                bytes: 1000 + seq as u64,
                status: if k == 1 { Status::Warning } else { Status::Ok },
                reason: (k == 1).then_some(Reason::Truncated),
                detail: if k == 1 {
                    "cut short".into()
                } else {
                    String::new()
                },
                file_type: Some("activity".into()),
                sessions: 2,
                runs: k as u32,
            };
            let o = Outcome {
                row: row.clone(),
                runs: runs.by_ref().take(k).collect(),
                progress_bytes: 0,
                decoder: Vec::new(),
                from_cache: false,
            };
            kept.push(store.keep_outcome(o));
            rows.push(row);
        }
        let KeptRows {
            runs: activities,
            sources: text,
        } = store.take_rows();
        assert_eq!(activities.len(), 6);
        for (k, row) in kept.iter().zip(&rows) {
            assert_eq!(crate::model::source_in(&text, &k.slot), row.source);
            assert_eq!(format!("{:?}", store.row(&k.slot)), format!("{row:?}"));
            assert_eq!((k.slot.seq as usize, k.slot.status), (row.seq, row.status));
            assert_eq!(k.runs.len() as u32, row.runs);
            for a in &activities[k.runs.clone()] {
                assert_eq!(a.seq as usize, row.seq);
            }
        }
        assert!(text.contains("in/2/run ü.fit") && store.sources.is_empty());
    }

    #[test]
    fn what_aggregation_decided_wins_over_the_copy_kept() {
        let mut store = Store::default();
        let run = runs().into_iter().next().unwrap();
        let mut core = store.keep(run);
        core.label_mut().gear = Some("Pegasus 38".into());
        let m = crate::model::Matched {
            drop_spm: 4.0,
            flat_spm: 170.0,
            downhill_spm: 166.0,
            coverage_pct: 80.0,
        };
        core.downhill.matched = Some((m, MatchSource::History));
        let back = store.facts(&core);
        assert_eq!(back.label.gear.as_deref(), Some("Pegasus 38"));
        assert_eq!(back.downhill.matched, Some((m, MatchSource::History)));
    }
}
