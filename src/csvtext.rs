//! A small RFC 4180 reader shared by the runner's CSV files (pain diary, gear log) and
//! Strava's `activities.csv`: fields in double quotes may hold commas, line breaks and doubled
//! quotes; each record knows the line it starts on, and one that does not parse says why.
//!
//! The runner's files are read through [`with_header`]: a file that cannot be read or lacks its
//! header is an error for the whole file ([`FileError`]); a bad line later on is the caller's
//! [`LineError`], naming the file and the line, and the other lines are used.

use std::path::Path;

use chrono::NaiveDate;

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

/// Reads a file as text; `what` names the kind of file in the error. Returns the path as shown
/// in messages, and the text.
pub(crate) fn read_text(path: &Path, what: &'static str) -> Result<(String, String), FileError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((shown, text)),
        Err(source) => Err(FileError::Read {
            what,
            path: shown,
            source,
        }),
    }
}

/// The records of `text` after its header, which must be its first line (any letter case,
/// blanks around the names allowed, a UTF-8 byte-order mark before it allowed).
pub(crate) fn with_header(
    path: &str,
    text: &str,
    what: &'static str,
    header: &'static [&'static str],
) -> Result<Vec<Parsed>, FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut all = records(text);
    match all.first() {
        Some(Ok(r))
            if r.line == 1
                && r.fields.len() == header.len()
                && r.fields
                    .iter()
                    .zip(header)
                    .all(|(f, h)| f.trim().eq_ignore_ascii_case(h)) => {}
        first => {
            let found = match first {
                Some(Ok(r)) if r.line == 1 => r.fields.join(","),
                _ => text.lines().next().unwrap_or("").to_string(),
            };
            return Err(FileError::Header {
                what,
                path: path.to_string(),
                header,
                found,
            });
        }
    }
    all.drain(..1);
    Ok(all)
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
    pub(crate) fields: Vec<String>,
}

/// A record, or the line of one that does not parse and why.
pub(crate) type Parsed = Result<Record, (usize, String)>;

/// Splits text into records (RFC 4180); a record that does not parse is its line and why.
/// Blank lines give no record.
pub(crate) fn records(text: &str) -> Vec<Parsed> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = vec![String::new()];
        let mut bad: Option<String> = None;
        // One record: fields until an unquoted line break or the end.
        loop {
            let field = fields.last_mut().expect("never empty");
            match chars.next() {
                None => break,
                Some('\n') => {
                    line += 1;
                    break;
                }
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some(',') => fields.push(String::new()),
                Some('"') if field.trim().is_empty() => {
                    field.clear();
                    let mut closed = false;
                    while let Some(c) = chars.next() {
                        match c {
                            '"' if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            '"' => {
                                closed = true;
                                break;
                            }
                            '\n' => {
                                line += 1;
                                field.push('\n');
                            }
                            c => field.push(c),
                        }
                    }
                    if !closed {
                        bad.get_or_insert("a quoted field is not closed".into());
                    }
                    // Only spaces may follow the closing quote before the next comma.
                    while let Some(&c) = chars.peek() {
                        match c {
                            ',' | '\n' | '\r' => break,
                            ' ' | '\t' => {
                                chars.next();
                            }
                            _ => {
                                chars.next();
                                bad.get_or_insert("text after a closing quote".into());
                            }
                        }
                    }
                }
                Some(c) => field.push(c),
            }
        }
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        match bad {
            Some(m) => out.push(Err((start, m))),
            None if blank => {}
            None => out.push(Ok(Record {
                line: start,
                fields,
            })),
        }
    }
    out
}
