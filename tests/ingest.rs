//! Ingest: the ledger accounts for every input, real files agree with an independent decoder,
//! damaged inputs get the right reason without stopping the batch, archives work, time zones
//! do not leak in, duplicates count once.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::support::fitwriter::{self, sport, sub_sport, Activity, Sample, Session};
use crate::support::*;

/// Copies `testdata/` into a temp folder so tests can add files beside the real ones.
fn testdata_copy(dir: &Path) {
    for entry in walkdir::WalkDir::new(testdata()) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(testdata()).unwrap();
        let to = dir.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).unwrap();
        } else {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
}

fn fit_files_under(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().display().to_string())
        .filter(|p| {
            let l = p.to_ascii_lowercase();
            l.ends_with(".fit") || l.ends_with(".fit.gz")
        })
        .collect()
}

#[test]
fn every_input_appears_exactly_once_and_bad_ones_do_not_stop_the_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    testdata_copy(&input);
    // The cut copy replaces the original, which would otherwise be kept as the same activity.
    let original = input.join("fgebhart__workoutizer/tests__data__example.fit");
    let example = fs::read(&original).unwrap();
    fs::remove_file(&original).unwrap();
    write(&input, "bad/empty.fit", b"");
    write(
        &input,
        "bad/notes.FIT",
        b"these are my running notes, not a FIT file\n",
    );
    write(&input, "bad/cut.fit", &example[..example.len() * 6 / 10]);
    write(&input, "bad/ignored.txt", b"not a candidate");
    let r = report(&[&input], &tmp.path().join("out"));

    let sources: Vec<String> = strs(&r.files, "source")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let unique: BTreeSet<String> = sources.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        sources.len(),
        "a source appears twice: {sources:?}"
    );
    assert_eq!(unique, fit_files_under(&input), "ledger and disk disagree");

    // Each input's verdict; the real truncated file from the Strava app is salvaged too.
    for (suffix, status, reason) in [
        ("bad/empty.fit", "skipped", "empty"),
        ("bad/notes.FIT", "skipped", "not_fit"),
        ("bad/cut.fit", "warning", "truncated"),
        ("tests__files__Settings.fit", "skipped", "not_activity"),
        (
            "demo__fit_files__mountain-biking.fit",
            "skipped",
            "not_running",
        ),
        (
            "tests__files__event_timestamp.fit",
            "skipped",
            "not_running",
        ),
        // Truncated, and its last record is dated 2085: the guard drops that record and names
        // itself first (the cut stays in the detail, checked below).
        (
            "tests__files__strava-android-app-201.10-b1218918.fit",
            "warning",
            "implausible",
        ),
    ] {
        let i = row(&r.files, suffix);
        assert_eq!(
            cell(&r.files, "status", i).as_deref(),
            Some(status),
            "{suffix}"
        );
        assert_eq!(
            cell(&r.files, "reason", i).as_deref(),
            Some(reason),
            "{suffix}"
        );
    }
    let strava = row(
        &r.files,
        "tests__files__strava-android-app-201.10-b1218918.fit",
    );
    // Its records are broken every few KB (a message of a local type never defined, first at
    // byte 7471, where other decoders stop too): each is read past, and the whole hour of
    // records, two a second, is kept (472 of them before it was read past).
    let detail = cell(&r.files, "detail", strava).unwrap();
    assert!(
        detail.starts_with("implausible: ")
            && detail.contains("data ends at byte 78233 of 78252; records before the cut are kept")
            && detail.contains("did not decode (at byte 7471: "),
        "{detail}"
    );
    let s = row(
        &r.activities,
        "tests__files__strava-android-app-201.10-b1218918.fit",
    );
    assert!(num(&r.activities, "samples", s).unwrap() > 5000.0);
    // The salvaged cut run keeps the records before the cut: fewer samples than the whole.
    // (The whole file has 1202 records.)
    let cut = row(&r.activities, "bad/cut.fit");
    let cut_n = num(&r.activities, "samples", cut).unwrap();
    assert!(
        cut_n > 0.4 * 1202.0 && cut_n < 0.7 * 1202.0,
        "{cut_n} of 1202"
    );
    assert_eq!(
        cell(&r.activities, "status", cut).as_deref(),
        Some("warning")
    );
    // The summary counts the skips by reason.
    assert!(r.stdout.contains("empty 1"), "{}", r.stdout);
    assert_eq!(r.code, 0);
    // Nothing from the decoder reaches stderr (it would tear the progress bar).
    assert!(r.stderr.is_empty(), "stderr: {}", r.stderr);
}

