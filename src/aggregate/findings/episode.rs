//! From occurrences to findings: a rule's condition that holds on runs, weeks or days close
//! together is one episode, with its first and last day, its peak and how often it held; a
//! rule whose `watch` or `info` episodes recur through a history is summarised once as a
//! pattern, with its count and the largest examples. One builder makes every finding.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate};

use crate::config::FindingsSettings;
use crate::model::{plural, Finding, Rule, Scope, Severity};

/// How many of a pattern's largest occurrences its message names.
const PATTERN_EXAMPLES: usize = 3;

/// One time a rule's condition held: a run, a week or a diary day.
#[derive(Clone, Debug)]
pub(super) struct Occurrence {
    /// The rule whose condition held.
    pub(super) rule: Rule,
    /// What it is about (run or week).
    pub(super) scope: Scope,
    /// How much it matters.
    pub(super) severity: Severity,
    /// The run's source or the week's start.
    pub(super) key: String,
    /// The run's day, or the week's first day.
    pub(super) first: NaiveDate,
    /// The run's day, or the week's last day.
    pub(super) last: NaiveDate,
    /// What was measured.
    pub(super) value: f64,
    /// What it was compared with.
    pub(super) threshold: f64,
    /// Among occurrences of one severity in a family episode, the higher rule leads (the
    /// ratio before the two-week ramp before the ramp); 0 elsewhere.
    pub(super) priority: u8,
    /// How far beyond its threshold it went, in the rule's own direction: the largest is an
    /// episode's peak.
    pub(super) extremity: f64,
    /// The finding's sentence when the episode is this occurrence alone.
    pub(super) message: String,
    /// Short, with its date: what an episode or a pattern names as its peak or an example.
    pub(super) example: String,
    /// What to do.
    pub(super) advice: Cow<'static, str>,
    /// What to do, in general: a pattern's advice when `advice` names this occurrence's own
    /// numbers (a target cadence, the next long run).
    pub(super) pattern_advice: Option<&'static str>,
    /// Short citation.
    pub(super) evidence: &'static str,
    /// What the rule counts, in the plural, with its condition ("runs with a median cadence
    /// below 160 spm").
    pub(super) what: Cow<'static, str>,
    /// How an episode names its peak ("the lowest", "the largest").
    pub(super) peak_word: &'static str,
    /// Whether an episode of several says its span after its peak's sentence, or the peak's
    /// sentence says it all (it names the whole stretch).
    pub(super) text: EpisodeText,
}

/// How an episode of several occurrences is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EpisodeText {
    /// The peak's sentence, then "The lowest of 12 runs … from … to …".
    PeakThenSpan,
    /// The peak's sentence alone.
    PeakOnly,
}

/// Occurrences of one rule, or of one family of rules, close together in time.
#[derive(Debug)]
pub(super) struct Episode {
    /// Oldest first.
    pub(super) items: Vec<Occurrence>,
}

impl Episode {
    /// The occurrence that decides the episode: the most severe, then the higher rule, then the
    /// most extreme, then the latest.
    pub(super) fn peak(&self) -> &Occurrence {
        self.items
            .iter()
            .min_by(|a, b| {
                a.severity
                    .cmp(&b.severity)
                    .then_with(|| b.priority.cmp(&a.priority))
                    .then_with(|| b.extremity.total_cmp(&a.extremity))
                    .then_with(|| b.first.cmp(&a.first))
            })
            .expect("an episode holds at least one occurrence")
    }

    fn first(&self) -> NaiveDate {
        self.items[0].first
    }

    fn last(&self) -> NaiveDate {
        self.items
            .iter()
            .map(|o| o.last)
            .max()
            .unwrap_or(self.first())
    }
}

/// Splits occurrences (of one rule, or one family) into episodes: one within `gap_days` of the
/// previous one's last day continues its episode.
pub(super) fn episodes(mut items: Vec<Occurrence>, gap_days: u32) -> Vec<Episode> {
    items.sort_by(|a, b| a.first.cmp(&b.first).then_with(|| a.key.cmp(&b.key)));
    let gap = Duration::days(i64::from(gap_days));
    let mut out: Vec<Episode> = Vec::new();
    for o in items {
        match out.last_mut() {
            Some(e) if o.first <= e.last() + gap => e.items.push(o),
            _ => out.push(Episode { items: vec![o] }),
        }
    }
    out
}

