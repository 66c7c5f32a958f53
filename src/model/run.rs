//! Per-run facts: what analysis keeps of one running session, for aggregation and output.
//!
//! Plain data. Categories are enums here; they become strings only where frames are built.

/// Everything the report keeps about one running session.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct RunFacts {
    /// Gear and name from an export or the gear log (filled in aggregation).
    pub(crate) label: super::Label,
    /// Session index within the file (0-based, file order).
    pub(crate) session: u32,
    /// Start, UTC Unix seconds; `None` when the device had no date.
    pub(crate) start_utc: Option<i64>,
    /// Local offset from UTC in seconds, from the `activity` message.
    pub(crate) utc_offset_s: Option<i32>,
    /// FIT sport.
    pub(crate) sport: Sport,
    /// FIT sub-sport.
    pub(crate) sub_sport: Option<String>,
    /// Manufacturer and product.
    pub(crate) device: Option<String>,
    /// Timer time (moving, excluding pauses), seconds.
    pub(crate) duration_s: Option<f64>,
    /// Elapsed wall time, seconds.
    pub(crate) elapsed_s: Option<f64>,
    /// Distance, metres.
    pub(crate) distance_m: Option<f64>,
    /// Total ascent, metres.
    pub(crate) ascent_m: Option<f64>,
    /// Total descent, metres.
    pub(crate) descent_m: Option<f64>,
    /// Average speed over timer time, m/s.
    pub(crate) avg_speed_mps: Option<f64>,
    /// Cadence: time-weighted median of moving running samples, steps/min.
    pub(crate) cadence_spm: Option<f64>,
    /// Cadence: time-weighted mean of the same samples, steps/min.
    pub(crate) cadence_spm_mean: Option<f64>,
    /// Where the cadence came from; `None` when the run has none.
    pub(crate) cadence_source: Option<CadenceSource>,
    /// Power: time-weighted median of running samples that carry it, W.
    pub(crate) power_w: Option<f64>,
    /// Ground-contact-time balance, the left foot's share: time-weighted median of the
    /// running samples that carry it, %.
    pub(crate) gct_balance_left_pct: Option<f64>,
    /// Time the samples stand for while running, s.
    pub(crate) running_s: f64,
    /// …while walking, s.
    pub(crate) walking_s: f64,
    /// Running, run-walk or walking, by the share of walking in the moving time; `None` when
    /// nothing moved.
    pub(crate) gait: Option<RunGait>,
    /// Perceived exertion the runner gave the watch, CR10 scale 0–10 (`None`: not asked, not
    /// answered, or out of range).
    pub(crate) rpe: Option<f64>,
    /// How the runner felt, 0–100 (`None`: not recorded or out of range).
    pub(crate) feel: Option<f64>,
    /// Record samples in the session.
    pub(crate) samples: u32,
    /// Any sample with a position.
    pub(crate) has_gps: bool,
    /// Any sample with an altitude.
    pub(crate) has_altitude: bool,
    /// Any sample with a cadence.
    pub(crate) has_cadence: bool,
    /// Whether the totals came from a `session` message or were rebuilt from records.
    pub(crate) totals_source: TotalsSource,
    /// Device serial number and creation time (FIT seconds), for duplicate detection.
    pub(crate) file_key: Option<(u32, u32)>,
    /// Grade segments and downhill cadence.
    pub(crate) downhill: Downhill,
    /// Surface: declared or inferred, with its features.
    pub(crate) surface: SurfaceVerdict,
}

impl RunFacts {
    /// Takes what another copy of the activity knew and this one did not (see [`Merged`]).
    ///
    /// [`Merged`]: super::Merged
    pub(crate) fn merge(&mut self, m: &super::Merged) {
        let f = &mut self.surface.features;
        for (own, other) in [
            (&mut self.rpe, m.rpe),
            (&mut self.feel, m.feel),
            (
                &mut f.vertical_oscillation_cv_pct,
                m.vertical_oscillation_cv_pct,
            ),
            (&mut f.stance_time_cv_pct, m.stance_time_cv_pct),
            (&mut self.ascent_m, m.ascent_m),
            (&mut self.descent_m, m.descent_m),
            (&mut self.power_w, m.power_w),
            (&mut self.gct_balance_left_pct, m.gct_balance_left_pct),
        ] {
            if own.is_none() {
                *own = other;
            }
        }
    }
}

