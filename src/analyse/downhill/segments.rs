//! Grade classes and segments: each grid point classed with hysteresis, runs of one class
//! merged until every segment is long enough (a crest or trough between a climb and a
//! descent excepted), each merged segment classed again by its own grade.

use super::profile::GradeProfile;
use crate::config::DownhillSettings;
use crate::model::Kind;

/// A segment on the grid: its class and its first and last grid index (inclusive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Span {
    pub(super) kind: Kind,
    pub(super) first: usize,
    pub(super) last: usize,
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
pub(super) fn classify(grade: &[f64], cfg: &DownhillSettings) -> Vec<Kind> {
    let mut out = Vec::with_capacity(grade.len());
    let mut prev = Kind::Flat;
    for &g in grade {
        let k = class_of(g, prev, cfg);
        out.push(k);
        prev = k;
    }
    out
}

/// Grid index ranges with one class each (`kinds`, a class per point of `profile`), short ones
/// merged, each classed by its own grade in the end.
///
/// A flat between a climb and a descent (a hill's crest) or a descent and a climb (a trough),
/// each of them a full segment long, is where the grade really changes: absorbing it into
/// either side would start that side early by the flat's length and dilute its grade (a −6 %
/// descent after an 80 m flat crest read −4.7 %). Such a flat is kept as a segment
/// of its own, however short.
pub(super) fn spans(kinds: &[Kind], profile: &GradeProfile, cfg: &DownhillSettings) -> Vec<Span> {
    let grid = Grid { profile, cfg };
    let mut spans = runs(kinds);
    grid.merge_short(&mut spans);
    grid.move_boundaries(&mut spans);
    grid.class_again(spans)
}

/// The runs of one class. Adjacent spans share their boundary point so lengths add up.
fn runs(kinds: &[Kind]) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    for (i, &kind) in kinds.iter().enumerate() {
        match spans.last_mut() {
            Some(last) if last.kind == kind => last.last = i,
            Some(last) => {
                let first = last.last;
                spans.push(Span {
                    kind,
                    first,
                    last: i,
                });
            }
            None => spans.push(Span {
                kind,
                first: 0,
                last: i,
            }),
        }
    }
    spans
}

/// The grade profile spans are measured on, with the settings that judge them.
struct Grid<'a> {
    profile: &'a GradeProfile,
    cfg: &'a DownhillSettings,
}