/// The finding of one episode. A family episode (rules of one kind in consecutive weeks, e.g.
/// the load increases) is named after its peak's rule; `family` says what its weeks were.
pub(super) fn finding(e: &Episode, family: Option<&str>) -> Finding {
    let p = e.peak();
    let n = e.items.len();
    let message = if n == 1 || p.text == EpisodeText::PeakOnly {
        p.message.clone()
    } else {
        let same_rule = e.items.iter().all(|o| o.rule == p.rule);
        let (word, what) = match family {
            Some(f) if !same_rule => ("the peak", f.to_string()),
            _ => (p.peak_word, p.what.to_string()),
        };
        format!(
            "{} {} of {n} {what} from {} to {}.",
            p.message,
            capitalised(word),
            e.first(),
            e.last(),
        )
    };
    Finding {
        scope: p.scope,
        key: e.items[0].key.clone(),
        first: Some(e.first()),
        last: Some(e.last()),
        occurrences: n as u32,
        rule: p.rule,
        severity: p.severity,
        value: p.value,
        threshold: p.threshold,
        message,
        advice: p.advice.clone(),
        evidence: Cow::Borrowed(p.evidence),
        preceded_by: Vec::new(),
    }
}

/// One line for many episodes of one rule at one severity: how often, over which span, the
/// largest examples and the latest.
fn pattern(eps: &[&Episode]) -> Finding {
    let n: usize = eps.iter().map(|e| e.items.len()).sum();
    let mut peaks: Vec<&Occurrence> = eps.iter().map(|e| e.peak()).collect();
    let first = eps
        .iter()
        .map(|e| e.first())
        .min()
        .expect("a pattern of episodes");
    let last = eps
        .iter()
        .map(|e| e.last())
        .max()
        .expect("a pattern of episodes");
    let latest = eps
        .iter()
        .max_by_key(|e| e.last())
        .map(|e| e.peak().example.clone())
        .unwrap_or_default();
    peaks.sort_by(|a, b| {
        b.extremity
            .total_cmp(&a.extremity)
            .then(b.first.cmp(&a.first))
    });
    let p = peaks[0];
    let examples: Vec<&str> = peaks
        .iter()
        .take(PATTERN_EXAMPLES)
        .map(|o| o.example.as_str())
        .collect();
    let what = &p.what;
    Finding {
        scope: Scope::Pattern,
        key: p.rule.as_str().to_string(),
        first: Some(first),
        last: Some(last),
        occurrences: n as u32,
        rule: p.rule,
        severity: p.severity,
        value: p.value,
        threshold: p.threshold,
        message: format!(
            "A recurring pattern: {n} {what} in {} from {first} to {last}; {}: {}; the \
             latest: {latest}.",
            plural(eps.len(), "episode", "episodes"),
            p.peak_word,
            examples.join(", "),
        ),
        advice: p
            .pattern_advice
            .map_or_else(|| p.advice.clone(), Cow::Borrowed),
        evidence: Cow::Borrowed(p.evidence),
        preceded_by: Vec::new(),
    }
}

/// The findings of a rule's episodes: each `high` episode on its own; the `watch` and `info`
/// ones too, unless there are `pattern_min_episodes` or more of one severity, which are
/// summarised in one pattern.
pub(super) fn findings(
    eps: &[Episode],
    family: Option<&str>,
    cfg: &FindingsSettings,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut by: Vec<((Rule, Severity), Vec<&Episode>)> = Vec::new();
    for e in eps {
        let p = e.peak();
        let k = (p.rule, p.severity);
        match by.iter_mut().find(|x| x.0 == k) {
            Some(x) => x.1.push(e),
            None => by.push((k, vec![e])),
        }
    }
    for ((_, severity), group) in by {
        if severity != Severity::High && group.len() >= cfg.pattern_min_episodes as usize {
            out.push(pattern(&group));
        } else {
            out.extend(group.iter().map(|e| finding(e, family)));
        }
    }
    out
}

/// The one order of the findings everywhere (the table, the page, the summary): what matters
/// now first — `high` and `watch` findings that reach into the recent weeks, from `from` on —,
/// then the history's `high` and `watch` findings, then the `info` ones; within each,
/// the most severe first, then the most recent.
pub(super) fn rank(findings: &mut [Finding], from: Option<NaiveDate>) {
    findings.sort_by(|a, b| {
        let group = |f: &Finding| {
            let info = f.severity == Severity::Info;
            let now = f.is_recent(from);
            match (info, now) {
                (false, true) => 0,
                (false, false) => 1,
                (true, true) => 2,
                (true, false) => 3,
            }
        };
        group(a)
            .cmp(&group(b))
            .then_with(|| a.severity.cmp(&b.severity))
            .then_with(|| b.last.cmp(&a.last))
            .then_with(|| b.first.cmp(&a.first))
            .then_with(|| a.rule.as_str().cmp(b.rule.as_str()))
            .then_with(|| a.key.cmp(&b.key))
    });
}

/// "The lowest" → "The lowest".
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
