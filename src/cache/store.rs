//! The cache's SQLite file: its schema, telling a cache of ours from anything else, and the
//! batched writes of fresh results.
//!
//! Write-ahead logging (`journal_mode = WAL`): readers never wait for the writer, a second
//! fitrisk writing the same cache waits its turn (busy timeout), and a process killed mid-write
//! leaves the last committed batch intact. `synchronous = NORMAL` may lose the last batches on
//! a power cut but never corrupts the file; a lost entry is only a file read once more.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{
    params, params_from_iter, Connection, ErrorCode, OptionalExtension, TransactionBehavior,
};

use super::{Entry, Error, Indexed};
use crate::model::Stamp;

/// `PRAGMA application_id` of a fitrisk cache: "fitr".
const APPLICATION_ID: i32 = 0x6669_7472;
/// `PRAGMA user_version`: the format of the tables below. A file of a later format is a newer
/// fitrisk's, and moved aside rather than read.
pub(super) const FORMAT: i32 = 1;
/// Entries written per transaction (in WAL mode a commit costs no sync: this bounds what a
/// killed run loses, not speed).
const BATCH: usize = 64;
/// How long a writer waits for another process's transaction.
const BUSY: Duration = Duration::from_secs(30);
/// Each connection's page cache, KiB. Entries are read once each (looked up by path) and
/// written in batches: a larger cache (SQLite's default is 2 MiB per connection) would only
/// fill with pages that are not read again, and grow the report's memory with the history until it is
/// full. The operating system's file cache keeps the file's pages anyway.
const PAGE_CACHE_KIB: i64 = 256;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    source   TEXT PRIMARY KEY, -- the ledger's source: the path as found
    context  BLOB NOT NULL,    -- xxh3-128 of the build id and the per-file settings
    size     INTEGER NOT NULL, -- the file's stamp when it was found
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    ino      INTEGER NOT NULL,
    dev      INTEGER NOT NULL,
    content  BLOB NOT NULL,    -- xxh3-128 of the bytes analysed
    read_ns  INTEGER NOT NULL, -- wall clock just before they were read
    outcome  BLOB NOT NULL,    -- the outcome (ledger row, run facts), postcard
    checksum INTEGER NOT NULL  -- xxh3-64 of outcome
);";

/// Opens a connection that waits for other writers.
pub(super) fn connect(file: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(file)?;
    conn.busy_timeout(BUSY)?;
    // A negative size is in KiB.
    conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
    Ok(conn)
}

/// An SQLite error met while opening: a file that is damaged or no database is
/// [`Error::Damaged`] (moved aside and rebuilt); anything else (no permission, disk full…)
/// means this run goes without.
fn classify(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Error::Damaged(e),
        _ => Error::Sqlite(e),
    }
}

/// Opens the cache file, creating it, walks its table and its index by path once (a damaged
/// page is found here, not half-way through the pass) and returns the largest rowid: entries stored
/// after this are this run's own, or another run's. A file that is not a usable cache is moved
/// aside (with a note) and a new one made.
pub(super) fn open_index(file: &Path, notes: &mut Vec<String>) -> Result<i64, Error> {
    let why = match try_open(file) {
        Ok(last) => return Ok(last),
        Err(why) => why,
    };
    let Some(what) = why.aside_as() else {
        return Err(why);
    };
    let aside = move_aside(file, what)?;
    notes.push(format!(
        "the cache {} was not used ({why}): moved to {}, a new one built",
        file.display(),
        aside.display()
    ));
    try_open(file)
}

fn try_open(file: &Path) -> Result<i64, Error> {
    let conn = connect(file).map_err(classify)?;
    let app: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(classify)?;
    let format: i32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(classify)?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(classify)?;
    if app != APPLICATION_ID && (app != 0 || objects > 0) {
        return Err(Error::Foreign(app));
    }
    if app == APPLICATION_ID && format > FORMAT {
        return Err(Error::Newer(format));
    }
    // WAL first: it cannot be switched on inside a transaction.
    let _: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(classify)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(classify)?;
    if app != APPLICATION_ID || format < FORMAT {
        // New, or an older format of ours: its entries are dropped (a file read once more).
        let sql = format!(
            "BEGIN IMMEDIATE; DROP TABLE IF EXISTS entries; {SCHEMA}
             PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {FORMAT}; COMMIT;"
        );
        conn.execute_batch(&sql).map_err(classify)?;
    } else {
        // Ours, in this format: a table someone dropped is simply made again.
        conn.execute_batch(SCHEMA).map_err(classify)?;
    }
    // Every entry's stamp, then every path in the index look-ups go through, read and let go:
    // the table's pages and the index's are all walked here, so a damaged one is reported and
    // the cache rebuilt now, not met by every look-up of the pass. Nothing is kept: each file
    // is looked up by its path as discovery finds it (`lookup`). (The outcomes' own pages are
    // not read: an outcome is checked by its checksum when used.)
    let mut last = 0;
    walk(
        &conn,
        "SELECT rowid, source, context, size, mtime_ns, ctime_ns, ino, dev, content, read_ns
         FROM entries",
        [],
        |r| {
            last = last.max(r.get::<_, i64>(0)?);
            (1..10).try_for_each(|i| r.get_ref(i).map(drop))
        },
    )
    .map_err(classify)?;
    walk(
        &conn,
        "SELECT source FROM entries ORDER BY source",
        [],
        |r| r.get_ref(0).map(drop),
    )
    .map_err(classify)?;
    Ok(last)
}

/// Runs `sql` with `params` and hands each row to `each`.
fn walk(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut each: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        each(r)?;
    }
    Ok(())
}

/// An entry's outcome (postcard) and the checksum stored with it.
pub(super) type Blob = (Vec<u8>, i64);

