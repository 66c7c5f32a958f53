//! The output folder: every file fitrisk writes there, by name, and the one place that writes
//! them. A file fitrisk would write but did not this time (a format not asked for, a decoder
//! log with nothing in it) is removed when the report is done, so the folder never mixes two
//! runs; only those exact names are ever removed.

use std::path::{Path, PathBuf};

use super::export::{self, Csv, Exporter, Hive, Parquet, WriteError};
use super::frames;
use crate::cli::Formats;
use crate::model::Tables;
use crate::store::Store;

/// The page's file name.
pub(crate) const PAGE: &str = "report.html";
/// The workbook's file name.
pub(crate) const WORKBOOK: &str = "report.xlsx";
/// The decoder's complaints' file name.
pub(crate) const DECODER_LOG: &str = "decoder.log";

/// The formats a table is written in, in the order they are written.
pub(crate) const TABLE_FORMATS: [&dyn Exporter; 2] = [&Parquet, &Csv];

/// The name of every file fitrisk writes in an output folder: each table in each format, the
/// workbook, the page and the decoder's log, in that order.
pub(crate) fn every_name() -> Vec<String> {
    let mut names = Vec::new();
    for exporter in TABLE_FORMATS {
        for (stem, _) in frames::TABLES {
            names.push(format!("{stem}.{}", exporter.extension()));
        }
    }
    names.extend([WORKBOOK, PAGE, DECODER_LOG].map(String::from));
    names
}

/// The files of one report, as they are written.
#[derive(Debug)]
pub(crate) struct Folder {
    dir: PathBuf,
    /// Where the Parquet tables go instead, for an athlete of a cohort.
    hive: Option<Hive>,
    /// Files written, in order.
    written: Vec<PathBuf>,
}

/// What a report did to its output folder.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    /// Files written, in order.
    pub(crate) written: Vec<PathBuf>,
    /// Files of an earlier run that this one did not write, removed.
    pub(crate) removed: Vec<PathBuf>,
}

impl Folder {
    /// The output folder `dir`, which exists; what a killed fitrisk left half-written there
    /// is removed.
    pub(crate) fn open(dir: &Path) -> Folder {
        export::sweep_leftovers(dir, &every_name());
        Folder {
            dir: dir.to_path_buf(),
            hive: None,
            written: Vec::new(),
        }
    }

    /// The same folder, its Parquet tables written into the cohort's dataset instead.
    pub(crate) fn with_hive(self, hive: Option<Hive>) -> Folder {
        Folder { hive, ..self }
    }

    /// Writes the tables in every format asked for, and the workbook if asked for.
    pub(crate) fn tables(
        &mut self,
        formats: Formats,
        tables: &Tables,
        store: &Store,
    ) -> Result<(), WriteError> {
        let written = export::write_tables(&self.dir, formats, tables, store, self.hive.as_ref())?;
        self.written.extend(written);
        Ok(())
    }

    /// Writes a text file, made of `pieces`, under `name`.
    pub(crate) fn text(
        &mut self,
        name: &str,
        pieces: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> Result<(), WriteError> {
        let path = export::write_pieces_atomic(&self.dir, name, pieces)?;
        self.written.push(path);
        Ok(())
    }

    /// Removes every file fitrisk writes that this report did not (left by an earlier run);
    /// returns what was written and what removed.
    pub(crate) fn finish(self) -> Result<Outputs, WriteError> {
        let mut removed = Vec::new();
        for name in every_name() {
            let path = self.dir.join(name);
            if !self.written.contains(&path) && export::remove_if_file(&path)? {
                removed.push(path);
            }
        }
        Ok(Outputs {
            written: self.written,
            removed,
        })
    }
}
