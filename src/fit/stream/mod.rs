//! The stream driver: FIT bytes → [`Decoded`], message by message, keeping what a damaged
//! file still holds.

use fitparser::de::{DecodeOption, FitDataMessage, FitObject, FitStreamProcessor};
use fitparser::{ErrorKind, Value};

use super::messages::{self, Fields};
use super::profile::{mesg, TIMESTAMP};
use super::records::{Odometer, RawRecord};
use super::time::{raw_int, Clock};
use super::{definitions, resync};

mod past;

use crate::model::{Decoded, Failure, Reason};
use past::Good;

/// Decodes one FIT buffer. Never panics by itself; callers still wrap it in `catch_unwind`
/// because the decoder underneath is third-party code.
pub fn decode(bytes: &[u8]) -> Result<Decoded, Failure> {
    decode_noting(bytes, &mut Vec::new())
}

/// As [`decode`], adding to `notes` a line for each complaint fitparser prints to stderr while
/// it reads the file (see [`definitions::odd_sizes`]), so that decoder.log can name the file
/// of each; the notes survive a failure or a panic of the decoder.
pub fn decode_noting(bytes: &[u8], notes: &mut Vec<String>) -> Result<Decoded, Failure> {
    if bytes.is_empty() {
        return Err(Failure::new(Reason::Empty, "0-byte file"));
    }
    let header = parse_header(bytes)?;
    // A header that declares no data is a file the device never closed: decode what is there.
    let patched;
    let (data, unclosed) = if header.data_size == 0 && bytes.len() > header.size {
        let mut copy = bytes.to_vec();
        let size = (bytes.len() - header.size) as u32;
        copy[4..8].copy_from_slice(&size.to_le_bytes());
        patched = copy;
        (patched.as_slice(), true)
    } else {
        (bytes, false)
    };
    let mut r = Reader::new(data, unclosed, notes);
    r.read()?;
    r.finish()
}

/// What to do after an error.
enum Step {
    /// Read on (from where the error's handling put the reader).
    Continue,
    /// Stop reading: what was kept is the file.
    Stop,
}

