//! The risk report: findings on written fixtures, the summary and the settings file (the page
//! is in `page.rs`).

use std::fs;

use crate::support::fitwriter::{self, Activity};
use crate::support::*;

fn findings(r: &Report) -> polars::prelude::DataFrame {
    read_parquet(&r.dir.join("findings.parquet"))
}

fn rows_with(df: &polars::prelude::DataFrame, col: &str, value: &str) -> Vec<usize> {
    strs(df, col)
        .iter()
        .enumerate()
        .filter(|(_, v)| v.as_deref() == Some(value))
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn a_low_cadence_run_gets_one_finding_with_its_own_target_and_a_clean_run_none() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let mut low = Activity::running(T0, steady_run(T0, 40, 2.9, 152.0));
    low.utc_offset_s = Some(3600);
    write(&input, "low.fit", &fitwriter::encode_activity(&low));
    let r = report(&[&input], &tmp.path().join("out"));
    let f = findings(&r);
    let hits = rows_with(&f, "rule", "low_cadence");
    assert_eq!(hits.len(), 1, "{f}");
    let i = hits[0];
    assert_eq!(cell(&f, "scope", i).as_deref(), Some("run"));
    assert_eq!(cell(&f, "severity", i).as_deref(), Some("watch"));
    assert!((num(&f, "value", i).unwrap() - 152.0).abs() < 0.1);
    assert_eq!(num(&f, "threshold", i), Some(160.0));
    let advice = cell(&f, "advice", i).unwrap();
    assert!(advice.contains("152 → 160–167 spm"), "{advice}");
    assert!(cell(&f, "evidence", i).unwrap().contains("Heiderscheit"));
    for c in ["first_local", "last_local"] {
        let date = f.column(c).unwrap().get(i).unwrap().to_string();
        assert_eq!(date, "2024-04-15");
    }
    assert_eq!(num(&f, "occurrences", i), Some(1.0));
    // The summary lists it.
    assert!(
        r.stdout
            .contains("Median cadence 152 spm is below 160 spm."),
        "{}",
        r.stdout
    );

    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let clean = Activity::running(T0, steady_run(T0, 40, 3.1, 172.0));
    write(&input, "clean.fit", &fitwriter::encode_activity(&clean));
    let r = report(&[&input], &tmp.path().join("out"));
    let f = findings(&r);
    assert!(rows_with(&f, "scope", "run").is_empty(), "{f}");
    assert!(rows_with(&f, "severity", "high").is_empty(), "{f}");
    assert!(rows_with(&f, "severity", "watch").is_empty(), "{f}");
}

/// A run of `km` at 3 m/s starting `days` after T0.
fn run_of(km: f64, days: i64, serial: u32) -> Vec<u8> {
    let t = T0 + days * 86_400;
    let seconds = (km * 1000.0 / 3.0).round() as i64;
    let mut samples = steady_run(t, seconds / 60 + 1, 3.0, 172.0);
    samples.truncate(seconds as usize + 1);
    let mut a = Activity::running(t, samples);
    a.serial_number = serial;
    fitwriter::encode_activity(&a)
}

#[test]
fn a_long_run_spike_is_graded_by_how_far_it_goes_with_a_next_step() {
    // 3 km five weeks before (the history's start), 10 km, then five days later 12 km (20 %
    // longer than the longest of the 30 days before: watch) or 14 km (40 %: high).
    for (km, pct, severity) in [(12.0, "20 %", "watch"), (14.0, "40 %", "high")] {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        write(&input, "early.fit", &run_of(3.0, -26, 1));
        write(&input, "a.fit", &run_of(10.0, 0, 2));
        write(&input, "b.fit", &run_of(km, 5, 3));
        let r = report(&[&input], &tmp.path().join("out"));
        let f = findings(&r);
        let hits = rows_with(&f, "rule", "long_run_spike");
        assert_eq!(hits.len(), 1, "{f}");
        let i = hits[0];
        assert_eq!(cell(&f, "severity", i).as_deref(), Some(severity));
        assert!(cell(&f, "key", i).unwrap().ends_with("b.fit"));
        let message = cell(&f, "message", i).unwrap();
        assert!(message.contains(&format!("{pct} longer")), "{message}");
        assert!(cell(&f, "advice", i).unwrap().contains("11.0 km"));
        // What matters first.
        assert_eq!(cell(&f, "severity", 0).as_deref(), Some(severity));
        let act = read_parquet(&r.dir.join("activities.parquet"));
        let reference = nums(&act, "long_run_ref_m");
        assert_eq!(
            reference[..2],
            [None, None],
            "the first runs have less than 30 days of history before them"
        );
        assert!(
            (reference[2].unwrap() - 10_000.0).abs() < 5.0,
            "{reference:?}"
        );
    }
}

