//! A cohort end to end: generates `--athletes` runners (50 by default) with `--years` of
//! synthetic history each (1 by default; `tests/support/history.rs`, a seed per runner) as the
//! sub-folders of one folder, then times, side by side in one run and each `--repeat` times:
//!
//! - (a) athletes alone: `fitrisk report ROOT/athlete-NN --no-cache` for the first five (the
//!   baseline: their bytes over their summed times, so one athlete's quicker files do not
//!   set it);
//! - (b) the cohort cold, `fitrisk report ROOT --athletes --no-cache`;
//! - (c) the same five alone again, each over its cache (warm);
//! - (d) the cohort warm, over the caches a cold run filled.
//!
//! and reports each one's throughput in MB of input per second, the cohort's against the one
//! athlete's measured beside it (cold against cold, warm against warm).
//!
//! ```sh
//! cargo bench --bench cohort
//! cargo bench --bench cohort -- --athletes 50 --years 1 --repeat 3 --dir /tmp/cohort
//! ```

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

struct Args {
    athletes: u32,
    years: u32,
    repeat: usize,
    dir: Option<PathBuf>,
    bin: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        athletes: 50,
        years: 1,
        repeat: 3,
        dir: None,
        bin: PathBuf::from(env!("CARGO_BIN_EXE_fitrisk")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |what: &str| it.next().unwrap_or_else(|| panic!("{flag} needs {what}"));
        match flag.as_str() {
            "--athletes" => a.athletes = value("a count").parse().expect("--athletes N"),
            "--years" => a.years = value("a number of years").parse().expect("--years N"),
            "--repeat" => a.repeat = value("a count").parse().expect("--repeat N"),
            "--dir" => a.dir = Some(PathBuf::from(value("a folder"))),
            "--bin" => a.bin = PathBuf::from(value("a fitrisk binary")),
            "--bench" => {}
            other => panic!(
                "unknown argument {other}; use --athletes N, --years N, --repeat N, --dir PATH, \
                 --bin PATH"
            ),
        }
    }
    assert!(a.athletes >= 1 && a.years >= 1 && a.repeat >= 1);
    a
}

/// How many athletes are timed alone for the baseline.
const ALONE: u32 = 5;

/// Writes the cohort under `root` (made afresh); its size in bytes, and that of the first
/// [`ALONE`] athletes.
fn generate(root: &Path, athletes: u32, years: u32) -> (u64, u64) {
    if root.exists() {
        std::fs::remove_dir_all(root).expect("old cohort removed");
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut all, mut first) = (0, 0);
    for k in 1..=athletes {
        let runs = history::plan(years, u64::from(k));
        let dir = root.join(format!("athlete-{k:02}"));
        let written = history::write(&dir, &runs, threads).expect("history written");
        all += written.bytes;
        if k <= ALONE {
            first += written.bytes;
        }
    }
    (all, first)
}

fn main() {
    let args = args();
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = args
        .dir
        .clone()
        .unwrap_or_else(|| tmp.path().join("cohort"));
    let start = Instant::now();
    let (bytes, one_bytes) = generate(&root, args.athletes, args.years);
    println!(
        "cohort: {} athletes × {} year(s), {:.1} MB ({:.1} MB for the first {ALONE}), generated \
         in {:.1} s\n  in {}",
        args.athletes,
        args.years,
        mb(bytes),
        mb(one_bytes),
        start.elapsed().as_secs_f64(),
        root.display()
    );
    let log = tmp.path().join("stderr.txt");
    let (one_out, all_out) = (tmp.path().join("one"), tmp.path().join("all"));
    let run = |input: &Path, out: &Path, extra: &[&str]| {
        let mut c = Command::new(&args.bin);
        c.arg("report").arg(input).arg("-o").arg(out).arg("--quiet");
        c.args(extra).env_remove("TZ");
        measure(&mut c, &log)
    };
    let alone: Vec<PathBuf> = (1..=ALONE.min(args.athletes))
        .map(|k| root.join(format!("athlete-{k:02}")))
        .collect();
    let fresh = |out: &Path| {
        if out.exists() {
            std::fs::remove_dir_all(out).expect("old report removed");
        }
    };
    // The athletes alone, one after the other: one measurement of their summed time.
    let each = |extra: &[&str], cold: bool| {
        let mut total = Measured {
            wall: std::time::Duration::ZERO,
            peak_rss: None,
        };
        for (i, dir) in alone.iter().enumerate() {
            let out = one_out.join(i.to_string());
            if cold {
                fresh(&out);
            }
            let m = run(dir, &out, extra);
            total.wall += m.wall;
            total.peak_rss = total.peak_rss.max(m.peak_rss);
        }
        total
    };
    // Interleaved, so that the machine's drift falls on both alike.
    let (mut a, mut b, mut c, mut d): (Vec<Measured>, Vec<Measured>, Vec<_>, Vec<_>) =
        Default::default();
    for _ in 0..args.repeat {
        a.push(each(&["--no-cache"], true));
        fresh(&all_out);
        b.push(run(&root, &all_out, &["--athletes", "--no-cache"]));
    }
    each(&[], true);
    fresh(&all_out);
    run(&root, &all_out, &["--athletes"]);
    for _ in 0..args.repeat {
        c.push(each(&[], false));
        d.push(run(&root, &all_out, &["--athletes"]));
    }
    let rate = |runs: &[Measured], bytes: u64| {
        mb(bytes) / median(runs.iter().map(|m| m.wall.as_secs_f64()).collect())
    };
    let rss = |runs: &[Measured]| {
        runs.iter()
            .filter_map(|m| m.peak_rss)
            .max()
            .map_or("n/a".to_string(), |b| format!("{:.0} MB", mb(b)))
    };
    println!(
        "\n{:<40} {:>10} {:>10} {:>14}",
        "run", "median", "MB/s", "peak RSS, max"
    );
    let rows: [(&str, &[Measured], u64); 4] = [
        ("(a) 5 athletes alone, cold (--no-cache)", &a, one_bytes),
        ("(b) the cohort, cold (--no-cache)", &b, bytes),
        ("(c) 5 athletes alone, warm", &c, one_bytes),
        ("(d) the cohort, warm", &d, bytes),
    ];
    for (name, runs, n) in rows {
        let secs = median(runs.iter().map(|m| m.wall.as_secs_f64()).collect());
        println!(
            "{name:<40} {secs:>8.2} s {:>10.1} {:>14}",
            rate(runs, n),
            rss(runs)
        );
    }
    println!(
        "\ncohort ÷ athletes alone, MB/s: cold {:.3}, warm {:.3}",
        rate(&b, bytes) / rate(&a, one_bytes),
        rate(&d, bytes) / rate(&c, one_bytes)
    );
}
