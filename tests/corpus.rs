//! The real-file corpus (`../shared/fit-corpus/`, about 300 files from public repositories, with
//! an independent decoder's manifest): every file accounted for, nothing panics, and the
//! downhill segments agree with the devices' own ascent and descent.
//!
//! The corpus sits beside the repository on the project's machines and in CI (where its
//! absence fails the test); elsewhere the test says so and checks nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::support::*;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fit-corpus");
    dir.join("manifest.csv").is_file().then_some(dir)
}

/// The manifest's rows as (file, column → value).
fn manifest(dir: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("manifest.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            // The last column (an error text) may hold commas: split only the known columns.
            let cells: Vec<&str> = l.splitn(header.len(), ',').collect();
            header
                .iter()
                .zip(cells)
                .map(|(h, c)| (h.to_string(), c.to_string()))
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
