//! A squad or a cohort (`report ROOT --athletes`): every immediate sub-folder of ROOT is one
//! athlete, reported exactly as a run on that folder alone would be, one after the other; the
//! Parquet tables of all of them form one dataset partitioned by athlete, and the squad view
//! (`output/squad.rs`) lists them side by side.
//!
//! `--shard K/N` takes only the athletes whose name hashes to shard K, so that N processes (a
//! Slurm array, Spark tasks) share the work and write into one folder at once: every file
//! belongs to one athlete and is written under a temporary name and renamed into place. After
//! the last shard, `fitrisk squad OUT` builds the view from the dataset.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::cli::{ReportArgs, Shard, SquadArgs};
use crate::output::export::Hive;
use crate::output::squad::{self, AthleteLine};
use crate::{report_one, tell, Exit, Fatal};

/// An athlete's diary, if its folder holds one.
pub(crate) const DIARY: &str = "diary.csv";
/// An athlete's gear log, likewise.
pub(crate) const GEAR: &str = "gear.csv";
/// The folder of the athletes' own outputs inside the cohort's.
pub(crate) const ATHLETES: &str = "athletes";

/// One athlete: its folder and its name as a partition value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Athlete {
    pub(crate) dir: PathBuf,
    /// The folder's name, escaped for a path and a hive partition (see [`escape`]).
    pub(crate) name: String,
}

/// The cohort's run: each athlete of the shard in name order, then the squad view when the
/// run is not sharded.
pub(crate) fn run(args: &ReportArgs) -> Result<Exit, Fatal> {
    let [root] = args.inputs.as_slice() else {
        return Err(Fatal::usage(anyhow::anyhow!(
            "--athletes takes one folder, whose sub-folders are the athletes; got {} inputs",
            args.inputs.len()
        )));
    };
    let (athletes, loose) = athletes(root).map_err(Fatal::usage)?;
    if !loose.is_empty() {
        squad::tell_loose(root, &loose);
    }
    let mine: Vec<&Athlete> = athletes
        .iter()
        .filter(|a| args.shard.is_none_or(|s| in_shard(&a.name, s)))
        .collect();
    let mut exit = Exit::Ok;
    for a in mine {
        let one = athlete_args(args, a);
        let hive = Hive {
            root: args.output.clone(),
            partition: format!("athlete={}", a.name),
        };
        let summary = report_one(&one, Some(hive))?;
        if !args.quiet {
            squad::tell_athlete(&AthleteLine::of(&a.name, &summary));
        }
        // The runner's bad diary lines and the notes still reach stderr.
        let quiet = ReportArgs { quiet: true, ..one };
        if tell(&summary, &quiet) == Exit::Unreadable {
            exit = Exit::Unreadable;
        }
    }
    if args.shard.is_none() {
        squad::write(&args.output, args.as_of, args.quiet).map_err(Fatal::failure)?;
    }
    Ok(exit)
}

/// `fitrisk squad DIR`.
pub(crate) fn squad(args: &SquadArgs) -> Result<Exit, Fatal> {
    if !args.dir.join(ATHLETES).is_dir() {
        return Err(Fatal::usage(anyhow::anyhow!(
            "{} is not a cohort's output folder (no {ATHLETES}/ in it): give the -o of \
             `fitrisk report ROOT --athletes`",
            args.dir.display()
        )));
    }
    squad::write(&args.dir, args.as_of, false).map_err(Fatal::failure)?;
    Ok(Exit::Ok)
}

/// The report options of one athlete: its folder, its output folder and cache, its diary and
/// gear log when its folder holds them; the rest as given.
fn athlete_args(args: &ReportArgs, a: &Athlete) -> ReportArgs {
    let beside = |name: &str| Some(a.dir.join(name)).filter(|p| p.is_file());
    ReportArgs {
        inputs: vec![a.dir.clone()],
        output: args.output.join(ATHLETES).join(&a.name),
        cache: args.cache.as_ref().map(|c| c.join(&a.name)),
        diary: beside(DIARY),
        gear: beside(GEAR),
        athletes: false,
        shard: None,
        as_of: None,
        quiet: true,
        ..args.clone()
    }
}

/// The athletes under `root` (its sub-folders, by name) and the entries directly under it
/// that are no athlete's (files).
pub(crate) fn athletes(root: &Path) -> anyhow::Result<(Vec<Athlete>, Vec<OsString>)> {
    let entries = std::fs::read_dir(root)
        .map_err(|e| anyhow::anyhow!("cannot read the cohort's folder {}: {e}", root.display()))?;
    let (mut athletes, mut loose) = (Vec::new(), Vec::new());
    for entry in entries {
        let entry = entry.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", root.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        if name.as_bytes().starts_with(b".") {
            continue; // hidden: a cache, a sync tool's folder
        }
        if path.is_dir() {
            athletes.push(Athlete {
                name: escape(&name),
                dir: path,
            });
        } else {
            loose.push(name);
        }
    }
    athletes.sort_by(|a, b| a.dir.file_name().cmp(&b.dir.file_name()));
    loose.sort();
    Ok((athletes, loose))
}

/// Whether the athlete named `name` (escaped) belongs to `shard`: FNV-1a of the name's bytes,
/// modulo N, the same on every machine and in every run.
pub(crate) fn in_shard(name: &str, shard: Shard) -> bool {
    (fnv1a(name.as_bytes()) % u64::from(shard.n)) as u32 == shard.k - 1
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A folder name as a path segment and a hive partition value, reversibly. The characters
/// Hive escapes in partition paths (`"#%'*/:=?\{[]^`, DEL and control characters) become
/// `%XX`, which Spark and DuckDB decode; a byte that is not UTF-8 becomes `�` and its two hex
/// digits (DuckDB refuses a partition value that decodes to bytes that are not UTF-8), and a
/// `�` of the name itself is doubled; the rest, accented letters included, stays as it is.
pub(crate) fn escape(name: &OsStr) -> String {
    let bytes = name.as_bytes();
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
    OsString::from_vec(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn every_name_is_in_exactly_one_shard_and_the_split_is_stable() {
        let names: Vec<String> = (0..200).map(|i| format!("runner-{i}")).collect();
        let n = 3;
        let mut counts = [0; 3];
        for name in &names {
            let shards: Vec<u32> = (1..=n)
                .filter(|&k| in_shard(name, Shard { k, n }))
                .collect();
            assert_eq!(shards.len(), 1, "{name}");
            counts[(shards[0] - 1) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 40), "{counts:?}");
        // FNV-1a's published test value: the split never depends on the machine.
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
