//! FIT decoding: one byte buffer → the compact facts analysis needs ([`Decoded`]).
//!
//! fitparser's stream processor is driven message by message, so that each record is reduced
//! to a few numbers as soon as it is decoded and the decoded message is dropped at once. Driving
//! the stream ourselves also lets us keep what a damaged file still holds: the records before
//! a truncation, a file whose checksum is wrong but whose structure decodes, every part of a
//! chained file.
//!
//! - [`profile`]: every message and field number fitrisk reads, with scales and offsets;
//! - `stream`: the driver and the damage it notes;
//! - `records`: `record` messages → samples (raw fields, or fitparser's profile decoding);
//! - `definitions`: what fitparser complains of in a definition message, as a note;
//! - `resync`: reading on past a structural fault, where messages decode again;
//! - `messages`: `file_id`, `session`, `sport`, `lap`;
//! - [`time`]: the FIT epoch, compressed time stamps, the athlete's offset.

mod definitions;
mod messages;
pub(crate) mod profile;
mod records;
mod resync;
mod stream;
pub(crate) mod time;
mod walk;

pub use crate::model::Decoded;
pub use stream::{decode, decode_noting};

/// The integration tests' FIT writer, for files whose every field is known.
#[cfg(test)]
#[path = "../../tests/support/fitwriter.rs"]
mod fitwriter;

#[cfg(test)]
mod tests {
    use fitparser::FitDataRecord;

    use super::messages::num;
    use super::profile::mesg;
    use super::*;
    use crate::model::Reason;

    #[test]
    fn empty_and_not_fit_are_told_apart() {
        assert_eq!(decode(&[]).unwrap_err().reason, Reason::Empty);
        let text = b"hello, this is not a FIT file at all";
        let err = decode(text).unwrap_err();
        assert_eq!(err.reason, Reason::NotFit);
        assert!(err.detail.contains("hello"), "{}", err.detail);
    }

    #[test]
    fn header_alone_is_a_decode_error_not_a_panic() {
        let mut h = vec![14u8, 0x20, 0x54, 0x08, 0, 0, 0, 0];
        h.extend_from_slice(b".FIT");
        h.extend_from_slice(&[0, 0]);
        let err = decode(&h).unwrap_err();
        assert_eq!(err.reason, Reason::DecodeError);
    }

    #[test]
    fn a_structural_error_before_any_message_is_still_a_decode_error() {
        // A header (no header CRC) declaring 4 data bytes whose first message is a data
        // message of local type 0, never defined: nothing decoded, nothing to keep.
        let mut f = vec![14u8, 0x20, 0x54, 0x08, 4, 0, 0, 0];
        f.extend_from_slice(b".FIT");
        f.extend_from_slice(&[0, 0, 0x00, 1, 2, 3, 0, 0]);
        let err = decode(&f).unwrap_err();
        assert_eq!(err.reason, Reason::DecodeError);
        assert!(err.detail.contains("nothing decoded"), "{}", err.detail);
    }

