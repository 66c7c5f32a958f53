//! The floor: the least a design that keeps fitparser as its decoder can cost on one buffer,
//! which is fitparser's own `FitStreamProcessor::deserialize_next` loop over its bytes.
//!
//! Included, as in `fitrisk::fit::decode`:
//! - every call to `deserialize_next` (header, definition and data messages, CRC), which parses
//!   each data message into fitparser's raw `FitDataMessage` (a hash map of field values);
//! - `decode_message` on `field_description` (206) messages only. fitparser's parser reads a
//!   developer field with the base type its description gives, and descriptions reach the parser
//!   only through `decode_message`: without this, a file with developer fields stops at its first
//!   such message, and the floor would cost less than any decoder that reads those files whole.
//!   These messages are a handful per file;
//! - `reset` at each CRC, and going on past a checksum that does not match (fitparser hands back
//!   the rest of the buffer), so chained files and damaged checksums are read to the same byte.
//!
//! Omitted: everything done with a message (each is dropped at once), fitparser's profile
//! decoding of every other message, the patch of a header that declares no data (no corpus file
//! has one), and the notes fitrisk keeps about damage.
//!
//! Shared by `examples/floor_decode.rs` and the `decode/floor` bench.

use fitparser::de::{FitObject, FitStreamProcessor};
use fitparser::ErrorKind;

/// `field_description`: describes one developer field.
const FIELD_DESCRIPTION: u16 = 206;

/// Runs the loop over one buffer and returns how many data messages it parsed.
pub fn floor_decode(bytes: &[u8]) -> usize {
    let mut proc = FitStreamProcessor::new();
    let mut buf = bytes;
    let mut data_messages = 0;
    while !buf.is_empty() {
        match proc.deserialize_next(buf) {
            Ok((rest, obj)) => {
                match obj {
                    FitObject::Crc(_) => proc.reset(),
                    FitObject::DataMessage(msg) => {
                        data_messages += 1;
                        if msg.global_message_number() == FIELD_DESCRIPTION {
                            // An undecodable description only means the fields it describes will
                            // not parse either, which the loop meets when it gets there.
                            let _ = proc.decode_message(msg);
                        }
                    }
                    FitObject::Header(_) | FitObject::DefinitionMessage(_) => {}
                }
                buf = rest;
            }
            Err(err) => match *err {
                ErrorKind::InvalidCrc((rest, obj, _, _)) => {
                    if !matches!(obj, FitObject::Header(_)) {
                        proc.reset();
                    }
                    buf = &bytes[bytes.len() - rest.len()..];
                }
                _ => break,
            },
        }
    }
    data_messages
}
