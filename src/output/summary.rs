//! The summary printed at the end of `fitrisk report`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use super::progress::Captured;
use crate::csvtext::LineError;
use crate::model::{plural, Reason, Severity, Status, Tables};

/// The file in the output folder that holds what the decoder printed.
pub(crate) const DECODER_LOG: &str = "decoder.log";

/// decoder.log's text: the decoder's complaints, each naming its input (`path: byte …`), then
/// any line it printed to stderr that none of them accounts for; `None` when there is neither.
pub(crate) fn decoder_log(attributed: &[String], captured: &Captured) -> Option<String> {
    if attributed.is_empty() && captured.count == 0 {
        return None;
    }
    let mut log = String::new();
    for line in attributed {
        log.push_str(line);
        log.push('\n');
    }
    // Each complaint fitrisk knows of is printed once; more lines than complaints are
    // something else fitparser printed, kept as printed.
    if captured.count > attributed.len() {
        let _ = writeln!(
            log,
            "{} printed by fitparser while the files were read, not attributed to an input:",
            plural(captured.count, "line", "lines")
        );
        for line in &captured.lines {
            log.push_str(line);
            log.push('\n');
        }
        if captured.count > captured.lines.len() {
            let more = captured.count - captured.lines.len();
            let _ = writeln!(log, "… and {more} more lines, not kept");
        }
    }
    Some(log)
}

/// How many findings the summary lists.
pub(crate) const TOP_FINDINGS: usize = 10;

/// Figures of one run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Summary {
    /// Members found (ledger rows).
    pub(crate) inputs: usize,
    /// Input bytes on disk.
    pub(crate) input_bytes: u64,
    /// Runs in the activities table.
    pub(crate) runs: usize,
    /// Warnings by reason.
    pub(crate) warnings: BTreeMap<Reason, usize>,
    /// Skips by reason.
    pub(crate) skipped: BTreeMap<Reason, usize>,
    /// Duplicates.
    pub(crate) duplicates: usize,
    /// Wall time of the whole command.
    pub(crate) elapsed: Duration,
    /// Files written.
    pub(crate) written: Vec<PathBuf>,
    /// Table files of an earlier run in a format not written this time, removed.
    pub(crate) removed: Vec<PathBuf>,
    /// What dependencies wrote to stderr meanwhile.
    pub(crate) captured: Captured,
    /// The decoder's complaints, each naming its input.
    pub(crate) decoder: Vec<String>,
    /// The first findings in the one order, one line each, and whether each is about now.
    pub(crate) top_findings: Vec<(bool, String)>,
    /// The first day of what matters now.
    pub(crate) recent_from: Option<chrono::NaiveDate>,
    /// Findings in all.
    pub(crate) findings: usize,
    /// The pain diary read: its path, the rows used and the lines left out.
    pub(crate) diary: Option<(String, usize, Vec<LineError>)>,
    /// The gear log read: its path, the spans used and the lines left out.
    pub(crate) gear_log: Option<(String, usize, Vec<LineError>)>,
    /// Strava export indexes: their source, the activities listed with a file, the lines
    /// left out (`source:line: what`), and why one was ignored.
    pub(crate) exports: Vec<(String, usize, Vec<String>, Option<String>)>,
    /// Pairs of shoes in the gear table.
    pub(crate) pairs: usize,
    /// The result cache: its file, the inputs taken from it and the fresh results stored in
    /// it; `None` without a cache.
    pub(crate) cache: Option<(PathBuf, usize, usize)>,
    /// What went wrong with the cache (rebuilt, not updated) or the spill file (runs kept in
    /// memory), a sentence each, for stderr.
    pub(crate) notes: Vec<String>,
}

