//! The output files themselves: the workbook read back, the Parquet schema every reader
//! handles, the `--format` list, stale files of another format, decoder.log.

use std::fs::File;
use std::path::Path;

use crate::support::{fitrisk, read_parquet, report_with, testdata};
use calamine::{open_workbook, Data, Reader, Xlsx};

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_workbook_has_a_typed_sheet_per_table_findings_first_equal_to_the_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let r = report_with(&[&testdata()], &out, &["--format", "both,xlsx"], &[]);
    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).expect("a workbook");
    assert_eq!(
        book.sheet_names(),
        [
            "findings",
            "files",
            "activities",
            "segments",
            "weeks",
            "gear"
        ]
    );

    // activities: text, numbers at full precision, date-times, booleans, empty cells.
    let sheet = book.worksheet_range("activities").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let a = &r.activities;
    assert_eq!(sheet.height(), a.height() + 1);
    for (i, row) in sheet.rows().skip(1).enumerate() {
        let source = a.column("source").unwrap().str().unwrap().get(i).unwrap();
        assert_eq!(row[col("source")], Data::String(source.to_string()));
        let d = a.column("distance_m").unwrap().f64().unwrap().get(i);
        match d {
            Some(d) => assert_eq!(row[col("distance_m")], Data::Float(d), "full precision"),
            None => assert_eq!(row[col("distance_m")], Data::Empty),
        }
        let gps = a.column("has_gps").unwrap().bool().unwrap().get(i).unwrap();
        assert_eq!(row[col("has_gps")], Data::Bool(gps));
        let start = a
            .column("start_utc")
            .unwrap()
            .datetime()
            .unwrap()
            .phys
            .get(i);
        match (start, &row[col("start_utc")]) {
            (Some(ms), Data::DateTime(x)) => {
                assert!(x.is_datetime());
                let serial = ms as f64 / 86_400e3 + 25_569.0;
                assert!(
                    (x.as_f64() - serial).abs() < 1e-9,
                    "{} vs {serial}",
                    x.as_f64()
                );
            }
            (None, Data::Empty) => {}
            (s, c) => panic!("start_utc {s:?} written as {c:?}"),
        }
    }
    // The same run in the sheet and the Parquet file, by value.
    let first_start = a
        .column("start_utc")
        .unwrap()
        .datetime()
        .unwrap()
        .phys
        .get(0)
        .unwrap();
    // 2000-01-01 is serial 36526: a FIT time stamp after 1989 is a serial above 32874.
    assert!(first_start as f64 / 86_400e3 + 25_569.0 > 32_874.0);

    // weeks: dates as dates; findings: text.
    let weeks = book.worksheet_range("weeks").unwrap();
    assert!(
        matches!(weeks.get((1, 0)), Some(Data::DateTime(d)) if !d.is_datetime() || d.as_f64().fract() == 0.0)
    );
    let findings = book.worksheet_range("findings").unwrap();
    let f = read_parquet(&out.join("findings.parquet"));
    assert_eq!(findings.height(), f.height() + 1);
    // scope, key, first_local, last_local, occurrences, rule, severity, …
    assert_eq!(
        findings.get((1, 6)).unwrap().to_string(),
        f.column("severity").unwrap().str().unwrap().get(0).unwrap()
    );
    assert!(matches!(findings.get((1, 4)), Some(Data::Float(_))));
}

#[test]
fn parquet_strings_are_large_string_not_string_view() {
    use polars_arrow::io::ipc::read::deserialize_schema;
    use polars_parquet::read::read_metadata;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    report_with(&[&testdata()], &out, &["--format", "parquet"], &[]);
    for table in ["files", "activities", "segments", "weeks", "findings"] {
        let path = out.join(format!("{table}.parquet"));
        let meta = read_metadata(&mut File::open(&path).unwrap()).unwrap();
        // The embedded ARROW:schema is what pyarrow goes by (polars' own reader turns every
        // string into a view on reading, so it cannot tell).
        let encoded = meta
            .key_value_metadata()
            .iter()
            .flatten()
            .find(|kv| kv.key == "ARROW:schema")
            .and_then(|kv| kv.value.clone())
            .expect("an ARROW:schema");
        let bytes = base64(&encoded);
        let slice = if bytes[0..4] == [255u8; 4] {
            &bytes[8..]
        } else {
            &bytes[..]
        };
        let schema = deserialize_schema(slice).unwrap().0;
        let mut strings = 0;
        for (name, field) in schema.iter() {
            let dtype = format!("{:?}", field.dtype);
            assert!(!dtype.contains("View"), "{table}.{name} is {dtype}");
            strings += usize::from(dtype == "LargeUtf8");
        }
        assert!(
            strings > 0 || table == "weeks",
            "{table} has no string column"
        );
    }
}

