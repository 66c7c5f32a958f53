//! Weekly load: a 16-week history with known totals in a non-UTC zone.

use std::path::Path;

use crate::support::fitwriter::{self, sport, sub_sport, Activity, Sample, Session};
use crate::support::*;

/// Local midnight of Monday 2024-01-01 in UTC+2, as UTC seconds.
const MONDAY: i64 = 1_704_067_200 - 7200;
const OFFSET: i32 = 7200;
const DAY: i64 = 86_400;

/// Samples every 5 s along a straight line at 3.2 m/s, for `distance` metres.
fn samples(start: i64, distance: f64, with_gps: bool) -> Vec<Sample> {
    let speed = 3.2;
    let n = (distance / speed / 5.0).ceil() as i64;
    (0..=n)
        .map(|i| {
            let d = (i as f64 * 5.0 * speed).min(distance);
            Sample {
                distance_m: Some(d),
                altitude_m: Some(50.0),
                speed_mps: Some(speed),
                cadence_spm: Some(172.0),
                lat_deg: with_gps.then_some(52.0 + d / 111_195.0),
                lon_deg: with_gps.then_some(4.0),
                ..Sample::at(start + i * 5)
            }
        })
        .collect()
}

struct Run {
    /// UTC start.
    t: i64,
    distance_m: f64,
    kind: &'static str,
}

/// The history: three runs a week (Tue, Thu 07:00 local; Sat long run 08:00), with
/// - week 4 up 12 % on week 3 (a ramp);
/// - week 6 without running (a gap);
/// - week 9's Saturday long run far longer than any before (a spike week);
/// - a run at 23:30 UTC on the Sunday closing week 11, which is Monday 01:30 local: week 12;
/// - a treadmill run in week 13 (counts) and a ride in week 14 (does not).
fn history() -> Vec<Run> {
    let weekly_long = [
        8000.0, 8000.0, 8500.0, 8500.0, 9000.0, 9000.0, 0.0, 8000.0, 8000.0, 14000.0, 9000.0,
        9000.0, 9000.0, 9000.0, 9000.0, 9500.0,
    ];
    let mut runs = Vec::new();
    for (w, long) in weekly_long.iter().enumerate() {
        if *long == 0.0 {
            continue;
        }
        let monday = MONDAY + w as i64 * 7 * DAY;
        // Week 3 is 20 500 m; week 4's Tuesday makes it 22 960 m, +12 %.
        let easy = if w == 4 { 7960.0 } else { 6000.0 };
        runs.push(Run {
            t: monday + DAY + 7 * 3600,
            distance_m: easy,
            kind: "run",
        });
        let thursday_kind = if w == 13 { "treadmill" } else { "run" };
        runs.push(Run {
            t: monday + 3 * DAY + 7 * 3600,
            distance_m: 6000.0,
            kind: thursday_kind,
        });
        runs.push(Run {
            t: monday + 5 * DAY + 8 * 3600,
            distance_m: *long,
            kind: "run",
        });
    }
    // Sunday 23:30 UTC closing week 11 = Monday 01:30 local, week 12.
    runs.push(Run {
        t: MONDAY + 12 * 7 * DAY + 7200 - 1800,
        distance_m: 5000.0,
        kind: "run",
    });
    runs.push(Run {
        t: MONDAY + 14 * 7 * DAY + 2 * DAY + 17 * 3600,
        distance_m: 40_000.0,
        kind: "ride",
    });
    runs
}

fn write_history(dir: &Path) -> Vec<Run> {
    let runs = history();
    for (i, r) in runs.iter().enumerate() {
        let (sp, sub, gps) = match r.kind {
            "treadmill" => (sport::RUNNING, sub_sport::TREADMILL, false),
            "ride" => (sport::CYCLING, sub_sport::GENERIC, true),
            _ => (sport::RUNNING, sub_sport::GENERIC, true),
        };
        let mut a = Activity::running(r.t, Vec::new());
        a.sessions = vec![Session::new(sp, sub, samples(r.t, r.distance_m, gps))];
        a.serial_number = 1000 + i as u32;
        a.utc_offset_s = Some(OFFSET);
        write(
            dir,
            &format!("{i:03}_{}.fit", r.kind),
            &fitwriter::encode_activity(&a),
        );
    }
    runs
}

/// A plain, day-by-day reference computation of the expected weekly rows.
struct Expected {
    distance: Vec<f64>,
    runs: Vec<u32>,
    daily: Vec<f64>,
}

fn expected(runs: &[Run], n_weeks: usize) -> Expected {
    let mut e = Expected {
        distance: vec![0.0; n_weeks],
        runs: vec![0; n_weeks],
        daily: vec![0.0; n_weeks * 7],
    };
    for r in runs.iter().filter(|r| r.kind != "ride") {
        let day = ((r.t + OFFSET as i64) - (MONDAY + OFFSET as i64)).div_euclid(DAY) as usize;
        e.daily[day] += r.distance_m;
        e.distance[day / 7] += r.distance_m;
        e.runs[day / 7] += 1;
    }
    e
}

