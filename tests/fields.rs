//! Record fields no other test reaches, against FIT files written with known values: running
//! dynamics and their FIT scales (step_length 85, vertical_oscillation 39, stance_time 41, all
//! uint16 with scale 10), compressed-timestamp headers (a 5-bit offset that rolls over every
//! 32 s), and the legacy uint16 `altitude` (2) and `speed` (6) beside `enhanced_altitude` (78) and
//! `enhanced_speed` (73). Each value must come back exactly, whichever way the file stores it.
//! Developer fields, described in `developer_data_id` (207) and `field_description` (206)
//! messages, must neither stop decoding nor stand in for profile fields.

use std::path::Path;

use polars::prelude::*;

use crate::support::fitwriter::{
    self, base_type, file_type, fit_time, sport, sub_sport, Activity, FitBuilder, Sample,
};
use crate::support::*;

/// The tables of a report over a single run.
struct Tables {
    activities: DataFrame,
    segments: DataFrame,
}

/// Writes `a` as the only input of a report under `dir` and reads back its tables.
fn report_one(dir: &Path, a: &Activity) -> Tables {
    let input = dir.join("in");
    write(&input, "run.fit", &fitwriter::encode_activity(a));
    let r = report(&[&input], &dir.join("out"));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(cell(&r.files, "status", 0).as_deref(), Some("ok"));
    assert_eq!(r.activities.height(), 1, "one run");
    Tables {
        segments: read_parquet(&r.dir.join("segments.parquet")),
        activities: r.activities,
    }
}

/// A column as f64, date-times as Unix milliseconds.
fn values(df: &DataFrame, col: &str) -> Vec<Option<f64>> {
    let c = df.column(col).unwrap_or_else(|_| panic!("no column {col}"));
    let c = match c.dtype() {
        DataType::Datetime(..) => c.cast(&DataType::Int64).unwrap(),
        _ => c.clone(),
    };
    c.cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect()
}

/// Asserts `got` is present and within `tol` of `want`.
fn near(what: &str, got: Option<f64>, want: f64, tol: f64) {
    let g = got.unwrap_or_else(|| panic!("{what}: empty, want {want}"));
    assert!((g - want).abs() <= tol, "{what}: {g}, want {want} ± {tol}");
}

/// Asserts that two tables agree on the (space-separated) `cols`, cell by cell, nulls included.
fn same(what: &str, a: &DataFrame, b: &DataFrame, cols: &str) {
    assert_eq!(a.height(), b.height(), "{what}: row counts");
    for col in cols.split_whitespace() {
        let (x, y) = (values(a, col), values(b, col));
        for (i, (x, y)) in x.iter().zip(&y).enumerate() {
            let agree = match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                (x, y) => x == y,
            };
            assert!(agree, "{what}: {col}[{i}] is {x:?} against {y:?}");
        }
    }
}

/// A running sample at `t_unix`, `d` metres along a line north, at 170 spm.
fn sample(t_unix: i64, d: f64, altitude_m: f64, speed_mps: f64) -> Sample {
    Sample {
        distance_m: Some(d),
        altitude_m: Some(altitude_m),
        speed_mps: Some(speed_mps),
        cadence_spm: Some(170.0),
        heart_rate: Some(150),
        lat_deg: Some(47.0 + d / 111_195.0),
        lon_deg: Some(8.0),
        ..Sample::at(t_unix)
    }
}

/// A flat run of 600 samples (1 s apart, 3 m/s, 170 spm) whose i-th sample carries step length
/// (mm), vertical oscillation (mm) and stance time (ms) `dynamics(i)`.
fn with_dynamics(dynamics: impl Fn(usize) -> (f64, f64, f64)) -> Activity {
    let mut samples = steady_run(T0, 10, 3.0, 170.0);
    samples.pop(); // an even count, so alternating values weigh the same
    for (i, s) in samples.iter_mut().enumerate() {
        let (step, vo, stance) = dynamics(i);
        s.step_length_mm = Some(step);
        s.vertical_oscillation_mm = Some(vo);
        s.stance_time_ms = Some(stance);
    }
    Activity::running(T0, samples)
}

