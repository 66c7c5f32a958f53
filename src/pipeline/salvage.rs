//! The salvage rate: running files damaged structurally past their middle — garbage bytes
//! written into them, a message of a local type never defined, a zeroed sector — at the
//! first message from 60 % of their data on. Each must keep its run, with the records after
//! the damage wherever they decode. Over `testdata/`, and over `../shared/fit-corpus/` when it
//! is there.

use std::path::Path;

use rayon::prelude::*;

use super::mutate::{fit_files, layout, member};
use super::process_one;
use crate::config::Config;

/// The three damages, at byte `at` of `b` (a message header).
fn damaged(b: &[u8], at: usize, kind: usize) -> Vec<u8> {
    let mut out = b.to_vec();
    match kind {
        // 37 bytes of garbage written in.
        0 => {
            let garbage: Vec<u8> = (0..37u32).map(|i| (i * 97 + 13) as u8 | 0x20).collect();
            out.splice(at..at, garbage);
        }
        // A data message of a local type no definition names, with 8 bytes of content.
        1 => {
            let lay = layout(b);
            let defined: Vec<u8> = lay.definitions.iter().map(|&d| b[d] & 0x0F).collect();
            let local = (0..16u8).rev().find(|l| !defined.contains(l)).unwrap_or(15);
            out.splice(at..at, [local, 1, 2, 3, 4, 5, 6, 7, 8]);
        }
        // A 512-byte sector zeroed (less at the end of the data).
        _ => {
            let end = (at + 512).min(out.len().saturating_sub(2));
            out[at..end].fill(0);
        }
    }
    out
}

/// What the damaged copies of the running files kept.
#[derive(Default, Debug)]
struct Rate {
    /// Damaged running files.
    files: usize,
    /// Of which kept a run.
    kept: usize,
    /// Their samples kept, and the originals' samples.
    samples: (u64, u64),
    /// Those that did not keep their run.
    lost: Vec<String>,
}

/// Damages every running file of `dir` three ways and counts what is kept.
fn rate(dir: &Path) -> Rate {
    let mut files = Vec::new();
    fit_files(dir, &mut files);
    files.sort();
    let cfg = Config::default();
    let per_file = cfg.per_file();
    let results: Vec<Rate> = files
        .par_iter()
        .enumerate()
        .map(|(k, path)| {
            let mut r = Rate::default();
            let bytes = std::fs::read(path).unwrap();
            let original = process_one(
                member(k, "original.fit".into(), bytes.clone()),
                &per_file,
                None,
            );
            let before: u64 = original.runs.iter().map(|x| u64::from(x.samples)).sum();
            if original.runs.len() != 1 || original.row.reason.is_some() {
                return r;
            }
            let lay = layout(&bytes);
            let data_end = bytes.len().saturating_sub(2);
            let middle = bytes[0] as usize + (data_end - bytes[0] as usize) * 3 / 5;
            let Some(&at) = lay.data_headers.iter().find(|&&h| h >= middle) else {
                return r;
            };
            for kind in 0..3 {
                let o = process_one(
                    member(k, "damaged.fit".into(), damaged(&bytes, at, kind)),
                    &per_file,
                    None,
                );
                r.files += 1;
                let after: u64 = o.runs.iter().map(|x| u64::from(x.samples)).sum();
                if std::env::var("SALVAGE_VERBOSE").is_ok() && after * 10 < before * 9 {
                    eprintln!(
                        "{} kind {kind}: {after} of {before}; {:?} {}",
                        path.display(),
                        o.row.reason,
                        o.row.detail
                    );
                }
                if o.runs.is_empty() {
                    r.lost.push(format!(
                        "{} ({}): {:?} {}",
                        path.display(),
                        ["garbage", "undefined local type", "zeroed sector"][kind],
                        o.row.reason,
                        o.row.detail
                    ));
                } else {
                    r.kept += 1;
                    r.samples.0 += after.min(before);
                    r.samples.1 += before;
                }
            }
            r
        })
        .collect();
    let mut total = Rate::default();
    for r in results {
        total.files += r.files;
        total.kept += r.kept;
        total.samples.0 += r.samples.0;
        total.samples.1 += r.samples.1;
        total.lost.extend(r.lost);
    }
    total
}

/// Checks the rate over `dir`: at least 95 % of the damaged running files keep their run, and
/// those kept keep at least 95 % of their samples (the damage costs a few records, the rest
/// after it decodes).
fn check(dir: &Path) {
    let r = rate(dir);
    let pct = 100.0 * r.kept as f64 / r.files.max(1) as f64;
    let samples = 100.0 * r.samples.0 as f64 / r.samples.1.max(1) as f64;
    eprintln!(
        "{}: {} of {} damaged running files keep their run ({pct:.1} %), with {samples:.1} % \
         of their samples",
        dir.display(),
        r.kept,
        r.files
    );
    assert!(r.files > 0);
    assert!(pct >= 95.0, "{pct:.1} %; lost:\n{}", r.lost.join("\n"));
    assert!(samples >= 95.0, "{samples:.1} % of the samples kept");
}

#[test]
fn running_files_damaged_past_their_middle_keep_their_run_and_the_records_after_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if std::env::var("FITRISK_SALVAGE_CORPUS_ONLY").is_err() {
        check(&root.join("testdata"));
    }
    let corpus = root.join("../shared/fit-corpus");
    if corpus.exists() {
        check(&corpus);
    }
}
