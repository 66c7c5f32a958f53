//! Downhill: segments and cadence by grade against FIT files written with a known profile.

use std::path::Path;

use crate::support::fitwriter::{self, Activity, Sample};
use crate::support::*;

/// A stretch of the test course.
#[derive(Clone, Copy)]
struct Leg {
    length_m: f64,
    grade_pct: f64,
    speed_mps: f64,
    spm: f64,
}

const fn leg(length_m: f64, grade_pct: f64, speed_mps: f64, spm: f64) -> Leg {
    Leg {
        length_m,
        grade_pct,
        speed_mps,
        spm,
    }
}

/// Samples every second along the legs, with ±`alt_jitter` m on altitude and ±`spm_jitter` on
/// cadence. Returns the samples and the true (start, end) distance of every downhill leg.
fn course(
    legs: &[Leg],
    alt_jitter: f64,
    spm_jitter: f64,
    seed: u64,
) -> (Vec<Sample>, Vec<(f64, f64)>) {
    let mut noise = Noise(seed);
    let mut out = Vec::new();
    let mut truth = Vec::new();
    let (mut d, mut alt, mut t) = (0.0f64, 300.0f64, T0);
    for l in legs {
        let start = d;
        let end = d + l.length_m;
        if l.grade_pct < 0.0 {
            truth.push((start, end));
        }
        while d < end {
            out.push(Sample {
                distance_m: Some(d),
                altitude_m: Some(alt + alt_jitter * noise.next()),
                speed_mps: Some(l.speed_mps),
                cadence_spm: Some(l.spm + spm_jitter * noise.next()),
                heart_rate: Some(150),
                lat_deg: Some(46.5 + d / 111_195.0),
                lon_deg: Some(7.5),
                ..Sample::at(t)
            });
            let step = l.speed_mps.min(end - d);
            d += step;
            alt += l.grade_pct / 100.0 * step;
            t += 1;
        }
    }
    (out, truth)
}

/// An hour at 1 Hz: flat running at 170 spm with four 400 m descents at −6 % at 160 spm (and
/// climbs back up at 166 spm between them).
fn hour_with_four_descents() -> Vec<Leg> {
    let flat = leg(1200.0, 0.0, 3.0, 170.0);
    let down = leg(400.0, -6.0, 3.0, 160.0);
    let up = leg(400.0, 6.0, 2.6, 166.0);
    vec![
        flat, down, flat, up, flat, down, flat, up, flat, down, flat, up, flat, down, flat,
    ]
}

/// Keeps a "smart recording" subset: gaps of 1–8 s, as Garmin's smart mode writes.
fn smart(samples: &[Sample], seed: u64) -> Vec<Sample> {
    let mut noise = Noise(seed);
    let mut out = Vec::new();
    let mut i = 0;
    while i < samples.len() {
        out.push(samples[i].clone());
        i += 1 + ((noise.next() + 1.0) * 3.5) as usize;
    }
    if out.last().map(|s| s.t_unix) != samples.last().map(|s| s.t_unix) {
        out.push(samples[samples.len() - 1].clone());
    }
    out
}

fn write_run(dir: &Path, name: &str, samples: Vec<Sample>, serial: u32) {
    let start = samples[0].t_unix;
    let mut a = Activity::running(start, samples);
    a.serial_number = serial;
    write(dir, name, &fitwriter::encode_activity(&a));
}

struct Seg {
    kind: String,
    start_m: f64,
    end_m: f64,
}

fn segments_of(r: &Report, suffix: &str) -> Vec<Seg> {
    let seg = read_parquet(&r.dir.join("segments.parquet"));
    let sources = strs(&seg, "source");
    let kinds = strs(&seg, "kind");
    let (starts, ends) = (nums(&seg, "start_m"), nums(&seg, "end_m"));
    (0..seg.height())
        .filter(|&i| sources[i].as_deref().unwrap().ends_with(suffix))
        .map(|i| Seg {
            kind: kinds[i].clone().unwrap(),
            start_m: starts[i].unwrap(),
            end_m: ends[i].unwrap(),
        })
        .collect()
}

