//! The rows of the history and weekly rules that nothing else pins: `ramp`, `ramp_2w`,
//! `no_variety`, `cadence_trend` and `downhill_share`. Each is run over a small history of FIT
//! files with known distances, surfaces, cadences and grades, once just over its threshold
//! (the row: rule, severity, first and last local day, value, threshold) and once just under
//! it (no row, or an `info` row, and nothing at `watch` or above). Every report's findings also
//! go through the message property of `support::findings_check`, as does the two-year planted
//! history.
//!
//! Thresholds are the defaults (docs/methodology.md): ramp 10 %, two-week ramp 30 %, one
//! surface for 4 weeks, a cadence fall of 3 spm between two 12-week periods, 20 % downhill.

use std::path::Path;

use chrono::{Duration, NaiveDate};

use crate::support::findings_check::{self, Finding};
use crate::support::fitwriter::{self, sport, sub_sport, Activity, Sample, Session};
use crate::support::planted::{self, MONDAY, OFFSET};
use crate::support::*;

const DAY: i64 = 86_400;

/// One run of a history.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// Week of the history (week 0 starts on Monday 2022-01-03, local).
    week: usize,
    /// Day of the week, 0 = Monday.
    day: i64,
    distance_m: f64,
    spm: f64,
    /// Declared surface (`sub_sport`): `STREET` is road, `TRAIL` trail.
    sub_sport: u8,
    /// Share of the distance run at −6 %, in the middle of the run; flat elsewhere.
    downhill: f64,
}

impl Run {
    fn flat(week: usize, day: i64, distance_m: f64) -> Run {
        Run {
            week,
            day,
            distance_m,
            spm: 172.0,
            sub_sport: sub_sport::STREET,
            downhill: 0.0,
        }
    }

    /// The local day the run counts on.
    fn local_day(&self) -> NaiveDate {
        planted::week_start(self.week) + Duration::days(self.day)
    }

    /// The run as a FIT file: 07:00 local, a sample every 5 s at 3 m/s along a line north.
    fn encode(&self, serial: u32) -> Vec<u8> {
        let start = MONDAY + (7 * self.week as i64 + self.day) * DAY + 7 * 3600;
        let speed = 3.0;
        let n = (self.distance_m / speed / 5.0).ceil() as i64;
        let (from, to) = (
            self.distance_m * (1.0 - self.downhill) / 2.0,
            self.distance_m * (1.0 + self.downhill) / 2.0,
        );
        let samples: Vec<Sample> = (0..=n)
            .map(|i| {
                let d = (i as f64 * 5.0 * speed).min(self.distance_m);
                let alt = 500.0 - 0.06 * (d.clamp(from, to) - from);
                Sample {
                    distance_m: Some(d),
                    altitude_m: Some(alt),
                    speed_mps: Some(speed),
                    cadence_spm: Some(self.spm),
                    lat_deg: Some(47.3 + d / 111_195.0),
                    lon_deg: Some(8.5),
                    ..Sample::at(start + i * 5)
                }
            })
            .collect();
        let mut a = Activity::running(start, Vec::new());
        a.sessions = vec![Session::new(sport::RUNNING, self.sub_sport, samples)];
        a.serial_number = serial;
        a.utc_offset_s = Some(OFFSET);
        fitwriter::encode_activity(&a)
    }
}

/// Five runs a week making up `km[w]`: Sunday's long run of 6 km, the rest in four equal runs
/// (Monday, Tuesday, Thursday, Saturday), so a bigger week is no long-run spike; flat, on road.
fn weeks(km: &[f64]) -> Vec<Run> {
    let mut out = Vec::new();
    for (w, &k) in km.iter().enumerate() {
        for day in [0, 1, 3, 5] {
            out.push(Run::flat(w, day, 1000.0 * (k - 6.0) / 4.0));
        }
        out.push(Run::flat(w, 6, 6000.0));
    }
    out
}

