//! Archives read in memory: every FIT member of a zip (and of zips inside it) is sent on to
//! the workers, and a Strava `activities.csv` inside is read as the export's index.

use std::io::{self, Read, Seek};

use ::zip::read::ZipFile;
use ::zip::ZipArchive;

use super::members::{gunzip, too_large, Payload, Sender};
use super::{strava, Kind, MAX_ZIP_DEPTH};
use crate::model::{ExportIndex, Failure, Reason};

/// Where one input's archive members go.
pub(super) struct Zip<'a, 'b> {
    pub(super) out: Sender<'a, 'b>,
    pub(super) indexes: &'a mut Vec<ExportIndex>,
}

/// The archive being walked: its name, how deep it is nested, and the progress each member
/// stands for.
struct Level<'s> {
    /// The archive's own name (`outer.zip`, `outer.zip!inner.zip`).
    source: &'s str,
    /// Top-level bytes each member stands for, for the progress bar.
    share: u64,
    /// How many zips this one is inside of.
    depth: usize,
}

/// A member taken out of an archive, ready to be sent on.
struct Taken {
    /// Its name, `archive!member`.
    name: String,
    kind: Kind,
    /// Its bytes, as stored (still gzipped for a `.fit.gz`).
    bytes: Vec<u8>,
}

impl Zip<'_, '_> {
    /// Sends the FIT members of one archive (recursing into nested zips). `weight` is the number of
    /// top-level bytes the archive stands for, shared out over its members for the progress bar.
    /// False when the receiver is gone.
    pub(super) fn walk<R: Read + Seek>(
        &mut self,
        reader: R,
        source: &str,
        weight: u64,
        depth: usize,
    ) -> bool {
        let mut archive = match ZipArchive::new(reader) {
            Ok(a) => a,
            Err(e) => {
                let why = format!("not a readable zip archive: {e}");
                return self.out.send(source.to_string(), bad_archive(why), weight);
            }
        };
        let n = archive.len();
        let level = Level {
            source,
            share: if n == 0 { 0 } else { weight / n as u64 },
            depth,
        };
        (0..n).all(|i| self.member(&mut archive, i, &level))
    }

    /// Sends member `i` of an archive, if it is one fitrisk reads: from the cache when it holds
    /// the member, else read out of the archive. False when the receiver is gone.
    fn member<R: Read + Seek>(
        &mut self,
        archive: &mut ZipArchive<R>,
        i: usize,
        level: &Level<'_>,
    ) -> bool {
        let source = level.source;
        let entry = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                let why = format!("unreadable member: {e}");
                return self
                    .out
                    .send(format!("{source}!#{i}"), bad_archive(why), level.share);
            }
        };
        if entry.is_dir() {
            return true;
        }
        let inner_name = entry.name().to_string();
        let Some(kind) = Kind::of(&inner_name) else {
            return true;
        };
        let name = format!("{source}!{inner_name}");
        if matches!(kind, Kind::Fit | Kind::FitGz) {
            if let Some(blob) = self.out.cached(&name) {
                // Unreachable in practice (the entry's checksum was checked): an entry this
                // build cannot decode. Not cached, so the next run reads the member.
                let fallback = Payload::Failed(Failure::new(
                    Reason::IoError,
                    "its cache entry could not be decoded: run again to read it",
                ));
                let payload = Payload::Cached(blob, Box::new(fallback));
                return self.out.send(name, payload, level.share);
            }
        }
        match read_member(entry, self.out.max_bytes) {
            Ok(bytes) => self.deliver(Taken { name, kind, bytes }, level),
            Err(failure) => self.out.send(name, Payload::Failed(failure), level.share),
        }
    }

    /// Sends on a member read out of an archive, by its kind: a FIT file as it is, a `.fit.gz`
    /// gunzipped, a nested zip walked in turn, an `activities.csv` kept as the export's index.
    /// False when the receiver is gone.
    fn deliver(&mut self, member: Taken, level: &Level<'_>) -> bool {
        let Taken { name, kind, bytes } = member;
        let share = level.share;
        match kind {
            Kind::Fit => self.out.send(name, Payload::Bytes(bytes), share),
            Kind::FitGz => {
                let payload = match gunzip(bytes.as_slice(), self.out.max_bytes) {
                    Ok(b) => Payload::Bytes(b),
                    Err(failure) => Payload::Failed(failure),
                };
                self.out.send(name, payload, share)
            }
            Kind::Zip if level.depth + 1 >= MAX_ZIP_DEPTH => {
                let why = format!("zips nested deeper than {MAX_ZIP_DEPTH} levels are not read");
                self.out.send(name, bad_archive(why), share)
            }
            Kind::Zip => self.walk(io::Cursor::new(bytes), &name, share, level.depth + 1),
            Kind::StravaIndex => {
                let folder = &name[..name.len() - "activities.csv".len()];
                self.indexes.push(strava::parse(&name, folder, &bytes));
                true
            }
        }
    }
}

/// Reads an archive member's bytes, at most `max`: one larger is refused unread.
fn read_member<R: Read>(mut entry: ZipFile<'_, R>, max: u64) -> Result<Vec<u8>, Failure> {
    if entry.size() > max {
        return Err(too_large(max));
    }
    let mut buf = Vec::with_capacity(entry.size() as usize);
    match (&mut entry).take(max + 1).read_to_end(&mut buf) {
        Ok(_) => Ok(buf),
        Err(e) => Err(Failure::new(
            Reason::BadArchive,
            format!("unreadable member: {e}"),
        )),
    }
}

/// A member that is no readable archive, or that cannot be read out of one.
fn bad_archive(why: String) -> Payload {
    Payload::Failed(Failure::new(Reason::BadArchive, why))
}