/// Real files: start time, distance, timer time and session count agree with what an
/// independent decoder (Python fitdecode) read from each file's session message.
#[test]
fn real_files_agree_with_an_independent_decoder() {
    let tmp = tempfile::tempdir().unwrap();
    let r = report(&[&testdata()], tmp.path());
    let mut checked = 0;
    let mut rdr = csv_rows(&testdata().join("expected.csv"));
    let header = rdr.remove(0);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for rec in rdr {
        let file = &rec[col("file")];
        let fi = row(&r.files, file);
        assert_eq!(
            num(&r.files, "sessions", fi),
            Some(rec[col("sessions")].parse::<f64>().unwrap()),
            "{file}: sessions"
        );
        if rec[col("sport")] != "running"
            || cell(&r.files, "status", fi).as_deref() == Some("duplicate")
        {
            continue;
        }
        let ai = row(&r.activities, file);
        let distance: f64 = rec[col("total_distance_m")].parse().unwrap();
        let got = num(&r.activities, "distance_m", ai).unwrap();
        // The expected values are rounded to 0.1.
        assert!(
            (got - distance).abs() <= 0.051,
            "{file}: distance {got} vs {distance}"
        );
        let timer: f64 = rec[col("total_timer_s")].parse().unwrap();
        let got = num(&r.activities, "duration_s", ai).unwrap();
        assert!(
            (got - timer).abs() <= 0.051,
            "{file}: timer {got} vs {timer}"
        );
        let start = &rec[col("start_time")];
        if let Some(date) = start.strip_suffix("+00:00") {
            let got = r
                .activities
                .column("start_utc")
                .unwrap()
                .get(ai)
                .unwrap()
                .to_string();
            assert!(
                got.starts_with(&date.replace('T', " ")),
                "{file}: start {got} vs {start}"
            );
        } else {
            // Time stamps from device power-on: no date, never 1989.
            assert!(is_null(&r.activities, "start_utc", ai));
        }
        for flag in ["has_gps", "has_altitude", "has_cadence"] {
            let got = r
                .activities
                .column(flag)
                .unwrap()
                .bool()
                .unwrap()
                .get(ai)
                .unwrap();
            assert_eq!(got, &rec[col(flag)] == "True", "{file}: {flag}");
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} real runs checked");
}

/// A tiny CSV reader for the expected-values file (no quoted commas in it).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn two_watches_on_one_run_count_once_naming_the_kept_file() {
    let tmp = tempfile::tempdir().unwrap();
    let r = report(&[&testdata()], tmp.path());
    let coros = row(&r.files, "fit__20210507_run_coros_pace_2.fit");
    let fenix = row(&r.files, "fit__20210507_run_garmin_fenix_6.fit");
    let statuses = [
        cell(&r.files, "status", coros).unwrap(),
        cell(&r.files, "status", fenix).unwrap(),
    ];
    assert_eq!(
        statuses.iter().filter(|s| *s == "duplicate").count(),
        1,
        "{statuses:?}"
    );
    let (dup, kept) = if statuses[0] == "duplicate" {
        (coros, fenix)
    } else {
        (fenix, coros)
    };
    let detail = cell(&r.files, "detail", dup).unwrap();
    let kept_source = cell(&r.files, "source", kept).unwrap();
    assert!(detail.contains(&kept_source), "{detail}");
    assert_eq!(num(&r.files, "runs", dup), Some(0.0));
    let starts = strs(&r.activities, "source");
    assert_eq!(
        starts
            .iter()
            .filter(|s| s.as_deref() == Some(&kept_source))
            .count(),
        1
    );
    assert!(!starts
        .iter()
        .any(|s| s.as_deref() == cell(&r.files, "source", dup).as_deref()));
}

fn synthetic(start: i64, offset: Option<i32>) -> Vec<u8> {
    let mut a = Activity::running(start, steady_run(start, 20, 3.0, 170.0));
    a.utc_offset_s = offset;
    fitwriter::encode_activity(&a)
}

