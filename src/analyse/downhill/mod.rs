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

mod matching;
mod profile;
mod segments;

pub(crate) use matching::matched_drop;

use profile::{grade_profile, GradeProfile};
use segments::{classify, interior_grade, spans, Span};

use super::SampleSeries;
use crate::config::DownhillSettings;
use crate::model::{Downhill, Gait, Kind, MatchSource, Samples, Segment, SpeedBins};
use crate::series::weighted_median_mean;

/// Per-sample inputs the segment statistics need.
struct SampleView<'a> {
    s: &'a Samples,
    gait: &'a [Gait],
    spm: &'a [f64],
    speed: &'a [f64],
    weight: &'a [f64],
}

#[derive(Default)]
struct Acc {
    time_s: f64,
    running_s: f64,
    walking_s: f64,
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
        let w = v.weight[i];
        self.time_s += w;
        match v.gait[i] {
            Gait::Running => self.running_s += w,
            Gait::Walking => self.walking_s += w,
            Gait::Stopped => {}
        }
        let spm = v.spm[i];
        if !spm.is_finite() {
            return;
        }
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

    /// Step length from running dynamics, else from mean speed and median cadence. The
    /// second is a ratio of two plausible numbers, not a measurement: damage can leave speeds
    /// and cadences each inside their bounds but at odds across the samples, so a ratio
    /// longer than the longest plausible step (`max_m`, the guard's) is no step length.
    fn step_length(&self, max_m: f64) -> Option<f64> {
        if self.step_w > 0.0 {
            return Some(self.step_sum / self.step_w);
        }
        match (self.speed(), self.cadence()) {
            (Some(v), Some(c)) if c > 0.0 => Some(v * 60.0 / c).filter(|&l| l <= max_m),
            _ => None,
        }
    }

    fn mean(sum: f64, w: f64) -> Option<f64> {
        (w > 0.0).then(|| sum / w)
    }
}

/// Analyses one run's samples; `max_step_m` is the guard's longest plausible step.
pub(crate) fn analyse(
    s: &Samples,
    series: &SampleSeries,
    cfg: &DownhillSettings,
    max_step_m: f64,
) -> Downhill {
    let Some(profile) = grade_profile(s, cfg) else {
        return Downhill::default();
    };
    let kinds = classify(&profile.grade_pct, cfg);
    let spans = spans(&kinds, &profile, cfg);
    let view = SampleView {
        gait: &series.gait,
        spm: &series.spm,
        weight: &series.weight_s,
        speed: &series.speed_mps,
        s,
    };
    let sums = Sums::gather(&view, &spans, &profile, cfg);
    let mut out = Downhill {
        has_grade: true,
        flat_bins: sums.flat_bins,
        downhill_bins: sums.downhill_bins,
        ..Downhill::default()
    };
    for (sp, acc) in spans.iter().zip(&sums.per_span) {
        let seg = segment(sp, acc, &profile, cfg, max_step_m);
        if seg.kind == Kind::Downhill {
            out.downhill_m += seg.length_m();
            out.downhill_segments += 1;
        }
        out.segments.push(seg);
    }
    compare(&mut out, &sums.by_kind, cfg, max_step_m);
    out
}

/// The samples of a run summed by the span they fall in and by its kind.
struct Sums {
    /// One per span.
    per_span: Vec<Acc>,
    /// Downhill, flat, uphill (in the order of [`Kind`]).
    by_kind: [Acc; 3],
    /// Cadence by speed on the flat…
    flat_bins: SpeedBins,
    /// …and downhill.
    downhill_bins: SpeedBins,
}

