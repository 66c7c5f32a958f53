//! The mutation test: seeded damage to the `testdata/` files, run through the same per-file
//! function the workers call ([`process_one`]), in process.
//!
//! Each mutant gets one to three mutations: field values overwritten with 0, all-ones, the
//! largest and the smallest signed value (`0x7F…`, `0x80…`) at real field positions found by
//! walking the FIT structure; bit flips; truncations; inserted and deleted chunks; changed
//! definition messages; bad headers; data messages pointed at undefined local message types.
//!
//! What a user relies on, checked here:
//! - the undamaged originals give exactly their runs: the same status, reason and runs as a
//!   plain report's pass over `testdata/`, and what an independent decoder found in them
//!   (`testdata/expected.csv`: sessions, sport, damage, undated clocks, cadence);
//! - every mutant gives one ledger row for itself, never a `panic` row, with a status and
//!   reason that docs/methodology.md's ledger table pairs, and that fit what was done to it:
//!   a changed file is never `ok`, a truncated one never keeps more samples than its
//!   original, and no mutant keeps more runs, samples or distance than its original (beyond
//!   a stated allowance);
//! - every run kept is inside the invariants ([`invariants::violations`]: physical limits, not
//!   the guard's settings);
//! - most damaged running files still keep their run (a floor on the share);
//! - the process's peak memory stays bounded.
//!
//! `FITRISK_MUTATIONS` (default 2,000) and `FITRISK_MUTATION_SEED` (default 16) change the
//! scale and the seed (`FITRISK_MUTATIONS=50000 cargo test --lib mutat`); `FITRISK_MUTANT=n`
//! runs only mutant `n` and prints its row.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::process_one;
use crate::analyse::invariants;
use crate::config::Config;
use crate::discover::{Member, Payload};
use crate::model::{Reason, Status};

/// A small, fast, seeded generator (xorshift64*): the same seed gives the same mutants.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Where a FIT file's messages are: field values of data messages (offset, size) and the
/// offsets of definition and data message headers, from walking its structure.
#[derive(Default)]
pub(super) struct Layout {
    pub(super) fields: Vec<(usize, usize)>,
    pub(super) definitions: Vec<usize>,
    pub(super) data_headers: Vec<usize>,
}

/// Walks the first FIT file in `b` as far as it is well formed.
pub(super) fn layout(b: &[u8]) -> Layout {
    let mut out = Layout::default();
    if b.len() < 12 {
        return out;
    }
    let header = b[0] as usize;
    let size = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    let end = (header + size).min(b.len().saturating_sub(2));
    let mut defs: [Option<Vec<usize>>; 16] = Default::default();
    let mut at = header;
    while at < end {
        let h = b[at];
        if h & 0x80 != 0 {
            let Some(sizes) = &defs[((h >> 5) & 0x3) as usize] else {
                return out;
            };
            out.data_headers.push(at);
            at = push_fields(&mut out, at + 1, sizes);
        } else if h & 0x40 != 0 {
            out.definitions.push(at);
            let n = *b.get(at + 5).unwrap_or(&0) as usize;
            let mut sizes: Vec<usize> = (0..n)
                .map(|k| *b.get(at + 6 + 3 * k + 1).unwrap_or(&1) as usize)
                .collect();
            at += 6 + 3 * n;
            if h & 0x20 != 0 {
                let d = *b.get(at).unwrap_or(&0) as usize;
                sizes.extend((0..d).map(|k| *b.get(at + 1 + 3 * k + 1).unwrap_or(&1) as usize));
                at += 1 + 3 * d;
            }
            defs[(h & 0x0F) as usize] = Some(sizes);
        } else {
            let Some(sizes) = &defs[(h & 0x0F) as usize] else {
                return out;
            };
            out.data_headers.push(at);
            at = push_fields(&mut out, at + 1, sizes);
        }
    }
    out
}

fn push_fields(out: &mut Layout, mut at: usize, sizes: &[usize]) -> usize {
    for &s in sizes {
        if s > 0 {
            out.fields.push((at, s));
        }
        at += s;
    }
    at
}

