//! The crate's shape: no import cycle between its modules, the model and the configuration are
//! leaves, and no source file grows past 500 lines outside its tests.
//!
//! Sources are read as Rust, not line by line: comments, strings and character literals are
//! blanked first; an import is read whole however rustfmt wraps it (`use crate::{ … }` over
//! several lines), `super::` is resolved from the module it is written in, and a file's test
//! code is left out wherever it stands: `#[cfg(test)]` items (a test module at the top of a
//! file as well as at its end), and whole files that are test modules (`tests.rs`, or a file
//! its parent declares under `#[cfg(test)]`).

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

/// Every source file under `src` with its text, by path relative to `src` (`/`-separated).
fn crate_sources(src: &Path) -> BTreeMap<String, String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn real_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module path of a file (`["analyse", "downhill"]` for `analyse/downhill/mod.rs`); empty
/// for the crate root and the binary.
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    let last = parts.pop().unwrap_or_default();
    let root = parts.is_empty() && matches!(last.as_str(), "lib.rs" | "main.rs");
    if !root && last != "mod.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    parts
}

/// `text` with comments, string literals and character literals blanked to spaces (line
/// breaks kept), so that what is left is code, line for line.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let at = |i: usize, k: usize| c.get(i + k).copied().unwrap_or('\0');
        if c[i] == '/' && at(i, 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '/' && at(i, 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i, 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && at(i, 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if c[i] == 'r'
            && (at(i, 1) == '"' || at(i, 1) == '#')
            && (i == 0 || !ident(c[i - 1]) || (c[i - 1] == 'b' && (i < 2 || !ident(c[i - 2]))))
        {
            // A raw string: r"…", r#"…"#, br"…".
            let hashes = (1..).take_while(|&k| at(i, k) == '#').count();
            if at(i, 1 + hashes) != '"' {
                out.push(c[i]);
                i += 1;
                continue;
            }
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let start = i;
            i += 2 + hashes;
            while i < c.len() && !c[i..].starts_with(&close) {
                i += 1;
            }
            i = (i + close.len()).min(c.len());
            for &ch in &c[start..i] {
                blank(&mut out, ch);
            }
        } else if c[i] == '"' {
            blank(&mut out, c[i]);
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    blank(&mut out, c[i]);
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            if i < c.len() {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '\'' && (at(i, 1) == '\\' || (at(i, 1) != '\0' && at(i, 2) == '\'')) {
            // A character literal ('x', '\n', '\'', '\u{…}'); a lifetime stays code.
            blank(&mut out, c[i]);
            i += 1;
            if c[i] == '\\' {
                blank(&mut out, c[i]);
                i += 1;
            }
            blank(&mut out, c[i]);
            i += 1;
            while i < c.len() && c[i] != '\'' {
                blank(&mut out, c[i]);
                i += 1;
            }
            if i < c.len() {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// A token of code: a word (identifier, keyword or number), `::`, or one other character,
/// with its line (1-based).
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    PathSep,
    Punct(char),
}

fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let code = code_only(text);
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((Tok::Word(c[start..i].iter().collect()), line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

fn word(t: Option<&(Tok, usize)>) -> Option<&str> {
    match t {
        Some((Tok::Word(w), _)) => Some(w),
        _ => None,
    }
}

fn is(t: Option<&(Tok, usize)>, p: char) -> bool {
    matches!(t, Some((Tok::Punct(c), _)) if *c == p)
}

/// The first names of a `{ … }` group starting at `toks[at]` (`{a::X, b, self}` → a, b).
fn group_heads(toks: &[(Tok, usize)], at: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (t, _) in &toks[at..] {
        match t {
            Tok::Punct('{') => {
                depth += 1;
                item_start = depth == 1;
            }
            Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Tok::Punct(',') if depth == 1 => item_start = true,
            Tok::Word(w) if item_start && depth == 1 => {
                if w != "self" {
                    out.push(w.clone());
                }
                item_start = false;
            }
            _ => item_start = false,
        }
    }
    out
}

/// The top-level modules the code of a file names through `crate::` or through `super::`
/// chains that climb to the crate root, in imports (however wrapped) and in paths anywhere in
/// the code; `file` is the file's module path.
fn uses(text: &str, file: &[String]) -> BTreeSet<String> {
    let toks = tokens(text);
    let mut out = BTreeSet::new();
    // Inline modules the code is in (`mod tests { … }`): `super` climbs out of them first.
    let mut braces: Vec<bool> = Vec::new();
    let mut inline = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        match &t.0 {
            Tok::Punct('{') => {
                let is_mod = i >= 2
                    && word(toks.get(i - 2)) == Some("mod")
                    && word(toks.get(i - 1)).is_some();
                inline += usize::from(is_mod);
                braces.push(is_mod);
            }
            Tok::Punct('}') => inline -= usize::from(braces.pop().unwrap_or(false)),
            Tok::Word(w) if w == "crate" || w == "super" => {
                // `k`: the `::` before the name that follows the path's root, if it has one.
                let (k, at_root) = if w == "crate" {
                    (i + 1, true)
                } else {
                    let mut supers = 0;
                    while word(toks.get(i + 2 * supers)) == Some("super")
                        && toks.get(i + 2 * supers + 1).map(|t| &t.0) == Some(&Tok::PathSep)
                    {
                        supers += 1;
                    }
                    // `super` climbs out of the inline modules, then the file's own path.
                    let k = (i + (2 * supers).max(1)).saturating_sub(1);
                    (k, supers > 0 && supers == file.len() + inline)
                };
                if at_root && toks.get(k).map(|t| &t.0) == Some(&Tok::PathSep) {
                    if let Some(name) = word(toks.get(k + 1)) {
                        if name != "self" {
                            out.insert(name.to_string());
                        }
                    } else if is(toks.get(k + 1), '{') {
                        out.extend(group_heads(&toks, k + 1));
                    }
                }
                i = k.max(i) + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Where a `#[cfg(test)]` item that starts at token `at` (its `#`) ends: the token index of
/// its closing `}` or `;`, and whether it is an out-of-line module (`mod name;`) with its name.
fn test_item_end(toks: &[(Tok, usize)], at: usize) -> (usize, Option<String>) {
    let mut i = at;
    // This attribute and any after it.
    while is(toks.get(i), '#') {
        let mut depth = 0;
        i += 1;
        while i < toks.len() {
            if is(toks.get(i), '[') {
                depth += 1;
            } else if is(toks.get(i), ']') {
                depth -= 1;
                if depth == 0 {
                    i += 1;
                    break;
                }
            }
            i += 1;
        }
    }
    let start = i;
    let mut depth = 0;
    while i < toks.len() {
        match toks[i].0 {
            Tok::Punct('(' | '[') => depth += 1,
            Tok::Punct(')' | ']') => depth -= 1,
            Tok::Punct(';') if depth == 0 => {
                let words: Vec<&str> = (start..i).filter_map(|k| word(toks.get(k))).collect();
                let module = match words[..] {
                    [.., "mod", name] => Some(name.to_string()),
                    _ => None,
                };
                return (i, module);
            }
            Tok::Punct('{') if depth == 0 => {
                let mut braces = 0;
                while i < toks.len() {
                    if is(toks.get(i), '{') {
                        braces += 1;
                    } else if is(toks.get(i), '}') {
                        braces -= 1;
                        if braces == 0 {
                            return (i, None);
                        }
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (toks.len().saturating_sub(1), None)
}

/// A file's lines outside its `#[cfg(test)]` items, and the out-of-line modules it declares
/// under `#[cfg(test)]`.
fn code_lines(text: &str) -> (usize, Vec<String>) {
    let toks = tokens(text);
    let mut test_lines = 0;
    let mut test_modules = Vec::new();
    let mut i = 0;
    while i + 6 < toks.len() {
        let attr: Vec<&Tok> = toks[i..i + 7].iter().map(|t| &t.0).collect();
        let cfg_test = [
            Tok::Punct('#'),
            Tok::Punct('['),
            Tok::Word("cfg".into()),
            Tok::Punct('('),
            Tok::Word("test".into()),
            Tok::Punct(')'),
            Tok::Punct(']'),
        ];
        if attr.iter().zip(&cfg_test).all(|(a, b)| *a == b) {
            let (end, module) = test_item_end(&toks, i);
            test_lines += toks[end].1 - toks[i].1 + 1;
            test_modules.extend(module);
            i = end + 1;
        } else {
            i += 1;
        }
    }
    (text.lines().count() - test_lines, test_modules)
}

/// Import graph of the crate's top-level modules, from the sources in `src`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in crate_sources(src) {
        let path = module_path(&rel);
        let Some(m) = path.first().cloned() else {
            continue;
        };
        let deps = g.entry(m.clone()).or_default();
        deps.extend(uses(&text, &path).into_iter().filter(|d| *d != m));
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

/// What is wrong with the layers of the sources in `src`, one sentence each.
fn layer_problems(src: &Path) -> Vec<String> {
    let g = graph(src);
    let mut out = Vec::new();
    if g.len() < 8 {
        out.push(format!("only {} modules found: {g:?}", g.len()));
    }
    for leaf in ["model", "config"] {
        match g.get(leaf) {
            Some(deps) if deps.is_empty() => {}
            deps => out.push(format!("{leaf} must depend on no other module: {deps:?}")),
        }
    }
    let (_, left) = layer_order(&g);
    if !left.is_empty() {
        out.push(format!(
            "import cycle among {:?} (each with what it imports: {left:?})",
            left.keys().collect::<Vec<_>>()
        ));
    }
    out
}

/// The files of `src` over 500 lines outside their tests, with their count.
fn long_files(src: &Path) -> Vec<(String, usize)> {
    let files = crate_sources(src);
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    let mut test_files: BTreeSet<String> = BTreeSet::new();
    for (rel, text) in &files {
        let (lines, modules) = code_lines(text);
        counted.insert(rel, lines);
        // Where the parent's `mod name;` file lies.
        let dir = match rel.rsplit_once('/') {
            Some((dir, "mod.rs")) => format!("{dir}/"),
            None if rel == "lib.rs" || rel == "main.rs" => String::new(),
            _ => format!("{}/", rel.trim_end_matches(".rs")),
        };
        for m in modules {
            test_files.insert(format!("{dir}{m}.rs"));
            test_files.insert(format!("{dir}{m}/"));
        }
    }
    counted
        .into_iter()
        .filter(|&(rel, _)| {
            !rel.ends_with("/tests.rs")
                && !test_files
                    .iter()
                    .any(|t| rel == t.as_str() || (t.ends_with('/') && rel.starts_with(t.as_str())))
        })
        .filter(|(_, lines)| *lines > 500)
        .map(|(rel, lines)| (rel.to_string(), lines))
        .collect()
}

#[test]
fn modules_form_layers_without_cycles() {
    let problems = layer_problems(&real_src());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let (order, _) = layer_order(&graph(&real_src()));
    eprintln!("layers, lowest first: {}", order.join(" → "));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// The check on a copy of the real sources: it passes as the real ones do, and fails once an
/// import cycle is planted in the copy through an import rustfmt wraps over several lines.
#[test]
fn the_check_fails_on_a_copy_of_the_sources_with_a_planted_cycle() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    copy_dir(&real_src(), &src);
    assert_eq!(graph(&src), graph(&real_src()));
    assert_eq!(layer_problems(&src), Vec::<String>::new());
    // `analyse` imports `fit` (it analyses decoded files); `fit` importing `analyse` back,
    // wrapped as rustfmt wraps a long import, closes a cycle.
    assert!(graph(&src)["analyse"].contains("fit"));
    let fit = src.join("fit/mod.rs");
    let text = fs::read_to_string(&fit).unwrap();
    // Named only in a comment and a string, it is no import.
    let decoy = "// use crate::analyse::FileVerdict;\nconst _DECOY: &str = \"crate::analyse\";\n";
    fs::write(&fit, format!("{decoy}{text}")).unwrap();
    assert_eq!(layer_problems(&src), Vec::<String>::new());
    let planted = "use crate::{\n    analyse::FileVerdict,\n    model::Decoded,\n};\n";
    fs::write(&fit, format!("{planted}{text}")).unwrap();
    let problems = layer_problems(&src);
    assert!(
        problems.iter().any(|p| p.starts_with("import cycle")
            && p.contains("\"analyse\"")
            && p.contains("\"fit\"")),
        "{problems:?}"
    );
    // A leaf that imports through `super::` from its root file is seen too.
    let model = src.join("model/mod.rs");
    let text = fs::read_to_string(&model).unwrap();
    fs::write(&model, format!("{text}\nuse super::series::median;\n")).unwrap();
    let problems = layer_problems(&src);
    assert!(
        problems.iter().any(|p| p.starts_with("model must depend")),
        "{problems:?}"
    );
}

#[test]
fn imports_are_read_whole_and_outside_comments_and_strings() {
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let top = |m: &str| vec![m.to_string()];
    assert_eq!(
        uses(
            "use crate::b::X;\nfn f() { crate::c::g(); } // crate::d\n",
            &top("a")
        ),
        set(&["b", "c"])
    );
    assert_eq!(
        uses(
            "use crate::{\n    model::{Samples, Sport},\n    series,\n};",
            &top("a")
        ),
        set(&["model", "series"])
    );
    assert_eq!(
        uses(
            "/* crate::x /* nested */ crate::y */ let s = \"crate::z\"; let r = r#\"crate::w\"#; let c = '\"'; crate::v::f();",
            &top("a")
        ),
        set(&["v"])
    );
    // `super` from a top-level module's file climbs to the crate root; from inside its
    // inline test module it is the module itself.
    assert_eq!(uses("use super::model::X;", &top("a")), set(&["model"]));
    assert_eq!(
        uses(
            "mod tests { use super::*; use super::super::series; }",
            &top("a")
        ),
        set(&["series"])
    );
    assert_eq!(
        uses("use super::gait::G;", &["analyse".into(), "run".into()]),
        set(&[])
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
fn test_code_is_left_out_of_the_count_wherever_it_stands() {
    let code: String = (0..501).map(|k| format!("fn f{k}() {{}}\n")).collect();
    let tests = "#[cfg(test)]\nmod tests {\n    const S: &str = \"}\";\n    #[test]\n    fn t() { let c = '}'; }\n}\n";
    for text in [
        format!("{tests}{code}"),
        format!("{code}{tests}"),
        format!("use a;\n{tests}{code}#[cfg(test)]\nmod more;\n"),
    ] {
        assert_eq!(code_lines(&text).0, 501 + text.starts_with("use") as usize);
    }
    assert_eq!(
        code_lines("#[cfg(test)]\nmod mutate;\nfn f() {}\n"),
        (1, vec!["mutate".to_string()])
    );
    // On a copy of the sources: a file that holds its tests first is counted by its code.
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    copy_dir(&real_src(), &src);
    let series = src.join("series.rs");
    let text = fs::read_to_string(&series).unwrap();
    fs::write(&series, format!("{tests}{text}{code}")).unwrap();
    assert!(
        long_files(&src).iter().any(|(f, _)| f == "series.rs"),
        "{:?}",
        long_files(&src)
    );
}

#[test]
fn no_source_file_is_over_500_lines_outside_its_tests() {
    let long = long_files(&real_src());
    assert!(long.is_empty(), "{long:?}");
}
