//! What the guard did to a run, one note per kind of change, carrying its numbers. The
//! ledger's English is made from them only where it is written (their `Display`).

use std::fmt::{self, Display, Formatter};

use super::fmt;
use crate::model::plural;

/// One change the guard made to a run's samples or session totals.
#[derive(Clone, Debug, PartialEq)]
pub(in crate::analyse) enum Note {
    /// Samples out of time order, removed.
    OutOfTimeOrder { samples: usize },
    /// Samples beyond a time gap longer than the longest session (a small part), removed.
    BeyondTimeGap { samples: usize, max_gap_s: i64 },
    /// Negative distances, dropped.
    NegativeDistances { count: usize },
    /// Distances out of order, dropped.
    DistancesOutOfOrder { count: usize },
    /// Distance increments faster than the speed bound, taken out of the cumulative distance.
    DistanceJumps {
        count: usize,
        max_speed_mps: f64,
        removed_m: f64,
    },
    /// A stretch faster than anyone runs for its duration, cut off.
    FastStretch(FastStretch),
    /// Values of one column outside its bounds, dropped.
    OutOfBounds { count: usize, bound: Bound },
    /// Positions off the globe, dropped.
    OffTheGlobe { count: usize },
    /// Distances of samples without a speed that imply one above the bound, dropped.
    ImpliedSpeeds { count: usize, max_speed_mps: f64 },
    /// Cadences too low for their speeds (steps longer than the bound), dropped.
    CadencesTooLow { count: usize, max_step_m: f64 },
    /// A session total replaced or dropped.
    Total(Repair),
    /// Too few samples survive: the run is not kept.
    TooLittleKept {
        kept: usize,
        samples: usize,
        min_kept_pct: f64,
    },
}

impl Display for Note {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Note::OutOfTimeOrder { samples } => {
                write!(f, "{} out of time order removed", samples_text(*samples))
            }
            Note::BeyondTimeGap { samples, max_gap_s } => write!(
                f,
                "{} beyond a time gap longer than {} s removed",
                samples_text(*samples),
                fmt(*max_gap_s as f64, 0)
            ),
            Note::NegativeDistances { count } => write!(
                f,
                "{} dropped",
                plural(*count, "negative distance", "negative distances")
            ),
            Note::DistancesOutOfOrder { count } => write!(
                f,
                "{} out of order dropped",
                plural(*count, "distance", "distances")
            ),
            Note::DistanceJumps {
                count,
                max_speed_mps,
                removed_m,
            } => write!(
                f,
                "{} faster than {} m/s ({} km) removed",
                plural(*count, "distance jump", "distance jumps"),
                fmt(*max_speed_mps, 1),
                fmt(removed_m / 1000.0, 2)
            ),
            Note::FastStretch(stretch) => Display::fmt(stretch, f),
            Note::OutOfBounds { count, bound } => {
                let (one, many) = bound.names();
                write!(f, "{} {bound} dropped", plural(*count, one, many))
            }
            Note::OffTheGlobe { count } => write!(
                f,
                "{} off the globe dropped",
                plural(*count, "position", "positions")
            ),
            Note::ImpliedSpeeds {
                count,
                max_speed_mps,
            } => write!(
                f,
                "{} implying speeds above {} m/s dropped",
                plural(*count, "distance", "distances"),
                fmt(*max_speed_mps, 1)
            ),
            Note::CadencesTooLow { count, max_step_m } => write!(
                f,
                "{} too low for their speeds (steps longer than {} m) dropped",
                plural(*count, "cadence", "cadences"),
                fmt(*max_step_m, 1)
            ),
            Note::Total(repair) => Display::fmt(repair, f),
            Note::TooLittleKept {
                kept,
                samples,
                min_kept_pct,
            } => write!(
                f,
                "only {kept} of {} survive (less than {} %): the run is not kept",
                samples_text(*samples),
                fmt(*min_kept_pct, 0)
            ),
        }
    }
}

/// "1 sample", "2 samples".
fn samples_text(n: usize) -> String {
    plural(n, "sample", "samples")
}

/// The bound of one per-sample column, in the column's own unit where it is checked and in
/// the runner's where it is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) enum Bound {
    /// 0 to the speed bound.
    Speed { max_mps: f64 },
    /// 0 to the cadence bound.
    Cadence { max_spm: f64 },
    /// Between the lowest and highest altitude.
    Altitude { min_m: f64, max_m: f64 },
    /// Between the lowest and highest heart rate (0, no reading, is left alone).
    HeartRate { min_bpm: f64, max_bpm: f64 },
    /// 0 to the longest step.
    StepLength { max_m: f64 },
    /// 0 to the largest vertical oscillation.
    VerticalOscillation { max_mm: f64 },
    /// 0 to the longest ground contact.
    StanceTime { max_ms: f64 },
    /// 0 to the highest power.
    Power { max_w: f64 },
    /// The left foot's share of ground contact within this of an even 50 % (0, no reading, is
    /// left alone).
    StanceBalance { max_off_pct: f64 },
}

