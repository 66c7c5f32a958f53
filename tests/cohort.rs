//! A squad and a cohort (`report ROOT --athletes`): each athlete's folder is what a run on it
//! alone gives, the Parquet tables form one dataset partitioned by athlete, shards written at
//! once give the same dataset as one run, `weeks` is `activities` grouped by `week_start`, and
//! the squad view has a row per athlete.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The cohort's athletes: a folder name and the testdata folder its files come from.
fn athletes() -> Vec<(&'static [u8], Option<&'static str>)> {
    vec![
        (b"anna", Some("dtcooper__python-fitparse")),
        (b"bo=b", Some("msimms__TestFilesForFitnessApps")),
        (b"caf\xe9", Some("tormoder__fit")),
        (b"empty", None),
    ]
}

const DIARY: &str = "date,pain,next_morning,location,note\n2019-02-04,4,5,left knee,\n";
const GEAR: &str = "gear,from,to\nPegasus,2010-01-01,\n";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The cohort's folder: four athletes (one without files), a diary and a gear log for two of
/// them, and a file directly under the root.
fn cohort(dir: &Path) -> PathBuf {
    let root = dir.join("root");
    for (name, from) in athletes() {
        let a = root.join(OsStr::from_bytes(name));
        std::fs::create_dir_all(&a).unwrap();
        if let Some(from) = from {
            copy_dir(&testdata().join(from), &a);
        }
    }
    std::fs::write(root.join("anna/diary.csv"), DIARY).unwrap();
    std::fs::write(root.join("bo=b/gear.csv"), GEAR).unwrap();
    std::fs::write(root.join("loose.fit"), b"not an athlete's").unwrap();
    root
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("fitrisk")
}