    /// Asserts that fitrisk's samples of `bytes` are what fitparser's full profile decoding
    /// gives, record for record and column for column; returns the records with running
    /// dynamics.
    fn assert_records_match(name: &str, bytes: &[u8]) -> usize {
        // fitparser 0.11 accumulates compressed distances wrongly (see `records::Odometer`):
        // those records' distances are checked against the session instead, below.
        let compressed = name.contains("compressed-speed-distance");
        let mut dynamics = 0;
        let ours = decode(bytes).unwrap().samples;
        let theirs: Vec<FitDataRecord> = fitparser::from_bytes(bytes)
            .unwrap()
            .into_iter()
            .filter(|r| r.kind().as_u16() == mesg::RECORD)
            .collect();
        assert_eq!(ours.len(), theirs.len(), "{name}: record count");
        for (i, rec) in theirs.iter().enumerate() {
            let get = |field: &str| {
                rec.fields()
                    .iter()
                    .find(|f| f.name() == field)
                    .and_then(|f| num(f.value()))
            };
            let same = |a: f64, b: Option<f64>, what: &str| match b {
                Some(b) => assert!((a - b).abs() < 1e-6, "{name} #{i} {what}: {a} vs {b}"),
                None => assert!(a.is_nan(), "{name} #{i} {what}: {a} vs none"),
            };
            assert_eq!(Some(ours.t[i] as f64), get("timestamp"), "{name} #{i} time");
            if !compressed {
                same(ours.distance_m[i], get("distance"), "distance");
            }
            same(
                ours.altitude_m[i],
                get("enhanced_altitude").or(get("altitude")),
                "altitude",
            );
            same(
                ours.speed_mps[i],
                get("enhanced_speed").or(get("speed")),
                "speed",
            );
            let cad = get("cadence").map(|c| c + get("fractional_cadence").unwrap_or(0.0));
            same(ours.cadence_raw[i], cad, "cadence");
            same(ours.heart_rate[i], get("heart_rate"), "heart rate");
            // fitparser gives positions in semicircles; (0, 0) means no fix.
            let deg = |f: &str| {
                let (la, lo) = (get("position_lat"), get("position_long"));
                let fix = matches!((la, lo), (Some(a), Some(o)) if a != 0.0 || o != 0.0);
                get(f).filter(|_| fix).map(|x| x * 180.0 / 2_147_483_648.0)
            };
            same(ours.lat_deg[i], deg("position_lat"), "latitude");
            same(ours.lon_deg[i], deg("position_long"), "longitude");
            same(ours.step_length_mm[i], get("step_length"), "step length");
            same(
                ours.vertical_oscillation_mm[i],
                get("vertical_oscillation"),
                "vertical oscillation",
            );
            same(ours.stance_time_ms[i], get("stance_time"), "stance time");
            same(ours.power_w[i], get("power"), "power");
            same(
                ours.stance_balance_pct[i],
                get("stance_time_balance"),
                "stance time balance",
            );
            dynamics += ours.stance_time_ms[i].is_finite() as usize;
        }
        dynamics
    }