impl Grid<'_> {
    /// A span's length, m.
    fn len(&self, s: &Span) -> f64 {
        let x = &self.profile.x_m;
        x[s.last] - x[s.first]
    }

    /// A span's grade end to end, %.
    fn mean_grade(&self, s: &Span) -> f64 {
        let run = self.len(s);
        if run > 0.0 {
            let alt = &self.profile.altitude_m;
            100.0 * (alt[s.last] - alt[s.first]) / run
        } else {
            0.0
        }
    }

    /// A span's grade inside its ends (see [`interior_grade`]), %.
    fn interior(&self, s: &Span) -> f64 {
        interior_grade(s, &self.profile.x_m, &self.profile.altitude_m, self.cfg)
    }

    /// Whether span `i` is a crest or a trough: a flat between a climb and a descent, each a
    /// full segment long.
    fn is_turn(&self, spans: &[Span], i: usize) -> bool {
        let (Some(p), Some(q)) = (i.checked_sub(1).map(|p| spans[p]), spans.get(i + 1)) else {
            return false;
        };
        let min_len = self.cfg.min_segment_m;
        spans[i].kind == Kind::Flat
            && p.kind != Kind::Flat
            && q.kind != Kind::Flat
            && p.kind != q.kind
            && self.len(&p) >= min_len
            && self.len(q) >= min_len
    }

    /// Merges the shortest span under `min_segment_m` (crests and troughs excepted) into its
    /// neighbours until none is left, or one span remains.
    fn merge_short(&self, spans: &mut Vec<Span>) {
        while spans.len() >= 2 {
            let Some((i, _)) = spans
                .iter()
                .enumerate()
                .filter(|(i, s)| self.len(s) < self.cfg.min_segment_m && !self.is_turn(spans, *i))
                .min_by(|a, b| self.len(a.1).total_cmp(&self.len(b.1)))
            else {
                break;
            };
            self.absorb(spans, i);
        }
    }

    /// Merges span `i` into its neighbours: into both when they are of one kind (it only
    /// interrupted them), else into the one whose grade is closer to its own.
    fn absorb(&self, spans: &mut Vec<Span>, i: usize) {
        let prev = i.checked_sub(1);
        let next = (i + 1 < spans.len()).then_some(i + 1);
        let into_prev = match (prev, next) {
            (Some(p), Some(q)) if spans[p].kind == spans[q].kind => {
                spans[p].last = spans[q].last;
                spans.drain(i..=q);
                return;
            }
            (Some(p), Some(q)) => {
                let g = self.mean_grade(&spans[i]);
                let dp = (self.mean_grade(&spans[p]) - g).abs();
                let dq = (self.mean_grade(&spans[q]) - g).abs();
                dp <= dq
            }
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return, // a lone span: merge_short stops before
        };
        if into_prev {
            spans[i - 1].last = spans[i].last;
        } else {
            spans[i + 1].first = spans[i].first;
        }
        spans.remove(i);
    }

    /// Moves each boundary to where the grade really changes. A class switches where the
    /// smoothed grade crosses a band's edge, which on a steep change lies up to the
    /// smoothing's reach away from the change (a 0 → 11 % climb is "uphill" from 3 %, some
    /// 25 m early). Each boundary moves to where the grade crosses halfway between the two
    /// spans' grades, the middle of the smoothed transition, as long as that lies within the
    /// smoothing's reach.
    fn move_boundaries(&self, spans: &mut [Span]) {
        let x = &self.profile.x_m;
        let reach = grid_points(
            (self.cfg.altitude_smoothing_m + self.cfg.grade_window_m) / 2.0,
            x,
        );
        for j in 1..spans.len() {
            let (before, after) = (spans[j - 1], spans[j]);
            let target = (self.interior(&before) + self.interior(&after)) / 2.0;
            let b = after.first;
            let lo = (before.first + 1).max(b.saturating_sub(reach));
            let hi = after.last.saturating_sub(1).min(b + reach);
            let crossing = self.crossing(lo..hi, target, b);
            if let Some(k) = crossing.filter(|&k| k > before.first && k < after.last) {
                spans[j - 1].last = k;
                spans[j].first = k;
            }
        }
    }

    /// The grid point nearest `b` where the grade crosses `target` between a point of
    /// `range` and the next: of the two points, the one nearer the target.
    fn crossing(&self, range: std::ops::Range<usize>, target: f64, b: usize) -> Option<usize> {
        let grade = &self.profile.grade_pct;
        range
            .filter(|&k| (grade[k] - target).signum() != (grade[k + 1] - target).signum())
            .map(|k| {
                if (grade[k] - target).abs() <= (grade[k + 1] - target).abs() {
                    k
                } else {
                    k + 1
                }
            })
            .min_by_key(|&k| k.abs_diff(b))
    }

    /// Each span classed again by its own grade, then neighbours of one kind joined. A span
    /// keeps the class of the neighbour it was merged into, and on rolling ground a chain of
    /// merges can leave a "downhill" span that is flat on the whole, or an "uphill" one that
    /// descends. A span keeps its class inside the gap bordering it. One pass is enough: a
    /// join mixes spans of one class, whose grade stays in that class or its gap.
    fn class_again(&self, spans: Vec<Span>) -> Vec<Span> {
        let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
        for mut s in spans {
            s.kind = class_of(self.interior(&s), s.kind, self.cfg);
            match merged.last_mut() {
                Some(last) if last.kind == s.kind => last.last = s.last,
                _ => merged.push(s),
            }
        }
        merged
    }
}

/// Grid points in `metres` (at least one), on the evenly spaced grid `x`.
fn grid_points(metres: f64, x: &[f64]) -> usize {
    let step = x.get(1).map_or(1.0, |x1| (x1 - x[0]).max(1e-9));
    ((metres / step).ceil() as usize).max(1)
}

/// A span's grade, %, measured between the points half a smoothing window inside its ends, where
/// the smoothing does not reach across them (smoothing rounds every change of grade, and a
/// grade measured from the rounded ends reads too gentle: 10.5 % for an 11 % climb of 400 m);
/// end to end when the span is too short for that.
pub(super) fn interior_grade(s: &Span, x: &[f64], alt: &[f64], cfg: &DownhillSettings) -> f64 {
    let inset = grid_points(cfg.altitude_smoothing_m / 2.0, x);
    let (a, b) = if s.last >= s.first + 2 * inset + 2 {
        (s.first + inset, s.last - inset)
    } else {
        (s.first, s.last)
    };
    let run = x[b] - x[a];
    if run > 0.0 {
        100.0 * (alt[b] - alt[a]) / run
    } else {
        0.0
    }
}
