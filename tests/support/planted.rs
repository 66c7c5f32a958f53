//! A generated history with planted events: two years of ordinary training (a steady load with
//! a few % of week-to-week noise, a sensible build, a light week now and then) in which each
//! kind of risky event and each kind of harmless one happens once, at a known week.
//!
//! The risky events are what a coach would act on or watch: one much bigger week, a far bigger
//! one, a long run far beyond the month's longest, two big increases in a row, and a return at
//! full load after five weeks injured. The harmless ones are ordinary training: a light week
//! and the usual load after it, a week off, and two weeks of holiday followed by a gradual
//! return (about half, then three quarters, then the usual). Runs are written as small FIT
//! files: one sample every 10 s on the flat, at 3 m/s and 172 spm.
#![allow(dead_code)]

use std::path::Path;

use super::fitwriter::{self, Activity, Sample};
use super::Noise;

/// Monday 2022-01-03 00:00 local (UTC+1), as UTC seconds.
pub const MONDAY: i64 = 1_641_168_000 - 3600;
/// The runner's offset from UTC, s.
pub const OFFSET: i32 = 3600;
const DAY: i64 = 86_400;

/// How a week is run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Plan {
    /// The usual pattern at this share of the usual weekly distance.
    Usual(f64),
    /// The usual pattern, with the long run this many times its usual length.
    LongRun(f64),
    /// This many times the usual weekly distance, in runs no longer than the usual long run.
    Big(f64),
    /// No running.
    Off,
}

/// What the findings table should hold for a risky event.
#[derive(Clone, Debug, PartialEq)]
pub struct Expected {
    /// What happened.
    pub event: &'static str,
    /// The rule that finds it.
    pub rule: &'static str,
    /// Its severity.
    pub severity: &'static str,
    /// The first local day of the week it happens in (its finding starts in that week).
    pub week_start: chrono::NaiveDate,
}

/// One run of the history.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// UTC start.
    pub start_utc: i64,
    /// Distance, m.
    pub distance_m: f64,
}

/// Each week's plan and usual distance, m.
type Weeks = Vec<(Plan, f64)>;

/// The weeks of the history (104) with their plans, and the risky events planted in them.
fn plans() -> (Weeks, Vec<(usize, Expected)>) {
    let mut weeks = Vec::new();
    let mut usual = 40_000.0;
    for w in 0..104 {
        let plan = match w {
            // A build of 3 % a week, then steady.
            12..=19 => {
                usual *= 1.03;
                Plan::Usual(1.0)
            }
            // A light week, then the usual load again.
            20 | 60 => Plan::Usual(0.7),
            // Two big increases in a row.
            28 => Plan::Big(1.25),
            29 => Plan::Big(1.5625),
            // A long run far beyond the month's longest.
            38 => Plan::LongRun(1.67),
            // Two weeks of holiday, then a gradual return.
            46 | 47 => Plan::Off,
            48 => Plan::Usual(0.5),
            49 => Plan::Usual(0.75),
            // A week off, then the usual load.
            56 => Plan::Off,
            // One much bigger week.
            66 => Plan::Big(2.1),
            // Five weeks injured, then straight back at the usual load.
            76..=80 => Plan::Off,
            // A far bigger week.
            91 => Plan::Big(3.2),
            _ => Plan::Usual(1.0),
        };
        weeks.push((plan, usual));
    }
    let day = week_start;
    let expected = vec![
        (28, "two big increases in a row", "ramp_2w", "watch"),
        (
            38,
            "a long run far beyond the month's longest",
            "long_run_spike",
            "high",
        ),
        (66, "one much bigger week", "acwr", "watch"),
        (
            81,
            "a full-load return after five weeks injured",
            "return_after_break",
            "high",
        ),
        (91, "a far bigger week", "acwr", "high"),
    ]
    .into_iter()
    .map(|(w, event, rule, severity)| {
        (
            w,
            Expected {
                event,
                rule,
                severity,
                week_start: day(w),
            },
        )
    })
    .collect();
    (weeks, expected)
}