#[test]
fn gz_and_zips_inside_zips_are_read_in_memory_and_named_with_bangs() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let run_a = synthetic(T0, Some(7200));
    let mut b = Activity::running(T0 + 86_400, steady_run(T0 + 86_400, 30, 3.2, 176.0));
    b.serial_number = 777;
    let run_b = fitwriter::encode_activity(&b);
    let mut c = Activity::running(T0 + 2 * 86_400, steady_run(T0 + 2 * 86_400, 25, 2.9, 164.0));
    c.serial_number = 778;
    let run_c = fitwriter::encode_activity(&c);
    let inner = zip(&[
        ("123_ACTIVITY.fit", &run_b),
        ("strava/456.fit.gz", &gzip(&run_c)),
        ("readme.txt", b"ignored"),
    ]);
    let outer = zip(&[
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
            &inner,
        ),
        ("broken.zip", b"PK but not really a zip"),
    ]);
    write(&input, "strava/789.fit.gz", &gzip(&run_a));
    write(&input, "export.zip", &outer);
    let r = report(&[&input], &tmp.path().join("out"));
    let sources: Vec<String> = strs(&r.files, "source")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let zip_path = input.join("export.zip").display().to_string();
    let inner_name =
        format!("{zip_path}!DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip");
    let expected: BTreeSet<String> = [
        format!("{inner_name}!123_ACTIVITY.fit"),
        format!("{inner_name}!strava/456.fit.gz"),
        format!("{zip_path}!broken.zip"),
        input.join("strava/789.fit.gz").display().to_string(),
    ]
    .into_iter()
    .collect();
    assert_eq!(sources.iter().cloned().collect::<BTreeSet<_>>(), expected);
    let bad = row(&r.files, "!broken.zip");
    assert_eq!(
        cell(&r.files, "reason", bad).as_deref(),
        Some("bad_archive")
    );
    assert_eq!(r.activities.height(), 3);
    let i = row(&r.activities, "!123_ACTIVITY.fit");
    assert!((num(&r.activities, "cadence_spm", i).unwrap() - 176.0).abs() < 0.1);
    let i = row(&r.activities, "!strava/456.fit.gz");
    assert!((num(&r.activities, "distance_m", i).unwrap() - 25.0 * 60.0 * 2.9).abs() < 0.1);
}

#[test]
fn same_activity_as_fit_and_strava_gz_counts_once() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let run = synthetic(T0, Some(3600));
    write(&input, "garmin/run.fit", &run);
    write(&input, "strava/run.fit.gz", &gzip(&run));
    // Another run an hour later is not a duplicate.
    let mut later = Activity::running(T0 + 3600, steady_run(T0 + 3600, 20, 3.0, 170.0));
    later.serial_number = 99;
    write(
        &input,
        "garmin/later.fit",
        &fitwriter::encode_activity(&later),
    );
    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(r.activities.height(), 2);
    let dup = row(&r.files, "strava/run.fit.gz");
    assert_eq!(cell(&r.files, "status", dup).as_deref(), Some("duplicate"));
    assert_eq!(cell(&r.files, "reason", dup).as_deref(), Some("duplicate"));
    let detail = cell(&r.files, "detail", dup).unwrap();
    assert!(detail.contains("garmin/run.fit"), "{detail}");
    assert!(r.stdout.contains("duplicates 1"), "{}", r.stdout);
}

