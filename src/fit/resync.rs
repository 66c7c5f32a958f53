//! Reading on past a structural fault: after bytes that do not decode (garbage written into
//! the file, a message of a local type never defined, a zeroed sector), find the next byte
//! where messages decode again with time stamps that continue the file's, and read on from
//! there, so that the records, laps and session after the damage are kept too.
//!
//! fitparser's stream processor keeps the message definitions and counts bytes to the end of
//! the data. A fresh one is given a made-up 12-byte header and the definitions seen before the
//! fault, then the file's bytes from the candidate on: it decodes as if the damage had never
//! been there.

use fitparser::de::{DecodeOption, FitDataMessage, FitObject, FitStreamProcessor};

use fitparser::profile::field_types::FitBaseType;

use super::definitions::base_size;
use super::profile::mesg;
use super::time::raw_int;
use super::walk::{shape, walk, Shape};

/// Data messages that must walk in a row at a candidate before it is believed (or all up to
/// the data's end): bytes of garbage can pass for a few messages, not for sixteen.
const CONFIRM: usize = 16;
/// Of which at least this many carry a full time stamp or a record distance.
const EVIDENCE: usize = 4;
/// A full time stamp continues a file's when it lies within this of the last one, s, either
/// way (a long pause, a long run; a device_info written at the start with the end's time).
const REACH_S: i64 = 12 * 3600;
/// A record's distance continues the last one's when it is no shorter and at most this much
/// longer, m (a GPS fix that returns after a tunnel).
const MAX_STEP_M: f64 = 2000.0;

/// Whether a full time stamp `t` continues a file whose last was `last` (raw FIT seconds).
pub(super) fn continues(last: i64, t: i64) -> bool {
    (t - last).abs() <= REACH_S
}

/// The definition messages seen in the current part, with where each starts, and the
/// developer field descriptions (each after its own definition), which fitparser needs to read
/// a message with developer fields.
#[derive(Default)]
pub(super) struct Definitions {
    seen: Vec<(usize, Vec<u8>)>,
    descriptions: Vec<(usize, Vec<u8>)>,
}

/// What a fresh processor is given before the file's bytes: the definitions in force at a
/// byte, and the shape of each local type's messages.
#[derive(Clone)]
struct Prefix {
    bytes: Vec<u8>,
    shapes: [Option<Shape>; 16],
}

impl Definitions {
    /// Keeps a definition message's bytes (from its record header on), found at byte `at`.
    pub(super) fn keep(&mut self, at: usize, raw: &[u8]) {
        self.seen.push((at, raw.to_vec()));
    }

    /// Keeps a developer field description message's bytes, found at byte `at`, with the
    /// definition of its local type.
    pub(super) fn keep_description(&mut self, at: usize, raw: &[u8]) {
        let Some(&header) = raw.first() else { return };
        let local = header & 0x0F;
        let def = self
            .seen
            .iter()
            .rev()
            .find(|d| d.0 < at && d.1.first().is_some_and(|h| h & 0x0F == local));
        if let Some((_, def)) = def {
            let mut both = def.clone();
            both.extend_from_slice(raw);
            self.descriptions.push((at, both));
        }
    }

    /// Forgets them all (a chained file's next part).
    pub(super) fn clear(&mut self) {
        self.seen.clear();
        self.descriptions.clear();
    }

    /// Forgets those from byte `at` on (they are read again).
    pub(super) fn forget_from(&mut self, at: usize) {
        self.seen.retain(|d| d.0 < at);
        self.descriptions.retain(|d| d.0 < at);
    }

    /// Where the definitions read from `from` up to `to` start.
    fn starts_between(&self, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
        self.seen
            .iter()
            .map(|d| d.0)
            .filter(move |&at| at >= from && at < to)
    }

    /// The descriptions, then the definition in force for each local type, before byte `at`.
    fn before(&self, at: usize) -> Prefix {
        let mut latest: [Option<&[u8]>; 16] = [None; 16];
        for (_, raw) in self.seen.iter().filter(|d| d.0 < at) {
            if let Some(&header) = raw.first() {
                latest[usize::from(header & 0x0F)] = Some(raw);
            }
        }
        let mut bytes: Vec<u8> = self
            .descriptions
            .iter()
            .filter(|d| d.0 < at)
            .flat_map(|d| d.1.iter().copied())
            .collect();
        for d in latest.iter().flatten() {
            bytes.extend_from_slice(&quiet(d));
        }
        Prefix {
            bytes,
            shapes: latest.map(|d| shape(d?).map(|s| s.0)),
        }
    }
}

