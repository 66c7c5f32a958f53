//! Weeks in the runner's local time: runs around daylight-saving changes (Europe/Berlin and
//! America/New_York, spring and autumn), and on the local side of midnight where UTC is on
//! the other, land in the right local week — Monday weeks and `--week-start sunday` — and
//! Sunday weeks have Sunday boundaries, their own weekly columns and their own ramp finding.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, Weekday};
use polars::prelude::DataFrame;

use crate::support::fitwriter::{self, Activity};
use crate::support::*;

/// A run of `km` starting at `utc` on a watch `offset_s` from UTC, 20 minutes unless longer,
/// samples every 5 s.
fn run(dir: &Path, utc: &str, offset_s: i32, km: f64, serial: u32) {
    let t = DateTime::parse_from_rfc3339(utc).unwrap().timestamp();
    let minutes = ((km * 6.0) as i64).max(20);
    let samples = steady_run(t, minutes, km * 1000.0 / (minutes * 60) as f64, 172.0)
        .into_iter()
        .step_by(5)
        .collect();
    let mut a = Activity::running(t, samples);
    a.serial_number = serial;
    a.utc_offset_s = Some(offset_s);
    write(
        dir,
        &format!("{serial}.fit"),
        &fitwriter::encode_activity(&a),
    );
}

/// A date or date-time cell as text (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`).
fn text(df: &DataFrame, col: &str, i: usize) -> String {
    let v = df.column(col).unwrap().get(i).unwrap();
    v.to_string().trim_matches('"').to_string()
}

/// week_start → (runs, km), every week of the table.
fn by_week(weeks: &DataFrame) -> BTreeMap<String, (f64, f64)> {
    let runs = nums(weeks, "runs");
    let m = nums(weeks, "distance_m");
    (0..weeks.height())
        .map(|i| {
            (
                text(weeks, "week_start", i),
                (runs[i].unwrap(), (m[i].unwrap() / 10.0).round() / 100.0),
            )
        })
        .collect()
}

const CET: i32 = 3600;
const CEST: i32 = 7200;
const EST: i32 = -5 * 3600;
const EDT: i32 = -4 * 3600;

/// (UTC start, offset, km, local start the table must show). Each km is its run's own, so a
/// week's distance says which runs it holds.
const DST_RUNS: [(&str, i32, f64, &str); 11] = [
    // New York springs forward on Sunday 10 March 2024, 02:00 EST → 03:00 EDT.
    // Saturday night at home, Sunday in UTC.
    ("2024-03-10T03:00:00Z", EST, 3.1, "2024-03-09 22:00:00"),
    ("2024-03-10T06:30:00Z", EST, 3.2, "2024-03-10 01:30:00"),
    // Sunday night at home (after the change), Monday in UTC.
    ("2024-03-11T03:00:00Z", EDT, 3.3, "2024-03-10 23:00:00"),
    // Berlin springs forward on Sunday 31 March 2024, 02:00 CET → 03:00 CEST.
    // Sunday just after midnight at home, Saturday in UTC.
    ("2024-03-30T23:30:00Z", CET, 4.1, "2024-03-31 00:30:00"),
    ("2024-03-31T00:30:00Z", CET, 4.2, "2024-03-31 01:30:00"),
    ("2024-03-31T01:30:00Z", CEST, 4.3, "2024-03-31 03:30:00"),
    // Monday just after midnight at home, Sunday in UTC.
    ("2024-03-31T22:30:00Z", CEST, 4.4, "2024-04-01 00:30:00"),
    // Berlin falls back on Sunday 27 October 2024: 02:30 happens twice.
    ("2024-10-27T00:30:00Z", CEST, 5.1, "2024-10-27 02:30:00"),
    ("2024-10-27T01:30:00Z", CET, 5.2, "2024-10-27 02:30:00"),
    ("2024-10-27T22:30:00Z", CET, 5.3, "2024-10-27 23:30:00"),
    // Monday just after midnight at home, Sunday in UTC.
    ("2024-10-27T23:30:00Z", CET, 5.4, "2024-10-28 00:30:00"),
];