/// Writes the runs and reports on them; the findings, after the message property.
fn findings(runs: &[Run]) -> Vec<Finding> {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    for (i, r) in runs.iter().enumerate() {
        write(&input, &format!("{i:03}.fit"), &r.encode(9000 + i as u32));
    }
    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.activities.height(), runs.len(), "{}", r.stdout);
    let f = findings_check::read(&r.dir);
    findings_check::check(&f, "a generated history");
    f
}

fn of<'a>(f: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    f.iter().filter(|x| x.rule == rule).collect()
}

/// Nothing at `watch` or above.
fn calm(f: &[Finding]) {
    let serious: Vec<&Finding> = f
        .iter()
        .filter(|x| x.severity == "high" || x.severity == "watch")
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
}

/// Asserts one finding's row.
#[track_caller]
fn assert_row(
    f: &Finding,
    (rule, severity): (&str, &str),
    (first, last): (NaiveDate, NaiveDate),
    value: f64,
    tol: f64,
    threshold: f64,
) {
    assert_eq!(
        (f.rule.as_str(), f.severity.as_str()),
        (rule, severity),
        "{f:#?}"
    );
    assert_eq!((f.first, f.last), (Some(first), Some(last)), "{f:#?}");
    assert!(
        (f.value - value).abs() <= tol,
        "value {} vs {value}: {f:#?}",
        f.value
    );
    assert_eq!(f.threshold, threshold, "{f:#?}");
}

/// A week's first and last local day.
fn week(w: usize) -> (NaiveDate, NaiveDate) {
    let s = planted::week_start(w);
    (s, s + Duration::days(6))
}

/// Eight weeks of 20 km (so the usual load is 20 km), then the weeks given, then 20 km.
fn steady_then(then: &[f64]) -> Vec<Run> {
    let mut km = vec![20.0; 8];
    km.extend_from_slice(then);
    km.push(20.0);
    weeks(&km)
}

#[test]
fn ramp_a_week_15_percent_up_is_an_info_row_and_a_build_of_9_percent_a_week_is_nothing() {
    // Week 8: 23 km after 20 km and a usual 20 km: +15 % (more than 10 %).
    let f = findings(&steady_then(&[23.0]));
    let rising: Vec<&Finding> = f
        .iter()
        .filter(|x| ["ramp", "ramp_2w", "acwr"].contains(&x.rule.as_str()))
        .collect();
    assert_eq!(rising.len(), 1, "{rising:#?}");
    assert_row(rising[0], ("ramp", "info"), week(8), 15.0, 1e-9, 10.0);
    calm(&f);

    // A build of 9.5 % and then 9.2 % a week (+19.5 % over two weeks): no ramp of either kind.
    let f = findings(&steady_then(&[21.9, 23.9]));
    assert!(
        of(&f, "ramp").is_empty() && of(&f, "ramp_2w").is_empty(),
        "{f:#?}"
    );
    calm(&f);
}

#[test]
fn ramp_2w_35_percent_over_two_weeks_is_a_watch_row_and_28_percent_is_not() {
    // Week 8 +9.5 % (nothing), week 9 27 km: +35 % on week 7 and the usual 20 km. Week 9 is a
    // ramp too (+23 % on week 8); a week's rise is found once, by its strongest rule.
    let f = findings(&steady_then(&[21.9, 27.0]));
    let rising: Vec<&Finding> = f
        .iter()
        .filter(|x| ["ramp", "ramp_2w", "acwr"].contains(&x.rule.as_str()))
        .collect();
    assert_eq!(rising.len(), 1, "{rising:#?}");
    assert_row(rising[0], ("ramp_2w", "watch"), week(9), 35.0, 1e-9, 30.0);
    assert_eq!(
        f.iter().filter(|x| x.severity != "info").count(),
        1,
        "{f:#?}"
    );

    // 22.5 km then 25.6 km: +28 % over two weeks, under 30 %; each week is a ramp (+12.5 %,
    // +13.8 %), one info episode over both weeks peaking at the larger.
    let f = findings(&steady_then(&[22.5, 25.6]));
    assert!(of(&f, "ramp_2w").is_empty(), "{f:#?}");
    let ramp = of(&f, "ramp");
    assert_eq!(ramp.len(), 1, "{ramp:#?}");
    let peak = 100.0 * (25.6 / 22.5 - 1.0);
    assert_row(
        ramp[0],
        ("ramp", "info"),
        (week(8).0, week(9).1),
        peak,
        1e-9,
        10.0,
    );
    assert_eq!(ramp[0].occurrences, 2);
    calm(&f);
}

