//! The numbers a reader sees on report.html — the headline, what was read, the findings'
//! counts by severity, the year and month tables — read as visible text (tags stripped, no
//! `data-*` attribute), against the CSV tables.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate};

use crate::support::fitwriter::{self, Activity};
use crate::support::*;

/// A CSV table as rows of (column → cell).
fn table(dir: &Path, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join(format!("{name}.csv"))).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|row| {
            head.iter()
                .cloned()
                .zip(row.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    let v = &row[col];
    if v.is_empty() {
        0.0
    } else {
        v.parse().unwrap_or_else(|_| panic!("{col}: {v}"))
    }
}

/// A run's local day as the tables give it: the date of `start_local`, or for a run without an
/// offset the date of `start_utc` (the default offset is 0, docs/methodology.md); `None`
/// without a time.
fn day(row: &BTreeMap<String, String>) -> Option<NaiveDate> {
    let t = [&row["start_local"], &row["start_utc"]]
        .into_iter()
        .find(|t| !t.is_empty())?;
    Some(NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d").unwrap())
}

/// The page as a document.
fn page(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("report.html")).unwrap()
}

fn parse(html: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, opts).unwrap()
}

/// What a reader sees of an element: its text with the tags stripped and spaces collapsed.
fn visible(n: roxmltree::Node) -> String {
    let text: String = n
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_class(n: &roxmltree::Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

fn find<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    tag: &str,
    class: &str,
) -> roxmltree::Node<'a, 'i> {
    doc.descendants()
        .find(|n| n.tag_name().name() == tag && has_class(n, class))
        .unwrap_or_else(|| panic!("no {tag}.{class}"))
}

/// A number as shown, to the digits shown: `shown` must be `want` rounded to `decimals`
/// (the CSV's own rounding to 0.001 allowed for).
fn close(shown: &str, want: f64, decimals: i32, what: &str) {
    let got: f64 = shown
        .trim_end_matches(" km")
        .parse()
        .unwrap_or_else(|_| panic!("{what}: `{shown}` is not a number"));
    let slack = 0.5 * 10f64.powi(-decimals) + 0.01;
    assert!(
        (got - want).abs() <= slack,
        "{what}: shown {shown}, the tables give {want:.4}"
    );
    assert_eq!(
        shown
            .trim_end_matches(" km")
            .split('.')
            .nth(1)
            .map_or(0, str::len),
        decimals as usize,
        "{what}: `{shown}` to {decimals} decimals"
    );
}

/// `h:mm` as seconds shown, against seconds.
fn close_hours(shown: &str, want_s: f64, what: &str) {
    let (h, m) = shown.split_once(':').unwrap();
    let minutes = h.parse::<f64>().unwrap() * 60.0 + m.parse::<f64>().unwrap();
    assert!(
        (minutes - want_s / 60.0).abs() <= 0.51,
        "{what}: shown {shown}, the tables give {want_s} s"
    );
}

#[test]
fn the_headline_what_was_read_and_the_finding_counts_read_as_the_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    report(&[&testdata()], &out);
    let html = page(&out);
    let doc = parse(&html);
    let activities = table(&out, "activities");
    let files = table(&out, "files");
    let findings = table(&out, "findings");
    let severities = |s: &str| findings.iter().filter(|f| f["severity"] == s).count();
    let (high, watch, info) = (severities("high"), severities("watch"), severities("info"));
    assert!(high > 0 && watch > 0, "the test needs both");

    // The headline: each figure in bold, its label after it.
    let stats: BTreeMap<String, String> = find(&doc, "ul", "stats")
        .children()
        .filter(|li| li.tag_name().name() == "li")
        .map(|li| {
            let b = li.children().find(|c| c.tag_name().name() == "b").unwrap();
            let figure = visible(b);
            let all = visible(li);
            (all[figure.len()..].trim().to_string(), figure)
        })
        .collect();
    assert_eq!(stats["runs"], activities.len().to_string(), "{stats:?}");
    let km: f64 = activities.iter().map(|a| num(a, "distance_m")).sum::<f64>() / 1000.0;
    close(&stats["in all"], km, 0, "km in all");
    let days: Vec<NaiveDate> = activities.iter().filter_map(day).collect();
    let (first, last) = (days.iter().min().unwrap(), days.iter().max().unwrap());
    assert!(days.len() < activities.len(), "testdata has undated runs");
    assert_eq!(stats["period"], format!("{first} – {last}"));
    assert_eq!(stats["high findings"], high.to_string());
    assert_eq!(stats["to watch"], watch.to_string());

    // What was read: inputs and runs.
    let read: Vec<String> = find(&doc, "ul", "read")
        .children()
        .filter(|li| li.tag_name().name() == "li")
        .map(visible)
        .collect();
    let line = |label: &str| {
        read.iter()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label} in {read:?}"))
            .clone()
    };
    assert!(line("inputs found").starts_with(&format!("{} inputs found", files.len())));
    assert!(line("runs analysed").starts_with(&format!("{} runs analysed", activities.len())));
    let status = |s: &str| files.iter().filter(|f| f["status"] == s).count();
    assert!(line("skipped").starts_with(&format!("{} skipped:", status("skipped"))));
    assert!(
        line("with a warning").starts_with(&format!("{} used with a warning:", status("warning")))
    );
    assert!(line("duplicates").starts_with(&format!("{} duplicates", status("duplicate"))));
    // Each reason's count, as written after it.
    for s in ["skipped", "warning"] {
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        for f in files.iter().filter(|f| f["status"] == s) {
            *by.entry(f["reason"].as_str()).or_default() += 1;
        }
        let l = line(if s == "skipped" {
            "skipped"
        } else {
            "with a warning"
        });
        for (reason, n) in by {
            assert!(l.contains(&format!("{reason} {n}")), "{reason} {n} in {l}");
        }
    }

    // The findings: the count line, each finding's visible severity, the folded count.
    let section = find(&doc, "div", "findings").parent().unwrap();
    let intro = section
        .children()
        .find(|p| p.tag_name().name() == "p" && visible(*p).contains(" findings ("))
        .map(visible)
        .expect("the count line");
    assert!(
        intro.starts_with(&format!(
            "{} findings ({high} high, {watch} to watch, {info} for information)",
            findings.len()
        )),
        "{intro}"
    );
    let shown: Vec<String> = doc
        .descendants()
        .filter(|n| has_class(n, "finding"))
        .map(|f| {
            let sev = f.descendants().find(|s| has_class(s, "sev")).unwrap();
            visible(sev)
        })
        .collect();
    let table_order: Vec<String> = findings.iter().map(|f| f["severity"].clone()).collect();
    assert_eq!(shown, table_order);
    if info > 0 {
        let summary = find(&doc, "details", "info")
            .children()
            .find(|c| c.tag_name().name() == "summary")
            .map(visible)
            .unwrap();
        assert_eq!(summary, format!("For information ({info})"));
    }
}

