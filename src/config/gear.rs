//! Shoe settings: the retirement distance, the distances whose crossing dates the `gear` table
//! shows, and the share of a load spike that ties it to one pair.

use serde::{Deserialize, Serialize};

use super::{check, positive, within, Violation};

/// `[gear]` in the config file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct GearSettings {
    /// A pair past this running distance is a finding, m (800 km: inside the 480–965 km range
    /// runners are told; see the README).
    pub(crate) retire_m: f64,
    /// Distances whose crossing date the `gear` table shows, m.
    pub(crate) thresholds_m: Vec<f64>,
    /// A spike is tied to a pair that ran at least this share of its distance, %.
    pub(crate) spike_share_pct: f64,
}

impl Default for GearSettings {
    fn default() -> Self {
        GearSettings {
            retire_m: 800_000.0,
            thresholds_m: vec![480_000.0, 800_000.0],
            spike_share_pct: 50.0,
        }
    }
}

impl GearSettings {
    pub(super) fn validate(&self) -> Result<(), Violation> {
        positive("gear.retire_m", self.retire_m)?;
        for &t in &self.thresholds_m {
            positive("gear.thresholds_m", t)?;
        }
        check(
            self.thresholds_m.len() <= 8,
            "gear.thresholds_m",
            "at most 8 distances",
        )?;
        within("gear.spike_share_pct", self.spike_share_pct, 0.0, 100.0)
    }
}