impl Bound {
    /// The column's value, one and many.
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            Bound::Speed { .. } => ("speed", "speeds"),
            Bound::Cadence { .. } => ("cadence", "cadences"),
            Bound::Altitude { .. } => ("altitude", "altitudes"),
            Bound::HeartRate { .. } => ("heart rate", "heart rates"),
            Bound::StepLength { .. } => ("step length", "step lengths"),
            Bound::VerticalOscillation { .. } => ("vertical oscillation", "vertical oscillations"),
            Bound::StanceTime { .. } => ("stance time", "stance times"),
            Bound::Power { .. } => ("power", "powers"),
            Bound::StanceBalance { .. } => ("contact-time balance", "contact-time balances"),
        }
    }
}

impl Display for Bound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match *self {
            Bound::Speed { max_mps } => write!(f, "outside 0–{} m/s", fmt(max_mps, 1)),
            Bound::Cadence { max_spm } => write!(f, "above {} steps/min", fmt(max_spm, 0)),
            Bound::Altitude { min_m, max_m } => {
                write!(f, "outside {}…{} m", fmt(min_m, 0), fmt(max_m, 0))
            }
            Bound::HeartRate { min_bpm, max_bpm } => {
                write!(f, "outside {}–{} bpm", fmt(min_bpm, 0), fmt(max_bpm, 0))
            }
            Bound::StepLength { max_m } => write!(f, "above {} m", fmt(max_m, 1)),
            Bound::VerticalOscillation { max_mm } => write!(f, "above {} mm", fmt(max_mm, 0)),
            Bound::StanceTime { max_ms } => write!(f, "above {} ms", fmt(max_ms, 0)),
            Bound::Power { max_w } => write!(f, "above {} W", fmt(max_w, 0)),
            Bound::StanceBalance { max_off_pct } => write!(
                f,
                "outside {}–{} % left",
                fmt(50.0 - max_off_pct, 1),
                fmt(50.0 + max_off_pct, 1)
            ),
        }
    }
}

/// A stretch cut off as faster than anyone runs for that long.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) struct FastStretch {
    pub(super) distance_m: f64,
    pub(super) duration_s: f64,
    pub(super) place: Place,
    /// The guard's margin over the world-record pace, %.
    pub(super) margin_pct: f64,
}

impl Display for FastStretch {
    /// "14.40 km in 15 min (16.0 m/s) at the end, faster than 105 % of the world-record pace
    /// for that long, removed".
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (dd, dt) = (self.distance_m, self.duration_s);
        write!(
            f,
            "{} km in {} min ({} m/s) {}, faster than {} % of the world-record pace for \
             that long, removed",
            fmt(dd / 1000.0, 2),
            fmt(dt / 60.0, 0),
            fmt(dd / dt.max(1.0), 1),
            self.place,
            fmt(100.0 + self.margin_pct, 0)
        )
    }
}

/// Where in the run a stretch lies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) enum Place {
    Start,
    End,
    /// Starting this many seconds into the run.
    Into {
        s: i64,
    },
}

impl Display for Place {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match *self {
            Place::Start => f.write_str("at the start"),
            Place::End => f.write_str("at the end"),
            Place::Into { s } => write!(f, "{} min in", fmt(s as f64 / 60.0, 0)),
        }
    }
}

/// A change to a session total (see `totals.rs`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) enum Repair {
    /// A total replaced by the records' value, or dropped (`new` is `None`) when the records
    /// cannot tell.
    Replaced {
        total: Total,
        old: Option<f64>,
        new: Option<f64>,
        why: Why,
    },
    /// The session's average speed, dropped.
    AverageSpeedDropped { mps: f64 },
    /// The session's ascent or descent, more than the distance, dropped.
    ClimbDropped { climb: Climb, m: f64 },
    /// The session's average cadence (raw, strides/min), dropped.
    AverageCadenceDropped { raw: f64 },
    /// The session's start time, more than the longest session away from its records:
    /// replaced by the first record's.
    StartMoved,
}

impl Display for Repair {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match *self {
            Repair::Replaced {
                total,
                old,
                new,
                why,
            } => {
                let old = old.map_or("missing".to_string(), |x| total.value(x));
                match new {
                    Some(x) => write!(
                        f,
                        "session {total} {old} ({why}) replaced by the records' {}",
                        total.value(x)
                    ),
                    None => write!(
                        f,
                        "session {total} {old} ({why}) dropped: the records cannot tell"
                    ),
                }
            }
            Repair::AverageSpeedDropped { mps } => {
                write!(f, "session average speed {} m/s dropped", fmt(mps, 1))
            }
            Repair::ClimbDropped { climb, m } => write!(
                f,
                "session {climb} {} m dropped (more than the distance)",
                fmt(m, 0)
            ),
            Repair::AverageCadenceDropped { raw } => {
                write!(f, "session average cadence {} dropped", fmt(raw, 0))
            }
            Repair::StartMoved => f.write_str(
                "session start time more than the longest session away from its records: the \
                 first record's time used",
            ),
        }
    }
}

