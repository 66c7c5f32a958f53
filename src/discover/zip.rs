//! Archives read in memory: every FIT member of a zip (and of zips inside it) is sent on to
//! the workers, and a Strava `activities.csv` inside is read as the export's index.

use std::io::{self, Read, Seek};

use super::members::{gunzip, too_large, Payload, Sender};
use super::{strava, Kind, MAX_ZIP_DEPTH};
use crate::model::{ExportIndex, Failure, Reason};

/// Where one input's archive members go.
pub(super) struct Zip<'a, 'b> {
    pub(super) out: Sender<'a, 'b>,
    pub(super) indexes: &'a mut Vec<ExportIndex>,
}

impl Zip<'_, '_> {
    /// Sends the FIT members of one archive (recursing into nested zips). `weight` is the number of
    /// top-level bytes the archive stands for, shared out over its members for the progress bar.
    pub(super) fn walk<R: Read + Seek>(
        &mut self,
        reader: R,
        source: &str,
        weight: u64,
        depth: usize,
    ) -> bool {
        let mut archive = match ::zip::ZipArchive::new(reader) {
            Ok(a) => a,
            Err(e) => {
                return self.out.send(
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
                    if !self.out.send(
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
            if matches!(kind, Kind::Fit | Kind::FitGz) {
                if let Some(blob) = self.out.cached(&name) {
                    // Unreachable in practice (the entry's checksum was checked): an entry this
                    // build cannot decode. Not cached, so the next run reads the member.
                    let fallback = Payload::Failed(Failure::new(
                        Reason::IoError,
                        "its cache entry could not be decoded: run again to read it",
                    ));
                    if !self
                        .out
                        .send(name, Payload::Cached(blob, Box::new(fallback)), share)
                    {
                        return false;
                    }
                    continue;
                }
            }
            if entry.size() > self.out.max_bytes {
                let payload = Payload::Failed(too_large(self.out.max_bytes));
                if !self.out.send(name, payload, share) {
                    return false;
                }
                continue;
            }
            let mut buf = Vec::with_capacity(entry.size() as usize);
            let read = (&mut entry)
                .take(self.out.max_bytes + 1)
                .read_to_end(&mut buf);
            drop(entry);
            if let Err(e) = read {
                let payload = Payload::Failed(Failure::new(
                    Reason::BadArchive,
                    format!("unreadable member: {e}"),
                ));
                if !self.out.send(name, payload, share) {
                    return false;
                }
                continue;
            }
            let ok = match kind {
                Kind::Fit => self.out.send(name, Payload::Bytes(buf), share),
                Kind::FitGz => {
                    let payload = match gunzip(buf.as_slice(), self.out.max_bytes) {
                        Ok(b) => Payload::Bytes(b),
                        Err(failure) => Payload::Failed(failure),
                    };
                    self.out.send(name, payload, share)
                }
                Kind::Zip if depth + 1 >= MAX_ZIP_DEPTH => self.out.send(
                    name,
                    Payload::Failed(Failure::new(
                        Reason::BadArchive,
                        format!("zips nested deeper than {MAX_ZIP_DEPTH} levels are not read"),
                    )),
                    share,
                ),
                Kind::Zip => self.walk(io::Cursor::new(buf), &name, share, depth + 1),
                Kind::StravaIndex => {
                    let folder = &name[..name.len() - "activities.csv".len()];
                    self.indexes.push(strava::parse(&name, folder, &buf));
                    true
                }
            };
            if !ok {
                return false;
            }
        }
        true
    }
}
