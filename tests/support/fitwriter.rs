//! A small, dependency-free FIT *encoder* used by the integration tests.
//!
//! The tests need FIT files whose contents are known exactly, so instead of
//! shipping binary fixtures this module writes them on the fly.  It has two
//! layers:
//!
//! * [`FitBuilder`] is the low-level layer: it emits definition messages, data
//!   messages (normal or compressed-timestamp headers), the 14-byte file header
//!   with its own CRC and the trailing file CRC.  Tests can use it directly to
//!   craft unusual or broken files.
//! * [`encode_activity`] turns an [`Activity`] (sessions made of [`Sample`]s)
//!   into a complete activity file: `file_id`, timer start `event`, optional
//!   `sport`, `record`s, one `lap` and one `session` per session, timer
//!   stop_all `event` and, when a UTC offset is given, an `activity` message.
//!
//! Every value is converted to the FIT wire representation with the scale and
//! offset of the FIT profile (the same profile `fitparser` 0.11 decodes with)
//! and rounded to the nearest raw integer, so a decoder sees each value to
//! within half a raw unit (e.g. altitude to within 0.1 m, speed to within
//! 0.0005 m/s, distance to within 0.005 m).  Out-of-range values panic rather
//! than silently producing a file with different ground truth.
//!
//! Decoding notes (as observed with `fitparser` 0.11.0 default options):
//! legacy `altitude`/`speed` record fields are expanded into
//! `enhanced_altitude`/`enhanced_speed`; the session's `avg_cadence` comes back
//! as `avg_running_cadence` when the session sport is running; the activity's
//! `local_timestamp` is returned as a `DateTime<Local>` built by reading the raw
//! value as wall-clock time in the *process* time zone.
#![allow(dead_code)]

/// Unix time (seconds) of the FIT epoch, 1989-12-31T00:00:00Z.
pub const FIT_EPOCH_UNIX: i64 = 631_065_600;

/// FIT base-type identifiers, as written in field definitions.
pub mod base_type {
    /// enum (1 byte, invalid 0xFF)
    pub const ENUM: u8 = 0x00;
    /// sint8 (invalid 0x7F)
    pub const SINT8: u8 = 0x01;
    /// uint8 (invalid 0xFF)
    pub const UINT8: u8 = 0x02;
    /// sint16 (invalid 0x7FFF)
    pub const SINT16: u8 = 0x83;
    /// uint16 (invalid 0xFFFF)
    pub const UINT16: u8 = 0x84;
    /// sint32 (invalid 0x7FFFFFFF)
    pub const SINT32: u8 = 0x85;
    /// uint32 (invalid 0xFFFFFFFF)
    pub const UINT32: u8 = 0x86;
    /// NUL-terminated UTF-8 string
    pub const STRING: u8 = 0x07;
    /// float32
    pub const FLOAT32: u8 = 0x88;
    /// float64
    pub const FLOAT64: u8 = 0x89;
    /// uint8z (invalid 0x00)
    pub const UINT8Z: u8 = 0x0A;
    /// uint16z (invalid 0x0000)
    pub const UINT16Z: u8 = 0x8B;
    /// uint32z (invalid 0x00000000)
    pub const UINT32Z: u8 = 0x8C;
    /// byte (array of raw bytes)
    pub const BYTE: u8 = 0x0D;
}

/// Global message numbers used by this writer.
pub mod mesg {
    /// file_id
    pub const FILE_ID: u16 = 0;
    /// user_profile
    pub const USER_PROFILE: u16 = 3;
    /// sport
    pub const SPORT: u16 = 12;
    /// session
    pub const SESSION: u16 = 18;
    /// lap
    pub const LAP: u16 = 19;
    /// record
    pub const RECORD: u16 = 20;
    /// event
    pub const EVENT: u16 = 21;
    /// activity
    pub const ACTIVITY: u16 = 34;
}

/// Values of the FIT `file` enum (file_id field 0).
pub mod file_type {
    /// settings
    pub const SETTINGS: u8 = 2;
    /// sport
    pub const SPORT: u8 = 3;
    /// activity
    pub const ACTIVITY: u8 = 4;
    /// workout
    pub const WORKOUT: u8 = 5;
    /// course
    pub const COURSE: u8 = 6;
    /// monitoring_a
    pub const MONITORING_A: u8 = 15;
    /// monitoring_b
    pub const MONITORING_B: u8 = 32;
}

/// Values of the FIT `sport` enum.
pub mod sport {
    /// generic
    pub const GENERIC: u8 = 0;
    /// running
    pub const RUNNING: u8 = 1;
    /// cycling
    pub const CYCLING: u8 = 2;
    /// swimming
    pub const SWIMMING: u8 = 5;
    /// walking
    pub const WALKING: u8 = 11;
    /// hiking
    pub const HIKING: u8 = 17;
}

/// Values of the FIT `sub_sport` enum.
pub mod sub_sport {
    /// generic
    pub const GENERIC: u8 = 0;
    /// treadmill
    pub const TREADMILL: u8 = 1;
    /// street
    pub const STREET: u8 = 2;
    /// trail
    pub const TRAIL: u8 = 3;
    /// track
    pub const TRACK: u8 = 4;
    /// indoor_running
    pub const INDOOR_RUNNING: u8 = 45;
}

