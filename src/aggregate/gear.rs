//! Shoes across runs: the export's gear and names reach the runs its files hold, the gear log
//! fills the runs no export named, and each pair gets its running totals.
//!
//! Precedence: gear an export names for the activity, then the latest gear log line whose span
//! holds the run's local day, else none. Only running counts: an export row whose `Activity
//! Type` is not a run gives no gear (a bike is not a running shoe), though its name still
//! reaches the run.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::config::GearSettings;
use crate::gearlog::worn_on;
use crate::model::{
    source_in, Activity, ExportIndex, GearRow, GearSource, GearSpan, Kept, Surface,
};

/// Labels the runs of every outcome an export lists (before duplicates are marked, so the
/// label can move to the run kept).
pub(super) fn label_from_exports(
    outcomes: &[Kept],
    sources: &str,
    runs: &mut [Activity],
    indexes: &[ExportIndex],
) {
    let by_source: HashMap<&str, _> = indexes
        .iter()
        .flat_map(|ix| &ix.entries)
        .map(|e| (e.source.as_str(), e))
        .collect();
    for o in outcomes {
        let Some(entry) = by_source.get(source_in(sources, &o.slot)) else {
            continue;
        };
        for a in &mut runs[o.runs.clone()] {
            let run = &mut a.run;
            // (A label is made only once it names something.)
            if entry.name.is_some() || run.label().name.is_some() {
                run.label_mut().name = entry.name.clone();
            }
            if entry.running {
                if let Some(g) = &entry.gear {
                    run.label_mut().gear = Some(g.clone());
                    run.label_mut().gear_source = Some(GearSource::Export);
                }
            }
        }
    }
}

/// Gives the gear log's pair to every dated run no export named gear for.
pub(super) fn label_from_log(activities: &mut [Activity], spans: &[GearSpan]) {
    for a in activities {
        if a.run.label().gear.is_some() {
            continue;
        }
        if let Some(s) = a.local_day.and_then(|d| worn_on(spans, d)) {
            a.run.label_mut().gear = Some(s.gear.clone());
            a.run.label_mut().gear_source = Some(GearSource::Log);
        }
    }
}

/// The day a pair was retired: the end of a span of it that no span of it continues past.
/// `None` while a span is open. Every such day, oldest first.
pub(super) fn retirements(spans: &[GearSpan], gear: &str) -> Vec<NaiveDate> {
    let own: Vec<&GearSpan> = spans.iter().filter(|s| s.gear == gear).collect();
    let mut out: Vec<NaiveDate> = own
        .iter()
        .filter_map(|s| s.to)
        .filter(|&to| {
            let next = to.succ_opt().unwrap_or(to);
            !own.iter()
                .any(|o| o.from <= next && o.to.is_none_or(|t| next <= t))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Per-pair totals over the runs (`activities` in start order), by name.
pub(super) fn table(
    activities: &[Activity],
    spans: &[GearSpan],
    cfg: &GearSettings,
) -> Vec<GearRow> {
    let mut rows: BTreeMap<&str, GearRow> = BTreeMap::new();
    for a in activities {
        let Some(gear) = a.run.label().gear.as_deref() else {
            continue;
        };
        let r = rows.entry(gear).or_insert_with(|| GearRow {
            gear: gear.to_string(),
            by_surface_m: vec![0.0; Surface::ALL.len()],
            crossed: cfg.thresholds_m.iter().map(|&t| (t, None)).collect(),
            ..GearRow::default()
        });
        let d = a.run.distance_m.unwrap_or(0.0);
        r.runs += 1;
        r.distance_m += d;
        r.duration_s += a.run.duration_s.unwrap_or(0.0);
        r.downhill_m += a.run.downhill.downhill_m;
        if let Some(i) = Surface::ALL.iter().position(|&s| s == a.run.surface) {
            r.by_surface_m[i] += d;
        }
        if let Some(t) = a.start_local.get() {
            r.first_run_local.get_or_insert(t);
            r.last_run_local = Some(t);
        }
        for (threshold, day) in &mut r.crossed {
            if day.is_none() && r.distance_m >= *threshold {
                *day = a.local_day;
            }
        }
    }
    let mut out: Vec<GearRow> = rows.into_values().collect();
    for r in &mut out {
        r.retired = retirements(spans, &r.gear).last().copied();
    }
    out
}
