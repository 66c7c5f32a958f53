//! The per-file result cache: a warm run writes what a cold one does, a changed file is read
//! again, a deleted one leaves the report, and a cache that is not one is rebuilt, not trusted.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::support::fitwriter::{encode_activity, Activity};
use super::support::*;

/// Every file of an output folder but the cache, by name.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect()
}

/// Asserts that two output folders hold the same files, byte for byte.
fn assert_same_outputs(a: &Path, b: &Path) {
    let (a, b) = (outputs(a), outputs(b));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs");
    }
}

/// The `cache` line of the summary: (from the cache, stored).
fn cache_line(r: &Report) -> (usize, usize) {
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("cache "))
        .unwrap_or_else(|| panic!("no cache line in\n{}", r.stdout));
    let words: Vec<&str> = line.split_whitespace().collect();
    let hits = words[1].parse().unwrap();
    let stored_at = words.iter().position(|w| *w == "stored").unwrap() - 1;
    (hits, words[stored_at].parse().unwrap())
}

/// A steady run of `minutes` starting on `day` (days after 2024-03-04 07:00 UTC).
fn run_file(day: i64, minutes: i64, spm: f64) -> Vec<u8> {
    let start = 1_709_535_600 + day * 86_400;
    let mut a = Activity::running(start, steady_run(start, minutes, 3.0, spm));
    a.serial_number = 1000 + day as u32;
    encode_activity(&a)
}

#[test]
fn a_warm_run_writes_what_a_cold_run_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let (cold, warm) = (tmp.path().join("cold"), tmp.path().join("warm"));
    let td = testdata();
    report_with(&[&td], &cold, &["--no-cache"], &[]);
    let first = report(&[&td], &warm);
    let inputs = first.files.height();
    assert_eq!(cache_line(&first), (0, inputs));
    assert!(warm.join(".fitrisk-cache/cache.sqlite").is_file());
    let second = report(&[&td], &warm);
    assert_eq!(cache_line(&second), (inputs, 0), "{}", second.stdout);
    assert_same_outputs(&cold, &warm);
    // A threshold of the findings only: aggregation runs again, no file is read.
    let cfg = tmp.path().join("findings.toml");
    fs::write(&cfg, "[findings]\nlow_cadence_spm = 175.0\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let third = report_with(&[&td], &warm, &["--config", cfg], &[]);
    assert_eq!(cache_line(&third).0, inputs);
    // A setting of the per-file analysis: every file is analysed again.
    let cfg2 = tmp.path().join("gait.toml");
    fs::write(&cfg2, "[gait]\nrun_min_spm = 150.0\n").unwrap();
    let fourth = report_with(&[&td], &warm, &["--config", cfg2.to_str().unwrap()], &[]);
    assert_eq!(cache_line(&fourth), (0, inputs));
    // --no-cache neither reads nor writes it; --cache puts it elsewhere.
    let none = report_with(&[&td], &warm, &["--no-cache"], &[]);
    assert!(!none.stdout.contains("cache "), "{}", none.stdout);
    let elsewhere = tmp.path().join("elsewhere");
    let r = report_with(
        &[&td],
        &warm,
        &["--cache", elsewhere.to_str().unwrap()],
        &[],
    );
    assert_eq!(cache_line(&r), (0, inputs));
    assert!(elsewhere.join("cache.sqlite").is_file());
}

#[test]
fn a_changed_file_is_read_again_and_a_deleted_one_leaves() {
    let tmp = tempfile::tempdir().unwrap();
    let (runs, out) = (tmp.path().join("runs"), tmp.path().join("out"));
    let a = write(&runs, "a.fit", &run_file(0, 30, 170.0));
    write(&runs, "b.fit", &run_file(2, 40, 172.0));
    let first = report(&[&runs], &out);
    assert_eq!(cache_line(&first), (0, 2));
    let cadence = |r: &Report| num(&r.activities, "cadence_spm", row(&r.activities, "a.fit"));
    assert_eq!(cadence(&first), Some(170.0));

    // Same path, same size, same modification time, other content: read again.
    let mtime = fs::metadata(&a).unwrap().modified().unwrap();
    let changed = run_file(0, 30, 160.0);
    assert_eq!(changed.len() as u64, fs::metadata(&a).unwrap().len());
    fs::write(&a, &changed).unwrap();
    fs::File::options()
        .write(true)
        .open(&a)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let second = report(&[&runs], &out);
    assert_eq!(cache_line(&second), (1, 1), "{}", second.stdout);
    assert_eq!(cadence(&second), Some(160.0));

    // Deleted: gone from the report, and from the cache.
    fs::remove_file(&a).unwrap();
    let third = report(&[&runs], &out);
    assert_eq!(third.files.height(), 1);
    assert_eq!(third.activities.height(), 1);
    assert_eq!(cache_line(&third), (1, 0));
    let fresh = tmp.path().join("fresh");
    report_with(&[&runs], &fresh, &["--no-cache"], &[]);
    assert_same_outputs(&fresh, &out);
    let db = rusqlite::Connection::open(out.join(".fitrisk-cache/cache.sqlite")).unwrap();
    let n: i64 = db
        .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

/// A cache file that is not a usable cache: the run warns, moves it aside, rebuilds, and its
/// tables are those of a run without a cache.
fn rebuilt_from(damage: impl Fn(&Path), aside: &str, warning: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let (out, plain) = (tmp.path().join("out"), tmp.path().join("plain"));
    let td = testdata();
    report_with(&[&td], &plain, &["--no-cache"], &[]);
    let first = report(&[&td], &out);
    let db = out.join(".fitrisk-cache/cache.sqlite");
    damage(&db);
    let r = report(&[&td], &out);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains(warning), "{}", r.stderr);
    assert!(r.stderr.contains("a new one built"), "{}", r.stderr);
    assert!(db.with_file_name(format!("cache.sqlite.{aside}")).is_file());
    assert_eq!(cache_line(&r), (0, first.files.height()));
    assert_same_outputs(&plain, &out);
    // And the new one serves the next run.
    let again = report(&[&td], &out);
    assert_eq!(cache_line(&again).0, first.files.height());
}