#[test]
fn one_session_of_a_file_can_be_the_duplicate_and_the_others_stay() {
    // b_multi.fit holds two runs; its first is a_single.fit's run (same start, same
    // distance, another watch). a_single.fit, found first, is kept; b_multi.fit keeps its
    // second run only, and stays `ok`.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let mut single = Activity::running(T0, steady_run(T0, 20, 3.0, 170.0));
    single.serial_number = 7;
    write(&input, "a_single.fit", &fitwriter::encode_activity(&single));
    let later = T0 + 7200;
    let mut multi = Activity::running(T0, steady_run(T0, 20, 3.0, 166.0));
    multi.sessions.push(Session::new(
        sport::RUNNING,
        sub_sport::GENERIC,
        steady_run(later, 30, 3.2, 174.0),
    ));
    multi.serial_number = 8;
    write(&input, "b_multi.fit", &fitwriter::encode_activity(&multi));
    let r = report(&[&input], &tmp.path().join("out"));

    let f = row(&r.files, "b_multi.fit");
    assert_eq!(cell(&r.files, "status", f).as_deref(), Some("ok"));
    assert_eq!(num(&r.files, "runs", f), Some(1.0));
    let detail = cell(&r.files, "detail", f).unwrap();
    assert!(
        detail.starts_with("1 session same activity as ") && detail.contains("a_single.fit"),
        "{detail}"
    );
    // Two runs, in start order, each with its own file's source and session.
    assert_eq!(r.activities.height(), 2);
    let first = row(&r.activities, "a_single.fit");
    let second = row(&r.activities, "b_multi.fit");
    assert!(first < second);
    assert_eq!(num(&r.activities, "session", second), Some(1.0));
    assert!((num(&r.activities, "cadence_spm", first).unwrap() - 170.0).abs() < 0.5);
    assert!((num(&r.activities, "cadence_spm", second).unwrap() - 174.0).abs() < 0.5);
}

#[test]
fn report_is_identical_whatever_the_machine_time_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    testdata_copy(&input);
    // A run at 23:30 UTC on a Sunday by a runner in UTC+2 (Monday 01:30 local).
    let sunday_2330 = T0 - 8 * 3600 - 1800;
    write(&input, "tz/late.fit", &synthetic(sunday_2330, Some(7200)));
    write(
        &input,
        "tz/west.fit",
        &synthetic(T0 + 86_400 * 3, Some(-5 * 3600)),
    );
    let mut csvs = Vec::new();
    for (i, tz) in ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]
        .iter()
        .enumerate()
    {
        let out = tmp.path().join(format!("out{i}"));
        let r = report_with(&[&input], &out, &["--format", "both"], &[("TZ", tz)]);
        let late = row(&r.activities, "tz/late.fit");
        assert_eq!(
            num(&r.activities, "utc_offset_s", late),
            Some(7200.0),
            "TZ={tz}"
        );
        let local = r
            .activities
            .column("start_local")
            .unwrap()
            .get(late)
            .unwrap()
            .to_string();
        assert!(local.starts_with("2024-04-15 01:30:00"), "TZ={tz}: {local}");
        let west = row(&r.activities, "tz/west.fit");
        assert_eq!(
            num(&r.activities, "utc_offset_s", west),
            Some(-18000.0),
            "TZ={tz}"
        );
        csvs.push(fs::read_to_string(out.join("activities.csv")).unwrap());
    }
    for c in &csvs[1..] {
        assert_eq!(c, &csvs[0]);
    }
}

#[test]
fn cadence_is_twice_strides_plus_fraction_over_moving_running_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 10 min running at 171.5 spm, 2 min standing (cadence 0), 3 min walking at 1.2 m/s.
    let mut samples = steady_run(T0, 10, 3.1, 171.5);
    let end = samples.last().unwrap().clone();
    for i in 1..=120 {
        samples.push(Sample {
            speed_mps: Some(0.0),
            cadence_spm: Some(0.0),
            ..Sample {
                t_unix: end.t_unix + i,
                ..end.clone()
            }
        });
    }
    let walk_start = end.t_unix + 120;
    for i in 1..=180 {
        samples.push(Sample {
            speed_mps: Some(1.2),
            cadence_spm: Some(118.0),
            distance_m: Some(end.distance_m.unwrap() + i as f64 * 1.2),
            ..Sample {
                t_unix: walk_start + i,
                ..end.clone()
            }
        });
    }
    write(
        &input,
        "run.fit",
        &fitwriter::encode_activity(&Activity::running(T0, samples)),
    );
    // Records without cadence: the session's average is used, and the table says so.
    let mut no_cad = steady_run(T0 + 86_400, 10, 3.0, 166.0);
    for s in &mut no_cad {
        s.cadence_spm = None;
    }
    let mut a = Activity::running(T0 + 86_400, no_cad);
    a.serial_number = 2;
    a.sessions[0].avg_cadence_spm = Some(166.0);
    write(&input, "nocad.fit", &fitwriter::encode_activity(&a));
    let r = report(&[&input], &tmp.path().join("out"));
    let i = row(&r.activities, "run.fit");
    assert!((num(&r.activities, "cadence_spm", i).unwrap() - 171.5).abs() < 0.02);
    assert!((num(&r.activities, "cadence_spm_mean", i).unwrap() - 171.5).abs() < 0.02);
    assert_eq!(
        cell(&r.activities, "cadence_source", i).as_deref(),
        Some("records")
    );
    let j = row(&r.activities, "nocad.fit");
    assert!((num(&r.activities, "cadence_spm", j).unwrap() - 166.0).abs() < 0.02);
    assert_eq!(
        cell(&r.activities, "cadence_source", j).as_deref(),
        Some("session")
    );
    assert_eq!(
        r.activities
            .column("has_cadence")
            .unwrap()
            .bool()
            .unwrap()
            .get(j),
        Some(false)
    );
}

