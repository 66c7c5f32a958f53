//! The squad view of a cohort: one row per athlete — this week's and last week's distance and
//! ratio, the open `high` and `watch` findings, days since the last run, shoes past their
//! distance, the last pain — as `squad.csv` and `squad.html`, the coach's Monday view.
//!
//! It is built from the cohort's dataset (`<table>/athlete=<name>/part-0.parquet`), so that the
//! same view comes from one unsharded run and from `fitrisk squad` after sharded ones.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use polars::prelude::*;

use super::export::{write_pieces_atomic, HIVE_FILE};
use super::partition::{unescape, ATHLETES};

/// The squad files' names.
pub(crate) const SQUAD_CSV: &str = "squad.csv";
pub(crate) const SQUAD_HTML: &str = "squad.html";

/// Findings open on the view's day: those reaching into its last four weeks (as the page's
/// "now"), and not after it.
const OPEN_DAYS: i64 = 28;

/// One athlete's row.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Row {
    /// The folder's name, escaped (the partition value and the page's folder).
    pub(crate) folder: String,
    /// The athlete's name (the folder's, unescaped; shown lossily if it is not UTF-8).
    pub(crate) athlete: String,
    /// Its tables are in the dataset (false: its report did not finish).
    pub(crate) reported: bool,
    pub(crate) runs: usize,
    pub(crate) last_run: Option<NaiveDate>,
    pub(crate) days_since_last_run: Option<i64>,
    /// The week holding the view's day.
    pub(crate) week_start: Option<NaiveDate>,
    pub(crate) this_week_m: Option<f64>,
    pub(crate) this_week_acwr: Option<f64>,
    pub(crate) last_week_m: Option<f64>,
    pub(crate) last_week_acwr: Option<f64>,
    pub(crate) usual_m: Option<f64>,
    pub(crate) high_open: usize,
    pub(crate) watch_open: usize,
    /// The first open `high` or `watch` finding's message (the findings' own order).
    pub(crate) top_finding: Option<String>,
    pub(crate) shoes_past_distance: usize,
    pub(crate) last_pain: Option<f64>,
    pub(crate) last_pain_week: Option<NaiveDate>,
}