/// Applies one random mutation to `b`; returns its name.
fn mutate(b: &mut Vec<u8>, r: &mut Rng) -> &'static str {
    let lay = layout(b);
    let len = b.len().max(1);
    match r.below(10) {
        0..=2 if !lay.fields.is_empty() => {
            let (at, size) = lay.fields[r.below(lay.fields.len())];
            let size = size.min(8);
            let value: u64 = match r.below(4) {
                0 => 0,
                1 => u64::MAX,
                2 => (1 << (8 * size - 1)) - 1, // 0x7F…: the largest signed value
                _ => 1 << (8 * size - 1),       // 0x80…: the smallest signed value
            };
            for k in 0..size {
                if let Some(x) = b.get_mut(at + k) {
                    *x = (value >> (8 * k)) as u8;
                }
            }
            "field value"
        }
        3 => {
            let bit = r.below(8 * len);
            if let Some(x) = b.get_mut(bit / 8) {
                *x ^= 1 << (bit % 8);
            }
            "bit flip"
        }
        4 => {
            b.truncate(r.below(len));
            "truncation"
        }
        5 => {
            let at = r.below(len);
            let n = 1 + r.below(64);
            let chunk: Vec<u8> = (0..n).map(|_| r.next() as u8).collect();
            b.splice(at..at, chunk);
            "inserted chunk"
        }
        6 => {
            let at = r.below(len);
            let end = (at + 1 + r.below(64)).min(b.len());
            b.drain(at..end);
            "deleted chunk"
        }
        7 if !lay.definitions.is_empty() => {
            let at = lay.definitions[r.below(lay.definitions.len())];
            // Global message number, field count, or one field's number, size or base type.
            let n = *b.get(at + 5).unwrap_or(&0) as usize;
            let target = match r.below(3) {
                0 => at + 3 + r.below(2),
                1 => at + 5,
                _ => at + 6 + 3 * r.below(n.max(1)) + r.below(3),
            };
            if let Some(x) = b.get_mut(target) {
                *x = r.next() as u8;
            }
            "definition"
        }
        8 => {
            let at = r.below(14.min(len));
            if let Some(x) = b.get_mut(at) {
                *x = r.next() as u8;
            }
            "header"
        }
        _ if !lay.data_headers.is_empty() => {
            let at = lay.data_headers[r.below(lay.data_headers.len())];
            b[at] = if b[at] & 0x80 != 0 {
                b[at] ^ 0x60 // another compressed-time-stamp local type
            } else {
                (b[at] & 0xF0) | 0x0F // local type 15, rarely defined
            };
            "undefined local type"
        }
        _ => {
            let bit = r.below(8 * len);
            if let Some(x) = b.get_mut(bit / 8) {
                *x ^= 1 << (bit % 8);
            }
            "bit flip"
        }
    }
}

pub(super) fn member(seq: usize, source: String, bytes: Vec<u8>) -> Member {
    Member {
        seq,
        source,
        progress_bytes: bytes.len() as u64,
        payload: Payload::Bytes(bytes),
        stamp: None,
        max_bytes: 64_000_000,
    }
}

pub(super) fn fit_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            fit_files(&p, out);
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("fit")) {
            out.push(p);
        }
    }
}

/// Peak resident memory of this process, bytes (Linux; `None` elsewhere).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn env_u64(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Mutants may keep a little more than their original: totals rebuilt from the records when a
/// mutation damages the session message can exceed the session's own (the track run: 7,205 m
/// of records for a session of 7,200 m), and an inserted chunk can decode as a record. As
/// (share, absolute): samples, and distance in m.
const MORE_SAMPLES: (f64, f64) = (0.01, 2.0);
const MORE_DISTANCE_M: (f64, f64) = (0.01, 20.0);

/// The share of mutants of running files that keep a run never falls below this. Measured:
/// 85.2 % (1,404 of 1,648; seed 16, 2,000 mutants). Checked from 1,000 such mutants on, where
/// chance moves the share by about 1 point.
const KEEP_FLOOR: f64 = 0.82;

/// Invariants the guard does not yet keep for every mutant, each with the share of kept runs
/// that may break it (about twice the share measured at seed 16, 2,000 mutants), so that the
/// gap cannot grow unseen; any other violation fails at once. Each is a bug in the guard, not a
/// licence: when it is fixed, its line goes.
const KNOWN_GAPS: [(&str, f64, &str); 3] = [
    (
        "the run does not last",
        0.03,
        "a run kept without any time: its session's totals and all but one of its records \
         lost to the damage, yet counted as a run (22 of 1,404 runs)",
    ),
    (
        "> the run's",
        0.008,
        "its samples stand for more time than the run's elapsed time, records out of time \
         order after a deleted chunk (5 of 1,404 runs)",
    ),
    (
        "in a run of",
        0.006,
        "a grade segment longer than the run's elapsed time, as above (4 of 1,404 runs)",
    ),
];

/// What `process_one` gave for a file: its status, reason, runs, and its runs' samples and
/// distance (m).
#[derive(Clone, Debug, PartialEq)]
struct Gave {
    status: Status,
    reason: Option<Reason>,
    runs: usize,
    samples: u64,
    distance_m: f64,
}

