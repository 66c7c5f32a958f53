//! Gait: walking breaks are not running. Run-walks and walks written with known running and
//! walking cadences, speeds and times.

use crate::support::course::*;
use crate::support::fitwriter::Sample;
use crate::support::*;

/// `rounds` of running for `run_s` at 2.8 m/s and `run_spm`, then brisk walking for `walk_s`
/// at 1.8 m/s (faster than the 1.5 m/s a speed threshold would take for running) and 120 spm.
fn run_walk(rounds: usize, run_s: f64, run_spm: f64, walk_s: f64) -> Vec<Leg> {
    let mut legs = Vec::new();
    for _ in 0..rounds {
        legs.push(leg(run_s * 2.8, 0.0, 2.8, run_spm));
        legs.push(leg(walk_s * 1.8, 0.0, 1.8, 120.0));
    }
    legs
}

fn later(samples: Vec<Sample>, days: i64) -> Vec<Sample> {
    samples
        .into_iter()
        .map(|s| Sample {
            t_unix: s.t_unix + days * 86_400,
            ..s
        })
        .collect()
}

#[test]
fn walking_breaks_do_not_count_as_running() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // Mostly running: five rounds of 4 min running at 156 spm and 1 min walking.
    let (mostly_run, _) = course(&run_walk(5, 240.0, 156.0, 60.0), 0.2, 0.0, 61);
    write_run(&input, "run-walk.fit", mostly_run, 1);
    // Mostly walking: six rounds of 1 min running at 158 spm and 2 min walking.
    let (mostly_walk, _) = course(&run_walk(6, 60.0, 158.0, 120.0), 0.2, 0.0, 62);
    write_run(&input, "mostly-walking.fit", later(mostly_walk, 2), 2);
    // Running throughout, at 150 spm.
    let (steady, _) = course(&run_walk(1, 1500.0, 150.0, 0.0), 0.2, 0.0, 63);
    write_run(&input, "steady.fit", later(steady, 12), 3);
    let r = report(&[&input], &tmp.path().join("out"));
    let a = &r.activities;

    let i = row(a, "run-walk.fit");
    let v = |c: &str| num(a, c, i).unwrap();
    assert_eq!(v("cadence_spm"), 156.0);
    assert_eq!(v("flat_cadence_spm"), 156.0);
    // Within a second per leg: the course may end a leg with one short step.
    assert!((v("running_s") - 1200.0).abs() <= 5.0, "{}", v("running_s"));
    assert!((v("walking_s") - 300.0).abs() <= 5.0, "{}", v("walking_s"));
    assert_eq!(cell(a, "gait", i).as_deref(), Some("run_walk"));
    // The whole distance still counts toward load.
    assert!((v("distance_m") - 5.0 * (240.0 * 2.8 + 60.0 * 1.8)).abs() <= 5.0);

    let j = row(a, "mostly-walking.fit");
    let w = |c: &str| num(a, c, j).unwrap();
    assert_eq!(
        w("cadence_spm"),
        158.0,
        "the running stretches, not the walking"
    );
    assert!(
        (w("running_s") - 360.0).abs() <= 6.0 && (w("walking_s") - 720.0).abs() <= 6.0,
        "{} {}",
        w("running_s"),
        w("walking_s")
    );
    assert_eq!(cell(a, "gait", j).as_deref(), Some("walking"));

    let k = row(a, "steady.fit");
    assert_eq!(cell(a, "gait", k).as_deref(), Some("running"));
    assert_eq!(num(a, "walking_s", k), Some(0.0));

    let f = read_parquet(&r.dir.join("findings.parquet"));
    let (keys, rules, msgs) = (strs(&f, "key"), strs(&f, "rule"), strs(&f, "message"));
    let low: Vec<(String, String)> = (0..f.height())
        .filter(|&n| rules[n].as_deref() == Some("low_cadence"))
        .map(|n| (keys[n].clone().unwrap(), msgs[n].clone().unwrap()))
        .collect();
    // The walk is never told to raise its cadence; the run-walk is judged on its running.
    assert_eq!(low.len(), 2, "{low:?}");
    assert!(!low
        .iter()
        .any(|(key, _)| key.ends_with("mostly-walking.fit")));
    let rw = low
        .iter()
        .find(|(key, _)| key.ends_with("run-walk.fit"))
        .unwrap();
    assert!(
        rw.1.contains("Median running cadence 156 spm")
            && rw.1.contains("20 % of the moving time was walking"),
        "{}",
        rw.1
    );
    let st = low
        .iter()
        .find(|(key, _)| key.ends_with("steady.fit"))
        .unwrap();
    assert_eq!(st.1, "Median cadence 150 spm is below 160 spm.");
}
