//! What the settings' declarations (see `declare.rs`) print: the commented TOML of
//! `fitrisk config`, and the Markdown reference of `fitrisk config --reference`, which is
//! `docs/settings.md`.

use super::Config;

impl Config {
    /// The help line of a section or a dotted key.
    fn help(key: &str) -> Option<&'static str> {
        Config::sections()
            .into_iter()
            .find_map(|(name, help, settings)| {
                if name == key {
                    Some(help)
                } else {
                    settings.iter().find(|s| s.key == key).map(|s| s.help)
                }
            })
    }

    /// The settings as TOML with a comment above every section and key (`fitrisk config`).
    pub(crate) fn commented_toml(&self) -> String {
        let plain = toml::to_string(self).expect("settings always serialise");
        let mut out = String::from(
            "# fitrisk settings. Pass a file with any subset of these to `fitrisk report --config`.\n",
        );
        let mut section = String::new();
        for line in plain.lines() {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_string();
                if !out.ends_with("\n\n") {
                    out.push('\n');
                }
                if let Some(h) = Config::help(name) {
                    out.push_str(&format!("# {h}\n"));
                }
            } else if let Some((key, _)) = line.split_once(" = ") {
                if let Some(h) = Config::help(&format!("{section}.{key}")) {
                    out.push_str(&format!("# {h}\n"));
                }
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Every setting as Markdown: a table per section with its default, its checks and its
    /// help line (`docs/settings.md`).
    pub(crate) fn reference() -> String {
        let mut out = String::from(
            "# Settings\n\n\
             Every threshold fitrisk uses is a setting. `fitrisk config` prints them all as a \
             commented TOML file; a file with any subset of them, passed with `--config FILE`, \
             overrides the defaults (an unknown key, a value of the wrong type or out of its \
             range is an error that names the key). The evidence behind each default is in \
             [the methodology](methodology.md).\n\n\
             This page is made from the settings' declarations in `src/config/` \
             (`fitrisk config --reference`); a test keeps it so.\n",
        );
        for (name, help, settings) in Config::sections() {
            out.push_str(&format!("\n## `[{name}]`\n\n{help}\n\n"));
            out.push_str("| setting | default | allowed | meaning |\n|---|---|---|---|\n");
            for s in settings {
                let key = s.key.split_once('.').map_or(s.key, |k| k.1);
                let allowed = if s.checks.is_empty() {
                    "any".to_string()
                } else {
                    s.checks.join("; ")
                };
                out.push_str(&format!(
                    "| `{key}` | `{}` | {} | {} |\n",
                    s.default,
                    allowed.replace('|', "\\|"),
                    s.help.replace('|', "\\|")
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod help_tests {
    use super::*;

    #[test]
    fn every_setting_has_help_and_the_printed_defaults_parse_back() {
        let text = Config::default().commented_toml();
        let back: Config = toml::from_str(&text).unwrap();
        assert_eq!(back, Config::default());
        let value: toml::Table = toml::from_str(&text).unwrap();
        let mut keys = Vec::new();
        for (section, table) in &value {
            keys.push(section.clone());
            for key in table.as_table().unwrap().keys() {
                keys.push(format!("{section}.{key}"));
            }
        }
        let mut declared: Vec<String> = Vec::new();
        for (name, help, settings) in Config::sections() {
            assert!(!help.is_empty(), "{name}");
            declared.push(name.to_string());
            for s in settings {
                assert!(!s.help.is_empty(), "{}", s.key);
                declared.push(s.key.to_string());
            }
        }
        keys.sort();
        declared.sort();
        assert_eq!(keys, declared);
    }

    /// `docs/settings.md` is what the declarations print; `FITRISK_BLESS=1 cargo test --lib
    /// settings_reference` writes it again after a setting changes.
    #[test]
    fn the_settings_reference_in_docs_is_the_declarations() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/settings.md");
        let made = Config::reference();
        if std::env::var_os("FITRISK_BLESS").is_some() {
            std::fs::write(&path, &made).unwrap();
        }
        let written = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            written == made,
            "docs/settings.md differs from the settings' declarations: run \
             `FITRISK_BLESS=1 cargo test --lib settings_reference` and commit it"
        );
    }
}
