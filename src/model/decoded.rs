//! The decoder → analysis contract: what fitrisk keeps of one FIT file.
//!
//! [`crate::fit`] fills these; [`crate::analyse`] reads them. Plain data: no FIT knowledge
//! beyond the units of each field.

/// Samples of the file's `record` messages, one entry per record, struct-of-arrays.
/// Missing values are `NaN`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Samples {
    /// UTC Unix seconds (or device seconds for files without dates).
    pub(crate) t: Vec<i64>,
    /// Cumulative distance, metres.
    pub(crate) distance_m: Vec<f64>,
    /// Altitude, metres (`enhanced_altitude`, else `altitude`).
    pub(crate) altitude_m: Vec<f64>,
    /// Speed, m/s (`enhanced_speed`, else `speed`).
    pub(crate) speed_mps: Vec<f64>,
    /// Cadence as recorded: `cadence + fractional_cadence` (strides/min for running).
    pub(crate) cadence_raw: Vec<f64>,
    /// `fractional_cadence` as recorded (`NaN` where the record has none): running watches
    /// write it, a bike's pedal cadence has none.
    pub(crate) fractional_cadence: Vec<f64>,
    /// Heart rate, beats/min.
    pub(crate) heart_rate: Vec<f64>,
    /// Latitude, degrees.
    pub(crate) lat_deg: Vec<f64>,
    /// Longitude, degrees.
    pub(crate) lon_deg: Vec<f64>,
    /// Step length from running dynamics, millimetres.
    pub(crate) step_length_mm: Vec<f64>,
    /// Vertical oscillation, millimetres.
    pub(crate) vertical_oscillation_mm: Vec<f64>,
    /// Ground contact (stance) time, milliseconds.
    pub(crate) stance_time_ms: Vec<f64>,
    /// Left foot's share of ground contact time (`stance_time_balance`), %.
    pub(crate) stance_balance_pct: Vec<f64>,
    /// Power, watts.
    pub(crate) power_w: Vec<f64>,
}

impl Samples {
    /// Number of samples.
    pub(crate) fn len(&self) -> usize {
        self.t.len()
    }

    /// True when there are no samples.
    pub(crate) fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// Keeps the first `n` samples.
    pub(crate) fn truncate(&mut self, n: usize) {
        for v in [
            &mut self.distance_m,
            &mut self.altitude_m,
            &mut self.speed_mps,
            &mut self.cadence_raw,
            &mut self.fractional_cadence,
            &mut self.heart_rate,
            &mut self.lat_deg,
            &mut self.lon_deg,
            &mut self.step_length_mm,
            &mut self.vertical_oscillation_mm,
            &mut self.stance_time_ms,
            &mut self.stance_balance_pct,
            &mut self.power_w,
        ] {
            v.truncate(n);
        }
        self.t.truncate(n);
    }

    /// The samples with `lo <= t <= hi`, in order (records are time-ordered in a FIT file, but a
    /// stray out-of-order record is tolerated).
    pub(crate) fn slice_time(&self, lo: i64, hi: i64) -> Samples {
        let idx: Vec<usize> = (0..self.len())
            .filter(|&i| self.t[i] >= lo && self.t[i] <= hi)
            .collect();
        self.select(&idx)
    }

    /// The samples at `idx`, in that order.
    pub(crate) fn select(&self, idx: &[usize]) -> Samples {
        // A column shorter than the time stamps (a test's partial samples) reads as missing.
        let pick = |v: &Vec<f64>| {
            idx.iter()
                .map(|&i| v.get(i).copied().unwrap_or(f64::NAN))
                .collect::<Vec<f64>>()
        };
        Samples {
            t: idx.iter().map(|&i| self.t[i]).collect(),
            distance_m: pick(&self.distance_m),
            altitude_m: pick(&self.altitude_m),
            speed_mps: pick(&self.speed_mps),
            cadence_raw: pick(&self.cadence_raw),
            fractional_cadence: pick(&self.fractional_cadence),
            heart_rate: pick(&self.heart_rate),
            lat_deg: pick(&self.lat_deg),
            lon_deg: pick(&self.lon_deg),
            step_length_mm: pick(&self.step_length_mm),
            vertical_oscillation_mm: pick(&self.vertical_oscillation_mm),
            stance_time_ms: pick(&self.stance_time_ms),
            stance_balance_pct: pick(&self.stance_balance_pct),
            power_w: pick(&self.power_w),
        }
    }
}