/// The stream driver's state while it walks one buffer.
struct Reader<'a> {
    data: &'a [u8],
    notes: &'a mut Vec<String>,
    out: Decoded,
    proc: FitStreamProcessor,
    /// A header declared no data size (the device never closed the file).
    unclosed: bool,
    /// The next byte to read.
    at: usize,
    /// Where the current part's data ends, as its header says.
    expected_end: usize,
    /// Where the last header (even one whose checksum failed) says its data ends.
    declared_end: Option<usize>,
    in_file: bool,
    completed: usize,
    data_messages: usize,
    clock: Clock,
    odometer: Odometer,
    /// Definitions seen, to read on past a structural fault (see `resync.rs`).
    defs: resync::Definitions,
    resyncs: usize,
    /// Bytes searched for the next message so far.
    searched: usize,
    /// Where the last read-past resumed: the next one must resume beyond it.
    resumed: usize,
    /// Bytes of the data messages in a row whose bytes are all zero.
    zeros: usize,
    /// Records out of reach of the last good time stamp, continuing each other: the last one's
    /// time stamp and how many.
    jump: Option<(i64, usize)>,
    good: Good,
    /// Decoding stopped at a structural error: its note, naming the byte, is kept even in a
    /// file the device never closed.
    structural: bool,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8], unclosed: bool, notes: &'a mut Vec<String>) -> Reader<'a> {
        let mut proc = FitStreamProcessor::new();
        if unclosed {
            proc.add_option(DecodeOption::SkipDataCrcValidation);
        }
        Reader {
            data,
            notes,
            out: Decoded::default(),
            proc,
            unclosed,
            at: 0,
            expected_end: 0,
            declared_end: None,
            in_file: false,
            completed: 0,
            data_messages: 0,
            clock: Clock::default(),
            odometer: Odometer::default(),
            defs: resync::Definitions::default(),
            resyncs: 0,
            searched: 0,
            resumed: 0,
            zeros: 0,
            jump: None,
            good: Good::default(),
            structural: false,
        }
    }

    /// Reads the buffer object by object.
    fn read(&mut self) -> Result<(), Failure> {
        let data = self.data;
        while self.at < data.len() {
            let buf = &data[self.at..];
            // Past the declared data (where only the checksum, then a chained file's header,
            // can start; damage can shift the decoder a byte or two), a tail too short for a
            // header whose size byte is below its length: fitparser 0.11 computes the bytes
            // still needed as that byte minus the length, which underflows (a panic where
            // overflow checks are on, as in `cargo test`; a wrapped count in release builds).
            // It is no FIT file.
            let at_header = self.declared_end.is_some_and(|end| self.at > end);
            if at_header && buf.len() < 12 && (buf[0] as usize) < buf.len() {
                self.out.integrity.trailing = Some(format!(
                    "{} bytes after the last complete FIT file do not decode (too short for a \
                     header)",
                    buf.len()
                ));
                break;
            }
            match self.proc.deserialize_next(buf) {
                Ok((rest, obj)) => {
                    let start = self.at;
                    // Set first: reading a message may move the reader (see `read_well`).
                    self.at = data.len() - rest.len();
                    self.object(obj, start);
                }
                Err(err) => match self.error(*err)? {
                    Step::Continue => {}
                    Step::Stop => break,
                },
            }
        }
        Ok(())
    }

    /// One header, checksum, definition or data message, from byte `start` to the reader's
    /// place.
    fn object(&mut self, obj: FitObject, start: usize) {
        let next = self.at;
        match obj {
            FitObject::Header(h) => {
                self.out.headers += 1;
                self.in_file = true;
                self.expected_end = start + h.header_size() as usize + h.data_size() as usize;
                self.declared_end = Some(self.expected_end);
            }
            FitObject::Crc(_) => self.part_done(),
            FitObject::DataMessage(msg) => self.data_message(msg, start, next),
            FitObject::DefinitionMessage(_) => {
                let raw = &self.data[start..next];
                definitions::odd_sizes(raw, start, self.notes);
                self.defs.keep(start, raw);
            }
        }
    }

    /// A chained file's part ends: the next one starts afresh.
    fn part_done(&mut self) {
        self.proc.reset();
        self.clock.reset();
        self.odometer.reset();
        self.defs.clear();
        self.good = Good::default();
        self.in_file = false;
        self.completed += 1;
    }

    /// Records, nearly all of a file, are read straight from their raw fields; fitparser's
    /// profile decoding is kept for the other messages fitrisk reads and for records that need
    /// it (arrays in the fields read). Messages fitrisk does not read are dropped raw.
    fn data_message(&mut self, msg: FitDataMessage, start: usize, next: usize) {
        self.data_messages += 1;
        // A zeroed stretch (a bad sector) decodes as messages of local type 0 with every byte
        // zero, and raises no error: 64 such bytes in a row are read past like any other
        // fault (a file may hold a short message of zeros).
        if self.data[start..next].iter().all(|&b| b == 0) {
            self.zeros += next - start;
            if self.zeros >= ZEROED && self.read_past("a run of zero bytes") {
                discard(msg);
                return;
            }
        } else {
            self.zeros = 0;
        }
        let kind = msg.global_message_number();
        if kind == mesg::RECORD {
            if let Some(raw) = RawRecord::read(&msg) {
                let ts = self.clock.at(raw.timestamp, msg.time_offset());
                raw.push_to(ts, &mut self.odometer, &mut self.out.samples);
                discard(msg);
                let d = self.out.samples.distance_m.last().copied();
                self.read_well(raw.timestamp, d.filter(|d| d.is_finite()), next);
                return;
            }
        }
        // A record read through fitparser's profile decoding (arrays in its fields).
        let (full_ts, distance) = if kind == mesg::RECORD {
            (
                msg.fields().get(&TIMESTAMP.num).and_then(raw_int),
                resync::record_distance(&msg),
            )
        } else {
            (None, None)
        };
        if kind == mesg::FIELD_DESCRIPTION {
            self.defs.keep_description(start, &self.data[start..next]);
        }
        let ts = self.clock.read(&msg);
        if !messages::wanted(kind, &self.out) {
            discard(msg);
            self.read_well(full_ts, distance, next);
            return;
        }
        // Counted before fitparser consumes the message (see `Fields::new`).
        let tail = (msg.developer_fields().len(), msg.time_offset().is_some());
        match self.proc.decode_message(msg) {
            Ok(rec) => messages::reduce(&Fields::new(&rec, tail), ts, &mut self.out),
            Err(e) => {
                self.out.integrity.trailing.get_or_insert_with(|| {
                    format!("a message at byte {start} did not decode: {e}")
                });
            }
        }
        self.read_well(full_ts, distance, next);
    }

    /// A decoding error: a checksum that does not match is noted and read past; any other
    /// error inside the data is read past where messages decode again, or ends the reading.
    fn error(&mut self, err: ErrorKind) -> Result<Step, Failure> {
        match err {
            ErrorKind::InvalidCrc((rest, obj, expected, computed)) => {
                let what = match obj {
                    FitObject::Header(h) => {
                        self.declared_end =
                            Some(self.at + h.header_size() as usize + h.data_size() as usize);
                        "header"
                    }
                    _ => {
                        self.part_done();
                        "data"
                    }
                };
                self.out.integrity.crc_mismatch.get_or_insert_with(|| {
                    format!("{what} checksum is {expected:#06x} but the bytes give {computed:#06x}")
                });
                // `rest` is the unread tail of the buffer.
                self.at = self.data.len() - rest.len();
                Ok(Step::Continue)
            }
            other => {
                let msg = other.to_string();
                let mid_message = matches!(other, ErrorKind::UnexpectedEof(_));
                // A message cut by the end of the buffer is a file cut short (nothing after it to
                // find), unless the end is far away: then damage made a message look that long.
                let cut = mid_message && self.data.len() - self.at < TRUNCATED_WITHIN;
                if !cut && self.read_past(&msg) {
                    return Ok(Step::Continue);
                }
                self.stop_at(&msg, mid_message)?;
                Ok(Step::Stop)
            }
        }
    }

    /// Notes why reading stops at an error that could not be read past.
    fn stop_at(&mut self, msg: &str, mid_message: bool) -> Result<(), Failure> {
        let (data, offset) = (self.data, self.at);
        let integrity = &mut self.out.integrity;
        if self.in_file && self.expected_end > data.len() {
            integrity.truncated = Some(format!(
                "data ends at byte {} of {}; records before the cut are kept",
                data.len(),
                self.expected_end + 2
            ));
        } else if self.in_file && mid_message && self.data_messages > 0 {
            integrity.truncated = Some(format!(
                "the file ends inside a message at byte {offset} ({msg}); records before it \
                 are kept"
            ));
        } else if self.completed > 0 && !self.in_file {
            integrity.trailing = Some(format!(
                "{} bytes after the last complete FIT file do not decode ({msg})",
                data.len() - offset
            ));
        } else if self.data_messages == 0 {
            return Err(Failure::new(
                Reason::DecodeError,
                format!("{msg}; nothing decoded"),
            ));
        } else {
            // A structural error inside the data that could not be read past: what decoded
            // before it is kept, as for a cut.
            integrity.truncated = Some(format!(
                "a structural error at byte {offset} of {} ({msg}); records before it are kept",
                data.len()
            ));
            self.structural = true;
        }
        Ok(())
    }

    /// The file's last notes, and what was kept of it.
    fn finish(mut self) -> Result<Decoded, Failure> {
        if self.unclosed && !self.structural {
            self.out.integrity.truncated = Some(
                "the header declares no data size: the device never closed the file; the \
                 records it holds are kept"
                    .to_string(),
            );
        } else if self.in_file && self.out.integrity.truncated.is_none() {
            self.out.integrity.truncated = Some(format!(
                "data ends at byte {} of {}; records before the cut are kept",
                self.data.len(),
                self.expected_end + 2
            ));
        }
        if self.data_messages == 0 {
            return Err(Failure::new(
                Reason::DecodeError,
                "a FIT header but no messages",
            ));
        }
        self.out.utc_offset_raw_s = self.clock.utc_offset_raw_s();
        Ok(self.out)
    }
}