/// Local message numbers used by [`encode_activity`].  The record message uses
/// a local number below 4 so that compressed-timestamp headers can refer to it.
mod local {
    pub const FILE_ID: u8 = 0;
    pub const EVENT: u8 = 1;
    pub const RECORD: u8 = 2;
    pub const LAP: u8 = 3;
    pub const SESSION: u8 = 4;
    pub const ACTIVITY: u8 = 5;
    pub const SPORT: u8 = 6;
    pub const OTHER: u8 = 7;
}

// ---------------------------------------------------------------------------
// Plain value conversions
// ---------------------------------------------------------------------------

/// Convert unix seconds to FIT seconds (`unix - FIT_EPOCH_UNIX`).
///
/// Panics if the result does not fit a uint32 date_time.
pub fn fit_time(unix: i64) -> u32 {
    u32::try_from(unix - FIT_EPOCH_UNIX)
        .unwrap_or_else(|_| panic!("unix time {unix} is not representable as a FIT timestamp"))
}

/// Convert degrees to FIT semicircles (`round(deg * 2^31 / 180)`).
pub fn deg_to_semicircles(deg: f64) -> i32 {
    let sc = (deg * 2_147_483_648.0 / 180.0).round();
    assert!(
        sc >= f64::from(i32::MIN) && sc < f64::from(i32::MAX),
        "{deg} degrees is out of range for semicircles"
    );
    sc as i32
}

/// Convert FIT semicircles back to degrees.
pub fn semicircles_to_deg(sc: i32) -> f64 {
    f64::from(sc) * 180.0 / 2_147_483_648.0
}

/// Split a steps-per-minute cadence into the FIT `(cadence, fractional_cadence)`
/// raw pair: strides/min = spm / 2, `cadence` = its integer part and
/// `fractional_cadence` = the remainder in 1/128 units (rounded).  Decoding
/// `2 * (cadence + fractional / 128)` gives `spm` to within 1/128 spm.
pub fn encode_cadence(spm: f64) -> (u8, u8) {
    assert!(
        spm.is_finite() && spm >= 0.0,
        "cadence {spm} spm must be finite and >= 0"
    );
    let strides = spm / 2.0;
    let mut whole = strides.floor();
    let mut frac = ((strides - whole) * 128.0).round();
    if frac >= 128.0 {
        whole += 1.0;
        frac = 0.0;
    }
    assert!(whole <= 254.0, "cadence {spm} spm is too large for FIT");
    (whole as u8, frac as u8)
}

/// Inverse of [`encode_cadence`]: steps per minute from the raw pair.
pub fn decode_cadence(cadence: u8, fractional: u8) -> f64 {
    2.0 * (f64::from(cadence) + f64::from(fractional) / 128.0)
}

/// `round((value + offset) * scale)`, checked to be a valid (non-invalid) raw
/// value of an unsigned field whose invalid marker is `max`.
fn scaled(value: f64, scale: f64, offset: f64, max: u32, what: &str) -> u32 {
    let raw = ((value + offset) * scale).round();
    assert!(
        raw.is_finite() && raw >= 0.0 && raw < f64::from(max),
        "{what} = {value} cannot be encoded (raw {raw}, limit {max})"
    );
    raw as u32
}

fn scaled_u32(value: f64, scale: f64, offset: f64, what: &str) -> u32 {
    scaled(value, scale, offset, u32::MAX, what)
}

fn scaled_u16(value: f64, scale: f64, offset: f64, what: &str) -> u16 {
    scaled(value, scale, offset, u32::from(u16::MAX), what) as u16
}

// ---------------------------------------------------------------------------
// CRC and low-level builder
// ---------------------------------------------------------------------------

const CRC_NIBBLE_TABLE: [u16; 16] = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
    0x5000, 0x9C01, 0x8801, 0x4400,
];

/// Continue a FIT CRC-16 over `data`, starting from `crc`.
pub fn fit_crc_update(mut crc: u16, data: &[u8]) -> u16 {
    for &byte in data {
        for nibble in [byte & 0x0F, byte >> 4] {
            let t = CRC_NIBBLE_TABLE[usize::from(crc & 0x0F)];
            crc = (crc >> 4) & 0x0FFF;
            crc ^= t ^ CRC_NIBBLE_TABLE[usize::from(nibble)];
        }
    }
    crc
}

/// The FIT CRC-16 of `data` (initial value 0).
pub fn fit_crc(data: &[u8]) -> u16 {
    fit_crc_update(0, data)
}

/// One field of a data message: field number, base type and its raw
/// little-endian bytes (the definition's size is `bytes.len()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Field definition number within its global message.
    pub num: u8,
    /// Base-type byte (see [`base_type`]).
    pub base_type: u8,
    /// Raw little-endian value bytes.
    pub bytes: Vec<u8>,
}