/// Two runs a week of 8 km for `n` weeks, on road; a trail run in place of one in `trail_week`.
fn surfaces(n: usize, trail_week: Option<usize>) -> Vec<Run> {
    let mut out = Vec::new();
    for w in 0..n {
        for day in [2, 6] {
            let mut r = Run::flat(w, day, 8000.0);
            if trail_week == Some(w) && day == 6 {
                r.sub_sport = sub_sport::TRAIL;
            }
            out.push(r);
        }
    }
    out
}

#[test]
fn no_variety_five_weeks_on_road_is_an_info_row_and_three_is_nothing() {
    // Weeks 0–4 on road: weeks 3 and 4 each close 4 weeks on one surface, one episode whose
    // peak names the whole stretch (5 weeks).
    let f = findings(&surfaces(5, None));
    let rows = of(&f, "no_variety");
    assert_eq!(rows.len(), 1, "{f:#?}");
    assert_row(
        rows[0],
        ("no_variety", "info"),
        (week(3).0, week(4).1),
        5.0,
        0.0,
        4.0,
    );
    assert_eq!(rows[0].occurrences, 2);
    assert!(
        rows[0]
            .message
            .contains("5 weeks from 2022-01-03 to 2022-02-06 was on road"),
        "{}",
        rows[0].message
    );
    calm(&f);

    // A trail run in week 3 of 7: no 4 weeks are on one surface (3 at most).
    let f = findings(&surfaces(7, Some(3)));
    assert!(of(&f, "no_variety").is_empty(), "{f:#?}");
    calm(&f);
}

/// 24 weeks of two 6 km runs a week: the first 12 at `before` spm, the last 12 at `now`.
fn cadences(before: f64, now: f64) -> Vec<Run> {
    let mut out = Vec::new();
    for w in 0..24 {
        for day in [1, 5] {
            let mut r = Run::flat(w, day, 6000.0);
            r.spm = if w < 12 { before } else { now };
            out.push(r);
        }
    }
    out
}

/// The two history rules' period: the 12 weeks (84 days) up to the last run's day.
fn recent(runs: &[Run]) -> (NaiveDate, NaiveDate) {
    let last = runs.iter().map(Run::local_day).max().unwrap();
    (last - Duration::days(83), last)
}

#[test]
fn cadence_trend_a_fall_of_5_spm_is_a_watch_row_and_of_2_5_spm_an_info_row() {
    let runs = cadences(175.0, 170.0);
    let f = findings(&runs);
    let rows = of(&f, "cadence_trend");
    assert_eq!(rows.len(), 1, "{f:#?}");
    assert_row(
        rows[0],
        ("cadence_trend", "watch"),
        recent(&runs),
        -5.0,
        1e-9,
        -3.0,
    );
    assert_eq!(
        f.iter().filter(|x| x.severity != "info").count(),
        1,
        "{f:#?}"
    );

    let runs = cadences(175.0, 172.5);
    let f = findings(&runs);
    let rows = of(&f, "cadence_trend");
    assert_eq!(rows.len(), 1, "{f:#?}");
    assert_row(
        rows[0],
        ("cadence_trend", "info"),
        recent(&runs),
        -2.5,
        1e-9,
        -3.0,
    );
    calm(&f);
}

/// 12 weeks of two 6 km runs a week, each with `share` of it at −6 %.
fn descents(share: f64) -> Vec<Run> {
    let mut out = Vec::new();
    for w in 0..12 {
        for day in [2, 6] {
            let mut r = Run::flat(w, day, 6000.0);
            r.downhill = share;
            out.push(r);
        }
    }
    out
}

