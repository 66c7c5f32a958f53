//! The speed-matched comparison: downhill cadence against flat cadence at the same speeds.

use crate::config::DownhillSettings;
use crate::model::{Matched, SpeedBins};

/// Compares downhill with flat bins: for every downhill speed bin with enough flat running in
/// the same bin, the flat mean cadence minus the downhill mean cadence, weighted by downhill
/// time; and the two cadences it compares, weighted the same way, from which the step-length
/// change at the same speed follows. `None` when coverage is below `min_coverage_pct`.
pub(crate) fn matched_drop(
    downhill: &SpeedBins,
    flat: &SpeedBins,
    cfg: &DownhillSettings,
) -> Option<Matched> {
    let total = downhill.seconds();
    if total <= 0.0 {
        return None;
    }
    let (mut covered, mut sum, mut flat_sum, mut down_sum) = (0.0, 0.0, 0.0, 0.0);
    for &(bin, w, s) in &downhill.bins {
        if let Some((fw, fs)) = flat.get(bin) {
            if fw >= cfg.min_flat_bin_s {
                covered += w;
                sum += w * (fs / fw - s / w);
                flat_sum += w * (fs / fw);
                down_sum += s;
            }
        }
    }
    let coverage_pct = 100.0 * covered / total;
    (covered > 0.0 && coverage_pct >= cfg.min_match_coverage_pct).then(|| Matched {
        drop_spm: sum / covered,
        flat_spm: flat_sum / covered,
        downhill_spm: down_sum / covered,
        coverage_pct,
    })
}
