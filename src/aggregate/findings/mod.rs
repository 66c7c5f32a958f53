//! Findings: the rules that turn the tables into a short list of things worth a runner's
//! attention, each with its value, threshold, a plain sentence, advice and evidence.
//!
//! A rule's condition that holds on runs, weeks or days close together is one finding, an
//! episode (`episode.rs`); the rules are small functions over one run (`runs.rs`), one week
//! (`weeks.rs`), the recent history (`history.rs`), a diary day (`pain.rs`) or a pair of
//! shoes (`gear.rs`). All of them are ranked in one order, the one the table, the page and the
//! summary show.
//!
//! These are load heuristics, not diagnoses. Every threshold is configurable (`[findings]`
//! and `[load]` in the config file) and every rule cites its evidence in the methodology.

mod balance;
mod episode;
mod gear;
mod history;
mod pain;
mod runs;
mod text;
mod weeks;

use chrono::{Duration, NaiveDate};

use self::episode::{episodes, Occurrence};
use crate::config::{FindingsSettings, GearSettings, LoadSettings};
use crate::model::{Finding, Rule, Tables};

/// What the rules found: the findings, ranked, and the runs of the contact-time balance
/// shifts (for the page, which marks them whether the findings list their episodes one by one
/// or as a pattern).
pub(super) struct Found {
    pub(super) findings: Vec<Finding>,
    /// The sources of the runs in a balance shift.
    pub(super) gct_shifts: Vec<String>,
}

/// Applies every rule, ranked.
pub(super) fn findings(
    t: &Tables,
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
    gear_cfg: &GearSettings,
) -> Found {
    let gap = cfg.episode_gap_days;
    let run_items: Vec<Occurrence> = t
        .activities
        .iter()
        .flat_map(|a| runs::occurrences(a, t.source_of(a), cfg, load_cfg))
        .collect();
    let mut out = Vec::new();
    for rule in Rule::ALL {
        let items: Vec<Occurrence> = run_items
            .iter()
            .filter(|o| o.rule == rule)
            .cloned()
            .collect();
        if !items.is_empty() {
            out.extend(episode::findings(&episodes(items, gap), None, cfg));
        }
    }
    let w = weeks::occurrences(&t.weeks, load_cfg);
    out.extend(episode::findings(
        &episodes(w.rising, gap),
        Some(weeks::RISING),
        cfg,
    ));
    for items in [w.low, w.one_surface, w.monotony] {
        out.extend(episode::findings(&episodes(items, gap), None, cfg));
    }
    out.extend(episode::findings(
        &weeks::returns(&t.weeks, load_cfg),
        None,
        cfg,
    ));
    let shifts = balance::episodes(t, cfg);
    out.extend(episode::findings(&shifts, None, cfg));
    out.extend(history::findings(t, cfg));
    out.extend(gear::findings(t, gear_cfg, load_cfg));
    out.extend(pain::findings(
        t,
        &run_items,
        cfg,
        load_cfg,
        gear_cfg.retire_m,
    ));
    episode::rank(&mut out, recent_from(t, cfg));
    // Grown by doubling; the findings last until the page is written.
    out.shrink_to_fit();
    Found {
        findings: out,
        gct_shifts: shifts
            .iter()
            .flat_map(|e| e.items.iter().map(|o| o.key.clone()))
            .collect(),
    }
}

/// The first day of what matters now: the last `recent_weeks` weeks up to the history's last
/// day (its last run or diary day, not today: an old export reads the same).
pub(crate) fn recent_from(t: &Tables, cfg: &FindingsSettings) -> Option<NaiveDate> {
    let last_run = t.activities.iter().filter_map(|a| a.local_day).max();
    let last_diary = t.diary.iter().map(|d| d.date).max();
    let end = last_run.max(last_diary)?;
    Some(end - Duration::days(7 * i64::from(cfg.recent_weeks) - 1))
}
