//! Analysis: one decoded file → per-run facts ([`RunFacts`]) and the file's ledger verdict.
//!
//! Runs in the decoder's worker, so that the samples of a file are reduced to a few numbers per
//! run and dropped before the next file is read. Each running session becomes one run; other
//! sports are counted but not analysed.

mod cadence;
pub(crate) mod downhill;
mod gait;
mod guard;
#[cfg(test)]
pub(crate) mod invariants;
mod run;
mod surface;

use std::borrow::Cow;
use std::fmt::Display;

use crate::config::{FileSettings, GaitSettings};
use crate::model::{plural, Decoded, Gait, Reason, RunFacts, Samples, SessionMsg, Sport, Status};
use crate::series::{sample_speeds, sample_weights};

/// The verdict on one decoded file.
#[derive(Clone, Debug)]
pub struct FileVerdict {
    /// `ok`, `warning` or `skipped`.
    pub(crate) status: Status,
    /// Why, when not ok.
    pub(crate) reason: Option<Reason>,
    /// Specifics, `; `-separated.
    pub(crate) detail: String,
    /// FIT file type.
    pub(crate) file_type: Option<String>,
    /// Sessions of any sport.
    pub(crate) sessions: u32,
    /// The running sessions.
    pub(crate) runs: Vec<RunFacts>,
}

/// Analyses one decoded file.
pub fn analyse(d: &Decoded, cfg: &FileSettings<'_>) -> FileVerdict {
    let mut verdict = FileVerdict {
        status: Status::Ok,
        reason: None,
        detail: String::new(),
        file_type: d.file.file_type.clone(),
        sessions: d.sessions.len() as u32,
        runs: Vec::new(),
    };
    let mut notes = integrity_notes(d);
    if d.headers > 1 {
        notes_info(
            &mut verdict.detail,
            &format!("chained file with {} parts", d.headers),
        );
    }
    if let Some(why) = not_an_activity(d) {
        return skip(verdict, Reason::NotActivity, why, &notes);
    }
    let sessions = match sessions(d, cfg, &mut notes) {
        Ok(sessions) => sessions,
        Err(why) => return skip(verdict, Reason::SportUnknown, why, &notes),
    };
    verdict.sessions = sessions.len() as u32;
    let pass = Pass::over(&sessions, d, cfg);
    if let Some(text) = pass.implausible() {
        // First: it is the problem that changed the numbers.
        notes.insert(0, (Reason::Implausible, format!("implausible: {text}")));
    }
    if pass.runs.is_empty() {
        let (reason, why) = pass.why_no_run();
        return skip(verdict, reason, why, &notes);
    }
    pass.not_counted(&mut verdict.detail);
    if pass.runs.iter().any(|r| r.start_utc.is_none()) {
        notes.push((
            Reason::DeviceTime,
            "time stamps count from device power-on, not dates: kept without a date".to_string(),
        ));
    }
    verdict.runs = pass.runs;
    if let Some((reason, _)) = notes.first() {
        verdict.status = Status::Warning;
        verdict.reason = Some(*reason);
    }
    for (_, n) in &notes {
        notes_info(&mut verdict.detail, n);
    }
    verdict
}

/// What the decoder said of the file's integrity, a ledger note each.
fn integrity_notes(d: &Decoded) -> Vec<(Reason, String)> {
    let mut notes: Vec<(Reason, String)> = Vec::new();
    if let Some(t) = &d.integrity.truncated {
        notes.push((Reason::Truncated, t.clone()));
    }
    if !d.integrity.skipped.is_empty() {
        notes.push((Reason::Damaged, stretches_skipped(&d.integrity.skipped)));
    }
    if let Some(c) = &d.integrity.crc_mismatch {
        notes.push((Reason::CrcMismatch, c.clone()));
    }
    if let Some(t) = &d.integrity.trailing {
        notes.push((Reason::TrailingData, t.clone()));
    }
    notes
}