/// A run of `km` starting at `utc` (unix s) on a watch `offset_h` hours from UTC.
fn run(dir: &Path, utc: i64, offset_h: i32, km: f64, minutes: i64, serial: u32) {
    let samples = steady_run(utc, minutes, km * 1000.0 / (minutes * 60) as f64, 172.0)
        .into_iter()
        .step_by(5)
        .collect();
    let mut a = Activity::running(utc, samples);
    a.serial_number = serial;
    a.utc_offset_s = Some(offset_h * 3600);
    write(
        dir,
        &format!("{serial}.fit"),
        &fitwriter::encode_activity(&a),
    );
}

fn at(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[test]
fn the_year_and_month_tables_read_as_the_runs_and_add_up_to_the_weeks() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // Two and a half years with a year without running; New Year's Eve in UTC that is New
    // Year's Day at home (+3 h), and New Year's Day in UTC that is still the old year (−5 h).
    for (i, (utc, offset, km, minutes)) in [
        ("2019-03-10T08:00:00Z", 1, 6.0, 35),
        ("2019-03-13T17:00:00Z", 1, 8.25, 47),
        ("2019-11-02T07:00:00Z", 1, 12.4, 70),
        ("2019-12-31T22:30:00Z", 3, 5.0, 29),
        ("2020-01-01T03:00:00Z", -5, 7.35, 41),
        ("2022-06-05T06:00:00Z", 2, 21.1, 125),
        ("2022-06-07T06:00:00Z", 2, 4.0, 23),
    ]
    .into_iter()
    .enumerate()
    {
        run(&input, at(utc), offset, km, minutes, 300 + i as u32);
    }
    let out = tmp.path().join("out");
    report(&[&input], &out);
    let activities = table(&out, "activities");
    let weeks = table(&out, "weeks");
    assert_eq!(activities.len(), 7);
    let doc_text = page(&out);
    let doc = parse(&doc_text);

    // Totals per month and year from activities.csv, by each run's local day.
    #[derive(Default, Debug)]
    struct T {
        runs: usize,
        m: f64,
        s: f64,
        longest: f64,
    }
    let mut months: BTreeMap<String, T> = BTreeMap::new();
    for a in &activities {
        let d = day(a).unwrap().format("%Y-%m").to_string();
        let t = months.entry(d).or_default();
        t.runs += 1;
        t.m += num(a, "distance_m");
        t.s += num(a, "duration_s");
        t.longest = t.longest.max(num(a, "distance_m"));
    }
    // The +3 h run is in January, the −5 h one in December.
    assert!((months["2020-01"].m - 5000.0).abs() < 50.0, "{months:?}");
    assert!((months["2019-12"].m - 7350.0).abs() < 50.0, "{months:?}");
    let rows = |class: &str| -> Vec<Vec<String>> {
        find(&doc, "table", class)
            .descendants()
            .filter(|n| n.tag_name().name() == "tr")
            .filter(|tr| tr.children().any(|c| c.tag_name().name() == "td"))
            .map(|tr| {
                tr.children()
                    .filter(|c| c.tag_name().name() == "td")
                    .map(visible)
                    .collect()
            })
            .collect()
    };
    let month_rows = rows("months");
    // Every month from March 2019 to June 2022, newest first.
    assert_eq!(month_rows.len(), 10 + 12 + 12 + 6);
    assert_eq!(month_rows[0][0], "2022-06");
    assert_eq!(month_rows.last().unwrap()[0], "2019-03");
    let none = T::default();
    for r in &month_rows {
        let t = months.get(&r[0]).unwrap_or(&none);
        let what = format!("month {}", r[0]);
        assert_eq!(r[1], t.runs.to_string(), "{what}: runs");
        close(&r[2], t.m / 1000.0, 1, &format!("{what}: km"));
        close_hours(&r[3], t.s, &what);
        close(&r[4], t.longest / 1000.0, 1, &format!("{what}: longest"));
    }

    let year_rows = rows("years");
    let names: Vec<&str> = year_rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["2022", "2021", "2020", "2019"]);
    let mut shown_km = 0.0;
    let mut shown_runs = 0;
    for r in &year_rows {
        let y = &r[0];
        let what = format!("year {y}");
        let of_year: Vec<&T> = months
            .iter()
            .filter(|(k, _)| k.starts_with(y.as_str()))
            .map(|(_, t)| t)
            .collect();
        let runs: usize = of_year.iter().map(|t| t.runs).sum();
        let m: f64 = of_year.iter().map(|t| t.m).sum();
        let s: f64 = of_year.iter().map(|t| t.s).sum();
        let longest = of_year.iter().map(|t| t.longest).fold(0.0, f64::max);
        // The year's weeks in the history: its months from the first run's to the last's.
        let history_months = month_rows
            .iter()
            .filter(|m| m[0].starts_with(y.as_str()))
            .count();
        let weeks_in = history_months as f64 * 52.18 / 12.0;
        assert_eq!(r[1], runs.to_string(), "{what}: runs");
        close(&r[2], m / 1000.0, 0, &format!("{what}: km"));
        close(&r[3], m / 1000.0 / weeks_in, 1, &format!("{what}: km/wk"));
        close_hours(&r[4], s, &what);
        close(&r[5], longest / 1000.0, 1, &format!("{what}: longest"));
        shown_km += r[2].parse::<f64>().unwrap();
        shown_runs += r[1].parse::<usize>().unwrap();
    }
    // The years add up to the weeks table.
    let weeks_runs: f64 = weeks.iter().map(|w| num(w, "runs")).sum();
    let weeks_km: f64 = weeks.iter().map(|w| num(w, "distance_m")).sum::<f64>() / 1000.0;
    assert_eq!(shown_runs as f64, weeks_runs);
    assert!(
        (shown_km - weeks_km).abs() <= 0.5 * year_rows.len() as f64,
        "{shown_km} against {weeks_km}"
    );
}