/// Asserts every segment of `t` (all flat) carries the given running dynamics, and the run's
/// flat step length is `step_m`.
fn assert_dynamics(t: &Tables, step_m: f64, vo_mm: f64, stance_ms: f64) {
    let kinds = strs(&t.segments, "kind");
    assert!(!kinds.is_empty() && kinds.iter().all(|k| k.as_deref() == Some("flat")));
    for i in 0..t.segments.height() {
        let v = |c: &str| num(&t.segments, c, i);
        near("segment step_length_m", v("step_length_m"), step_m, 1e-9);
        near(
            "vertical_oscillation_mm",
            v("vertical_oscillation_mm"),
            vo_mm,
            1e-9,
        );
        near(
            "segment stance_time_ms",
            v("stance_time_ms"),
            stance_ms,
            1e-9,
        );
    }
    let flat = num(&t.activities, "flat_step_length_m", 0);
    near("flat_step_length_m", flat, step_m, 1e-9);
    assert_eq!(num(&t.activities, "downhill_step_length_m", 0), None);
}

#[test]
fn running_dynamics_come_back_in_their_units() {
    let tmp = tempfile::tempdir().unwrap();
    // Raw 12345, 873 and 2417 at scale 10. The recorded step length wins over speed × 60 /
    // cadence (1.0588 m here), so a field that is not read would show.
    let t = report_one(tmp.path(), &with_dynamics(|_| (1234.5, 87.3, 241.7)));
    assert_dynamics(&t, 1.2345, 87.3, 241.7);
    // Constant dynamics do not vary.
    for c in ["vertical_oscillation_cv_pct", "stance_time_cv_pct"] {
        near(c, num(&t.activities, c, 0), 0.0, 1e-3);
    }
}

#[test]
fn running_dynamics_variation_is_their_coefficient_of_variation() {
    let tmp = tempfile::tempdir().unwrap();
    // Alternating values, 300 s each: means 1100 mm, 90 mm, 240 ms; standard deviations 100 mm,
    // 10 mm, 10 ms.
    let t = report_one(
        tmp.path(),
        &with_dynamics(|i| match i % 2 {
            0 => (1000.0, 80.0, 230.0),
            _ => (1200.0, 100.0, 250.0),
        }),
    );
    assert_dynamics(&t, 1.1, 90.0, 240.0);
    let cv = |c: &str| num(&t.activities, c, 0);
    near(
        "vo cv",
        cv("vertical_oscillation_cv_pct"),
        100.0 * 10.0 / 90.0,
        1e-6,
    );
    near(
        "stance cv",
        cv("stance_time_cv_pct"),
        100.0 * 10.0 / 240.0,
        1e-6,
    );
}

/// Seconds after the start of every sample of a 1171 s run whose gaps exercise compressed time
/// stamps: 600 s at 1 s (the 5-bit offset rolls over every 32 s), eight 25 s gaps (it rolls over
/// at nearly every record), a 31 s gap (the longest a compressed header spans), a 40 s gap (a
/// full time stamp again), then 300 s at 1 s.
fn gappy_times() -> Vec<i64> {
    let mut t: Vec<i64> = (0..=600).collect();
    t.extend((1..=8).map(|k| 600 + 25 * k));
    t.extend([831, 871]);
    t.extend(872..=1171);
    t
}