#[test]
fn a_long_run_with_less_than_thirty_days_of_history_before_it_is_not_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // The history's first runs: 10 km, then 20 km five days later. Nothing before them.
    write(&input, "a.fit", &run_of(10.0, 0, 1));
    write(&input, "b.fit", &run_of(20.0, 5, 2));
    let r = report(&[&input], &tmp.path().join("out"));
    assert!(rows_with(&findings(&r), "rule", "long_run_spike").is_empty());
    let act = read_parquet(&r.dir.join("activities.parquet"));
    assert!((nums(&act, "longest_prev_30d_m")[1].unwrap() - 10_000.0).abs() < 5.0);
    assert_eq!(nums(&act, "long_run_ref_m"), vec![None, None]);
}

#[test]
fn a_recording_shorter_than_a_kilometre_is_no_longest_run_to_compare_with() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 90 m twice (a watch started by mistake), then 4.5 km twelve days after the second: no
    // comparison — until the setting lets 90 m count.
    let short = |days: i64, serial: u32| {
        let t = T0 + days * 86_400;
        let mut a = Activity::running(t, steady_run(t, 1, 1.5, 170.0));
        a.serial_number = serial;
        fitwriter::encode_activity(&a)
    };
    write(&input, "c.fit", &short(-20, 3));
    write(&input, "a.fit", &short(0, 1));
    write(&input, "b.fit", &run_of(4.5, 12, 2));
    let r = report(&[&input], &tmp.path().join("out"));
    let act = read_parquet(&r.dir.join("activities.parquet"));
    assert_eq!(
        nums(&act, "longest_prev_30d_m"),
        vec![None, None, None],
        "{act}"
    );
    assert!(rows_with(&findings(&r), "rule", "long_run_spike").is_empty());

    let config = tmp.path().join("fitrisk.toml");
    fs::write(&config, "[load]\nlong_run_min_prev_m = 10\n").unwrap();
    let out = tmp.path().join("out2");
    let r = report_with(
        &[&input],
        &out,
        &["--config", config.to_str().unwrap()],
        &[],
    );
    let f = findings(&r);
    let hits = rows_with(&f, "rule", "long_run_spike");
    assert_eq!(hits.len(), 1, "{f}");
    assert!(
        cell(&f, "message", hits[0]).unwrap().contains("(0.1 km)"),
        "{f}"
    );
}

#[test]
fn the_summary_lists_at_most_ten_findings_what_matters_now_first() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let expected = planted::write(&input);
    // Every run below the cadence line, each day an episode of its own and listed on its own.
    let cfg = write(
        tmp.path(),
        "many.toml",
        b"[findings]\nlow_cadence_spm = 190.0\npattern_min_episodes = 1000\n\
          episode_gap_days = 0\nrecent_weeks = 1\n",
    );
    let r = report_with(
        &[&input],
        &tmp.path().join("out"),
        &["--config", cfg.to_str().unwrap()],
        &[],
    );
    let total = findings(&r).height();
    assert!(total > 10, "more than ten findings, got {total}");
    let block: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("findings ("))
        .skip(1)
        .collect();
    let listed = block.iter().filter(|l| l.starts_with("    ")).count();
    assert_eq!(listed, 10, "{}", r.stdout);
    assert!(r.stdout.contains(&format!("findings ({total} in all")));
    // What matters now leads: the runs of the last week, newest first, then the history's
    // high findings.
    let last = planted::week_start(103) + chrono::Duration::days(6);
    let since = last - chrono::Duration::days(6);
    assert_eq!(block[0], format!("  now (since {since}):"), "{}", r.stdout);
    assert!(
        block[1].starts_with(&format!("    watch {last} Median cadence")),
        "{}",
        r.stdout
    );
    let history = block
        .iter()
        .position(|l| *l == "  the history, most severe first:")
        .expect("the history after what matters now");
    assert!(block[history + 1].starts_with("    high  "), "{}", r.stdout);
    assert!(expected.iter().any(|e| e.severity == "high"));
}

