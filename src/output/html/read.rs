//! The page's "what was read" block: inputs found, runs analysed, inputs used with a warning
//! or skipped (by reason), and duplicates — the same counts as the summary, from the ledger.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape;
use crate::model::{Reason, Tables};
use crate::output::summary::Summary;

/// What a reason means, in a few words for the page.
fn meaning(r: Reason) -> &'static str {
    match r {
        Reason::Truncated => "the file ends early; the records before the cut are used",
        Reason::CrcMismatch => "a checksum does not match; the data is used",
        Reason::Damaged => "bytes inside the data did not decode; what lies around them is used",
        Reason::DeviceTime => "times count from power-on, so the run has no date",
        Reason::Implausible => "values outside the plausibility bounds",
        Reason::TrailingData => "bytes after the end of the FIT data",
        Reason::NotFit => "not a FIT file",
        Reason::Empty => "an empty file",
        Reason::NotActivity => "a FIT file that is not an activity (settings, monitoring…)",
        Reason::NotRunning => "an activity without running (rides, swims…)",
        Reason::SportUnknown => "no message names the sport; kept when the records show running",
        Reason::NotOnFoot => "a \"run\" faster than anyone runs (a car, a train) or a ride",
        Reason::Duplicate => "the same activity as another input",
        Reason::DecodeError => "could not be decoded",
        Reason::IoError => "could not be read",
        Reason::NotAFile => "not a regular file",
        Reason::BadArchive => "an archive that could not be read",
        Reason::TooLarge => "larger than fitrisk accepts",
        Reason::Panic => "the decoder failed on it",
    }
}

/// One line: the count, what it is, and each reason with its count, most frequent first.
fn by_reason(o: &mut String, what: &str, counts: &BTreeMap<Reason, usize>) {
    let n: usize = counts.values().sum();
    if n == 0 {
        return;
    }
    let mut rows: Vec<_> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let parts: Vec<String> = rows
        .iter()
        .map(|(r, k)| format!("<span data-reason=\"{r}\" data-count=\"{k}\">{r} {k}</span>"))
        .collect();
    let _ = writeln!(o, "<li><b>{n}</b> {what}: {}</li>", parts.join(", "));
}

/// The block's HTML.
pub(super) fn section(t: &Tables) -> String {
    let s = Summary::new(t, 0);
    let mut o = String::from("<h2>What was read</h2>\n<ul class=\"read\">\n");
    let _ = writeln!(
        o,
        "<li data-inputs=\"{}\"><b>{}</b> inputs found (files, and members of archives)</li>",
        s.inputs, s.inputs
    );
    let _ = writeln!(
        o,
        "<li data-runs=\"{}\"><b>{}</b> runs analysed</li>",
        s.runs, s.runs
    );
    by_reason(&mut o, "used with a warning", &s.warnings);
    by_reason(&mut o, "skipped", &s.skipped);
    if s.duplicates > 0 {
        let _ = writeln!(
            o,
            "<li data-duplicates=\"{}\"><b>{}</b> duplicates: the same activity found again, \
             counted once</li>",
            s.duplicates, s.duplicates
        );
    }
    o.push_str("</ul>\n");
    let reasons: Vec<Reason> = s.warnings.keys().chain(s.skipped.keys()).copied().collect();
    if !reasons.is_empty() {
        o.push_str("<details><summary>What the reasons mean</summary><ul>");
        let mut seen = Vec::new();
        for r in reasons {
            if !seen.contains(&r) {
                seen.push(r);
                let _ = write!(o, "<li><b>{r}</b>: {}</li>", escape(meaning(r)));
            }
        }
        o.push_str("</ul></details>\n");
    }
    o.push_str("<p><small>files.csv lists every input with its status and reason.</small></p>\n");
    o
}
