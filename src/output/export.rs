//! Exporters: one small trait, one implementation per table format (Parquet, CSV); the
//! workbook (one file for every table) is in `xlsx.rs`.
//!
//! Every file is written under a temporary name in the output folder and renamed into place
//! once complete, so a crash or a full disk never leaves half a report behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::folder::{TABLE_FORMATS, WORKBOOK};
use super::frames;
use super::numbers::with_numbers_as_text;
use super::xlsx::{self, XlsxFailure};
use crate::cli::Formats;
use crate::model::Tables;
use crate::store::Store;

/// Writes one table in one format.
pub(crate) trait Exporter {
    /// File extension, without the dot.
    fn extension(&self) -> &'static str;
    /// Whether `formats` asks for this format.
    fn asked(&self, formats: Formats) -> bool;
    /// A writer of one table to `out`, given the table's frames one after the other.
    fn open<'w>(&self, out: &'w mut dyn Write) -> Box<dyn TableWriter + 'w>;
}

/// One table being written: its frames in row order, then the end.
pub(crate) trait TableWriter {
    /// Writes the next frame's rows.
    fn write(&mut self, df: &mut DataFrame) -> PolarsResult<()>;
    /// Ends the table.
    fn finish(self: Box<Self>) -> PolarsResult<()>;
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
/// 512² rows at most. A table given in several frames (the ledger, the activities and
/// segments, a frame per [`frames::RUNS_PER_FRAME`] rows) gets a row group per frame.
pub(crate) struct Parquet;

/// Rows per row group, as polars' `ParquetWriter` does by default.
const ROW_GROUP_ROWS: usize = 512 * 512;

impl Exporter for Parquet {
    fn extension(&self) -> &'static str {
        "parquet"
    }
    fn asked(&self, formats: Formats) -> bool {
        formats.parquet
    }
    fn open<'w>(&self, out: &'w mut dyn Write) -> Box<dyn TableWriter + 'w> {
        Box::new(ParquetTable {
            out: Some(out),
            writer: None,
        })
    }
}

/// A Parquet file being written: its writer is made with the first frame's schema, and each
/// frame becomes its row groups.
struct ParquetTable<'w> {
    out: Option<&'w mut dyn Write>,
    writer: Option<polars_parquet::write::FileWriter<&'w mut dyn Write>>,
}

impl TableWriter for ParquetTable<'_> {
    fn write(&mut self, df: &mut DataFrame) -> PolarsResult<()> {
        use polars::io::parquet::write::get_encodings;
        use polars_parquet::write::{
            row_group_iter, CompressionOptions, FileWriter, StatisticsOptions, Version,
            WriteOptions,
        };

        let level = CompatLevel::oldest();
        if self.writer.is_none() {
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
            let out = self.out.take().expect("a Parquet writer opens once");
            self.writer = Some(FileWriter::try_new(out, schema, options)?);
        }
        let writer = self.writer.as_mut().expect("made above");
        let encodings = get_encodings(writer.schema());
        let fields = writer.parquet_schema().fields().to_vec();
        let options = writer.options();
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
        Ok(())
    }

    fn finish(self: Box<Self>) -> PolarsResult<()> {
        let Some(mut writer) = self.writer else {
            polars_bail!(ComputeError: "a Parquet table was ended before its first frame");
        };
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
    fn asked(&self, formats: Formats) -> bool {
        formats.csv
    }
    fn open<'w>(&self, out: &'w mut dyn Write) -> Box<dyn TableWriter + 'w> {
        Box::new(CsvTable { out, header: true })
    }
}

/// A CSV file being written: the header comes with the first frame.
struct CsvTable<'w> {
    out: &'w mut dyn Write,
    header: bool,
}

/// Rows of a frame turned into text at a time for the CSV writer (see [`with_numbers_as_text`]):
/// the text of a whole frame's numbers would take about a megabyte more.
const CSV_ROWS: usize = 256;

impl TableWriter for CsvTable<'_> {
    fn write(&mut self, df: &mut DataFrame) -> PolarsResult<()> {
        // At least once, so that an empty table still gets its header.
        let mut offset = 0;
        loop {
            let len = CSV_ROWS.min(df.height() - offset);
            let mut rows = with_numbers_as_text(&df.slice(offset as i64, len))?;
            CsvWriter::new(&mut *self.out)
                .include_header(std::mem::take(&mut self.header))
                .with_datetime_format(Some("%Y-%m-%d %H:%M:%S".into()))
                .with_date_format(Some("%Y-%m-%d".into()))
                .finish(&mut rows)?;
            offset += len;
            if offset >= df.height() {
                return Ok(());
            }
        }
    }

    fn finish(self: Box<Self>) -> PolarsResult<()> {
        Ok(())
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

/// Writes the tables in every format asked for, and the workbook if asked for; returns the
/// files written, in order.
///
/// Each table's frames are built, written to every format at once and dropped before the next
/// (the workbook, which holds every sheet until it is saved, keeps them all). The runs' full
/// facts are read from `store`.
pub(crate) fn write_tables(
    dir: &Path,
    formats: Formats,
    tables: &Tables,
    store: &Store,
    hive: Option<&Hive>,
) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = Vec::new();
    let mut sheets: Vec<(&str, DataFrame)> = Vec::new();
    for (stem, build) in frames::TABLES {
        let mut files: Vec<(Staged, &dyn Exporter)> = Vec::new();
        for exporter in TABLE_FORMATS {
            if exporter.asked(formats) {
                let path = match hive {
                    Some(h) if exporter.extension() == "parquet" => h.file(stem)?,
                    _ => dir.join(format!("{stem}.{}", exporter.extension())),
                };
                files.push((Staged::create(path)?, exporter));
            }
        }
        let sheet = write_table(stem, build(tables, store), &mut files, formats.xlsx)?;
        for (file, _) in files {
            written.push(file.commit()?);
        }
        if let Some(mut df) = sheet {
            df.rechunk_mut();
            sheets.push((stem, df));
        }
    }
    if formats.xlsx {
        let workbook = dir.join(WORKBOOK);
        // The findings first: they are what a reader opens the workbook for.
        sheets.sort_by_key(|(stem, _)| *stem != "findings");
        let sheets: Vec<(&str, &DataFrame)> = sheets.iter().map(|(s, df)| (*s, df)).collect();
        atomically(&workbook, |w| {
            xlsx::write(&sheets, w).map_err(|source| WriteError::Workbook {
                path: workbook.clone(),
                source,
            })
        })?;
        written.push(workbook);
    }
    Ok(written)
}

