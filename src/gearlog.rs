//! The runner's gear log: a CSV file `gear,from,to` saying which pair was worn when.
//!
//! The header is required (any letter case, a UTF-8 byte-order mark allowed); `from` and `to`
//! are local days (`YYYY-MM-DD`), inclusive; an empty or missing `to` means still in use.
//! Where spans overlap, the later line wins. Fields follow RFC 4180 (`crate::csvtext`). A line
//! that breaks these rules is an error naming the file and the line, and is left out; the
//! other lines are used. A file that cannot be read or lacks the header is an error for the
//! whole log (the caller makes it a usage error).

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::csvtext::{given, local_day, FileError, Layout, Rows};
use crate::model::GearSpan;

/// The header the log must start with.
pub(crate) const HEADER: [&str; 3] = ["gear", "from", "to"];

/// The gear log's layout.
const LAYOUT: Layout = Layout {
    what: "gear log",
    header: &HEADER,
    quoted: "a name",
};

/// A gear log row as written, each field trimmed, empty ones `None`.
#[derive(Deserialize)]
struct Row {
    #[serde(default, deserialize_with = "given")]
    gear: Option<String>,
    #[serde(default, deserialize_with = "given")]
    from: Option<String>,
    #[serde(default, deserialize_with = "given")]
    to: Option<String>,
}

/// A gear log that was read: its spans, in file order, and the lines that could not be used.
pub(crate) type GearLog = Rows<GearSpan>;

/// Reads and checks a gear log.
pub(crate) fn read(path: &Path) -> Result<GearLog, FileError> {
    LAYOUT.read(path, span)
}

/// Parses gear log text; `path` names the file in messages.
#[cfg(test)]
pub(crate) fn parse(path: &str, text: &str) -> Result<GearLog, FileError> {
    LAYOUT.parse(path, text, span)
}

/// A row → a span of days the pair was worn, or what is wrong with it.
fn span(r: Row, line: usize) -> Result<GearSpan, String> {
    let gear = r.gear.ok_or("no gear name")?;
    let day = |text: Option<String>, name: &str| -> Result<Option<NaiveDate>, String> {
        text.map(|t| local_day(&t, name)).transpose()
    };
    let from = day(r.from, HEADER[1])?.ok_or("no `from` date")?;
    let to = day(r.to, HEADER[2])?;
    if to.is_some_and(|to| to < from) {
        return Err(format!("`to` is before `from` ({from})"));
    }
    Ok(GearSpan {
        gear,
        from,
        to,
        line,
    })
}

/// The pair the log says was worn on `day`: the latest line whose span holds it.
pub(crate) fn worn_on(spans: &[GearSpan], day: NaiveDate) -> Option<&GearSpan> {
    spans
        .iter()
        .filter(|s| s.from <= day && s.to.is_none_or(|to| day <= to))
        .max_by_key(|s| s.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn later_lines_win_where_spans_overlap_and_bad_lines_are_named() {
        let log = parse(
            "g.csv",
            "gear,from,to\nA,2024-01-01,\nB,2024-02-01,2024-02-10\nC,2024-13-01,\nD,2024-03-05,2024-03-01\n",
        )
        .unwrap();
        assert_eq!(log.rows.len(), 2);
        let lines: Vec<usize> = log.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 5]);
        assert_eq!(worn_on(&log.rows, day("2024-01-15")).unwrap().gear, "A");
        assert_eq!(worn_on(&log.rows, day("2024-02-10")).unwrap().gear, "B");
        assert_eq!(worn_on(&log.rows, day("2024-02-11")).unwrap().gear, "A");
        assert!(worn_on(&log.rows, day("2023-12-31")).is_none());
    }
}
