//! The FIT profile as fitrisk reads it: every message and field number it uses, with each
//! field's scale and offset, in one table.
//!
//! A raw field value becomes a value in units as `raw / scale − offset` (FIT SDK, profile
//! spreadsheet). Records are read from their raw fields with these scales; the other messages
//! fitrisk reads go through fitparser's profile decoding, which applies the same scales itself, so only their
//! numbers are used there. The decoding tests check the two paths against each other.

/// One field of a message: its number, and how a raw value becomes a value in units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Field {
    /// Field number within its message.
    pub(crate) num: u8,
    /// Divide the raw value by this…
    pub(crate) scale: f64,
    /// …then subtract this.
    pub(crate) offset: f64,
}

impl Field {
    const fn plain(num: u8) -> Field {
        Field::scaled(num, 1.0, 0.0)
    }

    const fn scaled(num: u8, scale: f64, offset: f64) -> Field {
        Field { num, scale, offset }
    }

    /// The value in units of a raw value.
    pub(crate) fn apply(self, raw: f64) -> f64 {
        raw / self.scale - self.offset
    }
}

/// Global message numbers.
pub(crate) mod mesg {
    pub(crate) const FILE_ID: u16 = 0;
    pub(crate) const SPORT: u16 = 12;
    pub(crate) const SESSION: u16 = 18;
    pub(crate) const LAP: u16 = 19;
    pub(crate) const RECORD: u16 = 20;
    pub(crate) const ACTIVITY: u16 = 34;
    /// `field_description`: describes one developer field. fitrisk reads no developer field,
    /// but fitparser's parser needs the description (registered when the message goes through
    /// `decode_message`) to read any later message that carries the field.
    pub(crate) const FIELD_DESCRIPTION: u16 = 206;
}

/// The time stamp field, the same number in every message (seconds since the FIT epoch).
pub(crate) const TIMESTAMP: Field = Field::plain(253);

/// `record` (20): one sample.
pub(crate) mod record {
    use super::Field;

    /// Semicircles (2³¹ to 180°).
    pub(crate) const POSITION_LAT: Field = Field::plain(0);
    /// Semicircles.
    pub(crate) const POSITION_LONG: Field = Field::plain(1);
    /// m, uint16 (the legacy field; `ENHANCED_ALTITUDE` is preferred).
    pub(crate) const ALTITUDE: Field = Field::scaled(2, 5.0, 500.0);
    /// beats/min.
    pub(crate) const HEART_RATE: Field = Field::plain(3);
    /// Strides/min for running (one foot).
    pub(crate) const CADENCE: Field = Field::plain(4);
    /// m, cumulative.
    pub(crate) const DISTANCE: Field = Field::scaled(5, 100.0, 0.0);
    /// m/s, uint16 (the legacy field; `ENHANCED_SPEED` is preferred).
    pub(crate) const SPEED: Field = Field::scaled(6, 1000.0, 0.0);
    /// W.
    pub(crate) const POWER: Field = Field::plain(7);
    /// Speed and distance packed into 3 bytes, accumulating across records: decoded by
    /// fitparser's profile path.
    pub(crate) const COMPRESSED_SPEED_DISTANCE: Field = Field::plain(8);
    /// mm.
    pub(crate) const VERTICAL_OSCILLATION: Field = Field::scaled(39, 10.0, 0.0);
    /// Ground contact time, ms.
    pub(crate) const STANCE_TIME: Field = Field::scaled(41, 10.0, 0.0);
    /// Fraction of a stride/min added to `CADENCE`.
    pub(crate) const FRACTIONAL_CADENCE: Field = Field::scaled(53, 128.0, 0.0);
    /// m/s, uint32.
    pub(crate) const ENHANCED_SPEED: Field = Field::scaled(73, 1000.0, 0.0);
    /// m, uint32.
    pub(crate) const ENHANCED_ALTITUDE: Field = Field::scaled(78, 5.0, 500.0);
    /// Left foot's share of ground contact time, % (uint16 × 100; running dynamics).
    pub(crate) const STANCE_TIME_BALANCE: Field = Field::scaled(84, 100.0, 0.0);
    /// mm.
    pub(crate) const STEP_LENGTH: Field = Field::scaled(85, 10.0, 0.0);
}

/// `session` (18): one session's totals.
pub(crate) mod session {
    use super::Field;

    /// FIT seconds.
    pub(crate) const START_TIME: Field = Field::plain(2);
    pub(crate) const SPORT: Field = Field::plain(5);
    pub(crate) const SUB_SPORT: Field = Field::plain(6);
    /// s.
    pub(crate) const TOTAL_ELAPSED_TIME: Field = Field::scaled(7, 1000.0, 0.0);
    /// s (pauses excluded).
    pub(crate) const TOTAL_TIMER_TIME: Field = Field::scaled(8, 1000.0, 0.0);
    /// m.
    pub(crate) const TOTAL_DISTANCE: Field = Field::scaled(9, 100.0, 0.0);
    /// m/s.
    pub(crate) const AVG_SPEED: Field = Field::scaled(14, 1000.0, 0.0);
    /// Strides/min for running.
    pub(crate) const AVG_CADENCE: Field = Field::plain(18);
    /// m.
    pub(crate) const TOTAL_ASCENT: Field = Field::plain(22);
    /// m.
    pub(crate) const TOTAL_DESCENT: Field = Field::plain(23);
    pub(crate) const AVG_FRACTIONAL_CADENCE: Field = Field::scaled(92, 128.0, 0.0);
    /// m/s.
    pub(crate) const ENHANCED_AVG_SPEED: Field = Field::scaled(124, 1000.0, 0.0);
    /// How the runner felt, 0–100 (the watch's question after the run; high is good).
    pub(crate) const WORKOUT_FEEL: Field = Field::plain(192);
    /// Perceived exertion on the CR10 scale, written × 10 (raw 70 is RPE 7). fitparser 0.11
    /// names this field but gives it scale 1 (the × 10 is only in the profile's comment), so
    /// its value arrives raw and this table's scale is applied by fitrisk.
    pub(crate) const WORKOUT_RPE: Field = Field::scaled(193, 10.0, 0.0);
}

/// `file_id` (0): what the file is and which device wrote it.
pub(crate) mod file_id {
    use super::Field;

    pub(crate) const TYPE: Field = Field::plain(0);
    pub(crate) const MANUFACTURER: Field = Field::plain(1);
    pub(crate) const PRODUCT: Field = Field::plain(2);
    pub(crate) const SERIAL_NUMBER: Field = Field::plain(3);
    /// FIT seconds.
    pub(crate) const TIME_CREATED: Field = Field::plain(4);
    pub(crate) const PRODUCT_NAME: Field = Field::plain(8);
}

/// `sport` (12).
pub(crate) mod sport {
    use super::Field;

    pub(crate) const SPORT: Field = Field::plain(0);
    pub(crate) const SUB_SPORT: Field = Field::plain(1);
}

/// `lap` (19): only its sport, for files without a session.
pub(crate) mod lap {
    use super::Field;

    pub(crate) const SPORT: Field = Field::plain(25);
    pub(crate) const SUB_SPORT: Field = Field::plain(39);
}

/// `activity` (34): the local time of the activity's end, for the athlete's UTC offset.
pub(crate) mod activity {
    use super::Field;

    /// FIT seconds on the athlete's clock.
    pub(crate) const LOCAL_TIMESTAMP: Field = Field::plain(5);
}
