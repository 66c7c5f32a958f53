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

use crate::csvtext::{local_day, read_text, with_header, FileError, LineError, Record};
use crate::model::GearSpan;

/// The header the log must start with.
pub(crate) const HEADER: [&str; 3] = ["gear", "from", "to"];

/// The kind of file, in messages.
const WHAT: &str = "gear log";

/// A gear log that was read.
#[derive(Clone, Debug, Default)]
pub(crate) struct GearLog {
    /// The file, as given.
    pub(crate) path: String,
    /// The usable spans, in file order.
    pub(crate) spans: Vec<GearSpan>,
    /// The lines left out.
    pub(crate) errors: Vec<LineError>,
}

/// Reads and checks a gear log.
pub(crate) fn read(path: &Path) -> Result<GearLog, FileError> {
    let (shown, text) = read_text(path, WHAT)?;
    parse(&shown, &text)
}

/// Parses gear log text; `path` names the file in messages.
pub(crate) fn parse(path: &str, text: &str) -> Result<GearLog, FileError> {
    let rows = with_header(path, text, WHAT, &HEADER)?;
    let mut log = GearLog {
        path: path.to_string(),
        ..GearLog::default()
    };
    for r in rows {
        match r.and_then(|r| span(&r).map_err(|m| (r.line, m))) {
            Ok(s) => log.spans.push(s),
            Err((line, message)) => log.errors.push(LineError {
                path: path.to_string(),
                line,
                message,
            }),
        }
    }
    Ok(log)
}

fn span(r: &Record) -> Result<GearSpan, String> {
    if r.fields.len() > HEADER.len() {
        return Err(format!(
            "{} fields, at most 3 expected (put a name with commas in double quotes)",
            r.fields.len()
        ));
    }
    let field = |i: usize| r.fields.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
    let gear = field(0).ok_or("no gear name")?.to_string();
    let day = |i: usize| -> Result<Option<NaiveDate>, String> {
        field(i).map(|t| local_day(t, HEADER[i])).transpose()
    };
    let from = day(1)?.ok_or("no `from` date")?;
    let to = day(2)?;
    if to.is_some_and(|to| to < from) {
        return Err(format!("`to` is before `from` ({from})"));
    }
    Ok(GearSpan {
        gear,
        from,
        to,
        line: r.line,
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
        assert_eq!(log.spans.len(), 2);
        let lines: Vec<usize> = log.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 5]);
        assert_eq!(worn_on(&log.spans, day("2024-01-15")).unwrap().gear, "A");
        assert_eq!(worn_on(&log.spans, day("2024-02-10")).unwrap().gear, "B");
        assert_eq!(worn_on(&log.spans, day("2024-02-11")).unwrap().gear, "A");
        assert!(worn_on(&log.spans, day("2023-12-31")).is_none());
    }
}
