//! The documented schema is the written one: for every table, the column names that
//! `docs/schema.md` lists (the first cell of each row of the table under the heading that names
//! it in backticks) are exactly the columns of its Parquet file, in order. A column added to a
//! writer without a line in the docs, or a documented column that is gone, fails here by name.

use std::path::Path;

use crate::support::{read_parquet, report, testdata};

/// The tables `fitrisk report` writes, as `<name>.parquet`.
const TABLES: [&str; 6] = [
    "files",
    "activities",
    "segments",
    "weeks",
    "findings",
    "gear",
];

/// The column names `schema` documents for `table`: the backticked names in the first cell of
/// each row of the first markdown table under the one heading that holds `` `table` ``.
fn documented(schema: &str, table: &str) -> Result<Vec<String>, String> {
    let tag = format!("`{table}`");
    let lines: Vec<&str> = schema.lines().collect();
    let headings: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with('#') && lines[i].contains(&tag))
        .collect();
    let &[at] = headings.as_slice() else {
        return Err(format!(
            "expected one heading naming {tag}, found {}: {:?}",
            headings.len(),
            headings.iter().map(|&i| lines[i]).collect::<Vec<_>>()
        ));
    };
    let section = lines[at + 1..]
        .iter()
        .take_while(|l| !l.starts_with('#'))
        // The first table of the section: its rows are consecutive lines starting with `|`.
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'));
    let mut names = Vec::new();
    for (i, row) in section.enumerate() {
        // Row 0 is the header, row 1 the `|---|---|` line under it.
        if i < 2 {
            continue;
        }
        let first = row.split('|').nth(1).unwrap_or("");
        let cell: Vec<String> = first
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        if cell.is_empty() {
            return Err(format!(
                "a row under {tag} names no column in backticks: {row}"
            ));
        }
        names.extend(cell);
    }
    if names.is_empty() {
        return Err(format!("no table of columns under the heading {tag}"));
    }
    Ok(names)
}

/// What differs between the columns documented and the columns written, in words; `None` when
/// they are the same, in the same order.
fn difference(table: &str, documented: &[String], written: &[String]) -> Option<String> {
    if documented == written {
        return None;
    }
    let missing: Vec<&String> = written.iter().filter(|c| !documented.contains(c)).collect();
    let extra: Vec<&String> = documented.iter().filter(|c| !written.contains(c)).collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "written but not documented in docs/schema.md: {missing:?}"
        ));
    }
    if !extra.is_empty() {
        parts.push(format!(
            "documented in docs/schema.md but not written: {extra:?}"
        ));
    }
    if missing.is_empty() && extra.is_empty() {
        let twice: Vec<&String> = documented
            .iter()
            .enumerate()
            .filter(|(i, c)| documented[..*i].contains(c))
            .map(|(_, c)| c)
            .collect();
        if twice.is_empty() {
            let at = (0..written.len())
                .find(|&i| documented[i] != written[i])
                .unwrap_or(0);
            parts.push(format!(
                "the same columns in another order: column {at} is {:?} in the tables, {:?} in \
                 the docs",
                written[at], documented[at]
            ));
        } else {
            parts.push(format!("documented more than once: {twice:?}"));
        }
    }
    Some(format!(
        "{table}: {}\n  documented: {documented:?}\n  written:    {written:?}",
        parts.join("; ")
    ))
}

#[test]
fn every_table_has_exactly_the_columns_docs_schema_md_lists_in_order() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema.md");
    let schema = std::fs::read_to_string(&schema_path)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let r = report(&[&testdata()], &out);
    // An empty table still has its schema: testdata has no gear, so `gear` is checked on its
    // header alone.
    let mut problems = Vec::new();
    for table in TABLES {
        let df = read_parquet(&r.dir.join(format!("{table}.parquet")));
        let written: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(!written.is_empty(), "{table}.parquet has no columns");
        match documented(&schema, table) {
            Err(e) => problems.push(format!("{table}: {e}")),
            Ok(doc) => problems.extend(difference(table, &doc, &written)),
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_schema_check_reads_the_docs_table_and_names_what_differs() {
    let md = "# Schema\n\n## `runs` — one row per run\n\nSome words, `not_a_column`.\n\n\
              | column | meaning |\n|---|---|\n| `a`, `b` | two, with a `c` in the meaning |\n\
              | `d` | one |\n\nAfter: `e`.\n\n| other | table |\n|---|---|\n| `f` | no |\n\n\
              ## `runs_extra`\n\n| column | meaning |\n|---|---|\n| `g` | |\n";
    let doc = documented(md, "runs").unwrap();
    assert_eq!(doc, ["a", "b", "d"]);
    assert_eq!(documented(md, "runs_extra").unwrap(), ["g"]);
    assert!(documented(md, "weeks").unwrap_err().contains("found 0"));
    assert!(documented("## `t`\n\n| c | m |\n|---|---|\n| none | x |\n", "t").is_err());

    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(difference("runs", &doc, &s(&["a", "b", "d"])), None);
    let added = difference("runs", &doc, &s(&["a", "b", "new_m", "d"])).unwrap();
    assert!(
        added.contains("written but not documented in docs/schema.md: [\"new_m\"]"),
        "{added}"
    );
    let gone = difference("runs", &doc, &s(&["a", "d"])).unwrap();
    assert!(
        gone.contains("documented in docs/schema.md but not written: [\"b\"]"),
        "{gone}"
    );
    let moved = difference("runs", &doc, &s(&["b", "a", "d"])).unwrap();
    assert!(moved.contains("another order"), "{moved}");
}