#[test]
fn a_damaged_cache_is_rebuilt() {
    rebuilt_from(
        |db| {
            // Overwrite the file's middle, then its header: SQLite's pages are garbage.
            let mut bytes = fs::read(db).unwrap();
            for b in bytes.iter_mut().take(4096) {
                *b = 0x5a;
            }
            fs::write(db, bytes).unwrap();
            let _ = fs::remove_file(PathBuf::from(format!("{}-wal", db.display())));
        },
        "corrupt",
        "damaged or not a database",
    );
}

/// Overwrites page `n` (1-based) of the SQLite file `db` and drops its write-ahead log.
fn damage_page(db: &Path, n: usize) {
    let mut bytes = fs::read(db).unwrap();
    let page: usize = u16::from_be_bytes([bytes[16], bytes[17]]).into();
    assert!(bytes.len() >= (n + 1) * page, "{} bytes", bytes.len());
    for b in &mut bytes[(n - 1) * page..n * page] {
        *b = 0x5a;
    }
    fs::write(db, bytes).unwrap();
    let _ = fs::remove_file(PathBuf::from(format!("{}-wal", db.display())));
}

/// Page 2 is the entries table's root, page 3 the root of its index by path (the primary
/// key), through which every file is looked up: with the header intact, opening the cache
/// walks both, so the damage is found before the pass (not met by each look-up) and the cache
/// rebuilt. Each fails without its walk.
#[test]
fn a_cache_damaged_past_its_header_is_rebuilt_too() {
    for page in [2, 3] {
        rebuilt_from(
            |db| damage_page(db, page),
            "corrupt",
            "damaged or not a database",
        );
    }
}

#[test]
fn another_programs_database_is_moved_aside() {
    rebuilt_from(
        |db| {
            fs::remove_file(db).unwrap();
            let c = rusqlite::Connection::open(db).unwrap();
            c.execute_batch("CREATE TABLE notes (t TEXT); PRAGMA application_id = 42;")
                .unwrap();
        },
        "foreign",
        "not a fitrisk cache",
    );
}

#[test]
fn a_newer_format_is_moved_aside() {
    rebuilt_from(
        |db| {
            let c = rusqlite::Connection::open(db).unwrap();
            c.execute_batch("PRAGMA user_version = 99;").unwrap();
        },
        "newer",
        "from a newer fitrisk",
    );
}

#[test]
fn a_damaged_entry_is_read_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (runs, out) = (tmp.path().join("runs"), tmp.path().join("out"));
    write(&runs, "a.fit", &run_file(0, 30, 170.0));
    write(&runs, "b.fit", &run_file(2, 40, 172.0));
    report(&[&runs], &out);
    let db = rusqlite::Connection::open(out.join(".fitrisk-cache/cache.sqlite")).unwrap();
    // One entry's bytes changed behind its checksum's back.
    db.execute(
        "UPDATE entries SET outcome = zeroblob(length(outcome)) WHERE source LIKE '%a.fit'",
        [],
    )
    .unwrap();
    drop(db);
    let r = report(&[&runs], &out);
    assert_eq!(cache_line(&r), (1, 1));
    assert_eq!(
        num(&r.activities, "cadence_spm", row(&r.activities, "a.fit")),
        Some(170.0)
    );
}

