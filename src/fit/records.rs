//! `record` messages → samples, by two paths that give the same numbers: straight from the raw
//! fields with the profile's scale and offset (nearly every record), or from fitparser's
//! profile decoding (records that need it: compressed speed/distance, array fields).

use fitparser::de::FitDataMessage;
use fitparser::Value;

use super::messages::{num, Fields};
use super::profile::{record, Field, TIMESTAMP};
use super::time::raw_int;
use crate::model::Samples;

/// Degrees per semicircle.
const SEMICIRCLE_DEG: f64 = 180.0 / 2_147_483_648.0;

/// One record's values in profile units, before they join the samples.
#[derive(Default)]
struct RecordValues {
    t: Option<i64>,
    distance_m: Option<f64>,
    altitude_m: Option<f64>,
    speed_mps: Option<f64>,
    cadence: Option<f64>,
    fractional_cadence: Option<f64>,
    heart_rate: Option<f64>,
    lat_semicircles: Option<f64>,
    lon_semicircles: Option<f64>,
    step_length_mm: Option<f64>,
    vertical_oscillation_mm: Option<f64>,
    stance_time_ms: Option<f64>,
    stance_balance_pct: Option<f64>,
    power_w: Option<f64>,
}

impl RecordValues {
    /// Reads every field through `get`, which gives a field's value in units.
    fn read(t: Option<i64>, get: impl Fn(Field) -> Option<f64>) -> RecordValues {
        RecordValues {
            t,
            distance_m: get(record::DISTANCE),
            altitude_m: get(record::ENHANCED_ALTITUDE).or_else(|| get(record::ALTITUDE)),
            speed_mps: get(record::ENHANCED_SPEED).or_else(|| get(record::SPEED)),
            cadence: get(record::CADENCE),
            fractional_cadence: get(record::FRACTIONAL_CADENCE),
            heart_rate: get(record::HEART_RATE),
            lat_semicircles: get(record::POSITION_LAT),
            lon_semicircles: get(record::POSITION_LONG),
            step_length_mm: get(record::STEP_LENGTH),
            vertical_oscillation_mm: get(record::VERTICAL_OSCILLATION),
            stance_time_ms: get(record::STANCE_TIME),
            stance_balance_pct: get(record::STANCE_TIME_BALANCE),
            power_w: get(record::POWER),
        }
    }

    fn push_to(self, s: &mut Samples) {
        // A record without a time stamp cannot be placed; such records are rare and carry
        // nothing the analyses could use.
        let Some(t) = self.t else { return };
        let or_nan = |x: Option<f64>| x.unwrap_or(f64::NAN);
        s.t.push(t);
        s.distance_m.push(or_nan(self.distance_m));
        s.altitude_m.push(or_nan(self.altitude_m));
        s.speed_mps.push(or_nan(self.speed_mps));
        s.cadence_raw.push(or_nan(
            self.cadence
                .map(|c| c + self.fractional_cadence.unwrap_or(0.0)),
        ));
        s.fractional_cadence.push(or_nan(self.fractional_cadence));
        s.heart_rate.push(or_nan(self.heart_rate));
        let (la, lo) = match (self.lat_semicircles, self.lon_semicircles) {
            // (0, 0) is how some devices write "no fix".
            (Some(a), Some(o)) if a != 0.0 || o != 0.0 => (a * SEMICIRCLE_DEG, o * SEMICIRCLE_DEG),
            _ => (f64::NAN, f64::NAN),
        };
        s.lat_deg.push(la);
        s.lon_deg.push(lo);
        s.step_length_mm.push(or_nan(self.step_length_mm));
        s.vertical_oscillation_mm
            .push(or_nan(self.vertical_oscillation_mm));
        s.stance_time_ms.push(or_nan(self.stance_time_ms));
        s.stance_balance_pct.push(or_nan(self.stance_balance_pct));
        s.power_w.push(or_nan(self.power_w));
    }
}

/// Every field [`RecordValues::read`] reads; a field's index here is its slot in
/// [`RawRecord`]'s values.
const READ: [Field; 15] = [
    record::POSITION_LAT,
    record::POSITION_LONG,
    record::ALTITUDE,
    record::HEART_RATE,
    record::CADENCE,
    record::DISTANCE,
    record::SPEED,
    record::VERTICAL_OSCILLATION,
    record::STANCE_TIME,
    record::FRACTIONAL_CADENCE,
    record::ENHANCED_SPEED,
    record::ENHANCED_ALTITUDE,
    record::STEP_LENGTH,
    record::POWER,
    record::STANCE_TIME_BALANCE,
];

/// Where [`RawRecord::read`] puts a field's value while it walks fitparser's field map: the
/// fields of [`READ`] at their index there, then the time stamp, compressed speed/distance,
/// and every other field in one slot that is never read.
const TIMESTAMP_AT: usize = READ.len();
const COMPRESSED_AT: usize = READ.len() + 1;
const UNREAD_AT: usize = READ.len() + 2;

