//! The parallel stage: discovery's members → decode → analyse, one worker per core.
//!
//! Discovery streams members through a bounded channel (so an export of any size holds only a
//! few files in memory); rayon workers take them as they come and return one [`Outcome`] per
//! member, never a panic. Outcomes are put back in discovery order, so the report is the same
//! whatever the scheduling.

#[cfg(test)]
mod mutate;
mod panics;

use std::sync::mpsc::sync_channel;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::analyse::{self, FileVerdict};
use crate::config::FileSettings;
use crate::discover::{self, Input, Member};
use crate::fit;
use crate::model::{ExportIndex, Failure, FileRow, Reason, Status};

pub use crate::model::Outcome;

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

/// Decodes and analyses one member. Every failure, panics included, becomes a ledger row.
fn process_one(member: Member, cfg: &FileSettings<'_>) -> Outcome {
    process_with(member, |bytes| {
        fit::decode(bytes).map(|d| analyse::analyse(&d, cfg))
    })
}

/// Reads one member's bytes and runs `work` on them under [`panics::catch`].
fn process_with(
    member: Member,
    work: impl FnOnce(&[u8]) -> Result<FileVerdict, Failure>,
) -> Outcome {
    let progress_bytes = member.progress_bytes;
    let mut row = FileRow {
        seq: member.seq,
        source: member.source.clone(),
        bytes: 0,
        status: Status::Skipped,
        reason: None,
        detail: String::new(),
        file_type: None,
        sessions: 0,
        runs: 0,
    };
    let result = member.into_bytes().and_then(|bytes| {
        row.bytes = bytes.len() as u64;
        panics::catch(|| work(&bytes)).unwrap_or_else(|msg| {
            Err(Failure::new(
                Reason::Panic,
                format!("the decoder panicked: {msg}; please report this file"),
            ))
        })
    });
    let mut runs = Vec::new();
    match result {
        Ok(v) => {
            row.status = v.status;
            row.reason = v.reason;
            row.detail = v.detail;
            row.file_type = v.file_type;
            row.sessions = v.sessions;
            row.runs = v.runs.len() as u32;
            runs = v.runs;
        }
        Err(failure) => {
            row.reason = Some(failure.reason);
            row.detail = failure.detail;
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
    cfg: &FileSettings<'_>,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>, rayon::ThreadPoolBuildError> {
    run_with_indexes(inputs, cfg, threads, progress).map(|(o, _)| o)
}

/// As [`run`], also returning the Strava export indexes (`activities.csv`) found among the
/// inputs, in discovery order.
pub(crate) fn run_with_indexes(
    inputs: &[Input],
    cfg: &FileSettings<'_>,
    threads: usize,
    progress: &dyn Progress,
) -> Result<(Vec<Outcome>, Vec<ExportIndex>), rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("fitrisk-decode-{i}"))
        .build()?;
    let (tx, rx) = sync_channel::<Member>(threads * 2);
    let (mut outcomes, indexes) = std::thread::scope(|scope| {
        let producer = scope.spawn(move || discover::produce(inputs, &tx));
        let outcomes = pool.install(|| {
            rx.into_iter()
                .par_bridge()
                .map(|m| {
                    let o = process_one(m, cfg);
                    progress.done(&o);
                    o
                })
                .collect::<Vec<Outcome>>()
        });
        // The producer only ends by returning; a panic in it is a bug worth seeing.
        let indexes = producer.join().expect("discovery's producer panicked");
        (outcomes, indexes)
    });
    outcomes.sort_by_key(|o| o.row.seq);
    Ok((outcomes, indexes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::Payload;

    fn member(bytes: &[u8]) -> Member {
        Member {
            seq: 3,
            source: "a.fit".to_string(),
            payload: Payload::Bytes(bytes.to_vec()),
            progress_bytes: 10,
        }
    }

    #[test]
    fn a_panicking_decoder_gives_a_panic_row() {
        let o = process_with(member(b"0123456789"), |_| panic!("index out of bounds"));
        assert_eq!(o.row.status, Status::Skipped);
        assert_eq!(o.row.reason, Some(Reason::Panic));
        assert_eq!(o.row.bytes, 10);
        assert!(
            o.row
                .detail
                .contains("the decoder panicked: index out of bounds at "),
            "{}",
            o.row.detail
        );
        assert!(o.runs.is_empty());
        // The next file on the same thread is read normally.
        let o = process_one(
            member(b"not a fit file"),
            &crate::config::Config::default().per_file(),
        );
        assert_eq!(o.row.reason, Some(Reason::NotFit));
    }
}
