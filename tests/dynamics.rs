//! How the load was spread and how the runner stood on it: training monotony and strain on
//! weeks written with known daily distances, and the ground-contact-time balance on runs
//! written with known `stance_time_balance`, with and without pain before a shift.

use std::path::Path;

use polars::prelude::DataFrame;

use crate::support::fitwriter::{self, Activity, Sample};
use crate::support::*;

const DAY: i64 = 86_400;

/// A run of `minutes` at 3.0 m/s and 170 spm from `start` (so `minutes × 180` m), every sample
/// with the contact-time balance `balance`, and the session's RPE (× 10) if given.
fn run_file(
    dir: &Path,
    name: &str,
    start: i64,
    minutes: i64,
    balance: Option<f64>,
    rpe: Option<u8>,
) {
    let samples = steady_run(start, minutes, 3.0, 170.0)
        .into_iter()
        .map(|s| Sample {
            stance_time_balance_pct: balance,
            ..s
        })
        .collect();
    let mut a = Activity::running(start, samples);
    a.serial_number = 7000 + (start / 60 % 100_000) as u32;
    a.utc_offset_s = Some(0);
    a.sessions[0].workout_rpe_x10 = rpe;
    write(dir, name, &fitwriter::encode_activity(&a));
}

/// One cell of any type, as text.
fn text(df: &DataFrame, col: &str, i: usize) -> String {
    df.column(col).unwrap().get(i).unwrap().to_string()
}

fn table(r: &Report, name: &str) -> DataFrame {
    read_parquet(&r.dir.join(format!("{name}.parquet")))
}

/// The rows of `rule` in the findings.
fn rule_rows(f: &DataFrame, rule: &str) -> Vec<usize> {
    let rules = strs(f, "rule");
    (0..f.height())
        .filter(|&i| rules[i].as_deref() == Some(rule))
        .collect()
}

/// Monotony and strain as Foster defines them, with the population SD over the 7 days.
fn by_hand(days_m: [f64; 7]) -> (f64, f64) {
    let mean = days_m.iter().sum::<f64>() / 7.0;
    let sd = (days_m.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 7.0).sqrt();
    let monotony = mean / sd;
    (monotony, days_m.iter().sum::<f64>() / 1000.0 * monotony)
}