/// Why the file is no activity, or `None` when it may be one: its type says another, or
/// without a `file_id` it has neither sessions nor records.
fn not_an_activity(d: &Decoded) -> Option<String> {
    match &d.file.file_type {
        Some(ft) if ft != "activity" => Some(format!("file type: {ft}")),
        Some(_) => None,
        None if d.sessions.is_empty() && d.samples.is_empty() => {
            Some("no file_id, session or record messages".to_string())
        }
        None => None,
    }
}

/// One session of a file, its sport told.
struct Session {
    sport: Sport,
    msg: SessionMsg,
}

/// The sessions of a file (see [`sessions_of`]). When no message names the sport, the records
/// decide: a run (noted first in `notes`) when they show running, else `Err` with why not.
fn sessions(
    d: &Decoded,
    cfg: &FileSettings<'_>,
    notes: &mut Vec<(Reason, String)>,
) -> Result<Vec<Session>, String> {
    let sessions = sessions_of(d);
    if !sessions.is_empty() {
        return Ok(sessions);
    }
    let damaged = d.integrity.truncated.is_some() || !d.integrity.skipped.is_empty();
    let lost = if damaged {
        "the messages naming the sport were lost with the damage"
    } else {
        "no session, sport or lap message names the sport"
    };
    match running_records(&d.samples, cfg) {
        Ok(shows) => {
            notes.insert(
                0,
                (
                    Reason::SportUnknown,
                    format!("{lost}; the records show running ({shows}): kept as a run"),
                ),
            );
            Ok(vec![Session {
                sport: Sport::Running,
                msg: SessionMsg::default(),
            }])
        }
        Err(why) => Err(format!(
            "{lost}, and the records do not show running ({why})"
        )),
    }
}

/// Something said of session `index` of a file.
struct Said<T> {
    index: usize,
    what: T,
}

impl<T: Display> Said<T> {
    /// As the ledger writes it: after "session i: " in a file of several sessions.
    fn text(&self, single: bool) -> String {
        if single {
            self.what.to_string()
        } else {
            format!("session {}: {}", self.index, self.what)
        }
    }
}

/// The guard's notes on one run, `, `-separated as the ledger writes them.
struct GuardNotes(Vec<guard::Note>);

impl Display for GuardNotes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, note) in self.0.iter().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{note}")?;
        }
        Ok(())
    }
}

/// What the sessions of a file came to, each through the guard and, when running and kept,
/// analysed.
struct Pass {
    /// The file has one session.
    single: bool,
    /// The runs kept.
    runs: Vec<RunFacts>,
    /// The sports of the other sessions, in file order.
    other: Vec<Sport>,
    /// The runs whose values or totals the guard changed.
    implausible: Vec<Said<GuardNotes>>,
    /// The runs not on foot.
    not_on_foot: Vec<Said<guard::NotOnFoot>>,
    /// Runs with too little plausible data to keep.
    rejected: usize,
}

impl Pass {
    fn over(sessions: &[Session], d: &Decoded, cfg: &FileSettings<'_>) -> Pass {
        let single = sessions.len() == 1;
        let mut pass = Pass {
            single,
            runs: Vec::new(),
            other: Vec::new(),
            implausible: Vec::new(),
            not_on_foot: Vec::new(),
            rejected: 0,
        };
        for (index, session) in sessions.iter().enumerate() {
            if session.sport != Sport::Running {
                pass.other.push(session.sport.clone());
                continue;
            }
            let samples = session_samples(d, &session.msg, single);
            let g = guard::guard(&session.msg, &samples, cfg.guard);
            if !g.notes.is_empty() {
                let what = GuardNotes(g.notes);
                pass.implausible.push(Said { index, what });
            }
            if let Some(what) = g.not_on_foot {
                pass.not_on_foot.push(Said { index, what });
                continue;
            }
            if g.rejected {
                pass.rejected += 1;
                continue;
            }
            let facts = run::facts(
                index as u32,
                &g.session,
                &g.samples,
                d,
                cfg,
                g.totals_repaired,
            );
            pass.runs.push(facts);
        }
        pass
    }

