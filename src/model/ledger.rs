//! The ledger vocabulary: what happened to each input (`status`) and why (`reason`).
//!
//! Every member discovery finds ends up as exactly one [`FileRow`] in `files.{parquet,csv}`;
//! the tokens here are the stable strings users filter on, documented in docs/schema.md (the
//! `files` table) and docs/methodology.md (the ledger).

tokens! {
    /// What became of one input.
    Status {
        /// Decoded cleanly.
        Ok => "ok",
        /// Used, but something was wrong with it (see the reason).
        Warning => "warning",
        /// Not used (see the reason).
        Skipped => "skipped",
        /// The same activity was found in another input, which is the one used.
        Duplicate => "duplicate",
    }
}

tokens! {
    /// Why an input is not `ok`.
    Reason {
        /// The file ends before its header says it should (e.g. the watch battery died); the
        /// records before the cut are kept.
        Truncated => "truncated",
        /// A checksum does not match but the structure decodes; the data is kept.
        CrcMismatch => "crc_mismatch",
        /// Bytes inside the data did not decode; they were skipped and the file read on where
        /// messages decode again: what lay before and after them is kept.
        Damaged => "damaged",
        /// Time stamps count from device power-on, not dates: the run is kept without a date.
        DeviceTime => "device_time",
        /// Values outside the plausibility bounds were dropped or replaced (a warning; the
        /// detail says what and how much), or too little plausible data was left (a skip).
        Implausible => "implausible",
        /// Bytes follow the last complete FIT file; they are ignored.
        TrailingData => "trailing_data",
        /// Not a FIT file (no `.FIT` signature).
        NotFit => "not_fit",
        /// A 0-byte file.
        Empty => "empty",
        /// A FIT file but not an activity (settings, monitoring, workout, course…).
        NotActivity => "not_activity",
        /// An activity without running (rides, swims…).
        NotRunning => "not_running",
        /// No message names the sport (lost with damage, or never written): a warning when the
        /// records show running (the run is kept), a skip when they do not.
        SportUnknown => "sport_unknown",
        /// A "run" that was not on foot: faster than the world record for its duration (a car,
        /// a train), or pedalling on the run profile (a ride).
        NotOnFoot => "not_on_foot",
        /// The same activity as another input.
        Duplicate => "duplicate",
        /// The FIT structure could not be decoded.
        DecodeError => "decode_error",
        /// The file could not be read.
        IoError => "io_error",
        /// The name is one fitrisk reads, but the path is not a regular file (a named pipe, a
        /// device, a socket): it is never opened, since reading a named pipe waits forever.
        NotAFile => "not_a_file",
        /// A `.zip` or `.gz` container could not be read.
        BadArchive => "bad_archive",
        /// The member is larger than fitrisk accepts.
        TooLarge => "too_large",
        /// The decoder panicked on this input (a bug in a dependency or here): the input is
        /// skipped.
        Panic => "panic",
    }
}

impl Reason {
    /// True for reasons that mean the input was unreadable (as opposed to simply not a run):
    /// `--strict` exits 3 when any input has one. `not_a_file` counts: the user pointed fitrisk at
    /// an input that could not be read.
    pub(crate) fn is_unreadable(self) -> bool {
        matches!(
            self,
            Reason::NotFit
                | Reason::Empty
                | Reason::DecodeError
                | Reason::IoError
                | Reason::NotAFile
                | Reason::BadArchive
                | Reason::TooLarge
                | Reason::Panic
        )
    }
}

/// Why an input yielded no data: a ledger reason and the specifics. Discovery, reading and
/// decoding all fail with this one type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Ledger reason.
    pub(crate) reason: Reason,
    /// A sentence with the specifics.
    pub(crate) detail: String,
}

impl Failure {
    /// A failure for `reason` with `detail`.
    pub(crate) fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Failure {
            reason,
            detail: detail.into(),
        }
    }
}

