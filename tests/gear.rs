//! Shoes: gear from a Strava export (also when the run is kept from another copy), the gear
//! log with overlapping spans and a broken line, rides not counted, the gear table and rules.

use std::path::Path;

use polars::prelude::DataFrame;

use crate::support::fitwriter::{self, Activity};
use crate::support::*;

const DAY: i64 = 86_400;

/// A run at 3.0 m/s, 1 s samples (or every `step` seconds), serial number tied to its start so
/// that two copies of one run share `file_id`.
fn run_bytes(start: i64, minutes: i64, step: usize) -> Vec<u8> {
    let samples = steady_run(start, minutes, 3.0, 170.0)
        .into_iter()
        .step_by(step)
        .collect();
    let mut a = Activity::running(start, samples);
    a.serial_number = 7000 + (start / DAY % 1000) as u32;
    a.utc_offset_s = Some(0);
    fitwriter::encode_activity(&a)
}

fn csv_date(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap()
        .format("%b %-d, %Y, %-I:%M:%S %p")
        .to_string()
}

/// Strava's English header: some names appear twice.
const HEAD: &str = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,\
Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,\
Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance";

fn csv_row(id: u32, start: i64, name: &str, kind: &str, gear: &str) -> String {
    format!(
        "{id},\"{}\",\"{name}\",{kind},,3600,10.0,,,false,,{gear},activities/{id}.fit.gz,,,3600,3600,10000.0",
        csv_date(start)
    )
}

/// A cell of any type as text (`None` for null): dates as `YYYY-MM-DD`.
fn text(df: &DataFrame, col: &str, i: usize) -> Option<String> {
    let v = df.column(col).unwrap().get(i).unwrap();
    (!v.is_null()).then(|| v.to_string().trim_matches('"').to_string())
}

fn table(dir: &Path, name: &str) -> DataFrame {
    read_parquet(&dir.join(format!("{name}.parquet")))
}