impl Field {
    /// An enum field.
    pub fn enum_(num: u8, v: u8) -> Field {
        Field {
            num,
            base_type: base_type::ENUM,
            bytes: vec![v],
        }
    }
    /// A uint8 field.
    pub fn u8(num: u8, v: u8) -> Field {
        Field {
            num,
            base_type: base_type::UINT8,
            bytes: vec![v],
        }
    }
    /// A uint16 field.
    pub fn u16(num: u8, v: u16) -> Field {
        Field {
            num,
            base_type: base_type::UINT16,
            bytes: v.to_le_bytes().to_vec(),
        }
    }
    /// A uint32 field (also used for date_time / local_date_time).
    pub fn u32(num: u8, v: u32) -> Field {
        Field {
            num,
            base_type: base_type::UINT32,
            bytes: v.to_le_bytes().to_vec(),
        }
    }
    /// A uint32z field (0 is the invalid value).
    pub fn u32z(num: u8, v: u32) -> Field {
        Field {
            num,
            base_type: base_type::UINT32Z,
            bytes: v.to_le_bytes().to_vec(),
        }
    }
    /// A sint8 field.
    pub fn i8(num: u8, v: i8) -> Field {
        Field {
            num,
            base_type: base_type::SINT8,
            bytes: v.to_le_bytes().to_vec(),
        }
    }
    /// A sint32 field.
    pub fn i32(num: u8, v: i32) -> Field {
        Field {
            num,
            base_type: base_type::SINT32,
            bytes: v.to_le_bytes().to_vec(),
        }
    }
    /// A NUL-terminated string field occupying `size` bytes (truncated/padded).
    pub fn string(num: u8, s: &str, size: u8) -> Field {
        let mut bytes = s.as_bytes().to_vec();
        bytes.truncate(usize::from(size).saturating_sub(1));
        bytes.resize(usize::from(size), 0);
        Field {
            num,
            base_type: base_type::STRING,
            bytes,
        }
    }
    /// An array field: `bytes` holds its elements of base type `base_type`, little-endian,
    /// one after the other (the definition's size is a multiple of the type's).
    pub fn array(num: u8, base_type: u8, bytes: &[u8]) -> Field {
        Field {
            num,
            base_type,
            bytes: bytes.to_vec(),
        }
    }
    /// A field of base type `base_type` filled with that type's invalid value
    /// (decoders treat it as absent).
    pub fn invalid(num: u8, base_type: u8) -> Field {
        let bytes = match base_type {
            base_type::ENUM | base_type::UINT8 | base_type::BYTE => vec![0xFF],
            base_type::SINT8 => vec![0x7F],
            base_type::UINT16 => vec![0xFF, 0xFF],
            base_type::SINT16 => 0x7FFFi16.to_le_bytes().to_vec(),
            base_type::UINT32 => vec![0xFF; 4],
            base_type::SINT32 => 0x7FFF_FFFFi32.to_le_bytes().to_vec(),
            base_type::UINT8Z | base_type::STRING => vec![0],
            base_type::UINT16Z => vec![0; 2],
            base_type::UINT32Z => vec![0; 4],
            base_type::FLOAT32 => f32::NAN.to_le_bytes().to_vec(),
            base_type::FLOAT64 => f64::NAN.to_le_bytes().to_vec(),
            other => panic!("unknown base type 0x{other:02X}"),
        };
        Field {
            num,
            base_type,
            bytes,
        }
    }
    /// The `(field_num, size, base_type)` triple for a definition message.
    pub fn def(&self) -> (u8, u8, u8) {
        let size = u8::try_from(self.bytes.len()).expect("field larger than 255 bytes");
        (self.num, size, self.base_type)
    }
}

/// A definition layout: `(field_num, size, base_type)` per field.
pub type Layout = Vec<(u8, u8, u8)>;

/// Low-level FIT file builder: collects definition and data messages and
/// wraps them in a header and CRC on [`FitBuilder::finish`].
///
/// It remembers the current definition of each local message number, which
/// [`FitBuilder::message`] uses to emit a new definition only when the field
/// layout changes.  [`FitBuilder::define`]/[`FitBuilder::data`] write exactly
/// what they are told (no consistency checks), so tests can craft odd files.
#[derive(Clone, Debug)]
pub struct FitBuilder {
    data: Vec<u8>,
    defs: Vec<Option<(u16, Layout)>>,
    header_crc: bool,
    protocol_version: u8,
    profile_version: u16,
}

impl Default for FitBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl FitBuilder {
    /// An empty builder (protocol 2.0, profile 21.32, header CRC enabled).
    pub fn new() -> Self {
        FitBuilder {
            data: Vec::new(),
            defs: vec![None; 16],
            header_crc: true,
            protocol_version: 0x20,
            profile_version: 2132,
        }
    }

    /// When `false`, the header CRC is written as 0x0000 ("not present"), which
    /// the FIT spec allows for 14-byte headers.  Default `true`.
    pub fn header_crc(&mut self, on: bool) -> &mut Self {
        self.header_crc = on;
        self
    }