#[test]
fn multisport_files_split_by_session_and_keep_only_running() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let run1 = steady_run(T0, 10, 3.0, 170.0);
    let mut ride: Vec<Sample> = steady_run(T0 + 700, 30, 8.0, 180.0);
    for s in &mut ride {
        s.cadence_spm = Some(180.0); // 90 rpm
    }
    let run2 = steady_run(T0 + 2600, 15, 2.8, 164.0);
    let mut a = Activity::running(T0, run1);
    a.sessions
        .push(Session::new(sport::CYCLING, sub_sport::GENERIC, ride));
    a.sessions
        .push(Session::new(sport::RUNNING, sub_sport::TRAIL, run2));
    write(&input, "brick.fit", &fitwriter::encode_activity(&a));
    let r = report(&[&input], &tmp.path().join("out"));
    let f = row(&r.files, "brick.fit");
    assert_eq!(num(&r.files, "sessions", f), Some(3.0));
    assert_eq!(num(&r.files, "runs", f), Some(2.0));
    assert_eq!(r.activities.height(), 2);
    let sessions = nums(&r.activities, "session");
    assert_eq!(sessions, vec![Some(0.0), Some(2.0)]);
    assert!((num(&r.activities, "cadence_spm", 1).unwrap() - 164.0).abs() < 0.02);
    assert_eq!(
        cell(&r.activities, "sub_sport", 1).as_deref(),
        Some("trail")
    );
    assert!((num(&r.activities, "distance_m", 1).unwrap() - 15.0 * 60.0 * 2.8).abs() < 0.1);
    assert_eq!(num(&r.activities, "samples", 0), Some(601.0));
}

#[test]
fn a_flipped_data_byte_is_kept_with_a_crc_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let mut run = synthetic(T0, Some(0));
    // The byte before the file CRC belongs to the last field of the last message: flipping
    // it changes a value, not the structure.
    let n = run.len();
    run[n - 3] ^= 0x01;
    write(&input, "flipped.fit", &run);
    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(cell(&r.files, "status", 0).as_deref(), Some("warning"));
    assert_eq!(cell(&r.files, "reason", 0).as_deref(), Some("crc_mismatch"));
    assert_eq!(r.activities.height(), 1);
}

/// The offset of the only occurrence of `pattern` in `bytes`.
fn find_once(bytes: &[u8], pattern: &[u8]) -> usize {
    let hits: Vec<usize> = bytes
        .windows(pattern.len())
        .enumerate()
        .filter(|(_, w)| *w == pattern)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits.len(), 1, "{pattern:02x?} found at {hits:?}");
    hits[0]
}

