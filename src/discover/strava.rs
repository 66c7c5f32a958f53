//! Strava's bulk export index, `activities.csv`: which file is which activity, its name, its
//! type and the gear it was done in.
//!
//! The export's header (English accounts) starts `Activity ID,Activity Date,Activity Name,
//! Activity Type,Activity Description,Elapsed Time,Distance,…,Activity Gear,Filename,…` and
//! repeats some names (`Elapsed Time`, `Distance`, `Max Heart Rate`, `Relative Effort`): the
//! first occurrence of each name is used. `Filename` is relative to the CSV's folder
//! (`activities/<id>.fit.gz`), empty for activities without a file. `Activity Date` is UTC,
//! written like `Mar 5, 2021, 6:31:42 PM`. A file with another header (another tool's
//! `activities.csv`, or an export in another language) is ignored with a note.

use chrono::NaiveDateTime;

use csv::StringRecord;

use crate::csvtext::{records, Record};
use crate::model::{ExportEntry, ExportIndex};

/// The columns read, by their name in the header.
const ID: &str = "Activity ID";
const DATE: &str = "Activity Date";
const NAME: &str = "Activity Name";
const TYPE: &str = "Activity Type";
const GEAR: &str = "Activity Gear";
const FILENAME: &str = "Filename";

/// `Activity Date`'s format (UTC).
const DATE_FORMAT: &str = "%b %d, %Y, %I:%M:%S %p";

/// Strava activity types that are running.
pub(crate) fn is_running(activity_type: &str) -> bool {
    matches!(
        activity_type.trim().to_ascii_lowercase().as_str(),
        "run" | "trail run" | "virtual run"
    )
}

/// Whether a file name is Strava's index.
pub(crate) fn is_index(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.eq_ignore_ascii_case("activities.csv")
}

/// Parses an `activities.csv`. `source` names it in messages; `folder` is the source prefix its
/// `Filename`s are relative to (`export.zip!` or `/path/export/`).
pub(crate) fn parse(source: &str, folder: &str, bytes: &[u8]) -> ExportIndex {
    let mut index = ExportIndex {
        source: source.to_string(),
        ..ExportIndex::default()
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        index.ignored = Some("not UTF-8 text".into());
        return index;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = records(text).into_iter();
    let header = match rows.next() {
        Some(Ok(r)) if r.line == 1 => r.fields,
        _ => {
            index.ignored = Some("no header line".into());
            return index;
        }
    };
    let columns = match Columns::find(&header) {
        Ok(columns) => columns,
        Err(why) => {
            index.ignored = Some(why);
            return index;
        }
    };
    for r in rows {
        let row = r.map_err(|(line, what)| format!("{source}:{line}: {what}"));
        match row.and_then(|r| columns.entry(&r, folder, source)) {
            Ok(Some(entry)) => index.entries.push(entry),
            Ok(None) => {}
            Err(error) => index.errors.push(error),
        }
    }
    index
}

/// Where the columns read are in the header.
struct Columns {
    id: usize,
    date: usize,
    /// `Activity Name`, the one column a file may lack.
    name: Option<usize>,
    kind: usize,
    gear: usize,
    file: usize,
    /// How many fields the header has: a row with fewer is an error.
    count: usize,
}

impl Columns {
    /// The columns of a header, or why the file is ignored.
    fn find(header: &StringRecord) -> Result<Columns, String> {
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        let (Some(id), Some(date), Some(kind), Some(gear), Some(file)) =
            (col(ID), col(DATE), col(TYPE), col(GEAR), col(FILENAME))
        else {
            if header.get(0).is_some_and(|h| h == "source")
                && header.get(1).is_some_and(|h| h == "session")
            {
                return Err(
                    "fitrisk's own activities table (an earlier report's folder among the inputs?)"
                        .into(),
                );
            }
            return Err(format!(
                "not a Strava export index: its header lacks `{ID}`, `{DATE}`, `{TYPE}`, `{GEAR}` or \
                 `{FILENAME}` (an export in another language is not read)"
            ));
        };
        Ok(Columns {
            id,
            date,
            name: col(NAME),
            kind,
            gear,
            file,
            count: header.len(),
        })
    }

    /// One row's entry: `None` for an activity without a file, an error (`source:line: …`)
    /// for a row that is short or has a bad id or date.
    fn entry(&self, r: &Record, folder: &str, source: &str) -> Result<Option<ExportEntry>, String> {
        let field = |i: usize| r.fields.get(i).map(|s| s.trim()).unwrap_or("");
        let bad = |what: String| format!("{source}:{}: {what}", r.line);
        if r.fields.len() < self.count {
            return Err(bad(format!(
                "{} fields, {} expected",
                r.fields.len(),
                self.count
            )));
        }
        let id = field(self.id);
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("`{ID}` `{id}` is not a number")));
        }
        let date = field(self.date);
        if NaiveDateTime::parse_from_str(date, DATE_FORMAT).is_err() {
            return Err(bad(format!(
                "`{DATE}` `{date}` is not like `Mar 5, 2021, 6:31:42 PM`"
            )));
        }
        let path = field(self.file);
        if path.is_empty() {
            return Ok(None);
        }
        let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Ok(Some(ExportEntry {
            source: format!("{folder}{path}"),
            name: self.name.map(field).and_then(text),
            gear: text(field(self.gear)),
            running: is_running(field(self.kind)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "Activity ID,Activity Date,Activity Name,Activity Type,Activity \
        Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity \
        Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving \
        Time,Distance";

    #[test]
    fn strava_index_rows_repeated_names_and_bad_lines() {
        let text = format!(
            "{HEAD}\n\
             1,\"Mar 5, 2021, 6:31:42 PM\",\"Easy, slow\",Run,,3600,10.0,,,false,,Pegasus 38,activities/1.fit.gz,,,3600,3500,10000.0\n\
             2,\"Mar 6, 2021, 7:00:00 AM\",Commute,Ride,,3600,20.0,,,true,,Bianchi,activities/2.fit.gz,,,3600,3500,20000.0\n\
             3,\"yesterday\",x,Run,,1,1,,,false,,,activities/3.fit.gz,,,1,1,1\n\
             4,\"Mar 7, 2021, 7:00:00 AM\",Walk,Walk,,1,1,,,false,,,,,,1,1,1\n"
        );
        let ix = parse("e/activities.csv", "e/", text.as_bytes());
        assert_eq!(ix.ignored, None);
        assert_eq!(ix.entries.len(), 2);
        assert_eq!(ix.entries[0].source, "e/activities/1.fit.gz");
        assert_eq!(ix.entries[0].name.as_deref(), Some("Easy, slow"));
        assert_eq!(ix.entries[0].gear.as_deref(), Some("Pegasus 38"));
        assert!(ix.entries[0].running);
        assert!(!ix.entries[1].running);
        assert_eq!(ix.errors.len(), 1);
        assert!(
            ix.errors[0].starts_with("e/activities.csv:4: "),
            "{:?}",
            ix.errors
        );
    }

    #[test]
    fn another_header_is_ignored() {
        let ix = parse("activities.csv", "", b"id,date,name\n1,2,3\n");
        assert!(ix.ignored.unwrap().contains("not a Strava export index"));
        assert!(ix.entries.is_empty());
    }
}