fn close(a: Option<f64>, b: f64, what: &str) {
    let a = a.unwrap_or_else(|| panic!("{what}: empty, expected {b}"));
    assert!(
        (a - b).abs() < 1e-9 * b.abs().max(1.0),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn monotony_and_strain_are_those_of_the_seven_days_worked_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // Week 1 (from Monday 2024-04-15): Mon 50 min, Wed 30, Fri 40, Sun 90, each rated, the
    // Sunday's as two runs (60 + 30 min) on one day.
    let week1: [(i64, i64, u8); 5] = [
        (0, 50, 40),
        (2, 30, 70),
        (4, 40, 30),
        (6, 60, 50),
        (6, 30, 20),
    ];
    for (k, &(day, minutes, rpe)) in week1.iter().enumerate() {
        let t = T0 + day * DAY + k as i64 * 7200;
        run_file(&input, &format!("w1_{k}.fit"), t, minutes, None, Some(rpe));
    }
    // Week 2: six days of 40 min (one not rated) and a rest day.
    for day in 0..6 {
        let rpe = (day != 3).then_some(50);
        let t = T0 + (7 + day) * DAY;
        run_file(&input, &format!("w2_{day}.fit"), t, 40, None, rpe);
    }
    // Week 3 without running; week 4 one run.
    run_file(&input, "w4.fit", T0 + 21 * DAY, 30, None, Some(40));
    let r = report(&[&input], &tmp.path().join("out"));
    let w = table(&r, "weeks");
    assert_eq!(w.height(), 4);
    let m = |k: usize, days: [f64; 7]| (k, by_hand(days));

    // Distance: 180 m a minute.
    let (k, (mono, strain)) = m(0, [9000.0, 0.0, 5400.0, 0.0, 7200.0, 0.0, 16_200.0]);
    close(nums(&w, "monotony")[k], mono, "week 1 monotony");
    close(nums(&w, "strain_km")[k], strain, "week 1 strain");
    assert_eq!(nums(&w, "running_days")[k], Some(4.0));
    // Session-RPE, RPE × minutes: 4×50, 7×30, 3×40, 5×60 + 2×30.
    let srpe = [200.0, 0.0, 210.0, 0.0, 120.0, 0.0, 360.0];
    let (s_mono, _) = by_hand(srpe);
    close(nums(&w, "srpe_monotony")[k], s_mono, "week 1 sRPE monotony");
    close(
        nums(&w, "srpe_strain")[k],
        890.0 * s_mono,
        "week 1 sRPE strain",
    );

    // Six equal days and a rest: 6 / √6, whatever the distance.
    close(nums(&w, "monotony")[1], 6f64.sqrt(), "week 2 monotony");
    close(
        nums(&w, "strain_km")[1],
        6.0 * 7.2 * 6f64.sqrt(),
        "week 2 strain",
    );
    assert_eq!(nums(&w, "srpe_monotony")[1], None, "a run without RPE");
    assert_eq!(nums(&w, "srpe_strain")[1], None);
    // No running: undefined, not 0.
    assert_eq!(nums(&w, "monotony")[2], None);
    assert_eq!(nums(&w, "strain_km")[2], None);
    assert_eq!(nums(&w, "running_days")[2], Some(0.0));
    // One run: 1 / √6.
    close(
        nums(&w, "monotony")[3],
        1.0 / 6f64.sqrt(),
        "week 4 monotony",
    );
}

/// Four weeks of three uneven runs (Mon 30, Wed 45, Sat 80 min), then `same` weeks of six
/// days of 55 min each, then two uneven weeks again.
fn write_monotonous(dir: &Path, same: i64) {
    let mut w = 0;
    let uneven = |w: i64| {
        for (day, minutes) in [(0, 30), (2, 45), (5, 80)] {
            let t = T0 + (7 * w + day) * DAY;
            run_file(dir, &format!("u{w}_{day}.fit"), t, minutes, None, None);
        }
    };
    for _ in 0..4 {
        uneven(w);
        w += 1;
    }
    for _ in 0..same {
        for day in 0..6 {
            let t = T0 + (7 * w + day) * DAY;
            run_file(dir, &format!("s{w}_{day}.fit"), t, 55, None, None);
        }
        w += 1;
    }
    for _ in 0..2 {
        uneven(w);
        w += 1;
    }
}

#[test]
fn monotony_that_stays_high_with_strain_above_the_usual_is_one_watch_episode() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_monotonous(&input, 2);
    let r = report(&[&input], &tmp.path().join("out"));
    let (w, f) = (table(&r, "weeks"), table(&r, "findings"));
    let flags: Vec<bool> = (0..w.height())
        .map(|i| text(&w, "flag_monotony", i) == "true")
        .collect();
    assert_eq!(
        flags,
        [false, false, false, false, true, true, false, false]
    );
    // The usual strain: that of the four uneven weeks, 27.9 km × their monotony.
    let (mono, strain) = by_hand([5400.0, 0.0, 8100.0, 0.0, 0.0, 14_400.0, 0.0]);
    close(nums(&w, "usual_strain_km")[4], strain, "usual strain");
    assert!(mono < 2.0);
    let rows = rule_rows(&f, "monotony");
    assert_eq!(rows.len(), 1, "one episode: {:?}", strs(&f, "message"));
    let i = rows[0];
    assert_eq!(cell(&f, "severity", i).as_deref(), Some("watch"));
    assert_eq!(num(&f, "occurrences", i), Some(2.0));
    assert_eq!(text(&f, "first_local", i), "2024-05-13");
    assert_eq!(text(&f, "last_local", i), "2024-05-26");
    close(num(&f, "value", i), 6f64.sqrt(), "value");
    assert_eq!(num(&f, "threshold", i), Some(2.0));
    let message = cell(&f, "message", i).unwrap();
    assert!(
        message.contains("monotony 2.45 (at or above 2.0)"),
        "{message}"
    );
    assert!(message.contains("on 6 of its 7 days"), "{message}");
}

#[test]
fn a_single_monotonous_week_is_flagged_in_the_table_only() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_monotonous(&input, 1);
    let r = report(&[&input], &tmp.path().join("out"));
    let (w, f) = (table(&r, "weeks"), table(&r, "findings"));
    assert_eq!(text(&w, "flag_monotony", 4), "true");
    assert!(
        rule_rows(&f, "monotony").is_empty(),
        "{:?}",
        strs(&f, "message")
    );
}

#[test]
fn the_balance_is_the_median_of_the_running_samples_and_the_week_the_median_of_its_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // T0 is a Monday, 08:00 UTC. 20 min running at 50.8 %, 10 min at 52.0 %, then 10 min walking (1.4 m/s, 118 spm)
    // at 56.0 %, and samples without a reading (0) throughout the last minutes of running.
    let t = T0;
    let mut samples = Vec::new();
    let mut d = 0.0;
    for i in 0..=2400 {
        let (speed, spm, balance) = match i {
            0..=1199 => (3.0, 170.0, 50.8),
            1200..=1799 if i % 10 == 0 => (3.0, 170.0, 0.0),
            1200..=1799 => (3.0, 170.0, 52.0),
            _ => (1.4, 118.0, 56.0),
        };
        samples.push(Sample {
            distance_m: Some(d),
            speed_mps: Some(speed),
            cadence_spm: Some(spm),
            stance_time_balance_pct: Some(balance),
            ..Sample::at(t + i)
        });
        d += speed;
    }
    let mut a = Activity::running(t, samples);
    a.utc_offset_s = Some(0);
    write(&input, "mixed.fit", &fitwriter::encode_activity(&a));
    // Two more runs that week at 50.2 % and 51.4 %.
    run_file(&input, "b.fit", t + DAY, 30, Some(50.2), None);
    run_file(&input, "c.fit", t + 3 * DAY, 30, Some(51.4), None);
    // A run without running dynamics has none.
    run_file(&input, "none.fit", t + 4 * DAY, 30, None, None);
    let r = report(&[&input], &tmp.path().join("out"));
    let a = &r.activities;
    let balance = |f: &str| num(a, "gct_balance_left_pct", row(a, f));
    // The time-weighted median of the running samples: 1,200 s at 50.8 against 540 at 52.0.
    close(balance("mixed.fit"), 50.8, "run median");
    close(balance("b.fit"), 50.2, "steady run");
    assert_eq!(balance("none.fit"), None);
    let w = table(&r, "weeks");
    close(nums(&w, "gct_balance_left_pct")[0], 50.8, "week median");
}

