//! Downhill analysis on synthetic runs of known profile.

use super::*;
use crate::config::{GaitSettings, GuardSettings};
use crate::model::SpeedBins;

/// The analysis with the default settings, as a run gets it.
fn analyse_default(s: &Samples) -> Downhill {
    analyse(
        s,
        &SampleSeries::new(s, &GaitSettings::default()),
        &DownhillSettings::default(),
        GuardSettings::default().max_step_length_m,
    )
}

/// A run on a distance profile: `alt(d)` at `speed` m/s, 1 s samples, cadence `spm(d)`.
fn run(len_m: f64, speed: f64, alt: impl Fn(f64) -> f64, spm: impl Fn(f64) -> f64) -> Samples {
    let n = (len_m / speed) as usize;
    let mut s = Samples::default();
    for i in 0..=n {
        let d = i as f64 * speed;
        s.t.push(1_700_000_000 + i as i64);
        s.distance_m.push(d);
        s.altitude_m.push(alt(d));
        s.speed_mps.push(speed);
        s.cadence_raw.push(spm(d) / 2.0);
        for v in [
            &mut s.heart_rate,
            &mut s.lat_deg,
            &mut s.lon_deg,
            &mut s.step_length_mm,
            &mut s.vertical_oscillation_mm,
            &mut s.stance_time_ms,
            &mut s.stance_balance_pct,
            &mut s.power_w,
        ] {
            v.push(f64::NAN);
        }
    }
    s
}

#[test]
fn a_single_descent_is_found_with_its_grade() {
    // 1 km flat, 500 m at −6 %, 1 km flat.
    let alt = |d: f64| {
        if d < 1000.0 {
            100.0
        } else if d < 1500.0 {
            100.0 - 0.06 * (d - 1000.0)
        } else {
            70.0
        }
    };
    let spm = |d: f64| {
        if (1000.0..1500.0).contains(&d) {
            160.0
        } else {
            170.0
        }
    };
    let s = run(2500.0, 3.0, alt, spm);
    let dh = analyse_default(&s);
    let kinds: Vec<Kind> = dh.segments.iter().map(|x| x.kind).collect();
    assert_eq!(kinds, vec![Kind::Flat, Kind::Downhill, Kind::Flat]);
    let d = &dh.segments[1];
    assert!((d.start_m - 1000.0).abs() < 30.0, "{}", d.start_m);
    assert!((d.end_m - 1500.0).abs() < 30.0, "{}", d.end_m);
    assert!((d.grade_pct + 6.0).abs() < 0.6, "{}", d.grade_pct);
    assert!(!d.steep);
    assert_eq!(dh.flat_cadence_spm, Some(170.0));
    assert_eq!(dh.downhill_cadence_spm, Some(160.0));
    // Same speed on both: the matched drop is the plain drop.
    let (m, source) = dh.matched.unwrap();
    assert_eq!(source, MatchSource::Run);
    assert!((m.drop_spm - 10.0).abs() < 0.5, "{m:?}");
    // Step length from speed and cadence: 3 m/s × 60 / 160.
    assert!((dh.downhill_step_length_m.unwrap() - 1.125).abs() < 0.01);
}

#[test]
fn a_step_computed_longer_than_any_step_is_not_kept() {
    // Speeds and cadences each inside the guard's bounds, at odds with each other: 11 m/s at
    // 140 spm would be 4.7 m steps. Recorded at 1 s, with no step length of the device's own.
    let alt = |d: f64| {
        if d < 3000.0 {
            100.0
        } else {
            100.0 - 0.06 * (d - 3000.0)
        }
    };
    let odd = analyse_default(&run(5000.0, 11.0, alt, |_| 140.0));
    assert!(odd.segments.len() >= 2, "{:?}", odd.segments);
    assert!(odd.segments.iter().all(|g| g.step_length_m.is_none()));
    assert_eq!(odd.flat_step_length_m, None);
    assert_eq!(odd.downhill_step_length_m, None);
    assert_eq!(odd.step_length_change_pct, None);
    // Just inside the bound (6 m/s at 140 spm: 2.57 m) the computed step stays.
    let fast = analyse_default(&run(5000.0, 6.0, alt, |_| 140.0));
    let l = fast.flat_step_length_m.unwrap();
    assert!((l - 6.0 * 60.0 / 140.0).abs() < 0.01, "{l}");
}

#[test]
fn flicker_around_the_threshold_does_not_split_segments() {
    // A long −2.5 % stretch sits in the gap between flat and downhill.
    let s = run(3000.0, 3.0, |d| 200.0 - 0.025 * d, |_| 170.0);
    let dh = analyse_default(&s);
    assert_eq!(dh.segments.len(), 1, "{:?}", dh.segments);
    assert_eq!(dh.downhill_segments, 0);
}

#[test]
fn no_altitude_or_no_distance_gives_no_profile() {
    let mut s = run(2000.0, 3.0, |_| 100.0, |_| 170.0);
    s.altitude_m.iter_mut().for_each(|a| *a = f64::NAN);
    let dh = analyse_default(&s);
    assert!(!dh.has_grade);
    assert!(dh.segments.is_empty());
    assert_eq!(dh.flat_cadence_spm, None);
    assert!(analyse(
        &Samples::default(),
        &SampleSeries::default(),
        &DownhillSettings::default(),
        3.0
    )
    .segments
    .is_empty());
}

