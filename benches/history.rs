//! End to end over a synthetic training history (`tests/support/history.rs`; ten years, about
//! 2,600 runs, by default): generates it, then times the release `fitrisk report` on it, side by
//! side in one run:
//!
//! - (a) cold, `--no-cache` (every file decoded: the baseline);
//! - (b) cold, filling a fresh cache;
//! - (c) warm: the same history again over that cache;
//! - (d) one new run added to the history, then the re-run.
//!
//! Each is repeated (`--repeat`, 3 by default) and reported as median, min and max wall time
//! and the child's peak resident memory (`wait4`'s `ru_maxrss`), with the ratio of each median
//! to (a)'s. A binary without the cache (no `--no-cache` in `fitrisk report --help`) gets (a)
//! alone, run without the flag.
//!
//! ```sh
//! cargo bench --bench history                      # ten years in a temporary folder
//! cargo bench --bench history -- --years 10 --dir /tmp/h --repeat 5
//! ```
//!
//! `--bin` times another build of fitrisk (another branch's, `--profile dist`) on the same
//! history; the default is the one cargo built for this bench (`release`). `--dir` keeps the
//! history (a folder this bench made before is replaced, any other non-empty
//! folder refused); the runs added for (d) are removed again. "Cold" means without fitrisk's
//! cache: the history's files are in the page cache either way, as they are just written.

#[path = "../tests/support/fitwriter.rs"]
mod fitwriter;
#[path = "../tests/support/history.rs"]
mod history;
#[path = "../tests/support/history_samples.rs"]
mod history_samples;
mod timing;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use timing::{mb, measure, median, Measured};

/// Written into a history folder this bench made, so that a later run may replace it.
const MARKER: &str = ".fitrisk-history-bench";

struct Args {
    years: u32,
    seed: u64,
    repeat: usize,
    dir: Option<PathBuf>,
    bin: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        years: 10,
        seed: 1,
        repeat: 3,
        dir: None,
        bin: PathBuf::from(env!("CARGO_BIN_EXE_fitrisk")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |what: &str| it.next().unwrap_or_else(|| panic!("{flag} needs {what}"));
        match flag.as_str() {
            "--years" => a.years = value("a number of years").parse().expect("--years N"),
            "--seed" => a.seed = value("a number").parse().expect("--seed N"),
            "--repeat" => a.repeat = value("a count").parse().expect("--repeat N"),
            "--dir" => a.dir = Some(PathBuf::from(value("a folder"))),
            "--bin" => a.bin = PathBuf::from(value("a fitrisk binary")),
            // cargo bench passes `--bench` to every bench binary.
            "--bench" => {}
            other => panic!(
                "unknown argument {other}; use --years N, --seed N, --repeat N, --dir PATH, --bin PATH"
            ),
        }
    }
    assert!(
        a.years >= 1 && a.repeat >= 1,
        "--years and --repeat must be at least 1"
    );
    a
}

/// The data lines of a CSV table the report wrote (its records hold no line breaks).
fn csv_rows(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().count().saturating_sub(1)
}

/// A folder for the history: the one given (emptied if this bench made it) or a temporary one.
fn history_dir(given: Option<&Path>, tmp: &Path) -> PathBuf {
    let Some(dir) = given else {
        return tmp.join("history");
    };
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .expect("--dir readable")
            .next()
            .is_none();
        if !empty {
            assert!(
                dir.join(MARKER).exists(),
                "{} is not empty and was not made by this bench: give a new folder",
                dir.display()
            );
            std::fs::remove_dir_all(dir).expect("old history removed");
        }
    }
    dir.to_path_buf()
}

struct Variant {
    name: &'static str,
    runs: Vec<Measured>,
    activities: usize,
}