impl Summary {
    /// Counts the ledger.
    pub(crate) fn new(t: &Tables, input_bytes: u64) -> Summary {
        let mut s = Summary {
            inputs: t.files.len(),
            input_bytes,
            runs: t.run_count(),
            ..Summary::default()
        };
        s.findings = t.findings.len();
        s.pairs = t.gear.len();
        s.exports = t
            .exports
            .iter()
            .map(|x| {
                (
                    x.source.clone(),
                    x.entries.len(),
                    x.errors.clone(),
                    x.ignored.clone(),
                )
            })
            .collect();
        s.recent_from = t.recent_from;
        s.top_findings = t
            .findings
            .iter()
            .take(TOP_FINDINGS)
            .map(|f| {
                let now = f.is_recent(t.recent_from) && f.severity != Severity::Info;
                let line = format!(
                    "{:<6}{} {}",
                    f.severity.as_str(),
                    f.first
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| " ".repeat(10)),
                    f.message
                );
                (now, line)
            })
            .collect();
        for f in &t.files.slots {
            let reason = f.reason.unwrap_or(Reason::DecodeError);
            match f.status {
                Status::Ok => {}
                Status::Warning => *s.warnings.entry(reason).or_default() += 1,
                Status::Skipped => *s.skipped.entry(reason).or_default() += 1,
                Status::Duplicate => s.duplicates += 1,
            }
        }
        s
    }

    /// Inputs that could not be read at all.
    pub(crate) fn unreadable(&self) -> usize {
        self.skipped
            .iter()
            .filter(|(r, _)| r.is_unreadable())
            .map(|(_, n)| n)
            .sum()
    }

    /// Lines of the runner's own files (pain diary, gear log) left out.
    pub(crate) fn diary_errors(&self) -> usize {
        self.diary.as_ref().map_or(0, |d| d.2.len())
            + self.gear_log.as_ref().map_or(0, |d| d.2.len())
    }

    /// The diary and gear log lines left out, one error line each (`path:line: what`), then
    /// the export index lines left out and the indexes ignored, for stderr.
    pub(crate) fn render_diary_errors(&self) -> String {
        let mut o = String::new();
        for e in self.diary.iter().flat_map(|d| &d.2) {
            let _ = writeln!(o, "fitrisk: warning: pain diary {e} (line left out)");
        }
        for e in self.gear_log.iter().flat_map(|d| &d.2) {
            let _ = writeln!(o, "fitrisk: warning: gear log {e} (line left out)");
        }
        for note in &self.notes {
            let _ = writeln!(o, "fitrisk: warning: {note}");
        }
        for (source, _, errors, ignored) in &self.exports {
            for e in errors {
                let _ = writeln!(o, "fitrisk: warning: Strava export {e} (line left out)");
            }
            if let Some(why) = ignored {
                let _ = writeln!(o, "fitrisk: note: {source} ignored: {why}");
            }
        }
        o
    }

    /// The text printed at the end of a run.
    pub(crate) fn render(&self) -> String {
        let mut o = String::new();
        let secs = self.elapsed.as_secs_f64();
        let mb = self.input_bytes as f64 / 1e6;
        let _ = writeln!(
            o,
            "{:<11}{} found ({mb:.1} MB), {} analysed",
            "inputs",
            self.inputs,
            plural(self.runs, "run", "runs")
        );
        let list = |m: &BTreeMap<Reason, usize>| {
            m.iter()
                .map(|(r, n)| format!("{r} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some((file, hits, stored)) = &self.cache {
            let _ = writeln!(
                o,
                "{:<11}{hits} of {} from {}; {stored} stored",
                "cache",
                plural(self.inputs, "input", "inputs"),
                file.display()
            );
        }
        if !self.warnings.is_empty() {
            let n: usize = self.warnings.values().sum();
            let _ = writeln!(o, "{:<11}{n}: {}", "warnings", list(&self.warnings));
        }
        if !self.skipped.is_empty() {
            let n: usize = self.skipped.values().sum();
            let _ = writeln!(o, "{:<11}{n}: {}", "skipped", list(&self.skipped));
        }
        if self.duplicates > 0 {
            let _ = writeln!(o, "{:<11}{} (counted once)", "duplicates", self.duplicates);
        }
        let _ = writeln!(
            o,
            "{:<11}{secs:.2} s, {:.1} MB/s",
            "time",
            if secs > 0.0 { mb / secs } else { 0.0 }
        );
        let complaints = self.decoder.len().max(self.captured.count);
        if complaints > 0 {
            let first = self
                .decoder
                .first()
                .or(self.captured.lines.first())
                .map(String::as_str)
                .unwrap_or("");
            let _ = writeln!(
                o,
                "{:<11}{} from fitparser, all in {}; the first: {first}",
                "decoder",
                plural(complaints, "complaint", "complaints"),
                DECODER_LOG
            );
        }
        if let Some((path, used, errors)) = &self.diary {
            let bad = match errors.len() {
                0 => String::new(),
                n => format!(", {} left out (on stderr)", plural(n, "line", "lines")),
            };
            let _ = writeln!(
                o,
                "{:<11}{path}: {}{bad}",
                "diary",
                plural(*used, "day", "days")
            );
        }
        if let Some((path, used, errors)) = &self.gear_log {
            let bad = match errors.len() {
                0 => String::new(),
                n => format!(", {} left out (on stderr)", plural(n, "line", "lines")),
            };
            let _ = writeln!(
                o,
                "{:<11}{path}: {}{bad}",
                "gear log",
                plural(*used, "span", "spans")
            );
        }
        for (source, listed, errors, ignored) in &self.exports {
            let what = match ignored {
                Some(_) => "ignored (on stderr)".to_string(),
                None if errors.is_empty() => format!("{listed} activities with a file"),
                None => format!(
                    "{listed} activities with a file, {} left out (on stderr)",
                    plural(errors.len(), "line", "lines")
                ),
            };
            let _ = writeln!(o, "{:<11}{source}: {what}", "export");
        }
        if self.pairs > 0 {
            let _ = writeln!(
                o,
                "{:<11}{} in gear.csv",
                "shoes",
                plural(self.pairs, "pair", "pairs")
            );
        }
        if let Some(dir) = self.written.first().and_then(|p| p.parent()) {
            let names = file_names(&self.written);
            let _ = writeln!(
                o,
                "{:<11}{}: {}",
                "written",
                dir.display(),
                names.join(", ")
            );
        }
        if !self.removed.is_empty() {
            let _ = writeln!(
                o,
                "{:<11}{} (left by an earlier run, not written this time)",
                "removed",
                file_names(&self.removed).join(", ")
            );
        }
        self.render_findings(&mut o);
        o
    }

    /// The findings: what matters now (high and watch in the recent weeks), then the history's
    /// most severe, in the one order the table and the page use.
    fn render_findings(&self, o: &mut String) {
        if self.top_findings.is_empty() {
            return;
        }
        let _ = writeln!(
            o,
            "\nfindings ({} in all; the first {} here, all of them in findings.csv):",
            self.findings,
            self.top_findings.len()
        );
        let since = self
            .recent_from
            .map_or(String::new(), |d| format!(" (since {d})"));
        let now: Vec<&str> = self
            .top_findings
            .iter()
            .filter(|x| x.0)
            .map(|x| x.1.as_str())
            .collect();
        if now.is_empty() {
            let _ = writeln!(o, "  now{since}: nothing high or to watch");
        } else {
            let _ = writeln!(o, "  now{since}:");
            for line in now {
                let _ = writeln!(o, "    {line}");
            }
        }
        let mut earlier = self.top_findings.iter().filter(|x| !x.0).peekable();
        if earlier.peek().is_some() {
            let _ = writeln!(o, "  the history, most severe first:");
            for (_, line) in earlier {
                let _ = writeln!(o, "    {line}");
            }
        }
    }
}

/// The file names of `paths`.
fn file_names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}