#[test]
fn compressed_time_stamps_give_the_same_run_as_full_ones() {
    // Not on a 32 s boundary of FIT time, so the offsets roll over mid-run.
    let start = T0 + 17;
    let start_ms = Some(start as f64 * 1000.0);
    let times = gappy_times();
    let samples: Vec<Sample> = times
        .iter()
        .map(|&t| sample(start + t, 3.0 * t as f64, 100.0, 3.0))
        .collect();
    // Without a session message, start, elapsed and timer time come from the record time
    // stamps alone; with one, the segments and cadence weights still do.
    for session in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let mut a = Activity::running(start, samples.clone());
        a.with_session_message = session;
        let full_size = fitwriter::encode_activity(&a).len();
        let full = report_one(&tmp.path().join("full"), &a);
        a.compressed_timestamps = true;
        assert!(
            fitwriter::encode_activity(&a).len() < full_size,
            "not compressed"
        );
        let comp = report_one(&tmp.path().join("compressed"), &a);

        let what = &format!("session message {session}");
        let run_cols = "start_utc duration_s elapsed_s distance_m avg_speed_mps cadence_spm \
                        cadence_spm_mean samples flat_speed_mps speed_cv_pct";
        same(what, &full.activities, &comp.activities, run_cols);
        let segment_cols = "start_utc duration_s start_m end_m cadence_spm speed_mps";
        same(what, &full.segments, &comp.segments, segment_cols);

        for t in [&full, &comp] {
            let v = |c: &str| num(&t.activities, c, 0);
            assert_eq!(values(&t.activities, "start_utc")[0], start_ms, "{what}");
            near(what, v("elapsed_s"), 1171.0, 0.0);
            // The writer's timer time is the elapsed time; rebuilt from the records, gaps over
            // 30 s (the 31 s and 40 s ones) are pauses.
            near(
                what,
                v("duration_s"),
                if session { 1171.0 } else { 1100.0 },
                0.0,
            );
            near(what, v("distance_m"), 3513.0, 1e-9);
            near(what, v("samples"), times.len() as f64, 0.0);
            near(what, v("cadence_spm"), 170.0, 1.0 / 128.0);
            assert_eq!(values(&t.segments, "start_utc")[0], start_ms, "{what}");
            // Segments last their timer time: every interval counts, each at most 10 s (the
            // 25, 31 and 40 s gaps count 10 s each): 600 + 10 × 10 + 1 + 299 + 1.
            let total: f64 = nums(&t.segments, "duration_s").iter().flatten().sum();
            near(what, Some(total), 1001.0, 2.0);
        }
    }
}

/// 1 s samples over flat 1000 m, 1000 m at −6 % and flat 1000 m. Distance advances 3.0 m a
/// second while the speed field says 3.2 m/s, so a speed taken from distance would show.
fn descent(legacy: bool) -> Activity {
    let samples = (0..=1000)
        .map(|t| {
            let d = 3.0 * t as f64;
            let alt = 300.0 - 0.06 * (d - 1000.0).clamp(0.0, 1000.0);
            sample(T0 + t, d, alt, 3.2)
        })
        .collect();
    let mut a = Activity::running(T0, samples);
    a.legacy_fields = legacy;
    a
}

#[test]
fn legacy_altitude_and_speed_read_like_the_enhanced_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let enhanced = report_one(&tmp.path().join("enhanced"), &descent(false));
    let legacy = report_one(&tmp.path().join("legacy"), &descent(true));
    let run_cols = "has_altitude ascent_m descent_m avg_speed_mps flat_speed_mps \
                    downhill_speed_mps downhill_m downhill_segments \
                    altitude_roughness_m_per_km grade_variability_pct speed_cv_pct";
    same("runs", &enhanced.activities, &legacy.activities, run_cols);
    let segment_cols = "start_m end_m elevation_change_m grade_pct speed_mps";
    same(
        "segments",
        &enhanced.segments,
        &legacy.segments,
        segment_cols,
    );

    for (t, name) in [(&enhanced, "enhanced"), (&legacy, "legacy")] {
        let kinds = strs(&t.segments, "kind");
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_deref().unwrap()).collect();
        assert_eq!(kinds, ["flat", "downhill", "flat"], "{name}");
        let down = |c: &str| num(&t.segments, c, 1);
        near(&format!("{name} grade"), down("grade_pct"), -6.0, 0.5);
        near(&format!("{name} start"), down("start_m"), 1000.0, 30.0);
        near(&format!("{name} end"), down("end_m"), 2000.0, 30.0);
        for (i, v) in nums(&t.segments, "speed_mps").into_iter().enumerate() {
            near(&format!("{name} segment {i} speed"), v, 3.2, 0.001);
        }
        let a = |c: &str| num(&t.activities, c, 0);
        near(name, a("flat_speed_mps"), 3.2, 0.001);
        near(name, a("downhill_speed_mps"), 3.2, 0.001);
        near(name, a("downhill_segments"), 1.0, 0.0);
        // Session totals as the writer summed them; the average speed is distance over timer
        // time, not the speed field.
        near(name, a("descent_m"), 60.0, 0.0);
        near(name, a("avg_speed_mps"), 3.0, 1e-9);
    }
}

