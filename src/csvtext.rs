//! The CSV files fitrisk reads — the runner's pain diary and gear log, and Strava's
//! `activities.csv` — split into records by the `csv` crate (RFC 4180: a field in double quotes
//! may hold commas, line breaks and doubled quotes). Each record knows the line it starts on.
//!
//! The runner's files are read through a [`Layout`]: a file that cannot be read or lacks its
//! header is an error for the whole file ([`FileError`]); each row after it is deserialized into
//! the reader's row struct and checked, and a row that fails is a [`LineError`] naming the file
//! and the line while the other rows are used.

use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;
use csv::StringRecord;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// One line of a runner's CSV file that could not be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub(crate) struct LineError {
    /// The file.
    pub(crate) path: String,
    /// The line the row starts on (1-based).
    pub(crate) line: usize,
    /// What is wrong.
    pub(crate) message: String,
}

/// A runner's CSV file that cannot be used at all; `what` names the kind of file ("pain
/// diary").
#[derive(Debug, thiserror::Error)]
pub(crate) enum FileError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read {what} {path}: {source}")]
    Read {
        /// The kind of file.
        what: &'static str,
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The first line is not the header.
    #[error("{what} {path}: the first line must be the header `{}`, got `{found}`", header.join(","))]
    Header {
        /// The kind of file.
        what: &'static str,
        /// The file.
        path: String,
        /// The header it must have.
        header: &'static [&'static str],
        /// What the first line holds.
        found: String,
    },
}

/// A kind of runner's CSV file: its name in messages, the header it starts with, and what a
/// row has that may hold commas.
pub(crate) struct Layout {
    /// The kind of file, in messages ("pain diary").
    pub(crate) what: &'static str,
    /// The header its first line must be (any letter case, blanks around the names allowed).
    pub(crate) header: &'static [&'static str],
    /// What to put in double quotes when it holds commas ("a note"), named when a row has more
    /// fields than the header.
    pub(crate) quoted: &'static str,
}

/// The rows of a runner's CSV file that could be used, in file order, and the lines that
/// could not.
#[derive(Debug)]
pub(crate) struct Rows<U> {
    /// The file, as shown in messages.
    pub(crate) path: String,
    /// The rows that passed the reader's check.
    pub(crate) rows: Vec<U>,
    /// The rows left out, each naming its file and line.
    pub(crate) errors: Vec<LineError>,
}

impl Layout {
    /// Reads the file at `path`: see [`Layout::parse`]. A file that cannot be read or is not
    /// UTF-8 is an error for the whole file.
    pub(crate) fn read<T, U>(
        &self,
        path: &Path,
        check: impl FnMut(T, usize) -> Result<U, String>,
    ) -> Result<Rows<U>, FileError>
    where
        T: DeserializeOwned,
    {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => self.parse(&shown, &text, check),
            Err(source) => Err(FileError::Read {
                what: self.what,
                path: shown,
                source,
            }),
        }
    }

    /// Parses the text of a file (`path` names it in messages): its first line must be the
    /// header (a UTF-8 byte-order mark before it allowed); each later row is deserialized into
    /// `T` by position (fields left off are their default) and handed to `check` with the line
    /// it starts on. A row with more fields than the header, or that `check` refuses, is a
    /// [`LineError`].
    pub(crate) fn parse<T, U>(
        &self,
        path: &str,
        text: &str,
        mut check: impl FnMut(T, usize) -> Result<U, String>,
    ) -> Result<Rows<U>, FileError>
    where
        T: DeserializeOwned,
    {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut all = records(text).into_iter();
        self.header(path, text, all.next())?;
        let mut rows = Rows {
            path: path.to_string(),
            rows: Vec::new(),
            errors: Vec::new(),
        };
        for r in all {
            let row = r.and_then(|r| {
                let line = r.line;
                self.row(&r)
                    .and_then(|t| check(t, line))
                    .map_err(|m| (line, m))
            });
            match row {
                Ok(u) => rows.rows.push(u),
                Err((line, message)) => rows.errors.push(LineError {
                    path: path.to_string(),
                    line,
                    message,
                }),
            }
        }
        Ok(rows)
    }

    /// Checks the first record against the header; the error quotes what the first line
    /// holds.
    fn header(&self, path: &str, text: &str, first: Option<Parsed>) -> Result<(), FileError> {
        let found = match first {
            Some(Ok(r)) if r.line == 1 => {
                let names: Vec<&str> = r.fields.iter().collect();
                let same = names.len() == self.header.len()
                    && names
                        .iter()
                        .zip(self.header)
                        .all(|(f, h)| f.trim().eq_ignore_ascii_case(h));
                if same {
                    return Ok(());
                }
                names.join(",")
            }
            _ => text.lines().next().unwrap_or("").to_string(),
        };
        Err(FileError::Header {
            what: self.what,
            path: path.to_string(),
            header: self.header,
            found,
        })
    }

    /// A record after the header, deserialized by position.
    fn row<T: DeserializeOwned>(&self, r: &Record) -> Result<T, String> {
        if r.fields.len() > self.header.len() {
            return Err(format!(
                "{} fields, at most {} expected (put {} with commas in double quotes)",
                r.fields.len(),
                self.header.len(),
                self.quoted
            ));
        }
        r.fields.deserialize(None).map_err(|e| e.to_string())
    }
}