    /// What the guard changed, for the ledger; `None` when nothing.
    fn implausible(&self) -> Option<String> {
        if self.implausible.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .implausible
            .iter()
            .map(|s| s.text(self.single))
            .collect();
        Some(parts.join("; "))
    }

    /// Why the file has no run to keep: its runs are not on foot, too little of them is
    /// plausible, or it has none.
    fn why_no_run(&self) -> (Reason, String) {
        if !self.not_on_foot.is_empty() {
            return (Reason::NotOnFoot, self.not_on_foot().join("; "));
        }
        if self.rejected > 0 {
            return (
                Reason::Implausible,
                "too little of the running data is plausible".to_string(),
            );
        }
        let mut other: Vec<&str> = self.other.iter().map(Sport::as_str).collect();
        other.dedup();
        (Reason::NotRunning, other.join(", "))
    }

    /// Says in `detail` which sessions of a file with runs are not counted: those not on foot,
    /// and those of other sports.
    fn not_counted(&self, detail: &mut String) {
        for why in self.not_on_foot() {
            notes_info(detail, &format!("not on foot, not counted: {why}"));
        }
        if !self.other.is_empty() {
            let other: Vec<&str> = self.other.iter().map(Sport::as_str).collect();
            notes_info(
                detail,
                &format!(
                    "{} ignored: {}",
                    plural(other.len(), "other session", "other sessions"),
                    other.join(", ")
                ),
            );
        }
    }

    /// Why each run not on foot is not.
    fn not_on_foot(&self) -> Vec<String> {
        self.not_on_foot
            .iter()
            .map(|s| s.text(self.single))
            .collect()
    }
}

/// The samples of session `s`: a single session uses the file's samples as they are; sessions
/// of a multisport file take the samples within their own time range.
fn session_samples<'a>(d: &'a Decoded, s: &SessionMsg, single: bool) -> Cow<'a, Samples> {
    match (s.start, s.end) {
        _ if single => Cow::Borrowed(&d.samples),
        (Some(lo), Some(hi)) => Cow::Owned(d.samples.slice_time(lo, hi)),
        (Some(lo), None) => Cow::Owned(d.samples.slice_time(lo, i64::MAX)),
        _ => Cow::Borrowed(&d.samples),
    }
}

/// The stretches read past, a note each; past the first few, how many more and their bytes.
fn stretches_skipped(notes: &[String]) -> String {
    const SHOWN: usize = 3;
    if notes.len() <= SHOWN + 1 {
        return notes.join("; ");
    }
    format!(
        "{}; and {} more stretches",
        notes[..SHOWN].join("; "),
        notes.len() - SHOWN
    )
}

fn notes_info(detail: &mut String, text: &str) {
    if !detail.is_empty() {
        detail.push_str("; ");
    }
    detail.push_str(text);
}

fn skip(
    mut v: FileVerdict,
    reason: Reason,
    detail: String,
    notes: &[(Reason, String)],
) -> FileVerdict {
    v.status = Status::Skipped;
    v.reason = Some(reason);
    let mut text = detail;
    for (_, n) in notes {
        notes_info(&mut text, n);
    }
    if !v.detail.is_empty() {
        notes_info(&mut text, &v.detail);
    }
    v.detail = text;
    v.runs.clear();
    v
}

