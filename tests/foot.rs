//! What is not running is not counted as running: files written to look like what watches
//! produce when they record a ride, a car or a mislabelled run on the run profile, and totals
//! at odds with their records.

use crate::support::fitwriter::{self, Activity, Sample};
use crate::support::*;

/// One sample a second from `t0` for `seconds`, at `speed(i)` m/s and `spm(i)` steps/min
/// (`None`: no cadence), along a straight line, with distance.
fn track(
    t0: i64,
    seconds: i64,
    from_m: f64,
    speed: impl Fn(i64) -> f64,
    spm: impl Fn(i64) -> Option<f64>,
) -> Vec<Sample> {
    let mut d = from_m;
    (0..seconds)
        .map(|i| {
            let v = speed(i);
            let s = Sample {
                distance_m: Some(d),
                altitude_m: Some(300.0),
                speed_mps: Some(v),
                cadence_spm: spm(i),
                lat_deg: Some(46.0 + d / 111_195.0),
                lon_deg: Some(7.0),
                ..Sample::at(t0 + i)
            };
            d += v;
            s
        })
        .collect()
}

fn ledger_row(r: &Report, name: &str) -> (String, String, String) {
    let i = row(&r.files, name);
    let cell_of = |c: &str| cell(&r.files, c, i).unwrap_or_default();
    (cell_of("status"), cell_of("reason"), cell_of("detail"))
}

#[test]
fn a_ride_on_the_run_profile_is_not_running() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // An hour on a road bike: 8–15 m/s, pedalling 84–92 rpm (written as the run profile's
    // cadence, so 168–184 "steps"), no fractional cadence.
    let ride = track(
        T0,
        3600,
        0.0,
        |i| 11.5 + 3.5 * (i as f64 / 300.0).sin(),
        |i| Some(2.0 * (88.0 + 4.0 * (i as f64 / 200.0).cos())),
    );
    let mut a = Activity::running(T0, ride);
    a.fractional_cadence = false;
    write(&input, "road-ride.fit", &fitwriter::encode_activity(&a));
    // A slower ride: 2.5 minutes at 8.5 m/s, 7.5 at 4.8, for an hour (5.7 m/s on average,
    // within the records for an hour; a quarter of the time faster than any runner holds).
    let t1 = T0 + 86_400;
    let slow = track(
        t1,
        3600,
        0.0,
        |i| if i % 600 < 150 { 8.5 } else { 4.8 },
        |_| Some(2.0 * 86.0),
    );
    let mut b = Activity::running(t1, slow);
    b.fractional_cadence = false;
    b.serial_number = 2;
    write(&input, "slow-ride.fit", &fitwriter::encode_activity(&b));
    // The same slower ride with a running watch's fractional cadence: a runner's intervals,
    // kept.
    let t2 = T0 + 2 * 86_400;
    let intervals = track(
        t2,
        3600,
        0.0,
        |i| if i % 600 < 150 { 8.5 } else { 4.8 },
        |_| Some(186.0),
    );
    let mut c = Activity::running(t2, intervals);
    c.serial_number = 3;
    write(&input, "intervals.fit", &fitwriter::encode_activity(&c));
    let r = report(&[&input], &tmp.path().join("out"));
    let (status, reason, detail) = ledger_row(&r, "road-ride.fit");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("skipped", "not_on_foot")
    );
    assert!(
        detail.contains("faster than 105 % of the world-record pace"),
        "{detail}"
    );
    let (status, reason, detail) = ledger_row(&r, "slow-ride.fit");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("skipped", "not_on_foot")
    );
    assert!(
        detail.starts_with("a ride on the run profile: cadence without fractional cadence")
            && detail.contains("25 % of the moving time faster than 8.0 m/s"),
        "{detail}"
    );
    assert_eq!(ledger_row(&r, "intervals.fit").0, "ok");
    assert_eq!(r.activities.height(), 1);
}

