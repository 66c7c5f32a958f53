//! The parallel stage: discovery's members → decode → analyse, one worker per core.
//!
//! Discovery streams members through a bounded channel (so an export of any size holds only a
//! few files in memory); rayon workers take them as they come and return one [`Outcome`] per
//! member, never a panic. Outcomes are put back in discovery order, so the report is the same
//! whatever the scheduling.

#[cfg(test)]
mod mutate;
mod panics;
#[cfg(test)]
mod salvage;

use std::sync::mpsc::{channel, sync_channel, Sender};
use std::time::Duration;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::analyse::{self, FileVerdict};
use crate::cache::{self, Cache};
use crate::config::FileSettings;
use crate::discover::{self, Input, Member, Payload};
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

/// Decodes and analyses one member. Every failure, panics included, becomes a ledger row. A
/// member the cache holds is taken from its entry; a fresh result of a whole file goes to
/// `store`.
fn process_one(
    member: Member,
    cfg: &FileSettings<'_>,
    store: Option<&Sender<cache::Entry>>,
) -> Outcome {
    let member = match member.payload {
        Payload::Cached(ref blob, ..) => match cache::decode(blob) {
            Some(mut o) => {
                o.row.seq = member.seq;
                o.progress_bytes = member.progress_bytes;
                o.from_cache = true;
                return o;
            }
            // An entry that does not decode: the file is read again.
            None => member,
        },
        _ => member,
    };
    let (source, stamp) = (member.source.clone(), member.stamp);
    let read_ns = cache::now_ns();
    let mut content = None;
    let outcome = process_with(member, |bytes, notes| {
        if stamp.is_some() && store.is_some() {
            content = Some(cache::content_hash(bytes));
        }
        fit::decode_noting(bytes, notes).map(|d| analyse::analyse(&d, cfg))
    });
    if let (Some(tx), Some(stamp), Some(content)) = (store, stamp, content) {
        if let Some(blob) = cache::encode(&outcome) {
            let _ = tx.send(cache::Entry {
                source,
                stamp,
                content,
                read_ns,
                outcome: blob,
            });
        }
    }
    outcome
}

