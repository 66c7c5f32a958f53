//! Configuration: every threshold of every analysis, with defaults built in.
//!
//! A user may pass a TOML file (`--config FILE`) that overrides any subset of the settings; an
//! unknown key or a value of the wrong type is an error that names the key. The defaults and
//! the reasoning behind each one are documented in the README's methodology section.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyse::downhill::DownhillSettings;
use crate::analyse::surface::SurfaceSettings;
use crate::load::LoadSettings;

/// All settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Reading and reducing files.
    pub ingest: Ingest,
    /// Grade, segments and downhill cadence.
    pub downhill: DownhillSettings,
    /// Surface proxies.
    pub surface: SurfaceSettings,
    /// Weekly load and long-run spikes.
    pub load: LoadSettings,
}

/// Settings of the ingest stage.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Ingest {
    /// A sample counts toward cadence only at or above this speed (m/s); walking breaks in a
    /// run-walk are typically below it.
    pub min_moving_speed_mps: f64,
    /// Two runs starting within this many seconds of each other may be the same activity.
    pub duplicate_start_window_s: f64,
    /// …if their distances also agree within this percentage.
    pub duplicate_distance_pct: f64,
}

impl Default for Ingest {
    fn default() -> Self {
        Ingest {
            min_moving_speed_mps: 1.5,
            duplicate_start_window_s: 60.0,
            duplicate_distance_pct: 2.0,
        }
    }
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
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
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let cfg: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: shown.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
        cfg.validate()
            .map_err(|(key, message)| ConfigError::Invalid {
                path: shown,
                key,
                message,
            })?;
        Ok(cfg)
    }

    /// Checks ranges; returns the dotted key and what is wrong.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let i = &self.ingest;
        non_negative("ingest.min_moving_speed_mps", i.min_moving_speed_mps)?;
        non_negative(
            "ingest.duplicate_start_window_s",
            i.duplicate_start_window_s,
        )?;
        non_negative("ingest.duplicate_distance_pct", i.duplicate_distance_pct)?;
        let d = &self.downhill;
        positive("downhill.grid_m", d.grid_m)?;
        non_negative("downhill.altitude_smoothing_m", d.altitude_smoothing_m)?;
        positive("downhill.grade_window_m", d.grade_window_m)?;
        positive("downhill.speed_bin_mps", d.speed_bin_mps)?;
        non_negative("downhill.min_segment_m", d.min_segment_m)?;
        if !(d.downhill_max_pct < -d.flat_max_abs_pct.abs() || d.downhill_max_pct <= 0.0) {
            return Err((
                "downhill.downhill_max_pct".into(),
                "must be negative and below the flat band".into(),
            ));
        }
        if d.uphill_min_pct < d.flat_max_abs_pct {
            return Err((
                "downhill.uphill_min_pct".into(),
                "must be at or above downhill.flat_max_abs_pct".into(),
            ));
        }
        Ok(())
    }
}

fn positive(key: &str, v: f64) -> Result<(), (String, String)> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err((key.to_string(), format!("must be a number > 0, got {v}")))
    }
}

fn non_negative(key: &str, v: f64) -> Result<(), (String, String)> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err((key.to_string(), format!("must be a number ≥ 0, got {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_file_overrides_only_what_it_names() {
        let cfg: Config = toml::from_str("[ingest]\nmin_moving_speed_mps = 2.0\n").unwrap();
        assert_eq!(cfg.ingest.min_moving_speed_mps, 2.0);
        assert_eq!(cfg.ingest.duplicate_start_window_s, 60.0);
    }

    #[test]
    fn unknown_key_is_named() {
        let err = toml::from_str::<Config>("[ingest]\nmin_speed = 2.0\n").unwrap_err();
        assert!(err.to_string().contains("min_speed"), "{err}");
    }
}
