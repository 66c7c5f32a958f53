//! Configuration: every threshold of every analysis, with defaults built in.
//!
//! A user may pass a TOML file (`--config FILE`) that overrides any subset of the settings; an
//! unknown key or a value of the wrong type is an error that names the key. The defaults and
//! the reasoning behind each one are documented in docs/settings.md and docs/methodology.md.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use declare::{settings, Described, Section};

mod analysis;
mod declare;
mod gear;
mod guard;
mod help;
mod history;

pub(crate) use analysis::{DownhillSettings, GaitSettings, Ingest, SurfaceSettings};
pub(crate) use gear::GearSettings;
pub(crate) use guard::GuardSettings;
pub(crate) use history::{FindingsSettings, LoadSettings};

/// All settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Inputs beside the FIT files.
    pub(crate) inputs: Inputs,
    /// Reading and reducing files.
    pub(crate) ingest: Ingest,
    /// Running, walking or stopped, sample by sample.
    pub(crate) gait: GaitSettings,
    /// Grade, segments and downhill cadence.
    pub(crate) downhill: DownhillSettings,
    /// Surface proxies.
    pub(crate) surface: SurfaceSettings,
    /// Plausibility bounds of samples and session totals.
    pub(crate) guard: GuardSettings,
    /// Weekly load and long-run spikes.
    pub(crate) load: LoadSettings,
    /// The rules of the findings list.
    pub(crate) findings: FindingsSettings,
    /// Shoes.
    pub(crate) gear: GearSettings,
}

settings! {
    /// Inputs beside the FIT files (`[inputs]` in the config file).
    struct Inputs = "inputs", "Inputs beside the FIT files." {
        /// The pain diary (CSV); empty for none. A relative path is taken from the config file's
        /// folder; `--diary` overrides it.
        diary: PathBuf = PathBuf::new(), [], "Pain diary, CSV `date,pain,next_morning,location,note` (\"\": none; relative to this file; --diary overrides).";
        /// The gear log (CSV `gear,from,to`); empty for none. Relative to the config file's folder;
        /// `--gear` overrides it.
        gear: PathBuf = PathBuf::new(), [], "Gear log, CSV `gear,from,to` with local dates, inclusive; empty `to`: still in use (\"\": none; relative to this file; --gear overrides).";
    }
}

impl Config {
    /// The pain diary to read, if any.
    pub(crate) fn diary(&self) -> Option<&Path> {
        let p = self.inputs.diary.as_path();
        (!p.as_os_str().is_empty()).then_some(p)
    }

    /// The gear log to read, if any.
    pub(crate) fn gear_log(&self) -> Option<&Path> {
        let p = self.inputs.gear.as_path();
        (!p.as_os_str().is_empty()).then_some(p)
    }
}

/// What the per-file stage (decoding and analysis in the workers) depends on, and nothing
/// else.
#[derive(Clone, Copy, Debug)]
pub struct FileSettings<'a> {
    /// Running, walking or stopped.
    pub(crate) gait: &'a GaitSettings,
    /// Grade, segments and downhill cadence.
    pub(crate) downhill: &'a DownhillSettings,
    /// Surface proxies.
    pub(crate) surface: &'a SurfaceSettings,
    /// Plausibility bounds of samples and session totals.
    pub(crate) guard: &'a GuardSettings,
}

/// What aggregation across runs depends on: duplicates, the history-matched downhill
/// comparison, weekly load and the findings.
#[derive(Clone, Copy, Debug)]
pub struct HistorySettings<'a> {
    /// Duplicate detection.
    pub(crate) ingest: &'a Ingest,
    /// The speed-matched comparison against the runner's history.
    pub(crate) downhill: &'a DownhillSettings,
    /// Weekly load and long-run spikes.
    pub(crate) load: &'a LoadSettings,
    /// The rules of the findings list.
    pub(crate) findings: &'a FindingsSettings,
    /// Shoes.
    pub(crate) gear: &'a GearSettings,
}

