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

use crate::config::{FileSettings, GaitSettings};
use crate::model::{plural, Decoded, Gait, Reason, RunFacts, Samples, SessionMsg, Status};
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
    let mut notes: Vec<(Reason, String)> = Vec::new();
    if let Some(t) = &d.integrity.truncated {
        notes.push((Reason::Truncated, t.clone()));
    }
    if let Some(c) = &d.integrity.crc_mismatch {
        notes.push((Reason::CrcMismatch, c.clone()));
    }
    if let Some(t) = &d.integrity.trailing {
        notes.push((Reason::TrailingData, t.clone()));
    }
    if d.headers > 1 {
        notes_info(
            &mut verdict.detail,
            &format!("chained file with {} parts", d.headers),
        );
    }

    if let Some(ft) = &d.file.file_type {
        if ft != "activity" {
            return skip(
                verdict,
                Reason::NotActivity,
                format!("file type: {ft}"),
                &notes,
            );
        }
    } else if d.sessions.is_empty() && d.samples.is_empty() {
        return skip(
            verdict,
            Reason::NotActivity,
            "no file_id, session or record messages".to_string(),
            &notes,
        );
    }

    let sessions = sessions_of(d);
    if sessions.is_empty() {
        return skip(
            verdict,
            Reason::NotRunning,
            "sport unknown: no session, sport or lap message".to_string(),
            &notes,
        );
    }
    verdict.sessions = sessions.len() as u32;
    let mut other = Vec::new();
    let mut implausible: Vec<(usize, String)> = Vec::new();
    let mut rejected = 0usize;
    let single = sessions.len() == 1;
    for (i, s) in sessions.iter().enumerate() {
        let sport = s.sport.clone().unwrap_or_else(|| "unknown".to_string());
        if sport != "running" {
            other.push(sport);
            continue;
        }
        // A single session uses the file's samples as they are; sessions of a multisport file
        // take the samples within their own time range.
        let samples = match (s.start, s.end) {
            _ if single => Cow::Borrowed(&d.samples),
            (Some(lo), Some(hi)) => Cow::Owned(d.samples.slice_time(lo, hi)),
            (Some(lo), None) => Cow::Owned(d.samples.slice_time(lo, i64::MAX)),
            _ => Cow::Borrowed(&d.samples),
        };
        let g = guard::guard(s, &samples, cfg.guard);
        if !g.notes.is_empty() {
            implausible.push((i, g.notes.join(", ")));
        }
        if g.rejected {
            rejected += 1;
            continue;
        }
        let facts = run::facts(i as u32, &g.session, &g.samples, d, cfg, g.totals_repaired);
        verdict.runs.push(facts);
    }
    if !implausible.is_empty() {
        let text = if sessions.len() == 1 {
            implausible[0].1.clone()
        } else {
            let parts: Vec<String> = implausible
                .iter()
                .map(|(i, t)| format!("session {i}: {t}"))
                .collect();
            parts.join("; ")
        };
        // First: it is the problem that changed the numbers.
        notes.insert(0, (Reason::Implausible, format!("implausible: {text}")));
    }
    if verdict.runs.is_empty() {
        if rejected > 0 {
            return skip(
                verdict,
                Reason::Implausible,
                "too little of the running data is plausible".to_string(),
                &notes,
            );
        }
        other.dedup();
        return skip(verdict, Reason::NotRunning, other.join(", "), &notes);
    }
    if !other.is_empty() {
        notes_info(
            &mut verdict.detail,
            &format!(
                "{} ignored: {}",
                plural(other.len(), "other session", "other sessions"),
                other.join(", ")
            ),
        );
    }
    if verdict.runs.iter().any(|r| r.start_utc.is_none()) {
        notes.push((
            Reason::DeviceTime,
            "time stamps count from device power-on, not dates: kept without a date".to_string(),
        ));
    }
    if let Some((reason, _)) = notes.first() {
        verdict.status = Status::Warning;
        verdict.reason = Some(*reason);
    }
    for (_, n) in &notes {
        notes_info(&mut verdict.detail, n);
    }
    verdict
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
fn sessions_of(d: &Decoded) -> Vec<SessionMsg> {
    if !d.sessions.is_empty() {
        return d.sessions.clone();
    }
    let Some((sport, sub_sport)) = d.sport_msg.clone().or_else(|| d.lap_sport.clone()) else {
        return Vec::new();
    };
    vec![SessionMsg {
        sport,
        sub_sport,
        ..SessionMsg::default()
    }]
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