/// What the cache held for `source` when it was opened (entries up to rowid `last`: not what
/// this run stored since, as a snapshot would): its index row, and the outcome with its
/// checksum when `wanted` accepts the index row and the entry's context (the outcome is not
/// copied otherwise). A row whose stored path is not `source` (a damaged index can point
/// elsewhere) is not this file's.
pub(super) fn lookup(
    conn: &Connection,
    source: &str,
    last: i64,
    wanted: impl FnOnce(&Indexed, &[u8]) -> bool,
) -> rusqlite::Result<Option<(Indexed, Option<Blob>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, context, size, mtime_ns, ctime_ns, ino, dev, content, read_ns, outcome,
         checksum, source FROM entries WHERE source = ?1 AND rowid <= ?2",
    )?;
    stmt.query_row(params![source, last], |r| {
        let blob16 = |i: usize| -> rusqlite::Result<[u8; 16]> {
            Ok(blob(r, i)?.try_into().unwrap_or([0; 16]))
        };
        let e = Indexed {
            rowid: r.get(0)?,
            stamp: Stamp {
                size: r.get::<_, i64>(2)? as u64,
                mtime_ns: r.get(3)?,
                ctime_ns: r.get(4)?,
                ino: r.get::<_, i64>(5)? as u64,
                dev: r.get::<_, i64>(6)? as u64,
            },
            content: blob16(7)?,
            read_ns: r.get(8)?,
        };
        let same = r.get_ref(11)?.as_str().is_ok_and(|s| s == source);
        let outcome = if same && wanted(&e, blob(r, 1)?) {
            Some((blob(r, 9)?.to_vec(), r.get(10)?))
        } else {
            None
        };
        Ok((e, outcome))
    })
    .optional()
}

/// Column `i` of `r`, a blob, borrowed.
fn blob<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r [u8]> {
    let value = r.get_ref(i)?;
    value
        .as_blob()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, value.data_type(), Box::new(e)))
}

/// Calls `each` with the rowid and source of every entry up to rowid `last` (`None` for a
/// source that is not text, which no fitrisk writes).
pub(super) fn each_source(
    file: &Path,
    last: i64,
    mut each: impl FnMut(i64, Option<&str>),
) -> rusqlite::Result<()> {
    let sql = "SELECT rowid, source FROM entries WHERE rowid <= ?1";
    walk(&connect(file)?, sql, [last], |r| {
        each(r.get(0)?, r.get_ref(1)?.as_str().ok());
        Ok(())
    })
}

/// Renames `file` (and its `-wal`, `-shm`) to `<file>.<what>`, replacing an earlier one.
fn move_aside(file: &Path, what: &str) -> Result<PathBuf, Error> {
    let aside = PathBuf::from(format!("{}.{what}", file.display()));
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", file.display()));
        let to = PathBuf::from(format!("{}{suffix}", aside.display()));
        match std::fs::rename(&from, &to) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::MoveAside { path: from, source }),
        }
    }
    Ok(aside)
}

/// Sets the read time of entries by rowid, in one transaction.
pub(super) fn mark_read(file: &Path, rowids: &[i64], read_ns: i64) -> Result<(), Error> {
    per_row(
        file,
        "UPDATE entries SET read_ns = ?1 WHERE rowid = ?2",
        &[read_ns],
        rowids,
    )
}

/// Deletes entries by rowid, in one transaction.
pub(super) fn delete(file: &Path, rowids: &[i64]) -> Result<(), Error> {
    per_row(file, "DELETE FROM entries WHERE rowid = ?1", &[], rowids)
}

/// Runs `sql` once per rowid, with the parameters `first` and then the rowid, in one
/// transaction.
fn per_row(file: &Path, sql: &str, first: &[i64], rowids: &[i64]) -> Result<(), Error> {
    let mut conn = connect(file)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare(sql)?;
        for id in rowids {
            stmt.execute(params_from_iter(first.iter().chain([id])))?;
        }
    }
    Ok(tx.commit()?)
}

/// Stores fresh results in batches, one transaction each.
pub(crate) struct Writer {
    conn: Connection,
    context: [u8; 16],
    pending: Vec<Entry>,
    /// Entries committed.
    pub(crate) stored: usize,
    /// The first write that failed; nothing more is written after it.
    pub(crate) error: Option<Error>,
}

impl Writer {
    pub(super) fn new(file: &Path, context: [u8; 16]) -> Result<Writer, Error> {
        Ok(Writer {
            conn: connect(file)?,
            context,
            pending: Vec::new(),
            stored: 0,
            error: None,
        })
    }

    /// Queues an entry; a full batch is committed.
    pub(crate) fn add(&mut self, entry: Entry) {
        if self.error.is_none() {
            self.pending.push(entry);
            if self.pending.len() >= BATCH {
                self.flush();
            }
        }
    }

    /// Commits what is queued.
    pub(crate) fn flush(&mut self) {
        if self.pending.is_empty() || self.error.is_some() {
            self.pending.clear();
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        match self.commit(&batch) {
            Ok(()) => self.stored += batch.len(),
            Err(e) => self.error = Some(Error::Sqlite(e)),
        }
    }

    fn commit(&mut self, batch: &[Entry]) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO entries (source, context, size, mtime_ns, ctime_ns,
                 ino, dev, content, read_ns, outcome, checksum)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for e in batch {
                let s = e.stamp;
                stmt.execute(params![
                    e.source,
                    &self.context[..],
                    s.size as i64,
                    s.mtime_ns,
                    s.ctime_ns,
                    s.ino as i64,
                    s.dev as i64,
                    &e.content[..],
                    e.read_ns,
                    e.outcome,
                    xxhash_rust::xxh3::xxh3_64(&e.outcome) as i64,
                ])?;
            }
        }
        tx.commit()
    }
}
