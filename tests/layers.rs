//! The crate's shape: no import cycle between its modules, the model and the configuration are
//! leaves, and no source file grows past 500 lines outside its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every source file under `src/` with its text, by path relative to `src/`.
fn crate_sources() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The top-level module a file belongs to (`analyse` for `analyse/downhill/mod.rs`); `None`
/// for the crate root and the binary.
fn module_of(rel: &str) -> Option<String> {
    let first = rel.split('/').next()?;
    match first {
        "lib.rs" | "main.rs" => None,
        f => Some(f.trim_end_matches(".rs").to_string()),
    }
}

/// The top-level modules a file's code names through `crate::` (comments left out).
fn uses(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
        // `use crate::{a, b}` names several.
        if let Some(group) = code.split("crate::{").nth(1) {
            for name in group.split([',', '}']).map(|n| n.trim()) {
                let name = name.split("::").next().unwrap_or("");
                if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in crate_sources() {
        let Some(m) = module_of(&rel) else { continue };
        let deps = g.entry(m.clone()).or_default();
        deps.extend(uses(&text).into_iter().filter(|d| *d != m));
    }
    g
}

/// Orders modules lowest layer first (Kahn's algorithm); returns the order and what could not
/// be ordered, which is everything on or above a cycle.
fn layer_order(
    g: &BTreeMap<String, BTreeSet<String>>,
) -> (Vec<String>, BTreeMap<String, BTreeSet<String>>) {
    let mut left = g.clone();
    let mut order = Vec::new();
    while let Some(next) = left
        .iter()
        .find(|(_, deps)| deps.iter().all(|d| !left.contains_key(d)))
        .map(|(m, _)| m.clone())
    {
        left.remove(&next);
        order.push(next);
    }
    (order, left)
}

#[test]
fn modules_form_layers_without_cycles() {
    let g = graph();
    assert!(g.len() >= 8, "{g:?}");
    for leaf in ["model", "config"] {
        assert_eq!(
            g[leaf],
            BTreeSet::new(),
            "{leaf} must depend on no other module"
        );
    }
    let (order, left) = layer_order(&g);
    assert!(
        left.is_empty(),
        "import cycle among {:?} (each with what it imports: {left:?})",
        left.keys().collect::<Vec<_>>()
    );
    eprintln!("layers, lowest first: {}", order.join(" → "));
}

#[test]
fn the_check_sees_imports_and_cycles() {
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        uses("use crate::b::X;\nfn f() { crate::c::g(); } // crate::d\n"),
        set(&["b", "c"])
    );
    assert_eq!(
        uses("use crate::{model::Samples, series};"),
        set(&["model", "series"])
    );
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), set(&["b"]));
    g.insert("b".to_string(), set(&["c"]));
    g.insert("c".to_string(), set(&[]));
    assert_eq!(layer_order(&g).0, vec!["c", "b", "a"]);
    g.insert("c".to_string(), set(&["a"]));
    assert_eq!(layer_order(&g).1.len(), 3);
}

#[test]
fn no_source_file_is_over_500_lines_outside_its_tests() {
    let mut long = Vec::new();
    for (rel, text) in crate_sources() {
        if rel.ends_with("/tests.rs") {
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let lines = code.lines().count();
        if lines > 500 {
            long.push((rel, lines));
        }
    }
    assert!(long.is_empty(), "{long:?}");
}
