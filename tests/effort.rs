//! Effort and pain: the watch's RPE and feel.

use std::path::Path;

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

#[test]
fn rpe_and_feel_come_back_per_run_empty_when_not_recorded_or_out_of_range() {
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
}
