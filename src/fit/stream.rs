//! The stream driver: FIT bytes → [`Decoded`], message by message, keeping what a damaged
//! file still holds.

use fitparser::de::{DecodeOption, FitDataMessage, FitObject, FitStreamProcessor};
use fitparser::{ErrorKind, Value};

use super::definitions;
use super::messages::{self, Fields};
use super::profile::mesg;
use super::records::{Odometer, RawRecord};
use super::time::Clock;
use crate::model::{Decoded, Failure, Reason};

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

    let mut out = Decoded::default();
    let mut proc = FitStreamProcessor::new();
    if unclosed {
        proc.add_option(DecodeOption::SkipDataCrcValidation);
    }
    let mut buf: &[u8] = data;
    let mut expected_end = 0usize;
    // Where the last header (even one whose checksum failed) says its data ends.
    let mut declared_end: Option<usize> = None;
    let mut in_file = false;
    let mut completed = 0usize;
    let mut data_messages = 0usize;
    let mut clock = Clock::default();
    let mut odometer = Odometer::default();
    // Decoding stopped at a structural error: its note, naming the byte, is kept even in a
    // file the device never closed.
    let mut structural = false;

    while !buf.is_empty() {
        let offset = data.len() - buf.len();
        // Past the declared data (where only the checksum, then a chained file's header, can
        // start; damage can shift the decoder a byte or two), a tail too short for a header whose size
        // byte is below its length: fitparser 0.11 computes the bytes still needed as that byte
        // minus the length, which underflows (a panic where overflow checks are on, as in
        // `cargo test`; a wrapped count in release builds). It is no FIT file.
        let at_header = declared_end.is_some_and(|end| offset > end);
        if at_header && buf.len() < 12 && (buf[0] as usize) < buf.len() {
            out.integrity.trailing = Some(format!(
                "{} bytes after the last complete FIT file do not decode (too short for a header)",
                buf.len()
            ));
            break;
        }
        match proc.deserialize_next(buf) {
            Ok((rest, obj)) => {
                match obj {
                    FitObject::Header(h) => {
                        out.headers += 1;
                        in_file = true;
                        expected_end = offset + h.header_size() as usize + h.data_size() as usize;
                        declared_end = Some(expected_end);
                    }
                    FitObject::Crc(_) => {
                        proc.reset();
                        clock.reset();
                        odometer.reset();
                        in_file = false;
                        completed += 1;
                    }
                    FitObject::DataMessage(msg) => {
                        data_messages += 1;
                        // Records, nearly all of a file, are read straight from their raw fields;
                        // fitparser's profile decoding is kept for the other messages fitrisk
                        // reads and for records that need it (compressed speed/distance,
                        // arrays). Messages fitrisk does not read are dropped raw.
                        let kind = msg.global_message_number();
                        if kind == mesg::RECORD {
                            if let Some(raw) = RawRecord::read(&msg) {
                                let ts = clock.at(raw.timestamp, msg.time_offset());
                                raw.push_to(ts, &mut odometer, &mut out.samples);
                                discard(msg);
                                buf = rest;
                                continue;
                            }
                        }
                        let ts = clock.read(&msg);
                        if !messages::wanted(kind, &out) {
                            discard(msg);
                            buf = rest;
                            continue;
                        }
                        // Counted before fitparser consumes the message (see `Fields::new`).
                        let tail = (msg.developer_fields().len(), msg.time_offset().is_some());
                        match proc.decode_message(msg) {
                            Ok(rec) => messages::reduce(&Fields::new(&rec, tail), ts, &mut out),
                            Err(e) => {
                                out.integrity.trailing.get_or_insert_with(|| {
                                    format!("a message at byte {offset} did not decode: {e}")
                                });
                            }
                        }
                    }
                    FitObject::DefinitionMessage(_) => {
                        let raw = &data[offset..data.len() - rest.len()];
                        definitions::odd_sizes(raw, offset, notes);
                    }
                }
                buf = rest;
            }
            Err(err) => {
                let err = *err;
                match err {
                    ErrorKind::InvalidCrc((rest, obj, expected, computed)) => {
                        let what = match obj {
                            FitObject::Header(h) => {
                                declared_end = Some(
                                    offset + h.header_size() as usize + h.data_size() as usize,
                                );
                                "header"
                            }
                            _ => {
                                proc.reset();
                                clock.reset();
                                odometer.reset();
                                in_file = false;
                                completed += 1;
                                "data"
                            }
                        };
                        out.integrity.crc_mismatch.get_or_insert_with(|| {
                            format!(
                                "{what} checksum is {expected:#06x} but the bytes give {computed:#06x}"
                            )
                        });
                        // `rest` is the unread tail of the buffer.
                        buf = &data[data.len() - rest.len()..];
                    }
                    other => {
                        let msg = other.to_string();
                        let mid_message = matches!(other, ErrorKind::UnexpectedEof(_));
                        if in_file && expected_end > data.len() {
                            out.integrity.truncated = Some(format!(
                                "data ends at byte {} of {}; records before the cut are kept",
                                data.len(),
                                expected_end + 2
                            ));
                        } else if in_file && mid_message && data_messages > 0 {
                            out.integrity.truncated = Some(format!(
                                "the file ends inside a message at byte {offset} ({msg}); \
                                 records before it are kept"
                            ));
                        } else if completed > 0 && !in_file {
                            out.integrity.trailing = Some(format!(
                                "{} bytes after the last complete FIT file do not decode ({msg})",
                                buf.len()
                            ));
                        } else if data_messages == 0 {
                            return Err(Failure::new(
                                Reason::DecodeError,
                                format!("{msg}; nothing decoded"),
                            ));
                        } else {
                            // A structural error inside the data (an undefined local message
                            // type, a definition or record header that does not parse): nothing
                            // after it can be trusted, but what decoded before it is kept, as
                            // for a cut.
                            out.integrity.truncated = Some(format!(
                                "a structural error at byte {offset} of {} ({msg}); \
                                 records before it are kept",
                                data.len()
                            ));
                            structural = true;
                        }
                        break;
                    }
                }
            }
        }
    }
    if unclosed && !structural {
        out.integrity.truncated = Some(
            "the header declares no data size: the device never closed the file; \
             the records it holds are kept"
                .to_string(),
        );
    } else if in_file && out.integrity.truncated.is_none() {
        out.integrity.truncated = Some(format!(
            "data ends at byte {} of {}; records before the cut are kept",
            data.len(),
            expected_end + 2
        ));
    }
    if data_messages == 0 {
        return Err(Failure::new(
            Reason::DecodeError,
            "a FIT header but no messages",
        ));
    }
    out.utc_offset_raw_s = clock.utc_offset_raw_s();
    Ok(out)
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