/// Reads one member's bytes and runs `work` on them under [`panics::catch`], with a list for
/// the decoder's complaints that outlives a panic.
fn process_with(
    member: Member,
    work: impl FnOnce(&[u8], &mut Vec<String>) -> Result<FileVerdict, Failure>,
) -> Outcome {
    let mut decoder = Vec::new();
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
        panics::catch(|| work(&bytes, &mut decoder)).unwrap_or_else(|msg| {
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
        decoder,
        from_cache: false,
    }
}

/// Runs discovery's members through `threads` workers and returns the outcomes in discovery
/// order. `max_bytes` is the largest member read.
pub fn run(
    inputs: &[Input],
    cfg: &FileSettings<'_>,
    max_bytes: u64,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>, rayon::ThreadPoolBuildError> {
    run_with_cache(inputs, cfg, max_bytes, threads, progress, None, copied_here).map(|r| r.outcomes)
}

/// What one pass over the inputs gave.
pub(crate) struct Pass<R> {
    /// One per member, in discovery order.
    pub(crate) outcomes: Vec<R>,
    /// The Strava export indexes (`activities.csv`) found among the inputs, in order.
    pub(crate) indexes: Vec<ExportIndex>,
    /// Fresh results stored in the cache, and the first error writing it.
    pub(crate) stored: (usize, Option<cache::Error>),
    /// Cache entries whose content was confirmed (see [`Cache::confirmed`]).
    pub(crate) confirmed: Vec<i64>,
}

/// As [`run`], with the result cache when there is one: files it holds are taken from it,
/// fresh results of whole files are stored in it as they come (a batch per transaction, so an
/// interrupted run keeps what it committed). Each outcome is handed to `keep` on the calling
/// thread as it arrives, and what `keep` makes of it is returned.
pub(crate) fn run_with_cache<R>(
    inputs: &[Input],
    cfg: &FileSettings<'_>,
    max_bytes: u64,
    threads: usize,
    progress: &dyn Progress,
    cache: Option<&Cache>,
    mut keep: impl FnMut(Outcome) -> R,
) -> Result<Pass<R>, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("fitrisk-decode-{i}"))
        .build()?;
    let (tx, rx) = sync_channel::<Member>(threads * 2);
    // A cache that cannot be written is still read.
    let (mut writer, write_error) = match cache.map(Cache::writer) {
        Some(Ok(w)) => (Some(w), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let (store_tx, store_rx) = channel::<cache::Entry>();
    let store_tx = writer.is_some().then_some(store_tx);
    let mut pass = std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut reader = cache.map(Cache::reader);
            let mut lookup = |source: &str, stamp, whole: Option<(&std::path::Path, _)>| {
                reader.as_mut()?.lookup(source, stamp, whole, max_bytes)
            };
            let indexes = discover::produce(inputs, &tx, max_bytes, &mut lookup);
            (indexes, reader.map(|r| r.confirmed).unwrap_or_default())
        });
        let storing = writer.as_mut().map(|w| {
            scope.spawn(move || {
                // Commits full batches as they come, and what is queued whenever the workers
                // pause for a second; the rest at the end.
                loop {
                    match store_rx.recv_timeout(Duration::from_secs(1)) {
                        Ok(entry) => w.add(entry),
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => w.flush(),
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
                w.flush();
            })
        });
        // The workers hand each outcome to this thread, which keeps what it needs in memory
        // of its own: the facts kept for aggregation then lie together, not scattered among
        // the pages of the samples the workers allocate and free, which would hold on to
        // those pages.
        // Bounded, so that a main thread falling behind holds back the workers rather than
        // queueing every outcome in full; loosely, since a full queue wakes a worker for every
        // outcome taken (a bound of 4 made a warm ten-year run 10 % slower).
        let (done_tx, done_rx) = sync_channel::<Outcome>(256);
        let workers = scope.spawn(move || {
            pool.install(|| {
                rx.into_iter().par_bridge().for_each_with(
                    (store_tx, done_tx),
                    |(store, done), m| {
                        let o = process_one(m, cfg, store.as_ref());
                        progress.done(&o);
                        let _ = done.send(o);
                    },
                )
            })
        });
        // Sized for the usual one member per input: grown by doubling, its smaller copies
        // would stay resident to the end of the pass (mimalloc hands freed memory back a
        // second later, and a warm pass is shorter).
        let mut outcomes: Vec<(usize, R)> = Vec::with_capacity(inputs.len());
        outcomes.extend(done_rx.into_iter().map(|o| (o.row.seq, keep(o))));
        // Put back in discovery order, whatever the scheduling (in place: each `seq` is one
        // member's, so an unstable sort gives the same order without a stable sort's buffer of
        // half the outcomes).
        outcomes.sort_unstable_by_key(|(seq, _)| *seq);
        let outcomes = outcomes.into_iter().map(|(_, o)| o).collect();
        workers
            .join()
            .expect("a decoding worker panicked outside its catch");
        // The producer only ends by returning; a panic in it is a bug worth seeing.
        let (indexes, confirmed) = producer.join().expect("discovery's producer panicked");
        if let Some(h) = storing {
            h.join().expect("the cache writer panicked");
        }
        Pass {
            outcomes,
            indexes,
            stored: (0, None),
            confirmed,
        }
    });
    pass.stored = match writer {
        Some(w) => (w.stored, w.error),
        None => (0, write_error),
    };
    Ok(pass)
}

/// A copy of `o` allocated by the calling thread; the worker's own is freed.
fn copied_here(o: Outcome) -> Outcome {
    let copy = o.clone();
    drop(o);
    copy
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
            stamp: None,
            max_bytes: 1 << 20,
        }
    }

    #[test]
    fn a_panicking_decoder_gives_a_panic_row() {
        let o = process_with(member(b"0123456789"), |_, _| panic!("index out of bounds"));
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
            None,
        );
        assert_eq!(o.row.reason, Some(Reason::NotFit));
    }
}
