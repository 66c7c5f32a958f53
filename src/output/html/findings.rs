//! The page's findings, grouped: one group per rule and severity, most severe first, the newest
//! first within a severity; returns after a break (a high ratio that only says running started
//! again) folded into a group of their own; each group split by year, with counts.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate};

use super::{escape, Runs};
use crate::model::{Finding, Rule, Severity, Tables};

/// What a group holds: one rule's findings, or the returns after a break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Rule(Rule),
    ReturnAfterBreak,
}

/// One group of findings, newest first.
#[derive(Debug)]
pub(super) struct Group<'a> {
    pub(super) severity: Severity,
    pub(super) kind: Kind,
    pub(super) findings: Vec<&'a Finding>,
}

impl Group<'_> {
    fn latest(&self) -> Option<NaiveDate> {
        self.findings.iter().filter_map(|f| f.date_local).max()
    }

    fn title(&self) -> &'static str {
        match self.kind {
            Kind::ReturnAfterBreak => "Returns after a break",
            Kind::Rule(r) => match r {
                Rule::LowCadence => "Low cadence",
                Rule::DownhillOverstriding => "Cadence drops downhill",
                Rule::CarefulDescending => "Slower, shorter steps downhill",
                Rule::LongRunSpike => "Long-run spikes",
                Rule::Ramp => "Weekly distance up on the week before",
                Rule::Ramp2w => "Distance up on two weeks before",
                Rule::Acwr if self.severity == Severity::High => {
                    "Weeks well above the 4-week average"
                }
                Rule::Acwr => "Weeks well below the 4-week average",
                Rule::NoVariety => "Weeks on one surface only",
                Rule::CadenceTrend => "Cadence trend",
                Rule::DownhillShare => "Share of distance run downhill",
                Rule::Pain => "Pain",
                Rule::ShoeDistance => "Shoes past the retirement distance",
                Rule::ShoeRetiredWorn => "Retired shoes worn again",
                Rule::ShoeSpike => "Load spikes in worn-out shoes",
            },
        }
    }
}

/// Is this finding a return after a break: a high ratio in a week with nothing run in the three
/// weeks before it?
fn is_return(f: &Finding, t: &Tables) -> bool {
    f.rule == Rule::Acwr
        && f.severity == Severity::High
        && f.date_local.is_some_and(|d| {
            t.weeks
                .binary_search_by_key(&d, |w| w.start)
                .is_ok_and(|i| t.weeks[i].follows_a_break())
        })
}

/// The findings in groups: most severe first; within a severity the returns after a break
/// last, the others by their newest finding, newest first.
pub(super) fn groups(t: &Tables) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for f in &t.findings {
        let kind = if is_return(f, t) {
            Kind::ReturnAfterBreak
        } else {
            Kind::Rule(f.rule)
        };
        match groups
            .iter_mut()
            .find(|g| g.kind == kind && g.severity == f.severity)
        {
            Some(g) => g.findings.push(f),
            None => groups.push(Group {
                severity: f.severity,
                kind,
                findings: vec![f],
            }),
        }
    }
    for g in &mut groups {
        g.findings.sort_by_key(|f| std::cmp::Reverse(f.date_local));
    }
    groups.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| {
                (a.kind == Kind::ReturnAfterBreak).cmp(&(b.kind == Kind::ReturnAfterBreak))
            })
            .then_with(|| b.latest().cmp(&a.latest()))
            .then_with(|| b.findings.len().cmp(&a.findings.len()))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    groups
}

/// The one value all of a group's findings share, if they do.
fn shared<'a>(g: &Group<'a>, field: impl Fn(&'a Finding) -> &'a str) -> Option<&'a str> {
    let first = field(g.findings[0]);
    g.findings
        .iter()
        .all(|f| field(f) == first)
        .then_some(first)
}

