//! Downhill: grade from smoothed altitude over distance, segments by grade, and cadence and
//! step length downhill compared with the flat.
//!
//! Everything is computed on a distance grid, not per sample, so 1 s and "smart" (1–8 s)
//! recording give the same answers:
//! 1. samples with distance and altitude are interpolated onto a grid every `grid_m` metres,
//!    after altitude spikes and steps across pauses are taken out (no terrain makes them);
//! 2. altitude is smoothed with a centred moving average over `altitude_smoothing_m`;
//! 3. grade at each grid point is the smoothed altitude change across `grade_window_m`;
//! 4. each point is classed downhill (≤ `downhill_max_pct`), uphill (≥ `uphill_min_pct`) or
//!    flat (|grade| ≤ `flat_max_abs_pct`); a point in a gap between bands keeps the class of
//!    the point before it when that class borders the gap (hysteresis), so noise around a
//!    threshold does not flicker;
//! 5. runs of one class become segments; a segment shorter than `min_segment_m` is merged into
//!    its neighbours until every segment is long enough;
//! 6. each segment is classed again by its own mean grade (with the same bands and hysteresis),
//!    since merging can leave, say, a "downhill" that is flat on the whole.
//!
//! Samples are then assigned to segments by distance, and each segment gets time-weighted
//! cadence, speed, step length and running dynamics of its moving samples.

use serde::{Deserialize, Serialize};

use super::cadence::{self, weighted_median_mean, Moving};
use super::valid_altitude;
use crate::decode::Samples;

/// Settings of the downhill analysis (`[downhill]` in the config file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DownhillSettings {
    /// Spacing of the distance grid, m.
    pub grid_m: f64,
    /// Width of the centred moving average applied to altitude, m.
    pub altitude_smoothing_m: f64,
    /// Distance over which grade is measured, m.
    pub grade_window_m: f64,
    /// A point at or below this grade is downhill, %.
    pub downhill_max_pct: f64,
    /// A downhill segment at or below this mean grade is also `steep`, %.
    pub steep_downhill_max_pct: f64,
    /// A point within ± this grade is flat, %.
    pub flat_max_abs_pct: f64,
    /// A point at or above this grade is uphill, %.
    pub uphill_min_pct: f64,
    /// Segments shorter than this are merged into their neighbours, m.
    pub min_segment_m: f64,
    /// Width of the speed bins used to compare downhill and flat cadence at the same speed, m/s.
    pub speed_bin_mps: f64,
    /// A flat speed bin is used for matching when it holds at least this much running, s.
    pub min_flat_bin_s: f64,
    /// The run's own flat running is used for matching when it covers at least this share of
    /// the downhill time; otherwise the runner's other runs are used, %.
    pub min_match_coverage_pct: f64,
}

impl Default for DownhillSettings {
    fn default() -> Self {
        DownhillSettings {
            grid_m: 5.0,
            altitude_smoothing_m: 60.0,
            grade_window_m: 50.0,
            downhill_max_pct: -3.0,
            steep_downhill_max_pct: -10.0,
            flat_max_abs_pct: 2.0,
            uphill_min_pct: 3.0,
            min_segment_m: 150.0,
            speed_bin_mps: 0.2,
            min_flat_bin_s: 20.0,
            min_match_coverage_pct: 50.0,
        }
    }
}

/// The grade class of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Grade at or below the downhill threshold.
    Downhill,
    /// Grade within the flat band.
    Flat,
    /// Grade at or above the uphill threshold.
    Uphill,
}

impl Kind {
    /// The token written to the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Downhill => "downhill",
            Kind::Flat => "flat",
            Kind::Uphill => "uphill",
        }
    }
}

/// One stretch of a run with one grade class.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Grade class.
    pub kind: Kind,
    /// Downhill and at or below the steep threshold.
    pub steep: bool,
    /// Start, m from the start of the run.
    pub start_m: f64,
    /// End, m.
    pub end_m: f64,
    /// Start time, Unix seconds (device seconds for undated files).
    pub start_t: f64,
    /// Elapsed time, s.
    pub duration_s: f64,
    /// Smoothed altitude at the end minus at the start, m.
    pub elevation_change_m: f64,
    /// Mean grade, %.
    pub grade_pct: f64,
    /// Time-weighted median cadence of moving samples, steps/min.
    pub cadence_spm: Option<f64>,
    /// Time-weighted mean speed of moving samples, m/s.
    pub speed_mps: Option<f64>,
    /// Mean step length, m: the record's `step_length` when present, else speed × 60 / cadence.
    pub step_length_m: Option<f64>,
    /// Mean vertical oscillation, mm (running dynamics).
    pub vertical_oscillation_mm: Option<f64>,
    /// Mean ground contact time, ms (running dynamics).
    pub stance_time_ms: Option<f64>,
}