#[test]
fn runs_around_daylight_saving_changes_land_in_their_local_week() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    for (i, (utc, offset, km, _)) in DST_RUNS.iter().enumerate() {
        run(&input, utc, *offset, *km, 700 + i as u32);
    }
    let monday = report(&[&input], &tmp.path().join("monday"));
    let sunday = report_with(
        &[&input],
        &tmp.path().join("sunday"),
        &["--week-start", "sunday"],
        &[],
    );
    for r in [&monday, &sunday] {
        let a = &r.activities;
        assert_eq!(a.height(), DST_RUNS.len(), "{}", r.stderr);
        let dist = nums(a, "distance_m");
        let offsets = nums(a, "utc_offset_s");
        for (i, (utc, offset, km, local)) in DST_RUNS.iter().enumerate() {
            assert_eq!(text(a, "start_local", i), *local, "run {utc}");
            assert_eq!(text(a, "start_utc", i), utc[..19].replace('T', " "));
            assert_eq!(offsets[i], Some(*offset as f64), "run {utc}");
            assert!((dist[i].unwrap() - km * 1000.0).abs() < 30.0, "run {utc}");
        }
    }
    let weeks = read_parquet(&monday.dir.join("weeks.parquet"));
    let got = by_week(&weeks);
    let want_monday = [
        ("2024-03-04", 3.0, 3.1 + 3.2 + 3.3),
        ("2024-03-11", 0.0, 0.0),
        ("2024-03-18", 0.0, 0.0),
        ("2024-03-25", 3.0, 4.1 + 4.2 + 4.3),
        ("2024-04-01", 1.0, 4.4),
        ("2024-10-21", 3.0, 5.1 + 5.2 + 5.3),
        ("2024-10-28", 1.0, 5.4),
    ];
    check_weeks(&got, &want_monday, Weekday::Mon);
    let weeks = read_parquet(&sunday.dir.join("weeks.parquet"));
    let got = by_week(&weeks);
    let want_sunday = [
        ("2024-03-03", 1.0, 3.1),
        ("2024-03-10", 2.0, 3.2 + 3.3),
        ("2024-03-24", 0.0, 0.0),
        ("2024-03-31", 4.0, 4.1 + 4.2 + 4.3 + 4.4),
        ("2024-10-27", 4.0, 5.1 + 5.2 + 5.3 + 5.4),
    ];
    check_weeks(&got, &want_sunday, Weekday::Sun);
}

/// Every week starts on `first`, the weeks run on without a gap, and the weeks named hold the
/// runs and km given.
fn check_weeks(got: &BTreeMap<String, (f64, f64)>, want: &[(&str, f64, f64)], first: Weekday) {
    let starts: Vec<NaiveDate> = got.keys().map(|k| k.parse().unwrap()).collect();
    for w in starts.windows(2) {
        assert_eq!((w[1] - w[0]).num_days(), 7, "{starts:?}");
    }
    assert!(starts.iter().all(|d| d.weekday() == first), "{starts:?}");
    assert_eq!(starts[0], want[0].0.parse().unwrap());
    assert_eq!(
        *starts.last().unwrap(),
        want.last().unwrap().0.parse().unwrap()
    );
    for (week, runs, km) in want {
        let (r, k) = got
            .get(*week)
            .unwrap_or_else(|| panic!("no week {week} in {got:?}"));
        assert_eq!(*r, *runs, "week {week}: {got:?}");
        assert!((k - km).abs() < 0.1, "week {week}: {k} km, not {km}");
    }
    let total: f64 = got.values().map(|v| v.0).sum();
    assert_eq!(total, DST_RUNS.len() as f64);
}

