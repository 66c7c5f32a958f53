//! report.html as a document: self-contained, every chart in both layouts with its legend
//! beside it, text that stays readable on a phone, the whole history charted, totals that add up
//! to the tables, the findings in the table's order, and the "what was read" block matching the
//! ledger.

use std::collections::BTreeMap;
use std::fs;

use chrono::NaiveDate;

use crate::support::fitwriter::{self, Activity};
use crate::support::*;

fn html(r: &Report) -> String {
    fs::read_to_string(r.dir.join("report.html")).unwrap()
}

fn parse(html: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, opts).expect("report.html is well-formed")
}

fn has_class(n: &roxmltree::Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

/// The text of an element: its text nodes, each once (an element's own `text()` is its first
/// child's, which the text node gives again).
fn text_of(n: &roxmltree::Node) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect::<Vec<_>>()
        .join(" ")
}

fn attr_f64(n: &roxmltree::Node, name: &str) -> f64 {
    n.attribute(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .parse()
        .unwrap()
}

/// A run of `km` at noon UTC on a day, with its own serial number (no two are duplicates).
fn run_on(dir: &std::path::Path, day: NaiveDate, km: f64, serial: u32) {
    run_at(dir, day, km, 172.0, serial)
}

/// …at a cadence.
fn run_at(dir: &std::path::Path, day: NaiveDate, km: f64, spm: f64, serial: u32) {
    let t = day.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp();
    let minutes = 40;
    let mut a = Activity::running(t, steady_run(t, minutes, km * 1000.0 / 2400.0, spm));
    a.serial_number = serial;
    a.utc_offset_s = Some(0);
    write(dir, &format!("{day}.fit"), &fitwriter::encode_activity(&a));
}

/// Three and a half years with long breaks: March 2019, August 2020, November 2022.
fn history(dir: &std::path::Path) {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    for (i, (day, km)) in [
        (d(2019, 3, 10), 6.0),
        (d(2019, 3, 13), 8.0),
        (d(2019, 3, 17), 7.0),
        (d(2019, 4, 2), 9.0),
        (d(2020, 8, 2), 5.0),
        (d(2020, 8, 5), 6.5),
        (d(2022, 11, 20), 10.0),
    ]
    .into_iter()
    .enumerate()
    {
        run_on(dir, day, km, 100 + i as u32);
    }
}

#[test]
fn the_page_is_self_contained_with_every_chart_in_two_layouts_and_legends_outside_them() {
    let tmp = tempfile::tempdir().unwrap();
    let r = report(&[&testdata()], &tmp.path().join("out"));
    let html = html(&r);
    let doc = parse(&html);
    let figures: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "figure")
        .collect();
    let titles: Vec<String> = figures
        .iter()
        .map(|f| {
            text_of(
                &f.children()
                    .find(|c| c.tag_name().name() == "h3")
                    .expect("a title"),
            )
        })
        .collect();
    for want in [
        "Every week",
        "The last 52 weeks",
        "Distance per month",
        "Cadence per run",
        "Downhill against flat cadence",
        "Surfaces, year by year",
    ] {
        assert!(
            titles.iter().any(|t| t.starts_with(want)),
            "{want} in {titles:?}"
        );
    }
    for (f, title) in figures.iter().zip(&titles) {
        let svgs: Vec<_> = f
            .descendants()
            .filter(|n| n.tag_name().name() == "svg")
            .collect();
        assert_eq!(svgs.len(), 2, "{title}: a wide and a narrow layout");
        // The legend is HTML beside the plot: none of its labels is drawn inside a chart.
        let legend = f
            .children()
            .find(|c| has_class(c, "legend"))
            .unwrap_or_else(|| panic!("{title}: no legend"));
        let labels: Vec<String> = legend
            .children()
            .filter(|c| c.tag_name().name() == "li")
            .map(|li| text_of(&li).trim().to_string())
            .collect();
        assert!(!labels.is_empty(), "{title}");
        for svg in &svgs {
            let drawn = text_of(svg);
            for l in &labels {
                assert!(
                    !drawn.contains(l.as_str()),
                    "{title}: legend {l:?} in the plot"
                );
            }
            let shapes = svg
                .descendants()
                .filter(|d| matches!(d.tag_name().name(), "rect" | "circle" | "polyline"))
                .count();
            assert!(shapes > 3, "{title}: only {shapes} shapes");
            let vb: Vec<f64> = svg
                .attribute("viewBox")
                .expect("a view box: the chart scales")
                .split(' ')
                .map(|v| v.parse().unwrap())
                .collect();
            // Text stays at least 11 px where each layout is shown: the narrow one on a 400 px
            // phone (376 px of page), the wide one from a 720 px window (696 px of page).
            let shown = if vb[2] > 600.0 { 696.0 } else { 376.0 };
            for t in svg.descendants().filter(|d| d.tag_name().name() == "text") {
                let size = attr_f64(&t, "font-size");
                assert!(
                    size * shown / vb[2] >= 11.0,
                    "{title}: {size} units in a {}-wide view box is {:.1} px",
                    vb[2],
                    size * shown / vb[2]
                );
            }
            // No dot is cut by the edge of the picture.
            for c in svg
                .descendants()
                .filter(|d| d.tag_name().name() == "circle")
            {
                let (x, y, r) = (attr_f64(&c, "cx"), attr_f64(&c, "cy"), attr_f64(&c, "r"));
                assert!(
                    x - r >= 0.0 && y - r >= 0.0 && x + r <= vb[2] && y + r <= vb[3],
                    "{title}: dot at {x},{y} cut"
                );
            }
        }
    }
    // The ratio band and the cadence line are named.
    assert!(html.contains("0.8–1.5, the usual range"));
    assert!(html.contains("160 steps/min, the low-cadence line"));
    // Nothing is loaded from elsewhere: no scripts, links, images, fonts or remote URLs.
    for n in doc.descendants().filter(|n| n.is_element()) {
        assert!(
            !matches!(
                n.tag_name().name(),
                "script" | "link" | "img" | "iframe" | "object"
            ),
            "external element {}",
            n.tag_name().name()
        );
        for a in n.attributes() {
            if a.name() == "xmlns" {
                continue;
            }
            assert!(
                !a.value().contains("://"),
                "external reference {}={}",
                a.name(),
                a.value()
            );
        }
    }
    assert!(!html.contains("@import") && !html.contains("url("));
    assert!(html.contains("not a diagnosis") && html.contains("clinician"));
    assert!(doc
        .descendants()
        .any(|n| n.tag_name().name() == "meta" && n.attribute("name") == Some("viewport")));
}