/// Downhill share of the report's runs from the activities table, %.
fn share_of(dir: &Path) -> f64 {
    let a = read_parquet(&dir.join("activities.parquet"));
    let (down, dist) = (nums(&a, "downhill_m"), nums(&a, "distance_m"));
    let d: f64 = down.iter().map(|x| x.unwrap()).sum();
    let t: f64 = dist.iter().map(|x| x.unwrap()).sum();
    100.0 * d / t
}

#[test]
fn downhill_share_30_percent_downhill_is_a_watch_row_and_15_percent_an_info_row() {
    for (share, severity) in [(0.30, "watch"), (0.15, "info")] {
        let runs = descents(share);
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        for (i, r) in runs.iter().enumerate() {
            write(&input, &format!("{i:03}.fit"), &r.encode(9500 + i as u32));
        }
        let r = report(&[&input], &tmp.path().join("out"));
        let f = findings_check::read(&r.dir);
        findings_check::check(&f, "descents");
        let rows = of(&f, "downhill_share");
        assert_eq!(rows.len(), 1, "{f:#?}");
        // The value is the runs' downhill distance over their distance, as the activities
        // table gives them, and near the share planted (segment ends blur over the 60 m
        // smoothing of the profile, a few metres of each 1.8 km descent).
        let table = share_of(&r.dir);
        assert_row(
            rows[0],
            ("downhill_share", severity),
            recent(&runs),
            table,
            1e-9,
            20.0,
        );
        assert!((table - 100.0 * share).abs() < 2.0, "{table} % vs {share}");
        if severity == "info" {
            calm(&f);
        } else {
            assert_eq!(
                f.iter().filter(|x| x.severity != "info").count(),
                1,
                "{f:#?}"
            );
        }
    }
}

/// The message property over the planted two-year history (every kind of load event, at every
/// severity) — the corpus report is checked in `corpus.rs`.
#[test]
fn every_finding_of_the_planted_history_states_its_value_on_its_side_of_the_threshold() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    planted::write(&input);
    let r = report(&[&input], &tmp.path().join("out"));
    let f = findings_check::read(&r.dir);
    let n = findings_check::check(&f, "the planted history");
    // The planted events' rules are among them.
    for rule in ["ramp_2w", "long_run_spike", "acwr", "return_after_break"] {
        assert!(f.iter().any(|x| x.rule == rule), "no {rule} in {f:#?}");
    }
    assert!(n >= 6, "{n} findings");
    eprintln!(
        "checked {n}; thresholds not in the message: {:#?}",
        findings_check::unstated_thresholds()
    );
}

/// KNOWN BUG (fails until fixed in src/aggregate/findings/gear.rs `past_retirement`): a pair
/// 13 m past its retirement distance reads "has 16.7 km of running, past 16.7 km": the message
/// rounds the distance with `fmt_km` instead of showing it on its side of the threshold
/// (`decisive`), as every other rule does. The same happens at the default 800 km for a pair at
/// 800.0x km; a retirement distance of 16.7 km makes it two runs.
#[test]
fn shoe_distance_a_pair_just_past_its_retirement_distance_says_so_in_its_message() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let runs = [Run::flat(0, 1, 8000.0), Run::flat(0, 3, 8712.72)];
    for (i, r) in runs.iter().enumerate() {
        write(&input, &format!("{i:03}.fit"), &r.encode(9800 + i as u32));
    }
    let gear = write(tmp.path(), "gear.csv", b"gear,from,to\nA,2022-01-01,\n");
    let cfg = write(tmp.path(), "c.toml", b"[gear]\nretire_m = 16700\n");
    let r = report_with(
        &[&input],
        &tmp.path().join("out"),
        &[
            "--gear",
            gear.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ],
        &[],
    );
    let f = findings_check::read(&r.dir);
    let rows = of(&f, "shoe_distance");
    assert_eq!(rows.len(), 1, "{f:#?}");
    assert!((rows[0].value - 16.71272).abs() < 1e-6 && rows[0].threshold == 16.7);
    findings_check::check(&f, "a pair 13 m past its retirement distance");
}