#[test]
fn export_gear_reaches_the_kept_copy_the_log_fills_the_rest_and_rides_do_not_count() {
    let tmp = tempfile::tempdir().unwrap();
    let watch = tmp.path().join("watch");
    let (r1, r2, r3) = (T0, T0 + 2 * DAY, T0 + 3 * DAY); // Mon 15, Wed 17, Thu 18 April 2024
    let (r4, r5, r6) = (T0 + 6 * DAY, T0 + 12 * DAY, T0 + 14 * DAY); // 21, 27, 29 April
                                                                     // The watch's plain files: 1 s samples, so they are the copies kept.
    write(&watch, "r1.fit", &run_bytes(r1, 60, 1));
    write(&watch, "r2.fit", &run_bytes(r2, 30, 1));
    write(&watch, "r4.fit", &run_bytes(r4, 20, 1));
    write(&watch, "r5.fit", &run_bytes(r5, 20, 1));
    // Strava's export, as a zip: the same r1 and r2 every 2 s (the duplicates), a run Strava
    // calls a ride with a bike as gear, a run only in the export, and a broken line.
    let csv = [
        HEAD.to_string(),
        csv_row(101, r1, "Long, easy", "Run", "Pegasus 40"),
        csv_row(102, r2, "Tempo", "Run", "Pegasus 40"),
        csv_row(103, r3, "Commute", "Ride", "Bianchi"),
        "104,\"yesterday\",x,Run,,1,1,,,false,,Pegasus 40,activities/104.fit.gz,,,1,1,1".into(),
        csv_row(106, r6, "Back in old shoes", "Run", "Kinvara"),
    ]
    .join("\n");
    let gz = |start, minutes| gzip(&run_bytes(start, minutes, 2));
    let (g1, g2, g3, g6) = (gz(r1, 60), gz(r2, 30), gz(r3, 30), gz(r6, 20));
    let export = write(
        tmp.path(),
        "export_1234.zip",
        &zip(&[
            ("activities.csv", csv.as_bytes()),
            ("activities/101.fit.gz", &g1),
            ("activities/102.fit.gz", &g2),
            ("activities/103.fit.gz", &g3),
            ("activities/106.fit.gz", &g6),
        ]),
    );
    // Another tool's activities.csv: ignored with a note.
    write(&watch, "activities.csv", b"id,date,name\n1,2024-04-15,x\n");
    // The log: Old trainers from 1 April, Kinvara 20–25 April over it (later line wins), and a
    // broken line.
    let log = write(
        tmp.path(),
        "gear.csv",
        b"gear,from,to\nOld trainers,2024-04-01,\nKinvara,2024-04-20,2024-04-25\n\"Broken, pair\",2024-13-01,\n",
    );
    let cfg = write(
        tmp.path(),
        "fitrisk.toml",
        b"[gear]\nretire_m = 15000.0\nthresholds_m = [10000.0, 15000.0]\n",
    );
    let out = tmp.path().join("out");
    let r = report_with(
        &[&watch, &export],
        &out,
        &[
            "--gear",
            log.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("gear.csv:4: from `2024-13-01`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("activities.csv:5: `Activity Date`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("watch/activities.csv ignored: not a Strava export index"),
        "{}",
        r.stderr
    );
    let a = &r.activities;
    let gear = |f: &str| cell(a, "gear", row(a, f));
    let source = |f: &str| cell(a, "gear_source", row(a, f));
    // The plain copies are kept; the export's gear and name reached them.
    assert_eq!(a.height(), 6, "r1 r2 r3 r4 r5 r6, duplicates counted once");
    assert_eq!(gear("r1.fit").as_deref(), Some("Pegasus 40"));
    assert_eq!(source("r1.fit").as_deref(), Some("export"));
    assert_eq!(
        cell(a, "name", row(a, "r1.fit")).as_deref(),
        Some("Long, easy")
    );
    assert_eq!(gear("r2.fit").as_deref(), Some("Pegasus 40"));
    // A ride's gear is no running gear: the log's pair of that day stands in; the name stays.
    assert_eq!(gear("103.fit.gz").as_deref(), Some("Old trainers"));
    assert_eq!(source("103.fit.gz").as_deref(), Some("log"));
    assert_eq!(
        cell(a, "name", row(a, "103.fit.gz")).as_deref(),
        Some("Commute")
    );
    // Overlapping spans: the later line wins; outside it the open span applies.
    assert_eq!(gear("r4.fit").as_deref(), Some("Kinvara"));
    assert_eq!(gear("r5.fit").as_deref(), Some("Old trainers"));
    assert!(is_null(a, "name", row(a, "r4.fit")));
    // The export names Kinvara after the log retired it.
    assert_eq!(gear("106.fit.gz").as_deref(), Some("Kinvara"));

    let g = table(&out, "gear");
    let names = strs(&g, "gear");
    assert_eq!(
        names,
        vec![
            Some("Kinvara".to_string()),
            Some("Old trainers".to_string()),
            Some("Pegasus 40".to_string())
        ],
        "no bike"
    );
    assert_eq!(nums(&g, "runs"), vec![Some(2.0), Some(2.0), Some(2.0)]);
    let d = nums(&g, "distance_m");
    assert!((d[2].unwrap() - 16_200.0).abs() < 1.0, "{d:?}");
    assert!((d[0].unwrap() - 7_200.0).abs() < 1.0, "{d:?}");
    assert!((d[1].unwrap() - 9_000.0).abs() < 1.0, "{d:?}");
    assert_eq!(
        text(&g, "crossed_10000_m", 2).as_deref(),
        Some("2024-04-15")
    );
    assert_eq!(
        text(&g, "crossed_15000_m", 2).as_deref(),
        Some("2024-04-17")
    );
    assert!(is_null(&g, "crossed_10000_m", 0));
    assert_eq!(text(&g, "retired_local", 0).as_deref(), Some("2024-04-25"));
    assert!(is_null(&g, "retired_local", 1));

    let f = table(&out, "findings");
    let rules = strs(&f, "rule");
    let keys = strs(&f, "key");
    let has = |rule: &str, key: &str| {
        rules
            .iter()
            .zip(&keys)
            .any(|(r, k)| r.as_deref() == Some(rule) && k.as_deref() == Some(key))
    };
    assert!(has("shoe_distance", "Pegasus 40"), "{rules:?} {keys:?}");
    assert!(!has("shoe_distance", "Old trainers"));
    assert!(has("shoe_retired_worn", "Kinvara"), "{rules:?} {keys:?}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2>Shoes</h2>") && html.contains("Pegasus 40"));

    // The gear log's broken line fails --strict (the report is still written).
    let r = report_with(
        &[&watch, &export],
        &tmp.path().join("out-strict"),
        &["--gear", log.to_str().unwrap(), "--quiet", "--strict"],
        &[],
    );
    assert_eq!(r.code, 3);
}

#[test]
fn an_unpacked_export_folder_names_its_files_and_rides_give_no_gear() {
    let tmp = tempfile::tempdir().unwrap();
    let export = tmp.path().join("export_99");
    let csv = [
        HEAD.to_string(),
        csv_row(201, T0, "Hills", "Trail Run", "Speedgoat"),
        csv_row(202, T0 + DAY, "To work", "Ride", "Bianchi"),
    ]
    .join("\n");
    write(&export, "activities.csv", csv.as_bytes());
    write(
        &export,
        "activities/201.fit.gz",
        &gzip(&run_bytes(T0, 30, 1)),
    );
    write(
        &export,
        "activities/202.fit.gz",
        &gzip(&run_bytes(T0 + DAY, 30, 1)),
    );
    let out = tmp.path().join("out");
    let r = report(&[&export], &out);
    let a = &r.activities;
    assert_eq!(
        cell(a, "gear", row(a, "201.fit.gz")).as_deref(),
        Some("Speedgoat")
    );
    assert_eq!(
        cell(a, "name", row(a, "201.fit.gz")).as_deref(),
        Some("Hills")
    );
    assert!(
        is_null(a, "gear", row(a, "202.fit.gz")),
        "a bike is not running gear"
    );
    assert_eq!(
        cell(a, "name", row(a, "202.fit.gz")).as_deref(),
        Some("To work")
    );
    let g = table(&out, "gear");
    assert_eq!(strs(&g, "gear"), vec![Some("Speedgoat".to_string())]);
    assert!((nums(&g, "distance_m")[0].unwrap() - 5_400.0).abs() < 1.0);
    assert!(
        (nums(&g, "trail_m")[0].unwrap()
            + nums(&g, "road_m")[0].unwrap()
            + nums(&g, "unknown_m")[0].unwrap()
            - 5_400.0)
            .abs()
            < 1.0
    );
}

#[test]
fn a_long_run_spike_in_a_pair_past_the_retirement_distance_is_a_shoe_spike() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 5.4 km on day 0 takes the pair to the (lowered) retirement distance; 9 km a week later
    // is a long-run spike (more than 10 % over 5.4 km), run in the worn pair. A short run five
    // weeks before, outside the gear log, gives the spike its 30 days of history.
    write(&input, "early.fit", &run_bytes(T0 - 28 * DAY, 10, 1));
    write(&input, "a.fit", &run_bytes(T0, 30, 1));
    write(&input, "b.fit", &run_bytes(T0 + 7 * DAY, 50, 1));
    let log = write(
        tmp.path(),
        "gear.csv",
        b"gear,from,to\nOld pair,2024-04-01,\n",
    );
    let cfg = write(tmp.path(), "fitrisk.toml", b"[gear]\nretire_m = 5000.0\n");
    let out = tmp.path().join("out");
    let args = [
        "--gear",
        log.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ];
    let r = report_with(&[&input], &out, &args, &[]);
    let a = &r.activities;
    assert_eq!(
        cell(a, "gear_source", row(a, "b.fit")).as_deref(),
        Some("log")
    );
    let f = table(&out, "findings");
    let hits: Vec<usize> = (0..f.height())
        .filter(|&i| cell(&f, "rule", i).as_deref() == Some("shoe_spike"))
        .collect();
    assert_eq!(hits.len(), 1, "{:?}", strs(&f, "rule"));
    assert!(cell(&f, "key", hits[0]).unwrap().ends_with("b.fit"));
    assert!(
        (num(&f, "value", hits[0]).unwrap() - 5.4).abs() < 0.01,
        "km on the pair before"
    );
}