/// A field as the runner gave it, for the row structs' `deserialize_with`: blanks around it
/// dropped, `None` when nothing is left.
pub(crate) fn given<'de, D: Deserializer<'de>>(field: D) -> Result<Option<String>, D::Error> {
    let text = Option::<String>::deserialize(field)?;
    Ok(text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
}

/// A local day written `YYYY-MM-DD`; the error says whether the text is not in that form or
/// is in it but no calendar day (`2023-02-30`). `what` names the field.
pub(crate) fn local_day(text: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        let shaped = text.len() == 10
            && text.char_indices().all(|(i, c)| match i {
                4 | 7 => c == '-',
                _ => c.is_ascii_digit(),
            });
        if shaped {
            format!("{what} `{text}` is not a day of the calendar")
        } else {
            format!("{what} `{text}` is not YYYY-MM-DD")
        }
    })
}

/// One CSV record: its fields and the line it starts on.
pub(crate) struct Record {
    /// The line it starts on (1-based).
    pub(crate) line: usize,
    /// Its fields, unquoted.
    pub(crate) fields: StringRecord,
}

/// A record, or the line of one that cannot be read and why.
pub(crate) type Parsed = Result<Record, (usize, String)>;

/// Read after the text by [`records`]: a blank line, then a record of one empty quoted field.
/// It is the last record read unless a quoted field is still open at the end of the text,
/// which swallows it.
const END: &[u8] = b"\n\"\"\n";

/// Splits text into records. Only a line feed ends a record (a carriage return before it is
/// dropped, one elsewhere is text); blank lines, and lines of blanks only, give no record. A
/// quoted field still open at the end of the text makes its record an error.
pub(crate) fn records(text: &str) -> Vec<Parsed> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(text.as_bytes().chain(END));
    let mut out: Vec<Parsed> = Vec::new();
    let mut last = None;
    for result in reader.records() {
        out.extend(last.take());
        last = Some(match result {
            Ok(fields) => Ok(Record {
                line: start_line(text, &fields),
                fields: without_cr(fields),
            }),
            Err(e) => Err((e.position().map_or(0, |p| p.line() as usize), e.to_string())),
        });
    }
    let closed = matches!(&last, Some(Ok(r)) if r.fields.len() == 1 && r.fields[0].is_empty());
    if !closed {
        if let Some(open) = last {
            let line = open.map_or_else(|(line, _)| line, |r| r.line);
            out.push(Err((line, "a quoted field is not closed".into())));
        }
    }
    out.retain(|r| !r.as_ref().is_ok_and(is_blank));
    out
}

/// The line a record starts on. The reader notes a record's position before it passes over
/// blank lines, so the line feeds right after that position are counted on.
fn start_line(text: &str, fields: &StringRecord) -> usize {
    let Some(pos) = fields.position() else {
        return 0;
    };
    let rest = text
        .as_bytes()
        .get(pos.byte() as usize..)
        .unwrap_or_default();
    let blank = rest.iter().take_while(|&&b| b == b'\n').count();
    pos.line() as usize + blank
}

/// The record without the carriage return of a CRLF line end, which the reader leaves on its
/// last field.
fn without_cr(fields: StringRecord) -> StringRecord {
    match fields.iter().next_back() {
        Some(last) if last.ends_with('\r') => {
            let n = fields.len();
            fields
                .iter()
                .enumerate()
                .map(|(i, f)| if i + 1 == n { &f[..f.len() - 1] } else { f })
                .collect()
        }
        _ => fields,
    }
}

/// Whether a record is a blank line: one field of blanks only.
fn is_blank(r: &Record) -> bool {
    r.fields.len() == 1 && r.fields[0].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as its line and fields, or its line and error.
    type Split = Result<(usize, Vec<String>), (usize, String)>;

    /// Each record as its line and fields, or its line and error.
    fn split(text: &str) -> Vec<Split> {
        records(text)
            .into_iter()
            .map(|r| r.map(|r| (r.line, r.fields.iter().map(str::to_string).collect())))
            .collect()
    }

    fn ok(line: usize, fields: &[&str]) -> Split {
        Ok((line, fields.iter().map(|f| f.to_string()).collect()))
    }

    #[test]
    fn records_start_on_their_own_line_past_blank_lines_and_quoted_line_breaks() {
        let text = "a,b\r\n\r\n\n\"x\ny\",\"q\"\"q\"\r\n   \n\nc\n\n";
        assert_eq!(
            split(text),
            vec![ok(1, &["a", "b"]), ok(4, &["x\ny", "q\"q"]), ok(8, &["c"]),]
        );
        // Only a line feed ends a record; a lone carriage return is text.
        assert_eq!(split("a\rb,c"), vec![ok(1, &["a\rb", "c"])]);
        assert_eq!(split(""), vec![]);
        assert_eq!(split("\n\n"), vec![]);
    }

    #[test]
    fn a_quoted_field_open_at_the_end_is_an_error_on_the_line_its_record_starts() {
        let text = "a,b\nc,\"open\nd,e\n";
        assert_eq!(
            split(text),
            vec![
                ok(1, &["a", "b"]),
                Err((2, "a quoted field is not closed".into()))
            ]
        );
        assert_eq!(
            split("a,\"b\"\"")[0],
            Err((1, "a quoted field is not closed".into()))
        );
        // Closed at the very end, with or without a line end.
        assert_eq!(split("a,\"b\""), vec![ok(1, &["a", "b"])]);
        assert_eq!(split("a,\"b\"\r\n"), vec![ok(1, &["a", "b"])]);
    }
}
