//! Surface proxy: what a run was probably run on (road, trail, track, treadmill, indoor).
//!
//! FIT files do not record the surface. A run's `sub_sport` sometimes declares it (street,
//! trail, track, treadmill, indoor_running); most files say `generic`. This module computes a
//! handful of proxy features from the records — whether there is GPS, how hilly and how
//! irregularly hilly the altitude profile is, how much the moving speed varies, how much the
//! path turns, and whether the path keeps closing a ~400 m loop — and turns them into a class
//! with a short, fixed rule (see [`classify`]). Every threshold lives in [`SurfaceSettings`].
//! The declared class, when there is one, wins, but the inferred one is always computed so that
//! the two can be compared. Everything runs in one or two linear passes over the samples.

mod classify;
mod features;
mod geometry;
mod terrain;

pub(crate) use classify::classify;
pub(crate) use features::features;

use super::SampleSeries;
use crate::config::SurfaceSettings;
use crate::model::{Samples, Surface, SurfaceSource, SurfaceVerdict};

/// Mean Earth radius, metres (the projection is local, so the sphere is good enough).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The surface of one run: declared from `sub_sport` when it says, inferred otherwise.
pub(crate) fn surface(
    s: &Samples,
    series: &SampleSeries,
    sub_sport: Option<&str>,
    cfg: &SurfaceSettings,
) -> SurfaceVerdict {
    let features = features(s, series, cfg);
    let (inferred, conf) = classify(&features, cfg);
    match Surface::declared(sub_sport) {
        Some(d) => SurfaceVerdict {
            surface: d,
            source: SurfaceSource::Declared,
            inferred,
            confidence: 1.0,
            features,
        },
        None => SurfaceVerdict {
            surface: inferred,
            source: SurfaceSource::Inferred,
            inferred,
            confidence: conf,
            features,
        },
    }
}

#[cfg(test)]
mod tests;
