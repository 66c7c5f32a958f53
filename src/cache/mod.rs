//! The per-file result cache: what decoding and analysing each activity file produced (its
//! ledger row and run facts, before aggregation), kept between runs so that re-running over
//! years of unchanged history decodes only what is new.
//!
//! - **Store**: SQLite ([`store`]), one row per file: built for exactly this (transactions that
//!   survive `kill -9`, several processes at once through its own locking, a format anyone can
//!   inspect with `sqlite3`), bundled with the binary.
//! - **Key**: the file's path, and its stamp (size, modification and change time, inode)
//!   as discovery saw it; an entry stored within [`RACY_NS`] of the file's last change is
//!   confirmed by the content hash of the bytes that were analysed (the "racy" case: a change in
//!   the same clock tick would leave the stamp as it was). Every entry also carries a context,
//!   the hash of the build id and every per-file setting: another fitrisk or other analysis
//!   settings never match.
//! - **Trust**: each entry's bytes carry their own hash, checked before use; an entry that fails
//!   it, or does not decode, is read again from the file. A cache that is not one (another
//!   program's file, a damaged file, a newer format) is moved aside, reported and rebuilt.

mod error;
mod store;

use std::path::{Path, PathBuf};

use serde::Serialize;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::config::Config;
use crate::discover::{read_file, Kind};
use crate::model::{Outcome, Reason, Stamp};

pub(crate) use error::Error;
pub(crate) use store::Writer;

/// The cache's file inside its folder (SQLite adds `-wal` and `-shm` beside it while in use).
pub(crate) const FILE_NAME: &str = "cache.sqlite";
/// The default folder, inside the output folder.
pub const DEFAULT_DIR: &str = ".fitrisk-cache";
/// How close to the file's last change an entry may have been stored and still be trusted on
/// its stamp alone: 2 s, the coarsest time stamps of a common file system (FAT, as on a watch
/// mounted as a drive).
pub(crate) const RACY_NS: i64 = 2_000_000_000;

/// The build this binary is: its version and a hash of its sources (`build.rs`).
const BUILD_ID: &str = env!("FITRISK_BUILD_ID");

/// An open cache: where it is, what its entries must match, and the last entry it held when
/// opened. Nothing of the entries is kept in memory: each file is looked up as discovery finds
/// it, so memory does not grow with the history (docs/methodology.md, Re-runs).
pub struct Cache {
    file: PathBuf,
    context: [u8; 16],
    last_rowid: i64,
}

/// What the cache knows of one file besides its outcome.
#[derive(Clone, Debug)]
pub(crate) struct Indexed {
    rowid: i64,
    stamp: Stamp,
    content: [u8; 16],
    read_ns: i64,
}

/// One fresh result on its way into the cache.
pub(crate) struct Entry {
    pub(crate) source: String,
    pub(crate) stamp: Stamp,
    /// xxh3-128 of the bytes analysed.
    pub(crate) content: [u8; 16],
    /// Wall clock just before the bytes were read, ns since the Unix epoch.
    pub(crate) read_ns: i64,
    /// The outcome, postcard.
    pub(crate) outcome: Vec<u8>,
}

/// The per-file settings, as the cache's context hashes them.
#[derive(Serialize)]
struct Context<'a> {
    build: &'a str,
    max_member_mb: u64,
    gait: &'a crate::config::GaitSettings,
    downhill: &'a crate::config::DownhillSettings,
    surface: &'a crate::config::SurfaceSettings,
    guard: &'a crate::config::GuardSettings,
}

/// The context of entries computed by this build with `cfg`'s per-file settings.
fn context(cfg: &Config) -> [u8; 16] {
    let f = cfg.per_file();
    let text = toml::to_string(&Context {
        build: BUILD_ID,
        max_member_mb: cfg.ingest.max_member_mb,
        gait: f.gait,
        downhill: f.downhill,
        surface: f.surface,
        guard: f.guard,
    })
    .unwrap_or_else(|_| format!("{BUILD_ID} {cfg:?}"));
    xxh3_128(text.as_bytes()).to_le_bytes()
}

/// Now, ns since the Unix epoch.
pub(crate) fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// The content hash the cache keeps of analysed bytes.
pub(crate) fn content_hash(bytes: &[u8]) -> [u8; 16] {
    xxh3_128(bytes).to_le_bytes()
}

impl Cache {
    /// Opens (or creates) the cache in `dir` for results computed with `cfg`. Never fails: a
    /// cache that cannot be used is rebuilt, and one that cannot be created is `None`, with
    /// the reason in the second value.
    pub fn open(dir: &Path, cfg: &Config) -> (Option<Cache>, Vec<String>) {
        let file = dir.join(FILE_NAME);
        let mut notes = Vec::new();
        if let Err(e) = std::fs::create_dir_all(dir) {
            notes.push(format!(
                "cache folder {} cannot be created ({e}): every file is read",
                dir.display()
            ));
            return (None, notes);
        }
        match store::open_index(&file, &mut notes) {
            Ok(last_rowid) => {
                let cache = Cache {
                    file,
                    context: context(cfg),
                    last_rowid,
                };
                (Some(cache), notes)
            }
            Err(e) => {
                notes.push(format!(
                    "cache {} cannot be used ({e}): every file is read",
                    file.display()
                ));
                (None, notes)
            }
        }
    }

