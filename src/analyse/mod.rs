//! Analysis: one decoded file → per-run facts ([`RunFacts`]) and the file's ledger verdict.
//!
//! Runs in the decoder's worker, so that the samples of a file are reduced to a few numbers per
//! run and dropped before the next file is read. Each running session becomes one run; other
//! sports are counted but not analysed.

pub mod cadence;
pub mod downhill;
pub mod surface;

use std::borrow::Cow;

use crate::config::Config;
use crate::decode::{Decoded, SessionMsg, FIT_EPOCH_UNIX, FIT_MIN_DATE};
use crate::ledger::{Reason, Status};

/// Everything the report keeps about one running session.
#[derive(Clone, Debug, Default)]
pub struct RunFacts {
    /// Session index within the file (0-based, file order).
    pub session: u32,
    /// Start, UTC Unix seconds; `None` when the device had no date.
    pub start_utc: Option<i64>,
    /// Local offset from UTC in seconds, from the `activity` message.
    pub utc_offset_s: Option<i32>,
    /// FIT sport.
    pub sport: String,
    /// FIT sub-sport.
    pub sub_sport: Option<String>,
    /// Manufacturer and product.
    pub device: Option<String>,
    /// Timer time (moving, excluding pauses), seconds.
    pub duration_s: Option<f64>,
    /// Elapsed wall time, seconds.
    pub elapsed_s: Option<f64>,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Total ascent, metres.
    pub ascent_m: Option<f64>,
    /// Total descent, metres.
    pub descent_m: Option<f64>,
    /// Average speed over timer time, m/s.
    pub avg_speed_mps: Option<f64>,
    /// Cadence: time-weighted median of moving running samples, steps/min.
    pub cadence_spm: Option<f64>,
    /// Cadence: time-weighted mean of the same samples, steps/min.
    pub cadence_spm_mean: Option<f64>,
    /// Where the cadence came from: `records` or `session` (the session's average).
    pub cadence_source: Option<&'static str>,
    /// Record samples in the session.
    pub samples: u32,
    /// Any sample with a position.
    pub has_gps: bool,
    /// Any sample with an altitude.
    pub has_altitude: bool,
    /// Any sample with a cadence.
    pub has_cadence: bool,
    /// Whether the totals came from a `session` message or were rebuilt from records.
    pub totals_source: &'static str,
    /// Device serial number and creation time (FIT seconds), for duplicate detection.
    pub file_key: Option<(u32, u32)>,
    /// Grade segments and downhill cadence.
    pub downhill: downhill::Downhill,
    /// Speed-matched downhill cadence drop (from this run, or from the runner's history, filled
    /// in by aggregation).
    pub matched: Option<downhill::Matched>,
    /// Where the flat reference of `matched` came from: `run` or `history`.
    pub matched_source: Option<&'static str>,
    /// Surface: declared or inferred, with its features.
    pub surface: Option<surface::SurfaceVerdict>,
}

/// The verdict on one decoded file.
#[derive(Clone, Debug)]
pub struct FileVerdict {
    /// `ok`, `warning` or `skipped`.
    pub status: Status,
    /// Why, when not ok.
    pub reason: Option<Reason>,
    /// Specifics, `; `-separated.
    pub detail: String,
    /// FIT file type.
    pub file_type: Option<String>,
    /// Sessions of any sport.
    pub sessions: u32,
    /// The running sessions.
    pub runs: Vec<RunFacts>,
}