#[test]
fn the_weekly_chart_spans_the_whole_history_and_the_totals_add_up_to_the_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    history(&input);
    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(r.activities.height(), 7);
    let weeks = read_parquet(&r.dir.join("weeks.parquet"));
    let week = |i: usize| {
        weeks
            .column("week_start")
            .unwrap()
            .get(i)
            .unwrap()
            .to_string()
    };
    let html = html(&r);
    let doc = parse(&html);
    let all = doc
        .descendants()
        .find(|n| n.tag_name().name() == "figure" && has_class(n, "weeks-all"))
        .expect("the whole-history chart");
    assert_eq!(all.attribute("data-from"), Some(week(0).as_str()));
    assert_eq!(
        all.attribute("data-to"),
        Some(week(weeks.height() - 1).as_str())
    );
    assert_eq!(all.attribute("data-from"), Some("2019-03-04"));
    assert_eq!(all.attribute("data-to"), Some("2022-11-14"));
    assert_eq!(
        all.attribute("data-weeks")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        weeks.height()
    );
    // The zoom is the last 52 weeks.
    let recent = doc
        .descendants()
        .find(|n| n.tag_name().name() == "figure" && has_class(n, "weeks-recent"))
        .unwrap();
    assert_eq!(
        recent.attribute("data-from"),
        Some(week(weeks.height() - 52).as_str())
    );

    let rows = |class: &str, key: &str| -> Vec<(String, u32, f64)> {
        let table = doc
            .descendants()
            .find(|n| n.tag_name().name() == "table" && has_class(n, class))
            .unwrap_or_else(|| panic!("no {class} table"));
        table
            .descendants()
            .filter(|n| n.tag_name().name() == "tr" && n.attribute(key).is_some())
            .map(|n| {
                (
                    n.attribute(key).unwrap().to_string(),
                    n.attribute("data-runs").unwrap().parse().unwrap(),
                    attr_f64(&n, "data-m"),
                )
            })
            .collect()
    };
    let years = rows("years", "data-year");
    let months = rows("months", "data-month");
    // Every year and every month of the history, those without running included.
    let names: Vec<&str> = years.iter().map(|y| y.0.as_str()).collect();
    assert_eq!(names, ["2022", "2021", "2020", "2019"]);
    assert_eq!(months.len(), 12 * 3 + 11 - 2);
    assert_eq!(years[1].1, 0);
    // Years against the runs table, by the year of each run's local start.
    let dist = nums(&r.activities, "distance_m");
    let mut by_year: BTreeMap<String, (u32, f64)> = BTreeMap::new();
    for (i, d) in dist.iter().enumerate() {
        let start = r
            .activities
            .column("start_local")
            .unwrap()
            .get(i)
            .unwrap()
            .to_string();
        let e = by_year.entry(start[..4].to_string()).or_default();
        e.0 += 1;
        e.1 += d.unwrap();
    }
    for (y, runs, m) in &years {
        let (want_runs, want_m) = by_year.get(y).copied().unwrap_or_default();
        assert_eq!(*runs, want_runs, "{y}");
        assert!((m - want_m).abs() < 0.06, "{y}: {m} against {want_m}");
        // …and against its months.
        let in_months: f64 = months
            .iter()
            .filter(|x| x.0.starts_with(y.as_str()))
            .map(|x| x.2)
            .sum();
        assert!(
            (m - in_months).abs() < 0.5,
            "{y}: {m} against months {in_months}"
        );
    }
    // All years together are the weeks table.
    let weeks_m: f64 = nums(&weeks, "distance_m").iter().map(|v| v.unwrap()).sum();
    let years_m: f64 = years.iter().map(|y| y.2).sum();
    assert!(
        (weeks_m - years_m).abs() < 0.5,
        "{weeks_m} against {years_m}"
    );
    let weeks_runs: f64 = nums(&weeks, "runs").iter().map(|v| v.unwrap()).sum();
    assert_eq!(years.iter().map(|y| y.1).sum::<u32>() as f64, weeks_runs);
}

