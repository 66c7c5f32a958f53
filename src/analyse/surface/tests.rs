//! Surface features and classes on synthetic runs of known character.

use std::f64::consts::PI;

use super::*;
use crate::config::GaitSettings;
use crate::model::SurfaceFeatures;
use crate::series::sample_weights as weights;

/// The run's shared per-sample series, as analysis computes them.
fn series(s: &Samples) -> SampleSeries {
    SampleSeries::new(s, &GaitSettings::default())
}

/// Small deterministic noise source (xorshift), so the tests need no crate.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Roughly normal (sum of uniforms), mean 0, standard deviation `sd`.
    fn normal(&mut self, sd: f64) -> f64 {
        let s: f64 = (0..12).map(|_| self.uniform()).sum();
        (s - 6.0) * sd
    }
}

/// One second of a synthetic run: true position (m east/north), altitude, speed.
struct Truth {
    x: f64,
    y: f64,
    alt: f64,
    speed: f64,
}

/// Builds 1 s samples from a true path, adding GPS error (a slowly wandering offset of
/// about 2 m plus 0.5 m of jitter), altitude jitter and speed noise; distance is the true
/// distance run, as a watch's fused distance roughly is.
fn record(truth: &[Truth], gps: bool, alt_jitter: f64, seed: u64) -> Samples {
    let mut rng = Noise(seed);
    let (lat0, lon0) = (48.137_f64, 11.575_f64);
    let m_per_deg = EARTH_RADIUS_M * PI / 180.0;
    let (mut ex, mut ey) = (0.0, 0.0);
    let mut s = Samples::default();
    let mut dist = 0.0;
    for (i, p) in truth.iter().enumerate() {
        if i > 0 {
            let q = &truth[i - 1];
            dist += (p.x - q.x).hypot(p.y - q.y);
        }
        ex = 0.95 * ex + rng.normal(0.6);
        ey = 0.95 * ey + rng.normal(0.6);
        let (x, y) = (p.x + ex + rng.normal(0.5), p.y + ey + rng.normal(0.5));
        s.t.push(1_000_000_000 + i as i64);
        s.distance_m.push(dist);
        s.altitude_m.push(p.alt + rng.normal(alt_jitter));
        s.speed_mps.push((p.speed + rng.normal(0.1)).max(0.0));
        s.cadence_raw.push(85.0);
        s.heart_rate.push(150.0);
        if gps {
            s.lat_deg.push(lat0 + y / m_per_deg);
            s.lon_deg
                .push(lon0 + x / (m_per_deg * lat0.to_radians().cos()));
        } else {
            s.lat_deg.push(f64::NAN);
            s.lon_deg.push(f64::NAN);
        }
        s.step_length_mm.push(f64::NAN);
        s.vertical_oscillation_mm.push(f64::NAN);
        s.stance_time_ms.push(f64::NAN);
        s.stance_balance_pct.push(f64::NAN);
        s.power_w.push(f64::NAN);
    }
    s
}

/// Walks a path given its heading (degrees from east) as a function of distance.
fn walk(
    seconds: usize,
    speed: impl Fn(f64, f64) -> f64,
    heading: impl Fn(f64) -> f64,
    alt: impl Fn(f64) -> f64,
) -> Vec<Truth> {
    let (mut x, mut y, mut d) = (0.0, 0.0, 0.0);
    let mut out = Vec::with_capacity(seconds);
    for _ in 0..seconds {
        let grade = (alt(d + 5.0) - alt(d - 5.0)) / 10.0;
        let v = speed(d, grade);
        out.push(Truth {
            x,
            y,
            alt: alt(d),
            speed: v,
        });
        let h = heading(d).to_radians();
        x += v * h.cos();
        y += v * h.sin();
        d += v;
    }
    out
}

fn flat_road(seed: u64) -> Samples {
    // 45 min at 3 m/s on a flat street grid: a right-angle corner every 900 m.
    let truth = walk(
        2700,
        |_, _| 3.0,
        |d| 90.0 * ((d / 900.0).floor() % 2.0),
        |_| 520.0,
    );
    record(&truth, true, 0.3, seed)
}

