//! The real-file corpus (`../shared/fit-corpus/`, about 300 files from public repositories, with
//! an independent decoder's manifest): every file accounted for, nothing panics, and the
//! downhill segments agree with the devices' own ascent and descent; every kept run's distance,
//! timer time, start and cadence agree with the manifest's, or differ for a reason listed here.
//!
//! The corpus sits beside the repository on the project's machines and in CI (where its
//! absence fails the test); elsewhere the test says so and checks nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::DateTime;
use polars::prelude::*;

use crate::support::findings_check;
use crate::support::*;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fit-corpus");
    dir.join("manifest.csv").is_file().then_some(dir)
}

/// The manifest's rows as (file, column → value). RFC 4180: a licence or writer cell may hold
/// quoted commas (splitting lines at commas shifted the columns of 43 rows).
fn manifest(dir: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(dir.join("manifest.csv")).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "{rec:?}");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn the_corpus_is_accounted_for_and_segments_agree_with_device_totals() {
    let Some(dir) = corpus() else {
        // In CI the corpus is always laid beside the clone: its absence is a broken setup, not
        // a pass.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but ../shared/fit-corpus/manifest.csv is missing"
        );
        eprintln!("../shared/fit-corpus not found: corpus checks not run");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let r = report(&[&dir], tmp.path());

    // Every file once; no panic; running files are never skipped, non-activities are named.
    let sources: Vec<String> = strs(&r.files, "source")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let by_file: BTreeMap<String, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.split("fit-corpus/").nth(1).unwrap().to_string(), i))
        .collect();
    assert_eq!(by_file.len(), sources.len(), "a file appears twice");
    let rows = manifest(&dir);
    let listed: BTreeSet<String> = rows.iter().map(|m| m["file"].clone()).collect();
    assert_eq!(by_file.keys().cloned().collect::<BTreeSet<_>>(), listed);
    let reasons = strs(&r.files, "reason");
    let statuses = strs(&r.files, "status");
    assert!(!reasons.iter().any(|x| x.as_deref() == Some("panic")));
    for m in &rows {
        let i = by_file[&m["file"]];
        // The Forerunner 10 "run" covers 10.2 km in 25 minutes (6.8 m/s), faster than the
        // 10,000 m record: not on foot, whatever its sport says.
        let not_on_foot = m["file"].ends_with("reference__track__garmin-forerunner-10.fit");
        if not_on_foot {
            assert_eq!(reasons[i].as_deref(), Some("not_on_foot"), "{}", m["file"]);
        } else if m["sport"] == "running" {
            assert_ne!(
                statuses[i].as_deref(),
                Some("skipped"),
                "{}: {:?}",
                m["file"],
                reasons[i]
            );
        }
        if m["category"] == "non_activity" {
            assert_eq!(reasons[i].as_deref(), Some("not_activity"), "{}", m["file"]);
        }
    }

    // Each kept run's distance, timer time, start and cadence against the manifest.
    agrees_with_the_manifest(&r, &rows);
    // Every finding's message states its value on its side of the threshold.
    let n = findings_check::check(&findings_check::read(&r.dir), "the corpus");
    assert!(n >= 10, "only {n} findings");

    // Segments against the sessions' ascent and descent.
    let seg = read_parquet(&r.dir.join("segments.parquet"));
    let (src, ses, kind) = (
        strs(&seg, "source"),
        nums(&seg, "session"),
        strs(&seg, "kind"),
    );
    let (change, grade) = (nums(&seg, "elevation_change_m"), nums(&seg, "grade_pct"));
    #[derive(Default)]
    struct Sums {
        rises: f64,
        drops: f64,
        uphill: f64,
        downhill: f64,
    }
    let mut sums: BTreeMap<(String, u32), Sums> = BTreeMap::new();
    for i in 0..seg.height() {
        let (c, g) = (change[i].unwrap(), grade[i].unwrap());
        // (a) Each segment's class matches its own mean grade (bands widened by 1 point for the
        // hysteresis between them).
        match kind[i].as_deref().unwrap() {
            "downhill" => assert!(g < -2.0, "{:?}: downhill at {g} %", src[i]),
            "uphill" => assert!(g > 2.0, "{:?}: uphill at {g} %", src[i]),
            _ => assert!(g.abs() <= 3.0, "{:?}: flat at {g} %", src[i]),
        }
        let s = sums
            .entry((src[i].clone().unwrap(), ses[i].unwrap() as u32))
            .or_default();
        s.rises += c.max(0.0);
        s.drops += (-c).max(0.0);
        match kind[i].as_deref().unwrap() {
            "uphill" => s.uphill += c,
            "downhill" => s.downhill -= c,
            _ => {}
        }
    }
    let a = &r.activities;
    let (asrc, ases) = (strs(a, "source"), nums(a, "session"));
    let (ascent, descent, dist) = (
        nums(a, "ascent_m"),
        nums(a, "descent_m"),
        nums(a, "distance_m"),
    );
    let (mut checked, mut hilly) = (0, 0);
    let (mut up_sum, mut asc_sum, mut down_sum, mut desc_sum) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..a.height() {
        let key = (asrc[i].clone().unwrap(), ases[i].unwrap() as u32);
        let (Some(s), Some(up), Some(down)) = (sums.get(&key), ascent[i], descent[i]) else {
            continue;
        };
        // (b) A segment's change is a net change of the smoothed profile, which cannot climb
        // more than the terrain: at most the device's totals, with room for devices whose own
        // counters are coarse (GPS altitude) or read 0 on flat ground.
        assert!(
            s.rises <= 1.2 * up + 15.0,
            "{key:?}: rises {} vs ascent {up}",
            s.rises
        );
        assert!(
            s.drops <= 1.2 * down + 15.0,
            "{key:?}: drops {} vs descent {down}",
            s.drops
        );
        checked += 1;
        // (c) On hilly runs the uphill and downhill segments carry a real share of the
        // climbing (the rest is short or gentle rises inside flat segments, by design).
        let km = dist[i].unwrap_or(0.0) / 1000.0;
        if up >= 100.0 && down >= 100.0 && km > 0.0 && up / km >= 10.0 {
            assert!(
                s.uphill >= 0.2 * up,
                "{key:?}: uphill {} vs ascent {up}",
                s.uphill
            );
            assert!(
                s.downhill >= 0.2 * down,
                "{key:?}: downhill {} vs descent {down}",
                s.downhill
            );
            hilly += 1;
            up_sum += s.uphill;
            asc_sum += up;
            down_sum += s.downhill;
            desc_sum += down;
        }
    }
    assert!(
        checked >= 60,
        "only {checked} runs with device totals and segments"
    );
    assert!(hilly >= 15, "only {hilly} hilly runs");
    // (d) Pooled over the hilly runs, segments hold most of the devices' climbing.
    let (up_ratio, down_ratio) = (up_sum / asc_sum, down_sum / desc_sum);
    assert!(
        (0.8..=1.05).contains(&up_ratio),
        "pooled uphill ratio {up_ratio}"
    );
    assert!(
        (0.8..=1.05).contains(&down_ratio),
        "pooled downhill ratio {down_ratio}"
    );
    eprintln!(
        "corpus: {checked} runs checked, {hilly} hilly; pooled uphill {up_ratio:.3}, downhill {down_ratio:.3}"
    );
}

