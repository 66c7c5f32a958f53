//! Exporters: one small trait, one implementation per table format (Parquet, CSV); the
//! workbook (one file for every table) is in `xlsx.rs`.
//!
//! Every file is written under a temporary name in the output folder and renamed into place
//! once complete, so a crash or a full disk never leaves half a report behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::frames;
use super::xlsx::{self, XlsxFailure};
use crate::cli::Formats;
use crate::model::Tables;

/// The workbook's file name.
pub(crate) const WORKBOOK: &str = "report.xlsx";

/// Writes one `DataFrame` in one format.
pub(crate) trait Exporter {
    /// File extension, without the dot.
    fn extension(&self) -> &'static str;
    /// Writes the frame to `out`.
    fn write(&self, df: &mut DataFrame, out: &mut dyn Write) -> PolarsResult<()>;
}

/// Apache Parquet, zstd-compressed, with statistics, and with the Arrow types every common
/// reader handles: strings as `large_string`, not `string_view`.
///
/// polars 0.55.2's `ParquetWriter` always encodes at `CompatLevel::newest()`, which stores
/// strings as Arrow `string_view` (in the embedded `ARROW:schema`); pyarrow 26 reads those but
/// cannot filter, compare or sort them. `ParquetWriteOptions::compat_level` exists but only
/// the lazy streaming sink reads it. So this drives polars' own encoder (polars-parquet's
/// `FileWriter`, the one `ParquetWriter` uses) with `CompatLevel::oldest()`, with the same
/// defaults: zstd, min/max/null-count statistics, format version 1, one row group per
/// 512² rows at most.
pub(crate) struct Parquet;

/// Rows per row group, as polars' `ParquetWriter` does by default.
const ROW_GROUP_ROWS: usize = 512 * 512;

impl Exporter for Parquet {
    fn extension(&self) -> &'static str {
        "parquet"
    }
    fn write(&self, df: &mut DataFrame, out: &mut dyn Write) -> PolarsResult<()> {
        use polars::io::parquet::write::get_encodings;
        use polars_parquet::write::{
            row_group_iter, CompressionOptions, FileWriter, StatisticsOptions, Version,
            WriteOptions,
        };

        let level = CompatLevel::oldest();
        let schema: ArrowSchema = df
            .schema()
            .iter_fields()
            .map(|f| {
                let field = f.dtype().to_arrow_field(f.name().clone(), level);
                (field.name.clone(), field)
            })
            .collect();
        let options = WriteOptions {
            statistics: StatisticsOptions::default(),
            compression: CompressionOptions::Zstd(None),
            version: Version::V1,
            data_page_size: None,
        };
        let encodings = get_encodings(&schema);
        let mut writer = FileWriter::try_new(out, schema, options)?;
        let fields = writer.parquet_schema().fields().to_vec();
        let mut offset = 0;
        while offset < df.height() {
            let mut part = df.slice(offset as i64, ROW_GROUP_ROWS);
            offset += part.height();
            part.rechunk_mut();
            for batch in part.iter_chunks(level, false) {
                let rows = batch.len() as u64;
                let group = row_group_iter(batch, encodings.clone(), fields.clone(), options);
                writer.write(rows, group)?;
            }
        }
        writer.end(None)?;
        Ok(())
    }
}

/// Comma-separated values with a header row, for spreadsheets: times as
/// `YYYY-MM-DD HH:MM:SS`, empty cells for missing values.
pub(crate) struct Csv;

impl Exporter for Csv {
    fn extension(&self) -> &'static str {
        "csv"
    }
    fn write(&self, df: &mut DataFrame, out: &mut dyn Write) -> PolarsResult<()> {
        CsvWriter::new(out)
            .include_header(true)
            .with_datetime_format(Some("%Y-%m-%d %H:%M:%S".into()))
            .with_date_format(Some("%Y-%m-%d".into()))
            .with_float_precision(Some(3))
            .finish(df)
    }
}

/// A table that could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    /// Creating, writing or renaming the file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// polars could not encode the frame.
    #[error("cannot encode {path}: {source}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// Why.
        source: PolarsError,
    },
    /// A table's frame could not be built.
    #[error("cannot build the {table} table: {source}")]
    Build {
        /// The table's file stem.
        table: &'static str,
        /// Why.
        source: PolarsError,
    },
    /// The workbook could not be built.
    #[error("cannot write {path}: {source}")]
    Workbook {
        /// The file.
        path: PathBuf,
        /// Why.
        source: XlsxFailure,
    },
}

/// The table files of one run.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    /// Files written, in order.
    pub(crate) written: Vec<PathBuf>,
    /// Files of an earlier run in a format not written this time, removed.
    pub(crate) removed: Vec<PathBuf>,
}