/// The section's HTML.
pub(super) fn section(t: &Tables, r: &Runs) -> String {
    let mut o = String::from("<h2>Findings</h2>\n");
    if t.findings.is_empty() {
        o.push_str("<p>Nothing to report.</p>\n");
        return o;
    }
    let groups = groups(t);
    let count = |s: Severity| t.findings.iter().filter(|f| f.severity == s).count();
    // "Recent" is the year up to the last run, not up to today: an old export reads the same.
    let last = r
        .days
        .map(|(_, last)| last)
        .into_iter()
        .chain(t.findings.iter().filter_map(|f| f.date_local))
        .max();
    let recent_from = last.map(|d| d - Duration::days(365));
    let is_recent =
        |f: &Finding| matches!((f.date_local, recent_from), (Some(d), Some(r)) if d > r);
    let _ = writeln!(
        o,
        "<p>{} findings (<b>{}</b> high, <b>{}</b> to watch, <b>{}</b> for information) in {} \
         groups by rule, most severe first. A group with a high or watch finding in the 12 \
         months up to the last run is open; its older findings are folded under \"earlier\". \
         Every finding is a row of findings.csv.</p>",
        t.findings.len(),
        count(Severity::High),
        count(Severity::Watch),
        count(Severity::Info),
        groups.len(),
    );
    for g in &groups {
        let n = g.findings.len();
        let recent = g.findings.iter().filter(|f| is_recent(f)).count();
        let years: Vec<i32> = g
            .findings
            .iter()
            .filter_map(|f| f.date_local.map(|d| d.year()))
            .collect();
        let span = match (years.iter().min(), years.iter().max()) {
            (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
            (Some(a), _) => a.to_string(),
            _ => String::new(),
        };
        let open = g.severity != Severity::Info && g.kind != Kind::ReturnAfterBreak && recent > 0;
        let sev = g.severity.as_str();
        let _ = write!(
            o,
            "<details class=\"group {sev}\" data-count=\"{n}\"{}><summary><span class=\"sev\">\
             {sev}</span> <b>{}</b> <span class=\"n\">{n}</span> <small>{span}{}</small>\
             </summary>\n<div class=\"body\">\n",
            // `open=""` rather than a bare `open`: the page stays well-formed XML as well.
            if open { " open=\"\"" } else { "" },
            escape(g.title()),
            if recent > 0 {
                format!(" · {recent} in the last 12 months")
            } else {
                String::new()
            },
        );
        if g.kind == Kind::ReturnAfterBreak {
            o.push_str(
                "<p>Weeks of running after three or more weeks without any. The acute:chronic \
                 ratio of such a week is high whatever its distance, so these say when running \
                 started again rather than that a week was too much.</p>\n",
            );
        }
        let advice = shared(g, |f| &f.advice);
        let evidence = shared(g, |f| &f.evidence);
        if let Some(a) = advice {
            let _ = writeln!(o, "<p class=\"advice\">{}</p>", escape(a));
        }
        if let Some(e) = evidence {
            let _ = writeln!(o, "<p><small>Evidence: {}</small></p>", escape(e));
        }
        // The year up to the last run first; earlier years folded below it.
        let (recent_list, earlier): (Vec<&Finding>, Vec<&Finding>) =
            g.findings.iter().partition(|f| is_recent(f));
        if recent_list.is_empty() || earlier.is_empty() {
            items(&mut o, &g.findings, sev, advice, evidence);
        } else {
            items(&mut o, &recent_list, sev, advice, evidence);
            let _ = writeln!(
                o,
                "<details class=\"earlier\"><summary>{} earlier</summary>",
                earlier.len()
            );
            items(&mut o, &earlier, sev, advice, evidence);
            o.push_str("</details>\n");
        }
        o.push_str("</div></details>\n");
    }
    o
}

/// Findings (newest first) under a heading per year, each with what the group does not share.
fn items(
    o: &mut String,
    findings: &[&Finding],
    sev: &str,
    advice: Option<&str>,
    evidence: Option<&str>,
) {
    let year_of = |f: &Finding| f.date_local.map(|d| d.year());
    let mut year: Option<Option<i32>> = None;
    for f in findings {
        let y = year_of(f);
        if year != Some(y) {
            let in_year = findings.iter().filter(|x| year_of(x) == y).count();
            let _ = writeln!(
                o,
                "<h4>{} <small>({in_year})</small></h4>",
                y.map_or("Undated".to_string(), |y| y.to_string())
            );
            year = Some(y);
        }
        let date = f.date_local.map(|d| d.to_string()).unwrap_or_default();
        let _ = write!(
            o,
            "<div class=\"finding {sev}\"><p><b>{date}</b> {}</p>",
            escape(&f.message)
        );
        if advice.is_none() {
            let _ = write!(o, "<p class=\"advice\">{}</p>", escape(&f.advice));
        }
        // A week's key is its date, already shown; a run's is its file.
        let mut small = Vec::new();
        if f.key != date {
            small.push(escape(&f.key));
        }
        if evidence.is_none() {
            small.push(format!("Evidence: {}", escape(&f.evidence)));
        }
        if !small.is_empty() {
            let _ = write!(o, "<p><small>{}</small></p>", small.join("<br/>"));
        }
        o.push_str("</div>\n");
    }
}
