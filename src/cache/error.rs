//! What can go wrong with the cache. Each error's text is the one the run's summary shows in
//! its note ("the cache … could not be updated (…)", "… cannot be used (…)").

use std::io;
use std::path::PathBuf;

use super::store::FORMAT;

/// Why the cache could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// SQLite refused: the file cannot be opened, read or written (no permission, disk full, a
    /// lock held too long…). SQLite's own words.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// The file is damaged, or is not an SQLite database at all.
    #[error("damaged or not a database: {0}")]
    Damaged(rusqlite::Error),
    /// An SQLite database of another program: its application id.
    #[error("not a fitrisk cache: application id {0:#x}")]
    Foreign(i32),
    /// A cache of a newer fitrisk: its format.
    #[error("cache format {0}, from a newer fitrisk; this one reads {FORMAT}")]
    Newer(i32),
    /// A cache that cannot be used could not be moved aside to make room for a new one.
    #[error("cannot move {} aside: {source}", .path.display())]
    MoveAside {
        /// The file (the cache, or its `-wal` or `-shm`) that stayed.
        path: PathBuf,
        source: io::Error,
    },
}

impl Error {
    /// For a file that is not a cache this fitrisk can use, the suffix it is moved aside
    /// under (`<file>.<suffix>`) before a new one is made; `None` when the file may be fine
    /// and this run goes without.
    pub(super) fn aside_as(&self) -> Option<&'static str> {
        match self {
            Error::Damaged(_) => Some("corrupt"),
            Error::Foreign(_) => Some("foreign"),
            Error::Newer(_) => Some("newer"),
            Error::Sqlite(_) | Error::MoveAside { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each error reads as the text the cache gave before it had a type.
    #[test]
    fn texts_are_those_of_before() {
        assert_eq!(
            Error::Foreign(42).to_string(),
            "not a fitrisk cache: application id 0x2a"
        );
        assert_eq!(
            Error::Newer(99).to_string(),
            format!("cache format 99, from a newer fitrisk; this one reads {FORMAT}")
        );
        let sqlite = || rusqlite::Error::InvalidQuery;
        assert_eq!(Error::Sqlite(sqlite()).to_string(), sqlite().to_string());
        assert_eq!(
            Error::Damaged(sqlite()).to_string(),
            format!("damaged or not a database: {}", sqlite())
        );
        let io = || io::Error::new(io::ErrorKind::PermissionDenied, "denied");
        let moved = Error::MoveAside {
            path: PathBuf::from("c/cache.sqlite-wal"),
            source: io(),
        };
        assert_eq!(
            moved.to_string(),
            format!("cannot move c/cache.sqlite-wal aside: {}", io())
        );
    }
}
