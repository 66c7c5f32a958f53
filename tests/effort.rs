//! Effort and pain: the watch's RPE and feel, session-RPE load, and the pain diary joined to
//! runs, weeks and findings.

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

/// The row of the first `pain` finding.
fn first_pain(f: &DataFrame) -> usize {
    let rules = strs(f, "rule");
    (0..f.height())
        .find(|&i| rules[i].as_deref() == Some("pain"))
        .expect("a pain finding")
}

fn weeks(r: &Report) -> DataFrame {
    read_parquet(&r.dir.join("weeks.parquet"))
}

fn findings(r: &Report) -> DataFrame {
    read_parquet(&r.dir.join("findings.parquet"))
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

/// Five weeks of three 30-minute runs (Mon, Wed, Sat 08:00 UTC from Monday 2024-04-15), the
/// fifth week's Saturday a 60-minute long run: a long-run spike and a two-week ramp.
fn write_spike_history(dir: &Path) {
    for w in 0..5 {
        for (k, day) in [0, 2, 5].iter().enumerate() {
            let minutes = if w == 4 && *day == 5 { 60 } else { 30 };
            let t = T0 + (7 * w + day) * DAY;
            run_file(dir, &format!("w{w}_{k}.fit"), t, minutes, None, None);
        }
    }
}

const DIARY: &str = "date,pain,next_morning,location,note\n\
2024-04-17,2,2,left knee,\"steady, nothing new\"\n\
2024-04-24,3,3,left knee,\n\
2024-05-01,1,2,left knee,stiff on the stairs\n\
2024-05-08,2\n\
2024-05-13,eleven,,,typo\n\
2024-05-18,4,6,left knee,\"long run, hills\"\n\
2024-05-19,7,,left knee,\n";

#[test]
fn a_diary_joins_runs_and_weeks_and_pain_after_a_spike_names_the_spike() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_spike_history(&input);
    let diary = write(tmp.path(), "diary.csv", DIARY.as_bytes());
    let r = report_with(
        &[&input],
        &tmp.path().join("out"),
        &["--diary", diary.to_str().unwrap(), "--strict"],
        &[],
    );
    // The broken line is named with its file and line; the rest is used; --strict says so.
    assert!(
        r.stderr
            .contains("diary.csv:6: pain `eleven` is not a number from 0 to 10"),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 3);
    assert!(r.stdout.contains("6 days, 1 line left out"), "{}", r.stdout);

    // Runs on a diary day carry its scores.
    let a = &r.activities;
    let spike = row(a, "w4_2.fit");
    assert_eq!(num(a, "pain", spike), Some(4.0));
    assert_eq!(num(a, "pain_next_morning", spike), Some(6.0));
    let wed = row(a, "w0_1.fit");
    assert_eq!(
        (num(a, "pain", wed), num(a, "pain_next_morning", wed)),
        (Some(2.0), Some(2.0))
    );
    let plain = row(a, "w0_0.fit");
    assert!(is_null(a, "pain", plain) && is_null(a, "pain_next_morning", plain));

    // Weeks: the highest score, during or next morning, and the days with any pain. The
    // Sunday 2024-05-19 belongs to week 5.
    let w = weeks(&r);
    assert_eq!(w.height(), 5);
    assert_eq!(
        nums(&w, "pain_max"),
        vec![Some(2.0), Some(3.0), Some(2.0), Some(2.0), Some(7.0)]
    );
    assert_eq!(
        nums(&w, "pain_days"),
        vec![Some(1.0), Some(1.0), Some(1.0), Some(1.0), Some(2.0)]
    );

    let f = findings(&r);
    let rules = strs(&f, "rule");
    let pain: Vec<usize> = (0..f.height())
        .filter(|&i| rules[i].as_deref() == Some("pain"))
        .collect();
    let date = |c: &str, i: usize| f.column(c).unwrap().get(i).unwrap().to_string();
    let mut dates: Vec<(String, String)> = pain
        .iter()
        .map(|&i| (date("first_local", i), date("last_local", i)))
        .collect();
    dates.sort();
    // 2024-04-17 (2, 2), 2024-04-24 (3, 3) and 2024-05-08 (2) stay at or under 3/10 and get no
    // worse: no finding. 2024-05-18 and 2024-05-19 are one episode.
    assert_eq!(
        dates,
        vec![
            ("2024-05-01".to_string(), "2024-05-01".to_string()),
            ("2024-05-18".to_string(), "2024-05-19".to_string())
        ]
    );
    let at = |d: &str| {
        pain.iter()
            .copied()
            .find(|&i| date("first_local", i) == d)
            .unwrap()
    };

    // Worse the next morning though under the threshold: watch, compared with the pain during.
    let i = at("2024-05-01");
    assert_eq!(cell(&f, "severity", i).as_deref(), Some("watch"));
    assert_eq!(
        (num(&f, "value", i), num(&f, "threshold", i)),
        (Some(2.0), Some(1.0))
    );
    assert!(cell(&f, "message", i)
        .unwrap()
        .contains("worse the next morning at 2/10"));
    assert!(cell(&f, "advice", i)
        .unwrap()
        .contains("worse the next morning"));

    // The spike day (4/10, 6/10 the next morning) and 7/10 the day after: one episode, high at
    // its worst; its evidence names the spike and the ramp before its first day.
    let i = at("2024-05-18");
    assert_eq!(cell(&f, "scope", i).as_deref(), Some("day"));
    assert_eq!(cell(&f, "key", i).as_deref(), Some("2024-05-18"));
    assert_eq!(cell(&f, "severity", i).as_deref(), Some("high"));
    assert_eq!(num(&f, "occurrences", i), Some(2.0));
    assert_eq!(
        (num(&f, "value", i), num(&f, "threshold", i)),
        (Some(7.0), Some(3.0))
    );
    let msg = cell(&f, "message", i).unwrap();
    assert!(
        msg.starts_with(
            "Pain on 2 diary days from 2024-05-18 to 2024-05-19; the worst, on 2024-05-19: \
             pain 7/10 (left knee)."
        ),
        "{msg}"
    );
    assert!(
        msg.contains("In the 28 days before it began: a two-week ramp, a long-run spike."),
        "{msg}"
    );
    let ev = cell(&f, "evidence", i).unwrap();
    assert!(ev.starts_with("Silbernagel et al. 2007"), "{ev}");
    assert!(
        ev.contains("2024-05-18 long-run spike: 10.8 km, 100 % over the longest"),
        "{ev}"
    );
    assert!(
        ev.contains("week of 2024-05-13: distance up 33 % on two weeks before"),
        "{ev}"
    );
    assert!(cell(&f, "advice", i).unwrap().starts_with("Back off"));

    // The page draws the pain chart and lists what preceded each episode.
    let html = std::fs::read_to_string(r.dir.join("report.html")).unwrap();
    assert!(html.contains("Pain and weekly distance"));
    assert!(html.contains("What preceded each episode"));
    assert!(html.contains("2024-05-18 long-run spike"));
}