#[test]
fn the_page_lists_every_finding_in_the_tables_order_what_matters_now_first() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    history(&input);
    // A low cadence three days after the last return: a watch finding of the last weeks.
    let day = NaiveDate::from_ymd_opt(2022, 11, 23).unwrap();
    run_at(&input, day, 5.0, 152.0, 99);
    // And one years before: a finding of the history.
    run_at(
        &input,
        NaiveDate::from_ymd_opt(2020, 8, 9).unwrap(),
        5.0,
        148.0,
        98,
    );
    let r = report(&[&input], &tmp.path().join("out"));
    let findings = read_parquet(&r.dir.join("findings.parquet"));
    let html = html(&r);
    let doc = parse(&html);
    let listed: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| has_class(n, "finding"))
        .map(|n| {
            (
                n.attribute("data-rule").unwrap().to_string(),
                n.attribute("data-severity").unwrap().to_string(),
            )
        })
        .collect();
    let table: Vec<(String, String)> = strs(&findings, "rule")
        .into_iter()
        .zip(strs(&findings, "severity"))
        .map(|(a, b)| (a.unwrap(), b.unwrap()))
        .collect();
    assert_eq!(listed, table, "the page lists the table, in its order");
    let part = |class: &str| {
        doc.descendants()
            .find(|n| has_class(n, "findings") && has_class(n, class))
            .map(|n| text_of(&n))
            .unwrap_or_default()
    };
    // Now: the recent low cadence, and nothing older.
    let now = part("now");
    assert!(
        now.contains("2022-11-23") && now.contains("152 spm"),
        "{now}"
    );
    assert!(!now.contains("148 spm"), "{now}");
    // The four weeks up to the last run, 2022-11-23.
    assert!(html.contains("<h3>Now (since 2022-10-27)</h3>"), "{html}");
    assert!(part("history").contains("148 spm"));
    // The findings for information are folded, with their count.
    let info = doc
        .descendants()
        .find(|n| n.tag_name().name() == "details" && has_class(n, "info"));
    let n_info = table.iter().filter(|t| t.1 == "info").count();
    match info {
        Some(d) => assert_eq!(d.attribute("data-count"), Some(n_info.to_string().as_str())),
        None => assert_eq!(n_info, 0),
    }
}

#[test]
fn what_was_read_matches_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let r = report(&[&testdata()], &tmp.path().join("out"));
    let html = html(&r);
    let doc = parse(&html);
    let block = doc
        .descendants()
        .find(|n| n.tag_name().name() == "ul" && has_class(n, "read"))
        .expect("the block");
    let find = |attr: &str| {
        block
            .descendants()
            .find_map(|n| n.attribute(attr))
            .unwrap_or_else(|| panic!("no {attr}"))
            .parse::<usize>()
            .unwrap()
    };
    assert_eq!(find("data-inputs"), r.files.height());
    assert_eq!(find("data-runs"), r.activities.height());
    let status = strs(&r.files, "status");
    let reason = strs(&r.files, "reason");
    let dups = status
        .iter()
        .filter(|s| s.as_deref() == Some("duplicate"))
        .count();
    assert!(dups > 0, "testdata has a duplicate");
    assert_eq!(find("data-duplicates"), dups);
    // Every reason listed with its count: skipped and warnings, as in files.csv.
    let mut want: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (s, why) in status.iter().zip(&reason) {
        if let (Some(s), Some(why)) = (s, why) {
            if s == "skipped" || s == "warning" {
                *want.entry((s.clone(), why.clone())).or_default() += 1;
            }
        }
    }
    assert!(!want.is_empty());
    let listed: Vec<(String, usize)> = block
        .descendants()
        .filter_map(|n| {
            Some((
                n.attribute("data-reason")?.to_string(),
                n.attribute("data-count")?.parse().ok()?,
            ))
        })
        .collect();
    assert_eq!(listed.len(), want.len(), "{listed:?} against {want:?}");
    for ((_, why), n) in &want {
        assert!(
            listed.contains(&(why.clone(), *n)),
            "{why} {n} in {listed:?}"
        );
    }
}