/// The sessions of a file: its `session` messages, or a single stand-in built from the `sport`
/// (or first `lap`) message and the records when the file has none (truncated files, some
/// devices).
fn sessions_of(d: &Decoded) -> Vec<Session> {
    if !d.sessions.is_empty() {
        return d
            .sessions
            .iter()
            .map(|msg| Session {
                sport: Sport::of(msg.sport.as_deref()),
                msg: msg.clone(),
            })
            .collect();
    }
    let Some((sport, sub_sport)) = d.sport_msg.clone().or_else(|| d.lap_sport.clone()) else {
        return Vec::new();
    };
    vec![Session {
        sport: Sport::of(sport.as_deref()),
        msg: SessionMsg {
            sport,
            sub_sport,
            ..SessionMsg::default()
        },
    }]
}

/// Whether records without a named sport are a run: a running cadence (the median of the
/// samples with cadence at or above `gait.run_min_spm`) with running dynamics, or without a
/// ride's signature (see `guard/foot.rs`) and with a running watch's fractional cadence or at
/// speeds on foot. `Ok` says what shows it, `Err` what does not; speeds beyond running are
/// left to the guard. Without cadence the records cannot tell.
fn running_records(s: &Samples, cfg: &FileSettings<'_>) -> Result<String, String> {
    let per_raw = cadence::steps_per_raw(&s.cadence_raw);
    let mut steps: Vec<f64> = s
        .cadence_raw
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|c| c * per_raw)
        .collect();
    let Some(spm) = crate::series::median(&mut steps) else {
        return Err("no cadence: a run cannot be told from a ride".to_string());
    };
    if spm < cfg.gait.run_min_spm {
        return Err(format!(
            "a median cadence of {spm:.0} steps/min, not running"
        ));
    }
    if guard::running_dynamics(s, cfg.guard) {
        return Ok(format!(
            "a median cadence of {spm:.0} steps/min with running dynamics"
        ));
    }
    if let Some(ride) = guard::ride(s, cfg.guard) {
        return Err(ride.to_string());
    }
    if s.fractional_cadence.iter().any(|x| x.is_finite()) {
        return Ok(format!(
            "a median cadence of {spm:.0} steps/min with fractional cadence"
        ));
    }
    if !crate::series::sample_speeds(s).iter().any(|&v| v > 0.0) {
        return Err(format!(
            "{spm:.0} steps/min, but no speed, fractional cadence or running dynamics"
        ));
    }
    Ok(format!(
        "a median cadence of {spm:.0} steps/min at speeds on foot, no ride's signature"
    ))
}

/// Per-sample series of one run that every analysis of it shares, computed once.
#[derive(Clone, Debug, Default)]
pub(crate) struct SampleSeries {
    /// Speed of each sample, m/s (see [`sample_speeds`]).
    pub(crate) speed_mps: Vec<f64>,
    /// What each sample shows the runner doing (see [`gait::of_sample`]).
    pub(crate) gait: Vec<Gait>,
    /// Steps/min of running samples, `NaN` elsewhere: everything that describes running form
    /// reads this.
    pub(crate) spm: Vec<f64>,
    /// Seconds each sample stands for (see [`sample_weights`]).
    pub(crate) weight_s: Vec<f64>,
}

impl SampleSeries {
    /// Computes the series of `s`.
    pub(crate) fn new(s: &Samples, cfg: &GaitSettings) -> SampleSeries {
        let speed_mps = sample_speeds(s);
        let mut spm = cadence::steps_per_min(s);
        let gait: Vec<Gait> = spm
            .iter()
            .zip(&speed_mps)
            .map(|(&c, &v)| gait::of_sample(c, v, cfg))
            .collect();
        for (c, g) in spm.iter_mut().zip(&gait) {
            if *g != Gait::Running {
                *c = f64::NAN;
            }
        }
        SampleSeries {
            speed_mps,
            gait,
            spm,
            weight_s: sample_weights(&s.t),
        }
    }

    /// Seconds the samples stand for in `gait`.
    pub(crate) fn seconds(&self, gait: Gait) -> f64 {
        self.gait
            .iter()
            .zip(&self.weight_s)
            .filter(|(g, _)| **g == gait)
            .fold(0.0, |sum, (_, w)| sum + w)
    }
}
