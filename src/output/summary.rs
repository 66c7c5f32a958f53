//! The summary printed at the end of `fitrisk report`, and a cohort's line per athlete.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::folder::DECODER_LOG;
use super::progress::Captured;
use crate::csvtext::LineError;
use crate::model::{plural, Reason, Severity, Status, Tables};

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
    /// Files of an earlier run not written this time, removed.
    pub(crate) removed: Vec<PathBuf>,
    /// What dependencies wrote to stderr meanwhile.
    pub(crate) captured: Captured,
    /// The decoder's complaints, each naming its input.
    pub(crate) decoder: Vec<String>,
    /// The first findings in the one order, one line each.
    pub(crate) top_findings: Vec<TopFinding>,
    /// The first day of what matters now.
    pub(crate) recent_from: Option<chrono::NaiveDate>,
    /// Findings in all.
    pub(crate) findings: usize,
    /// The pain diary read (its rows are days).
    pub(crate) diary: Option<RunnerFile>,
    /// The gear log read (its rows are spans).
    pub(crate) gear_log: Option<RunnerFile>,
    /// Strava export indexes read.
    pub(crate) exports: Vec<ExportRead>,
    /// Pairs of shoes in the gear table.
    pub(crate) pairs: usize,
    /// The result cache used; `None` without a cache.
    pub(crate) cache: Option<CacheUse>,
    /// What went wrong with the cache (rebuilt, not updated), a sentence each, for stderr.
    pub(crate) notes: Vec<String>,
}

/// One of the first findings, as the summary lists it.
#[derive(Clone, Debug)]
pub(crate) struct TopFinding {
    /// About what matters now (high or watch, in the recent weeks).
    pub(crate) now: bool,
    /// Severity, first day and message.
    pub(crate) line: String,
}

/// A runner's own CSV file read beside the FIT files (the pain diary, the gear log).
#[derive(Clone, Debug)]
pub(crate) struct RunnerFile {
    /// The file, as given.
    pub(crate) path: String,
    /// The rows used.
    pub(crate) used: usize,
    /// The lines left out.
    pub(crate) errors: Vec<LineError>,
}

/// A Strava export index read.
#[derive(Clone, Debug)]
pub(crate) struct ExportRead {
    /// The index file.
    pub(crate) source: String,
    /// The activities it lists with a file.
    pub(crate) listed: usize,
    /// The lines left out (`source:line: what`).
    pub(crate) errors: Vec<String>,
    /// Why it was ignored, if it was.
    pub(crate) ignored: Option<String>,
}