/// Analyses one decoded file.
pub fn analyse(d: &Decoded, cfg: &Config) -> FileVerdict {
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
        verdict.runs.push(run_facts(i as u32, s, &samples, d, cfg));
    }
    if verdict.runs.is_empty() {
        other.dedup();
        return skip(verdict, Reason::NotRunning, other.join(", "), &notes);
    }
    if !other.is_empty() {
        notes_info(
            &mut verdict.detail,
            &format!(
                "{} other session(s) ignored: {}",
                other.len(),
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

/// Sums record intervals no longer than this as timer time when a file has no session.
const MAX_TIMER_GAP_S: i64 = 30;

fn run_facts(
    index: u32,
    s: &SessionMsg,
    samples: &crate::decode::Samples,
    d: &Decoded,
    cfg: &Config,
) -> RunFacts {
    let first_t = samples.t.first().copied();
    let last_t = samples.t.last().copied();
    let start = s.start.or(first_t);
    let dated = |t: i64| t >= FIT_EPOCH_UNIX + FIT_MIN_DATE;
    let start_utc = start.filter(|&t| dated(t));

    let from_session = s.from_session_message;
    let distance_m = s.distance_m.or_else(|| {
        samples
            .distance_m
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
    });
    let elapsed_s = s.elapsed_s.or_else(|| match (first_t, last_t) {
        (Some(a), Some(b)) => Some((b - a) as f64),
        _ => None,
    });
    let duration_s = s.timer_s.or_else(|| {
        (samples.len() > 1).then(|| {
            samples
                .t
                .windows(2)
                .map(|w| w[1] - w[0])
                .filter(|&dt| dt > 0 && dt <= MAX_TIMER_GAP_S)
                .sum::<i64>() as f64
        })
    });
    let avg_speed_mps = s.avg_speed_mps.or_else(|| match (distance_m, duration_s) {
        (Some(dm), Some(ts)) if ts > 0.0 => Some(dm / ts),
        _ => None,
    });

    let moving = cadence::Moving::new(samples, cfg.ingest.min_moving_speed_mps);
    let cad = moving.cadence();
    let dh = downhill::analyse(samples, &moving, &cfg.downhill);
    let (cadence_spm, cadence_spm_mean, cadence_source) = match cad {
        Some(c) => (Some(c.median_spm), Some(c.mean_spm), Some("records")),
        None => match s.avg_cadence_raw.filter(|&c| c > 0.0) {
            Some(c) => {
                let spm = cadence::to_spm(c);
                (Some(spm), Some(spm), Some("session"))
            }
            None => (None, None, None),
        },
    };

    RunFacts {
        session: index,
        start_utc,
        utc_offset_s: d.utc_offset_raw_s.map(round_offset),
        sport: s.sport.clone().unwrap_or_default(),
        sub_sport: s.sub_sport.clone(),
        device: d.file.device(),
        duration_s,
        elapsed_s,
        distance_m,
        ascent_m: s.ascent_m,
        descent_m: s.descent_m,
        avg_speed_mps,
        cadence_spm,
        cadence_spm_mean,
        cadence_source,
        samples: samples.len() as u32,
        has_gps: samples.lat_deg.iter().any(|x| x.is_finite()),
        has_altitude: samples.altitude_m.iter().any(|&x| valid_altitude(x)),
        has_cadence: samples.cadence_raw.iter().any(|&x| x > 0.0),
        totals_source: if from_session { "session" } else { "records" },
        file_key: d.file.serial.zip(d.file.time_created),
        matched: dh.matched_in_run,
        matched_source: dh.matched_in_run.map(|_| "run"),
        downhill: dh,
        surface: Some(surface::surface(
            samples,
            s.sub_sport.as_deref(),
            &cfg.surface,
        )),
    }
}

/// Rounds a device-reported offset to the nearest quarter hour: every civil UTC offset is a
/// multiple of 15 minutes, and devices write the two time stamps a second or two apart.
pub fn round_offset(raw: i64) -> i32 {
    ((raw as f64 / 900.0).round() * 900.0) as i32
}

/// An altitude sample is usable when present and not the −500 m placeholder (raw 0) that some
/// devices write before a fix.
pub fn valid_altitude(x: f64) -> bool {
    x.is_finite() && x != -500.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_to_quarter_hours() {
        assert_eq!(round_offset(7200), 7200);
        assert_eq!(round_offset(7199), 7200);
        assert_eq!(round_offset(-18_002), -18_000);
        assert_eq!(round_offset(19_800), 19_800); // UTC+5:30
        assert_eq!(round_offset(20_700), 20_700); // UTC+5:45
    }
}