#[test]
fn format_takes_a_list_and_an_unknown_format_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    fitrisk()
        .args(["report", "--quiet", "--format", "csv,xlsx", "-o"])
        .arg(&out)
        .arg(testdata())
        .assert()
        .success();
    let n = names(&out);
    assert!(n.contains(&"report.xlsx".to_string()) && n.contains(&"findings.csv".to_string()));
    assert!(!n.iter().any(|f| f.ends_with(".parquet")), "{n:?}");

    fitrisk()
        .args(["report", "--format", "csv", "--format", "parquet", "-o"])
        .arg(&out)
        .arg(testdata())
        .assert()
        .success();
    assert!(names(&out).contains(&"findings.parquet".to_string()));

    fitrisk()
        .args(["report", "--format", "csv,pdf", "-o"])
        .arg(&out)
        .arg(testdata())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("pdf"));
}

#[test]
fn files_of_a_format_not_written_this_time_are_removed_and_said_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let run = |format: &str| {
        let o = fitrisk()
            .args(["report", "--format", format, "-o"])
            .arg(&out)
            .arg(testdata())
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    run("both,xlsx");
    std::fs::write(out.join("notes.csv"), "mine").unwrap();
    let summary = run("xlsx");
    // decoder.log stays: testdata has decoder complaints (the Strava file's damage read past).
    assert_eq!(
        names(&out),
        [
            ".fitrisk-cache",
            "decoder.log",
            "notes.csv",
            "report.html",
            "report.xlsx"
        ]
    );
    let removed = summary
        .lines()
        .find(|l| l.starts_with("removed"))
        .expect(&summary);
    assert!(
        removed.contains("files.parquet") && removed.contains("findings.csv"),
        "{removed}"
    );
    let summary = run("csv");
    assert!(summary.contains("report.xlsx"), "{summary}");
    assert!(!out.join("report.xlsx").exists());
    assert!(out.join("notes.csv").exists());
}

