//! Discovery: finds every activity under the inputs and hands each one to the decoder as bytes.
//!
//! The walk (walkdir, sorted) keeps plain `.fit` files, Strava's `.fit.gz` and Garmin's `.zip`
//! exports, in any letter case; everything else is ignored. Archives are read in memory, never
//! extracted to disk: a member inside an archive is named `outer.zip!inner.zip!123_ACTIVITY.fit`.
//! [`produce`] streams the members in a deterministic order through a bounded channel, so the
//! decoder stage holds only a few files at a time whatever the size of an export.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use flate2::read::MultiGzDecoder;
use walkdir::WalkDir;

use crate::model::{Failure, Reason};

/// Largest decompressed member we accept (a FIT activity is rarely above 10 MB).
pub(crate) const MAX_MEMBER_BYTES: u64 = 256 * 1024 * 1024;
/// How deep zips may nest inside zips.
const MAX_ZIP_DEPTH: usize = 4;

/// What kind of container a discovered path is, judged by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A plain FIT file (`.fit`, any case).
    Fit,
    /// A gzip-compressed FIT file (`.fit.gz`).
    FitGz,
    /// A zip archive, possibly holding FIT files, `.fit.gz` files and other zips.
    Zip,
}

impl Kind {
    /// Classifies a file name; `None` for files fitrisk does not read.
    pub(crate) fn of(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".fit") {
            Some(Kind::Fit)
        } else if lower.ends_with(".fit.gz") {
            Some(Kind::FitGz)
        } else if lower.ends_with(".zip") {
            Some(Kind::Zip)
        } else {
            None
        }
    }
}

/// One input file found on disk.
#[derive(Clone, Debug)]
pub struct Input {
    /// The path as found (input argument joined with the relative path).
    pub path: PathBuf,
    /// Size on disk in bytes.
    pub(crate) bytes: u64,
    /// Container kind.
    pub kind: Kind,
}

/// An error about an input path given on the command line.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct InputError {
    /// The path the user gave.
    pub(crate) path: String,
    /// What went wrong.
    #[source]
    pub(crate) source: io::Error,
}

