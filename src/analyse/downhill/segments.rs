//! Grade classes and segments: each grid point classed with hysteresis, runs of one class
//! merged until every segment is long enough, each merged segment classed again by its own
//! grade.

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
pub(super) fn spans(
    kinds: &[Kind],
    x: &[f64],
    grade_alt: &[f64],
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
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for mut s in spans {
        s.0 = class_of(mean_grade(&s), s.0, cfg);
        match merged.last_mut() {
            Some(last) if last.0 == s.0 => last.2 = s.2,
            _ => merged.push(s),
        }
    }
    merged
}
