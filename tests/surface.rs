//! Surface: runs of known character, written as FIT files, get the right class.

use std::f64::consts::PI;

use crate::support::fitwriter::{self, sub_sport, Activity, Sample};
use crate::support::*;

/// 1 s samples along a path given by heading (degrees from east), speed and altitude as
/// functions of distance; positions carry a wandering GPS error of a few metres.
fn path(
    start: i64,
    seconds: i64,
    speed: impl Fn(f64, f64) -> f64,
    heading: impl Fn(f64) -> f64,
    alt: impl Fn(f64) -> f64,
    gps: bool,
    seed: u64,
) -> Vec<Sample> {
    let mut n = Noise(seed);
    let (mut x, mut y, mut d) = (0.0f64, 0.0f64, 0.0f64);
    let (mut ex, mut ey) = (0.0, 0.0);
    let m_per_deg = 111_195.0;
    let (lat0, lon0) = (46.9f64, 7.4f64);
    (0..seconds)
        .map(|i| {
            let grade = (alt(d + 5.0) - alt(d - 5.0)) / 10.0;
            let v = speed(d, grade);
            ex = 0.95 * ex + 0.6 * n.next();
            ey = 0.95 * ey + 0.6 * n.next();
            let s = Sample {
                distance_m: Some(d),
                altitude_m: Some(alt(d) + 0.3 * n.next()),
                speed_mps: Some(v),
                cadence_spm: Some(170.0),
                lat_deg: gps.then(|| lat0 + (y + ex) / m_per_deg),
                lon_deg: gps.then(|| lon0 + (x + ey) / (m_per_deg * lat0.to_radians().cos())),
                ..Sample::at(start + i)
            };
            let h = heading(d).to_radians();
            x += v * h.cos();
            y += v * h.sin();
            d += v;
            s
        })
        .collect()
}

/// A point at distance `s` along lane 1 of a 400 m track (84.39 m straights, 36.5 m radius).
fn track_heading(s: f64) -> f64 {
    let (st, r) = (84.39, 36.5);
    let arc = PI * r;
    let s = s.rem_euclid(2.0 * st + 2.0 * arc);
    if s < st {
        0.0
    } else if s < st + arc {
        (s - st) / r * 180.0 / PI
    } else if s < 2.0 * st + arc {
        180.0
    } else {
        180.0 + (s - 2.0 * st - arc) / r * 180.0 / PI
    }
}

#[test]
fn road_trail_track_and_treadmill_runs_are_told_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let day = 86_400;
    let runs: Vec<(&str, Vec<Sample>, u8)> = vec![
        // 45 min on a flat street grid: a right-angle corner every 900 m, steady pace.
        (
            "road",
            path(
                T0,
                2700,
                |_, _| 3.0,
                |d| 90.0 * ((d / 900.0).floor() % 2.0),
                |_| 520.0,
                true,
                1,
            ),
            sub_sport::GENERIC,
        ),
        // 75 min of rolling hills on a winding path: slower up, faster down, surges.
        (
            "trail",
            path(
                T0 + day,
                4500,
                |d, g| (3.0 - 9.0 * g + 0.4 * (d / 90.0).sin()).clamp(1.0, 4.8),
                |d| 40.0 * (d / 1200.0) + 70.0 * (2.0 * PI * d / 160.0).sin(),
                |d| {
                    300.0
                        + 30.0 * (2.0 * PI * d / 1500.0).sin()
                        + 12.0 * (2.0 * PI * d / 500.0).sin()
                },
                true,
                2,
            ),
            sub_sport::GENERIC,
        ),
        // Ten laps of a 400 m track at 4 m/s.
        (
            "track",
            path(
                T0 + 2 * day,
                1000,
                |_, _| 4.0,
                track_heading,
                |_| 35.0,
                true,
                3,
            ),
            sub_sport::GENERIC,
        ),
        // 30 min on a treadmill: foot-pod distance and speed, no GPS.
        (
            "treadmill",
            path(T0 + 3 * day, 1800, |_, _| 2.8, |_| 0.0, |_| 410.0, false, 4),
            sub_sport::GENERIC,
        ),
        // A declared trail run that looks like a road: declared wins, the inferred class shows.
        (
            "declared",
            path(
                T0 + 4 * day,
                2700,
                |_, _| 3.0,
                |d| 90.0 * ((d / 900.0).floor() % 2.0),
                |_| 520.0,
                true,
                5,
            ),
            sub_sport::TRAIL,
        ),
    ];
    for (i, (name, samples, sub)) in runs.into_iter().enumerate() {
        let start = samples[0].t_unix;
        let mut a = Activity::running(start, samples);
        a.serial_number = 100 + i as u32;
        a.sessions[0].sub_sport = sub;
        write(
            &input,
            &format!("{name}.fit"),
            &fitwriter::encode_activity(&a),
        );
    }
    let r = report(&[&input], &tmp.path().join("out"));
    for (name, surface, source) in [
        ("road.fit", "road", "inferred"),
        ("trail.fit", "trail", "inferred"),
        ("track.fit", "track", "inferred"),
        ("treadmill.fit", "treadmill", "inferred"),
        ("declared.fit", "trail", "declared"),
    ] {
        let i = row(&r.activities, name);
        assert_eq!(
            cell(&r.activities, "surface", i).as_deref(),
            Some(surface),
            "{name}"
        );
        assert_eq!(
            cell(&r.activities, "surface_source", i).as_deref(),
            Some(source),
            "{name}"
        );
        let c = num(&r.activities, "surface_confidence", i).unwrap();
        assert!((0.5..=1.0).contains(&c), "{name}: confidence {c}");
    }
    let d = row(&r.activities, "declared.fit");
    assert_eq!(
        cell(&r.activities, "surface_inferred", d).as_deref(),
        Some("road")
    );
    let t = row(&r.activities, "track.fit");
    let lap = num(&r.activities, "lap_length_m", t).unwrap();
    assert!((lap - 400.0).abs() <= 20.0, "lap {lap}");
    let tm = row(&r.activities, "treadmill.fit");
    assert_eq!(num(&r.activities, "turn_density_deg_per_km", tm), None);
    // The features order as their surfaces do.
    let rough = |n: &str| {
        num(
            &r.activities,
            "altitude_roughness_m_per_km",
            row(&r.activities, n),
        )
        .unwrap()
    };
    assert!(rough("trail.fit") > 3.0 * rough("road.fit"));
}