impl Config {
    /// The settings of the per-file stage.
    pub fn per_file(&self) -> FileSettings<'_> {
        FileSettings {
            gait: &self.gait,
            downhill: &self.downhill,
            surface: &self.surface,
            guard: &self.guard,
        }
    }

    /// The largest activity file read (decompressed), bytes.
    pub fn max_member_bytes(&self) -> u64 {
        self.ingest.max_member_bytes()
    }

    /// The settings of aggregation.
    pub fn history(&self) -> HistorySettings<'_> {
        HistorySettings {
            ingest: &self.ingest,
            downhill: &self.downhill,
            load: &self.load,
            findings: &self.findings,
            gear: &self.gear,
        }
    }
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key or a bad value.
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// toml's message, which names the key and line.
        message: String,
    },
    /// A value parses but makes no sense.
    #[error("config file {path}: `{key}` {message}")]
    Invalid {
        /// The file.
        path: String,
        /// Dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Reads a TOML file over the defaults.
    pub(crate) fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut cfg: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: shown.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
        // A diary named in the file is found next to the file, wherever fitrisk runs from.
        if cfg.diary().is_some_and(Path::is_relative) {
            if let Some(dir) = path.parent() {
                cfg.inputs.diary = dir.join(&cfg.inputs.diary);
            }
        }
        if cfg.gear_log().is_some_and(Path::is_relative) {
            if let Some(dir) = path.parent() {
                cfg.inputs.gear = dir.join(&cfg.inputs.gear);
            }
        }
        cfg.validate()
            .map_err(|(key, message)| ConfigError::Invalid {
                path: shown,
                key,
                message,
            })?;
        Ok(cfg)
    }

    /// Checks every setting; the first one wrong gives its dotted key and what is wrong.
    pub(crate) fn validate(&self) -> Result<(), Violation> {
        self.inputs.validate()?;
        self.ingest.validate()?;
        self.gait.validate()?;
        self.downhill.validate()?;
        self.surface.validate()?;
        self.guard.validate()?;
        self.load.validate()?;
        self.findings.validate()?;
        self.gear.validate()
    }

    /// Every section, in the file's order: its name, help line and settings.
    pub(crate) fn sections() -> Vec<(&'static str, &'static str, Vec<Described>)> {
        fn one<S: Section>() -> (&'static str, &'static str, Vec<Described>) {
            (S::NAME, S::HELP, S::described())
        }
        vec![
            one::<Inputs>(),
            one::<Ingest>(),
            one::<GaitSettings>(),
            one::<DownhillSettings>(),
            one::<SurfaceSettings>(),
            one::<GuardSettings>(),
            one::<LoadSettings>(),
            one::<FindingsSettings>(),
            one::<GearSettings>(),
        ]
    }
}

/// A setting out of range: its dotted key and what is wrong.
pub(crate) type Violation = (String, String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_file_overrides_only_what_it_names() {
        let cfg: Config = toml::from_str("[gait]\nrun_min_spm = 150.0\n").unwrap();
        assert_eq!(cfg.gait.run_min_spm, 150.0);
        assert_eq!(cfg.gait.stopped_max_speed_mps, 0.5);
        assert_eq!(cfg.ingest.duplicate_start_window_s, 60.0);
    }

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    fn invalid(text: &str) -> String {
        let cfg: Config = toml::from_str(text).unwrap();
        cfg.validate().unwrap_err().0
    }

    #[test]
    fn bands_and_ranges_are_checked_in_every_section() {
        // A downhill threshold inside the flat band, though negative.
        assert_eq!(
            invalid("[downhill]\ndownhill_max_pct = -1.0\n"),
            "downhill.downhill_max_pct"
        );
        assert_eq!(
            invalid("[downhill]\nsteep_downhill_max_pct = -2.0\n"),
            "downhill.steep_downhill_max_pct"
        );
        assert_eq!(
            invalid("[surface]\nmin_gps_fraction = 1.5\n"),
            "surface.min_gps_fraction"
        );
        assert_eq!(
            invalid("[surface]\ntrack_lap_max_m = 300.0\n"),
            "surface.track_lap_max_m"
        );
        assert_eq!(
            invalid("[surface]\nweight_turns = -1.0\n"),
            "surface.weight_turns"
        );
        assert_eq!(
            invalid("[findings]\noverstride_drop_high_spm = 2.0\n"),
            "findings.overstride_drop_high_spm"
        );
        assert_eq!(invalid("[load]\nacwr_high = 0.5\n"), "load.acwr_high");
    }

    #[test]
    fn unknown_key_is_named() {
        let err = toml::from_str::<Config>("[ingest]\nmin_speed = 2.0\n").unwrap_err();
        assert!(err.to_string().contains("min_speed"), "{err}");
    }
}