#[test]
fn a_structural_error_mid_file_is_read_past_and_the_records_around_it_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 20 min at 3 m/s, 1201 records. The sport message comes before the records, the lap and
    // session after them.
    let mut a = Activity::running(T0, steady_run(T0, 20, 3.0, 170.0));
    a.with_sport_message = true;
    let mut records = fitwriter::encode_activity(&a);
    // Record 600's header names local message 2 (record); 10 was never defined, so the decoder
    // fails there with "no definition found for local message number 10", and reads on from
    // the next message that decodes.
    let mut head = vec![2u8];
    head.extend_from_slice(&fitwriter::fit_time(T0 + 600).to_le_bytes());
    let at_record = find_once(&records, &head);
    records[at_record] = 10;
    write(&input, "records.fit", &records);

    // The same damage after the session message, in the closing timer event: the session's
    // totals (a 50 s pause in its timer time) are read before it.
    let day = T0 + 86_400;
    let mut b = Activity::running(day, steady_run(day, 20, 3.0, 170.0));
    b.serial_number = 6;
    b.sessions[0].total_timer_s = Some(1150.0);
    let mut event = fitwriter::encode_activity(&b);
    let mut head = vec![1u8];
    head.extend_from_slice(&fitwriter::fit_time(day + 1200).to_le_bytes());
    head.extend_from_slice(&[0, 4]); // event timer, stop_all
    let at_event = find_once(&event, &head);
    event[at_event] = 10;
    write(&input, "event.fit", &event);

    let r = report_with(&[&input], &tmp.path().join("out"), &["--strict"], &[]);
    assert_eq!(r.files.height(), 2);
    // The damaged record is read past; the damaged event has nothing after it but its own
    // bytes: the file is cut there, the session before it already read.
    for (name, at, len, reason) in [
        ("records.fit", at_record, records.len(), "damaged"),
        ("event.fit", at_event, event.len(), "truncated"),
    ] {
        let f = row(&r.files, name);
        assert_eq!(cell(&r.files, "status", f).as_deref(), Some("warning"));
        let detail = cell(&r.files, "detail", f).unwrap();
        assert_eq!(
            cell(&r.files, "reason", f).as_deref(),
            Some(reason),
            "{name}: {detail}"
        );
        assert!(
            detail.contains("local message number 10"),
            "{name}: {detail}"
        );
        if reason == "damaged" {
            assert!(
                detail.contains(&format!("did not decode (at byte {at}: "))
                    && detail.contains(": skipped, read on from byte "),
                "{name}: {detail}"
            );
        } else {
            assert!(
                detail.starts_with(&format!("a structural error at byte {at} of {len} ("))
                    && detail.ends_with("records before it are kept"),
                "{name}: {detail}"
            );
        }
        assert_eq!(num(&r.files, "runs", f), Some(1.0), "{name}");
    }
    // Read past the damaged record: the 1200 others, and the lap and session after them.
    let i = row(&r.activities, "records.fit");
    assert_eq!(num(&r.activities, "samples", i), Some(1200.0));
    assert_eq!(
        cell(&r.activities, "totals_source", i).as_deref(),
        Some("session")
    );
    assert!((num(&r.activities, "distance_m", i).unwrap() - 3600.0).abs() < 0.01);
    assert_eq!(num(&r.activities, "duration_s", i), Some(1200.0));
    assert!((num(&r.activities, "cadence_spm", i).unwrap() - 170.0).abs() < 0.02);
    assert_eq!(cell(&r.activities, "status", i).as_deref(), Some("warning"));
    // Damage after its session: every record, and the session's own totals.
    let j = row(&r.activities, "event.fit");
    assert_eq!(num(&r.activities, "samples", j), Some(1201.0));
    assert_eq!(
        cell(&r.activities, "totals_source", j).as_deref(),
        Some("session")
    );
    assert!((num(&r.activities, "distance_m", j).unwrap() - 3600.0).abs() < 0.01);
    assert_eq!(num(&r.activities, "duration_s", j), Some(1150.0));
    // Warnings, not read failures: --strict does not fail the run.
    assert_eq!(r.code, 0);
}

#[test]
fn a_chained_file_and_a_file_without_session_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let first = synthetic(T0, None);
    let mut second = Activity::running(T0 + 86_400, steady_run(T0 + 86_400, 12, 3.0, 168.0));
    second.serial_number = 4242;
    let second = fitwriter::encode_activity(&second);
    write(&input, "chained.fit", &fitwriter::chain(&[first, second]));
    let mut bare = Activity::running(T0 + 2 * 86_400, steady_run(T0 + 2 * 86_400, 8, 3.0, 172.0));
    bare.serial_number = 5;
    bare.with_session_message = false;
    bare.with_sport_message = true;
    write(&input, "nosession.fit", &fitwriter::encode_activity(&bare));
    let r = report(&[&input], &tmp.path().join("out"));
    let c = row(&r.files, "chained.fit");
    assert_eq!(num(&r.files, "runs", c), Some(2.0));
    assert!(cell(&r.files, "detail", c).unwrap().contains("chained"));
    let n = row(&r.activities, "nosession.fit");
    assert_eq!(
        cell(&r.activities, "totals_source", n).as_deref(),
        Some("records")
    );
    assert!((num(&r.activities, "distance_m", n).unwrap() - 8.0 * 60.0 * 3.0).abs() < 0.1);
    assert_eq!(num(&r.activities, "duration_s", n), Some(480.0));
    assert!((num(&r.activities, "cadence_spm", n).unwrap() - 172.0).abs() < 0.02);
}