/// Writes a definition message with developer fields: `(number, size, base type)` per profile
/// field, then `(number, size, developer data index)` per developer field.
fn define_with_developer(
    b: &mut FitBuilder,
    local: u8,
    global: u16,
    fields: &[(u8, u8, u8)],
    developer: &[(u8, u8, u8)],
) {
    let mut def = vec![0x60 | local, 0, 0];
    def.extend_from_slice(&global.to_le_bytes());
    def.push(fields.len() as u8);
    fields
        .iter()
        .for_each(|f| def.extend_from_slice(&[f.0, f.1, f.2]));
    def.push(developer.len() as u8);
    developer
        .iter()
        .for_each(|f| def.extend_from_slice(&[f.0, f.1, f.2]));
    b.raw(&def);
}

/// fitparser's parser reads a developer field with the base type its description gives, and the
/// description reaches it only when the `field_description` message is decoded: a decoder that
/// skipped it would stop at the first record. Developer fields here share their numbers with the
/// profile fields read (record `distance` 5, session `total_distance` 9) and carry other values.
#[test]
fn developer_fields_neither_stop_decoding_nor_stand_in_for_profile_fields() {
    use fitwriter::Field;
    let (minutes, speed) = (10u32, 3.0);
    let mut b = FitBuilder::new();
    b.message(
        0,
        0,
        &[
            Field::enum_(0, file_type::ACTIVITY),
            Field::u16(1, 1),
            Field::u16(2, 1),
            Field::u32z(3, 4242),
            Field::u32(4, fit_time(T0)),
        ],
    );
    // developer_data_id: developer_data_index 0.
    b.message(1, 207, &[Field::u8(3, 0)]);
    // field_description: developer_data_index, field_definition_number, fit_base_type_id,
    // field_name.
    for (number, base, name) in [
        (5, base_type::UINT16, "Power"),
        (9, base_type::UINT32, "Total"),
    ] {
        let desc = [
            Field::u8(0, 0),
            Field::u8(1, number),
            Field::u8(2, base),
            Field::string(3, name, 16),
        ];
        b.message(2, 206, &desc);
    }
    define_with_developer(
        &mut b,
        3,
        20,
        &[
            (253, 4, base_type::UINT32),
            (5, 4, base_type::UINT32),
            (4, 1, base_type::UINT8),
        ],
        &[(5, 2, 0)],
    );
    for i in 0..=minutes * 60 {
        let distance_cm = (i as f64 * speed * 100.0) as u32;
        let mut m = fit_time(T0 + i as i64).to_le_bytes().to_vec();
        m.extend_from_slice(&distance_cm.to_le_bytes());
        m.push(85); // strides/min: 170 steps/min
        m.extend_from_slice(&7u16.to_le_bytes()); // the developer field numbered 5
        b.data(3, &m);
    }
    define_with_developer(
        &mut b,
        4,
        18,
        &[
            (253, 4, base_type::UINT32),
            (2, 4, base_type::UINT32),
            (5, 1, base_type::ENUM),
            (6, 1, base_type::ENUM),
            (7, 4, base_type::UINT32),
            (8, 4, base_type::UINT32),
            (9, 4, base_type::UINT32),
        ],
        &[(9, 4, 0)],
    );
    let end = T0 + (minutes * 60) as i64;
    let mut m = fit_time(end).to_le_bytes().to_vec();
    m.extend_from_slice(&fit_time(T0).to_le_bytes());
    m.extend_from_slice(&[sport::RUNNING, sub_sport::GENERIC]);
    for x in [minutes * 60_000, minutes * 60_000, minutes * 60 * 300] {
        m.extend_from_slice(&x.to_le_bytes());
    }
    m.extend_from_slice(&123_456u32.to_le_bytes()); // the developer field numbered 9
    b.data(4, &m);

    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input, "developer.fit", &b.finish());
    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(cell(&r.files, "status", 0).as_deref(), Some("ok"));
    assert_eq!(
        cell(&r.files, "reason", 0),
        None,
        "{:?}",
        cell(&r.files, "detail", 0)
    );
    assert_eq!(r.activities.height(), 1);
    let a = &r.activities;
    assert_eq!(num(a, "samples", 0), Some(601.0), "every record read");
    assert_eq!(cell(a, "totals_source", 0).as_deref(), Some("session"));
    near("distance_m", num(a, "distance_m", 0), 1800.0, 1e-6);
    near("elapsed_s", num(a, "elapsed_s", 0), 600.0, 1e-6);
    near("cadence_spm", num(a, "cadence_spm", 0), 170.0, 1e-6);
}
