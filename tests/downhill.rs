//! Downhill: segments and cadence by grade against FIT files written with a known profile.

use crate::support::course::*;
use crate::support::fitwriter::Sample;
use crate::support::*;

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
    // The drop becomes a finding, with the step-length change at the same speed behind it:
    // the two runs a day apart are one episode of two.
    let f = read_parquet(&r.dir.join("findings.parquet"));
    let rules = strs(&f, "rule");
    let hits: Vec<usize> = (0..f.height())
        .filter(|&i| rules[i].as_deref() == Some("downhill_overstriding"))
        .collect();
    assert_eq!(hits.len(), 1, "one episode");
    assert_eq!(num(&f, "occurrences", hits[0]), Some(2.0));
    for i in hits {
        assert!((num(&f, "value", i).unwrap() - 10.0).abs() <= 1.0);
        // At 3 m/s, 160 against 170 spm is a step 6 % longer (170 / 160).
        let msg = cell(&f, "message", i).unwrap();
        assert!(
            msg.contains("at the same speed") && msg.contains("your steps are 6 % longer"),
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

/// True slope legs of a course: (grade, start, end) of every leg with a non-zero grade.
fn slopes(legs: &[Leg]) -> Vec<(f64, f64, f64)> {
    let mut d = 0.0;
    let mut out = Vec::new();
    for l in legs {
        if l.grade_pct != 0.0 {
            out.push((l.grade_pct, d, d + l.length_m));
        }
        d += l.length_m;
    }
    out
}

/// Each true slope is found as one segment of its kind, its ends within 30 m of the true grade
/// changes and its grade within 0.5 points; a steep one is marked steep.
fn assert_slopes_found(segs: &[Seg], legs: &[Leg], what: &str) {
    let truth = slopes(legs);
    let found: Vec<&Seg> = segs.iter().filter(|s| s.kind != "flat").collect();
    assert_eq!(
        found.len(),
        truth.len(),
        "{what}: {:?}",
        segs.iter()
            .map(|s| (s.kind.as_str(), s.start_m.round(), s.end_m.round()))
            .collect::<Vec<_>>()
    );
    for (s, &(grade, start, end)) in found.iter().zip(&truth) {
        let kind = if grade < 0.0 { "downhill" } else { "uphill" };
        let shown = (s.kind.as_str(), s.start_m, s.end_m, s.grade_pct);
        assert_eq!(
            s.kind, kind,
            "{what}: {shown:?} vs {grade} % at {start}–{end}"
        );
        assert!(
            (s.start_m - start).abs() <= 30.0 && (s.end_m - end).abs() <= 30.0,
            "{what}: {shown:?} vs {start}–{end}"
        );
        assert!(
            (s.grade_pct - grade).abs() <= 0.5,
            "{what}: {shown:?} vs {grade} %"
        );
        assert_eq!(s.steep, grade <= -10.0, "{what}: {shown:?}");
    }
}

/// Hill repeats: three climbs and descents of 400 m at ± `grade` %, with a flat crest and
/// trough of `flat_m` between them (none when 0), between flat stretches.
fn hill_repeats(grade: f64, flat_m: f64) -> Vec<Leg> {
    let mut legs = vec![leg(600.0, 0.0, 3.0, 170.0)];
    for _ in 0..3 {
        legs.push(leg(400.0, grade, 2.4, 164.0));
        if flat_m > 0.0 {
            legs.push(leg(flat_m, 0.0, 3.0, 170.0));
        }
        legs.push(leg(400.0, -grade, 3.2, 166.0));
        if flat_m > 0.0 {
            legs.push(leg(flat_m, 0.0, 3.0, 170.0));
        }
    }
    legs.push(leg(600.0, 0.0, 3.0, 170.0));
    legs
}

#[test]
fn flat_crests_and_troughs_are_not_swallowed_by_the_slopes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let cases = [
        ("crest80", hill_repeats(6.0, 80.0)),
        ("crest120", hill_repeats(6.0, 120.0)),
        ("sharp", hill_repeats(6.0, 0.0)),
        ("steep", hill_repeats(11.0, 80.0)),
    ];
    for (k, (name, legs)) in cases.iter().enumerate() {
        let (samples, _) = course(legs, 0.3, 1.0, 20 + k as u64);
        let day = 86_400 * (2 * k as i64);
        let shifted = |mut v: Vec<Sample>, by: i64| {
            v.iter_mut().for_each(|s| s.t_unix += by);
            v
        };
        let smart_samples = shifted(smart(&samples, 30 + k as u64), day + 86_400);
        write_run(
            &input,
            &format!("{name}-1s.fit"),
            shifted(samples, day),
            10 + k as u32,
        );
        write_run(
            &input,
            &format!("{name}-smart.fit"),
            smart_samples,
            20 + k as u32,
        );
    }
    let r = report(&[&input], &tmp.path().join("out"));
    for (name, legs) in &cases {
        for rec in ["1s", "smart"] {
            let file = format!("{name}-{rec}.fit");
            assert_slopes_found(&segments_of(&r, &file), legs, &file);
        }
    }
}

#[test]
fn a_segment_lasts_its_timer_time_not_its_pauses() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let legs = [
        leg(1200.0, 0.0, 3.0, 170.0),
        leg(600.0, -6.0, 3.0, 164.0),
        leg(1200.0, 0.0, 3.0, 170.0),
    ];
    let (mut samples, _) = course(&legs, 0.2, 0.5, 41);
    // A ten-minute pause halfway down the descent, and the device clock jumping 20 days ahead
    // on the last flat.
    let pause = samples
        .iter()
        .position(|s| s.distance_m.unwrap() >= 1500.0)
        .unwrap();
    let jump = samples
        .iter()
        .position(|s| s.distance_m.unwrap() >= 2500.0)
        .unwrap();
    for (i, s) in samples.iter_mut().enumerate() {
        s.t_unix += 600 * (i >= pause) as i64 + 20 * 86_400 * (i >= jump) as i64;
    }
    write_run(&input, "paused.fit", samples, 1);
    let r = report(&[&input], &tmp.path().join("out"));
    let segs = segments_of(&r, "paused.fit");
    let kinds: Vec<&str> = segs.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["flat", "downhill", "flat"]);
    // Each segment lasts its length at 3 m/s, give or take the one capped interval (10 s at
    // most) across the pause or the jump.
    for seg in &segs {
        let moving = (seg.end_m - seg.start_m) / 3.0;
        assert!(
            (seg.duration_s - moving).abs() <= 12.0,
            "{}: {} s over {}–{} m",
            seg.kind,
            seg.duration_s,
            seg.start_m,
            seg.end_m
        );
    }
}