#[test]
fn a_car_at_the_end_is_cut_off_and_the_run_keeps_what_was_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 40 minutes of running at 3 m/s (7.2 km), then 15 minutes in a car at 16 m/s, no steps:
    // the watch kept recording.
    let mut samples = track(T0, 2400, 0.0, |_| 3.0, |_| Some(172.0));
    samples.extend(track(T0 + 2400, 900, 7200.0, |_| 16.0, |_| None));
    let a = Activity::running(T0, samples);
    write(&input, "car.fit", &fitwriter::encode_activity(&a));
    let r = report(&[&input], &tmp.path().join("out"));
    let (status, reason, detail) = ledger_row(&r, "car.fit");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("warning", "implausible")
    );
    assert!(
        detail.contains("min (16.0 m/s) at the end, faster than 105 %"),
        "{detail}"
    );
    let a = &r.activities;
    let v = |c: &str| num(a, c, 0).unwrap();
    assert!(
        (v("distance_m") - 7200.0).abs() < 50.0,
        "{}",
        v("distance_m")
    );
    assert!(
        (v("duration_s") - 2400.0).abs() < 30.0,
        "{}",
        v("duration_s")
    );
    assert!((v("elapsed_s") - 2400.0).abs() < 30.0, "{}", v("elapsed_s"));
    assert!(
        (v("avg_speed_mps") - 3.0).abs() < 0.05,
        "{}",
        v("avg_speed_mps")
    );
    assert_eq!(cell(a, "totals_source", 0).as_deref(), Some("repaired"));
    assert!(
        detail.contains(
            "session distance 21.58 km (more than the records kept) replaced by the records' \
             7.20 km"
        ),
        "{detail}"
    );
}

#[test]
fn a_run_faster_than_the_world_record_for_its_duration_is_not_running() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 10.2 km in 25 minutes (6.8 m/s; the 10,000 m record is 26:11), running cadence and all.
    let fast = track(T0, 1500, 0.0, |_| 6.8, |_| Some(190.0));
    write(
        &input,
        "fast.fit",
        &fitwriter::encode_activity(&Activity::running(T0, fast)),
    );
    let r = report(&[&input], &tmp.path().join("out"));
    let (status, reason, detail) = ledger_row(&r, "fast.fit");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("skipped", "not_on_foot")
    );
    assert!(
        detail.starts_with("10.19 km in 25 min (6.80 m/s)"),
        "{detail}"
    );
    assert_eq!(r.activities.height(), 0);
}

#[test]
fn a_timer_and_a_distance_at_odds_are_repaired_from_the_records() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // A treadmill hour at 3 m/s (a foot pod's distance, no GPS) whose session says 45.9 km in
    // 124 s of timer time, six days elapsed.
    let samples: Vec<Sample> = track(T0, 3600, 0.0, |_| 3.0, |_| Some(170.0))
        .into_iter()
        .map(|s| Sample {
            lat_deg: None,
            lon_deg: None,
            ..s
        })
        .collect();
    let mut a = Activity::running(T0, samples);
    let s = &mut a.sessions[0];
    s.sub_sport = fitwriter::sub_sport::TREADMILL;
    s.total_distance_m = Some(45_900.0);
    s.total_timer_s = Some(124.0);
    s.total_elapsed_s = Some(6.0 * 86_400.0);
    write(&input, "treadmill.fit", &fitwriter::encode_activity(&a));
    let r = report(&[&input], &tmp.path().join("out"));
    let (status, _, detail) = ledger_row(&r, "treadmill.fit");
    assert_eq!(status, "warning", "{detail}");
    let a = &r.activities;
    let v = |c: &str| num(a, c, 0).unwrap();
    assert!(
        (v("distance_m") - 10_797.0).abs() < 10.0,
        "{}",
        v("distance_m")
    );
    assert!(
        (v("duration_s") - 3599.0).abs() < 2.0,
        "{}",
        v("duration_s")
    );
    // What is kept is a running speed.
    assert!(v("distance_m") / v("duration_s") < 6.5);
    assert!(
        detail.contains("45.90 km in 124 s: faster than 12.5 m/s"),
        "{detail}"
    );
}

