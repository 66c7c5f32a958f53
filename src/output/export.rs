//! Exporters: one small trait, one implementation per file format (Parquet, CSV).
//!
//! Every table is written under a temporary name in the output folder and renamed into place
//! once complete, so a crash or a full disk never leaves half a report behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;

/// Writes one `DataFrame` in one format.
pub(crate) trait Exporter {
    /// File extension, without the dot.
    fn extension(&self) -> &'static str;
    /// Writes the frame to `out`.
    fn write(&self, df: &mut DataFrame, out: &mut dyn Write) -> PolarsResult<()>;
}

/// Apache Parquet, zstd-compressed, with statistics.
pub(crate) struct Parquet;

impl Exporter for Parquet {
    fn extension(&self) -> &'static str {
        "parquet"
    }
    fn write(&self, df: &mut DataFrame, out: &mut dyn Write) -> PolarsResult<()> {
        ParquetWriter::new(out).finish(df)?;
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