/// What the `file_id` message says.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileInfo {
    /// File type (`activity`, `settings`, `monitoring_b`…).
    pub(crate) file_type: Option<String>,
    /// Manufacturer name.
    pub(crate) manufacturer: Option<String>,
    /// Product name or number.
    pub(crate) product: Option<String>,
    /// Device serial number.
    pub(crate) serial: Option<u32>,
    /// Creation time, raw FIT seconds.
    pub(crate) time_created: Option<u32>,
}

impl FileInfo {
    /// A readable device name, e.g. `garmin fr645m`.
    pub(crate) fn device(&self) -> Option<String> {
        match (&self.manufacturer, &self.product) {
            (Some(m), Some(p)) => Some(format!("{m} {p}")),
            (Some(m), None) => Some(m.clone()),
            (None, Some(p)) => Some(p.clone()),
            (None, None) => None,
        }
    }
}

/// What one `session` message (or a stand-in built from `sport`/`lap`) says.
#[derive(Clone, Debug, Default)]
pub(crate) struct SessionMsg {
    /// `start_time`, Unix seconds.
    pub(crate) start: Option<i64>,
    /// `timestamp` (session end), Unix seconds.
    pub(crate) end: Option<i64>,
    /// Sport name (`running`, `cycling`…).
    pub(crate) sport: Option<String>,
    /// Sub-sport name (`trail`, `treadmill`…).
    pub(crate) sub_sport: Option<String>,
    /// `total_elapsed_time`, seconds.
    pub(crate) elapsed_s: Option<f64>,
    /// `total_timer_time`, seconds.
    pub(crate) timer_s: Option<f64>,
    /// `total_distance`, metres.
    pub(crate) distance_m: Option<f64>,
    /// `total_ascent`, metres.
    pub(crate) ascent_m: Option<f64>,
    /// `total_descent`, metres.
    pub(crate) descent_m: Option<f64>,
    /// Average speed, m/s (`enhanced_avg_speed`, else `avg_speed`).
    pub(crate) avg_speed_mps: Option<f64>,
    /// `avg_cadence` + `avg_fractional_cadence` as recorded (strides/min for running).
    pub(crate) avg_cadence_raw: Option<f64>,
    /// `workout_rpe`: perceived exertion on the CR10 scale as written (÷ 10 applied), not yet
    /// checked for range.
    pub(crate) rpe: Option<f64>,
    /// `workout_feel`: 0–100 as written, not yet checked for range.
    pub(crate) feel: Option<f64>,
    /// True when this came from a real `session` message.
    pub(crate) from_session_message: bool,
}

/// Integrity notes collected while decoding.
#[derive(Clone, Debug, Default)]
pub(crate) struct Integrity {
    /// The data ends before the header's declared size (or the file was never closed).
    pub(crate) truncated: Option<String>,
    /// A header or data checksum did not match.
    pub(crate) crc_mismatch: Option<String>,
    /// Bytes after the last complete FIT file that do not decode.
    pub(crate) trailing: Option<String>,
    /// Stretches inside the data that did not decode and were read past, a note each.
    pub(crate) skipped: Vec<String>,
}

/// Everything kept from one FIT file.
#[derive(Clone, Debug, Default)]
pub struct Decoded {
    /// `file_id`.
    pub(crate) file: FileInfo,
    /// `session` messages in file order.
    pub(crate) sessions: Vec<SessionMsg>,
    /// Sport from the `sport` message, when present.
    pub(crate) sport_msg: Option<(Option<String>, Option<String>)>,
    /// First lap's sport and sub-sport, when present (a truncated file may have only laps).
    pub(crate) lap_sport: Option<(Option<String>, Option<String>)>,
    /// `local_timestamp − timestamp` of the `activity` message, raw seconds.
    pub(crate) utc_offset_raw_s: Option<i64>,
    /// All record samples of the file.
    pub(crate) samples: Samples,
    /// Damage found.
    pub(crate) integrity: Integrity,
    /// Number of FIT headers (more than one: a chained file).
    pub(crate) headers: usize,
}

/// An altitude sample is usable when present and not the −500 m placeholder (raw 0) that some
/// devices write before a fix.
pub(crate) fn valid_altitude(x: f64) -> bool {
    x.is_finite() && x != -500.0
}
