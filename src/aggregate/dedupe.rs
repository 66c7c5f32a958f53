//! Duplicates: the same run reached the history twice.
//!
//! The watch's `.fit` and Strava's `.fit.gz` of it, a re-export, two watches worn at once. Two
//! runs are the same activity when their files share `file_id` serial number and creation time
//! (and session index), or when they start within a window of each other and their distances
//! agree within a tolerance. One of them is kept (a clean file over a damaged one, then the one
//! with more samples, then the first found) and the others are marked `duplicate` in the
//! ledger, naming the kept one. What only a duplicate knew — gear and name from an export,
//! the runner's RPE and feel, running dynamics, power, the climb — moves to the run kept, which says
//! where it came from.

use std::collections::{BTreeMap, HashMap};

use crate::config::Ingest;

use crate::model::{
    plural, source_in, Activity, FileRow, Kept, Merged, Reason, RunCore, RunFacts, Status,
};
use crate::store::Store;

/// What duplicate detection found: which of the runs are duplicates, and the ledger rows it
/// changed (by outcome, in order).
pub(super) struct Marked {
    pub(super) is_dup: Vec<bool>,
    pub(super) changed: Vec<(usize, FileRow)>,
}

/// Finds the duplicate runs among `runs` (the activity rows the `outcomes`' ranges point
/// into) and says so in their ledger rows, read from `store` (`sources`: the ledger's
/// text).
pub(super) fn mark(
    outcomes: &mut [Kept],
    sources: &str,
    runs: &mut [Activity],
    store: &Store,
    cfg: &Ingest,
) -> Marked {
    let dups = find_duplicates(outcomes, runs, cfg);
    let at = |(oi, ri): (usize, usize)| outcomes[oi].runs.start + ri;
    // What a copy knew belongs to the activity: it moves to the run kept, where that run has
    // nothing of its own, and the run kept says where it came from.
    for d in &dups {
        let (dup, kept) = (at(d.dup), at(d.kept));
        let source = source_in(sources, &outcomes[d.dup.0].slot).to_string();
        let from = store.facts(&runs[dup].run);
        let own = store.facts(&runs[kept].run);
        take_what_is_missing(&mut runs[kept].run, &own, &from, &source);
    }
    // Which runs of which outcome are duplicates, and of what.
    let mut dropped: HashMap<usize, Vec<(String, &'static str)>> = HashMap::new();
    let mut is_dup = vec![false; runs.len()];
    for d in dups {
        let kept_source = source_in(sources, &outcomes[d.kept.0].slot).to_string();
        is_dup[at(d.dup)] = true;
        dropped
            .entry(d.dup.0)
            .or_default()
            .push((kept_source, d.basis));
    }
    let mut changed = Vec::new();
    for (oi, o) in outcomes.iter_mut().enumerate() {
        if let Some(list) = dropped.get(&oi) {
            let mut row = store.row(&o.slot).clone();
            let left = o.runs.clone().filter(|&i| !is_dup[i]).count();
            let mut kept: Vec<&str> = list.iter().map(|x| x.0.as_str()).collect();
            kept.dedup();
            let text = format!("same activity as {} ({})", kept.join(", "), list[0].1);
            if left == 0 {
                let previous = row.reason.filter(|_| row.status == Status::Warning);
                row.status = Status::Duplicate;
                row.reason = Some(Reason::Duplicate);
                row.detail = match previous {
                    Some(r) if !row.detail.is_empty() => {
                        format!("{text}; also {r}: {}", row.detail)
                    }
                    _ if !row.detail.is_empty() => format!("{text}; {}", row.detail),
                    _ => text,
                };
            } else {
                row.detail = if row.detail.is_empty() {
                    format!("{} {text}", plural(list.len(), "session", "sessions"))
                } else {
                    format!(
                        "{}; {} {text}",
                        row.detail,
                        plural(list.len(), "session", "sessions")
                    )
                };
            }
            row.runs = left as u32;
            o.slot.status = row.status;
            o.slot.reason = row.reason;
            o.slot.runs = row.runs;
            changed.push((oi, row));
        }
    }
    Marked { is_dup, changed }
}

/// Fills the run kept (`to`, whose facts are `own`) with what the duplicate's facts (`from`, of
/// `source`) have and its own do not: gear and name from an export, the runner's RPE and
/// feel, running dynamics, power, the session's climb. Notes each copy taken from.
fn take_what_is_missing(to: &mut RunCore, own: &RunFacts, from: &RunFacts, source: &str) {
    let mut taken: Vec<&str> = Vec::new();
    let label = from.label.clone();
    let to_label = to.label_mut();
    if to_label.gear.is_none() && label.gear.is_some() {
        to_label.gear = label.gear;
        to_label.gear_source = label.gear_source;
        taken.push("gear");
    }
    if to_label.name.is_none() && label.name.is_some() {
        to_label.name = label.name;
        taken.push("name");
    }
    let mut m = to_label.merged.take().map(|b| *b).unwrap_or_default();
    let (a, b) = (&own.surface.features, &from.surface.features);
    for (what, mine, theirs, slot) in [
        ("rpe", own.rpe, from.rpe, &mut m.rpe),
        ("feel", own.feel, from.feel, &mut m.feel),
        (
            "vertical oscillation",
            a.vertical_oscillation_cv_pct,
            b.vertical_oscillation_cv_pct,
            &mut m.vertical_oscillation_cv_pct,
        ),
        (
            "stance time",
            a.stance_time_cv_pct,
            b.stance_time_cv_pct,
            &mut m.stance_time_cv_pct,
        ),
        ("ascent", own.ascent_m, from.ascent_m, &mut m.ascent_m),
        ("descent", own.descent_m, from.descent_m, &mut m.descent_m),
        ("power", own.power_w, from.power_w, &mut m.power_w),
        (
            "contact-time balance",
            own.gct_balance_left_pct,
            from.gct_balance_left_pct,
            &mut m.gct_balance_left_pct,
        ),
    ] {
        if mine.is_none() && slot.is_none() && theirs.is_some() {
            *slot = theirs;
            taken.push(what);
        }
    }
    if !taken.is_empty() {
        m.from.push(format!("{} from {source}", taken.join(", ")));
    }
    // What aggregation reads of the run in memory follows.
    if to.rpe.get().is_none() {
        to.rpe = m.rpe.into();
    }
    if to.ascent_m.get().is_none() {
        to.ascent_m = m.ascent_m.into();
    }
    if to.descent_m.get().is_none() {
        to.descent_m = m.descent_m.into();
    }
    if to.gct_balance_left_pct.get().is_none() {
        to.gct_balance_left_pct = m.gct_balance_left_pct.into();
    }
    if m != Merged::default() {
        to.label_mut().merged = Some(Box::new(m));
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

fn find_duplicates(outcomes: &[Kept], runs: &[Activity], cfg: &Ingest) -> Vec<Dup> {
    let run_of = |oi: usize, ri: usize| &runs[outcomes[oi].runs.start + ri].run;
    // Candidates in order of preference: clean files first, then more samples, then first found.
    let mut order: Vec<(usize, usize)> = outcomes
        .iter()
        .enumerate()
        .flat_map(|(oi, o)| (0..o.runs.len()).map(move |ri| (oi, ri)))
        .collect();
    order.sort_by_key(|&(oi, ri)| {
        let o = &outcomes[oi];
        (
            o.slot.status != Status::Ok,
            std::cmp::Reverse(run_of(oi, ri).samples),
            o.slot.seq,
            ri,
        )
    });
    let window = cfg.duplicate_start_window_s.round() as i64;
    let tolerance = cfg.duplicate_distance_pct / 100.0;
    let mut by_key: HashMap<(u32, u32, u32), (usize, usize)> = HashMap::new();
    let mut by_start: BTreeMap<i64, Vec<(usize, usize)>> = BTreeMap::new();
    let mut dups = Vec::new();
    for (oi, ri) in order {
        let run = run_of(oi, ri);
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
        if let Some(start) = run.start_utc.get() {
            'search: for (_, kept_runs) in by_start.range(start - window..=start + window) {
                for &(ko, kr) in kept_runs {
                    if ko == oi {
                        continue;
                    }
                    let other = run_of(ko, kr);
                    if distances_agree(run.distance_m.get(), other.distance_m.get(), tolerance) {
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
        if let Some(start) = run.start_utc.get() {
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
