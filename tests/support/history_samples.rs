//! The samples of one planned run of the synthetic history (`history.rs`): a loop (or track
//! laps) with its altitude profile, speed from the session plan and the grade, cadence, heart
//! rate and, as the watch has them, running dynamics, power and temperature; then smart
//! recording's subset when the watch records that way.
#![allow(dead_code)]

use std::f64::consts::TAU;

use super::fitwriter::Sample;
use super::history::{civil_from_days, Kind, Place, Rng, Run, Terrain, Watch};

/// Metres per degree of latitude.
const M_PER_DEG: f64 = 111_195.0;

/// The shape of a run's loop: altitude harmonics `(k, amplitude m, phase)` over one lap and the
/// wobble of its outline.
struct Route {
    lap_m: f64,
    harmonics: Vec<(f64, f64, f64)>,
    heading: f64,
    wobble: f64,
    centre_north_m: f64,
    centre_east_m: f64,
}

impl Route {
    fn new(run: &Run, rng: &mut Rng) -> Route {
        let lap_m = if run.terrain == Terrain::Track {
            400.0
        } else {
            run.distance_m
        };
        // (harmonic, steepest grade it contributes): amplitude = grade × lap / (2π k).
        let shape: &[(f64, f64)] = match (run.terrain, run.place) {
            (Terrain::Track, _) => &[],
            (Terrain::Flat, _) => &[(7.0, 0.004), (13.0, 0.003)],
            (Terrain::Rolling, _) => &[(4.0, 0.025), (9.0, 0.015)],
            (Terrain::Hilly, Place::Alps) => &[(1.0, 0.08), (3.0, 0.04)],
            (Terrain::Hilly, _) => &[(1.0, 0.05), (3.0, 0.03)],
        };
        let harmonics = shape
            .iter()
            .map(|&(k, grade)| {
                let amp = grade * rng.range(0.7, 1.0) * lap_m / (TAU * k);
                (k, amp, rng.range(0.0, TAU))
            })
            .collect();
        Route {
            lap_m,
            harmonics,
            heading: rng.range(0.0, TAU),
            wobble: rng.range(0.05, 0.2),
            centre_north_m: rng.range(-2000.0, 2000.0),
            centre_east_m: rng.range(-2000.0, 2000.0),
        }
    }

    /// Altitude above the start's (m) and grade (fraction) at `d` metres into the run.
    fn altitude(&self, d: f64) -> (f64, f64) {
        let phi = TAU * d / self.lap_m;
        self.harmonics
            .iter()
            .fold((0.0, 0.0), |(h, g), &(k, a, p)| {
                (
                    h + a * ((k * phi + p).sin() - p.sin()),
                    g + a * k * (k * phi + p).cos() * TAU / self.lap_m,
                )
            })
    }

    /// (north, east) of the path at `d`, metres from the place's origin.
    fn position(&self, d: f64) -> (f64, f64) {
        let phi = TAU * d / self.lap_m;
        let r = self.lap_m / TAU;
        let (r_here, angle) = if self.lap_m <= 400.0 {
            (r, phi + self.heading)
        } else {
            (
                r * (1.0 + self.wobble * (3.0 * phi).sin()),
                phi + self.heading,
            )
        };
        // The loop starts (phi = 0) at its own starting point, on the circle's edge.
        let (n0, e0) = (r * self.heading.cos(), r * self.heading.sin());
        (
            self.centre_north_m + r_here * angle.cos() - n0,
            self.centre_east_m + r_here * angle.sin() - e0,
        )
    }
}

/// The planned speed at `d` metres, before the grade: warm-up, blocks, cool-down.
fn planned_mps(run: &Run, d: f64) -> f64 {
    let easy = run.easy_mps;
    let total = run.distance_m;
    match run.kind {
        Kind::Easy => easy,
        Kind::Recovery => 0.93 * easy,
        Kind::Long => 0.97 * easy,
        Kind::Tempo if d > 2000.0 && d < total - 2000.0 => 1.22 * easy,
        Kind::Intervals if d > 2500.0 && d < total - 2000.0 => {
            // 800 m fast, 300 m jog.
            if (d - 2500.0) % 1100.0 < 800.0 {
                1.4 * easy
            } else {
                0.85 * easy
            }
        }
        Kind::Tempo | Kind::Intervals => easy,
    }
}

/// Speed factor of a grade (fraction): slower uphill, faster on gentle descents, braking on
/// steep ones.
fn grade_factor(g: f64) -> f64 {
    if g >= 0.0 {
        (1.0 - 3.0 * g).max(0.55)
    } else {
        let down = -g;
        1.0 + 1.5 * down.min(0.08) - 2.5 * (down - 0.08).max(0.0)
    }
}

