//! The `gct_balance` rule: the left foot's share of ground contact moving away from the
//! runner's own usual over runs in a row — what a limp looks like in running-dynamics data.
//!
//! Each run that carries a balance is compared with the median of the runner's runs in the
//! `gct_balance_baseline_days` before it (at least `gct_balance_min_baseline_runs` of them). A
//! run more than `gct_balance_shift_pct` points off that, on one side, with the runs next to it
//! off on the same side, `gct_balance_min_runs` or more in a row, is an episode. It is `watch`
//! when the pain diary has a day with pain in the `gct_balance_pain_days` before it or during
//! it, `info` otherwise. A heuristic: no prospective study has tied the balance to injury.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate};

use super::episode::{Episode, EpisodeText, Occurrence};
use super::text::decisive;
use crate::config::FindingsSettings;
use crate::model::{DiaryDay, Rule, Scope, Severity, Tables};
use crate::series::median;

const EV_BALANCE: &str = "Garmin's running dynamics (even is 50 %; up to 50.7 % to either side \
                          green, 50.8–52.2 % orange, beyond red; its team saw imbalance go with \
                          injury in some runners, and balance drifts on hills); Joubert et al. \
                          2020 (11 collegiate runners: contact-time imbalance went with worse \
                          running economy, r = 0.81). No prospective injury study: a heuristic";

/// One run with a balance, and how far it is from the runner's usual.
struct Shift<'t> {
    source: &'t str,
    day: NaiveDate,
    balance: f64,
    usual: f64,
    runs_in_usual: usize,
}

impl Shift<'_> {
    /// Points off the usual: positive toward the left foot.
    fn off(&self) -> f64 {
        self.balance - self.usual
    }
}

/// The rule's episodes over the runs, oldest first.
pub(super) fn episodes(t: &Tables, cfg: &FindingsSettings) -> Vec<Episode> {
    let runs: Vec<(&str, NaiveDate, f64)> = t
        .activities
        .iter()
        .filter_map(|a| {
            Some((
                t.source_of(a),
                a.local_day?,
                a.run.gct_balance_left_pct.get()?,
            ))
        })
        .collect();
    let window = Duration::days(i64::from(cfg.gct_balance_baseline_days));
    let limit = cfg.gct_balance_shift_pct;
    let mut out = Vec::new();
    // The runs in a row off their usual on one side: (side, shifts).
    let mut streak: Vec<Shift<'_>> = Vec::new();
    let close = |streak: &mut Vec<Shift<'_>>, out: &mut Vec<Episode>| {
        if streak.len() >= cfg.gct_balance_min_runs as usize {
            out.push(episode(streak, &t.diary, cfg));
        }
        streak.clear();
    };
    for (i, &(source, day, balance)) in runs.iter().enumerate() {
        let mut before: Vec<f64> = runs[..i]
            .iter()
            .filter(|r| r.1 < day && r.1 >= day - window)
            .map(|r| r.2)
            .collect();
        let n = before.len();
        let usual = median(&mut before).filter(|_| n >= cfg.gct_balance_min_baseline_runs as usize);
        let shift = usual.map(|usual| Shift {
            source,
            day,
            balance,
            usual,
            runs_in_usual: n,
        });
        match shift.filter(|s| s.off().abs() > limit) {
            Some(s) => {
                let same_side = streak
                    .last()
                    .is_none_or(|l| l.off().signum() == s.off().signum());
                if !same_side {
                    close(&mut streak, &mut out);
                }
                streak.push(s);
            }
            None => close(&mut streak, &mut out),
        }
    }
    close(&mut streak, &mut out);
    out
}

/// The episode of one streak: `watch` with pain in the diary before or during it.
fn episode(streak: &[Shift<'_>], diary: &[DiaryDay], cfg: &FindingsSettings) -> Episode {
    let (first, last) = (streak[0].day, streak[streak.len() - 1].day);
    let from = first - Duration::days(i64::from(cfg.gct_balance_pain_days));
    let pain = diary
        .iter()
        .filter(|d| d.date >= from && d.date <= last && d.worst() > 0.0)
        .max_by(|a, b| a.worst().total_cmp(&b.worst()).then(b.date.cmp(&a.date)));
    let severity = if pain.is_some() {
        Severity::Watch
    } else {
        Severity::Info
    };
    let after = pain.map_or(String::new(), |d| {
        format!(
            "; pain {}/10 in the diary on {}",
            fmt_score(d.worst()),
            d.date
        )
    });
    let items = streak
        .iter()
        .map(|s| occurrence(s, severity, &after, cfg))
        .collect();
    Episode { items }
}

fn fmt_score(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// One run of a streak.
fn occurrence(
    s: &Shift<'_>,
    severity: Severity,
    after: &str,
    cfg: &FindingsSettings,
) -> Occurrence {
    let limit = cfg.gct_balance_shift_pct;
    let off = s.off().abs();
    let shown = decisive(off, limit, 1);
    let side = if s.off() > 0.0 { "left" } else { "right" };
    Occurrence {
        rule: Rule::GctBalance,
        scope: Scope::Run,
        severity,
        key: s.source.to_string(),
        first: s.day,
        last: s.day,
        value: off,
        threshold: limit,
        priority: 0,
        extremity: off,
        message: format!(
            "Left foot's share of ground contact {:.1} % on {}: {shown} points toward the {side} \
             from your usual {:.1} % (the median of {} runs in the {} days before; a shift of \
             more than {limit:.1}){after}.",
            s.balance, s.day, s.usual, s.runs_in_usual, cfg.gct_balance_baseline_days
        ),
        example: format!("{:.1} % left ({shown} points off) on {}", s.balance, s.day),
        advice: Cow::Borrowed(
            "An uneven contact time that persists can be a runner favouring one leg: ease off, \
             and if it comes with pain or does not settle, have it looked at.",
        ),
        pattern_advice: None,
        evidence: EV_BALANCE,
        what: Cow::Owned(format!(
            "runs more than {limit:.1} points off your usual contact-time balance"
        )),
        peak_word: "the largest shift",
        text: EpisodeText::PeakThenSpan,
    }
}
