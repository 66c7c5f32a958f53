//! What the report puts aside while it aggregates the history and writes it: the runs' full
//! facts, the ledger's rows, and, once the rules are done, the activity rows.
//!
//! Aggregation needs every run at once (duplicates, start order, lookback windows, the history's
//! flat running for speed matching), but only a small part of each: its [`RunCore`]. The rest
//! (grade segments, speed bins, surface features, device…) is needed once more, to write the
//! tables. So the main thread, as each outcome arrives, writes each run's facts here and keeps
//! its activity row with its `RunCore`, in one vector for every run; the tables read the facts
//! back a few runs at a time. The memory a report needs then grows by an activity row per run
//! (312 bytes) while the rules run, not by everything analysis found; once they are done, the
//! rows are put aside too ([`Spill::put_runs_aside`]), and the tables and the page read them
//! back a block of [`RUNS_PER_BLOCK`] at a time.
//!
//! The file is an unnamed temporary file in the output folder (`tempfile_in`: on Linux
//! `O_TMPFILE`, elsewhere created and unlinked at once), so nothing is left behind whatever
//! ends the process. Records are postcard, as in the cache. If the file cannot be created or
//! written, what is left goes to memory instead: the report is the same, only larger in
//! memory, and the summary says why.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Write};
#[cfg(not(unix))]
use std::io::{Read, Seek, SeekFrom};
use std::mem;
use std::path::Path;

use crate::model::{
    Activity, FileRow, Kept, OptF64, OptI64, Outcome, RunBlock, RunCore, RunFacts, Slot, SpeedBins,
    Spilled, Tables,
};

/// Activity rows to a block when they are put aside ([`Spill::put_runs_aside`]); the runs'
/// tables are written a frame per block.
pub(crate) const RUNS_PER_BLOCK: usize = 1024;

/// What [`Spill::keep_outcome`] keeps in memory beside each outcome's [`Kept`].
#[derive(Debug, Default)]
pub(crate) struct KeptRows {
    /// The activity rows of every run, in the order their outcomes arrived (each `Kept`'s
    /// `runs` is a range of them).
    pub(crate) runs: Vec<Activity>,
    /// Every input's source, one after the other (each `Kept`'s slot points into it).
    pub(crate) sources: String,
}

/// Bytes gathered before they are written to the file.
const BUFFER: usize = 64 << 10;

/// Where the runs' full facts are kept: a temporary file, or memory.
#[derive(Debug, Default)]
pub(crate) struct Spill {
    /// The temporary file (kept for reading after a failed write).
    file: Option<File>,
    /// Records still go to the file.
    writable: bool,
    /// Bytes written to the file.
    written: u64,
    /// Records that follow `written` in the file's offsets, not written yet (after a failed
    /// write they stay here for good).
    pending: Vec<u8>,
    /// Records kept in memory (no file, or it failed).
    memory: Vec<u8>,
    /// Why the file could not be used, if it could not.
    problem: Option<String>,
    /// Reusable encoding buffer.
    scratch: Vec<u8>,
    /// The activity rows of the runs kept so far, in the order they arrived.
    runs: Vec<Activity>,
    /// The sources of the inputs kept so far, one after the other (the ledger's text).
    sources: String,
}

impl Spill {
    /// A spill in memory only (the library's aggregation of outcomes already in memory).
    pub(crate) fn in_memory() -> Spill {
        Spill::default()
    }

    /// A spill in a temporary file in `dir`, or in memory if none can be made there.
    pub(crate) fn in_dir(dir: &Path) -> Spill {
        match tempfile::tempfile_in(dir) {
            Ok(file) => Spill {
                file: Some(file),
                writable: true,
                ..Spill::default()
            },
            Err(e) => Spill {
                problem: Some(format!(
                    "cannot create a temporary file in {}: {e}",
                    dir.display()
                )),
                ..Spill::default()
            },
        }
    }