fn main() {
    let args = args();
    let fitrisk = args.bin.as_path();
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = history_dir(args.dir.as_deref(), tmp.path());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    let start = Instant::now();
    let runs = history::plan(args.years, args.seed);
    let written = history::write(&dir, &runs, threads).expect("history written");
    std::fs::write(dir.join(MARKER), b"").expect("marker written");
    let generated = start.elapsed();
    let first = runs
        .first()
        .map(history::Run::file_name)
        .unwrap_or_default();
    let last = runs.last().map(history::Run::file_name).unwrap_or_default();
    println!(
        "history: {} years (seed {}), {} files, {:.1} MB, {first} … {last}, generated in {:.1} s \
         on {threads} threads\n  in {}",
        args.years,
        args.seed,
        written.files,
        mb(written.bytes),
        generated.as_secs_f64(),
        dir.display()
    );

    let help = Command::new(fitrisk)
        .args(["report", "--help"])
        .output()
        .expect("fitrisk --help runs");
    let cached = String::from_utf8_lossy(&help.stdout).contains("--no-cache");
    println!(
        "fitrisk: {} ({})",
        fitrisk.display(),
        if cached {
            "with the per-file cache"
        } else {
            "no per-file cache: the cold run alone, without flags"
        }
    );

    let out = tmp.path().join("out");
    let log = tmp.path().join("stderr.txt");
    let report = |extra: &[&str]| {
        let mut c = Command::new(fitrisk);
        c.arg("report").arg(&dir).arg("-o").arg(&out).arg("--quiet");
        c.args(extra).env_remove("TZ");
        measure(&mut c, &log)
    };
    let fresh = || {
        if out.exists() {
            std::fs::remove_dir_all(&out).expect("old report removed");
        }
    };
    let activities = || csv_rows(&out.join("activities.csv"));
    let weeks = || csv_rows(&out.join("weeks.csv"));

    let mut variants = Vec::new();
    let cold_flags: &[&str] = if cached { &["--no-cache"] } else { &[] };
    let cold: Vec<Measured> = (0..args.repeat)
        .map(|_| {
            fresh();
            report(cold_flags)
        })
        .collect();
    let week_rows = weeks();
    variants.push(Variant {
        name: if cached {
            "(a) cold, --no-cache"
        } else {
            "(a) cold"
        },
        runs: cold,
        activities: activities(),
    });
    let mut added = Vec::new();
    if cached {
        let filling: Vec<Measured> = (0..args.repeat)
            .map(|_| {
                fresh();
                report(&[])
            })
            .collect();
        variants.push(Variant {
            name: "(b) cold, filling a fresh cache",
            runs: filling,
            activities: activities(),
        });
        let warm: Vec<Measured> = (0..args.repeat).map(|_| report(&[])).collect();
        variants.push(Variant {
            name: "(c) warm, unchanged history",
            runs: warm,
            activities: activities(),
        });
        // Each repeat adds one more run, so each re-run finds exactly one file the cache lacks.
        let one_more: Vec<Measured> = (1..=args.repeat)
            .map(|k| {
                let run = history::next_run(&runs, k as u32);
                let path = dir.join(run.file_name());
                std::fs::create_dir_all(path.parent().unwrap()).expect("year folder");
                std::fs::write(&path, run.encode()).expect("new run written");
                added.push(path);
                report(&[])
            })
            .collect();
        variants.push(Variant {
            name: "(d) warm, one new run added",
            runs: one_more,
            activities: activities(),
        });
    }
    for path in &added {
        std::fs::remove_file(path).expect("added run removed");
    }

    println!(
        "report: {} runs in activities.csv, {week_rows} weeks in weeks.csv; {} repeats each\n",
        variants[0].activities, args.repeat
    );
    let base = median(
        variants[0]
            .runs
            .iter()
            .map(|m| m.wall.as_secs_f64())
            .collect(),
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>7} {:>14} {:>10}",
        "run", "median", "min", "max", "÷ (a)", "peak RSS, max", "activities"
    );
    for v in &variants {
        let secs: Vec<f64> = v.runs.iter().map(|m| m.wall.as_secs_f64()).collect();
        let (lo, hi) = secs.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        });
        let med = median(secs);
        let rss = v
            .runs
            .iter()
            .filter_map(|m| m.peak_rss)
            .max()
            .map_or("n/a".to_string(), |b| format!("{:.0} MB", mb(b)));
        println!(
            "{:<34} {:>7.2} s {:>7.2} s {:>7.2} s {:>7.3} {:>14} {:>10}",
            v.name,
            med,
            lo,
            hi,
            med / base,
            rss,
            v.activities
        );
    }
    println!("\nthroughput of (a): {:.1} MB/s", mb(written.bytes) / base);
}
