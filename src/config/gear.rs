//! Shoe settings: the retirement distance, the distances whose crossing dates the `gear` table
//! shows, and the share of a load spike that ties it to one pair.

use super::declare::settings;

settings! {
    /// `[gear]` in the config file.
    struct GearSettings = "gear", "Shoes: running distance per pair, from an export's gear or the gear log." {
        /// A pair past this running distance is a finding, m (800 km: inside the 480–965 km range
        /// runners are told; see docs/methodology.md, Shoes).
        retire_m: f64 = 800_000.0, [Positive], "Flag a pair past this running distance, m (800 km, inside the 480–965 km range runners are told).";
        /// Distances whose crossing date the `gear` table shows, m.
        thresholds_m: Vec<f64> = vec![480_000.0, 800_000.0], [Positive, When(|s| s.thresholds_m.len() <= 8, "at most 8 distances")], "The gear table shows the day each pair crossed each of these distances, m.";
        /// A spike is tied to a pair that ran at least this share of its distance, %.
        spike_share_pct: f64 = 50.0, [Within(0.0, 100.0)], "A load spike is tied to the pair that ran at least this share of it, %.";
    }
}