/// Writes one table's `frames` to each of `files`; returns the whole table as one frame when
/// `sheet` asks for it (for the workbook).
fn write_table(
    stem: &'static str,
    frames: frames::Frames<'_>,
    files: &mut [(Staged, &dyn Exporter)],
    sheet: bool,
) -> Result<Option<DataFrame>, WriteError> {
    let mut writers: Vec<(Box<dyn TableWriter + '_>, &Path)> = files
        .iter_mut()
        .map(|(file, exporter)| {
            let (path, out) = file.parts();
            (exporter.open(out), path)
        })
        .collect();
    let encode = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError::Encode { path, source }
    };
    let build_error = |source| WriteError::Build {
        table: stem,
        source,
    };
    let mut whole: Option<DataFrame> = None;
    for frame in frames {
        let mut df = frame.map_err(build_error)?;
        for (writer, path) in writers.iter_mut() {
            writer.write(&mut df).map_err(encode(path))?;
        }
        if sheet {
            match whole.as_mut() {
                None => whole = Some(df),
                Some(all) => {
                    all.vstack_mut(&df).map_err(build_error)?;
                }
            }
        }
    }
    for (writer, path) in writers {
        writer.finish().map_err(encode(path))?;
    }
    Ok(whole)
}

/// Where a cohort's athlete's Parquet tables go: one hive-partitioned dataset for the cohort,
/// `<root>/<table>/<partition>/part-0.parquet`, which DuckDB and Spark read whole.
#[derive(Clone, Debug)]
pub(crate) struct Hive {
    /// The cohort's output folder.
    pub(crate) root: PathBuf,
    /// The athlete's partition folder, `athlete=<escaped name>`.
    pub(crate) partition: String,
}

impl Hive {
    /// The file of table `stem`, its folder made.
    pub(crate) fn file(&self, stem: &str) -> Result<PathBuf, WriteError> {
        let dir = self.root.join(stem).join(&self.partition);
        std::fs::create_dir_all(&dir).map_err(|source| WriteError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(dir.join(HIVE_FILE))
    }
}

/// The one file of a table's partition.
pub(crate) const HIVE_FILE: &str = "part-0.parquet";

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

/// Writes `name` in `dir` from `pieces`, each written before the next is made, then renames it
/// into place, atomically. Returns the path.
pub(crate) fn write_pieces_atomic(
    dir: &Path,
    name: &str,
    pieces: impl IntoIterator<Item = impl AsRef<str>>,
) -> Result<PathBuf, WriteError> {
    let path = dir.join(name);
    atomically(&path, |out| {
        pieces
            .into_iter()
            .try_for_each(|piece| out.write_all(piece.as_ref().as_bytes()))
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
    let mut file = Staged::create(path.to_path_buf())?;
    write(file.parts().1)?;
    file.commit().map(drop)
}

/// A file being written under a temporary name beside its place (`.NAME.tmp-PID`), renamed
/// into place by [`Staged::commit`]; dropped uncommitted, the temporary file is removed.
struct Staged {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    committed: bool,
}

impl Staged {
    fn create(path: PathBuf) -> Result<Staged, WriteError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        match File::create(&tmp) {
            Ok(file) => Ok(Staged {
                path,
                tmp,
                out: BufWriter::new(file),
                committed: false,
            }),
            Err(source) => Err(WriteError::Io { path, source }),
        }
    }

    /// The final path, and where to write.
    fn parts(&mut self) -> (&Path, &mut dyn Write) {
        (&self.path, &mut self.out)
    }

    /// Flushes, syncs and renames the file into place; returns its path.
    fn commit(mut self) -> Result<PathBuf, WriteError> {
        let io_err = |source| WriteError::Io {
            path: self.path.clone(),
            source,
        };
        self.out.flush().map_err(io_err)?;
        self.out.get_ref().sync_all().map_err(io_err)?;
        fs::rename(&self.tmp, &self.path).map_err(io_err)?;
        self.committed = true;
        Ok(self.path.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Removes the temporary files of the outputs `names` that a killed fitrisk left in `dir`
/// (`.NAME.tmp-PID` of a process that no longer runs); another run's, still writing, stay.
pub(crate) fn sweep_leftovers(dir: &Path, names: &[String]) {
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