    /// Define local message `local` (0..=15) as global message `global` with
    /// fields `(field_num, size, base_type byte)`, little-endian architecture.
    pub fn define(&mut self, local: u8, global: u16, fields: &[(u8, u8, u8)]) -> &mut Self {
        assert!(local < 16, "local message number {local} > 15");
        let n = u8::try_from(fields.len()).expect("more than 255 fields");
        self.data.push(0x40 | local);
        self.data.push(0); // reserved
        self.data.push(0); // architecture: little endian
        self.data.extend_from_slice(&global.to_le_bytes());
        self.data.push(n);
        for &(num, size, bt) in fields {
            self.data.extend_from_slice(&[num, size, bt]);
        }
        self.defs[usize::from(local)] = Some((global, fields.to_vec()));
        self
    }

    /// Write a data message for `local` whose field bytes are already encoded
    /// (little endian, in definition order).
    pub fn data(&mut self, local: u8, bytes: &[u8]) -> &mut Self {
        assert!(local < 16, "local message number {local} > 15");
        self.data.push(local);
        self.data.extend_from_slice(bytes);
        self
    }

    /// Write a data message with a compressed-timestamp header: `local` must be
    /// 0..=3 and `time_offset` is the low 5 bits of the message's FIT timestamp
    /// (values above 31 are masked).
    pub fn data_compressed(&mut self, local: u8, time_offset: u8, bytes: &[u8]) -> &mut Self {
        assert!(
            local < 4,
            "compressed-timestamp headers only address local messages 0..=3"
        );
        self.data.push(0x80 | (local << 5) | (time_offset & 0x1F));
        self.data.extend_from_slice(bytes);
        self
    }

    /// Write a data message for `global` on `local`, emitting a definition
    /// first if `local` is not currently defined with exactly this layout.
    pub fn message(&mut self, local: u8, global: u16, fields: &[Field]) -> &mut Self {
        self.ensure_defined(local, global, fields);
        let bytes: Vec<u8> = fields
            .iter()
            .flat_map(|f| f.bytes.iter().copied())
            .collect();
        self.data(local, &bytes)
    }

    /// Like [`FitBuilder::message`] but with a compressed-timestamp header
    /// (the fields should not include timestamp 253).
    pub fn message_compressed(
        &mut self,
        local: u8,
        global: u16,
        time_offset: u8,
        fields: &[Field],
    ) -> &mut Self {
        self.ensure_defined(local, global, fields);
        let bytes: Vec<u8> = fields
            .iter()
            .flat_map(|f| f.bytes.iter().copied())
            .collect();
        self.data_compressed(local, time_offset, &bytes)
    }

    fn ensure_defined(&mut self, local: u8, global: u16, fields: &[Field]) {
        let layout: Layout = fields.iter().map(Field::def).collect();
        let current = self.defs.get(usize::from(local)).and_then(|d| d.as_ref());
        if current.map(|(g, l)| (*g, l)) != Some((global, &layout)) {
            self.define(local, global, &layout);
        }
    }

    /// Append raw bytes to the data section (for deliberately broken files).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.data.extend_from_slice(bytes);
        self
    }

    /// The data section written so far (without header and CRC).
    pub fn data_bytes(&self) -> &[u8] {
        &self.data
    }

    /// The complete file: 14-byte header (size, protocol 0x20, profile 2132,
    /// data size, ".FIT", header CRC), the data section and the file CRC.
    ///
    /// The file CRC covers header and data, as the FIT spec requires; with a
    /// valid header CRC that equals the CRC of the data section alone.
    pub fn finish(&self) -> Vec<u8> {
        let data_size = u32::try_from(self.data.len()).expect("data section over 4 GiB");
        let mut out = Vec::with_capacity(self.data.len() + 16);
        out.push(14);
        out.push(self.protocol_version);
        out.extend_from_slice(&self.profile_version.to_le_bytes());
        out.extend_from_slice(&data_size.to_le_bytes());
        out.extend_from_slice(b".FIT");
        let hcrc = if self.header_crc { fit_crc(&out) } else { 0 };
        out.extend_from_slice(&hcrc.to_le_bytes());
        out.extend_from_slice(&self.data);
        let crc = fit_crc(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }
}

/// Concatenate complete FIT files into one chained FIT file.
pub fn chain(files: &[Vec<u8>]) -> Vec<u8> {
    files.concat()
}

// ---------------------------------------------------------------------------
// Activity model
// ---------------------------------------------------------------------------