/// `fitrisk <args>`, which must succeed; its stdout and stderr.
fn run(args: &[&OsStr]) -> (String, String) {
    let out = Command::new(bin())
        .args(args)
        .output()
        .expect("fitrisk runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?}\n{stdout}\n{stderr}");
    (stdout, stderr)
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// Every file under `dir`, by its path below it, with its bytes (caches left out).
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.file_name() == Some(os(".fitrisk-cache")) {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

const AS_OF: &str = "2021-09-27";

#[test]
fn each_athlete_is_a_single_run_and_the_tables_are_one_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let root = cohort(tmp.path());
    let out = tmp.path().join("out");
    let (stdout, stderr) = run(&[
        os("report"),
        root.as_os_str(),
        os("--athletes"),
        os("-o"),
        out.as_os_str(),
        os("--format"),
        os("parquet,csv,xlsx"),
        os("--as-of"),
        os(AS_OF),
    ]);
    assert!(
        stderr.contains("loose.fit"),
        "the file under the root is named: {stderr}"
    );
    assert!(stdout.contains("squad      4 athletes"), "{stdout}");

    for (name, from) in athletes() {
        let folder = match name {
            b"bo=b" => "bo%3Db".to_string(),
            b"caf\xe9" => "caf\u{FFFD}E9".to_string(),
            n => String::from_utf8(n.to_vec()).unwrap(),
        };
        let mine = out.join("athletes").join(&folder);
        if from.is_none() {
            // No activity files: empty tables, still a partition of the dataset.
            let a = read_parquet(
                &out.join("activities")
                    .join(format!("athlete={folder}"))
                    .join("part-0.parquet"),
            );
            assert_eq!(a.height(), 0);
            continue;
        }
        // The same athlete alone, as the README says a run on its folder is given.
        let dir = root.join(OsStr::from_bytes(name));
        let single = tmp.path().join(format!("single-{}", folder.len()));
        let mut args = vec![os("report"), dir.as_os_str(), os("-o"), single.as_os_str()];
        args.extend([os("--format"), os("parquet,csv,xlsx"), os("-q")]);
        let (diary, gear) = (dir.join("diary.csv"), dir.join("gear.csv"));
        if diary.is_file() {
            args.extend([os("--diary"), diary.as_os_str()]);
        }
        if gear.is_file() {
            args.extend([os("--gear"), gear.as_os_str()]);
        }
        run(&args);
        let (theirs, ours) = (files(&single), files(&mine));
        for (path, bytes) in &theirs {
            let stem = path.file_stem().unwrap().to_str().unwrap();
            if path.extension() == Some(os("parquet")) {
                let hive = out
                    .join(stem)
                    .join(format!("athlete={folder}"))
                    .join("part-0.parquet");
                assert!(
                    std::fs::read(&hive).unwrap() == *bytes,
                    "{folder}: {stem}.parquet differs"
                );
            } else if path.extension() == Some(os("xlsx")) {
                // The workbook carries its time of writing: its sheets must agree.
                assert!(ours.contains_key(path), "{folder}: no workbook");
            } else {
                assert!(
                    ours.get(path) == Some(bytes),
                    "{folder}: {} differs",
                    path.display()
                );
            }
        }
        // Nothing more than the single run wrote, and no Parquet beside the CSV.
        for path in ours.keys() {
            assert!(
                theirs.contains_key(path),
                "{folder}: {} extra",
                path.display()
            );
            assert_ne!(path.extension(), Some(os("parquet")));
        }
    }

    // The squad view: a row per athlete, the empty one included.
    let squad = std::fs::read_to_string(out.join("squad.csv")).unwrap();
    let lines: Vec<&str> = squad.lines().collect();
    assert_eq!(lines.len(), 5, "{squad}");
    assert!(lines[1].starts_with("anna,anna,true,"), "{squad}");
    assert!(lines[2].starts_with("bo=b,bo%3Db,true,"), "{squad}");
    assert!(lines[4].starts_with("empty,empty,true,0,"), "{squad}");
    let html = std::fs::read_to_string(out.join("squad.html")).unwrap();
    assert_eq!(html.matches("<tr data-athlete=").count(), 4);
    assert!(
        html.contains("href=\"athletes/bo%253Db/report.html\""),
        "a link that resolves"
    );
}

/// The dataset's Parquet files, by path.
fn dataset(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files(out)
        .into_iter()
        .filter(|(p, _)| p.extension() == Some(os("parquet")))
        .collect()
}

#[test]
fn shards_written_at_once_give_the_dataset_of_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = cohort(tmp.path());
    let whole = tmp.path().join("whole");
    run(&[
        os("report"),
        root.as_os_str(),
        os("--athletes"),
        os("-o"),
        whole.as_os_str(),
        os("-q"),
        os("--as-of"),
        os(AS_OF),
    ]);
    let shared = tmp.path().join("shared");
    let children: Vec<_> = ["1/2", "2/2"]
        .iter()
        .map(|k| {
            Command::new(bin())
                .args([
                    os("report"),
                    root.as_os_str(),
                    os("--athletes"),
                    os("--shard"),
                    os(k),
                ])
                .args([os("-o"), shared.as_os_str(), os("-q")])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    assert!(
        !shared.join("squad.csv").exists(),
        "a shard leaves the view to `fitrisk squad`"
    );
    run(&[os("squad"), shared.as_os_str(), os("--as-of"), os(AS_OF)]);
    let (a, b) = (dataset(&whole), dataset(&shared));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(
        a.len() == 4 * 6,
        "six tables for each of four athletes: {}",
        a.len()
    );
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{} differs", path.display());
    }
    for f in ["squad.csv", "squad.html"] {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(shared.join(f)).unwrap(),
            "{f}"
        );
    }
    // Each athlete is in exactly one shard.
    let one = tmp.path().join("one");
    run(&[
        os("report"),
        root.as_os_str(),
        os("--athletes"),
        os("--shard"),
        os("1/2"),
        os("-o"),
        one.as_os_str(),
        os("-q"),
    ]);
    let two = tmp.path().join("two");
    run(&[
        os("report"),
        root.as_os_str(),
        os("--athletes"),
        os("--shard"),
        os("2/2"),
        os("-o"),
        two.as_os_str(),
        os("-q"),
    ]);
    let names = |d: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(d.join("athletes")).map_or(Vec::new(), |r| {
            r.map(|e| e.unwrap().path().file_name().unwrap().into())
                .collect()
        })
    };
    let (n1, n2) = (names(&one), names(&two));
    assert_eq!(n1.len() + n2.len(), 4, "{n1:?} {n2:?}");
    assert!(n1.iter().all(|n| !n2.contains(n)));
}