/// A runner whose flat cadence rises with speed (170 spm at 2.0 m/s, 180 at 3.0) descends a
/// −12 % trail slowly, at 2.0 m/s and `down_spm`, as on `testdata`'s example.fit.
fn slow_steep_descents(down_spm: f64) -> Vec<Leg> {
    let fast = leg(2000.0, 0.0, 3.0, 180.0);
    let slow = leg(400.0, 0.0, 2.0, 170.0);
    let down = leg(500.0, -12.0, 2.0, down_spm);
    let up = leg(500.0, 12.0, 1.6, 162.0);
    vec![fast, slow, up, down, slow, fast, up, down, fast]
}

fn findings_of(r: &Report, suffix: &str) -> Vec<(String, String, String)> {
    let f = read_parquet(&r.dir.join("findings.parquet"));
    let (keys, rules) = (strs(&f, "key"), strs(&f, "rule"));
    let (sev, msg) = (strs(&f, "severity"), strs(&f, "message"));
    (0..f.height())
        .filter(|&i| keys[i].as_deref().unwrap().ends_with(suffix))
        .map(|i| {
            (
                rules[i].clone().unwrap(),
                sev[i].clone().unwrap(),
                msg[i].clone().unwrap(),
            )
        })
        .collect()
}

#[test]
fn overstriding_is_a_longer_step_at_the_same_speed_and_careful_descending_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let (over, _) = course(&slow_steep_descents(163.0), 0.2, 0.5, 51);
    write_run(&input, "overstride.fit", over, 1);
    let (careful, _) = course(&slow_steep_descents(170.0), 0.2, 0.5, 52);
    let careful = careful
        .into_iter()
        .map(|s| Sample {
            t_unix: s.t_unix + 3 * 86_400,
            ..s
        })
        .collect();
    write_run(&input, "careful.fit", careful, 2);
    let r = report(&[&input], &tmp.path().join("out"));

    // 7 spm lower at the same 2.0 m/s: the step is 170 / 163 − 1 = 4.3 % longer, although the
    // downhill steps are shorter than the fast flat ones (2.0 × 60 / 163 = 0.74 m).
    let i = row(&r.activities, "overstride.fit");
    let v = |c: &str| num(&r.activities, c, i).unwrap();
    assert!((v("downhill_cadence_drop_matched_spm") - 7.0).abs() <= 0.5);
    let change = v("downhill_step_length_change_matched_pct");
    assert!(
        (change - 100.0 * (170.0 / 163.0 - 1.0)).abs() <= 0.4,
        "{change}"
    );
    assert!(v("downhill_step_length_m") < v("flat_step_length_m"));
    assert!(v("downhill_step_length_change_pct") < 0.0);
    let f = findings_of(&r, "overstride.fit");
    let hit: Vec<_> = f
        .iter()
        .filter(|x| x.0 == "downhill_overstriding")
        .collect();
    assert_eq!(hit.len(), 1, "{f:?}");
    assert_eq!(hit[0].1, "watch");
    assert!(
        hit[0].2.contains("drops 7 spm at the same speed")
            && hit[0]
                .2
                .contains("at equal speed your steps are 4 % longer")
            && hit[0].2.contains("downhill steps are 0.74 m"),
        "{}",
        hit[0].2
    );
    assert!(!f.iter().any(|x| x.0 == "careful_descending"), "{f:?}");

    // The same cadence as on the flat at the same speed: the lower downhill cadence is the
    // slower pace, with shorter steps. Not overstriding, and the finding says what it is.
    let j = row(&r.activities, "careful.fit");
    let matched = num(&r.activities, "downhill_cadence_drop_matched_spm", j).unwrap();
    assert!(matched.abs() <= 0.5, "{matched}");
    assert!(num(&r.activities, "downhill_cadence_drop_spm", j).unwrap() > 5.0);
    let f = findings_of(&r, "careful.fit");
    assert!(!f.iter().any(|x| x.0 == "downhill_overstriding"), "{f:?}");
    let hit: Vec<_> = f.iter().filter(|x| x.0 == "careful_descending").collect();
    assert_eq!(hit.len(), 1, "{f:?}");
    assert_eq!(hit[0].1, "info");
    assert!(
        hit[0].2.contains("descend slower") && hit[0].2.contains("not overstriding"),
        "{}",
        hit[0].2
    );
}