    /// The raw record path must give what fitparser's full profile decoding gives, record for
    /// record and column for column, on real files from several devices (compressed time
    /// stamps, compressed speed/distance, running dynamics and developer fields included).
    #[test]
    fn raw_records_match_fitparsers_decoding_in_every_column() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let files = [
            "fgebhart__workoutizer/tests__data__example.fit",
            "dtcooper__python-fitparse/tests__files__activity-small-fenix2-run.fit",
            "dtcooper__python-fitparse/tests__files__compressed-speed-distance.fit",
            "jimmykane__fit-parser/test__running-with-developer-data.fit",
            "msimms__TestFilesForFitnessApps/fit__20210507_run_coros_pace_2.fit",
            "tormoder__fit/testdata__0137001239.fit",
            "dtcooper__python-fitparse/tests__files__2013-02-06-12-11-14.fit",
        ];
        let mut dynamics = 0;
        for name in files {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            dynamics += assert_records_match(name, &bytes);
        }
        assert!(
            dynamics > 100,
            "running dynamics seen in {dynamics} records"
        );
    }

    /// A Forerunner 70 file with a foot pod writes speed and distance compressed into three
    /// bytes, the distance a 12-bit count of 1/16 m rolling over every 256 m: accumulated as
    /// the profile says, the records reach the session's distance, never more, and no step
    /// between them is faster than running.
    #[test]
    fn compressed_distances_roll_over_and_add_up_to_the_session() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let name = "dtcooper__python-fitparse/tests__files__compressed-speed-distance.fit";
        let d = decode(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        let s = &d.samples;
        let last = s.distance_m.iter().rev().find(|x| x.is_finite()).copied();
        let session = d.sessions[0].distance_m.unwrap();
        assert!(
            (last.unwrap() - session).abs() < 0.01 * session,
            "{last:?} vs {session}"
        );
        let known: Vec<usize> = (0..s.len())
            .filter(|&i| s.distance_m[i].is_finite())
            .collect();
        assert!(known.len() > s.len() / 2, "{} of {}", known.len(), s.len());
        for w in known.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (dd, dt) = (s.distance_m[b] - s.distance_m[a], s.t[b] - s.t[a]);
            assert!(
                dd >= 0.0 && dd <= 12.5 * dt.max(1) as f64,
                "#{b}: {dd} m in {dt} s"
            );
        }
        assert!(s.speed_mps.iter().filter(|v| v.is_finite()).count() > s.len() / 2);
    }

    /// Records with arrays give fitparser's own samples: a speed array (fitparser expands
    /// `enhanced_speed` from it, so taking it raw would lose the speed), a heart-rate array,
    /// and an array in a field fitrisk does not read (a power phase). Which path each takes is
    /// checked by the next test.
    #[test]
    fn records_with_arrays_match_fitparsers_decoding() {
        use super::fitwriter::{base_type, Field, FitBuilder};
        let mut b = FitBuilder::new();
        b.message(0, mesg::FILE_ID, &[Field::enum_(0, 4)]);
        for i in 0..40u16 {
            let ts = Field::u32(253, 1_000_000_000 + u32::from(i));
            let hr = Field::u8(3, 120 + i as u8);
            let speed = Field::u16(6, 3000 + 10 * i);
            let fields = match i % 4 {
                0 => vec![ts, hr, speed],
                1 => {
                    let two = [(3000 + i).to_le_bytes(), 3100u16.to_le_bytes()].concat();
                    vec![ts, hr, Field::array(6, base_type::UINT16, &two)]
                }
                2 => vec![ts, Field::array(3, base_type::UINT8, &[130, 131]), speed],
                _ => vec![
                    ts,
                    hr,
                    speed,
                    Field::array(69, base_type::UINT8, &[1, 2, 3, 4]),
                ],
            };
            b.message(1 + (i % 4) as u8, mesg::RECORD, &fields);
        }
        assert_records_match("records with arrays", &b.finish());
    }

    /// Which records take the raw path, message by message: a plain record, one with an array
    /// only in a field not read, and one with compressed speed/distance (decoded here, see
    /// `records::Odometer`) do; one with an array in a read field (speed, heart rate) or in
    /// its time stamp goes to fitparser's profile decoding.
    #[test]
    fn only_records_with_arrays_in_read_fields_leave_the_raw_path() {
        use super::fitwriter::{base_type, Field, FitBuilder};
        use super::records::RawRecord;
        use fitparser::de::{FitObject, FitStreamProcessor};
        let ts = || Field::u32(253, 1_000_000_000);
        let cases: Vec<(Vec<Field>, bool)> = vec![
            (vec![ts(), Field::u8(3, 120), Field::u16(6, 3000)], true),
            (
                vec![
                    ts(),
                    Field::u8(3, 120),
                    Field::array(69, base_type::UINT8, &[1, 2]),
                ],
                true,
            ),
            (
                vec![ts(), Field::array(6, base_type::UINT16, &[1, 2, 3, 4])],
                false,
            ),
            (
                vec![ts(), Field::array(3, base_type::UINT8, &[130, 131])],
                false,
            ),
            (
                vec![Field::array(
                    253,
                    base_type::UINT32,
                    &[1, 0, 0, 0, 2, 0, 0, 0],
                )],
                false,
            ),
            (
                vec![ts(), Field::array(8, base_type::UINT8, &[1, 2, 3])],
                true,
            ),
        ];
        let mut b = FitBuilder::new();
        for (i, (fields, _)) in cases.iter().enumerate() {
            b.message(i as u8, mesg::RECORD, fields);
        }
        let bytes = b.finish();
        let mut proc = FitStreamProcessor::new();
        let mut buf = bytes.as_slice();
        let mut raw = Vec::new();
        while !buf.is_empty() {
            let (rest, obj) = proc.deserialize_next(buf).unwrap();
            if let FitObject::DataMessage(msg) = obj {
                raw.push(RawRecord::read(&msg).is_some());
            }
            buf = rest;
        }
        let expected: Vec<bool> = cases.iter().map(|c| c.1).collect();
        assert_eq!(raw, expected);
    }
}
