//! The page's "what was read" block: inputs found, runs analysed, inputs used with a warning
//! or skipped (by reason), and duplicates — the same counts as the summary, from the ledger.

use std::fmt::Write as _;

use super::escape;
use crate::model::{Reason, Tables};
use crate::output::summary::Summary;

/// What a reason means, in a few words for the page.
fn meaning(r: Reason) -> &'static str {
    match r {
        Reason::Truncated => "the file ends early; the records before the cut are used",
        Reason::CrcMismatch => "a checksum does not match; the data is used",
        Reason::DeviceTime => "times count from power-on, so the run has no date",
        Reason::Implausible => "values outside the plausibility bounds",
        Reason::TrailingData => "bytes after the end of the FIT data",
        Reason::NotFit => "not a FIT file",
        Reason::Empty => "an empty file",
        Reason::NotActivity => "a FIT file that is not an activity (settings, monitoring…)",
        Reason::NotRunning => "an activity without running (rides, swims…)",
        Reason::Duplicate => "the same activity as another input",
        Reason::DecodeError => "could not be decoded",
        Reason::IoError => "could not be read",
        Reason::NotAFile => "not a regular file",
        Reason::BadArchive => "an archive that could not be read",
        Reason::TooLarge => "larger than fitrisk accepts",
        Reason::Panic => "the decoder failed on it",
    }
}

fn by_reason(o: &mut String, what: &str, counts: &std::collections::BTreeMap<Reason, usize>) {
    let n: usize = counts.values().sum();
    if n == 0 {
        return;
    }
    let _ = write!(o, "<li><b>{n}</b> {what}:<ul>");
    let mut rows: Vec<_> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    for (r, k) in rows {
        let _ = write!(
            o,
            "<li data-reason=\"{r}\" data-count=\"{k}\"><b>{k}</b> {r}: {}</li>",
            escape(meaning(*r))
        );
    }
    o.push_str("</ul></li>\n");
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
            "<li data-duplicates=\"{}\"><b>{}</b> duplicates: the same activity found again \
             (another copy or export); each is counted once</li>",
            s.duplicates, s.duplicates
        );
    }
    o.push_str(
        "</ul>\n<p><small>files.csv lists every input with its status and reason.</small></p>\n",
    );
    o
}