    /// Why what was put aside was kept in memory rather than on disk, if it was.
    pub(crate) fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// What the report keeps in memory of `o`: its ledger row's [`Slot`] and source (the row
    /// itself is put aside), and an activity row for each run, with the run's [`RunCore`],
    /// among the spill's ([`Spill::take_rows`]); the full facts are put aside.
    ///
    /// The rows of every input share one vector, which aggregation filters and sorts in
    /// place: one vector per input would leave its freed blocks scattered among the ledger's
    /// strings, where they stay resident for the rest of the report.
    pub(crate) fn keep_outcome(&mut self, o: Outcome) -> Kept {
        let first = self.runs.len();
        for run in o.runs {
            let run = self.keep(run);
            self.runs.push(Activity {
                seq: o.row.seq as u32,
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
        let mut record = mem::take(&mut self.scratch);
        record.clear();
        record = encode(&o.row, record);
        let (on_disk, at) = self.put(&record);
        let len = record.len() as u32;
        self.scratch = record;
        Kept {
            slot: Slot {
                seq: o.row.seq as u32,
                status: o.row.status,
                reason: o.row.reason,
                runs: o.row.runs,
                source: (start, self.sources.len() as u32),
                row: (on_disk, at, len),
            },
            runs: first..self.runs.len(),
            from_cache: o.from_cache,
        }
    }

    /// Makes room for `n` more activity rows at once (one per input is the usual count), so
    /// that the vector does not grow by doubling.
    pub(crate) fn reserve_runs(&mut self, n: usize) {
        self.runs.reserve_exact(n);
    }

    /// The source of an input kept (before [`Spill::take_rows`]).
    pub(crate) fn source(&self, slot: &Slot) -> &str {
        crate::model::source_in(&self.sources, slot)
    }

    /// What was kept in memory of the outcomes so far, for aggregation; the spill keeps none
    /// of it after this.
    pub(crate) fn take_rows(&mut self) -> KeptRows {
        let mut sources = mem::take(&mut self.sources);
        // It grew by doubling; it lives to the end of the report.
        sources.shrink_to_fit();
        KeptRows {
            runs: mem::take(&mut self.runs),
            sources,
        }
    }

    /// An input's ledger row, read back.
    pub(crate) fn row(&self, slot: &Slot) -> io::Result<FileRow> {
        let (on_disk, at, len) = slot.row;
        decode(&self.bytes(on_disk, at, len)?)
    }

    /// Puts the activity rows of `t` aside, once aggregation is done with them, [`RUNS_PER_BLOCK`]
    /// to a record: the tables and the page read them back a block at a time ([`Spill::runs`]),
    /// so what they hold beside their own output does not grow with the history.
    ///
    /// Without a file to write (none could be made, or a write failed), the rows stay where
    /// they are: in memory either way, and as they are they need no copy.
    pub(crate) fn put_runs_aside(&mut self, t: &mut Tables) {
        if !self.writable {
            return;
        }
        let rows = mem::take(&mut t.activities);
        let mut record = mem::take(&mut self.scratch);
        for block in rows.chunks(RUNS_PER_BLOCK) {
            record.clear();
            record = encode(&block, record);
            let (on_disk, at) = self.put(&record);
            t.runs_aside.push(RunBlock {
                on_disk,
                at,
                len: record.len() as u32,
                rows: block.len() as u32,
            });
        }
        // Nothing is put aside after this: the buffers, a block long now, go (unless a failed
        // write left records in the pending one).
        drop(record);
        if self.writable {
            self.flush();
        }
        if self.pending.is_empty() {
            self.pending = Vec::new();
        }
    }

    /// The activity rows of `t`, in order, at most [`RUNS_PER_BLOCK`] at a time: read back if
    /// they were put aside, else as they are in memory.
    pub(crate) fn runs<'a>(
        &'a self,
        t: &'a Tables,
    ) -> impl Iterator<Item = io::Result<Cow<'a, [Activity]>>> + 'a {
        // All in memory or all put aside (`put_runs_aside` takes every row).
        debug_assert!(t.activities.is_empty() || t.runs_aside.is_empty());
        let in_memory = t
            .activities
            .chunks(RUNS_PER_BLOCK)
            .map(|rows| Ok(Cow::Borrowed(rows)));
        let aside = t.runs_aside.iter().map(move |b| {
            let rows: Vec<Activity> = decode(&self.bytes(b.on_disk, b.at, b.len)?)?;
            if rows.len() != b.rows as usize {
                return Err(io::Error::other(
                    "the activity rows read back are not those put aside",
                ));
            }
            Ok(Cow::Owned(rows))
        });
        in_memory.chain(aside)
    }

    /// Puts `run` aside and returns what stays in memory of it.
    fn keep(&mut self, mut run: RunFacts) -> RunCore {
        let flat = mem::take(&mut run.downhill.flat_bins);
        let down = mem::take(&mut run.downhill.downhill_bins);
        let mut record = mem::take(&mut self.scratch);
        record.clear();
        if !flat.bins.is_empty() || !down.bins.is_empty() {
            record = encode(&(&flat, &down), record);
        }
        let bins_len = record.len();
        record = encode(&run, record);
        let facts_len = record.len() - bins_len;
        let (on_disk, at) = self.put(&record);
        self.scratch = record;
        run.downhill.flat_bins = flat;
        run.downhill.downhill_bins = down;
        let spilled = Spilled {
            on_disk,
            at,
            bins_len: bins_len as u32,
            facts_len: facts_len as u32,
        };
        RunCore::of(&run, spilled)
    }

    /// Appends a record; returns where it is.
    fn put(&mut self, record: &[u8]) -> (bool, u64) {
        if self.writable {
            let at = self.written + self.pending.len() as u64;
            self.pending.extend_from_slice(record);
            if self.pending.len() >= BUFFER {
                self.flush();
            }
            return (true, at);
        }
        let at = self.memory.len() as u64;
        self.memory.extend_from_slice(record);
        (false, at)
    }

    /// Writes the pending records to the file. On failure they stay where they are, and
    /// later records go to memory.
    fn flush(&mut self) {
        let Some(file) = self.file.as_mut() else {
            return;
        };
        match file.write_all(&self.pending) {
            Ok(()) => {
                self.written += self.pending.len() as u64;
                self.pending.clear();
            }
            Err(e) => {
                self.writable = false;
                self.problem = Some(format!("cannot write the temporary file: {e}"));
            }
        }
    }

    fn bytes(&self, on_disk: bool, at: u64, len: u32) -> io::Result<Vec<u8>> {
        let len = len as usize;
        let from = |bytes: &[u8], start: u64| {
            let start = start as usize;
            bytes
                .get(start..start + len)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| io::Error::other("what was put aside is not where it was put"))
        };
        if !on_disk {
            return from(&self.memory, at);
        }
        if at >= self.written {
            return from(&self.pending, at - self.written);
        }
        let file = self
            .file
            .as_ref()
            .ok_or_else(|| io::Error::other("the temporary file is gone"))?;
        let mut buf = vec![0; len];
        read_at(file, &mut buf, at)?;
        Ok(buf)
    }

    /// The flat and downhill speed bins of a run (empty when it has none).
    pub(crate) fn bins(&self, at: &Spilled) -> io::Result<(SpeedBins, SpeedBins)> {
        if at.bins_len == 0 {
            return Ok(Default::default());
        }
        decode(&self.bytes(at.on_disk, at.at, at.bins_len)?)
    }

    /// The full facts of a run, with what aggregation decided about it (its label, a match
    /// with the history) from `core`. Its speed bins are left empty: no table shows them.
    pub(crate) fn facts(&self, core: &RunCore) -> io::Result<RunFacts> {
        let at = &core.spilled;
        let mut run: RunFacts =
            decode(&self.bytes(at.on_disk, at.at + at.bins_len as u64, at.facts_len)?)?;
        run.label = core.label().clone();
        run.downhill.matched = core.downhill.matched;
        if let Some(m) = core.label().merged.as_deref() {
            run.merge(m);
        }
        Ok(run)
    }
}

/// Reads `buf.len()` bytes at `at` (one `pread` on Unix).
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

/// Reads `buf.len()` bytes at `at`.
#[cfg(not(unix))]
fn read_at(mut file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(buf)
}

fn encode<T: serde::Serialize>(value: &T, out: Vec<u8>) -> Vec<u8> {
    // Writing to a Vec cannot fail, and every field of the facts is serializable.
    postcard::to_extend(value, out).expect("postcard encodes the run facts")
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> io::Result<T> {
    postcard::from_bytes(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("what was put aside could not be read back: {e}"),
        )
    })
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