#[test]
fn four_known_descents_are_found_with_their_boundaries_and_cadence() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let (samples, truth) = course(&hour_with_four_descents(), 0.3, 1.0, 7);
    assert!(
        samples.len() >= 3600,
        "an hour of samples: {}",
        samples.len()
    );
    write_run(&input, "every-second.fit", samples.clone(), 1);
    let mut later: Vec<Sample> = smart(&samples, 11);
    for s in &mut later {
        s.t_unix += 86_400;
    }
    write_run(&input, "smart.fit", later, 2);
    let r = report(&[&input], &tmp.path().join("out"));

    for name in ["every-second.fit", "smart.fit"] {
        let segs = segments_of(&r, name);
        let downs: Vec<&Seg> = segs.iter().filter(|s| s.kind == "downhill").collect();
        assert_eq!(
            downs.len(),
            4,
            "{name}: {:?}",
            segs.iter().map(|s| &s.kind).collect::<Vec<_>>()
        );
        for (got, want) in downs.iter().zip(&truth) {
            assert!(
                (got.start_m - want.0).abs() <= 30.0,
                "{name}: start {} vs {}",
                got.start_m,
                want.0
            );
            assert!(
                (got.end_m - want.1).abs() <= 30.0,
                "{name}: end {} vs {}",
                got.end_m,
                want.1
            );
        }
        let i = row(&r.activities, name);
        let v = |c: &str| num(&r.activities, c, i).unwrap();
        assert!(
            (v("flat_cadence_spm") - 170.0).abs() <= 1.0,
            "{name}: flat {}",
            v("flat_cadence_spm")
        );
        assert!(
            (v("downhill_cadence_spm") - 160.0).abs() <= 1.0,
            "{name}: down {}",
            v("downhill_cadence_spm")
        );
        assert!(
            (v("uphill_cadence_spm") - 166.0).abs() <= 1.0,
            "{name}: up {}",
            v("uphill_cadence_spm")
        );
        assert!(
            (v("downhill_cadence_drop_spm") - 10.0).abs() <= 1.0,
            "{name}: drop"
        );
        assert!((v("downhill_cadence_drop_pct") - 100.0 * 10.0 / 170.0).abs() <= 0.6);
        assert_eq!(v("downhill_segments"), 4.0);
        assert!(
            (v("downhill_m") - 1600.0).abs() <= 4.0 * 60.0,
            "{name}: {}",
            v("downhill_m")
        );
        // Same speed downhill and on the flat: the matched drop equals the plain one.
        assert!((v("downhill_cadence_drop_matched_spm") - 10.0).abs() <= 1.0);
        assert_eq!(
            cell(&r.activities, "downhill_matched_source", i).as_deref(),
            Some("run")
        );
        // Step length from speed and cadence: 3 m/s × 60 / 160 downhill, / 170 on the flat.
        assert!((v("downhill_step_length_m") - 180.0 / 160.0).abs() <= 0.01);
        assert!((v("flat_step_length_m") - 180.0 / 170.0).abs() <= 0.01);
    }
    // The drop becomes a finding, with the step-length change behind it.
    let f = read_parquet(&r.dir.join("findings.parquet"));
    let rules = strs(&f, "rule");
    let hits: Vec<usize> = (0..f.height())
        .filter(|&i| rules[i].as_deref() == Some("downhill_overstriding"))
        .collect();
    assert_eq!(hits.len(), 2, "one per run");
    for i in hits {
        assert!((num(&f, "value", i).unwrap() - 10.0).abs() <= 1.0);
        let msg = cell(&f, "message", i).unwrap();
        assert!(
            msg.contains("at the same speed") && msg.contains("steps lengthen"),
            "{msg}"
        );
    }
    // 1 s and smart recording agree with each other closely.
    let a = row(&r.activities, "every-second.fit");
    let b = row(&r.activities, "smart.fit");
    for c in ["flat_cadence_spm", "downhill_cadence_spm", "downhill_m"] {
        let (x, y) = (
            num(&r.activities, c, a).unwrap(),
            num(&r.activities, c, b).unwrap(),
        );
        let tol = if c == "downhill_m" { 40.0 } else { 0.6 };
        assert!((x - y).abs() <= tol, "{c}: 1 s {x} vs smart {y}");
    }
}

