//! The parallel stage: discovery's members → decode → analyse, one worker per core.
//!
//! Discovery streams members through a bounded channel (so an export of any size holds only a
//! few files in memory); rayon workers take them as they come and return one [`Outcome`] per
//! member, never a panic. Outcomes are put back in discovery order, so the report is the same
//! whatever the scheduling.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::sync_channel;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::analyse::{self, RunFacts};
use crate::config::Config;
use crate::decode;
use crate::discover::{self, Input, Member};
use crate::ledger::{FileRow, Reason, Status};

/// What became of one member: its ledger row and its runs.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The ledger row (status may still change to `duplicate` in aggregation).
    pub row: FileRow,
    /// Running sessions found.
    pub runs: Vec<RunFacts>,
    /// Share of input bytes for the progress bar.
    pub progress_bytes: u64,
}

/// Told about each finished member (the progress bar listens here; the core does not print).
pub trait Progress: Sync {
    /// One member is done.
    fn done(&self, outcome: &Outcome);
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {
    fn done(&self, _: &Outcome) {}
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Decodes and analyses one member. Every failure, panics included, becomes a ledger row.
pub fn process_one(member: Member, cfg: &Config) -> Outcome {
    let seq = member.seq;
    let source = member.source.clone();
    let progress_bytes = member.progress_bytes;
    let mut row = FileRow {
        seq,
        source,
        bytes: 0,
        status: Status::Skipped,
        reason: None,
        detail: String::new(),
        file_type: None,
        sessions: 0,
        runs: 0,
    };
    let bytes = match member.into_bytes() {
        Ok(b) => b,
        Err((reason, detail)) => {
            row.reason = Some(reason);
            row.detail = detail;
            return Outcome {
                row,
                runs: Vec::new(),
                progress_bytes,
            };
        }
    };
    row.bytes = bytes.len() as u64;
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        decode::decode(&bytes).map(|d| analyse::analyse(&d, cfg))
    }));
    drop(bytes);
    let mut runs = Vec::new();
    match result {
        Ok(Ok(v)) => {
            row.status = v.status;
            row.reason = v.reason;
            row.detail = v.detail;
            row.file_type = v.file_type;
            row.sessions = v.sessions;
            row.runs = v.runs.len() as u32;
            runs = v.runs;
        }
        Ok(Err(failure)) => {
            row.reason = Some(failure.reason);
            row.detail = failure.detail;
        }
        Err(_) => {
            row.reason = Some(Reason::Panic);
            let msg = LAST_PANIC.with(|p| p.borrow_mut().take());
            row.detail = format!(
                "the decoder panicked: {}; please report this file",
                msg.unwrap_or_else(|| "no message".to_string())
            );
        }
    }
    Outcome {
        row,
        runs,
        progress_bytes,
    }
}

/// Runs discovery's members through `threads` workers and returns the outcomes in discovery
/// order.
pub fn run(
    inputs: &[Input],
    cfg: &Config,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("fitrisk-decode-{i}"))
        .build()?;
    // Panics inside workers are caught and reported in the ledger; the default hook would print
    // them over the progress bar, so it is replaced for the duration of the stage.
    let previous_hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{payload}{place}")));
    }));
    let (tx, rx) = sync_channel::<Member>(threads * 2);
    let mut outcomes = std::thread::scope(|scope| {
        scope.spawn(move || discover::produce(inputs, &tx));
        pool.install(|| {
            rx.into_iter()
                .par_bridge()
                .map(|m| {
                    let o = process_one(m, cfg);
                    progress.done(&o);
                    o
                })
                .collect::<Vec<Outcome>>()
        })
    });
    panic::set_hook(previous_hook);
    outcomes.sort_by_key(|o| o.row.seq);
    Ok(outcomes)
}