/// Field number → its slot (see [`TIMESTAMP_AT`]).
const SLOT: [u8; 256] = {
    let mut slot = [UNREAD_AT as u8; 256];
    let mut i = 0;
    while i < READ.len() {
        let num = READ[i].num;
        assert!(num != TIMESTAMP.num && num != record::COMPRESSED_SPEED_DISTANCE.num);
        assert!(slot[num as usize] == UNREAD_AT as u8, "a field read twice");
        slot[num as usize] = i as u8;
        i += 1;
    }
    slot[TIMESTAMP.num as usize] = TIMESTAMP_AT as u8;
    slot[record::COMPRESSED_SPEED_DISTANCE.num as usize] = COMPRESSED_AT as u8;
    slot
};

/// A `record` message's raw fields, read in one pass over fitparser's field map: a look-up per
/// field would hash its number a dozen times per record (a sixth of the whole report's
/// instructions, measured with callgrind).
pub(crate) struct RawRecord {
    /// The `timestamp` field as written (FIT seconds), for the [`Clock`](super::time::Clock).
    pub(crate) timestamp: Option<i64>,
    /// The fields of [`READ`], in units, in its order.
    values: [Option<f64>; READ.len()],
    /// `compressed_speed_distance` as written: 24 bits, speed in the low 12 and a rolling
    /// distance in the high 12 (see [`Odometer`]).
    compressed: Option<u32>,
}

/// The distance of `compressed_speed_distance` records (Forerunner 60/70 with a foot pod): a
/// 12-bit count of 1/16 m that rolls over every 256 m. The FIT profile marks it accumulated:
/// each record adds what the count moved since the last one, modulo its 12 bits (fitparser
/// 0.11 adds the counts themselves, which runs far ahead of the session's distance).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Odometer {
    /// The last count seen.
    last: Option<u32>,
    /// Counts accumulated, 1/16 m.
    total: u64,
}

impl Odometer {
    /// Adds a 12-bit count; gives the distance so far, m.
    fn add(&mut self, count: u32) -> f64 {
        let step = match self.last {
            Some(last) => count.wrapping_sub(last) & 0xFFF,
            None => count,
        };
        self.last = Some(count);
        self.total += u64::from(step);
        self.total as f64 / 16.0
    }

    /// Starts again (a chained file's next part).
    pub(crate) fn reset(&mut self) {
        *self = Odometer::default();
    }
}

impl RawRecord {
    /// `None` when the record needs fitparser's profile decoding: a field read here stored as
    /// an array. An array in a field not read (some devices write several) changes nothing
    /// read here.
    ///
    /// The map is walked once to sort its values into slots, and the values are converted
    /// in [`READ`]'s order after: fitparser gives every message a map with hash keys of its
    /// own, so the map's order changes from record to record, and converting in that order
    /// sent each value's type through a branch the processor could not predict (a tenth of
    /// the report's cycles went to this function and `num`, measured with perf).
    #[inline]
    pub(crate) fn read(msg: &FitDataMessage) -> Option<RawRecord> {
        let mut at: [Option<&Value>; UNREAD_AT + 1] = [None; UNREAD_AT + 1];
        for (&n, v) in msg.fields() {
            at[SLOT[n as usize] as usize] = Some(v);
        }
        let array_read = at[..=TIMESTAMP_AT]
            .iter()
            .any(|v| matches!(v, Some(Value::Array(_))));
        let compressed = match at[COMPRESSED_AT] {
            None => None,
            Some(v) => Some(three_bytes(v)?),
        };
        if array_read {
            return None;
        }
        let mut raw = RawRecord {
            timestamp: at[TIMESTAMP_AT].and_then(raw_int),
            values: [None; READ.len()],
            compressed,
        };
        for (slot, field) in READ.iter().enumerate() {
            raw.values[slot] = at[slot].and_then(num).map(|x| field.apply(x));
        }
        Some(raw)
    }

    /// Adds the record, at `ts` (Unix seconds), to the samples; a compressed speed and
    /// distance fill the fields the record does not carry itself.
    #[inline]
    pub(crate) fn push_to(&self, ts: Option<i64>, odometer: &mut Odometer, s: &mut Samples) {
        // Indexing panics (in the raw-vs-profile test first) if `RecordValues::read` asks for
        // a field missing from `READ`.
        let mut v = RecordValues::read(ts, |field| self.values[SLOT[field.num as usize] as usize]);
        if let Some(c) = self.compressed {
            v.speed_mps = v.speed_mps.or(Some(f64::from(c & 0xFFF) / 100.0));
            let d = odometer.add((c >> 12) & 0xFFF);
            v.distance_m = v.distance_m.or(Some(d));
        }
        v.push_to(s);
    }
}

/// The 24 bits of a three-byte array (little-endian); `None` for anything else.
fn three_bytes(v: &Value) -> Option<u32> {
    let Value::Array(bytes) = v else { return None };
    if bytes.len() != 3 {
        return None;
    }
    bytes.iter().enumerate().try_fold(0u32, |acc, (i, b)| {
        let b = num(b)?;
        (0.0..=255.0)
            .contains(&b)
            .then(|| acc | ((b as u32) << (8 * i)))
    })
}

/// Reads a `record` message after fitparser's profile decoding (scales already applied).
pub(crate) fn push_profile(rec: &Fields<'_>, ts: Option<i64>, s: &mut Samples) {
    RecordValues::read(ts, |field| rec.record_number(field)).push_to(s);
}
