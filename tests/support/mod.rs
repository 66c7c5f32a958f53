//! Shared test helpers: a FIT writer, synthetic runs, and a driver for the real binary that
//! reads the report back with polars.

pub mod course;
pub mod findings_check;
pub mod fitwriter;
pub mod history;
pub mod history_samples;
pub mod planted;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use polars::prelude::*;

use fitwriter::Sample;

/// 2024-04-15T08:00:00Z, a Monday.
pub const T0: i64 = 1_713_168_000;

/// The repository's `testdata/` folder.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// A steady run on the flat: `minutes` at `speed_mps` and `spm`, 1 s samples, with altitude
/// and GPS along a straight line north.
pub fn steady_run(start: i64, minutes: i64, speed_mps: f64, spm: f64) -> Vec<Sample> {
    (0..=minutes * 60)
        .map(|i| {
            let d = i as f64 * speed_mps;
            Sample {
                distance_m: Some(d),
                altitude_m: Some(100.0),
                speed_mps: Some(speed_mps),
                cadence_spm: Some(spm),
                heart_rate: Some(150),
                lat_deg: Some(47.0 + d / 111_195.0),
                lon_deg: Some(8.0),
                ..Sample::at(start + i)
            }
        })
        .collect()
}

/// A deterministic pseudo-random stream in [−1, 1): tests add noise without depending on luck.
pub struct Noise(pub u64);

impl Noise {
    /// The next value.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

/// What one `fitrisk report` run produced.
pub struct Report {
    /// The ledger.
    pub files: DataFrame,
    /// The runs.
    pub activities: DataFrame,
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Output folder.
    pub dir: PathBuf,
}

/// The binary under test.
pub fn fitrisk() -> Command {
    let mut c = Command::cargo_bin("fitrisk").expect("binary built");
    c.env_remove("TZ");
    c
}

/// Runs `fitrisk report <inputs> -o <out>` with extra args and env, reads the Parquet back.
pub fn report_with(inputs: &[&Path], out: &Path, args: &[&str], env: &[(&str, &str)]) -> Report {
    run_report(inputs, out, args, env, None)
}

/// Runs `fitrisk report <inputs> -o <out>` with extra args, killed after `limit`: an input that
/// would block fitrisk fails the test instead of hanging it.
pub fn report_within(inputs: &[&Path], out: &Path, args: &[&str], limit: Duration) -> Report {
    run_report(inputs, out, args, &[], Some(limit))
}

fn run_report(
    inputs: &[&Path],
    out: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    limit: Option<Duration>,
) -> Report {
    let mut cmd = fitrisk();
    if let Some(limit) = limit {
        cmd.timeout(limit);
    }
    cmd.arg("report");
    for i in inputs {
        cmd.arg(i);
    }
    cmd.arg("-o").arg(out).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.output().expect("fitrisk runs");
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        code == 0 || code == 3,
        "fitrisk failed with {code} (-1: killed, e.g. at the time limit {limit:?})\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    Report {
        files: read_parquet(&out.join("files.parquet")),
        activities: read_parquet(&out.join("activities.parquet")),
        code,
        stdout,
        stderr,
        dir: out.to_path_buf(),
    }
}

/// Runs `fitrisk report <inputs> -o <out>`.
pub fn report(inputs: &[&Path], out: &Path) -> Report {
    report_with(inputs, out, &[], &[])
}

/// Reads a Parquet file.
pub fn read_parquet(path: &Path) -> DataFrame {
    let f = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(f).finish().expect("valid parquet")
}

/// The string cells of a column.
pub fn strs(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col)
        .unwrap_or_else(|_| panic!("no column {col}"))
        .str()
        .unwrap()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

/// The numeric cells of a column, as f64.
pub fn nums(df: &DataFrame, col: &str) -> Vec<Option<f64>> {
    let c = df
        .column(col)
        .unwrap_or_else(|_| panic!("no column {col}"))
        .cast(&DataType::Float64)
        .unwrap();
    c.f64().unwrap().iter().collect()
}

/// The row index whose `source` ends with `suffix`.
pub fn row(df: &DataFrame, suffix: &str) -> usize {
    let sources = strs(df, "source");
    let hits: Vec<usize> = (0..sources.len())
        .filter(|&i| sources[i].as_deref().is_some_and(|s| s.ends_with(suffix)))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one row ending {suffix}, got {hits:?} in {sources:?}"
    );
    hits[0]
}

/// One cell as a string (`None` for null).
pub fn cell(df: &DataFrame, col: &str, i: usize) -> Option<String> {
    strs(df, col)[i].clone()
}

/// Whether one cell is null (a column of any type).
pub fn is_null(df: &DataFrame, col: &str, i: usize) -> bool {
    df.column(col)
        .unwrap_or_else(|_| panic!("no column {col}"))
        .get(i)
        .unwrap()
        .is_null()
}

/// One numeric cell.
pub fn num(df: &DataFrame, col: &str, i: usize) -> Option<f64> {
    nums(df, col)[i]
}

/// Writes `bytes` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&p, bytes).unwrap();
    p
}

/// gzip-compresses bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A zip archive of (name, bytes) members, deflated.
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = ::zip::write::SimpleFileOptions::default()
        .compression_method(::zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}