fn close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(x), Some(y)) => assert!((x - y).abs() <= 0.01, "{what}: {x} vs {y}"),
        (None, None) => {}
        _ => panic!("{what}: {a:?} vs {b:?}"),
    }
}

#[test]
fn sixteen_weeks_of_known_load_in_utc_plus_two() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let runs = write_history(&input);
    let mut weeks_csv = Vec::new();
    for (k, tz) in ["UTC", "America/Los_Angeles", "Asia/Tokyo"]
        .iter()
        .enumerate()
    {
        let out = tmp.path().join(format!("out{k}"));
        let r = report_with(&[&input], &out, &[], &[("TZ", tz)]);
        weeks_csv.push(std::fs::read_to_string(out.join("weeks.csv")).unwrap());
        if k > 0 {
            continue;
        }
        let w = read_parquet(&out.join("weeks.parquet"));
        assert_eq!(w.height(), 16, "every week from the first run to the last");
        let e = expected(&runs, 16);
        let col = |c: &str| nums(&w, c);
        let flag = |c: &str| -> Vec<bool> {
            w.column(c)
                .unwrap()
                .bool()
                .unwrap()
                .iter()
                .map(|x| x.unwrap())
                .collect()
        };
        let starts: Vec<String> = (0..16)
            .map(|i| w.column("week_start").unwrap().get(i).unwrap().to_string())
            .collect();
        assert_eq!(starts[0], "2024-01-01");
        assert_eq!(starts[15], "2024-04-15");
        assert_eq!(col("iso_week")[0], Some(1.0));
        let (dist, nruns) = (col("distance_m"), col("runs"));
        for i in 0..16 {
            close(dist[i], Some(e.distance[i]), &format!("week {i} distance"));
            assert_eq!(nruns[i], Some(e.runs[i] as f64), "week {i} runs");
        }
        // The boundary run is Monday local: week 12 has four runs, week 11 three.
        assert_eq!(nruns[11], Some(3.0));
        assert_eq!(nruns[12], Some(4.0));
        // The treadmill run counts, the ride does not.
        assert_eq!(nruns[13], Some(3.0));
        assert_eq!(nruns[14], Some(3.0));
        assert_eq!(col("treadmill_m")[13], Some(6000.0));
        // The gap week: zero, and no change can be computed after it.
        assert_eq!(dist[6], Some(0.0));
        assert_eq!(col("change_pct")[7], None);
        // Week 4 is up 12 % on week 3, week 9 (the spike) 30 % on week 8 and on week 7.
        close(col("change_pct")[4], Some(12.0), "week 4 change");
        close(col("change_pct")[9], Some(30.0), "week 9 change");
        close(col("change_2w_pct")[9], Some(30.0), "week 9 2-week change");
        let ramp = flag("flag_ramp");
        // Against the larger of last week and the usual load (the median of the four weeks
        // before; none of them is in a break here), from a base of at least 5 km.
        let usual = |i: usize| {
            let mut v: Vec<f64> = e.distance[i - 4..i].to_vec();
            v.sort_by(f64::total_cmp);
            (v[1] + v[2]) / 2.0
        };
        let expected_ramp: Vec<usize> = (4..16)
            .filter(|&i| {
                let reference = e.distance[i - 1].max(usual(i));
                reference >= 5000.0 && e.distance[i] > 1.1 * reference
            })
            .collect();
        for (i, u) in col("usual_m").iter().enumerate() {
            close(*u, (i >= 4).then(|| usual(i)), &format!("week {i} usual"));
        }
        assert_eq!(
            (0..16).filter(|&i| ramp[i]).collect::<Vec<_>>(),
            expected_ramp
        );
        assert!(ramp[4] && ramp[9]);
        // Ratios on each week's last day, from the day-by-day reference.
        let (acwr, unc, ewma) = (col("acwr"), col("acwr_uncoupled"), col("acwr_ewma"));
        let complete = flag("chronic_complete");
        let flags = flag("flag_acwr");
        let (mut ea, mut ec) = (0.0, 0.0);
        let mut ew = Vec::new();
        for d in 0..16 * 7 {
            ea = 0.25 * e.daily[d] + 0.75 * ea;
            ec = (2.0 / 29.0) * e.daily[d] + (1.0 - 2.0 / 29.0) * ec;
            ew.push((ea, ec));
        }
        let first_run_day = e.daily.iter().position(|&x| x > 0.0).unwrap();
        for i in 0..16 {
            let last = i * 7 + 6;
            let sum = |from: i64, to: i64| -> f64 {
                (from.max(0)..=to).map(|d| e.daily[d as usize]).sum()
            };
            let acute = sum(last as i64 - 6, last as i64);
            let chronic = sum(last as i64 - 27, last as i64);
            let before = sum(last as i64 - 27, last as i64 - 7);
            close(
                col("acute_7d_m")[i],
                Some(acute),
                &format!("week {i} acute"),
            );
            close(
                col("chronic_28d_m")[i],
                Some(chronic),
                &format!("week {i} chronic"),
            );
            let want = (chronic > 0.0).then(|| acute / (chronic / 4.0));
            close(acwr[i], want, &format!("week {i} acwr"));
            close(
                unc[i],
                (before > 0.0).then(|| acute / (before / 3.0)),
                &format!("week {i} uncoupled"),
            );
            close(
                ewma[i],
                Some(ew[last].0 / ew[last].1),
                &format!("week {i} ewma"),
            );
            assert_eq!(
                complete[i],
                last + 1 >= first_run_day + 28,
                "week {i} complete"
            );
            let out_of_band =
                want.is_some_and(|r| (r > 1.5 && acute >= 5000.0) || (r < 0.8 && e.runs[i] > 0));
            assert_eq!(flags[i], complete[i] && out_of_band, "week {i} acwr flag");
        }
        // By hand: week 9 = 6000 + 6000 + 14000 = 26000 m; weeks 6..9 = 0 + 20000 + 20000 +
        // 26000 = 66000 m, so acwr = 26000 / 16500 = 1.58, in the danger zone.
        close(
            acwr[9],
            Some(26000.0 / (66000.0 / 4.0)),
            "week 9 acwr by hand",
        );
        assert!(flags[9]);
        // Findings: week 9's ratio (above 1.5, below 2.0) is a watch finding, and it is the
        // one finding of that week's rise (the ramps of the same week are not repeated); the
        // idle week 6 is neither flagged (no running) nor a finding.
        let f = read_parquet(&out.join("findings.parquet"));
        let (rules, keys, sev) = (strs(&f, "rule"), strs(&f, "key"), strs(&f, "severity"));
        let week_rows: Vec<(String, String, String)> = (0..f.height())
            .filter(|&i| {
                matches!(
                    rules[i].as_deref(),
                    Some("acwr") | Some("ramp") | Some("ramp_2w")
                )
            })
            .map(|i| {
                (
                    rules[i].clone().unwrap(),
                    keys[i].clone().unwrap(),
                    sev[i].clone().unwrap(),
                )
            })
            .collect();
        assert!(
            week_rows.contains(&("acwr".to_string(), starts[9].clone(), "watch".to_string())),
            "{week_rows:?}"
        );
        assert_eq!(
            week_rows.iter().filter(|r| r.1 == starts[9]).count(),
            1,
            "{week_rows:?}"
        );
        assert!(
            !flags[6] && !week_rows.iter().any(|r| r.1 == starts[6]),
            "{week_rows:?}"
        );
        // Long-run spike: week 9's 14 km Saturday vs 8 km the longest of the 30 days before.
        let a = &r.activities;
        let spikes: Vec<bool> = a
            .column("flag_long_run_spike")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|x| x.unwrap())
            .collect();
        let longest = nums(a, "longest_prev_30d_m");
        let dists = nums(a, "distance_m");
        let spike_rows: Vec<usize> = (0..a.height()).filter(|&i| spikes[i]).collect();
        let the_spike = (0..a.height())
            .find(|&i| dists[i] == Some(14000.0))
            .unwrap();
        assert!(spike_rows.contains(&the_spike), "{spike_rows:?}");
        assert_eq!(longest[the_spike], Some(9000.0));
        for &i in &spike_rows {
            assert!(dists[i].unwrap() > 1.1 * longest[i].unwrap());
        }
        // All runs but the treadmill one are road: four road-only weeks are flagged from week 3
        // on, and no window holding the treadmill week is.
        let nv = flag("flag_no_variety");
        assert!(nv[3]);
        assert!(!nv[13] && !nv[14] && !nv[15]);
    }
    assert_eq!(weeks_csv[0], weeks_csv[1]);
    assert_eq!(weeks_csv[0], weeks_csv[2]);
}

#[test]
fn sunday_weeks_move_the_boundary() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write_history(&input);
    let out = tmp.path().join("out");
    report_with(&[&input], &out, &["--week-start", "sunday"], &[]);
    let w = read_parquet(&out.join("weeks.parquet"));
    let first = w.column("week_start").unwrap().get(0).unwrap().to_string();
    assert_eq!(first, "2023-12-31");
    // Sunday weeks: the Saturday long run and the next Tuesday/Thursday are in different weeks,
    // but the total over all weeks is the same.
    let total: f64 = nums(&w, "distance_m").iter().map(|x| x.unwrap()).sum();
    let want: f64 = history()
        .iter()
        .filter(|r| r.kind != "ride")
        .map(|r| r.distance_m)
        .sum();
    assert!((total - want).abs() < 0.01);
}
