//! The pain diary: a CSV file the runner keeps, read into [`DiaryDay`] rows.
//!
//! The file is `date,pain,next_morning,location,note` with that header on its first line
//! (any letter case, a UTF-8 byte-order mark allowed). `date` is the local day
//! (`YYYY-MM-DD`), `pain` the pain during or after running that day (0–10, required),
//! `next_morning` the pain the next morning (0–10), then where it hurt and a note; the last
//! three may be empty or left off. Fields follow RFC 4180: a field in double quotes may hold
//! commas, line breaks and doubled quotes (`""`). Blank lines are skipped.
//!
//! A row that breaks these rules is an error naming the file and the line it starts on, and
//! is left out; the other rows are used. A file that cannot be read, is not UTF-8, or lacks
//! the header is an error for the whole diary (the caller makes it a usage error).

use std::path::Path;

use serde::Deserialize;

use crate::csvtext::{given, local_day, FileError, Layout, LineError, Rows};
use crate::model::DiaryDay;

/// The header the diary must start with.
pub(crate) const HEADER: [&str; 5] = ["date", "pain", "next_morning", "location", "note"];

/// The diary's layout.
const LAYOUT: Layout = Layout {
    what: "pain diary",
    header: &HEADER,
    quoted: "a note",
};

/// A diary row as written, each field trimmed, empty ones `None`.
#[derive(Deserialize)]
struct Row {
    #[serde(default, deserialize_with = "given")]
    date: Option<String>,
    #[serde(default, deserialize_with = "given")]
    pain: Option<String>,
    #[serde(default, deserialize_with = "given")]
    next_morning: Option<String>,
    #[serde(default, deserialize_with = "given")]
    location: Option<String>,
    #[serde(default, deserialize_with = "given")]
    note: Option<String>,
}

/// A diary that was read: its days (sorted by date) and the lines that could not be used.
pub(crate) type Diary = Rows<DiaryDay>;

/// Reads and checks a diary file.
pub(crate) fn read(path: &Path) -> Result<Diary, FileError> {
    LAYOUT.read(path, day).map(from_rows)
}

/// Parses diary text; `path` names the file in messages.
#[cfg(test)]
pub(crate) fn parse(path: &str, text: &str) -> Result<Diary, FileError> {
    LAYOUT.parse(path, text, day).map(from_rows)
}

/// The diary from its rows in file order: sorted by date, and a second row for a day already
/// given left out (the sort is stable, so the first of a day's rows is the file's first).
fn from_rows(mut diary: Diary) -> Diary {
    diary.rows.sort_by_key(|d| d.date);
    let mut kept: Vec<DiaryDay> = Vec::with_capacity(diary.rows.len());
    for day in std::mem::take(&mut diary.rows) {
        match kept.last() {
            Some(first) if first.date == day.date => diary.errors.push(LineError {
                path: diary.path.clone(),
                line: day.line,
                message: format!("{} is already on line {}", day.date, first.line),
            }),
            _ => kept.push(day),
        }
    }
    diary.rows = kept;
    diary.errors.sort_by_key(|e| e.line);
    diary
}

/// A row → a diary day, or what is wrong with it.
fn day(r: Row, line: usize) -> Result<DiaryDay, String> {
    let date = local_day(r.date.as_deref().ok_or("no date")?, "date")?;
    let score = |text: Option<String>, name: &str| -> Result<Option<f64>, String> {
        let Some(text) = text else {
            return Ok(None);
        };
        match text.parse::<f64>() {
            Ok(x) if (0.0..=10.0).contains(&x) => Ok(Some(x)),
            _ => Err(format!("{name} `{text}` is not a number from 0 to 10")),
        }
    };
    let pain = score(r.pain, HEADER[1])?.ok_or("no pain score (0 for none)")?;
    Ok(DiaryDay {
        date,
        pain,
        next_morning: score(r.next_morning, HEADER[2])?,
        location: r.location,
        note: r.note,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quoted_fields_hold_commas_quotes_and_line_breaks() {
        let text = "\u{feff}Date,Pain,Next_Morning,Location,Note\r\n\
                    2024-03-02,2,1,knee,\"easy, then \"\"hilly\"\"\"\r\n\
                    \r\n\
                    2024-03-01,4,,\"left knee\",\"two\nlines\"\n\
                    2024-03-04,0\n";
        let d = parse("d.csv", text).unwrap();
        assert_eq!(d.errors, vec![]);
        assert_eq!(d.rows.len(), 3);
        assert_eq!(d.rows[0].date, day("2024-03-01"));
        assert_eq!(d.rows[0].line, 4);
        assert_eq!(d.rows[0].next_morning, None);
        assert_eq!(d.rows[0].location.as_deref(), Some("left knee"));
        assert_eq!(d.rows[0].note.as_deref(), Some("two\nlines"));
        assert_eq!(d.rows[1].note.as_deref(), Some("easy, then \"hilly\""));
        assert_eq!(d.rows[1].next_morning, Some(1.0));
        assert_eq!(d.rows[1].line, 2);
        // The row after a quoted line break is numbered by the line it starts on.
        assert_eq!((d.rows[2].line, d.rows[2].pain), (6, 0.0));
    }

    #[test]
    fn a_bad_row_names_its_line_and_the_others_are_used() {
        let text = "date,pain,next_morning,location,note\n\
                    2024-03-01,3\n\
                    2024-03-02,11\n\
                    03/03/2024,2\n\
                    2024-03-04,,2\n\
                    2024-03-05,2,1,knee,a, b\n\
                    2024-03-01,1\n\
                    2024-03-06,\"2\" x\n\
                    2024-03-07,5,6\n";
        let d = parse("d.csv", text).unwrap();
        let lines: Vec<usize> = d.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8]);
        assert_eq!(
            d.errors[0].to_string(),
            "d.csv:3: pain `11` is not a number from 0 to 10"
        );
        assert!(d.errors[4].message.contains("already on line 2"));
        let dates: Vec<NaiveDate> = d.rows.iter().map(|d| d.date).collect();
        assert_eq!(dates, vec![day("2024-03-01"), day("2024-03-07")]);
        assert_eq!(d.rows[1].worst(), 6.0);
    }

    #[test]
    fn a_missing_header_is_an_error_for_the_whole_file() {
        let e = parse("d.csv", "2024-03-01,3\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("date,pain,next_morning,location,note"),
            "{e}"
        );
        assert!(e.to_string().contains("2024-03-01,3"), "{e}");
        assert!(parse("d.csv", "").is_err());
    }
}