/// A session total the guard replaces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) enum Total {
    ElapsedTime,
    TimerTime,
    Distance,
}

impl Total {
    /// A value of this total with its unit: "1,234 s", "12.34 km".
    fn value(self, x: f64) -> String {
        match self {
            Total::ElapsedTime | Total::TimerTime => format!("{} s", fmt(x, 0)),
            Total::Distance => format!("{} km", fmt(x / 1000.0, 2)),
        }
    }
}

impl Display for Total {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Total::ElapsedTime => "elapsed time",
            Total::TimerTime => "timer time",
            Total::Distance => "distance",
        })
    }
}

/// Why a session total was replaced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) enum Why {
    /// A time outside 0 to the longest session.
    OutsideTime { max_s: f64 },
    /// An elapsed time shorter than the records' span.
    ShorterThanRecords,
    /// Timer time above elapsed time: this is the one further from the records.
    TimerAboveElapsed,
    /// A distance faster than the speed bound over the session's time.
    FasterThanBound { max_speed_mps: f64 },
    /// A total that agreed with the records before samples were taken out, but not after.
    MoreThanRecordsKept,
    /// Distance over timer time faster than the speed bound.
    Pace {
        distance_m: f64,
        timer_s: f64,
        max_speed_mps: f64,
    },
}

impl Display for Why {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match *self {
            Why::OutsideTime { max_s } => write!(f, "outside 0–{} s", fmt(max_s, 0)),
            Why::ShorterThanRecords => f.write_str("shorter than its records"),
            Why::TimerAboveElapsed => f.write_str("timer time above elapsed time"),
            Why::FasterThanBound { max_speed_mps } => {
                write!(f, "faster than {} m/s over its time", fmt(max_speed_mps, 1))
            }
            Why::MoreThanRecordsKept => f.write_str("more than the records kept"),
            Why::Pace {
                distance_m,
                timer_s,
                max_speed_mps,
            } => write!(
                f,
                "{} km in {} s: faster than {} m/s",
                fmt(distance_m / 1000.0, 2),
                fmt(timer_s, 0),
                fmt(max_speed_mps, 1)
            ),
        }
    }
}

/// Ascent or descent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) enum Climb {
    Ascent,
    Descent,
}

impl Display for Climb {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Climb::Ascent => "ascent",
            Climb::Descent => "descent",
        })
    }
}

/// Why a run is not on foot at all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) enum NotOnFoot {
    /// More than half its moving samples lie in stretches faster than anyone runs.
    MostlyTooFast { samples: usize, moving: usize },
    /// Its distance over its timer time is beyond the world-record pace for that long.
    BeyondRecord {
        distance_m: f64,
        timer_s: f64,
        margin_pct: f64,
        record_mps: f64,
    },
    /// It is a ride.
    Ride(Ride),
}

impl Display for NotOnFoot {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match *self {
            NotOnFoot::MostlyTooFast { samples, moving } => write!(
                f,
                "{} of {moving} faster than anyone runs",
                samples_text(samples)
            ),
            NotOnFoot::BeyondRecord {
                distance_m,
                timer_s,
                margin_pct,
                record_mps,
            } => write!(
                f,
                "{} km in {} min ({} m/s): faster than {} % of the world-record pace for that \
                 long ({} m/s)",
                fmt(distance_m / 1000.0, 2),
                fmt(timer_s / 60.0, 0),
                fmt(distance_m / timer_s, 2),
                fmt(100.0 + margin_pct, 0),
                fmt(record_mps, 2)
            ),
            NotOnFoot::Ride(ride) => Display::fmt(&ride, f),
        }
    }
}

/// What shows a ride recorded on the run profile (see `foot::ride`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::analyse) enum Ride {
    /// A median moving speed no runner's session has.
    MedianSpeed { mps: f64 },
    /// Pedal cadence at a bike's speed for a good share of the moving time.
    Pedals {
        median_rpm: f64,
        share_pct: f64,
        min_speed_mps: f64,
    },
}

impl Display for Ride {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match *self {
            Ride::MedianSpeed { mps } => write!(
                f,
                "a ride on the run profile: a median moving speed of {} m/s, no runner's session's",
                fmt(mps, 1)
            ),
            Ride::Pedals {
                median_rpm,
                share_pct,
                min_speed_mps,
            } => write!(
                f,
                "a ride on the run profile: cadence without fractional cadence or running \
                 dynamics (median {} rpm), and {} % of the moving time faster than {} m/s",
                fmt(median_rpm, 0),
                fmt(share_pct, 0),
                fmt(min_speed_mps, 1)
            ),
        }
    }
}