impl Segment {
    /// Length, m.
    pub fn length_m(&self) -> f64 {
        self.end_m - self.start_m
    }
}

/// Running seconds and summed cadence per speed bin, for speed-matched comparisons.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpeedBins {
    /// (bin index, seconds, Σ seconds × cadence), sorted by bin.
    pub bins: Vec<(i32, f64, f64)>,
}

impl SpeedBins {
    fn add(&mut self, bin: i32, w: f64, spm: f64) {
        match self.bins.binary_search_by_key(&bin, |b| b.0) {
            Ok(i) => {
                self.bins[i].1 += w;
                self.bins[i].2 += w * spm;
            }
            Err(i) => self.bins.insert(i, (bin, w, w * spm)),
        }
    }

    /// Adds another histogram to this one.
    pub fn merge(&mut self, other: &SpeedBins) {
        for &(bin, w, sum) in &other.bins {
            match self.bins.binary_search_by_key(&bin, |b| b.0) {
                Ok(i) => {
                    self.bins[i].1 += w;
                    self.bins[i].2 += sum;
                }
                Err(i) => self.bins.insert(i, (bin, w, sum)),
            }
        }
    }

    fn get(&self, bin: i32) -> Option<(f64, f64)> {
        self.bins
            .binary_search_by_key(&bin, |b| b.0)
            .ok()
            .map(|i| (self.bins[i].1, self.bins[i].2))
    }

    /// This histogram less another that is part of it (a runner's history without one run).
    pub fn without(&self, part: &SpeedBins) -> SpeedBins {
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
    pub fn seconds(&self) -> f64 {
        self.bins.iter().map(|b| b.1).sum()
    }
}

/// Speed-matched comparison of downhill cadence with flat cadence at the same speed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Matched {
    /// Flat cadence at the downhill speeds minus downhill cadence, steps/min (positive: the
    /// cadence drops downhill).
    pub drop_spm: f64,
    /// Share of downhill running time that found a flat reference, %.
    pub coverage_pct: f64,
}

/// Compares downhill with flat bins: for every downhill speed bin with enough flat running in
/// the same bin, the flat mean cadence minus the downhill mean cadence, weighted by downhill
/// time. `None` when coverage is below `min_coverage_pct`.
pub fn matched_drop(
    downhill: &SpeedBins,
    flat: &SpeedBins,
    cfg: &DownhillSettings,
) -> Option<Matched> {
    let total = downhill.seconds();
    if total <= 0.0 {
        return None;
    }
    let (mut covered, mut sum) = (0.0, 0.0);
    for &(bin, w, s) in &downhill.bins {
        if let Some((fw, fs)) = flat.get(bin) {
            if fw >= cfg.min_flat_bin_s {
                covered += w;
                sum += w * (fs / fw - s / w);
            }
        }
    }
    let coverage_pct = 100.0 * covered / total;
    (covered > 0.0 && coverage_pct >= cfg.min_match_coverage_pct).then(|| Matched {
        drop_spm: sum / covered,
        coverage_pct,
    })
}

/// The downhill facts of one run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Downhill {
    /// Segments, in order (empty when the run has no distance or altitude).
    pub segments: Vec<Segment>,
    /// Whether a grade profile could be computed at all.
    pub has_grade: bool,
    /// Time-weighted median cadence of moving samples in flat segments, steps/min.
    pub flat_cadence_spm: Option<f64>,
    /// …in downhill segments.
    pub downhill_cadence_spm: Option<f64>,
    /// …in uphill segments.
    pub uphill_cadence_spm: Option<f64>,
    /// Mean step length on the flat, m.
    pub flat_step_length_m: Option<f64>,
    /// Mean step length downhill, m.
    pub downhill_step_length_m: Option<f64>,
    /// Mean moving speed on the flat, m/s.
    pub flat_speed_mps: Option<f64>,
    /// Mean moving speed downhill, m/s.
    pub downhill_speed_mps: Option<f64>,
    /// Distance in downhill segments, m.
    pub downhill_m: f64,
    /// Number of downhill segments.
    pub downhill_segments: u32,
    /// Flat running by speed bin (for matching, here and across the runner's history).
    pub flat_bins: SpeedBins,
    /// Downhill running by speed bin.
    pub downhill_bins: SpeedBins,
    /// Speed-matched comparison within this run, when its flat running covers the downhill
    /// speeds.
    pub matched_in_run: Option<Matched>,
}