/// One `record` message.  `None` fields are left out of the message entirely.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// Timestamp, UTC unix seconds (field 253).
    pub t_unix: i64,
    /// Cumulative distance in metres (field 5, uint32, scale 100).
    pub distance_m: Option<f64>,
    /// Altitude in metres: `enhanced_altitude` (78, uint32, scale 5, offset
    /// 500) or, with [`Activity::legacy_fields`], `altitude` (2, uint16).
    pub altitude_m: Option<f64>,
    /// Speed in m/s: `enhanced_speed` (73, uint32, scale 1000) or, with
    /// [`Activity::legacy_fields`], `speed` (6, uint16).
    pub speed_mps: Option<f64>,
    /// Cadence in steps/min, written as `cadence` (4, strides/min integer part)
    /// plus `fractional_cadence` (53, uint8, scale 128); see [`encode_cadence`].
    pub cadence_spm: Option<f64>,
    /// Heart rate in bpm (field 3; 255 is FIT's invalid value).
    pub heart_rate: Option<u8>,
    /// Latitude in degrees (`position_lat`, 0, sint32 semicircles).
    pub lat_deg: Option<f64>,
    /// Longitude in degrees (`position_long`, 1, sint32 semicircles).
    pub lon_deg: Option<f64>,
    /// Step length in mm (field 85, uint16, scale 10).
    pub step_length_mm: Option<f64>,
    /// Vertical oscillation in mm (field 39, uint16, scale 10).
    pub vertical_oscillation_mm: Option<f64>,
    /// Ground contact (stance) time in ms (field 41, uint16, scale 10).
    pub stance_time_ms: Option<f64>,
    /// Running power in watts (field 7, uint16).
    pub power_w: Option<u16>,
    /// Temperature in °C (field 13, sint8).
    pub temperature_c: Option<i8>,
    /// Ground contact as a share of the step, % (`stance_time_percent`, 40, uint16, scale 100).
    pub stance_time_pct: Option<f64>,
    /// Vertical oscillation ÷ step length, % (`vertical_ratio`, 83, uint16, scale 100).
    pub vertical_ratio_pct: Option<f64>,
    /// The left foot's share of ground contact, % (`stance_time_balance`, 84, uint16, scale
    /// 100).
    pub stance_time_balance_pct: Option<f64>,
    /// FIT `activity_type` enum (field 42; 1 = running).
    pub activity_type: Option<u8>,
}

impl Sample {
    /// A sample at `t_unix` with no other fields.
    pub fn at(t_unix: i64) -> Sample {
        Sample {
            t_unix,
            ..Sample::default()
        }
    }
}

/// One session: its records plus optional overrides of the summary values.
#[derive(Clone, Debug)]
pub struct Session {
    /// FIT sport enum (see [`sport`]).
    pub sport: u8,
    /// FIT sub_sport enum (see [`sub_sport`]).
    pub sub_sport: u8,
    /// The records of this session, in order.
    pub samples: Vec<Sample>,
    /// Override for total_distance (m).
    ///
    /// This and the following fields override session summary values; when
    /// `None` the writer computes them from the samples (start_time = first
    /// sample, total_elapsed/timer = last − first, total_distance = last
    /// distance, total_ascent/descent from altitude deltas, average running
    /// cadence as strides/min + fractional); see [`Session::summary`].
    pub total_distance_m: Option<f64>,
    /// Override for total_timer_time (s); total_elapsed_time stays last − first.
    pub total_timer_s: Option<f64>,
    /// Override for total_elapsed_time (s).
    pub total_elapsed_s: Option<f64>,
    /// Override for the average cadence (steps/min).
    pub avg_cadence_spm: Option<f64>,
    /// Override for total_ascent (m).
    pub total_ascent_m: Option<u16>,
    /// Override for total_descent (m).
    pub total_descent_m: Option<u16>,
    /// `session.workout_rpe` (193, uint8) as written: RPE × 10 on the CR10 scale (70 is 7).
    pub workout_rpe_x10: Option<u8>,
    /// `session.workout_feel` (192, uint8): 0–100.
    pub workout_feel: Option<u8>,
}

impl Session {
    /// A session with the given sport/sub_sport/samples and no overrides.
    pub fn new(sport: u8, sub_sport: u8, samples: Vec<Sample>) -> Session {
        Session {
            sport,
            sub_sport,
            samples,
            total_distance_m: None,
            total_timer_s: None,
            total_elapsed_s: None,
            avg_cadence_spm: None,
            total_ascent_m: None,
            total_descent_m: None,
            workout_rpe_x10: None,
            workout_feel: None,
        }
    }

    /// The summary values [`encode_activity`] writes for this session (before
    /// quantisation).  `fallback_unix` is used as start/end when there are no
    /// samples (the encoder passes `time_created_unix`).
    ///
    /// Computed values: start = first sample time, end = last sample time,
    /// elapsed = timer = end − start, distance = last present `distance_m`,
    /// avg cadence = mean of present `cadence_spm` values, ascent/descent =
    /// rounded sums of positive/negative deltas between consecutive present
    /// altitudes.  Absent inputs give `None` (the field is not written).
    pub fn summary(&self, fallback_unix: i64) -> SessionSummary {
        let start_unix = self.samples.first().map_or(fallback_unix, |s| s.t_unix);
        let end_unix = self.samples.last().map_or(fallback_unix, |s| s.t_unix);
        let elapsed = (end_unix - start_unix) as f64;

        let distance = self.samples.iter().rev().find_map(|s| s.distance_m);

        let cads: Vec<f64> = self.samples.iter().filter_map(|s| s.cadence_spm).collect();
        let avg_cad = (!cads.is_empty()).then(|| cads.iter().sum::<f64>() / cads.len() as f64);

        let alts: Vec<f64> = self.samples.iter().filter_map(|s| s.altitude_m).collect();
        let (mut up, mut down) = (0.0_f64, 0.0_f64);
        for w in alts.windows(2) {
            let d = w[1] - w[0];
            if d > 0.0 {
                up += d;
            } else {
                down -= d;
            }
        }
        let to_u16 = |v: f64| scaled_u16(v, 1.0, 0.0, "total ascent/descent");
        let has_alt = !alts.is_empty();

        SessionSummary {
            start_unix,
            end_unix,
            total_elapsed_s: self.total_elapsed_s.unwrap_or(elapsed),
            total_timer_s: self.total_timer_s.unwrap_or(elapsed),
            total_distance_m: self.total_distance_m.or(distance),
            avg_cadence_spm: self.avg_cadence_spm.or(avg_cad),
            total_ascent_m: self.total_ascent_m.or(has_alt.then(|| to_u16(up))),
            total_descent_m: self.total_descent_m.or(has_alt.then(|| to_u16(down))),
        }
    }
}