/// A session's sport, as far as fitrisk tells sports apart: running, which it analyses, or
/// another by its FIT name. The name is text only where it is written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Sport {
    /// FIT `running`.
    Running,
    /// No message names the sport.
    Unknown,
    /// Another FIT sport, by its name (`cycling`, `training`…).
    Other(String),
}

impl Sport {
    /// The sport a FIT message names (`None`: it names none).
    pub(crate) fn of(name: Option<&str>) -> Sport {
        match name {
            Some("running") => Sport::Running,
            Some(name) => Sport::Other(name.to_string()),
            None => Sport::Unknown,
        }
    }

    /// Its FIT name, as the tables and the ledger write it.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Sport::Running => "running",
            Sport::Unknown => "unknown",
            Sport::Other(name) => name,
        }
    }
}

impl std::fmt::Display for Sport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

tokens! {
    /// Where a run's cadence came from.
    CadenceSource {
        /// The moving running samples of its records.
        Records => "records",
        /// The session's average (no record carries cadence).
        Session => "session",
    }
}

tokens! {
    /// What one sample shows the runner doing.
    Gait {
        /// Running: a running cadence (or, without cadence, a running speed).
        Running => "running",
        /// Moving at a walking cadence (or, without cadence, a walking speed).
        Walking => "walking",
        /// Not moving, or nothing says it is.
        Stopped => "stopped",
    }
}

tokens! {
    /// What a whole run was, by the share of walking in its moving time.
    RunGait {
        /// Nearly all running.
        Running => "running",
        /// Running with walking breaks.
        RunWalk => "run_walk",
        /// More walking than running.
        Walking => "walking",
    }
}

tokens! {
    /// Where a run's totals (distance, times, ascent) came from.
    TotalsSource {
        /// The `session` message.
        Session => "session",
        /// Rebuilt from the records (the file has no session message).
        Records => "records",
        /// The `session` message, with implausible totals replaced by the records' or dropped
        /// (the ledger's `detail` says which).
        Repaired => "repaired",
    }
}

tokens! {
    /// Where the flat reference of a speed-matched downhill comparison came from.
    MatchSource {
        /// This run's own flat running.
        Run => "run",
        /// The runner's flat running in all their other runs.
        History => "history",
    }
}

tokens! {
    /// How a run's surface was found.
    SurfaceSource {
        /// The watch's `sub_sport` names it.
        Declared => "declared",
        /// The classifier's answer.
        Inferred => "inferred",
    }
}

tokens! {
    /// The grade class of a segment.
    Kind {
        /// Grade at or below the downhill threshold.
        Downhill => "downhill",
        /// Grade within the flat band.
        Flat => "flat",
        /// Grade at or above the uphill threshold.
        Uphill => "uphill",
    }
}

/// One stretch of a run with one grade class.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Segment {
    /// Grade class.
    pub(crate) kind: Kind,
    /// Downhill and at or below the steep threshold.
    pub(crate) steep: bool,
    /// Start, m from the start of the run.
    pub(crate) start_m: f64,
    /// End, m.
    pub(crate) end_m: f64,
    /// Start time, Unix seconds (device seconds for undated files).
    pub(crate) start_t: f64,
    /// Timer time: the time its samples stand for (each at most 10 s, so pauses and clock
    /// jumps do not count), s.
    pub(crate) duration_s: f64,
    /// …of which running, s.
    pub(crate) running_s: f64,
    /// …of which walking, s.
    pub(crate) walking_s: f64,
    /// Smoothed altitude at the end minus at the start, m.
    pub(crate) elevation_change_m: f64,
    /// Mean grade, %.
    pub(crate) grade_pct: f64,
    /// Time-weighted median cadence of running samples, steps/min.
    pub(crate) cadence_spm: Option<f64>,
    /// Time-weighted mean speed of running samples, m/s.
    pub(crate) speed_mps: Option<f64>,
    /// Mean step length, m: the record's `step_length` when present, else speed × 60 / cadence.
    pub(crate) step_length_m: Option<f64>,
    /// Mean vertical oscillation, mm (running dynamics).
    pub(crate) vertical_oscillation_mm: Option<f64>,
    /// Mean ground contact time, ms (running dynamics).
    pub(crate) stance_time_ms: Option<f64>,
}

