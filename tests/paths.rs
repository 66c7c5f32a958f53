//! Paths that are not UTF-8 (Linux file names are bytes): every path argument — the input
//! folder and the file in it, `-o`, `--diary`, `--gear`, `--config`, `--cache` — works, the
//! ledger names such a file recognisably (`\xNN` for each byte, docs/schema.md), and a path
//! that cannot be read is a clear error, never a panic.

#![cfg(unix)]

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::support::fitwriter::{self, Activity};
use crate::support::*;

/// `base` joined with a name made of `bytes` (`\xe9` is `é` in Latin-1, never UTF-8 alone).
fn latin1(base: &Path, bytes: &[u8]) -> PathBuf {
    base.join(OsStr::from_bytes(bytes))
}

fn run_file(path: &Path, start: i64, spm: f64, serial: u32) {
    let samples = steady_run(start, 20, 3.0, spm)
        .into_iter()
        .step_by(5)
        .collect();
    let mut a = Activity::running(start, samples);
    a.serial_number = serial;
    a.utc_offset_s = Some(0);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, fitwriter::encode_activity(&a)).unwrap();
}

fn fitrisk_report(args: &[&OsStr]) -> std::process::Output {
    let mut cmd = fitrisk();
    cmd.arg("report").args(args);
    cmd.output().unwrap()
}

#[test]
fn every_path_argument_may_be_bytes_that_are_not_utf8() {
    let tmp = tempfile::tempdir().unwrap();
    let input = latin1(tmp.path(), b"caf\xe9 runs");
    let file = latin1(&input, b"lundi \xe9t\xe9.fit");
    run_file(&file, T0, 172.0, 901);
    run_file(&input.join("tuesday.fit"), T0 + 86_400, 150.0, 902);
    // A file named on the command line by itself.
    let single = latin1(tmp.path(), b"mercredi \xe9.fit");
    run_file(&single, T0 + 2 * 86_400, 165.0, 904);
    let out = latin1(tmp.path(), b"rapport \xe9");
    let diary = latin1(tmp.path(), b"journal \xe9.csv");
    std::fs::write(
        &diary,
        "date,pain,next_morning,location,note\n2024-04-15,4,2,knee,\n",
    )
    .unwrap();
    let gear = latin1(tmp.path(), b"chaussures \xe9.csv");
    std::fs::write(&gear, "gear,from,to\nOld trainers,2024-01-01,\n").unwrap();
    // A setting the report shows: every run is below a 200 spm "low cadence" line.
    let config = latin1(tmp.path(), b"r\xe9glages.toml");
    std::fs::write(&config, "[findings]\nlow_cadence_spm = 200.0\n").unwrap();
    let cache = latin1(tmp.path(), b"cache \xe9");
    let args: Vec<&OsStr> = vec![
        input.as_os_str(),
        single.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--diary".as_ref(),
        diary.as_os_str(),
        "--gear".as_ref(),
        gear.as_os_str(),
        "--config".as_ref(),
        config.as_os_str(),
        "--cache".as_ref(),
        cache.as_os_str(),
        "--strict".as_ref(),
    ];
    let first = fitrisk_report(&args);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // The tables are in the folder named by bytes.
    for f in [
        "report.html",
        "files.csv",
        "activities.parquet",
        "weeks.csv",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let files = read_parquet(&out.join("files.parquet"));
    let activities = read_parquet(&out.join("activities.parquet"));
    // The ledger's source: lossless and recognisable, each byte that is not UTF-8 as `\xNN`.
    let i = row(&files, "caf\\xe9 runs/lundi \\xe9t\\xe9.fit");
    assert_eq!(cell(&files, "status", i).as_deref(), Some("ok"));
    let want_prefix = format!("{}/caf\\xe9 runs/", tmp.path().to_str().unwrap());
    assert!(
        cell(&files, "source", i).unwrap().starts_with(&want_prefix),
        "{:?}",
        cell(&files, "source", i)
    );
    let k = row(&files, "mercredi \\xe9.fit");
    assert_eq!(cell(&files, "status", k).as_deref(), Some("ok"));
    assert_eq!(activities.height(), 3);
    let j = row(&activities, "lundi \\xe9t\\xe9.fit");
    // The diary, the gear log and the settings were all read.
    assert_eq!(num(&activities, "pain", j), Some(4.0));
    assert_eq!(
        cell(&activities, "gear", j).as_deref(),
        Some("Old trainers")
    );
    let findings = read_parquet(&out.join("findings.parquet"));
    let low: Vec<Option<String>> = strs(&findings, "rule")
        .into_iter()
        .zip(strs(&findings, "key"))
        .filter(|(r, _)| r.as_deref() == Some("low_cadence"))
        .map(|(_, k)| k)
        .collect();
    assert!(
        low.iter().any(|k| k
            .as_deref()
            .is_some_and(|k| k.ends_with("lundi \\xe9t\\xe9.fit"))),
        "a 172 spm run is low against 200 spm: {low:?}"
    );
    // The page names the run's file the same way.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("lundi \\xe9t\\xe9.fit"));

    // The cache went to its folder, and a second run reads every file from it.
    assert!(cache.is_dir() && std::fs::read_dir(&cache).unwrap().next().is_some());
    assert!(!out.join(".fitrisk-cache").exists());
    let second = fitrisk_report(&args);
    let summary = String::from_utf8_lossy(&second.stdout).into_owned()
        + &String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(0), "{summary}");
    assert!(summary.contains("3 of 3 inputs from"), "{summary}");
}

#[test]
fn a_path_that_is_not_utf8_and_cannot_be_read_is_named_in_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    run_file(&input.join("a.fit"), T0, 172.0, 903);
    let out = tmp.path().join("out");
    let missing = |name: &[u8]| {
        let mut p = tmp.path().as_os_str().to_owned().into_vec();
        p.push(b'/');
        p.extend_from_slice(name);
        OsString::from_vec(p)
    };
    for (option, name, what) in [
        ("--diary", &b"journal \xe9.csv"[..], "pain diary"),
        ("--gear", &b"chaussures \xe9.csv"[..], "gear log"),
        ("--config", &b"r\xe9glages.toml"[..], "config file"),
    ] {
        let path = missing(name);
        let o = fitrisk_report(&[
            input.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            option.as_ref(),
            &path,
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{option}: {stderr}");
        assert!(!stderr.contains("panicked"), "{option}: {stderr}");
        // The name is recognisable: its UTF-8 parts, the other byte shown as `�`.
        let shown = String::from_utf8_lossy(name).into_owned();
        assert!(
            stderr.contains(&shown) && stderr.contains(what),
            "{option}: {stderr}"
        );
    }
}
