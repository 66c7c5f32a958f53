//! Effort: the watch's RPE and feel, and session-RPE load.

use std::path::Path;

use polars::prelude::DataFrame;

use crate::support::fitwriter::{self, Activity};
use crate::support::*;

const DAY: i64 = 86_400;

/// A run of `minutes` on the flat at 3.0 m/s and 170 spm (timer time = minutes × 60 s), with
/// the session's `workout_rpe` (× 10) and `workout_feel` as written.
fn run_file(dir: &Path, name: &str, start: i64, minutes: i64, rpe: Option<u8>, feel: Option<u8>) {
    let mut a = Activity::running(start, steady_run(start, minutes, 3.0, 170.0));
    a.serial_number = 5000 + (start / 60 % 100_000) as u32;
    a.utc_offset_s = Some(0);
    a.sessions[0].workout_rpe_x10 = rpe;
    a.sessions[0].workout_feel = feel;
    write(dir, name, &fitwriter::encode_activity(&a));
}

fn weeks(r: &Report) -> DataFrame {
    read_parquet(&r.dir.join("weeks.parquet"))
}

fn week_starts(w: &DataFrame) -> Vec<String> {
    (0..w.height())
        .map(|i| w.column("week_start").unwrap().get(i).unwrap().to_string())
        .collect()
}

fn close(a: Option<f64>, b: f64, what: &str) {
    let a = a.unwrap_or_else(|| panic!("{what}: empty, expected {b}"));
    assert!((a - b).abs() < 1e-6, "{what}: {a} vs {b}");
}

#[test]
fn rpe_and_feel_come_back_per_run_and_weekly_srpe_is_rpe_times_timer_minutes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // Week 1 (from Monday 2024-04-15): 30 min at RPE 7, 45 min at RPE 4, one run not rated,
    // one whose RPE (15.0) and feel (101) are outside their scales.
    run_file(&input, "a.fit", T0, 30, Some(70), Some(75));
    run_file(&input, "b.fit", T0 + 2 * DAY, 45, Some(40), Some(50));
    run_file(&input, "c.fit", T0 + 4 * DAY, 20, None, None);
    run_file(&input, "d.fit", T0 + 5 * DAY, 20, Some(150), Some(101));
    // Week 2: 40 min at RPE 5 and 30 min at RPE 6, all rated.
    run_file(&input, "e.fit", T0 + 7 * DAY, 40, Some(50), Some(100));
    run_file(&input, "f.fit", T0 + 9 * DAY, 30, Some(60), Some(0));
    let r = report(&[&input], &tmp.path().join("out"));
    let a = &r.activities;
    let rpe = |f: &str| num(a, "rpe", row(a, f));
    let feel = |f: &str| num(a, "feel", row(a, f));
    assert_eq!((rpe("a.fit"), feel("a.fit")), (Some(7.0), Some(75.0)));
    assert_eq!((rpe("b.fit"), feel("b.fit")), (Some(4.0), Some(50.0)));
    assert_eq!((rpe("c.fit"), feel("c.fit")), (None, None));
    assert_eq!(
        (rpe("d.fit"), feel("d.fit")),
        (None, None),
        "out of range: not recorded"
    );
    assert_eq!((rpe("f.fit"), feel("f.fit")), (Some(6.0), Some(0.0)));

    let w = weeks(&r);
    assert_eq!(week_starts(&w), vec!["2024-04-15", "2024-04-22"]);
    // Foster et al. 2001: RPE × minutes. 7 × 30 + 4 × 45 = 390; 5 × 40 + 6 × 30 = 380.
    close(nums(&w, "srpe_load")[0], 390.0, "week 1 sRPE");
    close(nums(&w, "srpe_load")[1], 380.0, "week 2 sRPE");
    assert_eq!(nums(&w, "runs_without_rpe"), vec![Some(2.0), Some(0.0)]);
    // Weekly running time is the timer time the sRPE minutes come from.
    close(
        nums(&w, "duration_s")[0],
        60.0 * (30.0 + 45.0 + 20.0 + 20.0),
        "week 1 time",
    );
    // Week 1 holds unrated runs: its windows are unknown, not low. Week 2's acute window is
    // all rated; its 28 days still hold week 1's unrated runs.
    assert_eq!(nums(&w, "srpe_acute_7d")[0], None);
    close(nums(&w, "srpe_acute_7d")[1], 380.0, "week 2 acute");
    assert_eq!(nums(&w, "srpe_chronic_28d")[1], None);
    assert_eq!(nums(&w, "srpe_acwr")[1], None);
}

#[test]
fn srpe_ratios_are_computed_like_the_distance_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 30 min at RPE 5 on Monday of week 1 (150), 60 min at RPE 5 on Monday of week 2 (300).
    run_file(&input, "a.fit", T0, 30, Some(50), None);
    run_file(&input, "b.fit", T0 + 7 * DAY, 60, Some(50), None);
    let r = report(&[&input], &tmp.path().join("out"));
    let w = weeks(&r);
    close(nums(&w, "srpe_acute_7d")[1], 300.0, "acute");
    close(nums(&w, "srpe_chronic_28d")[1], 450.0, "chronic");
    close(nums(&w, "srpe_acwr")[1], 300.0 / (450.0 / 4.0), "coupled");
    close(
        nums(&w, "srpe_acwr_uncoupled")[1],
        300.0 / (150.0 / 3.0),
        "uncoupled",
    );
    // EWMA with λ = 2/8 and 2/29 from zero on the first week's Monday, on week 2's Sunday.
    let (mut ea, mut ec) = (0.0, 0.0);
    for d in 0..14 {
        let x = match d {
            0 => 150.0,
            7 => 300.0,
            _ => 0.0,
        };
        ea = 0.25 * x + 0.75 * ea;
        ec = (2.0 / 29.0) * x + (1.0 - 2.0 / 29.0) * ec;
    }
    close(nums(&w, "srpe_acwr_ewma")[1], ea / ec, "ewma");
    // The distance ratios of the same week, from the same code.
    let km = |m: f64| m * 3.0 * 60.0;
    close(
        nums(&w, "acwr")[1],
        km(60.0) / (km(90.0) / 4.0),
        "distance coupled",
    );
}