impl Segment {
    /// Length, m.
    pub(crate) fn length_m(&self) -> f64 {
        self.end_m - self.start_m
    }
}

/// Running seconds and summed cadence per speed bin, for speed-matched comparisons.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SpeedBins {
    /// (bin index, seconds, Σ seconds × cadence), sorted by bin.
    pub(crate) bins: Vec<(i32, f64, f64)>,
}

impl SpeedBins {
    /// Adds `w` seconds at `spm` steps/min to `bin`.
    pub(crate) fn add(&mut self, bin: i32, w: f64, spm: f64) {
        self.insert(bin, w, w * spm);
    }

    /// Adds another histogram to this one.
    pub(crate) fn merge(&mut self, other: &SpeedBins) {
        for &(bin, w, sum) in &other.bins {
            self.insert(bin, w, sum);
        }
    }

    fn insert(&mut self, bin: i32, w: f64, sum: f64) {
        match self.bins.binary_search_by_key(&bin, |b| b.0) {
            Ok(i) => {
                self.bins[i].1 += w;
                self.bins[i].2 += sum;
            }
            Err(i) => self.bins.insert(i, (bin, w, sum)),
        }
    }

    /// Seconds and Σ seconds × cadence of one bin.
    pub(crate) fn get(&self, bin: i32) -> Option<(f64, f64)> {
        self.bins
            .binary_search_by_key(&bin, |b| b.0)
            .ok()
            .map(|i| (self.bins[i].1, self.bins[i].2))
    }

    /// This histogram less another that is part of it (a runner's history without one run).
    pub(crate) fn without(&self, part: &SpeedBins) -> SpeedBins {
        let mut out = self.clone();
        for &(bin, w, sum) in &part.bins {
            if let Ok(i) = out.bins.binary_search_by_key(&bin, |b| b.0) {
                out.bins[i].1 -= w;
                out.bins[i].2 -= sum;
            }
        }
        out.bins.retain(|b| b.1 > 1e-9);
        out
    }

    /// Total seconds.
    pub(crate) fn seconds(&self) -> f64 {
        self.bins.iter().map(|b| b.1).sum()
    }
}

/// Speed-matched comparison of downhill cadence with flat cadence at the same speed.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Matched {
    /// Flat cadence at the downhill speeds minus downhill cadence, steps/min (positive: the
    /// cadence drops downhill).
    pub(crate) drop_spm: f64,
    /// The flat cadence at the downhill speeds, weighted by downhill time, steps/min.
    pub(crate) flat_spm: f64,
    /// The downhill cadence in the same speed bins, steps/min.
    pub(crate) downhill_spm: f64,
    /// Share of downhill running time that found a flat reference, %.
    pub(crate) coverage_pct: f64,
}

impl Matched {
    /// Downhill against flat step length at the same speed, %: at one speed, step length is
    /// speed × 60 / cadence, so this is flat ÷ downhill cadence − 1. Positive exactly when the
    /// cadence drops.
    pub(crate) fn step_length_change_pct(&self) -> f64 {
        100.0 * (self.flat_spm / self.downhill_spm - 1.0)
    }
}

/// The downhill facts of one run.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Downhill {
    /// Segments, in order (empty when the run has no distance or altitude).
    pub(crate) segments: Vec<Segment>,
    /// Whether a grade profile could be computed at all.
    pub(crate) has_grade: bool,
    /// Time-weighted median cadence of moving samples in flat segments, steps/min.
    pub(crate) flat_cadence_spm: Option<f64>,
    /// …in downhill segments.
    pub(crate) downhill_cadence_spm: Option<f64>,
    /// …in uphill segments.
    pub(crate) uphill_cadence_spm: Option<f64>,
    /// Mean step length on the flat, m.
    pub(crate) flat_step_length_m: Option<f64>,
    /// Mean step length downhill, m.
    pub(crate) downhill_step_length_m: Option<f64>,
    /// Flat minus downhill cadence, steps/min, and as a share of flat, %.
    pub(crate) cadence_drop: Option<(f64, f64)>,
    /// Downhill against flat step length, %.
    pub(crate) step_length_change_pct: Option<f64>,
    /// Mean moving speed on the flat, m/s.
    pub(crate) flat_speed_mps: Option<f64>,
    /// Mean moving speed downhill, m/s.
    pub(crate) downhill_speed_mps: Option<f64>,
    /// Distance in downhill segments, m.
    pub(crate) downhill_m: f64,
    /// Number of downhill segments.
    pub(crate) downhill_segments: u32,
    /// Flat running by speed bin (for matching, here and across the runner's history).
    pub(crate) flat_bins: SpeedBins,
    /// Downhill running by speed bin.
    pub(crate) downhill_bins: SpeedBins,
    /// Speed-matched comparison, with where its flat reference came from: this run, when its
    /// flat running covers the downhill speeds, else the runner's history (filled in by
    /// aggregation).
    pub(crate) matched: Option<(Matched, MatchSource)>,
}

