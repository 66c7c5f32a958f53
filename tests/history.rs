//! The synthetic training history (`support/history.rs`) that the `history` bench measures: a
//! year of it reads back as the runs, weeks, clocks and watches it was generated with, so the
//! generator cannot break unnoticed.

use std::collections::BTreeSet;

use crate::support::history::{self, civil_from_days, days_from_civil, Place};
use crate::support::*;

#[test]
fn history_calendar_and_clocks_match_known_dates() {
    for (y, m, d) in [(1970, 1, 1), (2016, 1, 4), (2024, 2, 29), (2026, 12, 31)] {
        assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
    }
    assert_eq!(days_from_civil(2016, 1, 4) * 86_400, 1_451_865_600);
    let at = |y, m, d, h: i64| days_from_civil(y, m, d) * 86_400 + h * 3600;
    // Europe: 2024-03-31 and 2024-10-27 at 01:00 UTC; US: 2024-03-10 07:00 and 2024-11-03
    // 06:00 UTC.
    assert_eq!(Place::Home.utc_offset_s(at(2024, 3, 31, 0)), 3600);
    assert_eq!(Place::Home.utc_offset_s(at(2024, 3, 31, 1)), 7200);
    assert_eq!(Place::Home.utc_offset_s(at(2024, 10, 27, 0)), 7200);
    assert_eq!(Place::Home.utc_offset_s(at(2024, 10, 27, 1)), 3600);
    assert_eq!(Place::NewYork.utc_offset_s(at(2024, 3, 10, 6)), -18_000);
    assert_eq!(Place::NewYork.utc_offset_s(at(2024, 3, 10, 7)), -14_400);
    assert_eq!(Place::NewYork.utc_offset_s(at(2024, 11, 3, 5)), -14_400);
    assert_eq!(Place::NewYork.utc_offset_s(at(2024, 11, 3, 6)), -18_000);
    assert_eq!(Place::Tokyo.utc_offset_s(at(2024, 7, 1, 0)), 32_400);
}

#[test]
fn history_of_a_year_reads_back_as_generated() {
    let runs = history::plan(1, 42);
    assert!(
        (230..=300).contains(&runs.len()),
        "about five runs a week: {}",
        runs.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("history");
    let written = history::write(&input, &runs, 2).unwrap();
    assert_eq!(written.files, runs.len());
    // The same seed gives the same runs and bytes.
    let again = history::plan(1, 42);
    let names = |runs: &[history::Run]| runs.iter().map(|r| r.file_name()).collect::<Vec<_>>();
    assert_eq!(names(&again), names(&runs));
    assert_eq!(again[7].encode(), runs[7].encode());

    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.files.height(), runs.len());
    let status: BTreeSet<_> = strs(&r.files, "status").into_iter().flatten().collect();
    assert_eq!(
        status,
        BTreeSet::from(["ok".to_string()]),
        "every file clean"
    );
    assert_eq!(r.activities.height(), runs.len());

    // Every week from the first run's to the last run's, and the runs in them.
    let weeks = read_parquet(&tmp.path().join("out/weeks.parquet"));
    let monday = |day: i64| day - (day - history::first_day()).rem_euclid(7);
    let (first, last) = (runs[0].local_day(), runs.last().unwrap().local_day());
    assert_eq!(
        weeks.height() as i64,
        (monday(last) - monday(first)) / 7 + 1
    );
    let per_week: f64 = nums(&weeks, "runs").iter().flatten().sum();
    assert_eq!(per_week as usize, runs.len());
    let empty = nums(&weeks, "runs")
        .iter()
        .filter(|n| **n == Some(0.0))
        .count();
    assert!(
        empty >= 1,
        "Christmas and holidays leave weeks without runs"
    );

    // The watch's clock, three watches, and the shape of the runs.
    let offsets: BTreeSet<i64> = nums(&r.activities, "utc_offset_s")
        .into_iter()
        .map(|o| o.unwrap() as i64)
        .collect();
    assert!(
        offsets.is_superset(&BTreeSet::from([3600, 7200])),
        "{offsets:?}"
    );
    let devices: BTreeSet<_> = strs(&r.activities, "device").into_iter().collect();
    assert_eq!(devices.len(), 3, "{devices:?}");
    let distances = nums(&r.activities, "distance_m");
    let durations = nums(&r.activities, "duration_s");
    for (i, run) in runs.iter().enumerate() {
        let d = distances[i].unwrap();
        assert!((d - run.distance_m).abs() < 1.0, "{}: {d}", run.file_name());
        let minutes = durations[i].unwrap() / 60.0;
        assert!(
            (25.0..=160.0).contains(&minutes),
            "{}: {minutes}",
            run.file_name()
        );
    }
    let cadence = nums(&r.activities, "cadence_spm");
    let median = {
        let mut c: Vec<f64> = cadence.iter().flatten().copied().collect();
        c.sort_by(f64::total_cmp);
        c[c.len() / 2]
    };
    assert!((160.0..=185.0).contains(&median), "{median}");
    let downhill = nums(&r.activities, "downhill_m");
    let hilly = downhill.iter().flatten().filter(|m| **m > 1000.0).count();
    assert!(
        hilly >= 10,
        "some runs go downhill for a kilometre or more: {hilly}"
    );
}
