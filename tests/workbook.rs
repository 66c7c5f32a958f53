//! report.xlsx cell by cell: on every sheet, every cell of every column has the type its table
//! column has (text as string cells, numbers as numbers, dates and date-times as dates with
//! their documented formats, booleans as booleans, missing values as no cell), with the value
//! the Parquet file holds. Also the raw sheet XML, which the injection tests read too.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use polars::prelude::*;

use crate::support::*;

/// One cell as the sheet's XML writes it (its text is read with calamine).
#[derive(Clone, Debug)]
pub struct XmlCell {
    /// The `t` attribute: `s` (shared string), `inlineStr`, `str` (a formula's text), `b`,
    /// `n` or none (a number).
    pub t: Option<String>,
    /// Whether the cell holds a formula (`<f>`).
    pub formula: bool,
    /// Its style's number format (`None`: General) and quote prefix.
    pub num_format: Option<String>,
    pub quote_prefix: bool,
}

/// A workbook's sheets as XML cells, keyed by sheet name, then (row, column), both 0-based.
pub type XmlBook = HashMap<String, HashMap<(usize, usize), XmlCell>>;

fn member(zip: &mut ::zip::ZipArchive<File>, name: &str) -> String {
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn elements<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
    doc.descendants()
        .filter(move |n| n.tag_name().name() == name)
}

/// `AB12` → (11, 27).
fn cell_ref(r: &str) -> (usize, usize) {
    let letters = r.chars().take_while(char::is_ascii_uppercase).count();
    let col = r[..letters]
        .bytes()
        .fold(0, |acc, b| acc * 26 + (b - b'A' + 1) as usize);
    (r[letters..].parse::<usize>().unwrap() - 1, col - 1)
}

/// Reads every sheet of a workbook as XML, by the workbook's own names and relations.
pub fn read_xml(path: &Path) -> XmlBook {
    let mut zip = ::zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
    let styles_xml = member(&mut zip, "xl/styles.xml");
    let styles = roxmltree::Document::parse(&styles_xml).unwrap();
    let formats: HashMap<String, String> = elements(&styles, "numFmt")
        .map(|f| {
            (
                f.attribute("numFmtId").unwrap().to_string(),
                f.attribute("formatCode").unwrap().to_string(),
            )
        })
        .collect();
    let xfs: Vec<(Option<String>, bool)> = elements(&styles, "cellXfs")
        .next()
        .unwrap()
        .children()
        .filter(|n| n.tag_name().name() == "xf")
        .map(|xf| {
            let id = xf.attribute("numFmtId").unwrap_or("0");
            (
                formats.get(id).cloned(),
                xf.attribute("quotePrefix") == Some("1"),
            )
        })
        .collect();
    let book_xml = member(&mut zip, "xl/workbook.xml");
    let book = roxmltree::Document::parse(&book_xml).unwrap();
    let rels_xml = member(&mut zip, "xl/_rels/workbook.xml.rels");
    let rels = roxmltree::Document::parse(&rels_xml).unwrap();
    let target = |id: &str| {
        elements(&rels, "Relationship")
            .find(|r| r.attribute("Id") == Some(id))
            .unwrap()
            .attribute("Target")
            .unwrap()
            .to_string()
    };
    let mut out = XmlBook::new();
    for sheet in elements(&book, "sheet") {
        let id = sheet
            .attributes()
            .find(|a| a.name() == "id")
            .unwrap()
            .value();
        let xml = member(&mut zip, &format!("xl/{}", target(id)));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cells = elements(&doc, "c")
            .map(|c| {
                let t = c.attribute("t").map(str::to_string);
                let (num_format, quote_prefix) = c
                    .attribute("s")
                    .map(|s| xfs[s.parse::<usize>().unwrap()].clone())
                    .unwrap_or((None, false));
                let cell = XmlCell {
                    t,
                    formula: elements_in(c, "f").next().is_some(),
                    num_format,
                    quote_prefix,
                };
                (cell_ref(c.attribute("r").unwrap()), cell)
            })
            .collect();
        out.insert(sheet.attribute("name").unwrap().to_string(), cells);
    }
    out
}

fn elements_in<'a, 'i: 'a>(
    n: roxmltree::Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
    n.descendants().filter(move |d| d.tag_name().name() == name)
}

/// The six tables, in the workbook's order.
pub const SHEETS: [&str; 6] = [
    "findings",
    "files",
    "activities",
    "segments",
    "weeks",
    "gear",
];

