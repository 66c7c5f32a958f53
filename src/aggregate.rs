//! Aggregation: the outcomes of all files → the report's rows, each activity counted once.
//!
//! The same run often reaches a history twice: the watch's `.fit` and Strava's `.fit.gz` of
//! it, a re-export, two watches worn at once. Two runs are the same activity when their files
//! share `file_id` serial number and creation time (and session index), or when they start
//! within a window of each other and their distances agree within a tolerance. One of them is
//! kept (a clean file over a damaged one, then the one with more samples, then the first found)
//! and the others are marked `duplicate` in the ledger, naming the kept one.

use std::collections::{BTreeMap, HashMap};

use crate::analyse::downhill::{matched_drop, SpeedBins};
use crate::analyse::RunFacts;
use chrono::Weekday;

use crate::config::Config;
use crate::findings::{self, Finding};
use crate::ledger::{FileRow, Reason, Status};
use crate::load::{self, Week};
use crate::pipeline::Outcome;

/// One row of the activities table: a run and where it came from.
#[derive(Clone, Debug)]
pub struct Activity {
    /// Source, as in the ledger.
    pub source: String,
    /// The file's status (`ok` or `warning`).
    pub status: Status,
    /// The run.
    pub run: RunFacts,
    /// Longest run in the lookback window before this one (30 days by default), m.
    pub longest_prev_30d_m: Option<f64>,
    /// This run is more than the configured margin longer than `longest_prev_30d_m`.
    pub flag_long_run_spike: bool,
}

/// The report's rows.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    /// Every input, once, in discovery order.
    pub files: Vec<FileRow>,
    /// Every distinct run, in start order (undated runs last).
    pub activities: Vec<Activity>,
    /// Every week from the first run to the last.
    pub weeks: Vec<Week>,
    /// What the rules found, most severe and most recent first.
    pub findings: Vec<Finding>,
}

/// Marks duplicates and builds the rows.
pub fn aggregate(outcomes: Vec<Outcome>, cfg: &Config, week_start: Weekday) -> Tables {
    let mut outcomes = outcomes;
    let dups = find_duplicates(&outcomes, cfg);
    // Which runs of which outcome are duplicates, and of what.
    let mut dropped: HashMap<usize, Vec<(u32, String, &'static str)>> = HashMap::new();
    for d in dups {
        let kept_source = outcomes[d.kept.0].row.source.clone();
        let session = outcomes[d.dup.0].runs[d.dup.1].session;
        dropped
            .entry(d.dup.0)
            .or_default()
            .push((session, kept_source, d.basis));
    }
    let mut tables = Tables::default();
    for (oi, o) in outcomes.iter_mut().enumerate() {
        if let Some(list) = dropped.get(&oi) {
            let sessions: Vec<u32> = list.iter().map(|x| x.0).collect();
            o.runs.retain(|r| !sessions.contains(&r.session));
            let mut kept: Vec<&str> = list.iter().map(|x| x.1.as_str()).collect();
            kept.dedup();
            let text = format!("same activity as {} ({})", kept.join(", "), list[0].2);
            if o.runs.is_empty() {
                let previous = o.row.reason.filter(|_| o.row.status == Status::Warning);
                o.row.status = Status::Duplicate;
                o.row.reason = Some(Reason::Duplicate);
                o.row.detail = match previous {
                    Some(r) if !o.row.detail.is_empty() => {
                        format!("{text}; also {r}: {}", o.row.detail)
                    }
                    _ if !o.row.detail.is_empty() => format!("{text}; {}", o.row.detail),
                    _ => text,
                };
            } else {
                o.row.detail = if o.row.detail.is_empty() {
                    format!("{} session(s) {text}", list.len())
                } else {
                    format!("{}; {} session(s) {text}", o.row.detail, list.len())
                };
            }
            o.row.runs = o.runs.len() as u32;
        }
    }
    for o in outcomes {
        let status = o.row.status;
        let source = o.row.source.clone();
        tables.files.push(o.row);
        for run in o.runs {
            tables.activities.push(Activity {
                source: source.clone(),
                status,
                run,
                longest_prev_30d_m: None,
                flag_long_run_spike: false,
            });
        }
    }
    match_with_history(&mut tables.activities, cfg);
    tables.activities.sort_by(|a, b| {
        let ka = (a.run.start_utc.is_none(), a.run.start_utc);
        let kb = (b.run.start_utc.is_none(), b.run.start_utc);
        ka.cmp(&kb)
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.run.session.cmp(&b.run.session))
    });
    load::long_run_spikes(&mut tables.activities, &cfg.load);
    tables.weeks = load::weeks(&tables.activities, &cfg.load, week_start);
    tables.findings = findings::findings(&tables, &cfg.findings, &cfg.load);
    tables
}