    /// The facts as the tables read them back: speed bins left out.
    fn shown(run: &RunFacts) -> String {
        let mut run = run.clone();
        run.downhill.flat_bins = SpeedBins::default();
        run.downhill.downhill_bins = SpeedBins::default();
        format!("{run:?}")
    }

    /// Keeps every run, flushing after each when `flush`, and checks that each reads back.
    fn round_trip(mut spill: Spill, flush: bool) -> Spill {
        let runs = runs();
        let mut cores = Vec::new();
        for run in &runs {
            cores.push(spill.keep(run.clone()));
            if flush {
                spill.flush();
            }
        }
        for (run, core) in runs.iter().zip(&cores) {
            assert_eq!(shown(&spill.facts(core).unwrap()), shown(run));
            let (flat, down) = spill.bins(&core.spilled).unwrap();
            assert_eq!(flat, run.downhill.flat_bins);
            assert_eq!(down, run.downhill.downhill_bins);
            assert_eq!(core.downhill.has_flat_bins, !flat.bins.is_empty());
            assert_eq!(core.distance_m.get(), run.distance_m);
            assert_eq!(core.surface, run.surface.surface);
        }
        spill
    }

    #[test]
    fn runs_read_back_from_memory_and_from_the_file() {
        let spill = round_trip(Spill::in_memory(), false);
        assert!(spill.written == 0 && !spill.memory.is_empty() && spill.problem().is_none());
        let dir = tempfile::tempdir().unwrap();
        let spill = round_trip(Spill::in_dir(dir.path()), true);
        assert!(spill.written > 0 && spill.memory.is_empty() && spill.problem().is_none());
        // Unnamed: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // Without flushing, the records wait in the buffer and read back from there.
        let spill = round_trip(Spill::in_dir(dir.path()), false);
        assert!(spill.written == 0 && !spill.pending.is_empty());
    }