/// Summary values of a session as written to its `lap` and `session` messages.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSummary {
    /// start_time (unix s).
    pub start_unix: i64,
    /// timestamp of the lap/session messages (unix s).
    pub end_unix: i64,
    /// total_elapsed_time (s).
    pub total_elapsed_s: f64,
    /// total_timer_time (s).
    pub total_timer_s: f64,
    /// total_distance (m), if any.
    pub total_distance_m: Option<f64>,
    /// average cadence (steps/min), if any; written as avg_cadence (18) +
    /// avg_fractional_cadence (92).
    pub avg_cadence_spm: Option<f64>,
    /// total_ascent (m), if any.
    pub total_ascent_m: Option<u16>,
    /// total_descent (m), if any.
    pub total_descent_m: Option<u16>,
}

/// A whole activity file.
#[derive(Clone, Debug)]
pub struct Activity {
    /// file_id.serial_number (field 3, uint32z; 0 means "invalid"/absent).
    pub serial_number: u32,
    /// file_id.time_created (field 4), unix seconds.
    pub time_created_unix: i64,
    /// file_id.manufacturer (field 1): 1 = garmin, 255 = development.
    pub manufacturer: u16,
    /// file_id.product (field 2).
    pub product: u16,
    /// When `Some`, an `activity` message (34) is written with timestamp (253)
    /// and local_timestamp (5) = timestamp + offset (raw FIT seconds).
    pub utc_offset_s: Option<i32>,
    /// The sessions, written in order.
    pub sessions: Vec<Session>,
    /// Write altitude/speed in legacy fields 2/6 instead of enhanced 78/73.
    pub legacy_fields: bool,
    /// Also write a `sport` message (12: sport 0, sub_sport 1) before each session's records.
    pub with_sport_message: bool,
    /// Write `session` messages (laps are written either way).
    pub with_session_message: bool,
    /// Write records with compressed-timestamp headers whenever the record's
    /// time is 0..=31 s after the previous timestamp in the file.
    pub compressed_timestamps: bool,
    /// Write `fractional_cadence` (53) beside `cadence` in records, as running watches do
    /// (a bike's pedal cadence has none).
    pub fractional_cadence: bool,
}

impl Activity {
    /// A running activity with one running/generic session of `samples`:
    /// garmin (1), product 1, serial 12345, time_created = `start_unix`, no
    /// activity message, enhanced fields, session messages, no sport message,
    /// full timestamps.
    pub fn running(start_unix: i64, samples: Vec<Sample>) -> Activity {
        Activity {
            serial_number: 12345,
            time_created_unix: start_unix,
            manufacturer: 1,
            product: 1,
            utc_offset_s: None,
            sessions: vec![Session::new(sport::RUNNING, sub_sport::GENERIC, samples)],
            legacy_fields: false,
            with_sport_message: false,
            with_session_message: true,
            compressed_timestamps: false,
            fractional_cadence: true,
        }
    }
}

// ---------------------------------------------------------------------------
// Activity encoder
// ---------------------------------------------------------------------------

/// Builder plus the last absolute timestamp a decoder has seen, which is the
/// reference for compressed-timestamp headers.
struct Encoder {
    b: FitBuilder,
    last_ts: Option<u32>,
}

impl Encoder {
    fn msg(&mut self, local: u8, global: u16, fields: &[Field]) {
        if let Some(ts) = fields.iter().find(|f| f.num == 253 && f.bytes.len() == 4) {
            self.last_ts = Some(u32::from_le_bytes(ts.bytes[..4].try_into().unwrap()));
        }
        self.b.message(local, global, fields);
    }
}

fn file_id_fields(
    file_type: u8,
    manufacturer: u16,
    product: u16,
    serial: u32,
    created: i64,
) -> Vec<Field> {
    vec![
        Field::enum_(0, file_type),
        Field::u16(1, manufacturer),
        Field::u16(2, product),
        Field::u32z(3, serial),
        Field::u32(4, fit_time(created)),
    ]
}

fn event_fields(ts: u32, event_type: u8) -> Vec<Field> {
    vec![
        Field::u32(253, ts),
        Field::enum_(0, 0), // event: timer
        Field::enum_(1, event_type),
    ]
}