#[test]
fn every_cell_of_every_sheet_has_its_columns_type_and_the_parquet_value() {
    let tmp = tempfile::tempdir().unwrap();
    // A gear log (the gear sheet gets rows, with a retirement day and a crossing day) and a
    // diary (pain columns and a `day` finding).
    let gear = write(
        tmp.path(),
        "gear.csv",
        b"gear,from,to\nOld trainers,2013-01-01,2019-12-31\nNew trainers,2020-01-01,\n",
    );
    let diary = write(
        tmp.path(),
        "diary.csv",
        b"date,pain,next_morning,location,note\n2021-05-07,4,5,left knee,hills\n",
    );
    let config = write(
        tmp.path(),
        "fitrisk.toml",
        b"[gear]\nthresholds_m = [10000.0, 800000.0]\n",
    );
    let out = tmp.path().join("out");
    let arg = |p: &Path| p.to_str().unwrap().to_string();
    report_with(
        &[&testdata()],
        &out,
        &[
            "--format",
            "parquet,xlsx",
            "--gear",
            &arg(&gear),
            "--diary",
            &arg(&diary),
            "--config",
            &arg(&config),
        ],
        &[],
    );
    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).expect("a workbook");
    assert_eq!(book.sheet_names(), SHEETS);
    let xml = read_xml(&out.join("report.xlsx"));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for name in SHEETS {
        let df = read_parquet(&out.join(format!("{name}.parquet")));
        assert!(df.height() > 0, "{name}: the test needs rows");
        let range = book.worksheet_range(name).unwrap();
        let cells = &xml[name];
        assert_eq!(range.height(), df.height() + 1, "{name}");
        assert_eq!(range.width(), df.width(), "{name}");
        for (c, column) in df.columns().iter().enumerate() {
            let col = column.name().as_str();
            let what = |i: usize| format!("{name}.{col} row {i}");
            assert_eq!(
                range.get((0, c)),
                Some(&Data::String(col.to_string())),
                "{name}: header {c}"
            );
            let kind = column_kind(column.dtype());
            *seen.entry(kind).or_default() += 1;
            let s = column.as_materialized_series();
            let values: Vec<AnyValue> = s.iter().collect();
            for (i, v) in values.iter().enumerate() {
                let got = range.get((i + 1, c)).unwrap_or(&Data::Empty);
                let raw = cells.get(&(i + 1, c));
                if let Some(raw) = raw {
                    assert!(!raw.formula, "{}: a formula", what(i));
                }
                if v.is_null() || matches!(v, AnyValue::Float64(f) if !f.is_finite()) {
                    assert_eq!(got, &Data::Empty, "{}", what(i));
                    assert!(raw.is_none(), "{}: a missing value is no cell", what(i));
                    continue;
                }
                let raw = raw.unwrap_or_else(|| panic!("{}: no cell", what(i)));
                match kind {
                    "text" => {
                        let want = v.get_str().unwrap();
                        assert_eq!(got, &Data::String(want.to_string()), "{}", what(i));
                        assert_eq!(raw.t.as_deref(), Some("s"), "{}: a string cell", what(i));
                    }
                    "bool" => {
                        let want = matches!(v, AnyValue::Boolean(true));
                        assert_eq!(got, &Data::Bool(want), "{}", what(i));
                        assert_eq!(raw.t.as_deref(), Some("b"), "{}", what(i));
                    }
                    "number" => {
                        let want = v.extract::<f64>().unwrap();
                        assert_eq!(got, &Data::Float(want), "{}: full precision", what(i));
                        assert!(matches!(raw.t.as_deref(), None | Some("n")), "{}", what(i));
                        // No date format on a number.
                        assert!(
                            !raw.num_format.as_deref().unwrap_or("").contains("yy"),
                            "{}",
                            what(i)
                        );
                    }
                    "date" | "datetime" => {
                        let days = match v {
                            AnyValue::Date(d) => *d as f64,
                            AnyValue::Datetime(t, TimeUnit::Milliseconds, _) => {
                                *t as f64 / 86_400e3
                            }
                            other => panic!("{}: {other:?}", what(i)),
                        };
                        let Data::DateTime(x) = got else {
                            panic!("{}: {got:?} is not a date", what(i))
                        };
                        assert!(x.is_datetime(), "{}", what(i));
                        assert!(
                            (x.as_f64() - (days + 25_569.0)).abs() < 1e-9,
                            "{}: {} against {days}",
                            what(i),
                            x.as_f64()
                        );
                        let format = if kind == "date" {
                            "yyyy-mm-dd"
                        } else {
                            "yyyy-mm-dd hh:mm:ss"
                        };
                        assert_eq!(raw.num_format.as_deref(), Some(format), "{}", what(i));
                    }
                    other => panic!("{name}.{col}: a column of type {other}"),
                }
            }
        }
    }
    // Every kind of column is on some sheet, so each branch above ran.
    for kind in ["text", "bool", "number", "date", "datetime"] {
        assert!(seen.get(kind).copied().unwrap_or(0) > 0, "no {kind} column");
    }
}

fn column_kind(dtype: &DataType) -> &'static str {
    match dtype {
        DataType::String => "text",
        DataType::Boolean => "bool",
        DataType::Date => "date",
        DataType::Datetime(..) => "datetime",
        d if d.is_primitive_numeric() => "number",
        _ => "other",
    }
}