/// A 40-minute run written as watches write it (the sport named only in the lap and session
/// at the end), on day `day`, damaged by `damage` at the header of its record 60 % of the way
/// in (found by its time stamp, the record's first field).
fn damaged_run(
    input: &std::path::Path,
    name: &str,
    day: i64,
    damage: impl Fn(&mut Vec<u8>, usize),
) {
    let t0 = T0 + day * 86_400;
    let samples = track(t0, 2400, 0.0, |_| 3.0, |_| Some(172.0));
    let mut a = Activity::running(t0, samples);
    a.serial_number = 100 + day as u32;
    let mut b = fitwriter::encode_activity(&a);
    let stamp = fitwriter::fit_time(t0 + 1440).to_le_bytes();
    let at = b.windows(4).position(|w| w == stamp).unwrap() - 1;
    damage(&mut b, at);
    write(input, name, &b);
}

#[test]
fn damage_past_the_middle_is_read_past_and_a_lost_sport_is_decided_by_the_records() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // Garbage over 37 bytes, a record whose header names a local type never defined, a
    // zeroed sector: the bytes in place, the file's length as written.
    damaged_run(&input, "garbage.fit", 0, |b, at| {
        for (i, x) in b[at..at + 37].iter_mut().enumerate() {
            *x = (i as u8).wrapping_mul(97) | 0x20;
        }
    });
    damaged_run(&input, "undefined.fit", 1, |b, at| b[at] = 0x0f);
    damaged_run(&input, "zeroed.fit", 2, |b, at| {
        b[at..at + 512].iter_mut().for_each(|x| *x = 0)
    });
    // Cut at 60 %: the lap and the session are gone with the sport they name.
    damaged_run(&input, "truncated.fit", 3, |b, at| b.truncate(at));
    // A ride cut the same way: pedal cadence at a bike's speeds, no sport left to say so.
    let ride = track(T0 + 4 * 86_400, 2400, 0.0, |_| 10.0, |_| Some(180.0));
    let mut a = Activity::running(T0 + 4 * 86_400, ride);
    a.serial_number = 104;
    a.fractional_cadence = false;
    let mut b = fitwriter::encode_activity(&a);
    b.truncate(14 + (b.len() - 16) * 6 / 10);
    write(&input, "ride-cut.fit", &b);

    let r = report(&[&input], &tmp.path().join("out"));
    let a = &r.activities;
    for name in ["garbage.fit", "undefined.fit", "zeroed.fit"] {
        let (status, reason, detail) = ledger_row(&r, name);
        assert_eq!(
            (status.as_str(), reason.as_str()),
            ("warning", "damaged"),
            "{name}: {detail}"
        );
        assert_eq!(
            detail.matches("did not decode").count(),
            1,
            "{name}: {detail}"
        );
        let i = row(a, name);
        // The session after the damage is read: its sport, its totals; and the records after
        // it (a zeroed sector takes the 40 or so records in it).
        assert_eq!(
            cell(a, "totals_source", i).as_deref(),
            Some("session"),
            "{name}"
        );
        let d = num(a, "distance_m", i).unwrap();
        assert!((d - 7197.0).abs() < 5.0, "{name}: {d}");
        let n = num(a, "samples", i).unwrap();
        assert!(n >= 0.95 * 2400.0, "{name}: {n} samples");
    }
    let (status, reason, detail) = ledger_row(&r, "truncated.fit");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("warning", "sport_unknown")
    );
    assert!(
        detail.starts_with(
            "the messages naming the sport were lost with the damage; the records show running"
        ),
        "{detail}"
    );
    assert!(
        detail.contains("truncated") || detail.contains("ends"),
        "{detail}"
    );
    let i = row(a, "truncated.fit");
    let d = num(a, "distance_m", i).unwrap();
    assert!(d > 3500.0 && d < 4400.0, "the records kept: {d}");
    let (status, reason, detail) = ledger_row(&r, "ride-cut.fit");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("skipped", "sport_unknown"),
        "{detail}"
    );
    assert_eq!(a.height(), 4);
}