fn rolling_trail() -> Samples {
    // 75 min over rolling hills (±30 m every 1.5 km, ±12 m every 500 m) on a winding
    // path; slower uphill, faster downhill, with surges.
    let truth = walk(
        4500,
        |d, grade| (3.0 - 9.0 * grade + 0.4 * (d / 90.0).sin()).clamp(1.0, 4.8),
        |d| 40.0 * (d / 1200.0) + 70.0 * (2.0 * PI * d / 160.0).sin(),
        |d| 300.0 + 30.0 * (2.0 * PI * d / 1500.0).sin() + 12.0 * (2.0 * PI * d / 500.0).sin(),
    );
    record(&truth, true, 0.3, 7)
}

/// Position on a standard 400 m track (lane 1 line): 84.39 m straights, 36.5 m radius.
fn track_point(s: f64) -> (f64, f64) {
    let (st, r) = (84.39, 36.5);
    let arc = PI * r;
    let lap = 2.0 * st + 2.0 * arc;
    let s = s.rem_euclid(lap);
    if s < st {
        (s, -r)
    } else if s < st + arc {
        let a = -PI / 2.0 + (s - st) / r;
        (st + r * a.cos(), r * a.sin())
    } else if s < 2.0 * st + arc {
        (st - (s - st - arc), r)
    } else {
        let a = PI / 2.0 + (s - 2.0 * st - arc) / r;
        (r * a.cos(), r * a.sin())
    }
}

fn track_laps() -> Samples {
    // Ten laps at 4 m/s.
    let truth: Vec<Truth> = (0..1000)
        .map(|i| {
            let (x, y) = track_point(4.0 * i as f64);
            Truth {
                x,
                y,
                alt: 35.0,
                speed: 4.0,
            }
        })
        .collect();
    record(&truth, true, 0.3, 3)
}

fn treadmill(altitude: f64) -> Samples {
    let truth: Vec<Truth> = (0..1800)
        .map(|i| Truth {
            x: 0.0,
            y: 0.0,
            alt: altitude,
            speed: if i < 300 { 2.8 } else { 3.2 },
        })
        .collect();
    let mut s = record(&truth, false, 0.0, 5);
    // The foot pod counts what the belt moved; the first second already has a step.
    let mut d = 0.0;
    for (out, p) in s.distance_m.iter_mut().zip(&truth) {
        d += p.speed;
        *out = d;
    }
    s
}

fn infer(s: &Samples) -> (Surface, f64, SurfaceFeatures) {
    let cfg = SurfaceSettings::default();
    let f = features(s, &series(s), &cfg);
    let (c, conf) = classify(&f, &cfg);
    (c, conf, f)
}

#[test]
fn flat_road_is_road() {
    let (c, conf, f) = infer(&flat_road(11));
    assert_eq!(c, Surface::Road, "{f:?}");
    assert!(conf > 0.7, "{conf} {f:?}");
    assert!(f.has_gps);
    assert!(f.altitude_roughness_m_per_km.unwrap() < 5.0, "{f:?}");
    assert!(f.speed_cv_pct.unwrap() < 5.0, "{f:?}");
    assert!(f.loop_score.unwrap() < 0.1, "{f:?}");
    let d = f.distance_m.unwrap();
    assert!((d - 8100.0).abs() < 10.0, "{d}");
}

#[test]
fn rolling_trail_is_trail() {
    let (c, conf, f) = infer(&rolling_trail());
    assert_eq!(c, Surface::Trail, "{f:?}");
    assert!(conf > 0.7, "{conf} {f:?}");
    assert!(f.altitude_roughness_m_per_km.unwrap() > 60.0, "{f:?}");
    assert!(f.grade_variability_pct.unwrap() > 4.0, "{f:?}");
    assert!(f.speed_cv_pct.unwrap() > 15.0, "{f:?}");
}