/// Copies of the testdata files under `dir`, `n` times, as plain files.
fn copies(dir: &Path, n: usize) {
    let files: Vec<PathBuf> = walk(&testdata());
    for k in 0..n {
        for f in &files {
            let name = format!("copy{k}/{}", f.file_name().unwrap().to_string_lossy());
            write(dir, &name, &fs::read(f).unwrap());
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("fit")) {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_run_killed_mid_way_leaves_a_usable_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let (runs, out, plain) = (
        tmp.path().join("runs"),
        tmp.path().join("out"),
        tmp.path().join("plain"),
    );
    copies(&runs, 6);
    // Killed earlier and later: in the middle of decoding, of a commit, of writing the tables.
    for wait_ms in [150, 700, 1500, 3000] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fitrisk"))
            .arg("report")
            .arg(&runs)
            .arg("-o")
            .arg(&out)
            .arg("--quiet")
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    // What a run killed while writing its tables leaves, and what a run still writing has.
    let dead = out.join(".files.csv.tmp-4194305"); // above Linux's largest pid
    let dead_log = out.join(".decoder.log.tmp-4194306"); // an output this run may not write
    fs::write(&dead_log, "half a log").unwrap();
    let live = out.join(format!(".files.csv.tmp-{}", std::process::id()));
    fs::write(&dead, "half a table").unwrap();
    fs::write(&live, "being written").unwrap();
    let r = report(&[&runs], &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert!(
        !dead.exists() && !dead_log.exists(),
        "a dead run's temporary file stays"
    );
    assert!(
        live.exists(),
        "a running process's temporary file was removed"
    );
    fs::remove_file(&live).unwrap();
    report_with(&[&runs], &plain, &["--no-cache"], &[]);
    assert_same_outputs(&plain, &out);
}

#[test]
fn two_runs_at_once_share_a_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    copies(&runs, 4);
    let cache = tmp.path().join("cache");
    let started = SystemTime::now();
    let children: Vec<_> = (0..2)
        .map(|k| {
            std::process::Command::new(env!("CARGO_BIN_EXE_fitrisk"))
                .arg("report")
                .arg(&runs)
                .arg("-o")
                .arg(tmp.path().join(format!("out{k}")))
                .arg("--cache")
                .arg(&cache)
                .arg("--quiet")
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        let status = c.wait().unwrap();
        assert!(status.success(), "{status:?} after {:?}", started.elapsed());
    }
    let plain = tmp.path().join("plain");
    report_with(&[&runs], &plain, &["--no-cache"], &[]);
    assert_same_outputs(&plain, &tmp.path().join("out0"));
    assert_same_outputs(&plain, &tmp.path().join("out1"));
    let r = report_with(
        &[&runs],
        &tmp.path().join("out2"),
        &["--cache", cache.to_str().unwrap()],
        &[],
    );
    assert_eq!(cache_line(&r).0, r.files.height());
}

/// Sets a file's modification time (its change time becomes now).
fn set_mtime(path: &Path, t: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// The cache trusts an entry on its file's stamp alone only when the entry was stored more
/// than this after the file's last change (`RACY_NS` in src/cache/mod.rs), with a margin.
const RACY: Duration = Duration::from_millis(2100);

#[test]
fn archive_members_and_gzipped_files_are_cached_with_their_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let (runs, out) = (tmp.path().join("runs"), tmp.path().join("out"));
    let (a, b, c) = (
        run_file(0, 30, 170.0),
        run_file(2, 40, 172.0),
        run_file(4, 35, 168.0),
    );
    let export = write(
        &runs,
        "export.zip",
        &zip(&[("a.fit", &a), ("b.fit.gz", &gzip(&b))]),
    );
    let gz = write(&runs, "c.fit.gz", &gzip(&c));
    // Changed as they are read, however long each run takes: a modification time an hour
    // ahead keeps every entry within 2 s of its file's last change (a change in the same
    // clock tick as the read would leave the stamp as it was).
    let ahead = SystemTime::now() + Duration::from_secs(3600);
    set_mtime(&export, ahead);
    set_mtime(&gz, ahead);
    let first = report(&[&runs], &out);
    assert_eq!(first.activities.height(), 3);
    assert_eq!(cache_line(&first), (0, 3));
    // Such an entry is trusted only with the same content, every time: a whole file is hashed
    // again, an archive member is read again.
    for _ in 0..2 {
        let again = report(&[&runs], &out);
        assert_eq!(cache_line(&again), (1, 2), "{}", again.stdout);
    }
    // Changed an hour ago: the stamps change, so everything is read again; the entries stored
    // once the last change (now, when the times were set) lies 2 s behind are trusted on the
    // stamp alone. The wait is for the clock, whatever the machine's speed.
    let past = SystemTime::now() - Duration::from_secs(3600);
    set_mtime(&export, past);
    set_mtime(&gz, past);
    let changed = SystemTime::now();
    while let Some(left) = RACY.checked_sub(changed.elapsed().unwrap_or_default()) {
        std::thread::sleep(left);
    }
    let settled = report(&[&runs], &out);
    assert_eq!(cache_line(&settled), (0, 3), "{}", settled.stdout);
    let trusted = report(&[&runs], &out);
    assert_eq!(cache_line(&trusted), (3, 0), "{}", trusted.stdout);
    // A new export with one more member: the archive changed, all its members are read.
    let d = run_file(6, 50, 171.0);
    fs::write(
        &export,
        zip(&[("a.fit", &a), ("b.fit.gz", &gzip(&b)), ("d.fit", &d)]),
    )
    .unwrap();
    let fourth = report(&[&runs], &out);
    assert_eq!(fourth.activities.height(), 4);
    assert_eq!(cache_line(&fourth), (1, 3), "{}", fourth.stdout);
    let plain = tmp.path().join("plain");
    report_with(&[&runs], &plain, &["--no-cache"], &[]);
    assert_same_outputs(&plain, &out);
}