fn record_fields(s: &Sample, legacy: bool, fractional: bool) -> Vec<Field> {
    let mut f = Vec::new();
    if let Some(lat) = s.lat_deg {
        f.push(Field::i32(0, deg_to_semicircles(lat)));
    }
    if let Some(lon) = s.lon_deg {
        f.push(Field::i32(1, deg_to_semicircles(lon)));
    }
    if let (Some(alt), true) = (s.altitude_m, legacy) {
        f.push(Field::u16(2, scaled_u16(alt, 5.0, 500.0, "altitude")));
    }
    if let Some(hr) = s.heart_rate {
        f.push(Field::u8(3, hr));
    }
    let cadence = s.cadence_spm.map(encode_cadence);
    if let Some((whole, _)) = cadence {
        f.push(Field::u8(4, whole));
    }
    if let Some(d) = s.distance_m {
        f.push(Field::u32(5, scaled_u32(d, 100.0, 0.0, "distance")));
    }
    if let (Some(v), true) = (s.speed_mps, legacy) {
        f.push(Field::u16(6, scaled_u16(v, 1000.0, 0.0, "speed")));
    }
    if let Some(p) = s.power_w {
        f.push(Field::u16(7, p));
    }
    if let Some(c) = s.temperature_c {
        f.push(Field::i8(13, c));
    }
    if let Some(vo) = s.vertical_oscillation_mm {
        f.push(Field::u16(
            39,
            scaled_u16(vo, 10.0, 0.0, "vertical_oscillation"),
        ));
    }
    if let Some(pct) = s.stance_time_pct {
        f.push(Field::u16(
            40,
            scaled_u16(pct, 100.0, 0.0, "stance_time_percent"),
        ));
    }
    if let Some(st) = s.stance_time_ms {
        f.push(Field::u16(41, scaled_u16(st, 10.0, 0.0, "stance_time")));
    }
    if let Some(kind) = s.activity_type {
        f.push(Field::enum_(42, kind));
    }
    if let (Some((_, frac)), true) = (cadence, fractional) {
        f.push(Field::u8(53, frac));
    }
    if let (Some(v), false) = (s.speed_mps, legacy) {
        f.push(Field::u32(73, scaled_u32(v, 1000.0, 0.0, "enhanced_speed")));
    }
    if let (Some(alt), false) = (s.altitude_m, legacy) {
        f.push(Field::u32(
            78,
            scaled_u32(alt, 5.0, 500.0, "enhanced_altitude"),
        ));
    }
    if let Some(vr) = s.vertical_ratio_pct {
        f.push(Field::u16(83, scaled_u16(vr, 100.0, 0.0, "vertical_ratio")));
    }
    if let Some(b) = s.stance_time_balance_pct {
        f.push(Field::u16(
            84,
            scaled_u16(b, 100.0, 0.0, "stance_time_balance"),
        ));
    }
    if let Some(sl) = s.step_length_mm {
        f.push(Field::u16(85, scaled_u16(sl, 10.0, 0.0, "step_length")));
    }
    f
}

fn secs_ms(s: f64, what: &str) -> u32 {
    scaled_u32(s, 1000.0, 0.0, what)
}

