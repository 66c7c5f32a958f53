//! A cohort's athletes in paths: the folder of their own outputs, and their names as path
//! segments and Hive partition values (`athlete=<name>`), escaped reversibly.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};

/// The folder of the athletes' own outputs inside the cohort's.
pub(crate) const ATHLETES: &str = "athletes";

/// A folder name as a path segment and a hive partition value, reversibly. The characters
/// Hive escapes in partition paths (`"#%'*/:=?\{[]^`, DEL and control characters) become
/// `%XX`, which Spark and DuckDB decode; a byte that is not UTF-8 becomes `�` and its two hex
/// digits (DuckDB refuses a partition value that decodes to bytes that are not UTF-8), and a
/// `�` of the name itself is doubled; the rest, accented letters included, stays as it is.
pub(crate) fn escape(name: &OsStr) -> String {
    let bytes = bytes_of(name);
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_ascii_control() || "\"#%'*/:=?\\{[]^".contains(c) {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            } else if c == RAW {
                out.push_str("\u{FFFD}\u{FFFD}");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("{RAW}{b:02X}"));
        }
    }
    out
}

/// What marks a byte that is not UTF-8 in an escaped name.
const RAW: char = '\u{FFFD}';

/// The folder name [`escape`] was given.
pub(crate) fn unescape(name: &str) -> OsString {
    // First the `%XX` (which never make a `�`), then the raw bytes.
    let b = name.as_bytes();
    let mut decoded = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                decoded.push(v);
                i += 3;
            }
            (c, _) => {
                decoded.push(c);
                i += 1;
            }
        }
    }
    let text = String::from_utf8_lossy(&decoded);
    let mut out = Vec::with_capacity(decoded.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != RAW {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        if chars.peek() == Some(&RAW) {
            chars.next();
            out.extend_from_slice("\u{FFFD}".as_bytes());
            continue;
        }
        let hex: String = chars.by_ref().take(2).collect();
        match u8::from_str_radix(&hex, 16) {
            Ok(v) => out.push(v),
            Err(_) => out.extend_from_slice(format!("{RAW}{hex}").as_bytes()),
        }
    }
    os_string(out)
}

/// A name's bytes (elsewhere than on Unix, its text, lossily).
#[cfg(unix)]
fn bytes_of(name: &OsStr) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(name.as_bytes())
}

#[cfg(not(unix))]
fn bytes_of(name: &OsStr) -> Cow<'_, [u8]> {
    Cow::Owned(name.to_string_lossy().into_owned().into_bytes())
}

/// A name of these bytes.
#[cfg(unix)]
fn os_string(bytes: Vec<u8>) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(bytes)
}

#[cfg(not(unix))]
fn os_string(bytes: Vec<u8>) -> OsString {
    OsString::from(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn names_escape_reversibly_and_only_where_hive_must() {
        for raw in [
            &b"anna"[..],
            b"Jos\xc3\xa9 M",
            b"a=b",
            b"50%",
            b"x/y",
            b"caf\xe9",
            b"tab\there",
            b"q?#[1]",
            "a\u{FFFD}b".as_bytes(),
            b"\xff\xfe",
        ] {
            let name = OsStr::from_bytes(raw);
            let e = escape(name);
            assert!(!e.contains('/') && !e.contains('='), "{e}");
            assert_eq!(unescape(&e), name, "{e}");
        }
        assert_eq!(escape(OsStr::new("José M")), "José M");
        assert_eq!(escape(OsStr::new("a=b")), "a%3Db");
        assert_eq!(escape(OsStr::from_bytes(b"caf\xe9")), "caf\u{FFFD}E9");
    }
}
