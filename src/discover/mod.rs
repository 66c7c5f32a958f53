//! Discovery: finds every activity under the inputs and hands each one to the decoder as bytes.
//!
//! The walk (walkdir, sorted, following links) keeps plain `.fit` files, Strava's `.fit.gz` and
//! Garmin's `.zip` exports, in any letter case; everything else is ignored. A recognised name that
//! is not a regular file (a named pipe, a device, a socket) is classified here, from its metadata,
//! and never opened: it becomes a `not_a_file` row. Archives are read in memory, never extracted
//! to disk: a member inside an archive is named `outer.zip!inner.zip!123_ACTIVITY.fit`, and a path
//! is written with [`source_name`], which never gives two paths the same name.
//! [`produce`] streams the members in a deterministic order through a bounded channel, so the
//! decoder stage holds only a few files at a time whatever the size of an export.

use std::fs::{File, FileType};
use std::io;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::model::{Failure, Reason, Stamp};

mod members;
mod strava;
mod zip;

pub(crate) use members::{produce, read_file, Member, Payload};

/// How deep zips may nest inside zips.
const MAX_ZIP_DEPTH: usize = 4;

/// What kind of container a discovered path is, judged by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A plain FIT file (`.fit`, any case).
    Fit,
    /// A gzip-compressed FIT file (`.fit.gz`).
    FitGz,
    /// A zip archive, possibly holding FIT files, `.fit.gz` files and other zips.
    Zip,
    /// Strava's export index, `activities.csv`: read for names and gear, not an activity.
    StravaIndex,
}

impl Kind {
    /// Classifies a file name; `None` for files fitrisk does not read.
    pub(crate) fn of(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".fit") {
            Some(Kind::Fit)
        } else if lower.ends_with(".fit.gz") {
            Some(Kind::FitGz)
        } else if lower.ends_with(".zip") {
            Some(Kind::Zip)
        } else if strava::is_index(&lower) {
            Some(Kind::StravaIndex)
        } else {
            None
        }
    }
}

/// One input file found on disk.
#[derive(Clone, Debug)]
pub struct Input {
    /// The path as found (input argument joined with the relative path).
    pub path: PathBuf,
    /// Size on disk in bytes.
    pub(crate) bytes: u64,
    /// Container kind.
    pub kind: Kind,
    /// Why discovery already knows this input cannot be read: it is not a regular file (a
    /// named pipe…, never opened: `not_a_file`), or a folder that cannot be listed
    /// (`io_error`). Such an input gets its ledger row without being opened. Boxed: few
    /// inputs have one, and every input is held for the whole pass.
    pub(crate) problem: Option<Box<Failure>>,
    /// The file system's stamp of a regular file, for the result cache.
    pub(crate) stamp: Option<Stamp>,
}

/// The stamp of a regular file's metadata.
fn stamp(meta: &std::fs::Metadata) -> Option<Stamp> {
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Some(Stamp {
            size: meta.len(),
            mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
            ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        })
    }
    #[cfg(not(unix))]
    {
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(Stamp {
            size: meta.len(),
            mtime_ns: i64::try_from(mtime.as_nanos()).ok()?,
            ctime_ns: 0,
            ino: 0,
            dev: 0,
        })
    }
}

/// What a path that is not a regular file is, in words, for the ledger's `detail`.
fn describe(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

fn not_a_file(what: &str) -> Failure {
    Failure::new(Reason::NotAFile, format!("{what}, not a regular file"))
}

fn io_error(e: io::Error) -> Failure {
    Failure::new(Reason::IoError, e.to_string())
}

/// Opens a file that discovery found regular, for reading. Anything that has become something
/// else since is refused, not read: on Unix the open does not wait (`O_NONBLOCK`, which has no
/// effect on a regular file), so a named pipe put in the file's place cannot block a worker.
fn open_regular(path: &Path) -> Result<File, Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io_error)?;
    let file_type = file.metadata().map_err(io_error)?.file_type();
    if file_type.is_file() {
        Ok(file)
    } else {
        Err(not_a_file(describe(file_type)))
    }
}