/// Encode to a complete FIT file (14-byte header with header CRC, data, file CRC).
///
/// Message order: `file_id`; timer start `event` (at the first sample); then
/// per session: `sport` (if [`Activity::with_sport_message`]), `record`s,
/// `lap`, `session` (if [`Activity::with_session_message`]); timer stop_all
/// `event` (at the last sample of any session); `activity` (if
/// [`Activity::utc_offset_s`] is set).
///
/// Local message numbers: file_id 0, event 1, record 2, lap 3, session 4,
/// activity 5, sport 6.  The record definition is re-emitted whenever the set
/// of present fields (or timestamp vs. compressed header) changes.
pub fn encode_activity(a: &Activity) -> Vec<u8> {
    let mut e = Encoder {
        b: FitBuilder::new(),
        last_ts: None,
    };
    e.msg(
        local::FILE_ID,
        mesg::FILE_ID,
        &file_id_fields(
            file_type::ACTIVITY,
            a.manufacturer,
            a.product,
            a.serial_number,
            a.time_created_unix,
        ),
    );

    let summaries: Vec<SessionSummary> = a
        .sessions
        .iter()
        .map(|s| s.summary(a.time_created_unix))
        .collect();
    let first_unix = summaries
        .first()
        .map_or(a.time_created_unix, |s| s.start_unix);
    let last_unix = summaries
        .iter()
        .map(|s| s.end_unix)
        .max()
        .unwrap_or(a.time_created_unix);

    e.msg(
        local::EVENT,
        mesg::EVENT,
        &event_fields(fit_time(first_unix), 0),
    );

    for (idx, (session, sum)) in a.sessions.iter().zip(&summaries).enumerate() {
        let idx = u16::try_from(idx).expect("too many sessions");
        if a.with_sport_message {
            e.msg(
                local::SPORT,
                mesg::SPORT,
                &[
                    Field::enum_(0, session.sport),
                    Field::enum_(1, session.sub_sport),
                ],
            );
        }

        for s in &session.samples {
            let t = fit_time(s.t_unix);
            let fields = record_fields(s, a.legacy_fields, a.fractional_cadence);
            let compress =
                a.compressed_timestamps && e.last_ts.is_some_and(|last| t >= last && t - last < 32);
            if compress {
                e.b.message_compressed(local::RECORD, mesg::RECORD, (t & 0x1F) as u8, &fields);
                e.last_ts = Some(t);
            } else {
                let mut with_ts = vec![Field::u32(253, t)];
                with_ts.extend(fields);
                e.msg(local::RECORD, mesg::RECORD, &with_ts);
            }
        }

        let start = fit_time(sum.start_unix);
        let end = fit_time(sum.end_unix);
        let elapsed = secs_ms(sum.total_elapsed_s, "total_elapsed_time");
        let timer = secs_ms(sum.total_timer_s, "total_timer_time");

        let mut lap = vec![
            Field::u32(253, end),
            Field::enum_(0, 9), // event: lap
            Field::enum_(1, 1), // event_type: stop
            Field::u32(2, start),
            Field::u32(7, elapsed),
            Field::u32(8, timer),
        ];
        if let Some(d) = sum.total_distance_m {
            lap.push(Field::u32(9, scaled_u32(d, 100.0, 0.0, "total_distance")));
        }
        lap.push(Field::enum_(25, session.sport));
        lap.push(Field::enum_(39, session.sub_sport));
        lap.push(Field::u16(254, idx));
        e.msg(local::LAP, mesg::LAP, &lap);

        if a.with_session_message {
            let mut ses = vec![
                Field::u32(253, end),
                Field::enum_(0, 8), // event: session
                Field::enum_(1, 1), // event_type: stop
                Field::u32(2, start),
                Field::enum_(5, session.sport),
                Field::enum_(6, session.sub_sport),
                Field::u32(7, elapsed),
                Field::u32(8, timer),
            ];
            if let Some(d) = sum.total_distance_m {
                ses.push(Field::u32(9, scaled_u32(d, 100.0, 0.0, "total_distance")));
            }
            let cadence = sum.avg_cadence_spm.map(encode_cadence);
            if let Some((whole, _)) = cadence {
                ses.push(Field::u8(18, whole));
            }
            if let Some(up) = sum.total_ascent_m {
                ses.push(Field::u16(22, up));
            }
            if let Some(down) = sum.total_descent_m {
                ses.push(Field::u16(23, down));
            }
            ses.push(Field::u16(25, idx)); // first_lap_index: one lap per session
            ses.push(Field::u16(26, 1)); // num_laps
            if let Some((_, frac)) = cadence {
                ses.push(Field::u8(92, frac)); // avg_fractional_cadence
            }
            if let Some(feel) = session.workout_feel {
                ses.push(Field::u8(192, feel));
            }
            if let Some(rpe) = session.workout_rpe_x10 {
                ses.push(Field::u8(193, rpe));
            }
            ses.push(Field::u16(254, idx));
            e.msg(local::SESSION, mesg::SESSION, &ses);
        }
    }

    let end = fit_time(last_unix);
    e.msg(local::EVENT, mesg::EVENT, &event_fields(end, 4));

    if let Some(offset) = a.utc_offset_s {
        let local_ts = u32::try_from(i64::from(end) + i64::from(offset))
            .expect("local timestamp out of range");
        let total_timer: f64 = summaries.iter().map(|s| s.total_timer_s).sum();
        let n = u16::try_from(a.sessions.len()).expect("too many sessions");
        e.msg(
            local::ACTIVITY,
            mesg::ACTIVITY,
            &[
                Field::u32(253, end),
                Field::u32(0, secs_ms(total_timer, "activity total_timer_time")),
                Field::u16(1, n),
                Field::enum_(2, 0),  // type: manual
                Field::enum_(3, 26), // event: activity
                Field::enum_(4, 1),  // event_type: stop
                Field::u32(5, local_ts),
            ],
        );
    }
    e.b.finish()
}

/// A non-activity file: `file_id` of type `file_type` (see [`file_type`])
/// plus one `user_profile` message (gender male, age 35, weight 70.0 kg).
pub fn encode_non_activity_file(file_type: u8, serial: u32) -> Vec<u8> {
    let created = FIT_EPOCH_UNIX + 1_000_000_000;
    let mut b = FitBuilder::new();
    b.message(
        local::FILE_ID,
        mesg::FILE_ID,
        &file_id_fields(file_type, 1, 1, serial, created),
    );
    b.message(
        local::OTHER,
        mesg::USER_PROFILE,
        &[Field::enum_(1, 1), Field::u8(2, 35), Field::u16(4, 700)],
    );
    b.finish()
}

/// A non-activity file (file_id type = 2 settings) with just file_id plus one
/// `user_profile` message, for "not_activity" tests.
pub fn encode_settings_file(serial: u32) -> Vec<u8> {
    encode_non_activity_file(file_type::SETTINGS, serial)
}
