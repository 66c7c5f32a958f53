//! Members on their way to the workers: [`produce`] sends every activity candidate of every
//! input, in order, through a bounded channel.

use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use flate2::read::MultiGzDecoder;

use super::zip::Zip;
use super::{io_error, open_regular, source_name, strava, Input, Kind};
use crate::model::{ExportIndex, Failure, Reason, Stamp};

/// Where a member's bytes come from.
#[derive(Debug)]
pub(crate) enum Payload {
    /// A file on disk, read (and gunzipped) by the worker itself.
    Path(PathBuf, Kind),
    /// Bytes already taken out of an archive by the producer.
    Bytes(Vec<u8>),
    /// The member could not be read at all.
    Failed(Failure),
    /// A member whose result the cache holds: the entry (opaque here), and where its bytes
    /// are in case the entry turns out unusable.
    Cached(Vec<u8>, Box<Payload>),
}

/// One activity candidate on its way to the decoder.
#[derive(Debug)]
pub(crate) struct Member {
    /// Position in the deterministic discovery order.
    pub(crate) seq: usize,
    /// Display name: a path, with `!` separating archive members.
    pub(crate) source: String,
    /// The bytes, or where to read them.
    pub(crate) payload: Payload,
    /// Share of the top-level input bytes this member stands for (drives the progress bar).
    pub(crate) progress_bytes: u64,
    /// The stamp of the file on disk the member is, or is inside of.
    pub(crate) stamp: Option<Stamp>,
    /// Largest decompressed member accepted, bytes.
    pub(crate) max_bytes: u64,
}

impl Member {
    /// Reads the member's FIT bytes: plain files from disk, `.fit.gz` through gunzip.
    pub(crate) fn into_bytes(self) -> Result<Vec<u8>, Failure> {
        read_payload(self.payload, self.max_bytes)
    }
}

fn read_payload(payload: Payload, max: u64) -> Result<Vec<u8>, Failure> {
    match payload {
        Payload::Bytes(b) => Ok(b),
        Payload::Failed(failure) => Err(failure),
        Payload::Path(path, kind) => read_file(&path, kind, max),
        Payload::Cached(_, fallback) => read_payload(*fallback, max),
    }
}

/// Reads a file's FIT bytes, gunzipping a `.fit.gz`; at most `max` bytes.
pub(crate) fn read_file(path: &std::path::Path, kind: Kind, max: u64) -> Result<Vec<u8>, Failure> {
    let file = open_regular(path)?;
    match kind {
        Kind::FitGz => gunzip(file, max),
        _ => {
            // Sized from the file's length: through `take`, `read_to_end` has no size hint and
            // would grow the buffer by doubling, copying the file again at each step.
            // Asked for softly: memory refused here is refused again, as an error, by
            // `read_to_end`.
            let len = file.metadata().map_or(0, |m| m.len());
            let mut buf = Vec::new();
            let _ = buf.try_reserve_exact(usize::try_from(len.min(max + 1)).unwrap_or(0));
            file.take(max + 1).read_to_end(&mut buf).map_err(io_error)?;
            check_size(buf, max)
        }
    }
}

pub(super) fn too_large(max: u64) -> Failure {
    Failure::new(
        Reason::TooLarge,
        format!("larger than {} MB (ingest.max_member_mb)", max / 1_000_000),
    )
}

fn check_size(buf: Vec<u8>, max: u64) -> Result<Vec<u8>, Failure> {
    if buf.len() as u64 > max {
        Err(too_large(max))
    } else {
        Ok(buf)
    }
}

pub(super) fn gunzip(mut reader: impl Read, max: u64) -> Result<Vec<u8>, Failure> {
    // A file named `.fit.gz` that is no gzip stream at all (a text file, a plain FIT file)
    // says so, rather than what the decompressor makes of it.
    let mut magic = Vec::with_capacity(2);
    (&mut reader)
        .take(2)
        .read_to_end(&mut magic)
        .map_err(|e| Failure::new(Reason::IoError, e.to_string()))?;
    if magic != [0x1f, 0x8b] {
        let shown: String = magic
            .iter()
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '.' })
            .collect();
        return Err(Failure::new(
            Reason::NotFit,
            format!("not gzip: starts with \"{shown}\", not the gzip signature"),
        ));
    }
    let mut buf = Vec::new();
    MultiGzDecoder::new(magic.as_slice().chain(reader))
        .take(max + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Failure::new(Reason::BadArchive, format!("gzip: {e}")))?;
    check_size(buf, max)
}