/// How a path is written in `source`: as text, and never the same text for two different paths
/// (`display()` writes U+FFFD for every byte that is not UTF-8, so `run\xff.fit` and
/// `run\xfe.fit` would print alike).
///
/// On Unix a name is bytes: valid UTF-8 is kept as it is, and each byte that is not is written
/// `\xNN` (two lowercase hex digits). So that no real name reads as an escape, a backslash is
/// doubled when what follows it would otherwise start one — an `x`, another backslash, or an
/// escaped byte; every other backslash is kept. Read left to right, `\\` is a backslash,
/// `\xNN` a byte and any other `\` itself, so the name can be recovered and the mapping is
/// injective. Elsewhere paths are written with `display()`.
pub(crate) fn source_name(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        escape_bytes(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        path.display().to_string()
    }
}

/// [`source_name`]'s escaping of a Unix path's bytes.
#[cfg_attr(not(unix), allow(dead_code))]
fn escape_bytes(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        let invalid = chunk.invalid();
        let mut chars = chunk.valid().chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            let starts_escape = match chars.peek() {
                Some(&next) => next == 'x' || next == '\\',
                // The valid run ends: an escaped byte follows, or nothing.
                None => !invalid.is_empty(),
            };
            if c == '\\' && starts_escape {
                out.push('\\');
            }
        }
        for b in invalid {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// An error about an input path given on the command line.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {error}")]
pub struct InputError {
    /// The path the user gave.
    pub(crate) path: String,
    /// What went wrong, in the message only: as the error's source it would be printed twice
    /// ("… (os error 2): … (os error 2)").
    pub(crate) error: io::Error,
}

/// Walks every input (a folder or a single file) and returns the candidate files sorted by path.
///
/// An input path that does not exist is fatal; unreadable entries below a folder are returned
/// as inputs so that the decoder reports them in the ledger rather than losing them.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    let mut found = Vec::new();
    for root in inputs {
        let meta = std::fs::metadata(root).map_err(|error| InputError {
            path: root.display().to_string(),
            error,
        })?;
        if meta.is_dir() {
            found.extend(folder_inputs(root));
        } else {
            found.push(named_file(root, &meta));
        }
    }
    // Stable: paths equal as paths can differ as text (`d/./x.fit`, `d/x.fit`), and the one
    // found first keeps its name as the source. Then no bigger than the list: it lives as long
    // as the pass.
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    found.shrink_to_fit();
    Ok(found)
}

/// A single file named on the command line: read whatever its name, since the user asked. One
/// that is not a regular file gets its row without being opened.
fn named_file(root: &Path, meta: &std::fs::Metadata) -> Input {
    let name = root.to_string_lossy();
    let kind = Kind::of(&name).unwrap_or(Kind::Fit);
    let regular = meta.is_file();
    Input {
        path: root.to_path_buf(),
        bytes: if regular { meta.len() } else { 0 },
        kind,
        problem: (!regular).then(|| Box::new(not_a_file(describe(meta.file_type())))),
        stamp: stamp(meta),
    }
}

/// The candidate files below a folder, in the walk's order (sorted by file name, links
/// followed).
fn folder_inputs(root: &Path) -> impl Iterator<Item = Input> {
    WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|entry| match entry {
            Ok(entry) => found_entry(entry),
            Err(err) => unreadable_entry(&err),
        })
}

/// An entry the walk could not read: an unreadable folder (its files would vanish unseen) or
/// a broken link named like an activity is kept so the ledger says so; anything else is
/// skipped.
fn unreadable_entry(err: &walkdir::Error) -> Option<Input> {
    let path = err.path()?;
    let problem = if path.is_dir() {
        let why = err
            .io_error()
            .map_or_else(|| err.to_string(), |e| e.to_string());
        Some(Box::new(Failure::new(
            Reason::IoError,
            format!("a folder that cannot be read: {why}"),
        )))
    } else if Kind::of(&path.to_string_lossy()).is_some() {
        None
    } else {
        return None;
    };
    Some(Input {
        path: path.to_path_buf(),
        bytes: 0,
        kind: Kind::of(&path.to_string_lossy()).unwrap_or(Kind::Fit),
        problem,
        stamp: None,
    })
}

