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
    let date = f.column("date_local").unwrap().get(i).unwrap().to_string();
    assert_eq!(date, "2024-04-15");
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

#[test]
fn a_long_run_spike_is_a_high_finding_with_a_next_step() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 10 km, then 12 km five days later: 20 % longer than the longest of the 30 days before.
    let mut a = Activity::running(T0, steady_run(T0, 50, 10_000.0 / 3000.0, 172.0));
    a.serial_number = 1;
    let t1 = T0 + 5 * 86_400;
    let mut b = Activity::running(t1, steady_run(t1, 60, 12_000.0 / 3600.0, 172.0));
    b.serial_number = 2;
    write(&input, "a.fit", &fitwriter::encode_activity(&a));
    write(&input, "b.fit", &fitwriter::encode_activity(&b));
    let r = report(&[&input], &tmp.path().join("out"));
    let f = findings(&r);
    let hits = rows_with(&f, "rule", "long_run_spike");
    assert_eq!(hits.len(), 1, "{f}");
    let i = hits[0];
    assert_eq!(cell(&f, "severity", i).as_deref(), Some("high"));
    assert!(cell(&f, "key", i).unwrap().ends_with("b.fit"));
    assert!(cell(&f, "message", i).unwrap().contains("20 % longer"));
    assert!(cell(&f, "advice", i).unwrap().contains("11.0 km"));
    // Most severe first.
    assert_eq!(cell(&f, "severity", 0).as_deref(), Some("high"));
}

#[test]
fn a_recording_shorter_than_a_kilometre_is_no_longest_run_to_compare_with() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 90 m (a watch started by mistake), then 4.5 km ten days later: no comparison — until the
    // setting lets 90 m count.
    let mut a = Activity::running(T0, steady_run(T0, 1, 1.5, 170.0));
    a.serial_number = 1;
    let t1 = T0 + 10 * 86_400;
    let mut b = Activity::running(t1, steady_run(t1, 25, 4_500.0 / 1500.0, 172.0));
    b.serial_number = 2;
    write(&input, "a.fit", &fitwriter::encode_activity(&a));
    write(&input, "b.fit", &fitwriter::encode_activity(&b));
    let r = report(&[&input], &tmp.path().join("out"));
    let act = read_parquet(&r.dir.join("activities.parquet"));
    assert_eq!(nums(&act, "longest_prev_30d_m"), vec![None, None], "{act}");
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
fn the_summary_lists_at_most_ten_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let r = report(&[&testdata()], &tmp.path().join("out"));
    let total = findings(&r).height();
    assert!(
        total > 10,
        "testdata should give more than ten findings, got {total}"
    );
    let listed = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("findings ("))
        .skip(1)
        .filter(|l| l.starts_with("  "))
        .count();
    assert_eq!(listed, 10, "{}", r.stdout);
    assert!(r.stdout.contains(&format!("findings ({total} in all")));
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
    // 11.3 reads "eleven point three": an 11.3 km week.
    let f = findings(&r);
    let messages: Vec<String> = strs(&f, "message").into_iter().flatten().collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("An 11.3 km week after three or more weeks")),
        "{messages:?}"
    );
    assert!(!messages.iter().any(|m| m.starts_with("A 11.")));
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
