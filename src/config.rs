//! Configuration: every threshold of every analysis, with defaults built in.
//!
//! A user may pass a TOML file (`--config FILE`) that overrides any subset of the settings; an
//! unknown key or a value of the wrong type is an error that names the key. The defaults and
//! the reasoning behind each one are documented in the README's methodology section.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyse::downhill::DownhillSettings;
use crate::analyse::surface::SurfaceSettings;
use crate::findings::FindingsSettings;
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
    /// The rules of the findings list.
    pub findings: FindingsSettings,
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
        let l = &self.load;
        non_negative("load.ramp_max_pct", l.ramp_max_pct)?;
        non_negative("load.ramp_2w_max_pct", l.ramp_2w_max_pct)?;
        non_negative("load.acwr_low", l.acwr_low)?;
        non_negative("load.acwr_min_acute_m", l.acwr_min_acute_m)?;
        if l.acwr_high <= l.acwr_low {
            return Err((
                "load.acwr_high".into(),
                "must be above load.acwr_low".into(),
            ));
        }
        if !(-14 * 3600..=14 * 3600).contains(&l.default_utc_offset_s) {
            return Err((
                "load.default_utc_offset_s".into(),
                "must be within ±14 hours (±50400 s)".into(),
            ));
        }
        let f = &self.findings;
        if f.trend_weeks == 0 {
            return Err(("findings.trend_weeks".into(), "must be at least 1".into()));
        }
        positive("findings.low_cadence_spm", f.low_cadence_spm)?;
        non_negative("findings.overstride_drop_spm", f.overstride_drop_spm)?;
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