#[test]
fn device_time_files_never_land_in_1989() {
    let tmp = tempfile::tempdir().unwrap();
    let file =
        testdata().join("dtcooper__python-fitparse/tests__files__compressed-speed-distance.fit");
    let r = report(&[&file], tmp.path());
    assert_eq!(cell(&r.files, "status", 0).as_deref(), Some("warning"));
    // Its compressed record distances, accumulated as the profile says, end at the session's
    // 10.25 km: nothing implausible, only the device time.
    assert_eq!(cell(&r.files, "reason", 0).as_deref(), Some("device_time"));
    let detail = cell(&r.files, "detail", 0).unwrap();
    assert!(
        detail == "time stamps count from device power-on, not dates: kept without a date",
        "{detail}"
    );
    assert!(is_null(&r.activities, "start_utc", 0));
    assert!((num(&r.activities, "distance_m", 0).unwrap() - 10248.7).abs() < 0.05);
}

#[test]
fn exit_codes_and_atomic_output() {
    let tmp = tempfile::tempdir().unwrap();
    // A missing input is a usage error.
    fitrisk()
        .args(["report", "/definitely/not/here"])
        .arg("-o")
        .arg(tmp.path().join("o1"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("/definitely/not/here"));
    // An output folder that cannot be created is a failure.
    let blocker = write(tmp.path(), "file-not-dir", b"x");
    fitrisk()
        .arg("report")
        .arg(testdata())
        .arg("-o")
        .arg(blocker.join("sub"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("cannot create output folder"));
    // --strict: an unreadable input gives 3, and the report is still written.
    let input = tmp.path().join("in");
    write(&input, "ok.fit", &synthetic(T0, None));
    write(&input, "bad.fit", b"garbage");
    let out = tmp.path().join("o3");
    let r = report_with(&[&input], &out, &["--strict", "--quiet"], &[]);
    assert_eq!(r.code, 3);
    assert!(r.stdout.is_empty(), "--quiet printed: {}", r.stdout);
    let names: BTreeSet<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = [
        "activities",
        "files",
        "findings",
        "segments",
        "weeks",
        "gear",
    ]
    .iter()
    .flat_map(|t| [format!("{t}.csv"), format!("{t}.parquet")])
    .chain(["report.html".to_string(), ".fitrisk-cache".to_string()])
    .collect();
    assert_eq!(names, expected, "temporary files left behind?");
    // Without --strict the same run exits 0.
    let r = report_with(
        &[&input],
        &tmp.path().join("o4"),
        &["--format", "parquet"],
        &[],
    );
    assert_eq!(r.code, 0);
    assert!(!r.dir.join("files.csv").exists());
}

#[test]
fn a_bad_config_key_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write(tmp.path(), "fitrisk.toml", b"[ingest]\nmin_speed = 2\n");
    fitrisk()
        .arg("report")
        .arg(testdata())
        .arg("-o")
        .arg(tmp.path().join("o"))
        .arg("--config")
        .arg(&cfg)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("min_speed"));
}

#[test]
fn an_impossible_local_time_leaves_the_offset_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // A local time 6.7 days before UTC, as one real device wrote: no civil offset.
    write(&input, "broken.fit", &synthetic(T0, Some(-576_900)));
    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(num(&r.activities, "utc_offset_s", 0), None);
    assert!(is_null(&r.activities, "start_local", 0));
    assert!(!is_null(&r.activities, "start_utc", 0));
}

/// Makes a named pipe with the `mkfifo` command; false (and a message) when there is none.
#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    match std::process::Command::new("mkfifo").arg(path).status() {
        Ok(status) => {
            assert!(status.success(), "mkfifo {}", path.display());
            true
        }
        Err(e) => {
            eprintln!("skipped: no mkfifo command ({e})");
            false
        }
    }
}