/// The first local day of week `w` of the history.
pub fn week_start(w: usize) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2022, 1, 3).unwrap() + chrono::Duration::days(7 * w as i64)
}

/// The week the two-week holiday's return begins in, and the week back from the injury.
pub const HOLIDAY_RETURN: usize = 48;
/// The first week back after the injury.
pub const INJURY_RETURN: usize = 81;

/// The usual week: Tuesday 20 %, Wednesday 15 %, Thursday 20 %, Saturday 15 %, Sunday's long
/// run 30 % of the weekly distance (day 0 is Monday).
const PATTERN: [(i64, f64); 5] = [(1, 0.2), (2, 0.15), (3, 0.2), (5, 0.15), (6, 0.3)];

/// The runs of the history, in start order, and the risky events planted in it.
pub fn plan() -> (Vec<Run>, Vec<Expected>) {
    let (weeks, expected) = plans();
    let mut noise = Noise(17);
    let mut runs = Vec::new();
    for (w, (plan, usual)) in weeks.iter().enumerate() {
        let monday = MONDAY + 7 * DAY * w as i64;
        // A few % of week-to-week noise; the long run within 1 %.
        let jitter = 1.0 + 0.03 * noise.next();
        let long_jitter = 1.0 + 0.01 * noise.next();
        let mut day_runs: Vec<(i64, f64)> = Vec::new();
        match *plan {
            Plan::Off => {}
            Plan::Usual(share) => {
                for (d, part) in PATTERN {
                    let j = if d == 6 { long_jitter } else { jitter };
                    day_runs.push((d, usual * share * part * j));
                }
            }
            Plan::LongRun(times) => {
                for (d, part) in PATTERN {
                    let f = if d == 6 { times * long_jitter } else { jitter };
                    day_runs.push((d, usual * part * f));
                }
            }
            Plan::Big(times) => {
                // Runs as long as the usual long run at most, two a day where needed.
                let total = usual * times * jitter;
                let longest = usual * 0.3;
                let n = (total / (0.9 * longest)).ceil() as i64;
                for k in 0..n {
                    day_runs.push((k % 7, total / n as f64));
                }
            }
        }
        day_runs.sort_by_key(|r| r.0);
        let mut at_day: Vec<i64> = Vec::new();
        for (d, m) in day_runs {
            let nth = at_day.iter().filter(|&&x| x == d).count() as i64;
            at_day.push(d);
            // 07:00 local, or 18:00 for a second run that day.
            let hour = if nth == 0 { 7 } else { 18 };
            runs.push(Run {
                start_utc: monday + d * DAY + hour * 3600,
                distance_m: m,
            });
        }
    }
    (runs, expected.into_iter().map(|x| x.1).collect())
}

/// One run as a FIT file: a sample every 10 s along a straight line at 3 m/s, 172 spm.
pub fn encode(run: &Run, serial: u32) -> Vec<u8> {
    let speed = 3.0;
    let n = (run.distance_m / speed / 10.0).ceil() as i64;
    let samples: Vec<Sample> = (0..=n)
        .map(|i| {
            let d = (i as f64 * 10.0 * speed).min(run.distance_m);
            Sample {
                distance_m: Some(d),
                altitude_m: Some(420.0),
                speed_mps: Some(speed),
                cadence_spm: Some(172.0),
                lat_deg: Some(47.3 + d / 111_195.0),
                lon_deg: Some(8.5),
                ..Sample::at(run.start_utc + i * 10)
            }
        })
        .collect();
    let mut a = Activity::running(run.start_utc, samples);
    a.serial_number = serial;
    a.utc_offset_s = Some(OFFSET);
    fitwriter::encode_activity(&a)
}

/// Writes the history's runs to `dir`, one file each; returns the planted risky events.
pub fn write(dir: &Path) -> Vec<Expected> {
    let (runs, expected) = plan();
    std::fs::create_dir_all(dir).unwrap();
    for (i, r) in runs.iter().enumerate() {
        std::fs::write(dir.join(format!("{i:04}.fit")), encode(r, 7000 + i as u32)).unwrap();
    }
    expected
}