/// The samples of `run`, every second or smart-recorded.
pub fn samples(run: &Run) -> Vec<Sample> {
    let mut rng = Rng::new(run.seed, 2);
    let route = Route::new(run, &mut rng);
    let (lat0, lon0, alt0) = run.place.origin();
    let m_per_deg_lon = M_PER_DEG * lat0.to_radians().cos();
    let baro = run.watch != Watch::Fr235;
    let stops: Vec<(f64, i64)> = if run.terrain != Terrain::Track && rng.chance(0.3) {
        (0..1 + rng.chance(0.4) as usize)
            .map(|_| {
                let at = rng.range(0.15, 0.85) * run.distance_m;
                (at, rng.range(10.0, 45.0) as i64)
            })
            .collect()
    } else {
        Vec::new()
    };
    let (_, month, _) = civil_from_days(run.local_day());
    let season_c = 11.0 - 9.0 * (TAU * (month as f64 - 1.5) / 12.0).cos();
    let temp_c = season_c + rng.gauss() * 3.0 + 4.0;

    let mut out = Vec::with_capacity(run.distance_m as usize / 2);
    let (mut d, mut v, mut hr) = (0.0f64, 0.0f64, 80.0 + 10.0 * rng.f());
    let (mut alt_err, mut alt_drift) = (0.0f64, 0.0f64);
    let (mut gps_n, mut gps_e, mut spm_wander) = (0.0f64, 0.0f64, 0.0f64);
    let mut next_stop = 0;
    let mut stopped_until = -1i64;
    for t in 0i64.. {
        let (h, grade) = route.altitude(d);
        if next_stop < stops.len() && d >= stops[next_stop].0 {
            stopped_until = t + stops[next_stop].1;
            next_stop += 1;
        }
        let stopped = t < stopped_until;
        if stopped {
            v = 0.0;
        } else {
            let target = planned_mps(run, d) * grade_factor(grade);
            let pull = if v < 1.0 { 0.35 } else { 0.2 };
            v = (v + (target - v) * pull + 0.04 * rng.gauss()).max(0.3);
        }
        let gpct = grade * 100.0;
        let moving = v > 0.5;
        spm_wander = 0.98 * spm_wander + 0.3 * rng.gauss();
        let spm = moving.then(|| {
            (run.base_spm + 10.0 * (v - run.easy_mps)
                - 0.8 * (-gpct).max(0.0)
                - 0.3 * gpct.max(0.0)
                + spm_wander
                + 1.5 * rng.gauss())
            .clamp(140.0, 200.0)
        });
        let hr_target = if moving {
            62.0 + 30.0 * v + 2.0 * gpct.max(0.0) + t as f64 / 600.0
        } else {
            95.0
        };
        hr = (hr + (hr_target - hr) / 20.0 + 0.7 * rng.gauss()).clamp(60.0, 200.0);
        // Altitude error, smooth as a watch's filtered altitude is: a barometer's wanders by
        // tenths of a metre (about 6 m of extra ascent an hour), GPS altitude by metres
        // (about 40 m an hour).
        let (kick, pull) = if baro {
            (0.0006, 0.0004)
        } else {
            (0.004, 0.0003)
        };
        alt_drift = 0.99 * alt_drift - pull * alt_err + kick * rng.gauss();
        alt_err += alt_drift;
        gps_n = 0.9 * gps_n + 0.6 * rng.gauss();
        gps_e = 0.9 * gps_e + 0.6 * rng.gauss();
        let (north, east) = route.position(d);
        let mut s = Sample {
            distance_m: Some(d),
            altitude_m: Some(alt0 + h + alt_err),
            speed_mps: Some(v),
            cadence_spm: Some(spm.unwrap_or(0.0)),
            heart_rate: Some(hr.round() as u8),
            lat_deg: Some(lat0 + (north + gps_n) / M_PER_DEG),
            lon_deg: Some(lon0 + (east + gps_e) / m_per_deg_lon),
            ..Sample::at(run.start_utc + t)
        };
        if run.watch != Watch::Fr235 {
            s.temperature_c = Some((temp_c + 0.3 * rng.gauss()).round() as i8);
            s.activity_type = Some(1);
        }
        if let (true, Some(spm)) = (run.dynamics, spm) {
            let step_mm = v * 60.0 / spm * 1000.0 * (1.0 + 0.01 * rng.gauss());
            let vo = 85.0 - 5.0 * (v - 2.85) + 3.0 * rng.gauss();
            let stance = 265.0 - 35.0 * (v - 2.85) - 1.5 * (-gpct).max(0.0) + 6.0 * rng.gauss();
            s.step_length_mm = Some(step_mm);
            s.vertical_oscillation_mm = Some(vo);
            s.stance_time_ms = Some(stance);
            s.stance_time_pct = Some(stance / (60_000.0 / spm) * 100.0);
            s.vertical_ratio_pct = Some(vo / step_mm * 100.0);
        }
        if run.watch == Watch::Fr965 {
            let w = if moving {
                70.0 * v * (1.04 + 4.9 * grade.max(-0.03)) + 4.0 * rng.gauss()
            } else {
                0.0
            };
            s.power_w = Some(w.max(0.0).round() as u16);
        }
        out.push(s);
        if d >= run.distance_m {
            break;
        }
        d = (d + v).min(run.distance_m);
    }
    if run.one_second {
        out
    } else {
        smart(out, &mut rng)
    }
}

/// Smart recording's subset: a sample every 1–8 s (short gaps more often), the last kept.
fn smart(all: Vec<Sample>, rng: &mut Rng) -> Vec<Sample> {
    let last = all.len() - 1;
    let mut keep = vec![false; all.len()];
    let mut i = 0;
    while i < last {
        keep[i] = true;
        i += 1 + (rng.f().powf(1.5) * 8.0) as usize;
    }
    keep[last] = true;
    all.into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}
