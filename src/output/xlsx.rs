//! `report.xlsx`: every table in one workbook, a sheet each, the findings first.
//!
//! Written from the same polars frames as the Parquet and CSV files, column by column after
//! the column's type: numbers as numbers (full precision in the cell, a display format after
//! the unit suffix of the column name), dates and date-times as Excel dates with a
//! `yyyy-mm-dd` number format, booleans as booleans, text as text, and nothing at all for a
//! missing value. Number formats are stored in the file in Excel's neutral notation and shown
//! with the reader's own decimal separator, so the workbook reads the same in every locale.
//! The header row is bold, frozen and has an autofilter.
//!
//! Text is user text in places (paths, activity and gear names), so it is never a formula: every
//! text cell is a string cell, and one that starts as a formula would (`=`, `+`, `-`, `@`, a tab
//! or a carriage return: OWASP's CSV-injection list) also carries Excel's quote prefix, so that
//! editing the cell keeps it text. A text longer than a cell holds is cut to fit, ending `…`.

use std::io::Write;

use polars::prelude::*;
use rust_xlsxwriter::{ColNum, Format, RowNum, Workbook, Worksheet, XlsxError};

/// Excel's serial day number of 1970-01-01 (days since its 1900 epoch, with Excel's 1900 leap day).
const UNIX_EPOCH_SERIAL: f64 = 25_569.0;
/// The first and one past the last serial day Excel can show as a date (1900-01-01, 10000-01-01).
const SERIAL_RANGE: std::ops::Range<f64> = 1.0..2_958_466.0;
/// Data rows a sheet holds (Excel's limit is 1,048,576 rows, one of them the header).
const MAX_ROWS: usize = 1_048_575;
/// Column widths, in characters.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;
/// Rows looked at when sizing a text column.
const WIDTH_SAMPLE: usize = 2_000;
/// The longest text a cell holds, in UTF-16 code units (Excel's limit).
const MAX_TEXT: usize = 32_767;

/// Whether a spreadsheet would read this text, typed into a cell, as a formula: it starts with
/// one of the characters OWASP's CSV-injection guidance lists.
pub(crate) fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The text as a cell holds it: whole, or cut to [`MAX_TEXT`] code units ending `…`.
fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_TEXT || text.encode_utf16().count() <= MAX_TEXT {
        return text.into();
    }
    let mut units = 0;
    let mut cut = String::new();
    for ch in text.chars() {
        units += ch.len_utf16();
        if units > MAX_TEXT - 1 {
            break;
        }
        cut.push(ch);
    }
    cut.push('…');
    cut.into()
}

/// Writes a text cell: always a string, never a formula; quote-prefixed when it starts as one
/// would.
fn write_text(
    sheet: &mut Worksheet,
    row: RowNum,
    c: ColNum,
    text: &str,
    quoted: &Format,
) -> Result<(), XlsxError> {
    let text = cell_text(text);
    if looks_like_formula(&text) {
        sheet.write_string_with_format(row, c, text, quoted)?;
    } else {
        sheet.write_string(row, c, text)?;
    }
    Ok(())
}

/// The display format of a float column, after its name's unit suffix; `None` keeps Excel's
/// "General". The cell always keeps the full value.
pub(crate) fn number_format(column: &str) -> Option<&'static str> {
    let ends = |s: &str| column.ends_with(s);
    if ends("step_length_m") {
        Some("0.00")
    } else if ends("_m") || ends("_s") || ends("_spm") || ends("_mm") || ends("_ms") {
        Some("0")
    } else if ends("_mps") {
        Some("0.00")
    } else if ends("_pct") || ends("_per_km") || column == "rpe" || column == "feel" {
        Some("0.0")
    } else if column.starts_with("acwr")
        || column.starts_with("srpe_acwr")
        || column == "surface_confidence"
        || column == "loop_score"
    {
        Some("0.00")
    } else if column.starts_with("srpe_") {
        Some("0")
    } else {
        None
    }
}