/// A total the manifest and fitrisk read differently in one file, and why.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Differs {
    /// The session has no `total_timer_time` (GoldenCheetah's re-saves write none; the
    /// manifest's decoder writes 0 for an absent field): fitrisk takes the records' timer time,
    /// which lies within the elapsed time.
    TimerAbsent,
    /// The session's `total_distance` is absent or invalid (the manifest's 0) and the records
    /// carry none: fitrisk leaves the distance empty rather than writing 0.
    DistanceAbsent,
    /// The session has no `total_distance` (the manifest's 0); fitrisk rebuilds it from the
    /// records and says so (`totals_source = repaired`).
    DistanceFromRecords,
}

/// The files whose kept run differs from the manifest, each for its checked reason. The other
/// kinds of difference follow from columns and are checked for every file that has them: a
/// file of several sessions (the manifest sums all of them, fitrisk keeps the running ones),
/// a file without a session message (`totals_source = records`; the manifest has no totals),
/// a file whose clock counts from power-on (`device_time`: no start).
const EXCEPTIONS: &[(&str, Differs)] = &[
    (
        "GoldenCheetah__GoldenCheetah/test__roundtrip__3386684871-saved.fit",
        Differs::TimerAbsent,
    ),
    (
        "GoldenCheetah__GoldenCheetah/test__roundtrip__Fr955v19.28andStryd-saved.fit",
        Differs::TimerAbsent,
    ),
    (
        "dtcooper__python-fitparse/tests__files__antfs-dump.63.fit",
        Differs::DistanceAbsent,
    ),
    (
        "Runalyze__Runalyze/tests__testfiles__fit__Suunto-Ambit-3-Peak-without-final-lap.fit",
        Differs::DistanceFromRecords,
    ),
];