#[test]
fn track_laps_are_track_with_a_400_m_lap() {
    let (c, conf, f) = infer(&track_laps());
    assert_eq!(c, Surface::Track, "{f:?}");
    let lap = f.lap_length_m.unwrap();
    assert!((lap - 400.0).abs() <= 20.0, "{lap}");
    assert!(f.loop_score.unwrap() > 0.8, "{f:?}");
    assert!(f.bbox_diagonal_m.unwrap() < 250.0, "{f:?}");
    assert!(conf > 0.9);
}

#[test]
fn treadmill_without_gps_is_treadmill() {
    for alt in [120.0, f64::NAN] {
        let (c, conf, f) = infer(&treadmill(alt));
        assert_eq!(c, Surface::Treadmill, "{f:?}");
        assert!(!f.has_gps);
        assert_eq!(conf, 0.8);
        // 2.8 m/s for 5 min then 3.2 m/s; the first second has no increment.
        assert!((f.distance_m.unwrap() - 5637.2).abs() < 0.01, "{f:?}");
        assert!(f.turn_density_deg_per_km.is_none() && f.loop_score.is_none());
    }
}

#[test]
fn no_gps_and_no_distance_is_indoor() {
    let mut s = treadmill(f64::NAN);
    s.distance_m.iter_mut().for_each(|d| *d = f64::NAN);
    s.speed_mps.iter_mut().for_each(|v| *v = f64::NAN);
    assert_eq!(infer(&s).0, Surface::Indoor);
}

#[test]
fn gps_that_never_moves_is_a_treadmill() {
    // GPS left on indoors: the fixes wander by metres while the foot pod counts 5 km.
    let mut s = treadmill(50.0);
    let mut rng = Noise(9);
    for i in 0..s.len() {
        s.lat_deg[i] = 48.0 + rng.normal(2e-5);
        s.lon_deg[i] = 11.0 + rng.normal(3e-5);
    }
    let (c, _, f) = infer(&s);
    assert_eq!(c, Surface::Treadmill, "{f:?}");
}

#[test]
fn records_split_at_one_instant_share_its_interval() {
    // An app that writes position and speed in one record and distance in another with
    // the same time stamp: both stand for the second that follows, counted once.
    assert_eq!(weights(&[0, 0, 1, 1, 3]), vec![1.0, 1.0, 2.0, 2.0, 2.0]);
    assert_eq!(weights(&[5]), vec![1.0]);
    assert_eq!(weights(&[0, 4, 2]), vec![4.0, 4.0, 0.0]);
    let road = flat_road(8);
    let mut split = Samples::default();
    for i in 0..road.len() {
        for half in 0..2 {
            let pick = |v: &Vec<f64>, keep: bool| if keep { v[i] } else { f64::NAN };
            split.t.push(road.t[i]);
            split.lat_deg.push(pick(&road.lat_deg, half == 0));
            split.lon_deg.push(pick(&road.lon_deg, half == 0));
            split.speed_mps.push(pick(&road.speed_mps, half == 0));
            split.altitude_m.push(pick(&road.altitude_m, half == 0));
            split.distance_m.push(pick(&road.distance_m, half == 1));
        }
    }
    let (a, b) = (infer(&road).2, infer(&split).2);
    assert_eq!(a.duration_s, b.duration_s);
    assert_eq!(a.distance_m, b.distance_m);
    assert!((a.speed_cv_pct.unwrap() - b.speed_cv_pct.unwrap()).abs() < 1e-9);
    assert_eq!(infer(&split).0, Surface::Road);
}

#[test]
fn a_late_gps_fix_still_counts_as_gps() {
    // Satellites found after 80 % of an outdoor run: not a treadmill.
    let mut s = flat_road(6);
    let late = s.len() * 4 / 5;
    s.lat_deg[..late].iter_mut().for_each(|x| *x = f64::NAN);
    s.lon_deg[..late].iter_mut().for_each(|x| *x = f64::NAN);
    let (c, _, f) = infer(&s);
    assert!(f.has_gps, "{f:?}");
    assert_eq!(c, Surface::Road, "{f:?}");
}