#[test]
fn a_spike_long_before_the_pain_is_not_named() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_spike_history(&input);
    // Pain five weeks after the spike, with a 7-day lookback from the config file, whose
    // diary path is relative to the config file's folder.
    let conf = tmp.path().join("conf");
    write(
        &conf,
        "diary.csv",
        b"date,pain,next_morning,location,note\n2024-06-01,5,4,,\n",
    );
    write(
        &conf,
        "fitrisk.toml",
        b"[inputs]\ndiary = \"diary.csv\"\n[findings]\npain_lookback_days = 7\n",
    );
    let r = report_with(
        &[&input],
        &tmp.path().join("out"),
        &["--config", conf.join("fitrisk.toml").to_str().unwrap()],
        &[],
    );
    let f = findings(&r);
    let i = first_pain(&f);
    assert_eq!(cell(&f, "severity", i).as_deref(), Some("watch"));
    let ev = cell(&f, "evidence", i).unwrap();
    assert!(
        ev.contains("Preceded by nothing that stands out in 7 days"),
        "{ev}"
    );
    assert!(
        cell(&f, "advice", i)
            .unwrap()
            .contains("acceptable zone (up to 5/10)"),
        "{}",
        cell(&f, "advice", i).unwrap()
    );
    // The diary day after the last run extends the weeks to it.
    let w = weeks(&r);
    assert_eq!(week_starts(&w).last().unwrap(), "2024-05-27");
    assert_eq!(nums(&w, "pain_max").last().copied().flatten(), Some(5.0));
    assert_eq!(nums(&w, "runs").last().copied().flatten(), Some(0.0));
}

