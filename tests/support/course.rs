//! Synthetic courses: legs of known length, grade, speed and cadence, sampled every second
//! (or as smart recording does), written as FIT files and read back from the report.

use std::path::Path;

use super::fitwriter::{self, Activity, Sample};
use super::*;

/// A stretch of the test course.
#[derive(Clone, Copy)]
pub struct Leg {
    pub length_m: f64,
    pub grade_pct: f64,
    pub speed_mps: f64,
    pub spm: f64,
}

pub const fn leg(length_m: f64, grade_pct: f64, speed_mps: f64, spm: f64) -> Leg {
    Leg {
        length_m,
        grade_pct,
        speed_mps,
        spm,
    }
}

/// Samples every second along the legs, with ±`alt_jitter` m on altitude and ±`spm_jitter` on
/// cadence. Returns the samples and the true (start, end) distance of every downhill leg.
pub fn course(
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

/// Keeps a "smart recording" subset: gaps of 1–8 s, as Garmin's smart mode writes.
pub fn smart(samples: &[Sample], seed: u64) -> Vec<Sample> {
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

pub fn write_run(dir: &Path, name: &str, samples: Vec<Sample>, serial: u32) {
    let start = samples[0].t_unix;
    let mut a = Activity::running(start, samples);
    a.serial_number = serial;
    write(dir, name, &fitwriter::encode_activity(&a));
}

/// One row of the segments table.
pub struct Seg {
    pub kind: String,
    pub start_m: f64,
    pub end_m: f64,
    pub grade_pct: f64,
    pub steep: bool,
    pub duration_s: f64,
}

/// The segments of the run whose source ends with `suffix`, in order.
pub fn segments_of(r: &Report, suffix: &str) -> Vec<Seg> {
    let seg = read_parquet(&r.dir.join("segments.parquet"));
    let sources = strs(&seg, "source");
    let kinds = strs(&seg, "kind");
    let (starts, ends) = (nums(&seg, "start_m"), nums(&seg, "end_m"));
    let (grades, durations) = (nums(&seg, "grade_pct"), nums(&seg, "duration_s"));
    let steep = seg.column("steep").unwrap().bool().unwrap().clone();
    (0..seg.height())
        .filter(|&i| sources[i].as_deref().unwrap().ends_with(suffix))
        .map(|i| Seg {
            kind: kinds[i].clone().unwrap(),
            start_m: starts[i].unwrap(),
            end_m: ends[i].unwrap(),
            grade_pct: grades[i].unwrap(),
            steep: steep.get(i).unwrap(),
            duration_s: durations[i].unwrap(),
        })
        .collect()
}