#[test]
fn printed_defaults_are_a_valid_config_and_change_the_thresholds() {
    let tmp = tempfile::tempdir().unwrap();
    let out = fitrisk().arg("config").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("# Flag a run whose median cadence is below this, steps/min."));
    // Lower the low-cadence threshold below the run's cadence: the finding goes away.
    let custom = text.replace("low_cadence_spm = 160.0", "low_cadence_spm = 150.0");
    let cfg = write(tmp.path(), "fitrisk.toml", custom.as_bytes());
    let input = tmp.path().join("in");
    let low = Activity::running(T0, steady_run(T0, 40, 2.9, 152.0));
    write(&input, "low.fit", &fitwriter::encode_activity(&low));
    let r = report_with(
        &[&input],
        &tmp.path().join("out"),
        &["--config", cfg.to_str().unwrap()],
        &[],
    );
    assert!(rows_with(&findings(&r), "rule", "low_cadence").is_empty());
    // A bad value names its key.
    let bad = write(tmp.path(), "bad.toml", b"[load]\nacwr_high = 0.5\n");
    fitrisk()
        .arg("report")
        .arg(&input)
        .arg("-o")
        .arg(tmp.path().join("o2"))
        .arg("--config")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("load.acwr_high"));
}

#[test]
fn the_summary_and_the_findings_read_as_english() {
    let tmp = tempfile::tempdir().unwrap();
    let r = report(&[&testdata()], &tmp.path().join("out"));
    // Nothing recent to act on says so.
    assert!(
        r.stdout
            .contains("  now (since 2021-08-31): nothing high or to watch\n"),
        "{}",
        r.stdout
    );
    // Ledger rows without a detail have an empty cell, not an empty string.
    let statuses = strs(&r.files, "status");
    let ok = statuses
        .iter()
        .position(|s| s.as_deref() == Some("ok"))
        .unwrap();
    assert!(is_null(&r.files, "detail", ok));

    // One run is "1 run".
    let one = tmp.path().join("one");
    let run = Activity::running(T0, steady_run(T0, 30, 3.0, 170.0));
    write(&one, "run.fit", &fitwriter::encode_activity(&run));
    let r = report(&[&one], &tmp.path().join("out1"));
    assert!(r.stdout.contains(", 1 run analysed\n"), "{}", r.stdout);
}

#[test]
fn nothing_to_read_is_an_error_that_says_what_was_searched() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    fs::create_dir_all(empty.join("sub")).unwrap();
    fs::write(empty.join("sub/notes.txt"), "not an activity").unwrap();
    let out = fitrisk()
        .arg("report")
        .arg(&empty)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .arg("--strict")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no activity file found in") && err.contains("empty"),
        "{err}"
    );
    // A Strava export index without any activity file is no activity either.
    let only_index = tmp.path().join("only_index");
    write(
        &only_index,
        "activities.csv",
        b"Activity ID,Activity Date\n",
    );
    let out = fitrisk()
        .arg("report")
        .arg(&only_index)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A missing input names the OS reason once.
    let out = fitrisk()
        .args(["report", "no/such/folder", "-o"])
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    // …and so does a missing settings file, or gear log.
    for flag in ["--config", "--gear"] {
        let out = fitrisk()
            .args(["report", "-o"])
            .arg(tmp.path().join("out"))
            .arg(flag)
            .arg(tmp.path().join("nope"))
            .arg(&only_index)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.matches("os error").count(), 1, "{err}");
    }
    // -j 0 says what is wrong in plain words.
    let out = fitrisk()
        .args(["report", "-j", "0"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("at least 1 thread is needed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A folder that cannot be listed gets a ledger row and counts for `--strict`. Tests run as
/// root, which reads any folder, so a link back to a folder above it stands in: walking it
/// fails the same way.
#[cfg(unix)]
#[test]
fn a_folder_that_cannot_be_read_gets_a_row() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let run = Activity::running(T0, steady_run(T0, 30, 3.0, 170.0));
    write(&input, "run.fit", &fitwriter::encode_activity(&run));
    fs::create_dir_all(input.join("sub")).unwrap();
    std::os::unix::fs::symlink(&input, input.join("sub/back")).unwrap();
    let r = report_with(&[&input], &tmp.path().join("out"), &["--strict"], &[]);
    assert_eq!(r.code, 3);
    let i = row(&r.files, "sub/back");
    assert_eq!(cell(&r.files, "status", i).as_deref(), Some("skipped"));
    assert_eq!(cell(&r.files, "reason", i).as_deref(), Some("io_error"));
    let detail = cell(&r.files, "detail", i).unwrap();
    assert!(
        detail.starts_with("a folder that cannot be read: "),
        "{detail}"
    );
    assert_eq!(r.activities.height(), 1);
}