#[test]
fn a_corrupt_distance_gives_no_profile_instead_of_a_huge_grid() {
    let mut s = run(2000.0, 3.0, |_| 100.0, |_| 170.0);
    let last = s.distance_m.len() - 1;
    s.distance_m[last] = 4.0e9;
    assert!(grade_profile(&s, &DownhillSettings::default()).is_none());
}

#[test]
fn steep_descents_are_marked() {
    let alt = |d: f64| {
        if d < 500.0 {
            100.0
        } else {
            100.0 - 0.12 * (d - 500.0).min(400.0)
        }
    };
    let s = run(1500.0, 2.5, alt, |_| 165.0);
    let dh = analyse_default(&s);
    let down: Vec<&Segment> = dh
        .segments
        .iter()
        .filter(|x| x.kind == Kind::Downhill)
        .collect();
    assert_eq!(down.len(), 1);
    assert!(down[0].steep, "{:?}", down[0]);
}

/// Flat, then 400 m at −6 % from 1000 m, then flat: 1 s samples at 3 m/s.
fn one_descent() -> Samples {
    let alt = |d: f64| 100.0 - 0.06 * (d - 1000.0).clamp(0.0, 400.0);
    run(3000.0, 3.0, alt, |_| 170.0)
}

fn drops(dh: &Downhill) -> f64 {
    dh.segments
        .iter()
        .map(|x| (-x.elevation_change_m).max(0.0))
        .sum()
}

#[test]
fn altitude_spikes_and_steps_across_pauses_are_not_slopes() {
    let mut s = one_descent();
    // GPS altitude settling after the fix: 80 m too high for a few seconds at the start, and
    // a 3 s barometer spike mid-run.
    for i in 1..5 {
        s.altitude_m[i] += 80.0;
    }
    for i in 200..203 {
        s.altitude_m[i] -= 25.0;
    }
    // A five-minute pause at 2100 m, after which the altimeter reads 30 m lower.
    let k = s.distance_m.iter().position(|&d| d >= 2100.0).unwrap();
    for i in k..s.len() {
        s.t[i] += 300;
        s.altitude_m[i] -= 30.0;
    }
    let dh = analyse_default(&s);
    let kinds: Vec<Kind> = dh.segments.iter().map(|x| x.kind).collect();
    assert_eq!(kinds, vec![Kind::Flat, Kind::Downhill, Kind::Flat]);
    let d = &dh.segments[1];
    assert!(
        (d.start_m - 1000.0).abs() < 30.0 && (d.end_m - 1400.0).abs() < 30.0,
        "{d:?}"
    );
    assert!((d.elevation_change_m + 24.0).abs() < 1.0, "{d:?}");
    assert!((drops(&dh) - 24.0).abs() < 1.0, "{}", drops(&dh));
}

#[test]
fn an_altitude_that_catches_up_in_one_jump_keeps_its_climb() {
    // Some barometric watches lag and then catch up: 12 m in one second while running. No
    // pause, no way back: the climb is real and stays in the profile.
    let mut s = run(3000.0, 3.0, |_| 100.0, |_| 170.0);
    let k = s.distance_m.iter().position(|&d| d >= 1500.0).unwrap();
    for i in k..s.len() {
        s.altitude_m[i] += 12.0;
    }
    let dh = analyse_default(&s);
    let net: f64 = dh.segments.iter().map(|x| x.elevation_change_m).sum();
    assert!((net - 12.0).abs() < 0.5, "{net}");
}

#[test]
fn merged_segments_are_classed_by_their_own_grade() {
    // Rolling ground: bumps of 60–130 m at up to ±8 %, all shorter than a segment, so the
    // segments are built by merging.
    let legs: Vec<(f64, f64)> = (0..40)
        .map(|i| {
            (
                60.0 + (i * 37 % 71) as f64,
                [8.0, -3.0, 5.0, -7.0, 1.0, -8.0, 6.0][i % 7],
            )
        })
        .collect();
    let alt = |d: f64| {
        let (mut x, mut a) = (0.0, 100.0);
        for &(len, g) in &legs {
            let step = (d - x).clamp(0.0, len);
            a += g / 100.0 * step;
            x += len;
        }
        a
    };
    let cfg = DownhillSettings::default();
    let s = run(3800.0, 3.0, alt, |_| 170.0);
    let dh = analyse(
        &s,
        &SampleSeries::new(&s, &GaitSettings::default()),
        &cfg,
        3.0,
    );
    assert!(dh.segments.len() > 1);
    for x in &dh.segments {
        let fits = match x.kind {
            Kind::Downhill => x.grade_pct < -cfg.flat_max_abs_pct,
            Kind::Uphill => x.grade_pct > cfg.flat_max_abs_pct,
            Kind::Flat => x.grade_pct.abs() < cfg.uphill_min_pct,
        };
        assert!(fits, "{x:?}");
        assert!(x.length_m() >= cfg.min_segment_m, "{x:?}");
    }
}

#[test]
fn matched_drop_needs_coverage() {
    let cfg = DownhillSettings::default();
    let mut down = SpeedBins::default();
    down.add(20, 100.0, 160.0);
    let mut flat = SpeedBins::default();
    flat.add(15, 600.0, 170.0);
    assert!(matched_drop(&down, &flat, &cfg).is_none());
    flat.add(20, 30.0, 172.0);
    let m = matched_drop(&down, &flat, &cfg).unwrap();
    assert!((m.drop_spm - 12.0).abs() < 1e-9);
    assert_eq!(m.coverage_pct, 100.0);
    // At one speed a 12 spm lower cadence is a 7.5 % longer step (172 / 160).
    assert!((m.step_length_change_pct() - 7.5).abs() < 1e-9, "{m:?}");
}