/// An entry found below a folder, if its name is one fitrisk reads. Links are followed, so its
/// type is that of a link's target: a link to a regular file is read like the file, a link to
/// a named pipe is not opened.
fn found_entry(entry: walkdir::DirEntry) -> Option<Input> {
    let file_type = entry.file_type();
    if file_type.is_dir() {
        return None;
    }
    let kind = Kind::of(&entry.file_name().to_string_lossy())?;
    let (bytes, problem, stamp) = if file_type.is_file() {
        let meta = entry.metadata().ok();
        let bytes = meta.as_ref().map_or(0, |m| m.len());
        (bytes, None, meta.as_ref().and_then(stamp))
    } else {
        (0, Some(Box::new(not_a_file(describe(file_type)))), None)
    };
    let mut path = entry.into_path();
    // The walk's path has room to grow; this one is held for the whole pass.
    path.shrink_to_fit();
    Some(Input {
        path,
        bytes,
        kind,
        problem,
        stamp,
    })
}

/// Total bytes on disk of the inputs.
pub fn total_bytes(inputs: &[Input]) -> u64 {
    // An export's index is read on the side: its bytes never reach the progress bar.
    inputs
        .iter()
        .filter(|i| i.kind != Kind::StravaIndex)
        .map(|i| i.bytes)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name_any_case() {
        assert_eq!(Kind::of("a/B.FIT"), Some(Kind::Fit));
        assert_eq!(Kind::of("123.fit.gz"), Some(Kind::FitGz));
        assert_eq!(Kind::of("123.FIT.GZ"), Some(Kind::FitGz));
        assert_eq!(Kind::of("export.Zip"), Some(Kind::Zip));
        assert_eq!(Kind::of("run.gpx.gz"), None);
        assert_eq!(Kind::of("notes.txt"), None);
    }

    /// Reads a `source` back into the path's bytes, by the rule [`source_name`] documents.
    fn unescape(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match (b[i], b.get(i + 1)) {
                (b'\\', Some(b'\\')) => {
                    out.push(b'\\');
                    i += 2;
                }
                (b'\\', Some(b'x')) => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                }
                (c, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        out
    }

    #[test]
    fn source_names_keep_text_and_escape_other_bytes() {
        let cases: [(&[u8], &str); 10] = [
            (b"/data/2024/run.fit", "/data/2024/run.fit"),
            ("Läufe/morgen.FIT".as_bytes(), "Läufe/morgen.FIT"),
            (b"run\xff.fit", r"run\xff.fit"),
            (b"run\xfe.fit", r"run\xfe.fit"),
            // A cut-off character: each of its bytes.
            (b"run\xe2\x82.fit", r"run\xe2\x82.fit"),
            // A real name that looks like an escape does not read as one.
            (br"run\xff.fit", r"run\\xff.fit"),
            (br"a\\b.fit", r"a\\\b.fit"),
            (b"a\\\xff", r"a\\\xff"),
            // Other backslashes are kept as they are.
            (br"a\b.fit", r"a\b.fit"),
            (br"a\", r"a\"),
        ];
        for (name, shown) in cases {
            assert_eq!(escape_bytes(name), shown, "{name:?}");
            assert_eq!(unescape(shown), name, "{shown}");
        }
    }

    /// Every name of up to five pieces from the troublesome ones reads back, so no two print
    /// the same.
    #[test]
    fn source_names_are_injective() {
        let pieces: [&[u8]; 7] = [
            b"\\",
            b"x",
            b"f",
            b"\xff",
            b"\xc3",
            "ä".as_bytes(),
            b"\xe2\x82",
        ];
        let mut names = vec![Vec::new()];
        let mut last = names.clone();
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|n| {
                    pieces.iter().map(move |p| {
                        let mut longer: Vec<u8> = n.clone();
                        longer.extend_from_slice(p);
                        longer
                    })
                })
                .collect();
            names.extend(last.iter().cloned());
        }
        let names: std::collections::HashSet<Vec<u8>> = names.into_iter().collect();
        let mut shown = std::collections::HashSet::new();
        for name in &names {
            let s = escape_bytes(name);
            assert_eq!(&unescape(&s), name, "{s}");
            shown.insert(s);
        }
        assert_eq!(shown.len(), names.len());
    }

    /// Makes a named pipe with the `mkfifo` command; false (and a message) when it is missing.
    #[cfg(unix)]
    fn mkfifo(path: &Path) -> bool {
        match std::process::Command::new("mkfifo").arg(path).status() {
            Ok(status) => {
                assert!(status.success(), "mkfifo {}", path.display());
                true
            }
            Err(e) => {
                eprintln!("skipped: no mkfifo command ({e})");
                false
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn named_pipes_are_classified_unopened_and_links_to_files_are_followed() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        if !mkfifo(&dir.join("pipe.fit")) {
            return;
        }
        std::fs::write(dir.join("real.fit"), b"12345").unwrap();
        symlink(dir.join("real.fit"), dir.join("link.fit")).unwrap();
        symlink(dir.join("pipe.fit"), dir.join("link-to-pipe.FIT")).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(dir.join("socket.zip")).unwrap();
        // Not a name fitrisk reads: ignored in a folder.
        assert!(mkfifo(&dir.join("pipe.txt")));
        let found = discover(&[dir.to_path_buf()]).unwrap();
        let got: Vec<(String, u64, Option<&str>)> = found
            .iter()
            .map(|i| {
                let name = i.path.file_name().unwrap().to_string_lossy().into_owned();
                (name, i.bytes, i.problem.as_ref().map(|f| f.detail.as_str()))
            })
            .collect();
        let fifo = Some("a named pipe (FIFO), not a regular file");
        assert_eq!(
            got,
            [
                ("link-to-pipe.FIT".to_string(), 0, fifo),
                ("link.fit".to_string(), 5, None),
                ("pipe.fit".to_string(), 0, fifo),
                ("real.fit".to_string(), 5, None),
                (
                    "socket.zip".to_string(),
                    0,
                    Some("a socket, not a regular file")
                ),
            ]
        );
        // Named on the command line, any name gets its row.
        let named = discover(&[dir.join("pipe.txt")]).unwrap();
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].problem.as_ref().map(|f| f.detail.as_str()), fifo);
        if Path::new("/dev/null").exists() {
            let named = discover(&[PathBuf::from("/dev/null")]).unwrap();
            assert_eq!(
                named[0].problem.as_ref().map(|f| f.detail.as_str()),
                Some("a character device, not a regular file")
            );
        }

        // The producer sends the pipes as failures, without opening them (it would block here).
        let (tx, rx) = std::sync::mpsc::sync_channel(16);
        produce(&found, &tx, 1 << 20, &mut |_, _, _| None);
        drop(tx);
        let members: Vec<Member> = rx.into_iter().collect();
        assert_eq!(members.len(), 5);
        for (i, what) in [
            (0, "a named pipe (FIFO)"),
            (2, "a named pipe (FIFO)"),
            (4, "a socket"),
        ] {
            let Payload::Failed(f) = &members[i].payload else {
                panic!("{:?}", members[i]);
            };
            assert_eq!(f.reason, Reason::NotAFile);
            assert_eq!(f.detail, format!("{what}, not a regular file"));
        }
        assert!(matches!(members[1].payload, Payload::Path(_, Kind::Fit)));
        assert!(matches!(members[3].payload, Payload::Path(_, Kind::Fit)));
    }

    /// A file that becomes a named pipe after discovery is refused when read, not waited on.
    #[cfg(unix)]
    #[test]
    fn a_pipe_in_place_of_a_discovered_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let pipe = tmp.path().join("late.fit");
        if !mkfifo(&pipe) {
            return;
        }
        let member = Member {
            seq: 0,
            source: source_name(&pipe),
            payload: Payload::Path(pipe, Kind::Fit),
            progress_bytes: 0,
            stamp: None,
            max_bytes: 1 << 20,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(member.into_bytes()));
        let read = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("reading the pipe blocked");
        assert_eq!(read.unwrap_err().reason, Reason::NotAFile);
    }
}
