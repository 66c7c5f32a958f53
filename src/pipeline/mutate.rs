//! The mutation test: seeded damage to the `testdata/` files, run through the same per-file
//! function the workers call ([`process_one`]), in process.
//!
//! Each mutant gets one to three mutations: field values overwritten with 0, all-ones, the
//! largest and the smallest signed value (`0x7F…`, `0x80…`) at real field positions found by
//! walking the FIT structure; bit flips; truncations; inserted and deleted chunks; changed
//! definition messages; bad headers; data messages pointed at undefined local message types.
//! Every mutant must give one ledger row for itself, never a `panic` row, and every run it
//! keeps must be inside the invariants ([`invariants::violations`]); the process's peak
//! memory must stay bounded.
//!
//! `FITRISK_MUTATIONS` (default 2,000) and `FITRISK_MUTATION_SEED` (default 16) change the
//! scale and the seed (`FITRISK_MUTATIONS=50000 cargo test --lib mutat`); `FITRISK_MUTANT=n`
//! runs only mutant `n` and prints its row.

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

/// What the mutants gave.
#[derive(Default, Debug)]
struct Counts {
    ok: usize,
    warning: usize,
    skipped: usize,
    implausible: usize,
    runs: usize,
}

#[test]
fn mutated_testdata_never_panics_and_keeps_only_plausible_runs() {
    let n = env_u64("FITRISK_MUTATIONS", 2000) as usize;
    let seed = env_u64("FITRISK_MUTATION_SEED", 16);
    let mut files = Vec::new();
    fit_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"),
        &mut files,
    );
    files.sort();
    let originals: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let cfg = Config::default();
    let per_file = cfg.per_file();
    // The files as they are: every run inside the invariants.
    for (k, bytes) in originals.iter().enumerate() {
        let o = process_one(
            member(k, "original.fit".into(), bytes.clone()),
            &per_file,
            None,
        );
        for run in &o.runs {
            invariants::assert_within_invariants(run, &cfg.guard);
        }
    }
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
            if o.row.reason == Some(Reason::Panic) {
                errors.push(format!("{}: panic row: {}", what(), o.row.detail));
            }
            if o.row.seq != i || o.row.source != source || o.row.bytes != len {
                errors.push(format!("{}: the row is not its own", what()));
            }
            if o.row.runs as usize != o.runs.len()
                || (o.row.status == Status::Skipped && !o.runs.is_empty())
            {
                errors.push(format!("{}: row and runs disagree", what()));
            }
            for run in &o.runs {
                let v = invariants::violations(run, &cfg.guard);
                if !v.is_empty() {
                    errors.push(format!("{}: {}", what(), v.join("; ")));
                }
            }
            match o.row.status {
                Status::Ok => c.ok += 1,
                Status::Warning => c.warning += 1,
                _ => c.skipped += 1,
            }
            c.implausible += usize::from(o.row.reason == Some(Reason::Implausible));
            c.runs += o.runs.len();
            (c, errors)
        })
        .collect();
    let mut total = Counts::default();
    let mut errors = Vec::new();
    for (c, e) in results {
        total.ok += c.ok;
        total.warning += c.warning;
        total.skipped += c.skipped;
        total.implausible += c.implausible;
        total.runs += c.runs;
        errors.extend(e);
    }
    eprintln!(
        "{n} mutants (seed {seed}) in {:.2} s: {total:?}",
        started.elapsed().as_secs_f64()
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
    }
    if let Some(peak) = peak_rss() {
        // The test binary's other tests share the process: the bound is generous, but a
        // mutant that made the decoder allocate by a damaged size field would blow it.
        assert!(peak < 1 << 30, "peak resident memory {} MB", peak >> 20);
    }
}