    #[test]
    fn a_file_that_cannot_be_written_leaves_every_run_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("read-only");
        std::fs::write(&path, b"").unwrap();
        // Opened for reading only: every write fails.
        let file = File::open(&path).unwrap();
        let spill = Spill {
            file: Some(file),
            writable: true,
            ..Spill::default()
        };
        let spill = round_trip(spill, true);
        assert!(!spill.writable && !spill.memory.is_empty() && !spill.pending.is_empty());
        assert!(
            spill
                .problem()
                .unwrap()
                .starts_with("cannot write the temporary file"),
            "{:?}",
            spill.problem()
        );
    }

    #[test]
    fn ledger_rows_and_sources_read_back_whichever_outcome_came_first() {
        let dir = tempfile::tempdir().unwrap();
        for mut spill in [Spill::in_memory(), Spill::in_dir(dir.path())] {
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
                kept.push(spill.keep_outcome(o));
                rows.push(row);
            }
            spill.flush();
            let KeptRows {
                runs: activities,
                sources: text,
            } = spill.take_rows();
            assert_eq!(activities.len(), 6);
            for (k, row) in kept.iter().zip(&rows) {
                assert_eq!(crate::model::source_in(&text, &k.slot), row.source);
                assert_eq!(
                    format!("{:?}", spill.row(&k.slot).unwrap()),
                    format!("{row:?}")
                );
                assert_eq!((k.slot.seq as usize, k.slot.status), (row.seq, row.status));
                assert_eq!(k.runs.len() as u32, row.runs);
                for a in &activities[k.runs.clone()] {
                    assert_eq!(a.seq as usize, row.seq);
                }
            }
            assert!(text.contains("in/2/run ü.fit") && spill.sources.is_empty());
        }
    }

    #[test]
    fn activity_rows_put_aside_read_back_in_blocks_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let read_only = dir.path().join("read-only");
        std::fs::write(&read_only, b"").unwrap();
        // In memory, in the file, and in a file every write to fails.
        let failing = Spill {
            file: Some(File::open(&read_only).unwrap()),
            writable: true,
            ..Spill::default()
        };
        for mut spill in [Spill::in_memory(), Spill::in_dir(dir.path()), failing] {
            let facts = runs();
            let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 5).unwrap();
            let mut t = Tables::default();
            for i in 0..2 * RUNS_PER_BLOCK + 452 {
                let mut run = spill.keep(facts[i % facts.len()].clone());
                if i % 7 == 0 {
                    run.label_mut().gear = Some(format!("shoe {i}"));
                }
                if i % 3 == 1 {
                    run.rpe = OptF64::NONE;
                    run.start_utc = OptI64::NONE;
                    run.downhill.flat_cadence_spm = OptF64::NONE;
                }
                t.activities.push(Activity {
                    seq: i as u32,
                    run,
                    start_local: Some(1_614_968_000 + i as i64).into(),
                    local_day: (i % 5 != 0).then(|| day + chrono::Duration::days(i as i64)),
                    longest_prev_30d_m: [
                        None,
                        Some(-0.0),
                        Some(f64::NAN),
                        Some(0.1 + i as f64),
                        // A NaN with a payload of its own.
                        Some(f64::from_bits(0x7FF8_0000_0000_BEEF)),
                    ][i % 5]
                        .into(),
                    long_run_ref_m: (i % 3 == 1).then_some(2.5 + i as f64).into(),
                    flag_long_run_spike: i % 3 == 0,
                    pain: (i % 2 == 0).then_some(3.5).into(),
                    pain_next_morning: OptF64::NONE,
                });
            }
            let before = t.activities.clone();
            let in_memory: Vec<usize> = spill.runs(&t).map(|b| b.unwrap().len()).collect();
            assert_eq!(in_memory, [1024, 1024, 452]);
            let writable = spill.writable;
            spill.put_runs_aside(&mut t);
            if writable {
                assert!(t.activities.is_empty() && t.runs_aside.len() == 3);
                // Written out, and the buffer let go.
                assert_eq!(spill.pending.capacity(), 0);
            } else {
                // Without a file they stay in memory, not copied there.
                assert!(t.activities.len() == before.len() && t.runs_aside.is_empty());
            }
            assert_eq!(t.run_count(), before.len());
            let mut back = Vec::new();
            for block in spill.runs(&t) {
                let block = block.unwrap();
                assert!(block.len() <= RUNS_PER_BLOCK);
                back.extend(block.iter().cloned());
            }
            assert_eq!(back.len(), before.len());
            for (a, b) in before.iter().zip(&back) {
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
                // Debug prints every NaN alike: the bits themselves.
                let bits = |x: OptF64| x.get().map(f64::to_bits);
                assert_eq!(bits(a.longest_prev_30d_m), bits(b.longest_prev_30d_m));
                assert_eq!(bits(a.long_run_ref_m), bits(b.long_run_ref_m));
                assert_eq!(bits(a.run.distance_m), bits(b.run.distance_m));
                assert_eq!(bits(a.run.rpe), bits(b.run.rpe));
                assert_eq!(a.run.start_utc.get(), b.run.start_utc.get());
                assert_eq!(a.run.spilled, b.run.spilled);
            }
            // The facts still read back beside them.
            assert_eq!(
                shown(&spill.facts(&back[5].run).unwrap()),
                shown(&facts[5 % facts.len()])
            );
        }
    }

    #[test]
    fn what_aggregation_decided_wins_over_the_copy_put_aside() {
        let mut spill = Spill::in_memory();
        let run = runs().into_iter().next().unwrap();
        let mut core = spill.keep(run);
        core.label_mut().gear = Some("Pegasus 38".into());
        let m = crate::model::Matched {
            drop_spm: 4.0,
            flat_spm: 170.0,
            downhill_spm: 166.0,
            coverage_pct: 80.0,
        };
        core.downhill.matched = Some((m, MatchSource::History));
        let back = spill.facts(&core).unwrap();
        assert_eq!(back.label.gear.as_deref(), Some("Pegasus 38"));
        assert_eq!(back.downhill.matched, Some((m, MatchSource::History)));
    }
}