/// A definition as fitparser reads it, without its complaint: a field whose size is no
/// multiple of its type's is given the byte type, which is what fitparser makes of it (and
/// says so on stderr, once, when the file's own bytes are read).
fn quiet(def: &[u8]) -> Vec<u8> {
    let mut out = def.to_vec();
    let n = usize::from(out.get(5).copied().unwrap_or(0));
    for k in 0..n {
        let at = 6 + 3 * k;
        let Some(&[_, size, base]) = out
            .get(at..at + 3)
            .map(|f| <&[u8; 3]>::try_from(f).unwrap())
        else {
            break;
        };
        if size % base_size(FitBaseType::from(base & 0x9f)) != 0 {
            out[at + 2] = 0x0D;
        }
    }
    out
}

/// A processor that has read a made-up header and `prefix`, expecting `data_len` more bytes of
/// data.
fn processor(prefix: &Prefix, data_len: usize) -> Option<FitStreamProcessor> {
    let size = u32::try_from(prefix.bytes.len() + data_len).ok()?;
    let mut head = vec![12u8, 0x20, 0, 0];
    head.extend_from_slice(&size.to_le_bytes());
    head.extend_from_slice(b".FIT");
    head.extend_from_slice(&prefix.bytes);
    let mut p = FitStreamProcessor::new();
    p.add_option(DecodeOption::SkipDataCrcValidation);
    p.add_option(DecodeOption::SkipHeaderCrcValidation);
    let mut buf = head.as_slice();
    while !buf.is_empty() {
        let (rest, obj) = p.deserialize_next(buf).ok()?;
        if let FitObject::DataMessage(msg) = obj {
            // A developer field description: the decoder learns it.
            p.decode_message(msg).ok()?;
        }
        buf = rest;
    }
    Some(p)
}

/// Where the file last read well: a full time stamp (raw FIT seconds) and a record's
/// distance, m, for messages after a fault to continue from.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Last {
    pub(super) ts: Option<i64>,
    pub(super) distance_m: Option<f64>,
}

impl Last {
    /// Whether a message with this full time stamp and record distance continues from here.
    /// A full time stamp decides; without one, the record distance (a multisport file's
    /// distance starts again with each session, under time stamps that continue).
    pub(super) fn continued_by(&self, ts: Option<i64>, distance_m: Option<f64>) -> bool {
        match (self.ts, ts, self.distance_m, distance_m) {
            (Some(l), Some(t), _, _) => continues(l, t),
            (_, None, Some(l), Some(d)) => d >= l - 1.0 && d <= l + MAX_STEP_M,
            _ => true,
        }
    }

    /// Moves on to a message's time stamp and distance, where it has them.
    pub(super) fn advance(&mut self, ts: Option<i64>, distance_m: Option<f64>) {
        self.ts = ts.or(self.ts);
        self.distance_m = distance_m.or(self.distance_m);
    }
}

/// A record's distance (field 5, 1/100 m), as written.
pub(super) fn record_distance(msg: &FitDataMessage) -> Option<f64> {
    if msg.global_message_number() != mesg::RECORD {
        return None;
    }
    let d = raw_int(msg.fields().get(&5)?)? as f64 / 100.0;
    (d >= 0.0).then_some(d)
}

/// The first byte from `from` up to `scan` where
/// [`CONFIRM`] data messages decode in a row, their full time stamps and record distances
/// continuing from `last`, and a processor ready to read from there. The definitions in force
/// are those from before `from` (what the file held before it went wrong), or else those from
/// before the candidate (a real definition may lie between). The data is taken to end at
/// `end` (where its checksum starts).
pub(super) fn find(
    data: &[u8],
    from: usize,
    scan: usize,
    end: usize,
    defs: &Definitions,
    last: Last,
) -> Option<(FitStreamProcessor, usize)> {
    let stop = end.min(scan.max(from + 1));
    let early = defs.before(from);
    // A definition read between `from` and the candidate (a real one, after the damage) is in
    // force there too: those candidates are also tried with it.
    let later: Vec<(usize, Prefix)> = defs
        .starts_between(from, stop)
        .map(|at| (at, defs.before(at + 1)))
        .collect();
    (from..stop).find_map(|at| {
        let tail = &data[at..end];
        let here = later.iter().rev().find(|p| p.0 < at).map(|p| &p.1);
        for prefix in std::iter::once(&early).chain(here) {
            // Walked by sizes (fitparser would print a complaint for every odd definition in
            // the bytes it tries): the processor is made only for the byte found.
            if walk(tail, prefix.shapes, last, CONFIRM, EVIDENCE) {
                return Some((processor(prefix, end - at)?, at));
            }
        }
        None
    })
}
