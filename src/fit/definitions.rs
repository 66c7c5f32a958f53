//! Definition messages as fitparser reads them: a field whose size is no multiple of its base
//! type's is read as bytes, and fitparser says so on stderr, naming no file. The same check
//! here gives a note with the byte and the message, which the pipeline files under the input.

use fitparser::profile::field_types::FitBaseType;

/// Adds a note for each field of the definition message `raw` (its bytes, from the record
/// header on, starting at byte `offset` of the data) whose size is no multiple of its base
/// type's size, as fitparser 0.11 finds it (the base type byte masked with 0x9f).
pub(super) fn odd_sizes(raw: &[u8], offset: usize, notes: &mut Vec<String>) {
    // Header, reserved, architecture, global number (2), field count, then 3 bytes a field.
    let Some(&count) = raw.get(5) else { return };
    let big_endian = raw.get(2) == Some(&1);
    let global = match (raw.get(3), raw.get(4)) {
        (Some(&a), Some(&b)) if big_endian => u16::from_be_bytes([a, b]),
        (Some(&a), Some(&b)) => u16::from_le_bytes([a, b]),
        _ => return,
    };
    for field in raw[6..].chunks_exact(3).take(usize::from(count)) {
        let (num, size) = (field[0], field[1]);
        let base = FitBaseType::from(field[2] & 0x9f);
        let unit = base_size(base);
        if size % unit != 0 {
            notes.push(format!(
                "byte {offset}: field {num} of message {global} is defined with {size} {}, no \
                 multiple of its type {base:?} ({unit} bytes): fitparser reads it as bytes",
                if size == 1 { "byte" } else { "bytes" }
            ));
        }
    }
}

/// A base type's size in bytes, as fitparser 0.11 counts it (an unknown type is a byte).
pub(super) fn base_size(base: FitBaseType) -> u8 {
    match base {
        FitBaseType::Sint16 | FitBaseType::Uint16 | FitBaseType::Uint16z => 2,
        FitBaseType::Sint32 | FitBaseType::Uint32 | FitBaseType::Float32 | FitBaseType::Uint32z => {
            4
        }
        FitBaseType::Float64 | FitBaseType::Sint64 | FitBaseType::Uint64 | FitBaseType::Uint64z => {
            8
        }
        _ => 1,
    }
}