/// Writes the tables in every format asked for, then removes the table files fitrisk would
/// write in the formats *not* asked for, so the folder never mixes two runs. Only those exact
/// names (`files.csv`, …, `report.xlsx`) are ever removed.
///
/// Each table's frame is built, written and dropped before the next (the workbook, which
/// holds every sheet until it is saved, keeps them all).
pub(crate) fn write_tables(
    dir: &Path,
    formats: Formats,
    tables: &Tables,
) -> Result<Outputs, WriteError> {
    let mut out = Outputs::default();
    let per_table: [(&dyn Exporter, bool); 2] = [(&Parquet, formats.parquet), (&Csv, formats.csv)];
    let mut names: Vec<String> = [WORKBOOK, "report.html", super::summary::DECODER_LOG]
        .iter()
        .map(|n| n.to_string())
        .collect();
    for (stem, _) in frames::TABLES {
        for (exporter, _) in per_table {
            names.push(format!("{stem}.{}", exporter.extension()));
        }
    }
    sweep_leftovers(dir, &names);
    let mut sheets: Vec<(&str, DataFrame)> = Vec::new();
    for (stem, build) in frames::TABLES {
        let mut df = build(tables).map_err(|source| WriteError::Build {
            table: stem,
            source,
        })?;
        for (exporter, asked) in per_table {
            if asked {
                out.written
                    .push(write_atomic(dir, stem, exporter, &mut df)?);
            }
        }
        if formats.xlsx {
            sheets.push((stem, df));
        } else {
            drop(df);
            crate::memory::release_freed();
        }
    }
    let workbook = dir.join(WORKBOOK);
    if formats.xlsx {
        // The findings first: they are what a reader opens the workbook for.
        sheets.sort_by_key(|(stem, _)| *stem != "findings");
        let sheets: Vec<(&str, &DataFrame)> = sheets.iter().map(|(s, df)| (*s, df)).collect();
        atomically(&workbook, |w| {
            xlsx::write(&sheets, w).map_err(|source| WriteError::Workbook {
                path: workbook.clone(),
                source,
            })
        })?;
        out.written.push(workbook.clone());
    }
    let mut stale: Vec<PathBuf> = Vec::new();
    for (exporter, asked) in per_table {
        if !asked {
            stale.extend(
                frames::TABLES
                    .iter()
                    .map(|(stem, _)| dir.join(format!("{stem}.{}", exporter.extension()))),
            );
        }
    }
    if !formats.xlsx {
        stale.push(workbook);
    }
    for path in stale {
        if remove_if_file(&path)? {
            out.removed.push(path);
        }
    }
    Ok(out)
}

/// Removes `path` if it is a regular file (never a folder or a link's target); true if it was.
pub(crate) fn remove_if_file(path: &Path) -> Result<bool, WriteError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => {
            fs::remove_file(path)
                .map(|()| true)
                .map_err(|source| WriteError::Io {
                    path: path.to_path_buf(),
                    source,
                })
        }
        _ => Ok(false),
    }
}

/// Writes `df` to `dir/stem.ext` atomically (temporary file, then rename). Returns the path.
pub(crate) fn write_atomic(
    dir: &Path,
    stem: &str,
    exporter: &dyn Exporter,
    df: &mut DataFrame,
) -> Result<PathBuf, WriteError> {
    let path = dir.join(format!("{stem}.{}", exporter.extension()));
    atomically(&path, |out| {
        exporter
            .write(df, out)
            .map_err(|source| WriteError::Encode {
                path: path.clone(),
                source,
            })
    })?;
    Ok(path)
}

/// Writes text to `dir/name` atomically. Returns the path.
pub(crate) fn write_text_atomic(dir: &Path, name: &str, text: &str) -> Result<PathBuf, WriteError> {
    let path = dir.join(name);
    atomically(&path, |out| {
        out.write_all(text.as_bytes())
            .map_err(|source| WriteError::Io {
                path: path.clone(),
                source,
            })
    })?;
    Ok(path)
}

/// Runs `write` on a temporary file beside `path`, then renames it into place; the temporary
/// file is removed on failure.
fn atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let io_err = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let result = (|| {
        let file = File::create(&tmp).map_err(io_err)?;
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.sync_all().map_err(io_err)?;
        fs::rename(&tmp, path).map_err(io_err)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes the temporary files of the outputs `names` that a killed fitrisk left in `dir`
/// (`.NAME.tmp-PID` of a process that no longer runs); another run's, still writing, stay.
fn sweep_leftovers(dir: &Path, names: &[String]) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some((name, pid)) = file
            .to_str()
            .and_then(|f| f.strip_prefix('.'))
            .and_then(|f| f.rsplit_once(".tmp-"))
        else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if names.iter().any(|n| n == name) && pid != std::process::id() && !running(pid) {
            let _ = remove_if_file(&entry.path());
        }
    }
}

/// Whether process `pid` exists (on other systems than Unix: assumed, so nothing is removed).
fn running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // Signal 0 checks without sending: ESRCH means no such process.
        // SAFETY: kill with signal 0 has no effect on the target.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}