impl Sums {
    /// Samples to spans by distance, in one pass (distance is non-decreasing in practice; a
    /// sample that goes back is placed by search).
    fn gather(
        view: &SampleView<'_>,
        spans: &[Span],
        profile: &GradeProfile,
        cfg: &DownhillSettings,
    ) -> Sums {
        let mut sums = Sums {
            per_span: spans.iter().map(|_| Acc::default()).collect(),
            by_kind: [Acc::default(), Acc::default(), Acc::default()],
            flat_bins: SpeedBins::default(),
            downhill_bins: SpeedBins::default(),
        };
        let bin_of = |v: f64| (v / cfg.speed_bin_mps.max(1e-3)).floor() as i32;
        let ends: Vec<f64> = spans.iter().map(|sp| profile.x_m[sp.last]).collect();
        for i in 0..view.s.len() {
            let d = view.s.distance_m[i];
            if !d.is_finite() || d < profile.x_m[0] {
                continue;
            }
            let k = ends.partition_point(|&e| e < d).min(spans.len() - 1);
            sums.per_span[k].add(view, i);
            let kind = spans[k].kind;
            sums.by_kind[kind as usize].add(view, i);
            let (spm, v, w) = (view.spm[i], view.speed[i], view.weight[i]);
            if spm.is_finite() && v.is_finite() && w > 0.0 {
                match kind {
                    Kind::Flat => sums.flat_bins.add(bin_of(v), w, spm),
                    Kind::Downhill => sums.downhill_bins.add(bin_of(v), w, spm),
                    Kind::Uphill => {}
                }
            }
        }
        sums
    }
}

/// The segment of span `sp`, whose samples `acc` summed.
fn segment(
    sp: &Span,
    acc: &Acc,
    profile: &GradeProfile,
    cfg: &DownhillSettings,
    max_step_m: f64,
) -> Segment {
    let (a, b) = (sp.first, sp.last);
    let grade_pct = interior_grade(sp, &profile.x_m, &profile.altitude_m, cfg);
    Segment {
        kind: sp.kind,
        steep: sp.kind == Kind::Downhill && grade_pct <= cfg.steep_downhill_max_pct,
        start_m: profile.x_m[a] - profile.x_m[0],
        end_m: profile.x_m[b] - profile.x_m[0],
        start_t: profile.t[a],
        duration_s: acc.time_s,
        running_s: acc.running_s,
        walking_s: acc.walking_s,
        elevation_change_m: profile.altitude_m[b] - profile.altitude_m[a],
        grade_pct,
        cadence_spm: acc.cadence(),
        speed_mps: acc.speed(),
        step_length_m: acc.step_length(max_step_m),
        vertical_oscillation_mm: Acc::mean(acc.vo_sum, acc.vo_w),
        stance_time_ms: Acc::mean(acc.st_sum, acc.st_w),
    }
}

/// Downhill against the flat: cadence, step length and speed of each kind of grade, the
/// cadence drop, the change of step length, and the drop at matched speeds.
fn compare(out: &mut Downhill, by_kind: &[Acc; 3], cfg: &DownhillSettings, max_step_m: f64) {
    let [down, flat, up] = by_kind;
    out.flat_cadence_spm = flat.cadence();
    out.downhill_cadence_spm = down.cadence();
    out.uphill_cadence_spm = up.cadence();
    out.flat_step_length_m = flat.step_length(max_step_m);
    out.downhill_step_length_m = down.step_length(max_step_m);
    out.flat_speed_mps = flat.speed();
    out.downhill_speed_mps = down.speed();
    out.cadence_drop = match (out.flat_cadence_spm, out.downhill_cadence_spm) {
        (Some(f), Some(d)) => Some((f - d, 100.0 * (f - d) / f)),
        _ => None,
    };
    out.step_length_change_pct = match (out.flat_step_length_m, out.downhill_step_length_m) {
        (Some(f), Some(d)) if f > 0.0 => Some(100.0 * (d - f) / f),
        _ => None,
    };
    out.matched =
        matched_drop(&out.downhill_bins, &out.flat_bins, cfg).map(|m| (m, MatchSource::Run));
}

#[cfg(test)]
mod tests;