/// Six weeks of runs on Mon, Wed and Fri at a balance alternating 50.1 and 50.3 %, then three
/// runs at `after` %; with a diary that gives pain 4/10 on the Sunday before them.
fn write_balance(dir: &Path, after: f64) -> std::path::PathBuf {
    let mut n = 0;
    for w in 0..6 {
        for day in [0, 2, 4] {
            let b = if n % 2 == 0 { 50.1 } else { 50.3 };
            let t = T0 + (7 * w + day) * DAY;
            run_file(dir, &format!("r{n:02}.fit"), t, 30, Some(b), None);
            n += 1;
        }
    }
    for day in [0, 2, 4] {
        let t = T0 + (42 + day) * DAY;
        run_file(dir, &format!("r{n:02}.fit"), t, 30, Some(after), None);
        n += 1;
    }
    let diary = "date,pain,next_morning,location,note\n\
                 2024-05-19,4,2,right knee,sharp on the stairs\n";
    let path = dir.parent().unwrap().join("diary.csv");
    std::fs::write(&path, diary).unwrap();
    path
}

#[test]
fn a_balance_shift_after_pain_is_a_watch_finding_and_an_unchanged_one_is_none() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let diary = write_balance(&input, 52.4);
    let out = tmp.path().join("out");
    let r = report_with(&[&input], &out, &["--diary", diary.to_str().unwrap()], &[]);
    let f = table(&r, "findings");
    let rows = rule_rows(&f, "gct_balance");
    assert_eq!(rows.len(), 1, "{:?}", strs(&f, "message"));
    let i = rows[0];
    assert_eq!(cell(&f, "severity", i).as_deref(), Some("watch"));
    assert_eq!(num(&f, "occurrences", i), Some(3.0));
    assert_eq!(text(&f, "first_local", i), "2024-05-27");
    assert_eq!(text(&f, "last_local", i), "2024-05-31");
    // The usual: the median of the runs of the 56 days before, 50.1 and 50.3 alike → 50.2.
    close(num(&f, "value", i), 2.2, "points off");
    assert_eq!(num(&f, "threshold", i), Some(1.5));
    let message = cell(&f, "message", i).unwrap();
    assert!(message.contains("52.4 %"), "{message}");
    assert!(message.contains("2.2 points toward the left"), "{message}");
    assert!(
        message.contains("pain 4/10 in the diary on 2024-05-19"),
        "{message}"
    );
    // On the page, beside pain.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Contact-time balance and pain"));
    assert!(html.contains("data-runs=\"21\" data-shifts=\"1\""));

    // The same history with the balance unchanged: nothing.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let diary = write_balance(&input, 50.3);
    let r = report_with(
        &[&input],
        &tmp.path().join("out"),
        &["--diary", diary.to_str().unwrap()],
        &[],
    );
    assert!(rule_rows(&table(&r, "findings"), "gct_balance").is_empty());
}

#[test]
fn a_shift_without_pain_is_for_information_and_one_run_off_is_none() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_balance(&input, 48.0);
    let r = report(&[&input], &tmp.path().join("out"));
    let f = table(&r, "findings");
    let rows = rule_rows(&f, "gct_balance");
    assert_eq!(rows.len(), 1, "{:?}", strs(&f, "message"));
    assert_eq!(cell(&f, "severity", rows[0]).as_deref(), Some("info"));
    let message = cell(&f, "message", rows[0]).unwrap();
    assert!(message.contains("2.2 points toward the right"), "{message}");

    // One run off, then back: no episode.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_balance(&input, 50.2);
    run_file(&input, "off.fit", T0 + 47 * DAY, 30, Some(53.0), None);
    run_file(&input, "back.fit", T0 + 48 * DAY, 30, Some(50.2), None);
    let r = report(&[&input], &tmp.path().join("out"));
    assert!(rule_rows(&table(&r, "findings"), "gct_balance").is_empty());
}
