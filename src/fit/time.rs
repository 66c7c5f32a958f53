//! FIT time: the FIT epoch, device time, compressed time stamps and the athlete's offset.
//!
//! Every time stamp is read raw, never through fitparser's `Value::Timestamp` conversion of
//! local times (it applies the parsing machine's zone to `local_timestamp`, its issue 53).

use fitparser::de::FitDataMessage;
use fitparser::Value;

use super::profile::{activity, mesg, TIMESTAMP};

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
pub(crate) const FIT_EPOCH_UNIX: i64 = 631_065_600;
/// FIT time stamps below this count seconds since device power-on, not dates (FIT profile).
pub(crate) const FIT_MIN_DATE: i64 = 0x1000_0000;

/// Whether a decoded time (Unix seconds, or device seconds shifted by the FIT epoch) is a date.
pub(crate) fn is_dated(unix: i64) -> bool {
    unix >= FIT_EPOCH_UNIX + FIT_MIN_DATE
}

/// Follows the time stamps of one FIT file as its messages stream past.
#[derive(Default)]
pub(crate) struct Clock {
    /// The last full time stamp seen, raw FIT seconds: the base of compressed time stamps.
    base: i64,
    /// The first `activity` message's (timestamp, local_timestamp), raw FIT seconds.
    activity: Option<(i64, i64)>,
}

impl Clock {
    /// The message's time stamp, Unix seconds: its full `timestamp` field, or one rebuilt from a
    /// compressed header against the last full one, as the FIT protocol defines (5-bit offset,
    /// rolling over every 32 s). Also notes the `activity` message's local time.
    pub(crate) fn read(&mut self, msg: &FitDataMessage) -> Option<i64> {
        let f = msg.fields();
        let ts = self.at(f.get(&TIMESTAMP.num).and_then(raw_int), msg.time_offset());
        if msg.global_message_number() == mesg::ACTIVITY && self.activity.is_none() {
            if let (Some(ts), Some(local)) = (
                f.get(&TIMESTAMP.num).and_then(raw_int),
                f.get(&activity::LOCAL_TIMESTAMP.num).and_then(raw_int),
            ) {
                self.activity = Some((ts, local));
            }
        }
        ts
    }

    /// As [`Clock::read`], for a message whose `timestamp` field (raw FIT seconds) and
    /// compressed time offset the caller has read already (and which is no `activity`).
    pub(crate) fn at(&mut self, timestamp: Option<i64>, time_offset: Option<u8>) -> Option<i64> {
        let mut ts = None;
        if let Some(t) = timestamp {
            self.base = t;
            ts = Some(t);
        }
        if let Some(offset) = time_offset {
            let offset = offset as i64;
            let mut t = (self.base & !31) + offset;
            if offset < (self.base & 31) {
                t += 32;
            }
            self.base = t;
            ts = Some(t);
        }
        ts.map(|t| t + FIT_EPOCH_UNIX)
    }

    /// Goes back to the time base `raw` (raw FIT seconds; `None`: none yet), to read a
    /// stretch again.
    pub(crate) fn rewind(&mut self, raw: Option<i64>) {
        self.base = raw.unwrap_or(0);
    }

    /// A new FIT file in a chain starts a new time base.
    pub(crate) fn reset(&mut self) {
        self.base = 0;
    }

    /// `local_timestamp − timestamp` of the first `activity` message, raw seconds; `None` when
    /// there is none or it is not a civil offset (UTC−12 to UTC+14: some devices write a local
    /// time days away, a broken message).
    pub(crate) fn utc_offset_raw_s(&self) -> Option<i64> {
        let (ts, local) = self.activity?;
        let offset = local - ts;
        (ts >= FIT_MIN_DATE && local >= FIT_MIN_DATE && (-12 * 3600..=14 * 3600).contains(&offset))
            .then_some(offset)
    }
}

/// A 32-bit integer field value as it was written.
pub(crate) fn raw_int(v: &Value) -> Option<i64> {
    match v {
        Value::UInt32(x) | Value::UInt32z(x) => Some(*x as i64),
        Value::SInt32(x) => Some(*x as i64),
        _ => None,
    }
}