/// The result cache of a report.
#[derive(Clone, Debug)]
pub(crate) struct CacheUse {
    /// Its file.
    pub(crate) file: PathBuf,
    /// Inputs taken from it.
    pub(crate) from_cache: usize,
    /// Fresh results stored in it.
    pub(crate) stored: usize,
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
            .map(|x| ExportRead {
                source: x.source.clone(),
                listed: x.entries.len(),
                errors: x.errors.clone(),
                ignored: x.ignored.clone(),
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
                TopFinding { now, line }
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
        self.diary.as_ref().map_or(0, |d| d.errors.len())
            + self.gear_log.as_ref().map_or(0, |d| d.errors.len())
    }

    /// The diary and gear log lines left out, one error line each (`path:line: what`), then
    /// the export index lines left out and the indexes ignored, for stderr.
    pub(crate) fn render_diary_errors(&self) -> String {
        let mut o = String::new();
        for e in self.diary.iter().flat_map(|d| &d.errors) {
            let _ = writeln!(o, "fitrisk: warning: pain diary {e} (line left out)");
        }
        for e in self.gear_log.iter().flat_map(|d| &d.errors) {
            let _ = writeln!(o, "fitrisk: warning: gear log {e} (line left out)");
        }
        for note in &self.notes {
            let _ = writeln!(o, "fitrisk: warning: {note}");
        }
        for x in &self.exports {
            for e in &x.errors {
                let _ = writeln!(o, "fitrisk: warning: Strava export {e} (line left out)");
            }
            if let Some(why) = &x.ignored {
                let _ = writeln!(o, "fitrisk: note: {} ignored: {why}", x.source);
            }
        }
        o
    }

    /// The text printed at the end of a run.
    pub(crate) fn render(&self) -> String {
        let mut o = String::new();
        self.render_inputs(&mut o);
        self.render_beside(&mut o);
        self.render_files(&mut o);
        self.render_findings(&mut o);
        o
    }

    /// What was read, from where, and how long it took.
    fn render_inputs(&self, o: &mut String) {
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
        if let Some(c) = &self.cache {
            let _ = writeln!(
                o,
                "{:<11}{} of {} from {}; {} stored",
                "cache",
                c.from_cache,
                plural(self.inputs, "input", "inputs"),
                c.file.display(),
                c.stored
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
    }

    /// What was read beside the FIT files: the diary, the gear log, the exports, the shoes.
    fn render_beside(&self, o: &mut String) {
        let runner_file = |o: &mut String, label: &str, f: &RunnerFile, rows: (&str, &str)| {
            let bad = match f.errors.len() {
                0 => String::new(),
                n => format!(", {} left out (on stderr)", plural(n, "line", "lines")),
            };
            let used = plural(f.used, rows.0, rows.1);
            let _ = writeln!(o, "{label:<11}{}: {used}{bad}", f.path);
        };
        if let Some(d) = &self.diary {
            runner_file(o, "diary", d, ("day", "days"));
        }
        if let Some(g) = &self.gear_log {
            runner_file(o, "gear log", g, ("span", "spans"));
        }
        for x in &self.exports {
            let what = match &x.ignored {
                Some(_) => "ignored (on stderr)".to_string(),
                None if x.errors.is_empty() => format!("{} activities with a file", x.listed),
                None => format!(
                    "{} activities with a file, {} left out (on stderr)",
                    x.listed,
                    plural(x.errors.len(), "line", "lines")
                ),
            };
            let _ = writeln!(o, "{:<11}{}: {what}", "export", x.source);
        }
        if self.pairs > 0 {
            let _ = writeln!(
                o,
                "{:<11}{} in gear.csv",
                "shoes",
                plural(self.pairs, "pair", "pairs")
            );
        }
    }

    /// The files written and removed.
    fn render_files(&self, o: &mut String) {
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
            .filter(|x| x.now)
            .map(|x| x.line.as_str())
            .collect();
        if now.is_empty() {
            let _ = writeln!(o, "  now{since}: nothing high or to watch");
        } else {
            let _ = writeln!(o, "  now{since}:");
            for line in now {
                let _ = writeln!(o, "    {line}");
            }
        }
        let mut earlier = self.top_findings.iter().filter(|x| !x.now).peekable();
        if earlier.peek().is_some() {
            let _ = writeln!(o, "  the history, most severe first:");
            for x in earlier {
                let _ = writeln!(o, "    {}", x.line);
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

/// One line of a cohort's progress on the terminal: an athlete done.
#[derive(Clone, Debug)]
pub(crate) struct AthleteLine {
    pub(crate) name: String,
    pub(crate) inputs: usize,
    pub(crate) runs: usize,
    pub(crate) findings: usize,
    pub(crate) seconds: f64,
}

impl AthleteLine {
    pub(crate) fn of(name: &str, s: &Summary) -> AthleteLine {
        AthleteLine {
            name: name.to_string(),
            inputs: s.inputs,
            runs: s.runs,
            findings: s.findings,
            seconds: s.elapsed.as_secs_f64(),
        }
    }
}

/// Prints an athlete's line.
pub(crate) fn tell_athlete(a: &AthleteLine) {
    println!(
        "athlete    {}: {} inputs, {} runs, {} findings ({:.1} s)",
        a.name, a.inputs, a.runs, a.findings, a.seconds
    );
}

/// Says that an athlete could not be reported.
pub(crate) fn tell_failed(name: &str, error: &anyhow::Error) {
    eprintln!("fitrisk: athlete {name} not reported: {error:#}");
}

/// Says which entries directly under the cohort's folder belong to no athlete (not read).
pub(crate) fn tell_loose(root: &Path, loose: &[OsString]) {
    let names: Vec<String> = loose
        .iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    eprintln!(
        "fitrisk: {} {} directly under {} {} no athlete's and {} not read (an athlete is a \
         sub-folder): {}",
        names.len(),
        if names.len() == 1 { "entry" } else { "entries" },
        root.display(),
        if names.len() == 1 { "is" } else { "are" },
        if names.len() == 1 { "was" } else { "were" },
        names.join(", ")
    );
}