/// Distances and timer times: both read the session's own field (m and s to the centimetre and
/// millisecond), and the manifest writes them with one decimal, so they agree to half its last
/// digit (the tolerance `ingest.rs` uses for testdata's manifest). A distance off by 0.1 % on
/// a 5 km run fails.
const TOTAL_TOL: f64 = 0.051;

/// A column of times as Unix seconds.
fn epoch_s(df: &DataFrame, col: &str) -> Vec<Option<f64>> {
    let c = df.column(col).unwrap().cast(&DataType::Int64).unwrap();
    let ms = c.cast(&DataType::Float64).unwrap();
    ms.f64()
        .unwrap()
        .iter()
        .map(|v| v.map(|x| x / 1000.0))
        .collect()
}

/// The manifest's number in a cell (`None` when empty).
fn number(m: &BTreeMap<String, String>, col: &str) -> Option<f64> {
    m[col].parse().ok()
}

/// Every kept run against the independent decoder's manifest: distance, timer time, start and
/// cadence agree within their tolerances, or differ for a reason [`EXCEPTIONS`] names (which is
/// checked too, as is that each listed file does differ, so the list cannot go stale).
fn agrees_with_the_manifest(r: &Report, rows: &[BTreeMap<String, String>]) {
    let a = &r.activities;
    let manifest: BTreeMap<&str, &BTreeMap<String, String>> =
        rows.iter().map(|m| (m["file"].as_str(), m)).collect();
    let name = |s: &Option<String>| {
        s.as_deref()
            .unwrap()
            .split("fit-corpus/")
            .nth(1)
            .unwrap()
            .to_string()
    };
    let (src, ses) = (strs(a, "source"), nums(a, "session"));
    let (dist, timer, elapsed) = (
        nums(a, "distance_m"),
        nums(a, "duration_s"),
        nums(a, "elapsed_s"),
    );
    let (cad, cad_src, running_s) = (
        nums(a, "cadence_spm"),
        strs(a, "cadence_source"),
        nums(a, "running_s"),
    );
    let (start, totals, gait) = (
        epoch_s(a, "start_utc"),
        strs(a, "totals_source"),
        strs(a, "gait"),
    );
    let (fsrc, freason, fdetail) = (
        strs(&r.files, "source"),
        strs(&r.files, "reason"),
        strs(&r.files, "detail"),
    );
    let ledger: BTreeMap<String, usize> = (0..fsrc.len()).map(|i| (name(&fsrc[i]), i)).collect();

    // The kept sessions of each file.
    let mut files: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in src.iter().enumerate() {
        files.entry(name(s)).or_default().push(i);
    }
    let mut listed_seen = BTreeSet::new();
    let (mut compared, mut several, mut cadences) = (0, 0, 0);
    let mut ratios = Vec::new();
    for (file, runs) in &files {
        let m = manifest[file.as_str()];
        let why = EXCEPTIONS.iter().find(|e| file.ends_with(e.0)).map(|e| e.1);
        if why.is_some() {
            listed_seen.insert(file.clone());
        }
        let reason = freason[ledger[file]].as_deref();
        let sessions = number(m, "sessions").unwrap() as usize;
        let (md, mt) = (number(m, "total_distance_m"), number(m, "total_timer_s"));
        // The manifest's start: a date, or a count from device power-on (a number).
        let mstart = DateTime::parse_from_rfc3339(&m["start_time"])
            .ok()
            .map(|d| d.timestamp() as f64);
        if sessions == 0 {
            // No session message: the manifest has no totals; fitrisk rebuilt them from the
            // records and says so.
            assert!(
                md.is_none() && mt.is_none(),
                "{file}: manifest totals without a session"
            );
            for &i in runs {
                assert_eq!(totals[i].as_deref(), Some("records"), "{file}");
            }
            continue;
        }
        // Starts: a file on device time has no date (and the manifest's start is no date
        // either); otherwise the first session's start is the manifest's start to the second
        // (both read the session's `start_time`, whole seconds), and a later session's is after
        // it.
        for &i in runs {
            if reason == Some("device_time") {
                assert!(
                    start[i].is_none() && mstart.is_none(),
                    "{file}: device time {:?} {:?}",
                    start[i],
                    m["start_time"]
                );
            } else if ses[i] == Some(0.0) {
                assert_eq!(start[i], mstart, "{file}: start");
            } else {
                assert!(
                    start[i].expect(file) > mstart.expect(file),
                    "{file}: session {:?} starts before the file",
                    ses[i]
                );
            }
        }
        if sessions > 1 {
            // The manifest sums every session of the file (a triathlon's swim and ride too);
            // fitrisk keeps the running ones. All kept: the sums agree. Some kept: they are
            // part of the manifest's totals, and the ledger names the sessions left out.
            several += 1;
            let sum = |v: &[Option<f64>]| runs.iter().map(|&i| v[i].unwrap_or(0.0)).sum::<f64>();
            let (d, t) = (sum(&dist), sum(&timer));
            let tol = TOTAL_TOL * sessions as f64;
            let (md, mt) = (md.expect(file), mt.expect(file));
            if runs.len() == sessions {
                assert!(
                    (d - md).abs() <= tol,
                    "{file}: distance {d} vs {md} (all sessions kept)"
                );
                assert!(
                    (t - mt).abs() <= tol,
                    "{file}: timer {t} vs {mt} (all sessions kept)"
                );
            } else {
                assert!(
                    d <= md + tol && t <= mt + tol,
                    "{file}: kept {d} m in {t} s, more than the file's {md} m in {mt} s"
                );
                let detail = fdetail[ledger[file]].as_deref().unwrap_or("");
                assert!(
                    detail.contains("ignored"),
                    "{file}: {} of {sessions} sessions kept and the ledger says nothing: {detail}",
                    runs.len()
                );
            }
            compared += 1;
            // The manifest's cadence is one value for the file: no session's to compare with.
            continue;
        }
        let i = runs[0];
        // Distance and timer time, or the listed reason they differ.
        let dist_ok = match (dist[i], md) {
            (Some(d), Some(md)) => (d - md).abs() <= TOTAL_TOL,
            (None, None) => true,
            _ => false,
        };
        let timer_ok = matches!((timer[i], mt), (Some(t), Some(mt)) if (t - mt).abs() <= TOTAL_TOL);
        match why {
            None => {
                assert!(
                    dist_ok,
                    "{file}: distance {:?} vs the manifest's {md:?}",
                    dist[i]
                );
                assert!(
                    timer_ok,
                    "{file}: timer time {:?} vs the manifest's {mt:?}",
                    timer[i]
                );
            }
            Some(Differs::TimerAbsent) => {
                assert!(dist_ok, "{file}: distance {:?} vs {md:?}", dist[i]);
                let (t, e) = (timer[i].expect(file), elapsed[i].expect(file));
                assert!(
                    mt == Some(0.0) && t > 0.0 && t <= e,
                    "{file}: timer {t} (elapsed {e}) vs the manifest's {mt:?}"
                );
            }
            Some(Differs::DistanceAbsent) => {
                assert!(timer_ok, "{file}: timer time {:?} vs {mt:?}", timer[i]);
                assert!(
                    md == Some(0.0) && dist[i].is_none(),
                    "{file}: distance {:?} vs the manifest's {md:?}",
                    dist[i]
                );
            }
            Some(Differs::DistanceFromRecords) => {
                assert!(timer_ok, "{file}: timer time {:?} vs {mt:?}", timer[i]);
                assert!(
                    md == Some(0.0)
                        && dist[i].unwrap() > 0.0
                        && totals[i].as_deref() == Some("repaired"),
                    "{file}: distance {:?} ({:?}) vs the manifest's {md:?}",
                    dist[i],
                    totals[i]
                );
            }
        }
        if why.is_some() {
            assert!(
                !(dist_ok && timer_ok),
                "{file} agrees with the manifest now: take it off EXCEPTIONS"
            );
        }
        compared += 1;

        // Cadence. fitrisk's is the time-weighted median of the running samples (steps/min);
        // the manifest's is the session's average over the whole timer time in strides/min
        // (x 2 for steps, plus the fractional part), walking and standing included. So:
        // - the average is at most the running median + 3 % (within running, a mean and a
        //   median differ by 1-2 % on the corpus; walking and stops only lower the average);
        // - it is at least 96 % of the running median times the share of the timer time spent
        //   running (walking and standing add at least 0; 4 % for the same mean/median gap).
        // Halving or doubling cadence, or a 10 % error, breaks one bound on nearly every run.
        let mcad = number(m, "avg_running_cadence")
            .map(|c| 2.0 * (c + number(m, "avg_fractional_cadence").unwrap_or(0.0)));
        match (cad[i], mcad) {
            (Some(c), Some(mc)) if cad_src[i].as_deref() == Some("session") => {
                // The session's average, used as it is.
                assert!(
                    (c - mc).abs() <= 0.01,
                    "{file}: session cadence {c} vs {mc}"
                );
                cadences += 1;
            }
            (Some(c), Some(mc)) => {
                let share = (running_s[i].expect(file) / timer[i].expect(file)).min(1.0);
                assert!(
                    mc <= 1.03 * c,
                    "{file}: the session's average {mc:.1} spm is above the running median {c}"
                );
                assert!(
                    mc >= 0.96 * share * c,
                    "{file}: the session's average {mc:.1} spm is below {:.0} % running at {c} spm",
                    100.0 * share
                );
                if gait[i].as_deref() == Some("running") {
                    ratios.push(mc / c);
                }
                cadences += 1;
            }
            // Records whose cadence is never a running one give no running cadence.
            (None, Some(mc)) => assert_eq!(
                running_s[i],
                Some(0.0),
                "{file}: no cadence, the manifest's {mc:.1}"
            ),
            _ => {}
        }
    }
    // On runs that are running throughout, the average and the median are the same number:
    // pooled, they agree within 2 % (a cadence scaled by a few % fails here).
    ratios.sort_by(f64::total_cmp);
    let mid = ratios[ratios.len() / 2];
    assert!(
        (0.98..=1.02).contains(&mid),
        "median manifest/fitrisk cadence on running runs: {mid}"
    );
    let listed: BTreeSet<String> = EXCEPTIONS.iter().map(|e| e.0.to_string()).collect();
    assert_eq!(
        listed_seen.len(),
        listed.len(),
        "an exception names no kept run: {listed:?}"
    );
    assert!(compared >= 90 && several >= 10 && cadences >= 60 && ratios.len() >= 40, "compared {compared} files ({several} of several sessions), {cadences} cadences, {} running runs", ratios.len());
    eprintln!("manifest: {compared} files compared ({several} of several sessions), {cadences} cadences; median average/median cadence on running runs {mid:.3}");
}