/// Zero bytes in a row, in messages, that are a zeroed stretch rather than a message.
const ZEROED: usize = 64;
/// A message that runs past the buffer's end within this many bytes of it is a file cut
/// short (messages are shorter).
const TRUNCATED_WITHIN: usize = 1024;

/// Where the data of the FIT part being read ends (its checksum's first byte): the header's
/// declared end when a chained file's header follows it, else two bytes before the buffer's
/// end (damage may have added or removed bytes), or the buffer's end when it is cut short.
fn data_end(data: &[u8], declared: usize) -> usize {
    let next = declared + 2;
    if data.get(next + 8..next + 12) == Some(b".FIT".as_slice()) {
        declared
    } else if declared > data.len() {
        data.len()
    } else {
        data.len().saturating_sub(2)
    }
}

/// Drops a message fitrisk is done with. Nearly every field value is a number, which owns
/// nothing; dropped whole inside `decode`, the message called the value type's drop glue out
/// of line for every field (a third of the decode's time outside fitparser, measured with
/// perf on the corpus). Here the check for the two kinds that own memory, text and
/// arrays, is inlined, and the map is moved out first so that its values can be taken one by
/// one. The developer fields are left to the plain drop: taking their two-byte keys apart
/// cost more than it saved.
#[inline(never)]
fn discard(mut msg: FitDataMessage) {
    for v in std::mem::take(msg.fields_mut()).into_values() {
        free(v);
    }
}