/// Writes squad.csv and squad.html into the cohort's folder `dir`, for the day `as_of`
/// (today, UTC, by default), and says so unless `quiet`.
pub(crate) fn write(dir: &Path, as_of: Option<NaiveDate>, quiet: bool) -> anyhow::Result<()> {
    let day = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let rows = read(dir, day)?;
    let missing: Vec<&str> = rows
        .iter()
        .filter(|r| !r.reported)
        .map(|r| r.athlete.as_str())
        .collect();
    write_pieces_atomic(dir, SQUAD_CSV, [csv(&rows)?])?;
    write_pieces_atomic(dir, SQUAD_HTML, [html(&rows, day)])?;
    if !quiet {
        println!(
            "squad      {} athletes as of {day}: {} with open high findings; {} and {}",
            rows.len(),
            rows.iter().filter(|r| r.high_open > 0).count(),
            dir.join(SQUAD_CSV).display(),
            dir.join(SQUAD_HTML).display()
        );
    }
    if !missing.is_empty() {
        anyhow::bail!(
            "{} {} no tables in the dataset (a report that did not finish): {}; the squad view \
             marks {} not reported",
            missing.len(),
            if missing.len() == 1 {
                "athlete has"
            } else {
                "athletes have"
            },
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}

/// Every athlete's row, those with open high and watch findings first, then by folder name:
/// the athletes are the folders of `athletes/`.
pub(crate) fn read(dir: &Path, day: NaiveDate) -> anyhow::Result<Vec<Row>> {
    let mut folders: Vec<String> = std::fs::read_dir(dir.join(ATHLETES))
        .with_context(|| format!("cannot read {}", dir.join(ATHLETES).display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    folders.sort();
    let mut rows: Vec<Row> = folders
        .iter()
        .map(|f| row(dir, f, day))
        .collect::<anyhow::Result<_>>()?;
    // Who needs a look first: open high findings, then watch, then by name.
    rows.sort_by(|a, b| {
        (b.high_open, b.watch_open)
            .cmp(&(a.high_open, a.watch_open))
            .then_with(|| a.folder.cmp(&b.folder))
    });
    Ok(rows)
}

/// One athlete's table from the dataset; `None` when its shard has not written it.
fn table(dir: &Path, stem: &str, folder: &str) -> anyhow::Result<Option<DataFrame>> {
    let path = dir
        .join(stem)
        .join(format!("athlete={folder}"))
        .join(HIVE_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let file = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(Some(df))
}

fn dates(df: &DataFrame, col: &str) -> Vec<Option<NaiveDate>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    match df.column(col).and_then(|c| c.cast(&DataType::Int32)) {
        Ok(c) => c
            .i32()
            .map(|c| {
                c.iter()
                    .map(|d| d.map(|d| epoch + Duration::days(i64::from(d))))
                    .collect()
            })
            .unwrap_or_default(),
        Err(_) => vec![None; df.height()],
    }
}

fn numbers(df: &DataFrame, col: &str) -> Vec<Option<f64>> {
    match df.column(col).and_then(|c| c.cast(&DataType::Float64)) {
        Ok(c) => c.f64().map(|c| c.iter().collect()).unwrap_or_default(),
        Err(_) => vec![None; df.height()],
    }
}

fn texts(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    match df.column(col).and_then(|c| c.str().cloned()) {
        Ok(c) => c.iter().map(|s| s.map(str::to_string)).collect(),
        Err(_) => vec![None; df.height()],
    }
}

/// The row of the athlete whose folder is `folder`.
fn row(dir: &Path, folder: &str, day: NaiveDate) -> anyhow::Result<Row> {
    let name: OsString = unescape(folder);
    let mut r = Row {
        folder: folder.to_string(),
        athlete: name.to_string_lossy().into_owned(),
        reported: true,
        ..Row::default()
    };
    // Its report did not finish (a shard killed, an athlete that failed): said, not shown as
    // an athlete without runs.
    let Some(a) = table(dir, "activities", folder)? else {
        r.reported = false;
        return Ok(r);
    };
    let days: Vec<Option<NaiveDate>> = dates(&a, "local_day")
        .into_iter()
        .map(|d| d.filter(|&d| d <= day))
        .collect();
    r.runs = days.iter().flatten().count();
    r.last_run = days.iter().flatten().max().copied();
    r.days_since_last_run = r.last_run.map(|d| (day - d).num_days());
    if let Some(w) = table(dir, "weeks", folder)? {
        this_and_last_week(&w, day, &mut r);
    }
    // This week so far: its runs up to the view's day (the table's week may run past it).
    if let Some(start) = r.week_start {
        let m = numbers(&a, "distance_m");
        let so_far = days
            .iter()
            .zip(&m)
            .filter(|(d, _)| d.is_some_and(|d| d >= start))
            .map(|(_, m)| m.unwrap_or(0.0))
            .sum::<f64>();
        r.this_week_m = Some(so_far + 0.0);
    }
    if let Some(f) = table(dir, "findings", folder)? {
        open_findings(&f, day, &mut r);
    }
    if let Some(g) = table(dir, "gear", folder)? {
        r.shoes_past_distance = shoes_past_distance(&g);
    }
    Ok(r)
}

/// This week's and last week's distance and ratio, the usual load, and the last week with pain
/// up to the view's day.
fn this_and_last_week(w: &DataFrame, day: NaiveDate, r: &mut Row) {
    let starts = dates(w, "week_start");
    let (m, acwr, usual, pain) = (
        numbers(w, "distance_m"),
        numbers(w, "acwr"),
        numbers(w, "usual_m"),
        numbers(w, "pain_max"),
    );
    let week_of = |day: NaiveDate| {
        starts
            .iter()
            .position(|s| s.is_some_and(|s| s <= day && day < s + Duration::days(7)))
    };
    // The week's first day follows the report's --week-start: read it off the table.
    let first = starts.iter().flatten().next().copied();
    r.week_start = first.map(|f| day - Duration::days((day - f).num_days().rem_euclid(7)));
    if let Some(i) = week_of(day) {
        r.this_week_acwr = acwr[i];
    }
    // After the history's last week, a week without a row had no running.
    let after = |d: NaiveDate| first.is_some_and(|f| f <= d);
    match week_of(day - Duration::days(7)) {
        Some(i) => {
            r.last_week_m = m[i];
            r.last_week_acwr = acwr[i];
        }
        None if after(day - Duration::days(7)) => r.last_week_m = Some(0.0),
        None => {}
    }
    // The usual load of the latest week up to the view's day.
    r.usual_m = (0..starts.len())
        .rev()
        .find(|&i| starts[i].is_some_and(|s| s <= day))
        .and_then(|i| usual[i]);
    if let Some(i) = (0..starts.len())
        .rev()
        .find(|&i| pain[i].is_some_and(|p| p > 0.0) && starts[i].is_some_and(|s| s <= day))
    {
        r.last_pain = pain[i];
        r.last_pain_week = starts[i];
    }
}

/// The `high` and `watch` findings open on the view's day, and the first one's message.
fn open_findings(f: &DataFrame, day: NaiveDate, r: &mut Row) {
    let (severity, message) = (texts(f, "severity"), texts(f, "message"));
    let (first, last) = (dates(f, "first_local"), dates(f, "last_local"));
    for i in 0..f.height() {
        let reaches = last[i]
            .or(first[i])
            .is_some_and(|l| l > day - Duration::days(OPEN_DAYS));
        let started = first[i].is_none_or(|s| s <= day);
        if !(reaches && started) {
            continue;
        }
        match severity[i].as_deref() {
            Some("high") => r.high_open += 1,
            Some("watch") => r.watch_open += 1,
            _ => continue,
        }
        if r.top_finding.is_none() {
            r.top_finding = message[i].clone();
        }
    }
}

/// Pairs past the largest distance the gear table dates (its last `crossed_<N>_m` column) and
/// not retired.
fn shoes_past_distance(g: &DataFrame) -> usize {
    let Some(col) = g
        .get_column_names()
        .into_iter()
        .rfind(|c| c.starts_with("crossed_") && c.ends_with("_m"))
        .map(|c| c.to_string())
    else {
        return 0;
    };
    let (crossed, retired) = (dates(g, &col), dates(g, "retired_local"));
    (0..g.height())
        .filter(|&i| crossed[i].is_some() && retired[i].is_none())
        .count()
}

/// The columns of squad.csv.
const COLUMNS: [&str; 19] = [
    "athlete",
    "folder",
    "reported",
    "runs",
    "last_run_local",
    "days_since_last_run",
    "week_start",
    "this_week_m",
    "this_week_acwr",
    "last_week_m",
    "last_week_acwr",
    "usual_m",
    "high_open",
    "watch_open",
    "top_finding",
    "shoes_past_distance",
    "last_pain",
    "last_pain_week",
    "page",
];

fn csv(rows: &[Row]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    let num = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.3}"));
    let date = |x: Option<NaiveDate>| x.map_or(String::new(), |d| d.to_string());
    for r in rows {
        w.write_record([
            r.athlete.clone(),
            r.folder.clone(),
            r.reported.to_string(),
            r.runs.to_string(),
            date(r.last_run),
            r.days_since_last_run
                .map_or(String::new(), |d| d.to_string()),
            date(r.week_start),
            num(r.this_week_m),
            num(r.this_week_acwr),
            num(r.last_week_m),
            num(r.last_week_acwr),
            num(r.usual_m),
            r.high_open.to_string(),
            r.watch_open.to_string(),
            r.top_finding.clone().unwrap_or_default(),
            r.shoes_past_distance.to_string(),
            num(r.last_pain),
            date(r.last_pain_week),
            page(r),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The athlete's page, relative to the squad files.
fn page(r: &Row) -> String {
    format!("{ATHLETES}/{}/report.html", r.folder)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A link's target: the page's path with `%` and the characters a URL gives a meaning to
/// written as `%XX` (the folder names hold `%XX` themselves).
fn href(path: &str) -> String {
    let mut o = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-_./~".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

fn html(rows: &[Row], day: NaiveDate) -> String {
    let mut o = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>fitrisk squad, {day}</title>\n<style>body{{font-family:system-ui,sans-serif;\
         margin:0 auto;max-width:1100px;padding:12px;color:#222}}table{{border-collapse:collapse;\
         font-size:.9em}}th,td{{padding:.25em .6em;border-bottom:1px solid #eee;text-align:right}}\
         th:first-child,td:first-child,td.text{{text-align:left}}.high{{color:#b00020;\
         font-weight:bold}}.watch{{color:#a15c00;font-weight:bold}}small{{color:#555}}</style>\n\
         </head>\n<body>\n<h1>Squad, {day}</h1>\n<p>{} athletes, those with open findings first. \
         \"This week\" is the one holding {day}; open findings reach into the four weeks up \
         to it. These are load heuristics, not diagnoses.</p>\n\
         <div style=\"overflow-x:auto\"><table class=\"squad\"><thead><tr>\
         <th>Athlete</th><th>Runs</th><th>Days since a run</th><th>This week, km</th>\
         <th>Ratio</th><th>Last week, km</th><th>Ratio</th><th>Usual, km</th><th>High</th>\
         <th>Watch</th><th>First open finding</th><th>Shoes past distance</th><th>Last pain</th>\
         </tr></thead><tbody>\n",
        rows.len()
    );
    let km = |m: Option<f64>| m.map_or(String::new(), |m| format!("{:.1}", m / 1000.0));
    let ratio = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.2}"));
    for r in rows {
        if !r.reported {
            let _ = writeln!(
                o,
                "<tr data-athlete=\"{}\" data-reported=\"false\"><td>{}</td><td colspan=\"12\" \
                 class=\"text\"><span class=\"high\">not reported</span>: its report did not \
                 finish; run it (or its shard) again</td></tr>",
                escape(&r.folder),
                escape(&r.athlete)
            );
            continue;
        }
        let pain = match (r.last_pain, r.last_pain_week) {
            (Some(p), Some(w)) => format!("{p:.0}/10, week of {w}"),
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "<tr data-athlete=\"{}\" data-high=\"{}\" data-watch=\"{}\"><td><a href=\"{}\">{}</a>\
             </td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"high\">{}</td><td class=\"watch\">{}</td><td class=\"text\"><small>{}\
             </small></td><td>{}</td><td>{}</td></tr>",
            escape(&r.folder),
            r.high_open,
            r.watch_open,
            escape(&href(&page(r))),
            escape(&r.athlete),
            r.runs,
            r.days_since_last_run
                .map_or(String::new(), |d| d.to_string()),
            km(r.this_week_m),
            ratio(r.this_week_acwr),
            km(r.last_week_m),
            ratio(r.last_week_acwr),
            km(r.usual_m),
            zero_blank(r.high_open),
            zero_blank(r.watch_open),
            escape(r.top_finding.as_deref().unwrap_or("")),
            zero_blank(r.shoes_past_distance),
            escape(&pain),
        );
    }
    o.push_str(
        "</tbody></table></div>\n<p><small>Made by fitrisk from each athlete's report; \
         squad.csv has the same rows.</small></p>\n</body>\n</html>\n",
    );
    o
}

fn zero_blank(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        n.to_string()
    }
}