/// Smoothed altitude and grade on a distance grid.
#[derive(Clone, Debug, Default)]
pub struct GradeProfile {
    /// Grid distances, m (start at the first sample's distance).
    pub x_m: Vec<f64>,
    /// Smoothed altitude at each grid point, m (relative: altitude steps that are not terrain
    /// are taken out, which shifts everything after them).
    pub altitude_m: Vec<f64>,
    /// Grade at each grid point, %.
    pub grade_pct: Vec<f64>,
    /// Time at each grid point (interpolated), Unix seconds.
    pub t: Vec<f64>,
}

/// Builds the grade profile; `None` when fewer than two samples carry both distance and
/// altitude, or the run covers less than one grade window.
pub fn grade_profile(s: &Samples, cfg: &DownhillSettings) -> Option<GradeProfile> {
    // Points with distance and altitude, distance non-decreasing (a GPS glitch that goes back is
    // dropped rather than folding the profile).
    let mut pts: Vec<(f64, f64, f64)> = Vec::new();
    for i in 0..s.len() {
        let (d, a) = (s.distance_m[i], s.altitude_m[i]);
        if !d.is_finite() || !valid_altitude(a) {
            continue;
        }
        if let Some(&(pd, _, _)) = pts.last() {
            if d < pd {
                continue;
            }
        }
        pts.push((d, a, s.t[i] as f64));
    }
    if pts.len() < 2 {
        return None;
    }
    remove_altitude_steps(&mut pts, cfg.altitude_smoothing_m);
    let (d0, d1) = (pts[0].0, pts[pts.len() - 1].0);
    let step = cfg.grid_m.max(0.5);
    // A span beyond any run is a corrupt distance field; a grid over it would only waste memory.
    if d1 - d0 < cfg.grade_window_m.max(step) || d1 - d0 > MAX_PROFILE_M {
        return None;
    }
    let n = ((d1 - d0) / step).floor() as usize + 1;
    let mut x = Vec::with_capacity(n);
    let mut alt = Vec::with_capacity(n);
    let mut tt = Vec::with_capacity(n);
    let mut j = 0;
    for k in 0..n {
        let xk = d0 + k as f64 * step;
        while j + 1 < pts.len() - 1 && pts[j + 1].0 < xk {
            j += 1;
        }
        let (a, b) = (pts[j], pts[(j + 1).min(pts.len() - 1)]);
        let f = if b.0 > a.0 {
            ((xk - a.0) / (b.0 - a.0)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        x.push(xk);
        alt.push(a.1 + f * (b.1 - a.1));
        tt.push(a.2 + f * (b.2 - a.2));
    }
    let smooth = moving_average(
        &alt,
        (cfg.altitude_smoothing_m / step / 2.0).round() as usize,
    );
    let half = ((cfg.grade_window_m / step / 2.0).round() as usize).max(1);
    let grade = (0..n)
        .map(|k| {
            let lo = k.saturating_sub(half);
            let hi = (k + half).min(n - 1);
            let run = x[hi] - x[lo];
            if run > 0.0 {
                100.0 * (smooth[hi] - smooth[lo]) / run
            } else {
                0.0
            }
        })
        .collect();
    Some(GradeProfile {
        x_m: x,
        altitude_m: smooth,
        grade_pct: grade,
        t: tt,
    })
}

/// Longest distance a grade profile is built over, m (ultra races stay well below).
const MAX_PROFILE_M: f64 = 1_000_000.0;

/// Steepest altitude change between consecutive samples that is taken as terrain: rise over
/// run. Nothing runnable (or walkable without hands) is steeper than 45°.
const MAX_TERRAIN_GRADE: f64 = 1.0;

/// Altitude change between consecutive samples allowed on top of [`MAX_TERRAIN_GRADE`], m: ten
/// steps of the FIT altitude field (0.2 m). A barometric altitude that is updated every few
/// seconds moves by a metre or more in one record while the distance hardly does, and GPS
/// altitude jitters by as much from second to second.
const ALTITUDE_STEP_TOLERANCE_M: f64 = 2.0;

/// Takes out of `(distance, altitude, time)` points the altitude steps that are not terrain,
/// so that the grid over distance does not turn them into cliffs, nor smoothing into steep fake
/// slopes.
///
/// A step is a change between consecutive points larger than the run between them times
/// [`MAX_TERRAIN_GRADE`], plus [`ALTITUDE_STEP_TOLERANCE_M`]. It is subtracted, whole, from
/// that point and every later one when it is
/// - across a pause (points more than [`cadence::MAX_SAMPLE_WEIGHT_S`] apart): the timer, and
///   with it the distance, stopped while the altitude changed (the runner walked down a flight
///   of stairs, the altimeter re-calibrated); there is no run to spread it over, and devices
///   leave it out of their own ascent and descent too;
/// - one side of a spike, i.e. followed by a step the other way within `spike_max_m`, or
///   within `spike_max_m` of either end of the run, where the other side of a spike may not
///   have been recorded: GPS altitude settling after the first fix, a barometer disturbed for
///   a moment. The moving average sees a spike at an end from one side only and would make a
///   steep slope of it.
///
/// Other steps are kept: a barometric altitude that lags and then catches up in one jump (some
/// watches do) carries climb that is real, and devices count it.
fn remove_altitude_steps(pts: &mut [(f64, f64, f64)], spike_max_m: f64) {
    let n = pts.len();
    let step = |k: usize| -> Option<f64> {
        let change = pts[k].1 - pts[k - 1].1;
        let limit = MAX_TERRAIN_GRADE * (pts[k].0 - pts[k - 1].0) + ALTITUDE_STEP_TOLERANCE_M;
        (change.abs() > limit).then_some(change)
    };
    let mut remove = vec![false; n];
    for k in 1..n {
        if remove[k] {
            continue;
        }
        let Some(change) = step(k) else { continue };
        let paused = pts[k].2 - pts[k - 1].2 > cadence::MAX_SAMPLE_WEIGHT_S;
        let at_end =
            pts[k - 1].0 - pts[0].0 <= spike_max_m || pts[n - 1].0 - pts[k].0 <= spike_max_m;
        if paused || at_end {
            remove[k] = true;
            continue;
        }
        let back = (k + 1..n)
            .take_while(|&m| pts[m].0 - pts[k - 1].0 <= spike_max_m)
            .find(|&m| step(m).is_some_and(|c| c.signum() != change.signum()));
        if let Some(m) = back {
            remove[k] = true;
            remove[m] = true;
        }
    }
    let mut offset = 0.0;
    let mut prev_raw = pts[0].1;
    for k in 1..n {
        let raw = pts[k].1;
        if remove[k] {
            offset -= raw - prev_raw;
        }
        prev_raw = raw;
        pts[k].1 = raw + offset;
    }
}

/// Centred moving average with `half` points each side (shrinking at the ends), O(n).
fn moving_average(v: &[f64], half: usize) -> Vec<f64> {
    let n = v.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &x in v {
        prefix.push(prefix[prefix.len() - 1] + x);
    }
    (0..n)
        .map(|k| {
            let lo = k.saturating_sub(half);
            let hi = (k + half + 1).min(n);
            (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

/// The class of grade `g`; in a gap between bands, `prev` when it borders that gap, else flat.
fn class_of(g: f64, prev: Kind, cfg: &DownhillSettings) -> Kind {
    if g <= cfg.downhill_max_pct {
        Kind::Downhill
    } else if g >= cfg.uphill_min_pct {
        Kind::Uphill
    } else if g.abs() <= cfg.flat_max_abs_pct {
        Kind::Flat
    } else {
        match prev {
            Kind::Downhill if g < 0.0 => Kind::Downhill,
            Kind::Uphill if g > 0.0 => Kind::Uphill,
            _ => Kind::Flat,
        }
    }
}

/// Classes each grid point, with hysteresis in the gaps between bands.
fn classify(grade: &[f64], cfg: &DownhillSettings) -> Vec<Kind> {
    let mut out = Vec::with_capacity(grade.len());
    let mut prev = Kind::Flat;
    for &g in grade {
        let k = class_of(g, prev, cfg);
        out.push(k);
        prev = k;
    }
    out
}

/// Grid index ranges `[start, end]` (inclusive) with one class each, short ones merged, each
/// classed by its own mean grade in the end.
fn spans(
    kinds: &[Kind],
    x: &[f64],
    grade_alt: &[f64],
    cfg: &DownhillSettings,
) -> Vec<(Kind, usize, usize)> {
    let min_len = cfg.min_segment_m;
    let mut spans: Vec<(Kind, usize, usize)> = Vec::new();
    for (i, &k) in kinds.iter().enumerate() {
        match spans.last_mut() {
            Some(last) if last.0 == k => last.2 = i,
            // Adjacent spans share their boundary point so lengths add up.
            Some(last) => {
                let start = last.2;
                spans.push((k, start, i));
            }
            None => spans.push((k, 0, i)),
        }
    }
    let len = |s: &(Kind, usize, usize)| x[s.2] - x[s.1];
    let mean_grade = |s: &(Kind, usize, usize)| {
        let run = x[s.2] - x[s.1];
        if run > 0.0 {
            100.0 * (grade_alt[s.2] - grade_alt[s.1]) / run
        } else {
            0.0
        }
    };
    // Merge the shortest too-short span until none is left (or one span remains).
    loop {
        if spans.len() < 2 {
            break;
        }
        let Some((i, _)) = spans
            .iter()
            .enumerate()
            .filter(|(_, s)| len(s) < min_len)
            .min_by(|a, b| len(a.1).total_cmp(&len(b.1)))
        else {
            break;
        };
        let prev = i.checked_sub(1);
        let next = (i + 1 < spans.len()).then_some(i + 1);
        match (prev, next) {
            // An interruption between two spans of one kind: all three become one.
            (Some(p), Some(q)) if spans[p].0 == spans[q].0 => {
                spans[p].2 = spans[q].2;
                spans.drain(i..=q);
            }
            (Some(p), Some(q)) => {
                // Join the neighbour whose grade is closer to this span's.
                let g = mean_grade(&spans[i]);
                let dp = (mean_grade(&spans[p]) - g).abs();
                let dq = (mean_grade(&spans[q]) - g).abs();
                if dp <= dq {
                    spans[p].2 = spans[i].2;
                    spans.remove(i);
                } else {
                    spans[q].1 = spans[i].1;
                    spans.remove(i);
                }
            }
            (Some(p), None) => {
                spans[p].2 = spans[i].2;
                spans.remove(i);
            }
            (None, Some(q)) => {
                spans[q].1 = spans[i].1;
                spans.remove(i);
            }
            (None, None) => break,
        }
    }
    // A span keeps the class of the neighbour it was merged into, and on rolling ground a chain
    // of merges can leave a "downhill" span that is flat on the whole, or an "uphill" one that
    // descends. Each span is classed again by its own mean grade (keeping its class inside the
    // gap bordering it), then neighbours of one kind are joined. One pass is enough: a join
    // mixes spans of one class, whose mean grade stays in that class or its gap.
    let mut merged: Vec<(Kind, usize, usize)> = Vec::with_capacity(spans.len());
    for mut s in spans {
        s.0 = class_of(mean_grade(&s), s.0, cfg);
        match merged.last_mut() {
            Some(last) if last.0 == s.0 => last.2 = s.2,
            _ => merged.push(s),
        }
    }
    merged
}

/// Per-sample inputs the segment statistics need.
struct SampleView<'a> {
    s: &'a Samples,
    spm: &'a [f64],
    speed: &'a [f64],
    weight: &'a [f64],
}

#[derive(Default)]
struct Acc {
    spm: Vec<f64>,
    w: Vec<f64>,
    speed_sum: f64,
    speed_w: f64,
    step_sum: f64,
    step_w: f64,
    vo_sum: f64,
    vo_w: f64,
    st_sum: f64,
    st_w: f64,
}

impl Acc {
    fn add(&mut self, v: &SampleView<'_>, i: usize) {
        let spm = v.spm[i];
        if !spm.is_finite() {
            return;
        }
        let w = v.weight[i];
        self.spm.push(spm);
        self.w.push(w);
        if v.speed[i].is_finite() {
            self.speed_sum += w * v.speed[i];
            self.speed_w += w;
        }
        let step = v.s.step_length_mm[i];
        if step.is_finite() && step > 0.0 {
            self.step_sum += w * step / 1000.0;
            self.step_w += w;
        }
        let vo = v.s.vertical_oscillation_mm[i];
        if vo.is_finite() && vo > 0.0 {
            self.vo_sum += w * vo;
            self.vo_w += w;
        }
        let st = v.s.stance_time_ms[i];
        if st.is_finite() && st > 0.0 {
            self.st_sum += w * st;
            self.st_w += w;
        }
    }

    fn cadence(&self) -> Option<f64> {
        weighted_median_mean(&self.spm, &self.w).map(|m| m.0)
    }

    fn speed(&self) -> Option<f64> {
        (self.speed_w > 0.0).then(|| self.speed_sum / self.speed_w)
    }

    /// Step length from running dynamics, else from speed and cadence.
    fn step_length(&self) -> Option<f64> {
        if self.step_w > 0.0 {
            return Some(self.step_sum / self.step_w);
        }
        match (self.speed(), self.cadence()) {
            (Some(v), Some(c)) if c > 0.0 => Some(v * 60.0 / c),
            _ => None,
        }
    }

    fn mean(sum: f64, w: f64) -> Option<f64> {
        (w > 0.0).then(|| sum / w)
    }
}

/// Analyses one run's samples.
pub fn analyse(s: &Samples, moving: &Moving, cfg: &DownhillSettings) -> Downhill {
    let Some(profile) = grade_profile(s, cfg) else {
        return Downhill::default();
    };
    let kinds = classify(&profile.grade_pct, cfg);
    let spans = spans(&kinds, &profile.x_m, &profile.altitude_m, cfg);

    let view = SampleView {
        spm: &moving.spm,
        weight: &moving.weight_s,
        speed: &moving.speed_mps,
        s,
    };
    // Samples to spans by distance, in one pass (distance is non-decreasing in practice; a
    // sample that goes back is placed by search).
    let mut accs: Vec<Acc> = spans.iter().map(|_| Acc::default()).collect();
    let mut by_kind = [Acc::default(), Acc::default(), Acc::default()];
    let mut out = Downhill {
        has_grade: true,
        ..Downhill::default()
    };
    let bin_of = |v: f64| (v / cfg.speed_bin_mps.max(1e-3)).floor() as i32;
    let ends: Vec<f64> = spans.iter().map(|sp| profile.x_m[sp.2]).collect();
    for i in 0..s.len() {
        let d = s.distance_m[i];
        if !d.is_finite() || d < profile.x_m[0] {
            continue;
        }
        let k = ends.partition_point(|&e| e < d).min(spans.len() - 1);
        accs[k].add(&view, i);
        let kind = spans[k].0;
        by_kind[kind as usize].add(&view, i);
        let (spm, v, w) = (view.spm[i], view.speed[i], view.weight[i]);
        if spm.is_finite() && v.is_finite() && w > 0.0 {
            match kind {
                Kind::Flat => out.flat_bins.add(bin_of(v), w, spm),
                Kind::Downhill => out.downhill_bins.add(bin_of(v), w, spm),
                Kind::Uphill => {}
            }
        }
    }

    for (sp, acc) in spans.iter().zip(&accs) {
        let (a, b) = (sp.1, sp.2);
        let start_m = profile.x_m[a] - profile.x_m[0];
        let end_m = profile.x_m[b] - profile.x_m[0];
        let rise = profile.altitude_m[b] - profile.altitude_m[a];
        let grade_pct = if end_m > start_m {
            100.0 * rise / (end_m - start_m)
        } else {
            0.0
        };
        let seg = Segment {
            kind: sp.0,
            steep: sp.0 == Kind::Downhill && grade_pct <= cfg.steep_downhill_max_pct,
            start_m,
            end_m,
            start_t: profile.t[a],
            duration_s: profile.t[b] - profile.t[a],
            elevation_change_m: rise,
            grade_pct,
            cadence_spm: acc.cadence(),
            speed_mps: acc.speed(),
            step_length_m: acc.step_length(),
            vertical_oscillation_mm: Acc::mean(acc.vo_sum, acc.vo_w),
            stance_time_ms: Acc::mean(acc.st_sum, acc.st_w),
        };
        if seg.kind == Kind::Downhill {
            out.downhill_m += seg.length_m();
            out.downhill_segments += 1;
        }
        out.segments.push(seg);
    }
    let [down, flat, up] = &by_kind;
    out.flat_cadence_spm = flat.cadence();
    out.downhill_cadence_spm = down.cadence();
    out.uphill_cadence_spm = up.cadence();
    out.flat_step_length_m = flat.step_length();
    out.downhill_step_length_m = down.step_length();
    out.flat_speed_mps = flat.speed();
    out.downhill_speed_mps = down.speed();
    out.matched_in_run = matched_drop(&out.downhill_bins, &out.flat_bins, cfg);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run on a distance profile: `alt(d)` at `speed` m/s, 1 s samples, cadence `spm(d)`.
    fn run(len_m: f64, speed: f64, alt: impl Fn(f64) -> f64, spm: impl Fn(f64) -> f64) -> Samples {
        let n = (len_m / speed) as usize;
        let mut s = Samples::default();
        for i in 0..=n {
            let d = i as f64 * speed;
            s.t.push(1_700_000_000 + i as i64);
            s.distance_m.push(d);
            s.altitude_m.push(alt(d));
            s.speed_mps.push(speed);
            s.cadence_raw.push(spm(d) / 2.0);
            for v in [
                &mut s.heart_rate,
                &mut s.lat_deg,
                &mut s.lon_deg,
                &mut s.step_length_mm,
                &mut s.vertical_oscillation_mm,
                &mut s.stance_time_ms,
            ] {
                v.push(f64::NAN);
            }
        }
        s
    }

    #[test]
    fn a_single_descent_is_found_with_its_grade() {
        // 1 km flat, 500 m at −6 %, 1 km flat.
        let alt = |d: f64| {
            if d < 1000.0 {
                100.0
            } else if d < 1500.0 {
                100.0 - 0.06 * (d - 1000.0)
            } else {
                70.0
            }
        };
        let spm = |d: f64| {
            if (1000.0..1500.0).contains(&d) {
                160.0
            } else {
                170.0
            }
        };
        let s = run(2500.0, 3.0, alt, spm);
        let dh = analyse(&s, &Moving::new(&s, 1.5), &DownhillSettings::default());
        let kinds: Vec<Kind> = dh.segments.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, vec![Kind::Flat, Kind::Downhill, Kind::Flat]);
        let d = &dh.segments[1];
        assert!((d.start_m - 1000.0).abs() < 30.0, "{}", d.start_m);
        assert!((d.end_m - 1500.0).abs() < 30.0, "{}", d.end_m);
        assert!((d.grade_pct + 6.0).abs() < 0.6, "{}", d.grade_pct);
        assert!(!d.steep);
        assert_eq!(dh.flat_cadence_spm, Some(170.0));
        assert_eq!(dh.downhill_cadence_spm, Some(160.0));
        // Same speed on both: the matched drop is the plain drop.
        let m = dh.matched_in_run.unwrap();
        assert!((m.drop_spm - 10.0).abs() < 0.5, "{m:?}");
        // Step length from speed and cadence: 3 m/s × 60 / 160.
        assert!((dh.downhill_step_length_m.unwrap() - 1.125).abs() < 0.01);
    }

    #[test]
    fn flicker_around_the_threshold_does_not_split_segments() {
        // A long −2.5 % stretch sits in the gap between flat and downhill.
        let s = run(3000.0, 3.0, |d| 200.0 - 0.025 * d, |_| 170.0);
        let dh = analyse(&s, &Moving::new(&s, 1.5), &DownhillSettings::default());
        assert_eq!(dh.segments.len(), 1, "{:?}", dh.segments);
        assert_eq!(dh.downhill_segments, 0);
    }

    #[test]
    fn no_altitude_or_no_distance_gives_no_profile() {
        let mut s = run(2000.0, 3.0, |_| 100.0, |_| 170.0);
        s.altitude_m.iter_mut().for_each(|a| *a = f64::NAN);
        let dh = analyse(&s, &Moving::new(&s, 1.5), &DownhillSettings::default());
        assert!(!dh.has_grade);
        assert!(dh.segments.is_empty());
        assert_eq!(dh.flat_cadence_spm, None);
        assert!(analyse(
            &Samples::default(),
            &Moving::default(),
            &DownhillSettings::default()
        )
        .segments
        .is_empty());
    }

    #[test]
    fn a_corrupt_distance_gives_no_profile_instead_of_a_huge_grid() {
        let mut s = run(2000.0, 3.0, |_| 100.0, |_| 170.0);
        let last = s.distance_m.len() - 1;
        s.distance_m[last] = 4.0e9;
        assert!(grade_profile(&s, &DownhillSettings::default()).is_none());
    }

    #[test]
    fn steep_descents_are_marked() {
        let alt = |d: f64| {
            if d < 500.0 {
                100.0
            } else {
                100.0 - 0.12 * (d - 500.0).min(400.0)
            }
        };
        let s = run(1500.0, 2.5, alt, |_| 165.0);
        let dh = analyse(&s, &Moving::new(&s, 1.5), &DownhillSettings::default());
        let down: Vec<&Segment> = dh
            .segments
            .iter()
            .filter(|x| x.kind == Kind::Downhill)
            .collect();
        assert_eq!(down.len(), 1);
        assert!(down[0].steep, "{:?}", down[0]);
    }

    /// Flat, then 400 m at −6 % from 1000 m, then flat: 1 s samples at 3 m/s.
    fn one_descent() -> Samples {
        let alt = |d: f64| 100.0 - 0.06 * (d - 1000.0).clamp(0.0, 400.0);
        run(3000.0, 3.0, alt, |_| 170.0)
    }

    fn drops(dh: &Downhill) -> f64 {
        dh.segments
            .iter()
            .map(|x| (-x.elevation_change_m).max(0.0))
            .sum()
    }

    #[test]
    fn altitude_spikes_and_steps_across_pauses_are_not_slopes() {
        let mut s = one_descent();
        // GPS altitude settling after the fix: 80 m too high for a few seconds at the start, and
        // a 3 s barometer spike mid-run.
        for i in 1..5 {
            s.altitude_m[i] += 80.0;
        }
        for i in 200..203 {
            s.altitude_m[i] -= 25.0;
        }
        // A five-minute pause at 2100 m, after which the altimeter reads 30 m lower.
        let k = s.distance_m.iter().position(|&d| d >= 2100.0).unwrap();
        for i in k..s.len() {
            s.t[i] += 300;
            s.altitude_m[i] -= 30.0;
        }
        let dh = analyse(&s, &Moving::new(&s, 1.5), &DownhillSettings::default());
        let kinds: Vec<Kind> = dh.segments.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, vec![Kind::Flat, Kind::Downhill, Kind::Flat]);
        let d = &dh.segments[1];
        assert!(
            (d.start_m - 1000.0).abs() < 30.0 && (d.end_m - 1400.0).abs() < 30.0,
            "{d:?}"
        );
        assert!((d.elevation_change_m + 24.0).abs() < 1.0, "{d:?}");
        assert!((drops(&dh) - 24.0).abs() < 1.0, "{}", drops(&dh));
    }

    #[test]
    fn an_altitude_that_catches_up_in_one_jump_keeps_its_climb() {
        // Some barometric watches lag and then catch up: 12 m in one second while running. No
        // pause, no way back: the climb is real and stays in the profile.
        let mut s = run(3000.0, 3.0, |_| 100.0, |_| 170.0);
        let k = s.distance_m.iter().position(|&d| d >= 1500.0).unwrap();
        for i in k..s.len() {
            s.altitude_m[i] += 12.0;
        }
        let dh = analyse(&s, &Moving::new(&s, 1.5), &DownhillSettings::default());
        let net: f64 = dh.segments.iter().map(|x| x.elevation_change_m).sum();
        assert!((net - 12.0).abs() < 0.5, "{net}");
    }

    #[test]
    fn merged_segments_are_classed_by_their_own_grade() {
        // Rolling ground: bumps of 60–130 m at up to ±8 %, all shorter than a segment, so the
        // segments are built by merging.
        let legs: Vec<(f64, f64)> = (0..40)
            .map(|i| {
                (
                    60.0 + (i * 37 % 71) as f64,
                    [8.0, -3.0, 5.0, -7.0, 1.0, -8.0, 6.0][i % 7],
                )
            })
            .collect();
        let alt = |d: f64| {
            let (mut x, mut a) = (0.0, 100.0);
            for &(len, g) in &legs {
                let step = (d - x).clamp(0.0, len);
                a += g / 100.0 * step;
                x += len;
            }
            a
        };
        let cfg = DownhillSettings::default();
        let s = run(3800.0, 3.0, alt, |_| 170.0);
        let dh = analyse(&s, &Moving::new(&s, 1.5), &cfg);
        assert!(dh.segments.len() > 1);
        for x in &dh.segments {
            let fits = match x.kind {
                Kind::Downhill => x.grade_pct < -cfg.flat_max_abs_pct,
                Kind::Uphill => x.grade_pct > cfg.flat_max_abs_pct,
                Kind::Flat => x.grade_pct.abs() < cfg.uphill_min_pct,
            };
            assert!(fits, "{x:?}");
            assert!(x.length_m() >= cfg.min_segment_m, "{x:?}");
        }
    }

    #[test]
    fn matched_drop_needs_coverage() {
        let cfg = DownhillSettings::default();
        let mut down = SpeedBins::default();
        down.add(20, 100.0, 160.0);
        let mut flat = SpeedBins::default();
        flat.add(15, 600.0, 170.0);
        assert!(matched_drop(&down, &flat, &cfg).is_none());
        flat.add(20, 30.0, 172.0);
        let m = matched_drop(&down, &flat, &cfg).unwrap();
        assert!((m.drop_spm - 12.0).abs() < 1e-9);
        assert_eq!(m.coverage_pct, 100.0);
    }
}