/// Walks every input (a folder or a single file) and returns the candidate files sorted by path.
///
/// An input path that does not exist is fatal; unreadable entries below a folder are returned
/// as inputs so that the decoder reports them in the ledger rather than losing them.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    let mut found = Vec::new();
    for root in inputs {
        let meta = std::fs::metadata(root).map_err(|source| InputError {
            path: root.display().to_string(),
            source,
        })?;
        if meta.is_file() {
            // A single file named on the command line is read whatever its name: the user asked.
            let name = root.to_string_lossy();
            let kind = Kind::of(&name).unwrap_or(Kind::Fit);
            found.push(Input {
                path: root.clone(),
                bytes: meta.len(),
                kind,
            });
            continue;
        }
        for entry in WalkDir::new(root).follow_links(true).sort_by_file_name() {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    // An unreadable folder or a broken link: keep it so the ledger says so.
                    if let Some(path) = err.path() {
                        if Kind::of(&path.to_string_lossy()).is_some() {
                            found.push(Input {
                                path: path.to_path_buf(),
                                bytes: 0,
                                kind: Kind::Fit,
                            });
                        }
                    }
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let Some(kind) = Kind::of(&entry.file_name().to_string_lossy()) else {
                continue;
            };
            let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
            found.push(Input {
                path: entry.into_path(),
                bytes,
                kind,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    Ok(found)
}

/// Where a member's bytes come from.
#[derive(Debug)]
pub(crate) enum Payload {
    /// A file on disk, read (and gunzipped) by the worker itself.
    Path(PathBuf, Kind),
    /// Bytes already taken out of an archive by the producer.
    Bytes(Vec<u8>),
    /// The member could not be read at all.
    Failed(Failure),
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
}

impl Member {
    /// Reads the member's FIT bytes: plain files from disk, `.fit.gz` through gunzip.
    pub(crate) fn into_bytes(self) -> Result<Vec<u8>, Failure> {
        match self.payload {
            Payload::Bytes(b) => Ok(b),
            Payload::Failed(failure) => Err(failure),
            Payload::Path(path, kind) => {
                let file =
                    File::open(&path).map_err(|e| Failure::new(Reason::IoError, e.to_string()))?;
                match kind {
                    Kind::FitGz => gunzip(file),
                    _ => {
                        let mut buf = Vec::new();
                        file.take(MAX_MEMBER_BYTES + 1)
                            .read_to_end(&mut buf)
                            .map_err(|e| Failure::new(Reason::IoError, e.to_string()))?;
                        check_size(buf)
                    }
                }
            }
        }
    }
}

fn too_large() -> Failure {
    Failure::new(
        Reason::TooLarge,
        format!("larger than {} MiB", MAX_MEMBER_BYTES >> 20),
    )
}

fn check_size(buf: Vec<u8>) -> Result<Vec<u8>, Failure> {
    if buf.len() as u64 > MAX_MEMBER_BYTES {
        Err(too_large())
    } else {
        Ok(buf)
    }
}

fn gunzip(reader: impl Read) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    MultiGzDecoder::new(reader)
        .take(MAX_MEMBER_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Failure::new(Reason::BadArchive, format!("gzip: {e}")))?;
    check_size(buf)
}

/// Sends every member of every input, in order, to `tx`. Returns early if the receiver is gone.
///
/// Plain files are sent as paths so that reading them happens in parallel in the workers;
/// archive members are decompressed here, one at a time, and sent as bytes.
pub(crate) fn produce(inputs: &[Input], tx: &SyncSender<Member>) {
    let mut seq = 0usize;
    for input in inputs {
        let source = input.path.display().to_string();
        let ok = match input.kind {
            Kind::Fit | Kind::FitGz => send(
                tx,
                &mut seq,
                source,
                Payload::Path(input.path.clone(), input.kind),
                input.bytes,
            ),
            Kind::Zip => match File::open(&input.path) {
                Ok(file) => walk_zip(file, &source, input.bytes, 0, tx, &mut seq),
                Err(e) => send(
                    tx,
                    &mut seq,
                    source,
                    Payload::Failed(Failure::new(Reason::IoError, e.to_string())),
                    input.bytes,
                ),
            },
        };
        if !ok {
            return;
        }
    }
}

fn send(
    tx: &SyncSender<Member>,
    seq: &mut usize,
    source: String,
    payload: Payload,
    progress_bytes: u64,
) -> bool {
    let member = Member {
        seq: *seq,
        source,
        payload,
        progress_bytes,
    };
    *seq += 1;
    tx.send(member).is_ok()
}

/// Sends the FIT members of one archive (recursing into nested zips). `weight` is the number of
/// top-level bytes the archive stands for, shared out over its members for the progress bar.
fn walk_zip<R: Read + Seek>(
    reader: R,
    source: &str,
    weight: u64,
    depth: usize,
    tx: &SyncSender<Member>,
    seq: &mut usize,
) -> bool {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => {
            return send(
                tx,
                seq,
                source.to_string(),
                Payload::Failed(Failure::new(
                    Reason::BadArchive,
                    format!("not a readable zip archive: {e}"),
                )),
                weight,
            )
        }
    };
    let n = archive.len();
    let share = if n == 0 { 0 } else { weight / n as u64 };
    for i in 0..n {
        let mut entry = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                let name = format!("{source}!#{i}");
                if !send(
                    tx,
                    seq,
                    name,
                    Payload::Failed(Failure::new(
                        Reason::BadArchive,
                        format!("unreadable member: {e}"),
                    )),
                    share,
                ) {
                    return false;
                }
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let inner_name = entry.name().to_string();
        let Some(kind) = Kind::of(&inner_name) else {
            continue;
        };
        let name = format!("{source}!{inner_name}");
        if entry.size() > MAX_MEMBER_BYTES {
            let payload = Payload::Failed(too_large());
            if !send(tx, seq, name, payload, share) {
                return false;
            }
            continue;
        }
        let mut buf = Vec::with_capacity(entry.size() as usize);
        let read = (&mut entry)
            .take(MAX_MEMBER_BYTES + 1)
            .read_to_end(&mut buf);
        drop(entry);
        if let Err(e) = read {
            let payload = Payload::Failed(Failure::new(
                Reason::BadArchive,
                format!("unreadable member: {e}"),
            ));
            if !send(tx, seq, name, payload, share) {
                return false;
            }
            continue;
        }
        let ok = match kind {
            Kind::Fit => send(tx, seq, name, Payload::Bytes(buf), share),
            Kind::FitGz => {
                let payload = match gunzip(buf.as_slice()) {
                    Ok(b) => Payload::Bytes(b),
                    Err(failure) => Payload::Failed(failure),
                };
                send(tx, seq, name, payload, share)
            }
            Kind::Zip if depth + 1 >= MAX_ZIP_DEPTH => send(
                tx,
                seq,
                name,
                Payload::Failed(Failure::new(
                    Reason::BadArchive,
                    format!("zips nested deeper than {MAX_ZIP_DEPTH} levels are not read"),
                )),
                share,
            ),
            Kind::Zip => walk_zip(io::Cursor::new(buf), &name, share, depth + 1, tx, seq),
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Total bytes on disk of the inputs.
pub fn total_bytes(inputs: &[Input]) -> u64 {
    inputs.iter().map(|i| i.bytes).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name_any_case() {
        assert_eq!(Kind::of("a/B.FIT"), Some(Kind::Fit));
        assert_eq!(Kind::of("123.fit.gz"), Some(Kind::FitGz));
        assert_eq!(Kind::of("123.FIT.GZ"), Some(Kind::FitGz));
        assert_eq!(Kind::of("export.Zip"), Some(Kind::Zip));
        assert_eq!(Kind::of("run.gpx.gz"), None);
        assert_eq!(Kind::of("notes.txt"), None);
    }
}
