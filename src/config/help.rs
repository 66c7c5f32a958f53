//! The help line of every setting, and the commented TOML that `fitrisk config` prints.

use super::Config;

/// One line of help per setting, printed above it by `fitrisk config`.
const HELP: &[(&str, &str)] = &[
    ("inputs", "Inputs beside the FIT files."),
    ("inputs.diary", "Pain diary, CSV `date,pain,next_morning,location,note` (\"\": none; relative to this file; --diary overrides)."),
    ("inputs.gear", "Gear log, CSV `gear,from,to` with local dates, inclusive; empty `to`: still in use (\"\": none; relative to this file; --gear overrides)."),
    ("ingest", "Reading and reducing files."),
    ("ingest.duplicate_start_window_s", "Runs starting within this many seconds of each other may be one activity…"),
    ("ingest.duplicate_distance_pct", "…when their distances also agree within this percentage."),
    ("ingest.max_member_mb", "Largest activity file read (decompressed), MB; a larger one is skipped as too_large."),
    ("gait", "Each sample is running, walking or stopped; running form is measured on running samples only."),
    ("gait.run_min_spm", "A sample with cadence at or above this is running, below it walking, steps/min."),
    ("gait.run_min_speed_mps", "A moving sample without cadence is running at or above this speed, m/s."),
    ("gait.walk_max_speed_mps", "Samples at or above this speed are running whatever their cadence, m/s."),
    ("gait.stopped_max_speed_mps", "Slower samples are stopped whatever their cadence, m/s."),
    ("gait.run_walk_min_pct", "A run with at least this share of walking in its moving time is a run-walk, %."),
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
    ("guard", "Plausibility bounds: values outside them are damage and are dropped before any analysis."),
    ("guard.max_speed_mps", "Fastest plausible running speed, also for distance increments and session distances, m/s."),
    ("guard.max_cadence_spm", "Highest plausible running cadence, steps/min."),
    ("guard.min_altitude_m", "Lowest plausible altitude, m."),
    ("guard.max_altitude_m", "Highest plausible altitude, m."),
    ("guard.min_heart_rate_bpm", "Lowest plausible heart rate (0, no reading, is left out), beats/min."),
    ("guard.max_heart_rate_bpm", "Highest plausible heart rate, beats/min."),
    ("guard.max_step_length_m", "Longest plausible step, m."),
    ("guard.max_vertical_oscillation_mm", "Largest plausible vertical oscillation, mm."),
    ("guard.max_stance_time_ms", "Longest plausible ground contact time, ms."),
    ("guard.max_power_w", "Highest plausible power, W."),
    ("guard.max_duration_s", "Longest plausible session (elapsed or timer time), s."),
    ("guard.totals_tolerance_pct", "A session total is replaced by the records' when it exceeds them by more than this, % (and is implausible)."),
    ("guard.min_kept_pct", "A run is kept only when at least this share of its samples survives the guard, %."),
    ("guard.record_margin_pct", "A run, or a stretch of one, faster than the world record for its duration by more than this is not on foot, %."),
    ("guard.record_window_s", "The shortest stretch judged against the world records, s."),
    ("guard.ride_min_speed_mps", "A run with pedal cadence (no fractional cadence, no running dynamics) is a ride when faster than this, m/s…"),
    ("guard.ride_min_share_pct", "…for at least this share of its moving time, %."),
    ("guard.ride_median_mps", "A run without running dynamics is a ride when its median moving speed is at least this, m/s."),
    ("load", "Weekly load in local time, and long-run spikes."),
    ("load.ramp_max_pct", "Flag a week up more than this on the previous week, % (the \"10 % rule\")."),
    ("load.ramp_2w_max_pct", "Flag a week up more than this on two weeks before, % (Nielsen et al. 2014)."),
    ("load.acwr_high", "Flag an acute:chronic ratio above this (Gabbett 2016)."),
    ("load.acwr_severe", "…as `high` at or above this (above acwr_high, `watch`: the ratio's evidence in runners is weak)."),
    ("load.acwr_low", "…or below this."),
    ("load.acwr_min_acute_m", "A high ratio counts only with at least this much running in the week, m."),
    ("load.long_run_spike_pct", "Flag a run more than this longer than the longest of the lookback, % (BJSM 2025)."),
    ("load.long_run_lookback_days", "The lookback of the long-run rule, days."),
    ("load.long_run_min_prev_m", "Runs shorter than this do not count as the longest of the lookback, m."),
    ("load.long_run_spike_high_pct", "…as `high` beyond this, % (below it, `watch`)."),
    ("load.no_variety_weeks", "Flag when every run of this many weeks was on one surface."),
    ("load.usual_weeks", "The usual weekly distance: the median of this many weeks before, leaving out breaks and returns."),
    ("load.min_base_m", "A reference week below this is no base for a percentage (a rise from it is a return, not a ramp), m."),
    ("load.break_min_days", "This many days without running are a break; the weeks after it are a return, judged against the load before it."),
    ("load.return_max_weeks", "A return lasts as many weeks as its break, at most this many."),
    ("load.return_first_max_pct", "First half of a return: flag a week above this share of the usual load before the break, %."),
    ("load.return_second_max_pct", "Second half of a return: flag a week above this share, %."),
    ("load.return_full_pct", "A first-half week at or above this share is a return at full load (`high`), %."),
    ("load.default_utc_offset_s", "Offset for runs whose device wrote none, s east of UTC."),
    ("findings", "The rules of the findings list."),
    ("findings.low_cadence_spm", "Flag a run whose median cadence is below this, steps/min."),
    ("findings.low_cadence_high_spm", "…as `high` below this, steps/min."),
    ("findings.low_cadence_min_running_s", "A run's cadence is judged only with at least this much running in it, s."),
    ("findings.overstride_drop_spm", "Flag a speed-matched downhill cadence drop above this, steps/min."),
    ("findings.overstride_drop_high_spm", "…as `high` above this, steps/min."),
    ("findings.overstride_min_downhill_m", "Downhill running a run needs before its drop is judged, m."),
    ("findings.trend_weeks", "Length of the periods compared by the history trends, weeks."),
    ("findings.cadence_trend_drop_spm", "Flag a fall of the median cadence between the periods beyond this, steps/min."),
    ("findings.downhill_share_pct", "Flag a recent share of downhill distance above this, %."),
    ("findings.pain_threshold", "Flag a diary day with pain above this, 0–10 (or worse the next morning)."),
    ("findings.pain_high", "…as `high` at or above this: back off, 0–10."),
    ("findings.pain_lookback_days", "A pain finding names what preceded it in this many days."),
    ("findings.episode_gap_days", "An occurrence within this many days of a rule's previous one continues that episode."),
    ("findings.pattern_min_episodes", "From this many `watch` or `info` episodes of one rule, they are summarised as one pattern."),
    ("findings.recent_weeks", "Episodes reaching into this many weeks up to the last day lead the list (what matters now)."),
    ("gear", "Shoes: running distance per pair, from an export's gear or the gear log."),
    ("gear.retire_m", "Flag a pair past this running distance, m (800 km, inside the 480–965 km range runners are told)."),
    ("gear.thresholds_m", "The gear table shows the day each pair crossed each of these distances, m."),
    ("gear.spike_share_pct", "A load spike is tied to the pair that ran at least this share of it, %."),
];

impl Config {
    /// The settings as TOML with a comment above every section and key (`fitrisk config`).
    pub(crate) fn commented_toml(&self) -> String {
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