/// Looks a member up in the result cache by its source and the stamp of the file on disk it
/// is or is inside of, with the file's path and kind when it is a whole file (so its content
/// can be checked): the entry, or `None` to read the member.
pub(crate) type Lookup<'a> =
    dyn FnMut(&str, Stamp, Option<(&std::path::Path, Kind)>) -> Option<Vec<u8>> + 'a;

/// Sends every member of every input, in order, to `tx`. Returns early if the receiver is gone.
///
/// Plain files are sent as paths so that reading them happens in parallel in the workers (or,
/// when `lookup` finds the file's result in the cache, as that entry); archive members are
/// decompressed here, one at a time, and sent as bytes. An input that is not a regular file is
/// sent as its failure, unopened. No member larger than `max_bytes` is read.
pub(crate) fn produce(
    inputs: &[Input],
    tx: &SyncSender<Member>,
    max_bytes: u64,
    lookup: &mut Lookup<'_>,
) -> Vec<ExportIndex> {
    let mut seq = 0usize;
    let mut indexes = Vec::new();
    for input in inputs {
        let source = source_name(&input.path);
        let mut out = Sender {
            tx,
            seq: &mut seq,
            max_bytes,
            stamp: input.stamp,
            lookup: &mut *lookup,
        };
        let ok = match (&input.problem, input.kind) {
            (_, Kind::StravaIndex) => {
                indexes.push(read_index(input, &source, max_bytes));
                true
            }
            (Some(failure), _) => {
                out.send(source, Payload::Failed((**failure).clone()), input.bytes)
            }
            (None, Kind::Fit | Kind::FitGz) => {
                let path = Payload::Path(input.path.clone(), input.kind);
                let whole = Some((input.path.as_path(), input.kind));
                let entry = input.stamp.and_then(|s| (out.lookup)(&source, s, whole));
                let payload = match entry {
                    Some(entry) => Payload::Cached(entry, Box::new(path)),
                    None => path,
                };
                out.send(source, payload, input.bytes)
            }
            (None, Kind::Zip) => match open_regular(&input.path) {
                Ok(file) => {
                    let mut zip = Zip {
                        out,
                        indexes: &mut indexes,
                    };
                    zip.walk(file, &source, input.bytes, 0)
                }
                Err(failure) => out.send(source, Payload::Failed(failure), input.bytes),
            },
        };
        if !ok {
            break;
        }
    }
    indexes
}

/// Reads an `activities.csv` found on disk; one that cannot be read is ignored with a note.
fn read_index(input: &Input, source: &str, max_bytes: u64) -> ExportIndex {
    let folder = &source[..source.len() - "activities.csv".len()];
    let bytes = match &input.problem {
        Some(failure) => Err(failure.detail.clone()),
        None => open_regular(&input.path)
            .map_err(|f| f.detail)
            .and_then(|f| {
                let mut buf = Vec::new();
                f.take(max_bytes)
                    .read_to_end(&mut buf)
                    .map(|_| buf)
                    .map_err(|e| e.to_string())
            }),
    };
    match bytes {
        Ok(bytes) => strava::parse(source, folder, &bytes),
        Err(why) => ExportIndex {
            source: source.to_string(),
            ignored: Some(format!("cannot be read: {why}")),
            ..ExportIndex::default()
        },
    }
}

/// Numbers one input's members in discovery order and sends them on.
pub(super) struct Sender<'a, 'b> {
    pub(super) tx: &'a SyncSender<Member>,
    pub(super) seq: &'a mut usize,
    /// Largest decompressed member accepted, bytes.
    pub(super) max_bytes: u64,
    /// The input's stamp, given to each of its members.
    pub(super) stamp: Option<Stamp>,
    /// The result cache.
    pub(super) lookup: &'a mut Lookup<'b>,
}

impl Sender<'_, '_> {
    /// The cache entry of archive member `source`, if the cache holds it.
    pub(super) fn cached(&mut self, source: &str) -> Option<Vec<u8>> {
        (self.lookup)(source, self.stamp?, None)
    }

    /// Sends a member; false when the receiver is gone.
    pub(super) fn send(&mut self, source: String, payload: Payload, progress_bytes: u64) -> bool {
        let member = Member {
            seq: *self.seq,
            source,
            payload,
            progress_bytes,
            stamp: self.stamp,
            max_bytes: self.max_bytes,
        };
        *self.seq += 1;
        self.tx.send(member).is_ok()
    }
}