/// One line of help per setting, printed above it by `fitrisk config`.
const HELP: &[(&str, &str)] = &[
    ("ingest", "Reading and reducing files."),
    ("ingest.min_moving_speed_mps", "Samples below this speed (m/s) do not count toward cadence: walking breaks and stops."),
    ("ingest.duplicate_start_window_s", "Runs starting within this many seconds of each other may be one activity…"),
    ("ingest.duplicate_distance_pct", "…when their distances also agree within this percentage."),
    ("downhill", "Grade from smoothed altitude over distance, and grade segments."),
    ("downhill.grid_m", "Spacing of the distance grid the profile is computed on, m."),
    ("downhill.altitude_smoothing_m", "Centred moving average applied to altitude, m (barometric and GPS altitude jitter)."),
    ("downhill.grade_window_m", "Distance over which one grade is measured, m."),
    ("downhill.downhill_max_pct", "At or below this grade a point is downhill, %."),
    ("downhill.steep_downhill_max_pct", "A downhill segment at or below this mean grade is also steep, %."),
    ("downhill.flat_max_abs_pct", "Within ± this grade a point is flat, %; between the bands the previous class holds."),
    ("downhill.uphill_min_pct", "At or above this grade a point is uphill, %."),
    ("downhill.min_segment_m", "Shorter segments are merged into their neighbours, m."),
    ("downhill.speed_bin_mps", "Speed bins for comparing downhill and flat cadence at the same speed, m/s."),
    ("downhill.min_flat_bin_s", "A flat speed bin serves as reference with at least this much running, s."),
    ("downhill.min_match_coverage_pct", "The run's own flat running is the reference when it covers this share of downhill time, else the runner's other runs, %."),
    ("surface", "Surface proxies: road, trail, track, treadmill, indoor."),
    ("surface.min_duration_s", "Shorter runs are `unknown`, s."),
    ("surface.min_distance_m", "Below this no per-km feature is computed, and a GPS-less run counts as having no distance, m."),
    ("surface.min_gps_fraction", "A run has GPS when this fraction (0–1) of samples has a position (or the fixes trace min_distance_m)."),
    ("surface.max_speed_mps", "Faster speeds and position jumps are glitches, m/s."),
    ("surface.moving_speed_mps", "Samples at or above this speed are moving, m/s."),
    ("surface.altitude_smoothing_s", "Moving average applied to altitude for roughness, s."),
    ("surface.altitude_deadband_m", "Altitude changes smaller than this are noise, m."),
    ("surface.grade_window_m", "Distance window of one grade for grade variability, m."),
    ("surface.speed_smoothing_s", "Moving average applied to speed for its variability, s."),
    ("surface.turn_step_m", "Path resampling step for turn density, m."),
    ("surface.turn_noise_deg", "Heading changes below this per step are GPS noise, degrees."),
    ("surface.loop_step_m", "Path resampling step for loop detection, m."),
    ("surface.loop_match_m", "Two passes within this distance are the same place, m."),
    ("surface.loop_search_min_m", "Shortest loop looked for, m."),
    ("surface.loop_search_max_m", "Longest loop looked for, m."),
    ("surface.track_lap_min_m", "A track's dominant loop is at least this long, m…"),
    ("surface.track_lap_max_m", "…and at most this long, m."),
    ("surface.track_min_loop_score", "…and this fraction (0–1) of the path re-traces it."),
    ("surface.stationary_bbox_m", "GPS positions all inside a box this wide mean a treadmill, m."),
    ("surface.trail_roughness_m_per_km", "Altitude roughness where the road/trail vote is neutral, m/km."),
    ("surface.trail_grade_variability_pct", "Grade variability where the vote is neutral, percentage points."),
    ("surface.trail_speed_cv_pct", "Speed variation (coefficient of variation) where the vote is neutral, %."),
    ("surface.trail_turn_deg_per_km", "Turn density where the vote is neutral, degrees/km."),
    ("surface.trail_stance_cv_pct", "Stance-time variation where the running-dynamics vote is neutral, %."),
    ("surface.weight_roughness", "Weight of the altitude-roughness vote."),
    ("surface.weight_grade", "Weight of the grade-variability vote."),
    ("surface.weight_speed", "Weight of the speed-variability vote."),
    ("surface.weight_turns", "Weight of the turn-density vote."),
    ("surface.weight_dynamics", "Weight of the running-dynamics vote."),
    ("load", "Weekly load in local time, and long-run spikes."),
    ("load.ramp_max_pct", "Flag a week up more than this on the previous week, % (the \"10 % rule\")."),
    ("load.ramp_2w_max_pct", "Flag a week up more than this on two weeks before, % (Nielsen et al. 2014)."),
    ("load.acwr_high", "Flag an acute:chronic ratio above this (Gabbett 2016)."),
    ("load.acwr_low", "…or below this."),
    ("load.acwr_min_acute_m", "A high ratio counts only with at least this much running in the week, m."),
    ("load.long_run_spike_pct", "Flag a run more than this longer than the longest of the lookback, % (BJSM 2025)."),
    ("load.long_run_lookback_days", "The lookback of the long-run rule, days."),
    ("load.no_variety_weeks", "Flag when every run of this many weeks was on one surface."),
    ("load.default_utc_offset_s", "Offset for runs whose device wrote none, s east of UTC."),
    ("findings", "The rules of the findings list."),
    ("findings.low_cadence_spm", "Flag a run whose median cadence is below this, steps/min."),
    ("findings.low_cadence_high_spm", "…as `high` below this, steps/min."),
    ("findings.overstride_drop_spm", "Flag a speed-matched downhill cadence drop above this, steps/min."),
    ("findings.overstride_drop_high_spm", "…as `high` above this, steps/min."),
    ("findings.overstride_min_downhill_m", "Downhill running a run needs before its drop is judged, m."),
    ("findings.trend_weeks", "Length of the periods compared by the history trends, weeks."),
    ("findings.cadence_trend_drop_spm", "Flag a fall of the median cadence between the periods beyond this, steps/min."),
    ("findings.downhill_share_pct", "Flag a recent share of downhill distance above this, %."),
];

impl Config {
    /// The settings as TOML with a comment above every section and key (`fitrisk config`).
    pub fn commented_toml(&self) -> String {
        let plain = toml::to_string(self).expect("settings always serialise");
        let help = |key: &str| HELP.iter().find(|h| h.0 == key).map(|h| h.1);
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
                if let Some(h) = help(name) {
                    out.push_str(&format!("# {h}\n"));
                }
            } else if let Some((key, _)) = line.split_once(" = ") {
                if let Some(h) = help(&format!("{section}.{key}")) {
                    out.push_str(&format!("# {h}\n"));
                }
            }
            out.push_str(line);
            out.push('\n');
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
        let mut documented: Vec<String> = HELP.iter().map(|h| h.0.to_string()).collect();
        keys.sort();
        documented.sort();
        assert_eq!(keys, documented);
    }
}