fn gave(o: &crate::model::Outcome) -> Gave {
    Gave {
        status: o.row.status,
        reason: o.row.reason,
        runs: o.runs.len(),
        samples: o.runs.iter().map(|r| u64::from(r.samples)).sum(),
        distance_m: o.runs.iter().filter_map(|r| r.distance_m).sum(),
    }
}

/// Which statuses docs/methodology.md's ledger table allows with each reason (`| \`reason\` |
/// status |`): the statuses the README and the docs promise.
fn documented_reasons() -> BTreeMap<String, Vec<Status>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/methodology.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, reason, status, ..] = cells[..] else {
            continue;
        };
        let Some(reason) = reason.strip_prefix('`').and_then(|r| r.strip_suffix('`')) else {
            continue;
        };
        let statuses: Vec<Status> = [Status::Warning, Status::Skipped, Status::Duplicate]
            .into_iter()
            .filter(|s| status.contains(s.as_str()))
            .collect();
        if !statuses.is_empty() {
            out.insert(reason.to_string(), statuses);
        }
    }
    assert!(
        out.len() >= 15,
        "docs/methodology.md's ledger table not found: {out:?}"
    );
    out
}

/// One file of `testdata/expected.csv`: what the independent decoder (Python fitdecode) read.
struct Expected {
    sessions: u32,
    sport: String,
    category: String,
    /// The start time is a date (not seconds since the device was switched on).
    dated: bool,
    /// It decoded without error in strict mode.
    intact: bool,
    /// The session's average cadence, steps/min (its strides/min, with the fraction, × 2).
    cadence_spm: Option<f64>,
}

/// `testdata/expected.csv`, by path relative to `testdata/` (it has no quoted commas).
fn expected(testdata: &Path) -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(testdata.join("expected.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let num = |name: &str| c[col(name)].parse::<f64>().ok();
            let e = Expected {
                sessions: c[col("sessions")].parse().unwrap(),
                sport: c[col("sport")].to_string(),
                category: c[col("category")].to_string(),
                dated: c[col("start_time")].contains('T'),
                intact: c[col("strict_decode_ok")] == "True",
                cadence_spm: num("avg_running_cadence")
                    .map(|s| 2.0 * (s + num("avg_fractional_cadence").unwrap_or(0.0))),
            };
            (c[col("file")].to_string(), e)
        })
        .collect()
}

/// The originals as they are: what a plain report's pass over `testdata/` gives each (status,
/// reason, runs; duplicates are marked after the pass, across files), what the independent
/// decoder found in each, and every run inside the invariants. Returns what each gave.
fn check_originals(testdata: &Path, files: &[PathBuf], originals: &[Vec<u8>]) -> Vec<Gave> {
    let cfg = Config::default();
    let per_file = cfg.per_file();
    let inputs = crate::discover::discover(&[testdata.to_path_buf()]).unwrap();
    let pass = super::run(
        &inputs,
        &per_file,
        cfg.max_member_bytes(),
        2,
        &super::NoProgress,
    )
    .unwrap();
    let report: BTreeMap<String, Gave> = pass
        .iter()
        .map(|o| (o.row.source.clone(), gave(o)))
        .collect();
    let expected = expected(testdata);
    let mut errors = Vec::new();
    let mut gives = Vec::new();
    let mut running = 0;
    for (k, bytes) in originals.iter().enumerate() {
        let o = process_one(
            member(k, "original.fit".into(), bytes.clone()),
            &per_file,
            None,
        );
        let g = gave(&o);
        let rel = files[k].strip_prefix(testdata).unwrap().to_string_lossy();
        let mut fail = |what: String| errors.push(format!("{rel}: {what} ({g:?})"));
        match report.get(files[k].to_string_lossy().as_ref()) {
            Some(r) if *r == g => {}
            r => fail(format!("a plain report's pass gives {r:?}")),
        }
        for run in &o.runs {
            let v = invariants::violations(run);
            if !v.is_empty() {
                fail(format!(
                    "run {} breaks the invariants: {}",
                    run.session,
                    v.join("; ")
                ));
            }
        }
        let Some(e) = expected.get(rel.as_ref()) else {
            fail("not in testdata/expected.csv".into());
            gives.push(g);
            continue;
        };
        if o.row.sessions != e.sessions {
            fail(format!(
                "{} sessions, the independent decoder {}",
                o.row.sessions, e.sessions
            ));
        }
        if e.sport == "running" {
            running += 1;
            // Every running session is a run, used; damage the other decoder stumbled on is a
            // warning, and so is a clock that counts from power-on, whose run has no date.
            if g.runs != e.sessions as usize || g.status == Status::Skipped {
                fail(format!("{} running sessions, not all kept", e.sessions));
            }
            if !e.intact && g.status != Status::Warning {
                fail("damaged, but no warning".into());
            }
            if o.runs.iter().any(|r| r.start_utc.is_some() != e.dated) {
                fail(format!(
                    "dated {}, the run's start does not say so",
                    e.dated
                ));
            }
            if !e.dated && g.reason != Some(Reason::DeviceTime) {
                fail("undated, but not device_time".into());
            }
            // Cadence: the median of the running samples, at or above the session's average
            // (walking breaks pull the average down), never far from it.
            if let (Some(avg), Some(run)) = (e.cadence_spm, o.runs.first()) {
                let c = run.cadence_spm.unwrap_or(f64::NAN);
                if !(c >= 0.97 * avg && c <= 1.2 * avg) {
                    fail(format!("cadence {c} spm, the session's average {avg} spm"));
                }
            }
        } else {
            let reason = if e.category == "non_activity" {
                Reason::NotActivity
            } else {
                Reason::NotRunning
            };
            if g.status != Status::Skipped || g.reason != Some(reason) {
                fail(format!(
                    "sport {:?}: not skipped as {}",
                    e.sport,
                    reason.as_str()
                ));
            }
        }
        gives.push(g);
    }
    assert!(
        errors.is_empty(),
        "the undamaged files do not give their runs:\n{}",
        errors.join("\n")
    );
    // testdata/ holds 15 running files (README: 18 inputs, 3 skipped); an oracle that lost
    // them would check nothing.
    assert!(running >= 15, "only {running} running files checked");
    gives
}