#[test]
fn flat_running_with_altitude_jitter_has_no_descent() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let (samples, _) = course(&[leg(9000.0, 0.0, 3.0, 170.0)], 0.5, 1.0, 3);
    write_run(&input, "flat.fit", samples, 1);
    let r = report(&[&input], &tmp.path().join("out"));
    let segs = segments_of(&r, "flat.fit");
    assert!(
        segs.iter().all(|s| s.kind == "flat"),
        "{:?}",
        segs.iter().map(|s| &s.kind).collect::<Vec<_>>()
    );
    assert_eq!(num(&r.activities, "downhill_segments", 0), Some(0.0));
    assert_eq!(num(&r.activities, "downhill_m", 0), Some(0.0));
    assert_eq!(num(&r.activities, "downhill_cadence_spm", 0), None);
}

#[test]
fn a_run_without_altitude_gets_nulls_not_zeros() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let (mut samples, _) = course(&hour_with_four_descents(), 0.3, 1.0, 5);
    for s in &mut samples {
        s.altitude_m = None;
    }
    write_run(&input, "noalt.fit", samples, 1);
    let r = report(&[&input], &tmp.path().join("out"));
    for c in [
        "downhill_m",
        "downhill_segments",
        "flat_cadence_spm",
        "downhill_cadence_spm",
        "downhill_cadence_drop_spm",
        "downhill_cadence_drop_matched_spm",
    ] {
        assert_eq!(num(&r.activities, c, 0), None, "{c}");
    }
    assert!(segments_of(&r, "noalt.fit").is_empty());
    // The run itself is still there with its cadence.
    assert!(num(&r.activities, "cadence_spm", 0).is_some());
}

#[test]
fn faster_descents_are_compared_with_flat_running_at_the_same_speed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // On the flat this runner holds 168 spm at 3.0 m/s and 176 spm at 3.6 m/s; downhill they
    // run 3.6 m/s at 166 spm. The plain drop (flat median − downhill) understates it: at the
    // same speed the cadence falls by 10 spm.
    let slow = leg(1500.0, 0.0, 3.0, 168.0);
    let fast = leg(1000.0, 0.0, 3.6, 176.0);
    let down = leg(500.0, -7.0, 3.6, 166.0);
    let up = leg(500.0, 7.0, 2.5, 164.0);
    let legs = [slow, fast, down, slow, up, slow, fast, down, slow];
    let (samples, _) = course(&legs, 0.2, 0.5, 9);
    write_run(&input, "mixed.fit", samples, 1);
    // A run whose flat running is all slow: it has to borrow the fast flat reference from the
    // runner's history (the run above).
    let (mut only_slow, _) = course(&[slow, down, slow, up, slow], 0.2, 0.5, 13);
    for s in &mut only_slow {
        s.t_unix += 2 * 86_400;
    }
    write_run(&input, "history.fit", only_slow, 2);
    let r = report(&[&input], &tmp.path().join("out"));
    let i = row(&r.activities, "mixed.fit");
    let matched = num(&r.activities, "downhill_cadence_drop_matched_spm", i).unwrap();
    assert!((matched - 10.0).abs() <= 1.0, "matched {matched}");
    assert_eq!(
        cell(&r.activities, "downhill_matched_source", i).as_deref(),
        Some("run")
    );
    let plain = num(&r.activities, "downhill_cadence_drop_spm", i).unwrap();
    assert!((plain - 2.0).abs() <= 1.0, "plain {plain}");
    let j = row(&r.activities, "history.fit");
    let matched = num(&r.activities, "downhill_cadence_drop_matched_spm", j).unwrap();
    assert!((matched - 10.0).abs() <= 1.0, "history-matched {matched}");
    assert_eq!(
        cell(&r.activities, "downhill_matched_source", j).as_deref(),
        Some("history")
    );
}