/// Drops a value, calling drop glue only for the kinds that own memory.
#[inline(always)]
fn free(v: Value) {
    match v {
        Value::String(_) | Value::Array(_) => drop(v),
        // Each kind named, so that a kind fitparser adds is not forgotten unseen: a number owns
        // nothing, and forgetting it frees nothing that dropping it would.
        Value::Timestamp(_)
        | Value::Byte(_)
        | Value::Enum(_)
        | Value::SInt8(_)
        | Value::UInt8(_)
        | Value::SInt16(_)
        | Value::UInt16(_)
        | Value::SInt32(_)
        | Value::UInt32(_)
        | Value::Float32(_)
        | Value::Float64(_)
        | Value::UInt8z(_)
        | Value::UInt16z(_)
        | Value::UInt32z(_)
        | Value::SInt64(_)
        | Value::UInt64(_)
        | Value::UInt64z(_)
        | Value::Invalid => std::mem::forget(v),
    }
}

struct Header {
    size: usize,
    data_size: u32,
}

fn parse_header(bytes: &[u8]) -> Result<Header, Failure> {
    if bytes.len() < 12 || &bytes[8..12] != b".FIT" {
        let shown: String = bytes
            .iter()
            .take(12)
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        return Err(Failure::new(
            Reason::NotFit,
            format!("no FIT signature (starts with \"{shown}\")"),
        ));
    }
    let size = bytes[0] as usize;
    if size < 12 || size > bytes.len() {
        return Err(Failure::new(
            Reason::NotFit,
            format!("FIT header size {size} is impossible"),
        ));
    }
    let data_size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    Ok(Header { size, data_size })
}