/// What the mutants gave.
#[derive(Default, Debug)]
struct Counts {
    ok: usize,
    warning: usize,
    skipped: usize,
    implausible: usize,
    runs: usize,
    /// Mutants of files with a run, and of those, the ones that kept one.
    of_running: usize,
    kept_a_run: usize,
    /// Runs that break each known gap ([`KNOWN_GAPS`]).
    gaps: BTreeMap<&'static str, usize>,
}

impl Counts {
    fn add(&mut self, c: Counts) {
        self.ok += c.ok;
        self.warning += c.warning;
        self.skipped += c.skipped;
        self.implausible += c.implausible;
        self.runs += c.runs;
        self.of_running += c.of_running;
        self.kept_a_run += c.kept_a_run;
        for (k, n) in c.gaps {
            *self.gaps.entry(k).or_default() += n;
        }
    }
}

#[test]
fn mutated_testdata_never_panics_and_keeps_only_plausible_runs() {
    let n = env_u64("FITRISK_MUTATIONS", 2000) as usize;
    let seed = env_u64("FITRISK_MUTATION_SEED", 16);
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut files = Vec::new();
    fit_files(&testdata, &mut files);
    files.sort();
    let originals: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let cfg = Config::default();
    let per_file = cfg.per_file();
    let reasons = documented_reasons();
    let before = check_originals(&testdata, &files, &originals);
    let started = std::time::Instant::now();
    let only = std::env::var("FITRISK_MUTANT")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    let results: Vec<(Counts, Vec<String>)> = (0..n)
        .into_par_iter()
        .filter(|&i| only.is_none_or(|k| k == i))
        .map(|i| {
            let mut r = Rng::new(seed ^ (i as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
            let f = r.below(originals.len());
            let mut bytes = originals[f].clone();
            let kinds: Vec<&str> = (0..1 + r.below(3))
                .map(|_| mutate(&mut bytes, &mut r))
                .collect();
            let len = bytes.len() as u64;
            let changed = bytes != originals[f];
            let source = format!("mutant-{i}.fit");
            let o = process_one(member(i, source.clone(), bytes), &per_file, None);
            let what = || {
                format!(
                    "mutant {i} of {} ({})",
                    files[f].display(),
                    kinds.join(", ")
                )
            };
            if only.is_some() {
                eprintln!("{}: {:?}", what(), o.row);
                for run in &o.runs {
                    eprintln!(
                        "{:?} {:?} {:?} {:?}",
                        run.distance_m, run.duration_s, run.elapsed_s, run.samples
                    );
                }
            }
            let mut c = Counts::default();
            let mut errors = Vec::new();
            let mut fail = |what: String| errors.push(what);
            let (g, was) = (gave(&o), &before[f]);
            if o.row.reason == Some(Reason::Panic) {
                fail(format!("{}: panic row: {}", what(), o.row.detail));
            }
            if o.row.seq != i || o.row.source != source || o.row.bytes != len {
                fail(format!("{}: the row is not its own", what()));
            }
            if o.row.runs as usize != o.runs.len()
                || (o.row.status == Status::Skipped && !o.runs.is_empty())
            {
                fail(format!("{}: row and runs disagree", what()));
            }
            // A status and reason the docs pair.
            let documented = match (g.status, g.reason) {
                (Status::Ok, None) => true,
                (status, Some(reason)) => reasons
                    .get(reason.as_str())
                    .is_some_and(|s| s.contains(&status)),
                _ => false,
            };
            if !documented || g.status == Status::Duplicate {
                fail(format!(
                    "{}: {} / {:?}, not a pair docs/methodology.md lists for one input",
                    what(),
                    g.status.as_str(),
                    g.reason
                ));
            }
            // What was done to it shows.
            if !changed && g != *was {
                fail(format!(
                    "{}: unchanged, but gives {g:?}, not {was:?}",
                    what()
                ));
            }
            if changed && g.status == Status::Ok {
                fail(format!("{}: changed, but ok", what()));
            }
            if kinds.iter().all(|k| *k == "truncation") && g.samples > was.samples {
                fail(format!(
                    "{}: truncated, but {} samples of the original's {}",
                    what(),
                    g.samples,
                    was.samples
                ));
            }
            let more = |x: f64, of: f64, (share, abs): (f64, f64)| x > of * (1.0 + share) + abs;
            if g.runs > was.runs
                || more(g.samples as f64, was.samples as f64, MORE_SAMPLES)
                || more(g.distance_m, was.distance_m, MORE_DISTANCE_M)
            {
                fail(format!(
                    "{}: {} runs, {} samples, {} m from the original's {} runs, {} samples, {} m",
                    what(),
                    g.runs,
                    g.samples,
                    g.distance_m,
                    was.runs,
                    was.samples,
                    was.distance_m
                ));
            }
            for run in &o.runs {
                if run.start_utc.is_none() && g.status != Status::Warning {
                    fail(format!("{}: a run without a date, and no warning", what()));
                }
                let mut v = invariants::violations(run);
                for (gap, _, _) in KNOWN_GAPS {
                    let before = v.len();
                    v.retain(|s| !s.contains(gap));
                    if v.len() < before {
                        *c.gaps.entry(gap).or_default() += 1;
                    }
                }
                if !v.is_empty() {
                    fail(format!("{}: {}", what(), v.join("; ")));
                }
            }
            match o.row.status {
                Status::Ok => c.ok += 1,
                Status::Warning => c.warning += 1,
                _ => c.skipped += 1,
            }
            c.implausible += usize::from(o.row.reason == Some(Reason::Implausible));
            c.runs += o.runs.len();
            if was.runs > 0 {
                c.of_running += 1;
                c.kept_a_run += usize::from(!o.runs.is_empty());
            }
            (c, errors)
        })
        .collect();
    let mut total = Counts::default();
    let mut errors = Vec::new();
    for (c, e) in results {
        total.add(c);
        errors.extend(e);
    }
    let kept = total.kept_a_run as f64 / total.of_running.max(1) as f64;
    eprintln!(
        "{n} mutants (seed {seed}) in {:.2} s: {total:?}; {:.1} % of the mutants of running files keep a run",
        started.elapsed().as_secs_f64(),
        100.0 * kept
    );
    assert!(
        errors.is_empty(),
        "{} of {n} mutants fail:\n{}",
        errors.len(),
        errors
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    if only.is_none() {
        assert_eq!(total.ok + total.warning + total.skipped, n);
        for (gap, share, why) in KNOWN_GAPS {
            let got = total.gaps.get(gap).copied().unwrap_or(0);
            assert!(
                got as f64 <= share * total.runs as f64,
                "{got} of {} kept runs break \"{gap}\" ({why}): more than the {:.1} % known",
                total.runs,
                100.0 * share
            );
        }
        if total.of_running >= 1000 {
            assert!(
                kept >= KEEP_FLOOR,
                "only {:.1} % of the damaged running files keep a run ({} of {}); the floor is {:.0} %",
                100.0 * kept,
                total.kept_a_run,
                total.of_running,
                100.0 * KEEP_FLOOR
            );
        }
    }
    if let Some(peak) = peak_rss() {
        // The test binary's other tests share the process: the bound is generous, but a
        // mutant that made the decoder allocate by a damaged size field would blow it.
        assert!(peak < 1 << 30, "peak resident memory {} MB", peak >> 20);
    }
}