#[test]
fn weeks_are_activities_grouped_by_week_start() {
    let tmp = tempfile::tempdir().unwrap();
    let root = cohort(tmp.path());
    let out = tmp.path().join("out");
    for week_start in ["monday", "sunday"] {
        run(&[
            os("report"),
            root.as_os_str(),
            os("--athletes"),
            os("-o"),
            out.as_os_str(),
            os("-q"),
            os("--week-start"),
            os(week_start),
        ]);
        let mut checked = 0;
        for e in std::fs::read_dir(out.join("weeks")).unwrap() {
            let part = e.unwrap().file_name();
            let w = read_parquet(&out.join("weeks").join(&part).join("part-0.parquet"));
            let a = read_parquet(&out.join("activities").join(&part).join("part-0.parquet"));
            let key = |df: &polars::prelude::DataFrame, c: &str| -> Vec<String> {
                (0..df.height())
                    .map(|i| df.column(c).unwrap().get(i).unwrap().to_string())
                    .collect()
            };
            // GROUP BY week_start: count and sum.
            let mut grouped: BTreeMap<String, (u32, f64)> = BTreeMap::new();
            let (starts, dist) = (key(&a, "week_start"), nums(&a, "distance_m"));
            for (s, d) in starts.iter().zip(dist) {
                if s != "null" {
                    let g = grouped.entry(s.clone()).or_default();
                    g.0 += 1;
                    g.1 += d.unwrap_or(0.0);
                }
            }
            let (weeks, runs, distance) = (
                key(&w, "week_start"),
                nums(&w, "runs"),
                nums(&w, "distance_m"),
            );
            for (i, s) in weeks.iter().enumerate() {
                let (n, m) = grouped.remove(s).unwrap_or_default();
                assert_eq!(runs[i], Some(f64::from(n)), "{part:?} {s}");
                assert!((distance[i].unwrap() - m).abs() < 1e-6, "{part:?} {s}");
                checked += 1;
            }
            assert!(grouped.is_empty(), "runs counted in no week: {grouped:?}");
        }
        assert!(checked > 100, "{checked} weeks");
    }
}

#[test]
fn an_athlete_that_cannot_be_reported_does_not_stop_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let root = cohort(tmp.path());
    // Not a diary: its header is wrong, which stops that athlete's report.
    std::fs::write(root.join("bo=b/diary.csv"), "day,how bad\n2021-01-01,4\n").unwrap();
    let out = tmp.path().join("out");
    let done = Command::new(bin())
        .args([
            os("report"),
            root.as_os_str(),
            os("--athletes"),
            os("-o"),
            out.as_os_str(),
        ])
        .args([os("--as-of"), os(AS_OF)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("athlete bo%3Db not reported"), "{stderr}");
    let squad = std::fs::read_to_string(out.join("squad.csv")).unwrap();
    assert!(squad.contains("\nbo=b,bo%3Db,false,"), "{squad}");
    assert!(squad.contains("\nanna,anna,true,"), "{squad}");
    // The athletes after it were reported.
    assert!(out
        .join("activities/athlete=empty/part-0.parquet")
        .is_file());
    assert!(out
        .join("activities/athlete=caf\u{FFFD}E9/part-0.parquet")
        .is_file());
}