/// A named pipe called `pipe.fit` gets one `skipped`/`not_a_file` row and is never opened
/// (reading a pipe waits for a writer forever: the time limit turns that into a failure), the
/// real file beside it is analysed, and `--strict` counts the pipe as unreadable. Named on the
/// command line, the pipe gets its row too.
#[cfg(unix)]
#[test]
fn a_named_pipe_gets_a_not_a_file_row_and_is_never_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let real = fs::read(testdata().join("fgebhart__workoutizer/tests__data__example.fit")).unwrap();
    write(&input, "example.fit", &real);
    let pipe = input.join("pipe.fit");
    if !mkfifo(&pipe) {
        return;
    }
    let limit = std::time::Duration::from_secs(60);
    let r = report_within(&[&input], &tmp.path().join("out"), &["--strict"], limit);
    assert_eq!(r.files.height(), 2, "{:?}", strs(&r.files, "source"));
    let p = row(&r.files, "/pipe.fit");
    assert_eq!(
        cell(&r.files, "source", p),
        Some(pipe.display().to_string())
    );
    assert_eq!(cell(&r.files, "status", p).as_deref(), Some("skipped"));
    assert_eq!(cell(&r.files, "reason", p).as_deref(), Some("not_a_file"));
    assert_eq!(
        cell(&r.files, "detail", p).as_deref(),
        Some("a named pipe (FIFO), not a regular file")
    );
    assert_eq!(num(&r.files, "bytes", p), Some(0.0));
    let e = row(&r.files, "/example.fit");
    assert_eq!(cell(&r.files, "status", e).as_deref(), Some("ok"));
    assert_eq!(num(&r.files, "bytes", e), Some(real.len() as f64));
    assert_eq!(num(&r.files, "runs", e), Some(1.0));
    assert_eq!(r.activities.height(), 1);
    assert_eq!(row(&r.activities, "/example.fit"), 0);
    assert!(r.stdout.contains("not_a_file 1"), "{}", r.stdout);
    assert_eq!(r.code, 3, "--strict: the pipe could not be read");

    let r = report_within(&[&pipe], &tmp.path().join("out2"), &[], limit);
    assert_eq!(r.files.height(), 1);
    assert_eq!(cell(&r.files, "reason", 0).as_deref(), Some("not_a_file"));
    assert_eq!(r.activities.height(), 0);
    assert_eq!(r.code, 0);
}

/// Two names that differ only in a byte that is not UTF-8 keep different `source`s (the bytes
/// are written `\xNN`, not both as U+FFFD), and a real name that reads like the escape is told
/// apart from it; all three runs are analysed.
#[cfg(unix)]
#[test]
fn names_that_differ_in_a_non_utf8_byte_keep_different_sources() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let names: [&[u8]; 3] = [b"run\xff.fit", b"run\xfe.fit", br"run\xff.fit"];
    for (k, name) in names.iter().enumerate() {
        let start = T0 + k as i64 * 86_400;
        let mut a = Activity::running(start, steady_run(start, 20, 3.0, 170.0));
        a.serial_number = 100 + k as u32;
        let path = input.join(OsStr::from_bytes(name));
        if let Err(e) = fs::write(&path, fitwriter::encode_activity(&a)) {
            eprintln!("skipped: this file system refuses non-UTF-8 names ({e})");
            return;
        }
    }
    let r = report(&[&input], &tmp.path().join("out"));
    let dir = input.display();
    let expected: BTreeSet<String> = [
        format!(r"{dir}/run\xff.fit"),
        format!(r"{dir}/run\xfe.fit"),
        format!(r"{dir}/run\\xff.fit"),
    ]
    .into_iter()
    .collect();
    let sources: Vec<String> = strs(&r.files, "source")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(sources.len(), 3, "{sources:?}");
    assert_eq!(sources.iter().cloned().collect::<BTreeSet<_>>(), expected);
    for i in 0..3 {
        assert_eq!(cell(&r.files, "status", i).as_deref(), Some("ok"));
        assert_eq!(num(&r.files, "runs", i), Some(1.0));
    }
    let runs: BTreeSet<String> = strs(&r.activities, "source")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(runs, expected);
}