/// Runs whose own flat running does not cover their downhill speeds are compared with the
/// runner's flat running at those speeds in all their other runs.
fn match_with_history(activities: &mut [Activity], cfg: &Config) {
    let mut all = SpeedBins::default();
    for a in activities.iter() {
        all.merge(&a.run.downhill.flat_bins);
    }
    for a in activities.iter_mut() {
        let run = &mut a.run;
        if run.matched.is_some() || run.downhill.downhill_bins.bins.is_empty() {
            continue;
        }
        let history = all.without(&run.downhill.flat_bins);
        if let Some(m) = matched_drop(&run.downhill.downhill_bins, &history, &cfg.downhill) {
            run.matched = Some(m);
            run.matched_source = Some("history");
        }
    }
}

struct Dup {
    /// (outcome index, run index) of the duplicate.
    dup: (usize, usize),
    /// (outcome index, run index) of the run kept.
    kept: (usize, usize),
    /// What matched.
    basis: &'static str,
}

fn find_duplicates(outcomes: &[Outcome], cfg: &Config) -> Vec<Dup> {
    // Candidates in order of preference: clean files first, then more samples, then first found.
    let mut order: Vec<(usize, usize)> = outcomes
        .iter()
        .enumerate()
        .flat_map(|(oi, o)| (0..o.runs.len()).map(move |ri| (oi, ri)))
        .collect();
    order.sort_by_key(|&(oi, ri)| {
        let o = &outcomes[oi];
        (
            o.row.status != Status::Ok,
            std::cmp::Reverse(o.runs[ri].samples),
            o.row.seq,
            ri,
        )
    });
    let window = cfg.ingest.duplicate_start_window_s.round() as i64;
    let tolerance = cfg.ingest.duplicate_distance_pct / 100.0;
    let mut by_key: HashMap<(u32, u32, u32), (usize, usize)> = HashMap::new();
    let mut by_start: BTreeMap<i64, Vec<(usize, usize)>> = BTreeMap::new();
    let mut dups = Vec::new();
    for (oi, ri) in order {
        let run = &outcomes[oi].runs[ri];
        let key = run.file_key.map(|(s, c)| (s, c, run.session));
        if let Some(kept) = key.and_then(|k| by_key.get(&k)) {
            if kept.0 != oi {
                dups.push(Dup {
                    dup: (oi, ri),
                    kept: *kept,
                    basis: "same device serial number and creation time",
                });
                continue;
            }
        }
        let mut matched = None;
        if let Some(start) = run.start_utc {
            'search: for (_, kept_runs) in by_start.range(start - window..=start + window) {
                for &(ko, kr) in kept_runs {
                    if ko == oi {
                        continue;
                    }
                    let other = &outcomes[ko].runs[kr];
                    if distances_agree(run.distance_m, other.distance_m, tolerance) {
                        matched = Some((ko, kr));
                        break 'search;
                    }
                }
            }
        }
        if let Some(kept) = matched {
            dups.push(Dup {
                dup: (oi, ri),
                kept,
                basis: "same start time and distance",
            });
            continue;
        }
        if let Some(k) = key {
            by_key.insert(k, (oi, ri));
        }
        if let Some(start) = run.start_utc {
            by_start.entry(start).or_default().push((oi, ri));
        }
    }
    dups
}

fn distances_agree(a: Option<f64>, b: Option<f64>, tolerance: f64) -> bool {
    let a = a.unwrap_or(0.0);
    let b = b.unwrap_or(0.0);
    let big = a.abs().max(b.abs());
    big == 0.0 || (a - b).abs() <= tolerance * big
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_tolerance_is_relative_to_the_longer() {
        assert!(distances_agree(Some(10_000.0), Some(9_800.0), 0.02));
        assert!(!distances_agree(Some(10_000.0), Some(9_700.0), 0.02));
        assert!(distances_agree(None, Some(0.0), 0.02));
        assert!(!distances_agree(None, Some(5_000.0), 0.02));
    }
}
