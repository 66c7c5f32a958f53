//! The page's findings, in the one order the table and the summary use: what matters now (high
//! and watch findings reaching into the recent weeks), then the history's most severe, then
//! the findings for information, folded. Each finding is an episode or a pattern row of the
//! findings table; nothing here is derived again.

use std::fmt::Write as _;

use super::escape;
use crate::model::{Finding, Scope, Severity, Tables};

/// The section's HTML.
pub(super) fn section(t: &Tables) -> String {
    let mut o = String::from("<h2>Findings</h2>\n");
    if t.findings.is_empty() {
        o.push_str("<p>Nothing to report.</p>\n");
        return o;
    }
    let count = |s: Severity| t.findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        o,
        "<p>{} findings (<b>{}</b> high, <b>{}</b> to watch, <b>{}</b> for information), in \
         the order of findings.csv. Each is one episode — a condition that held on runs, weeks \
         or days in a row — or, for a rule that recurs through the history, one line for all \
         its episodes.</p>",
        t.findings.len(),
        count(Severity::High),
        count(Severity::Watch),
        count(Severity::Info),
    );
    let info = |f: &&Finding| f.severity == Severity::Info;
    let (now, rest): (Vec<&Finding>, Vec<&Finding>) = t
        .findings
        .iter()
        .filter(|f| !info(f))
        .partition(|f| f.is_recent(t.recent_from));
    let since = t
        .recent_from
        .map_or(String::new(), |d| format!(" (since {d})"));
    let _ = writeln!(o, "<h3>Now{since}</h3>");
    if now.is_empty() {
        o.push_str("<p>Nothing high or to watch in the last weeks.</p>\n");
    }
    list(&mut o, "now", &now);
    if !rest.is_empty() {
        o.push_str("<h3>The history, most severe first</h3>\n");
        list(&mut o, "history", &rest);
    }
    let context: Vec<&Finding> = t.findings.iter().filter(info).collect();
    if !context.is_empty() {
        let _ = writeln!(
            o,
            "<details class=\"info\" data-count=\"{}\"><summary>For information ({})</summary>",
            context.len(),
            context.len()
        );
        list(&mut o, "info", &context);
        o.push_str("</details>\n");
    }
    o
}

/// The findings as a list, in the order given.
fn list(o: &mut String, part: &str, findings: &[&Finding]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<div class=\"findings {part}\" data-count=\"{}\">",
        findings.len()
    );
    for f in findings {
        item(o, f);
    }
    o.push_str("</div>\n");
}

/// One finding: severity, dates, message, advice, and what it is about with its evidence.
fn item(o: &mut String, f: &Finding) {
    let sev = f.severity.as_str();
    let when = match (f.first, f.last) {
        (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let _ = write!(
        o,
        "<div class=\"finding {sev}\" data-rule=\"{}\" data-severity=\"{sev}\"><p><span \
         class=\"sev\">{sev}</span> <b>{}</b> {}</p><p class=\"advice\">{}</p>",
        f.rule.as_str(),
        escape(&when),
        escape(&f.message),
        escape(&f.advice)
    );
    // A run's key is its file and a pair's its name; a week's or a day's is its date, already
    // shown, and a pattern's its rule.
    let mut small = Vec::new();
    if matches!(f.scope, Scope::Run | Scope::Gear) {
        small.push(escape(&f.key));
    }
    small.push(format!("Evidence: {}", escape(&f.evidence)));
    let _ = write!(o, "<p><small>{}</small></p>", small.join("<br/>"));
    o.push_str("</div>\n");
}