#[test]
fn a_diary_that_cannot_be_read_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    run_file(&input, "a.fit", T0, 30, None, None);
    let with_diary = |diary: &Path| {
        fitrisk()
            .arg("report")
            .arg(&input)
            .arg("-o")
            .arg(tmp.path().join("out"))
            .arg("--diary")
            .arg(diary)
            .output()
            .unwrap()
    };
    let missing = tmp.path().join("nope.csv");
    let out = with_diary(&missing);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read pain diary") && err.contains("nope.csv"),
        "{err}"
    );
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    let headerless = write(tmp.path(), "h.csv", b"2024-04-15,3,,,\n");
    let out = with_diary(&headerless);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the first line must be the header"), "{err}");
}

#[test]
fn an_episode_years_before_the_last_run_is_on_the_chart_with_what_preceded_it() {
    // testdata's 2019-09-14 run (fgebhart example.fit): low cadence and overstriding downhill;
    // the history runs on to 2021, but the pain chart reaches back to the diary's first day.
    let tmp = tempfile::tempdir().unwrap();
    let diary = write(
        tmp.path(),
        "d.csv",
        b"date,pain,next_morning,location,note\n2019-09-14,8,,knee,\n",
    );
    let r = report_with(
        &[&testdata()],
        &tmp.path().join("out"),
        &["--diary", diary.to_str().unwrap()],
        &[],
    );
    let f = findings(&r);
    let i = first_pain(&f);
    assert_eq!(cell(&f, "severity", i).as_deref(), Some("high"));
    let ev = cell(&f, "evidence", i).unwrap();
    assert!(ev.contains("2019-09-14 low cadence: 149 spm"), "{ev}");
    let html = std::fs::read_to_string(r.dir.join("report.html")).unwrap();
    assert!(html.contains("<h2>Pain</h2>"));
    assert!(
        html.contains("Pain and weekly distance"),
        "the day is charted"
    );
    assert!(html.contains("weeks from 2019-09-09, every diary day among them"));
    assert!(html.contains("2019-09-14 low cadence: 149 spm"));
}

/// The shoes worn before a pain episode are part of its evidence, with the distance on them;
/// a pair past the retirement distance also stands out in the message.
#[test]
fn pain_evidence_names_the_shoes_worn_and_their_mileage() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_spike_history(&input);
    let diary = write(
        tmp.path(),
        "diary.csv",
        b"date,pain,next_morning,location,note\n2024-05-18,5,5,left knee,\n",
    );
    // One pair for the first three weeks, another from then on.
    let log = write(
        tmp.path(),
        "gear.csv",
        b"gear,from,to\nOld pair,2024-04-01,2024-05-05\nNew pair,2024-05-06,\n",
    );
    let args = |retire: &str| {
        let cfg = write(
            tmp.path(),
            &format!("cfg-{retire}.toml"),
            format!("[gear]\nretire_m = {retire}\n").as_bytes(),
        );
        report_with(
            &[&input],
            &tmp.path().join(format!("out-{retire}")),
            &[
                "--diary",
                diary.to_str().unwrap(),
                "--gear",
                log.to_str().unwrap(),
                "--config",
                cfg.to_str().unwrap(),
            ],
            &[],
        )
    };
    let pain_of = |r: &Report| {
        let f = findings(r);
        let i = first_pain(&f);
        (
            cell(&f, "message", i).unwrap(),
            cell(&f, "evidence", i).unwrap(),
        )
    };
    // Within the 28 days: weeks 2–3 (Old pair, retired after week 3) and weeks 4–5
    // (New pair). The new pair's distance by 2024-05-18: five 30-minute runs and the
    // 60-minute long run at 3 m/s = 7 × 5.4 km = 37.8 km.
    let (message, evidence) = pain_of(&args("800000.0"));
    assert!(
        evidence.contains("shoes New pair: 37.8 km on them by 2024-05-18"),
        "{evidence}"
    );
    assert!(evidence.contains("shoes Old pair: "), "{evidence}");
    assert!(!message.contains("shoes"), "{message}");
    // With a retirement distance under that, the worn pair stands out.
    let (message, evidence) = pain_of(&args("30000.0"));
    assert!(
        message.contains("shoes past their retirement distance"),
        "{message}"
    );
    assert!(
        evidence.contains("(past the retirement distance)"),
        "{evidence}"
    );
}