#[test]
fn too_little_data_is_unknown() {
    let (c, conf, _) = infer(&Samples::default());
    assert_eq!((c, conf), (Surface::Unknown, 0.0));
    let mut s = flat_road(1);
    for v in [
        &mut s.distance_m,
        &mut s.altitude_m,
        &mut s.speed_mps,
        &mut s.cadence_raw,
        &mut s.heart_rate,
        &mut s.lat_deg,
        &mut s.lon_deg,
        &mut s.step_length_mm,
        &mut s.vertical_oscillation_mm,
        &mut s.stance_time_ms,
        &mut s.stance_balance_pct,
        &mut s.power_w,
    ] {
        v.truncate(3);
    }
    s.t.truncate(3);
    assert_eq!(infer(&s).0, Surface::Unknown);
    s.t.truncate(1);
    assert_eq!(infer(&s).0, Surface::Unknown);
}

#[test]
fn hostile_input_does_not_panic() {
    // NaN everywhere.
    let mut s = flat_road(2);
    for v in [
        &mut s.distance_m,
        &mut s.altitude_m,
        &mut s.speed_mps,
        &mut s.lat_deg,
        &mut s.lon_deg,
    ] {
        v.iter_mut().for_each(|x| *x = f64::NAN);
    }
    let (c, _, f) = infer(&s);
    assert_eq!(c, Surface::Indoor, "{f:?}");
    // Time and distance going backwards, −500 m placeholders, infinities.
    let mut s = flat_road(3);
    for i in (0..s.len()).step_by(7) {
        s.t[i] -= 100;
        s.distance_m[i] = 0.0;
        s.altitude_m[i] = -500.0;
        s.speed_mps[i] = f64::INFINITY;
        s.lat_deg[i] = 1e9;
    }
    let _ = infer(&s);
    // Columns of unequal length, time stamps at the extremes.
    let s = Samples {
        t: vec![i64::MIN, 0, i64::MAX, 5],
        distance_m: vec![1.0],
        lat_deg: vec![10.0, 10.0, 10.0, 10.0, 10.0],
        lon_deg: vec![20.0, 20.001],
        ..Samples::default()
    };
    let _ = infer(&s);
    let _ = infer(&Samples {
        t: vec![0; 500],
        ..Samples::default()
    });
}

#[test]
fn a_declared_surface_wins_but_the_inferred_one_is_kept() {
    let cfg = SurfaceSettings::default();
    let road = flat_road(4);
    let v = surface(&road, &series(&road), Some("trail"), &cfg);
    assert_eq!(v.surface, Surface::Trail);
    assert_eq!(v.source, SurfaceSource::Declared);
    assert_eq!(v.inferred, Surface::Road);
    assert_eq!(v.confidence, 1.0);
    let v = surface(&road, &series(&road), Some("generic"), &cfg);
    assert_eq!(
        (v.surface, v.source),
        (Surface::Road, SurfaceSource::Inferred)
    );
    assert!(v.confidence > 0.5 && v.confidence <= 0.95);
}

#[test]
fn sub_sports_map_to_surfaces() {
    assert_eq!(Surface::declared(Some("street")), Some(Surface::Road));
    assert_eq!(Surface::declared(Some("track")), Some(Surface::Track));
    assert_eq!(
        Surface::declared(Some("indoor_running")),
        Some(Surface::Indoor)
    );
    assert_eq!(Surface::declared(Some("generic")), None);
    assert_eq!(Surface::declared(None), None);
    assert_eq!(Surface::Treadmill.as_str(), "treadmill");
}

#[test]
fn settings_reject_unknown_keys_and_default_the_rest() {
    let s: SurfaceSettings = toml::from_str("trail_speed_cv_pct = 20.0").unwrap();
    assert_eq!(s.trail_speed_cv_pct, 20.0);
    assert_eq!(s.min_duration_s, SurfaceSettings::default().min_duration_s);
    assert!(toml::from_str::<SurfaceSettings>("no_such_key = 1").is_err());
}
