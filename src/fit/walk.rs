//! A cheap look at whether bytes read as FIT messages: each message's size from the
//! definitions (no decoding), and the time stamp and record distance read straight from their
//! bytes. `resync.rs` walks each candidate byte this way before it asks fitparser.

use super::resync::Last;

/// What a definition says of its messages: their size and where two fields lie.
#[derive(Clone, Copy, Debug)]
pub(super) struct Shape {
    /// Bytes of a data message after its header.
    size: usize,
    big_endian: bool,
    /// Where the 4-byte `timestamp` (253) lies in the message.
    timestamp_at: Option<usize>,
    /// Where a record's 4-byte `distance` (5) lies.
    distance_at: Option<usize>,
}

/// The shape of a definition message (its bytes, header first) and its length; `None` when
/// it does not parse.
pub(super) fn shape(raw: &[u8]) -> Option<(Shape, usize)> {
    let header = *raw.first()?;
    let big_endian = *raw.get(2)? == 1;
    let global = if big_endian {
        u16::from_be_bytes([*raw.get(3)?, *raw.get(4)?])
    } else {
        u16::from_le_bytes([*raw.get(3)?, *raw.get(4)?])
    };
    let n = usize::from(*raw.get(5)?);
    let fields = raw.get(6..6 + 3 * n)?;
    let mut shape = Shape {
        size: 0,
        big_endian,
        timestamp_at: None,
        distance_at: None,
    };
    for f in fields.chunks_exact(3) {
        let (num, size) = (f[0], usize::from(f[1]));
        if size == 4 && num == 253 {
            shape.timestamp_at = Some(shape.size);
        }
        if size == 4 && num == 5 && global == 20 {
            shape.distance_at = Some(shape.size);
        }
        shape.size += size;
    }
    let mut len = 6 + 3 * n;
    if header & 0x20 != 0 {
        let d = usize::from(*raw.get(len)?);
        let dev = raw.get(len + 1..len + 1 + 3 * d)?;
        shape.size += dev
            .chunks_exact(3)
            .map(|f| usize::from(f[1]))
            .sum::<usize>();
        len += 1 + 3 * d;
    }
    Some((shape, len))
}

/// Whether `tail` starts with `want` data messages in a row (or all up to its end), each
/// continuing from `last`, with at least `evidence` of them carrying a time stamp or a
/// distance (one, when the end comes first).
pub(super) fn walk(
    tail: &[u8],
    mut shapes: [Option<Shape>; 16],
    mut last: Last,
    want: usize,
    evidence: usize,
) -> bool {
    let (mut at, mut data, mut evidenced) = (0, 0, 0);
    while data < want {
        let Some(&h) = tail.get(at) else {
            return evidenced > 0;
        };
        let local = if h & 0x80 != 0 {
            usize::from((h >> 5) & 0x03)
        } else if h & 0x40 != 0 {
            if h & 0x10 != 0 {
                return false;
            }
            let Some((s, len)) = shape(&tail[at..]) else {
                return false;
            };
            shapes[usize::from(h & 0x0F)] = Some(s);
            at += len;
            continue;
        } else if h & 0x30 != 0 {
            return false;
        } else {
            usize::from(h & 0x0F)
        };
        let Some(s) = shapes[local] else {
            return false;
        };
        let Some(body) = tail.get(at + 1..at + 1 + s.size) else {
            return false;
        };
        // Starting on a message of zeros is starting in the rest of a zeroed stretch, not where
        // messages start again.
        if data == 0 && h == 0 && body.iter().all(|&b| b == 0) {
            return false;
        }
        let read = |k: Option<usize>| {
            let b: [u8; 4] = body.get(k?..k? + 4)?.try_into().ok()?;
            let v = if s.big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            };
            (v != u32::MAX).then_some(v)
        };
        let ts = read(s.timestamp_at).map(i64::from);
        let d = read(s.distance_at).map(|v| f64::from(v) / 100.0);
        if !last.continued_by(ts, d) {
            return false;
        }
        last.advance(ts, d);
        evidenced += usize::from(ts.is_some() || d.is_some());
        data += 1;
        at += 1 + s.size;
    }
    evidenced >= evidence
}