    /// The cache's file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// A reader for the discovery thread.
    pub(crate) fn reader(&self) -> Reader<'_> {
        Reader {
            cache: self,
            conn: store::connect(&self.file).ok(),
            confirmed: Vec::new(),
        }
    }

    /// A writer for fresh results.
    pub(crate) fn writer(&self) -> Result<Writer, Error> {
        Writer::new(&self.file, self.context)
    }

    /// Marks entries whose content was confirmed as read now.
    pub(crate) fn confirmed(&self, rowids: &[i64]) -> Result<(), Error> {
        if rowids.is_empty() {
            return Ok(());
        }
        store::mark_read(&self.file, rowids, now_ns())
    }

    /// Removes the entries of files under `roots` (as `source` names them) that were not found
    /// this time (`seen`): the files were deleted or moved. Entries stored since the cache was
    /// opened are left alone (this run's are all seen; another run's are its own), except
    /// that SQLite may give a new entry the rowid of the last one when that one was deleted:
    /// then the other run's file is read again next time. An entry whose path is not text
    /// (no fitrisk writes one) goes too. Returns how many.
    pub(crate) fn prune(&self, roots: &[String], mut seen: Vec<&str>) -> Result<usize, Error> {
        seen.sort_unstable();
        let mut gone = Vec::new();
        store::each_source(&self.file, self.last_rowid, |rowid, source| {
            let gone_here = source.is_none_or(|source| {
                seen.binary_search(&source).is_err() && roots.iter().any(|r| under(source, r))
            });
            if gone_here {
                gone.push(rowid);
            }
        })?;
        if gone.is_empty() {
            return Ok(0);
        }
        store::delete(&self.file, &gone).map(|()| gone.len())
    }
}

/// Whether `source` is `root`, lies below it, or is a member of it.
fn under(source: &str, root: &str) -> bool {
    match source.strip_prefix(root) {
        Some("") => true,
        Some(rest) => rest.starts_with(['/', '!']) || root.ends_with('/'),
        None => false,
    }
}

/// Looks files up for discovery, on its own connection.
pub(crate) struct Reader<'a> {
    cache: &'a Cache,
    conn: Option<rusqlite::Connection>,
    /// Entries whose content was confirmed: they are marked read now, so that the next run can
    /// trust their stamp once the file is old enough.
    pub(crate) confirmed: Vec<i64>,
}

impl Reader<'_> {
    /// The entry of member `source` if the cache holds a current one for the file on disk
    /// (`stamp`) as it is: the same stamp, and, for an entry stored close to the file's last
    /// change, the same content — checked for a whole file (`whole`: its path and kind); an
    /// archive member stored so close is read again. The entry's own hash is checked here.
    pub(crate) fn lookup(
        &mut self,
        source: &str,
        stamp: Stamp,
        whole: Option<(&Path, Kind)>,
        max_bytes: u64,
    ) -> Option<Vec<u8>> {
        let conn = self.conn.as_ref()?;
        let context = &self.cache.context[..];
        let last = self.cache.last_rowid;
        let (e, blob) = store::lookup(conn, source, last, |e, ctx| {
            ctx == context && e.stamp == stamp
        })
        .ok()??;
        let (blob, check) = blob?;
        let racy = stamp.mtime_ns.max(stamp.ctime_ns) > e.read_ns - RACY_NS;
        if racy {
            let (path, kind) = whole?;
            let bytes = read_file(path, kind, max_bytes).ok()?;
            if content_hash(&bytes) != e.content {
                return None;
            }
            self.confirmed.push(e.rowid);
        }
        (xxh3_64(&blob) as i64 == check).then_some(blob)
    }
}

/// An outcome from its cache entry; `None` when the entry does not decode (then the file is
/// read again).
pub(crate) fn decode(blob: &[u8]) -> Option<Outcome> {
    postcard::from_bytes(blob).ok()
}

/// The cache entry of a fresh outcome, if it may be cached: an input that could not be read
/// (`io_error`) is tried again next time.
pub(crate) fn encode(outcome: &Outcome) -> Option<Vec<u8>> {
    if outcome.row.reason == Some(Reason::IoError) {
        return None;
    }
    postcard::to_stdvec(outcome).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_contain_their_own_files_only() {
        assert!(under("runs/a.fit", "runs"));
        assert!(under("runs/a.fit", "runs/"));
        assert!(under("runs", "runs"));
        assert!(!under("runs2/a.fit", "runs"));
        assert!(!under("other/a.fit", "runs"));
        assert!(under("export.zip!a.fit", "export.zip"));
        assert!(!under("export.zip2!a.fit", "export.zip"));
    }

    #[test]
    fn another_setting_is_another_context() {
        let a = Config::default();
        let mut b = Config::default();
        assert_eq!(context(&a), context(&b));
        b.gait.run_min_spm += 1.0;
        assert_ne!(context(&a), context(&b));
        let mut c = Config::default();
        c.load.acwr_high += 0.1; // aggregation only: entries stay valid
        assert_eq!(context(&a), context(&c));
    }
}