tokens! {
    /// A run's surface class.
    Surface {
        /// Streets and pavements.
        Road => "road",
        /// Paths, trails, off-road.
        Trail => "trail",
        /// An athletics track.
        Track => "track",
        /// A treadmill.
        Treadmill => "treadmill",
        /// Indoors, not known to be a treadmill.
        Indoor => "indoor",
        /// Not enough data to tell.
        Unknown => "unknown",
    }
}

impl Surface {
    /// The surface a FIT `sub_sport` declares, if it declares one.
    pub(crate) fn declared(sub_sport: Option<&str>) -> Option<Surface> {
        match sub_sport? {
            "street" => Some(Surface::Road),
            "trail" => Some(Surface::Trail),
            "track" => Some(Surface::Track),
            "treadmill" => Some(Surface::Treadmill),
            "indoor_running" => Some(Surface::Indoor),
            _ => None,
        }
    }
}

/// Proxy features of one run; `None` when a feature cannot be computed (no GPS, no altitude,
/// too short).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SurfaceFeatures {
    /// At least `min_gps_fraction` of the samples carry a position, or the positions trace
    /// at least `min_distance_m` of path.
    pub(crate) has_gps: bool,
    /// Recorded time, seconds (sample intervals, each capped at 10 s so pauses do not count).
    pub(crate) duration_s: f64,
    /// Distance the per-km features are measured over, metres: record distance, else the GPS
    /// path.
    pub(crate) distance_m: Option<f64>,
    /// Climb plus descent per km after smoothing and a dead band, metres/km.
    pub(crate) altitude_roughness_m_per_km: Option<f64>,
    /// Standard deviation of the grade over consecutive `grade_window_m` stretches,
    /// percentage points.
    pub(crate) grade_variability_pct: Option<f64>,
    /// Coefficient of variation of the smoothed moving speed, time-weighted, percent.
    pub(crate) speed_cv_pct: Option<f64>,
    /// Summed heading change of the resampled GPS path, degrees per km (changes below the
    /// noise threshold ignored). A 400 m track gives about 900.
    pub(crate) turn_density_deg_per_km: Option<f64>,
    /// Diagonal of the box holding every accepted GPS position, metres.
    pub(crate) bbox_diagonal_m: Option<f64>,
    /// Median length of the loops the path closes (between `loop_search_min_m` and
    /// `loop_search_max_m`), metres; `None` when under a tenth of the path closes a loop.
    pub(crate) lap_length_m: Option<f64>,
    /// Fraction (0–1) of the path (after its first `loop_search_min_m`) that passes, heading
    /// the same way, a point it passed one loop earlier.
    pub(crate) loop_score: Option<f64>,
    /// Coefficient of variation of vertical oscillation over moving samples, percent.
    pub(crate) vertical_oscillation_cv_pct: Option<f64>,
    /// Coefficient of variation of ground-contact (stance) time over moving samples, percent.
    pub(crate) stance_time_cv_pct: Option<f64>,
}

/// The surface of one run and how it was found.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SurfaceVerdict {
    /// The declared surface when `sub_sport` declares one, else the inferred one.
    pub(crate) surface: Surface,
    /// Declared or inferred.
    pub(crate) source: SurfaceSource,
    /// The classifier's own answer, computed even when the surface is declared.
    pub(crate) inferred: Surface,
    /// Confidence in `surface`, 0–1: 1.0 for a declaration (the runner chose the profile),
    /// else the classifier's confidence.
    pub(crate) confidence: f64,
    /// The features behind the inferred class.
    pub(crate) features: SurfaceFeatures,
}