/// A file whose definition gives a field a size that is no multiple of its type: fitparser
/// reads it as bytes and prints a complaint naming no file. Each line of decoder.log names the
/// input it is about, nothing reaches the terminal, the summary counts and quotes it, and a
/// warm run (the file from the cache) writes the same decoder.log.
#[test]
fn every_decoder_line_names_its_input() {
    use crate::support::fitwriter::{fit_time, Field, FitBuilder};
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let mut b = FitBuilder::new();
    b.message(0, 0, &[Field::enum_(0, 4)]);
    // Record: time stamp (uint32), distance (uint32), heart rate as a 1-byte uint32 (odd).
    b.define(1, 20, &[(253, 4, 0x86), (5, 4, 0x86), (3, 1, 0x86)]);
    let t0 = fit_time(1_700_000_000);
    for i in 0..20u32 {
        let bytes = [
            (t0 + i).to_le_bytes().as_slice(),
            &(300 * i).to_le_bytes(),
            &[150],
        ]
        .concat();
        b.data(1, &bytes);
    }
    crate::support::write(&input, "odd.fit", &b.finish());
    crate::support::write(
        &input,
        "plain.fit",
        &std::fs::read(
            testdata()
                .join("dtcooper__python-fitparse/tests__files__activity-small-fenix2-run.fit"),
        )
        .unwrap(),
    );
    let out = tmp.path().join("r");
    let r = report_with(&[&input], &out, &[], &[]);
    let log = std::fs::read_to_string(out.join("decoder.log")).expect("decoder.log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 1, "{log}");
    let (source, complaint) = lines[0].split_once(": byte ").unwrap();
    assert!(source.ends_with("in/odd.fit"), "{log}");
    assert!(
        complaint.ends_with(
            ": field 3 of message 20 is defined with 1 byte, no multiple of its type Uint32 (4 \
             bytes): fitparser reads it as bytes"
        ),
        "{log}"
    );
    assert!(!r.stderr.contains("ERROR: field size"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("decoder    1 complaint from fitparser, all in decoder.log; the first: ")
            && r.stdout.contains("odd.fit: byte "),
        "{}",
        r.stdout
    );
    let warm = report_with(&[&input], &out, &[], &[]);
    assert!(
        warm.stdout.contains("cache      2 of 2 inputs"),
        "{}",
        warm.stdout
    );
    assert_eq!(
        std::fs::read_to_string(out.join("decoder.log")).unwrap(),
        log
    );
}

/// Standard base64 (with padding), enough for the Arrow schema.
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk.iter().fold(0u32, |n, &d| n << 6 | u32::from(d)) << (6 * (4 - chunk.len()));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// A history longer than one frame of runs (1,024): the ledger, the activities and segments
/// tables are written a frame at a time, each a Parquet row group, and read back whole and in
/// order, the same in Parquet, CSV and the workbook.
#[test]
fn a_history_longer_than_one_frame_is_written_in_row_groups_and_reads_back_whole() {
    use crate::support::fitwriter::{encode_activity, Activity};
    use crate::support::{steady_run, strs, write};
    use polars_parquet::read::read_metadata;

    const RUNS: i64 = 1030;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let day0 = 1_600_000_000; // 2020-09-13
    for i in 0..RUNS {
        // Six minutes on a rolling road, one run a day.
        let start = day0 + i * 86_400;
        let mut samples = steady_run(start, 6, 3.0, 170.0);
        for s in &mut samples {
            let d = s.distance_m.unwrap();
            s.altitude_m = Some(100.0 + 8.0 * (d / 150.0).sin());
        }
        let mut a = Activity::running(start, samples);
        a.serial_number = 1000 + i as u32;
        // Written out of start order: the tables sort them.
        write(
            &input,
            &format!("{:04}.fit", (i * 7) % RUNS),
            &encode_activity(&a),
        );
    }
    let out = tmp.path().join("r");
    report_with(&[&input], &out, &["--format", "parquet,csv,xlsx"], &[]);

    let groups = |table: &str| {
        let meta =
            read_metadata(&mut File::open(out.join(format!("{table}.parquet"))).unwrap()).unwrap();
        meta.row_groups
            .iter()
            .map(|g| g.num_rows())
            .collect::<Vec<_>>()
    };
    assert_eq!(groups("activities"), [1024, 6]);
    let activities = read_parquet(&out.join("activities.parquet"));
    assert_eq!(activities.height(), RUNS as usize);
    let sources = strs(&activities, "source");
    // In start order across the frames: the file of day i is named (7 i mod RUNS).
    for (i, s) in sources.iter().enumerate() {
        let want = format!("{:04}.fit", (i as i64 * 7) % RUNS);
        assert!(s.as_deref().unwrap().ends_with(&want), "row {i}: {s:?}");
    }
    let csv = std::fs::read_to_string(out.join("activities.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), RUNS as usize + 1);
    assert!(
        lines[0].starts_with("source,") && !lines[1..].iter().any(|l| l.starts_with("source,"))
    );
    for (line, s) in lines[1..].iter().zip(&sources) {
        assert!(line.starts_with(&format!("{},", s.as_deref().unwrap())));
    }

    // Segments: grouped by the same frames of runs, every run's segments in order.
    let seg_groups = groups("segments");
    assert_eq!(seg_groups.len(), 2, "{seg_groups:?}");
    let segments = read_parquet(&out.join("segments.parquet"));
    assert_eq!(segments.height(), seg_groups.iter().sum::<usize>());
    let seg_sources = strs(&segments, "source");
    assert_eq!(seg_sources[0], sources[0]);
    assert_eq!(
        seg_sources[seg_sources.len() - 1],
        sources[sources.len() - 1]
    );
    let mut runs_seen: Vec<&Option<String>> = seg_sources.iter().collect();
    runs_seen.dedup();
    assert_eq!(
        runs_seen.len(),
        RUNS as usize,
        "every run has segments, together"
    );
    assert!(runs_seen.iter().zip(&sources).all(|(a, b)| *a == b));
    let seg_csv = std::fs::read_to_string(out.join("segments.csv")).unwrap();
    assert_eq!(seg_csv.lines().count(), segments.height() + 1);

    // The ledger: a row per input, in discovery (path) order, a row group per 1,024 inputs.
    assert_eq!(groups("files"), [1024, 6]);
    let files = read_parquet(&out.join("files.parquet"));
    let file_sources = strs(&files, "source");
    assert_eq!(file_sources.len(), RUNS as usize);
    for (i, s) in file_sources.iter().enumerate() {
        assert!(
            s.as_deref().unwrap().ends_with(&format!("{i:04}.fit")),
            "row {i}: {s:?}"
        );
    }
    let files_csv = std::fs::read_to_string(out.join("files.csv")).unwrap();
    let lines: Vec<&str> = files_csv.lines().collect();
    assert_eq!(lines.len(), RUNS as usize + 1);
    for (line, s) in lines[1..].iter().zip(&file_sources) {
        assert!(line.starts_with(&format!("{},", s.as_deref().unwrap())));
    }

    // The workbook's sheets hold every run and every input.
    let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let sheet = wb.worksheet_range("activities").unwrap();
    assert_eq!(sheet.height(), RUNS as usize + 1);
    assert_eq!(
        sheet.get((RUNS as usize, 0)).unwrap().to_string(),
        sources[RUNS as usize - 1].clone().unwrap()
    );
    let sheet = wb.worksheet_range("files").unwrap();
    assert_eq!(sheet.height(), RUNS as usize + 1);
    assert_eq!(
        sheet.get((RUNS as usize, 0)).unwrap().to_string(),
        file_sources[RUNS as usize - 1].clone().unwrap()
    );
}
