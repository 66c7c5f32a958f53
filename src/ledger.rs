//! The ledger vocabulary: what happened to each input (`status`) and why (`reason`).
//!
//! Every member discovery finds ends up as exactly one [`FileRow`] in `files.{parquet,csv}`;
//! the tokens here are the stable strings users filter on, documented in the README.

use std::fmt;

/// What became of one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Decoded cleanly.
    Ok,
    /// Used, but something was wrong with it (see the reason).
    Warning,
    /// Not used (see the reason).
    Skipped,
    /// The same activity was found in another input, which is the one used.
    Duplicate,
}

impl Status {
    /// The token written to the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Skipped => "skipped",
            Status::Duplicate => "duplicate",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an input is not `ok`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The file ends before its header says it should (e.g. the watch battery died); the
    /// records before the cut are kept.
    Truncated,
    /// A checksum does not match but the structure decodes; the data is kept.
    CrcMismatch,
    /// Time stamps count from device power-on, not dates: the run is kept without a date.
    DeviceTime,
    /// Bytes follow the last complete FIT file; they are ignored.
    TrailingData,
    /// Not a FIT file (no `.FIT` signature).
    NotFit,
    /// A 0-byte file.
    Empty,
    /// A FIT file but not an activity (settings, monitoring, workout, course…).
    NotActivity,
    /// An activity without running (rides, swims…).
    NotRunning,
    /// The same activity as another input.
    Duplicate,
    /// The FIT structure could not be decoded.
    DecodeError,
    /// The file could not be read.
    IoError,
    /// A `.zip` or `.gz` container could not be read.
    BadArchive,
    /// The member is larger than fitrisk accepts.
    TooLarge,
    /// The decoder panicked on this input (a bug in a dependency or here): the input is skipped.
    Panic,
}

impl Reason {
    /// The token written to the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Truncated => "truncated",
            Reason::CrcMismatch => "crc_mismatch",
            Reason::DeviceTime => "device_time",
            Reason::TrailingData => "trailing_data",
            Reason::NotFit => "not_fit",
            Reason::Empty => "empty",
            Reason::NotActivity => "not_activity",
            Reason::NotRunning => "not_running",
            Reason::Duplicate => "duplicate",
            Reason::DecodeError => "decode_error",
            Reason::IoError => "io_error",
            Reason::BadArchive => "bad_archive",
            Reason::TooLarge => "too_large",
            Reason::Panic => "panic",
        }
    }

    /// True for reasons that mean the input was unreadable (as opposed to simply not a run).
    pub fn is_unreadable(self) -> bool {
        matches!(
            self,
            Reason::NotFit
                | Reason::Empty
                | Reason::DecodeError
                | Reason::IoError
                | Reason::BadArchive
                | Reason::TooLarge
                | Reason::Panic
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `files.{parquet,csv}`.
#[derive(Clone, Debug)]
pub struct FileRow {
    /// Discovery order.
    pub seq: usize,
    /// Path, with `!` between archive members.
    pub source: String,
    /// Size of the FIT data in bytes (after decompression).
    pub bytes: u64,
    /// Outcome.
    pub status: Status,
    /// Why, when not `ok`.
    pub reason: Option<Reason>,
    /// A sentence with the specifics (error position, sport found, kept duplicate…).
    pub detail: String,
    /// FIT file type from `file_id` (`activity`, `settings`…), when decoded.
    pub file_type: Option<String>,
    /// Sessions of any sport in the file.
    pub sessions: u32,
    /// Running sessions that reached the activities table.
    pub runs: u32,
}