/// One row of `files.{parquet,csv}`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileRow {
    /// Discovery order.
    pub(crate) seq: usize,
    /// Path, with `!` between archive members.
    pub(crate) source: String,
    /// Size of the FIT data in bytes (after decompression).
    pub(crate) bytes: u64,
    /// Outcome.
    pub(crate) status: Status,
    /// Why, when not `ok`.
    pub(crate) reason: Option<Reason>,
    /// A sentence with the specifics (error position, sport found, kept duplicate…).
    pub(crate) detail: String,
    /// FIT file type from `file_id` (`activity`, `settings`…), when decoded.
    pub(crate) file_type: Option<String>,
    /// Sessions of any sport in the file.
    pub(crate) sessions: u32,
    /// Running sessions that reached the activities table.
    pub(crate) runs: u32,
}

/// What aggregation reads of an input's ledger row: what duplicate detection and the summary
/// use, where its source lies in the ledger's text, and where the whole row is kept (in the
/// [`Store`](crate::store::Store), as the runs' facts are).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    /// As [`FileRow::seq`].
    pub(crate) seq: u32,
    /// As [`FileRow::status`] (duplicate detection may change it).
    pub(crate) status: Status,
    /// As [`FileRow::reason`].
    pub(crate) reason: Option<Reason>,
    /// As [`FileRow::runs`].
    pub(crate) runs: u32,
    /// The source: bytes `source.0..source.1` of the ledger's text.
    pub(crate) source: (u32, u32),
    /// Where the whole row is kept ([`Store::row`](crate::store::Store::row)).
    pub(crate) row: u32,
}

/// The ledger while the report is made: a slot per input in discovery order, their sources
/// in one string, and the rows duplicate detection changed. The rows themselves are in the
/// [`Store`](crate::store::Store), read a frame at a time to be written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ledger {
    /// Every input's source, one after the other.
    pub(crate) text: String,
    /// One per input, in discovery order (by `seq`).
    pub(crate) slots: Vec<Slot>,
    /// Rows changed since they were kept (a duplicate's status and detail), by the
    /// index of their slot, in order.
    pub(crate) changed: Vec<(usize, FileRow)>,
}

impl Ledger {
    /// Inputs.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// An input's source.
    pub(crate) fn source(&self, slot: &Slot) -> &str {
        source_in(&self.text, slot)
    }

    /// The slot of the input with this `seq`.
    pub(crate) fn slot_of_seq(&self, seq: u32) -> Option<&Slot> {
        self.slots
            .binary_search_by_key(&seq, |s| s.seq)
            .ok()
            .map(|i| &self.slots[i])
    }

    /// The source of the input with this `seq` (empty if there is none).
    pub(crate) fn source_of_seq(&self, seq: u32) -> &str {
        self.slot_of_seq(seq).map_or("", |s| self.source(s))
    }

    /// The changed row of slot `i`, if duplicate detection changed it.
    pub(crate) fn changed(&self, i: usize) -> Option<&FileRow> {
        self.changed
            .binary_search_by_key(&i, |c| c.0)
            .ok()
            .map(|k| &self.changed[k].1)
    }
}

/// A slot's source in `text`, the ledger's.
pub(crate) fn source_in<'a>(text: &'a str, slot: &Slot) -> &'a str {
    text.get(slot.source.0 as usize..slot.source.1 as usize)
        .unwrap_or("")
}

/// `n` and the noun in the number it needs: "1 sample", "3 samples". Ledger details and
/// messages count with it, never with "sample(s)".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the file system says of an input file when discovery finds it: enough to see that it
/// changed without reading it. The change time and the inode are in it because a tool that
/// restores a modification time (`touch -d`, `cp -p`, `rsync -t`) cannot restore those.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Stamp {
    /// Size in bytes.
    pub(crate) size: u64,
    /// Last modification, ns since the Unix epoch.
    pub(crate) mtime_ns: i64,
    /// Last status change (content, name, permissions), ns since the Unix epoch; 0 where the
    /// platform has none.
    pub(crate) ctime_ns: i64,
    /// Inode and device numbers; 0 where the platform has none.
    pub(crate) ino: u64,
    /// See `ino`.
    pub(crate) dev: u64,
}
