//! Messages other than records, after fitparser's profile decoding: `file_id`, `session`,
//! `sport` and the first `lap`.

use fitparser::{FitDataField, FitDataRecord, Value};

use super::profile::{file_id, lap, mesg, session, sport, Field};
use super::records;
use super::time::FIT_EPOCH_UNIX;
use crate::model::{Decoded, FileInfo, SessionMsg};

/// The profile fields of one decoded message (developer fields left out).
pub(crate) struct Fields<'a> {
    kind: u16,
    profile: &'a [FitDataField],
}

impl<'a> Fields<'a> {
    /// `tail`: how many developer fields the raw message had, and whether its header carried a
    /// compressed time offset. fitparser appends developer fields, then a time stamp rebuilt
    /// from a compressed header, after the profile's own fields; cutting them off means a
    /// developer field numbered like a profile field is never read as one.
    pub(crate) fn new(rec: &'a FitDataRecord, tail: (usize, bool)) -> Self {
        let all = rec.fields();
        let (developer, rebuilt) = tail;
        let cut = all.len().saturating_sub(developer + rebuilt as usize);
        Fields {
            kind: rec.kind().as_u16(),
            profile: &all[..cut],
        }
    }

    fn value(&self, f: Field) -> Option<&'a Value> {
        self.profile
            .iter()
            .find(|x| x.number() == f.num)
            .map(|x| x.value())
    }

    /// A numeric field of a record, in units; where fitparser gives a field twice (a component
    /// expanded next to a field of the same number), the later one.
    pub(crate) fn record_number(&self, f: Field) -> Option<f64> {
        self.profile
            .iter()
            .rfind(|x| x.number() == f.num)
            .and_then(|x| num(x.value()))
    }

    /// A numeric field, in units (fitparser has applied the profile's scale).
    fn number(&self, f: Field) -> Option<f64> {
        self.value(f).and_then(num)
    }

    /// A numeric field that fitparser leaves unscaled, in units: fitparser's profile gives
    /// it scale 1, or does not know it (then it arrives as `unknown_field_N` with its raw
    /// value); either way this table's scale and offset are applied here.
    fn scaled_number(&self, f: Field) -> Option<f64> {
        self.value(f).and_then(num).map(|raw| f.apply(raw))
    }

    fn time(&self, f: Field) -> Option<i64> {
        match self.value(f)? {
            Value::Timestamp(t) => Some(t.timestamp()),
            _ => None,
        }
    }

    /// A text field, or an enum's name (a number where the profile has no name for it).
    fn text(&self, f: Field) -> Option<String> {
        match self.value(f)? {
            Value::String(s) => Some(s.clone()),
            v => num(v).map(|x| format!("{x}")),
        }
    }
}

/// A numeric field value; `None` for invalid, text and arrays.
#[inline]
pub(crate) fn num(v: &Value) -> Option<f64> {
    let x = match v {
        Value::Timestamp(t) => t.timestamp() as f64,
        Value::Byte(x) | Value::Enum(x) | Value::UInt8(x) | Value::UInt8z(x) => *x as f64,
        Value::SInt8(x) => *x as f64,
        Value::SInt16(x) => *x as f64,
        Value::UInt16(x) | Value::UInt16z(x) => *x as f64,
        Value::SInt32(x) => *x as f64,
        Value::UInt32(x) | Value::UInt32z(x) => *x as f64,
        Value::SInt64(x) => *x as f64,
        Value::UInt64(x) | Value::UInt64z(x) => *x as f64,
        Value::Float32(x) => *x as f64,
        Value::Float64(x) => *x,
        Value::String(_) | Value::Array(_) | Value::Invalid => return None,
    };
    x.is_finite().then_some(x)
}

/// Whether a message of this kind must go through fitparser's profile decoding, given what the
/// file has given so far: the kinds [`reduce`] reads, while it still reads them, and the
/// developer field descriptions fitparser's parser needs. Any other message is dropped raw;
/// profile decoding it would cost as much as all the records read raw.
pub(crate) fn wanted(kind: u16, out: &Decoded) -> bool {
    match kind {
        mesg::RECORD | mesg::SESSION | mesg::FIELD_DESCRIPTION => true,
        mesg::FILE_ID => out.file.file_type.is_none(),
        mesg::SPORT => out.sport_msg.is_none(),
        mesg::LAP => out.lap_sport.is_none(),
        _ => false,
    }
}

/// Adds one profile-decoded message to what the file has given so far. Reads nothing of a
/// message [`wanted`] turns away.
pub(crate) fn reduce(rec: &Fields<'_>, ts: Option<i64>, out: &mut Decoded) {
    match rec.kind {
        mesg::RECORD => records::push_profile(rec, ts, &mut out.samples),
        mesg::SESSION => out.sessions.push(session_msg(rec, ts)),
        mesg::FILE_ID if out.file.file_type.is_none() => out.file = file_info(rec),
        mesg::SPORT if out.sport_msg.is_none() => {
            out.sport_msg = Some((rec.text(sport::SPORT), rec.text(sport::SUB_SPORT)));
        }
        mesg::LAP if out.lap_sport.is_none() => {
            let sport = rec.text(lap::SPORT);
            if sport.is_some() {
                out.lap_sport = Some((sport, rec.text(lap::SUB_SPORT)));
            }
        }
        _ => {}
    }
}

fn session_msg(rec: &Fields<'_>, ts: Option<i64>) -> SessionMsg {
    let avg_cad = rec
        .number(session::AVG_CADENCE)
        .map(|c| c + rec.number(session::AVG_FRACTIONAL_CADENCE).unwrap_or(0.0));
    SessionMsg {
        start: rec.time(session::START_TIME),
        end: ts,
        sport: rec.text(session::SPORT),
        sub_sport: rec.text(session::SUB_SPORT),
        elapsed_s: rec.number(session::TOTAL_ELAPSED_TIME),
        timer_s: rec.number(session::TOTAL_TIMER_TIME),
        distance_m: rec.number(session::TOTAL_DISTANCE),
        ascent_m: rec.number(session::TOTAL_ASCENT),
        descent_m: rec.number(session::TOTAL_DESCENT),
        avg_speed_mps: rec
            .number(session::ENHANCED_AVG_SPEED)
            .or_else(|| rec.number(session::AVG_SPEED)),
        avg_cadence_raw: avg_cad,
        rpe: rec.scaled_number(session::WORKOUT_RPE),
        feel: rec.scaled_number(session::WORKOUT_FEEL),
        from_session_message: true,
    }
}

fn file_info(rec: &Fields<'_>) -> FileInfo {
    // `product_name` beats the numeric product; fitparser names Garmin products itself.
    // 0 is no manufacturer (the profile's list starts at 1) and no product: a device that
    // does not know itself, not a device called "0".
    let known = |t: Option<String>| t.filter(|t| t != "0");
    let product =
        known(rec.text(file_id::PRODUCT_NAME)).or_else(|| known(rec.text(file_id::PRODUCT)));
    FileInfo {
        file_type: rec.text(file_id::TYPE),
        manufacturer: known(rec.text(file_id::MANUFACTURER)),
        product,
        serial: rec.number(file_id::SERIAL_NUMBER).map(|x| x as u32),
        time_created: rec
            .time(file_id::TIME_CREATED)
            .map(|t| (t - FIT_EPOCH_UNIX) as u32),
    }
}