/// Why the workbook could not be built.
#[derive(Debug, thiserror::Error)]
pub(crate) enum XlsxFailure {
    /// rust_xlsxwriter refused (e.g. writing the file failed).
    #[error("{0}")]
    Xlsx(#[from] XlsxError),
    /// A column could not be read as its type.
    #[error("{0}")]
    Polars(#[from] PolarsError),
    /// More rows than a sheet holds.
    #[error("table {table} has {rows} rows, more than a worksheet holds ({MAX_ROWS}); use the Parquet or CSV files")]
    TooLong {
        /// The table.
        table: String,
        /// Its rows.
        rows: usize,
    },
}

/// Writes the workbook: `sheets` in the order given, one sheet per frame.
pub(crate) fn write(sheets: &[(&str, &DataFrame)], out: &mut dyn Write) -> Result<(), XlsxFailure> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold();
    for (name, df) in sheets {
        if df.height() > MAX_ROWS {
            return Err(XlsxFailure::TooLong {
                table: name.to_string(),
                rows: df.height(),
            });
        }
        let sheet = book.add_worksheet();
        sheet.set_name(*name)?;
        for (c, column) in df.columns().iter().enumerate() {
            let c = c as ColNum;
            sheet.write_string_with_format(0, c, column.name().as_str(), &header)?;
            let width = write_column(sheet, c, column.as_materialized_series())?;
            let width = width.max(column.name().chars().count() + 2);
            sheet.set_column_width(c, width.clamp(MIN_WIDTH, MAX_WIDTH) as f64)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        if df.width() > 0 {
            sheet.autofilter(0, 0, df.height() as RowNum, (df.width() - 1) as ColNum)?;
        }
    }
    let mut buffer = Vec::new();
    book.save_to_writer(&mut buffer)?;
    out.write_all(&buffer).map_err(XlsxError::from)?;
    Ok(())
}

/// Writes one column below its header; returns the width (characters) it needs.
fn write_column(sheet: &mut Worksheet, c: ColNum, s: &Series) -> Result<usize, XlsxFailure> {
    let row = |i: usize| (i + 1) as RowNum;
    let quoted = Format::new().set_quote_prefix();
    match s.dtype() {
        DataType::Boolean => {
            for (i, v) in s.bool()?.iter().enumerate() {
                if let Some(v) = v {
                    sheet.write_boolean(row(i), c, v)?;
                }
            }
            Ok(7)
        }
        DataType::String => {
            let mut width = 0;
            for (i, v) in s.str()?.iter().enumerate() {
                if let Some(v) = v {
                    write_text(sheet, row(i), c, v, &quoted)?;
                    if i < WIDTH_SAMPLE {
                        width = width.max(v.chars().count() + 1);
                    }
                }
            }
            Ok(width)
        }
        DataType::Date => {
            let format = Format::new().set_num_format("yyyy-mm-dd");
            let days = s.cast(&DataType::Int32)?;
            write_serials(
                sheet,
                c,
                &format,
                days.i32()?.iter().map(|d| d.map(f64::from)),
            )?;
            Ok(12)
        }
        DataType::Datetime(unit, _) => {
            let format = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
            let per_day = match unit {
                TimeUnit::Milliseconds => 86_400e3,
                TimeUnit::Microseconds => 86_400e6,
                TimeUnit::Nanoseconds => 86_400e9,
            };
            let ticks = s.cast(&DataType::Int64)?;
            let days = ticks.i64()?.iter().map(|t| t.map(|t| t as f64 / per_day));
            write_serials(sheet, c, &format, days)?;
            Ok(20)
        }
        dtype if dtype.is_primitive_numeric() => {
            let format = match (dtype.is_float(), number_format(s.name())) {
                (true, Some(code)) => Format::new().set_num_format(code),
                _ => Format::new(),
            };
            let values = s.cast(&DataType::Float64)?;
            for (i, v) in values.f64()?.iter().enumerate() {
                // A cell cannot hold NaN or an infinity: left empty, like a missing value.
                if let Some(v) = v.filter(|v| v.is_finite()) {
                    sheet.write_number_with_format(row(i), c, v, &format)?;
                }
            }
            Ok(10)
        }
        // Any other type (none today) is written as the text polars gives it.
        _ => {
            let text = s.cast(&DataType::String)?;
            for (i, v) in text.str()?.iter().enumerate() {
                if let Some(v) = v {
                    write_text(sheet, row(i), c, v, &quoted)?;
                }
            }
            Ok(12)
        }
    }
}

/// Writes Excel serial dates (days since 1970-01-01 here); a value Excel cannot show as a date
/// is written as the plain day count.
fn write_serials(
    sheet: &mut Worksheet,
    c: ColNum,
    format: &Format,
    days_since_1970: impl Iterator<Item = Option<f64>>,
) -> Result<(), XlsxError> {
    for (i, v) in days_since_1970.enumerate() {
        let Some(days) = v else { continue };
        let serial = days + UNIX_EPOCH_SERIAL;
        let row = (i + 1) as RowNum;
        if SERIAL_RANGE.contains(&serial) {
            sheet.write_number_with_format(row, c, serial, format)?;
        } else {
            sheet.write_number(row, c, days)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_follow_the_unit_suffix() {
        assert_eq!(number_format("distance_m"), Some("0"));
        assert_eq!(number_format("flat_step_length_m"), Some("0.00"));
        assert_eq!(number_format("duration_s"), Some("0"));
        assert_eq!(number_format("cadence_spm"), Some("0"));
        assert_eq!(number_format("avg_speed_mps"), Some("0.00"));
        assert_eq!(number_format("change_pct"), Some("0.0"));
        assert_eq!(number_format("acwr_ewma"), Some("0.00"));
        assert_eq!(number_format("srpe_acwr"), Some("0.00"));
        assert_eq!(number_format("srpe_load"), Some("0"));
        assert_eq!(number_format("source"), None);
    }

    #[test]
    fn text_that_starts_like_a_formula_is_recognised() {
        for t in ["=1+1", "+4", "-x", "@SUM(A1)", "\tx", "\rx"] {
            assert!(looks_like_formula(t), "{t:?}");
        }
        for t in ["a=1", " =1", "'=1", "", "Pegasus 40"] {
            assert!(!looks_like_formula(t), "{t:?}");
        }
    }

    #[test]
    fn text_longer_than_a_cell_is_cut_to_fit() {
        assert_eq!(cell_text("short"), "short");
        let exact = "é".repeat(MAX_TEXT);
        assert_eq!(cell_text(&exact), exact);
        // Characters outside the basic plane count two units each.
        let long = "😀".repeat(MAX_TEXT);
        let cut = cell_text(&long);
        assert!(cut.ends_with('…') && cut.starts_with("😀😀"));
        assert_eq!(cut.encode_utf16().count(), MAX_TEXT);
    }

    #[test]
    fn the_unix_epoch_is_excel_serial_25569() {
        // 1970-01-01 is serial 25569 in Excel's 1900 date system (it counts 1900-02-29).
        assert_eq!(UNIX_EPOCH_SERIAL, 25_569.0);
    }
}