/// Two watches on one run (the runner answered the RPE question on the one with fewer
/// samples, which also had a power meter): the run kept is the fuller recording, and it carries the RPE, feel and power of the other copy,
/// saying where they came from; the week's session-RPE load counts the run once, rated.
#[test]
fn copies_of_one_run_merge_what_each_knows() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // The fuller recording: 1 s samples, no RPE.
    let mut full = Activity::running(T0, steady_run(T0, 40, 3.0, 170.0));
    full.serial_number = 111;
    full.utc_offset_s = Some(0);
    write(&input, "watch.fit", &fitwriter::encode_activity(&full));
    // The second watch: the same 40 minutes every 5 s, rated RPE 6 and feel 25, power 260 W.
    let mut samples: Vec<_> = steady_run(T0, 40, 3.0, 170.0)
        .into_iter()
        .step_by(5)
        .collect();
    for s in &mut samples {
        s.power_w = Some(260);
    }
    let mut second = Activity::running(T0, samples);
    second.serial_number = 222;
    second.utc_offset_s = Some(0);
    second.sessions[0].workout_rpe_x10 = Some(60);
    second.sessions[0].workout_feel = Some(25);
    write(&input, "second.fit", &fitwriter::encode_activity(&second));
    // Another run that week, rated 4 for 30 minutes.
    run_file(&input, "other.fit", T0 + 2 * DAY, 30, Some(40), None);

    let r = report(&[&input], &tmp.path().join("out"));
    let a = &r.activities;
    assert_eq!(a.height(), 2, "the two copies count once");
    let i = row(a, "watch.fit");
    assert_eq!(num(a, "samples", i), Some(2401.0), "the fuller copy leads");
    assert_eq!(num(a, "rpe", i), Some(6.0));
    assert_eq!(num(a, "feel", i), Some(25.0));
    assert_eq!(num(a, "power_w", i), Some(260.0));
    let from = cell(a, "merged_from", i).expect("merged_from");
    assert!(
        from.starts_with("rpe, feel, power from ") && from.ends_with("second.fit"),
        "{from}"
    );
    assert!(is_null(a, "merged_from", row(a, "other.fit")));
    let f = &r.files;
    assert_eq!(
        cell(f, "status", row(f, "second.fit")).as_deref(),
        Some("duplicate")
    );

    // 6 × 40 + 4 × 30 = 360, every run rated.
    let w = weeks(&r);
    close(
        nums(&w, "srpe_load")[0],
        360.0,
        "sRPE with the merged rating",
    );
    assert_eq!(nums(&w, "runs_without_rpe"), vec![Some(0.0)]);

    // Which copy leads does not depend on the order the files are found in.
    let again = tmp.path().join("again");
    std::fs::create_dir_all(&again).unwrap();
    for (from, to) in [("watch.fit", "b.fit"), ("second.fit", "a.fit")] {
        std::fs::copy(input.join(from), again.join(to)).unwrap();
    }
    let r2 = report(&[&again], &tmp.path().join("out2"));
    let j = row(&r2.activities, "b.fit");
    assert_eq!(num(&r2.activities, "rpe", j), Some(6.0));
    assert_eq!(num(&r2.activities, "samples", j), Some(2401.0));
}