#[test]
fn sunday_weeks_have_sunday_boundaries_their_own_weekly_columns_and_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // Six weeks of a 10 km Sunday and a 5 km Wednesday, the last Sunday 20 km (UTC = local).
    let first = NaiveDate::from_ymd_opt(2024, 1, 7).unwrap(); // a Sunday
    let mut serial = 800;
    for w in 0..6 {
        let sunday = first + chrono::Duration::weeks(w);
        let long = if w == 5 { 20.0 } else { 10.0 };
        for (day, km) in [(sunday, long), (sunday + chrono::Duration::days(3), 5.0)] {
            run(&input, &format!("{day}T08:00:00Z"), 0, km, serial);
            serial += 1;
        }
    }
    let r = report_with(
        &[&input],
        &tmp.path().join("out"),
        &["--week-start", "sunday"],
        &[],
    );
    assert_eq!(r.activities.height(), 12);
    let weeks = read_parquet(&r.dir.join("weeks.parquet"));
    let starts: Vec<String> = (0..weeks.height())
        .map(|i| text(&weeks, "week_start", i))
        .collect();
    let want: Vec<String> = (0..6)
        .map(|w| (first + chrono::Duration::weeks(w)).to_string())
        .collect();
    assert_eq!(
        starts, want,
        "Sunday to Saturday, the first run's Sunday first"
    );
    // Its ISO week is the one of its middle day (src/aggregate/load: ISO's rule, a week
    // belongs where its Thursday is; a Sunday week's middle day is its Wednesday).
    let (iso_y, iso_w) = (nums(&weeks, "iso_year"), nums(&weeks, "iso_week"));
    for (i, s) in starts.iter().enumerate() {
        let mid = s.parse::<NaiveDate>().unwrap() + chrono::Duration::days(3);
        assert_eq!(mid.weekday(), Weekday::Wed);
        assert_eq!(iso_y[i], Some(mid.iso_week().year() as f64), "{s}");
        assert_eq!(iso_w[i], Some(mid.iso_week().week() as f64), "{s}");
    }
    assert_eq!(
        iso_w[0],
        Some(2.0),
        "7–13 January 2024 is mostly ISO week 2"
    );
    let col = |c: &str| -> Vec<f64> {
        nums(&weeks, c)
            .into_iter()
            .map(|v| (v.unwrap_or(f64::NAN) / 10.0).round() / 100.0)
            .collect()
    };
    // Each Sunday opens its week: 15 km a week, the last 25.
    assert_eq!(col("distance_m"), [15.0, 15.0, 15.0, 15.0, 15.0, 25.0]);
    assert_eq!(
        nums(&weeks, "runs"),
        vec![Some(2.0); 6],
        "each run in its Sunday week"
    );
    assert_eq!(col("longest_run_m"), [10.0, 10.0, 10.0, 10.0, 10.0, 20.0]);
    // The 7 and 28 days end on each week's Saturday.
    assert_eq!(col("acute_7d_m"), col("distance_m"));
    assert_eq!(col("chronic_28d_m"), [15.0, 30.0, 45.0, 60.0, 60.0, 70.0]);
    let surfaces: f64 = [
        "road_m",
        "trail_m",
        "track_m",
        "treadmill_m",
        "indoor_m",
        "unknown_m",
    ]
    .iter()
    .map(|c| col(c)[5])
    .sum();
    assert!((surfaces - 25.0).abs() < 0.05, "{surfaces}");
    // The last week is 67 % up on the usual 15 km: a ramp week, and the only one.
    let ramp: Vec<bool> = weeks
        .column("flag_ramp")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect();
    assert_eq!(ramp, [false, false, false, false, false, true]);
    let change = nums(&weeks, "change_pct")[5].unwrap();
    assert!((change - 66.67).abs() < 0.5, "{change}");
    // Its finding (the ramp, or the two-week ramp that the same weeks make) is keyed by the
    // Sunday and spans to the Saturday.
    let findings = read_parquet(&r.dir.join("findings.parquet"));
    let rules = strs(&findings, "rule");
    let ramps: Vec<usize> = (0..findings.height())
        .filter(|&i| rules[i].as_deref().is_some_and(|r| r.starts_with("ramp")))
        .collect();
    assert!(!ramps.is_empty(), "{rules:?}");
    for i in ramps {
        assert_eq!(cell(&findings, "scope", i).as_deref(), Some("week"));
        assert_eq!(cell(&findings, "key", i).as_deref(), Some("2024-02-11"));
        assert_eq!(text(&findings, "first_local", i), "2024-02-11");
        assert_eq!(text(&findings, "last_local", i), "2024-02-17");
    }
    // The page's weekly chart spans the Sunday weeks.
    let html = std::fs::read_to_string(r.dir.join("report.html")).unwrap();
    assert!(
        html.contains("class=\"weeks-recent\" data-from=\"2024-01-07\""),
        "{}",
        &html[html.find("weeks-recent").unwrap_or(0)..][..200]
    );
}
