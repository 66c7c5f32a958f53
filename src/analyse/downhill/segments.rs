//! Grade classes and segments: each grid point classed with hysteresis, runs of one class
//! merged until every segment is long enough (a crest or trough between a climb and a
//! descent excepted), each merged segment classed again by its own grade.

use crate::config::DownhillSettings;
use crate::model::Kind;

/// A segment on the grid: its class and its first and last grid index (inclusive).
pub(super) type Span = (Kind, usize, usize);

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

/// Grid index ranges `[start, end]` (inclusive) with one class each, short ones merged, each
/// classed by its own mean grade in the end.
///
/// A flat between a climb and a descent (a hill's crest) or a descent and a climb (a trough),
/// each of them a full segment long, is where the grade really changes: absorbing it into
/// either side would start that side early by the flat's length and dilute its grade (a −6 %
/// descent after an 80 m flat crest read −4.7 %). Such a flat is kept as a segment
/// of its own, however short.
pub(super) fn spans(
    kinds: &[Kind],
    x: &[f64],
    grade_alt: &[f64],
    grade: &[f64],
    cfg: &DownhillSettings,
) -> Vec<Span> {
    let min_len = cfg.min_segment_m;
    let mut spans: Vec<Span> = Vec::new();
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
    let len = |s: &Span| x[s.2] - x[s.1];
    let mean_grade = |s: &Span| {
        let run = x[s.2] - x[s.1];
        if run > 0.0 {
            100.0 * (grade_alt[s.2] - grade_alt[s.1]) / run
        } else {
            0.0
        }
    };
    let turn = |spans: &[Span], i: usize| {
        let (Some(p), Some(q)) = (i.checked_sub(1).map(|p| spans[p]), spans.get(i + 1)) else {
            return false;
        };
        spans[i].0 == Kind::Flat
            && p.0 != Kind::Flat
            && q.0 != Kind::Flat
            && p.0 != q.0
            && len(&p) >= min_len
            && len(q) >= min_len
    };
    // Merge the shortest too-short span until none is left (or one span remains).
    loop {
        if spans.len() < 2 {
            break;
        }
        let Some((i, _)) = spans
            .iter()
            .enumerate()
            .filter(|(i, s)| len(s) < min_len && !turn(&spans, *i))
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
    // Where the grade really changes: a class switches where the smoothed grade crosses a band's
    // edge, which on a steep change lies up to the smoothing's reach away from the change (a
    // 0 → 11 % climb is "uphill" from 3 %, some 25 m early). Each boundary moves to where the
    // grade crosses halfway between the two spans' grades, the middle of the smoothed
    // transition, as long as that lies within the smoothing's reach.
    let reach = grid_points((cfg.altitude_smoothing_m + cfg.grade_window_m) / 2.0, x);
    let interior = |s: &Span| interior_grade(s, x, grade_alt, cfg);
    for j in 1..spans.len() {
        let target = (interior(&spans[j - 1]) + interior(&spans[j])) / 2.0;
        let b = spans[j].1;
        let lo = (spans[j - 1].1 + 1).max(b.saturating_sub(reach));
        let hi = spans[j].2.saturating_sub(1).min(b + reach);
        let crossing = (lo..hi)
            .filter(|&k| (grade[k] - target).signum() != (grade[k + 1] - target).signum())
            .map(|k| {
                // The nearer of the two points to the halfway grade.
                if (grade[k] - target).abs() <= (grade[k + 1] - target).abs() {
                    k
                } else {
                    k + 1
                }
            })
            .min_by_key(|&k| k.abs_diff(b));
        if let Some(k) = crossing.filter(|&k| k > spans[j - 1].1 && k < spans[j].2) {
            spans[j - 1].2 = k;
            spans[j].1 = k;
        }
    }
    // A span keeps the class of the neighbour it was merged into, and on rolling ground a chain
    // of merges can leave a "downhill" span that is flat on the whole, or an "uphill" one that
    // descends. Each span is classed again by its own grade (keeping its class inside the gap
    // bordering it), then neighbours of one kind are joined. One pass is enough: a join mixes
    // spans of one class, whose grade stays in that class or its gap.
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for mut s in spans {
        s.0 = class_of(interior(&s), s.0, cfg);
        match merged.last_mut() {
            Some(last) if last.0 == s.0 => last.2 = s.2,
            _ => merged.push(s),
        }
    }
    merged
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
    let (a, b) = if s.2 >= s.1 + 2 * inset + 2 {
        (s.1 + inset, s.2 - inset)
    } else {
        (s.1, s.2)
    };
    let run = x[b] - x[a];
    if run > 0.0 {
        100.0 * (alt[b] - alt[a]) / run
    } else {
        0.0
    }
}
