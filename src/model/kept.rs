//! What aggregation works on of each input and run: the ledger row's [`Slot`] and the small
//! part of each run's facts ([`RunCore`]); the whole row and the full facts are kept in the
//! [`Store`](crate::store::Store).

use super::{
    CadenceSource, Label, MatchSource, Matched, OptF64, OptI64, RunFacts, RunGait, Slot, Surface,
};

/// What aggregation works on of one member's [`Outcome`](super::Outcome): its ledger row's
/// slot, and where its runs are among the activity rows (each run's [`RunCore`] in one).
#[derive(Clone, Debug)]
pub(crate) struct Kept {
    /// Its ledger row's slot (its status may still change to `duplicate` in aggregation).
    pub(crate) slot: Slot,
    /// Its running sessions: their places among the activity rows.
    pub(crate) runs: std::ops::Range<usize>,
    /// Taken from the result cache, not read this time.
    pub(crate) from_cache: bool,
}

/// What aggregation reads of one run: the fields the cross-run rules, the page and duplicate
/// detection use, and where the run's full [`RunFacts`] are kept (`facts`). Everything else
/// (segments, speed bins, surface features, device…) is read from there only when the tables
/// are written.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct RunCore {
    /// As [`RunFacts::label`] (aggregation fills it; it wins over the kept copy's); boxed,
    /// and only once it names something: most runs have no label, and an empty one takes 56
    /// bytes.
    label: Option<Box<Label>>,
    /// As [`RunFacts::session`].
    pub(crate) session: u32,
    /// As [`RunFacts::start_utc`].
    pub(crate) start_utc: OptI64,
    /// As [`RunFacts::utc_offset_s`].
    pub(crate) utc_offset_s: Option<i32>,
    /// As [`RunFacts::duration_s`].
    pub(crate) duration_s: OptF64,
    /// As [`RunFacts::distance_m`].
    pub(crate) distance_m: OptF64,
    /// As [`RunFacts::ascent_m`].
    pub(crate) ascent_m: OptF64,
    /// As [`RunFacts::descent_m`].
    pub(crate) descent_m: OptF64,
    /// As [`RunFacts::cadence_spm`].
    pub(crate) cadence_spm: OptF64,
    /// As [`RunFacts::cadence_source`].
    pub(crate) cadence_source: Option<CadenceSource>,
    /// As [`RunFacts::running_s`].
    pub(crate) running_s: f64,
    /// As [`RunFacts::walking_s`].
    pub(crate) walking_s: f64,
    /// As [`RunFacts::gait`].
    pub(crate) gait: Option<RunGait>,
    /// As [`RunFacts::rpe`].
    pub(crate) rpe: OptF64,
    /// As [`RunFacts::gct_balance_left_pct`].
    pub(crate) gct_balance_left_pct: OptF64,
    /// As [`RunFacts::samples`].
    pub(crate) samples: u32,
    /// As [`RunFacts::file_key`].
    pub(crate) file_key: Option<(u32, u32)>,
    /// The run's surface ([`SurfaceVerdict::surface`](super::SurfaceVerdict::surface)).
    pub(crate) surface: Surface,
    /// The downhill facts the findings and the page read.
    pub(crate) downhill: DownhillCore,
    /// Where the full facts are kept ([`Store::facts`](crate::store::Store::facts)).
    pub(crate) facts: u32,
}

/// The part of [`Downhill`](super::Downhill) kept in memory (see [`RunCore`]); fields as there.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct DownhillCore {
    pub(crate) has_grade: bool,
    pub(crate) flat_cadence_spm: OptF64,
    pub(crate) downhill_cadence_spm: OptF64,
    pub(crate) flat_step_length_m: OptF64,
    pub(crate) downhill_step_length_m: OptF64,
    pub(crate) cadence_drop: Option<(f64, f64)>,
    pub(crate) flat_speed_mps: OptF64,
    pub(crate) downhill_speed_mps: OptF64,
    pub(crate) downhill_m: f64,
    /// As [`Downhill::matched`](super::Downhill::matched) (aggregation fills it for history matches; it wins over the
    /// kept copy's).
    pub(crate) matched: Option<(Matched, MatchSource)>,
    /// Whether the run has flat running by speed bin (to match others' downhill).
    pub(crate) has_flat_bins: bool,
    /// Whether the run has downhill running by speed bin (to be matched).
    pub(crate) has_downhill_bins: bool,
}

impl RunCore {
    /// The run's gear and name.
    pub(crate) fn label(&self) -> &Label {
        static NONE: Label = Label {
            gear: None,
            gear_source: None,
            name: None,
            merged: None,
        };
        self.label.as_deref().unwrap_or(&NONE)
    }

    /// The run's gear and name, to be filled in.
    pub(crate) fn label_mut(&mut self) -> &mut Label {
        self.label.get_or_insert_with(Box::default)
    }

    /// What aggregation reads of `run`, whose full facts are kept at `facts`.
    pub(crate) fn of(run: &RunFacts, facts: u32) -> RunCore {
        let d = &run.downhill;
        RunCore {
            label: (run.label != Label::default()).then(|| Box::new(run.label.clone())),
            session: run.session,
            start_utc: run.start_utc.into(),
            utc_offset_s: run.utc_offset_s,
            duration_s: run.duration_s.into(),
            distance_m: run.distance_m.into(),
            ascent_m: run.ascent_m.into(),
            descent_m: run.descent_m.into(),
            cadence_spm: run.cadence_spm.into(),
            cadence_source: run.cadence_source,
            running_s: run.running_s,
            walking_s: run.walking_s,
            gait: run.gait,
            rpe: run.rpe.into(),
            gct_balance_left_pct: run.gct_balance_left_pct.into(),
            samples: run.samples,
            file_key: run.file_key,
            surface: run.surface.surface,
            downhill: DownhillCore {
                has_grade: d.has_grade,
                flat_cadence_spm: d.flat_cadence_spm.into(),
                downhill_cadence_spm: d.downhill_cadence_spm.into(),
                flat_step_length_m: d.flat_step_length_m.into(),
                downhill_step_length_m: d.downhill_step_length_m.into(),
                cadence_drop: d.cadence_drop,
                flat_speed_mps: d.flat_speed_mps.into(),
                downhill_speed_mps: d.downhill_speed_mps.into(),
                downhill_m: d.downhill_m,
                matched: d.matched,
                has_flat_bins: !d.flat_bins.bins.is_empty(),
                has_downhill_bins: !d.downhill_bins.bins.is_empty(),
            },
            facts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a run costs in memory while the history is aggregated: its activity row with its
    /// core (312 bytes when this was written, with no string of its own), against its full
    /// facts (832 bytes inline, plus their segments, speed bins and strings on the heap).
    #[test]
    fn a_run_keeps_a_few_hundred_bytes_in_memory() {
        let activity = std::mem::size_of::<crate::model::Activity>();
        let core = std::mem::size_of::<RunCore>();
        assert!(
            core <= 272 && activity <= 320,
            "RunCore {core} B, Activity {activity} B"
        );
        assert!(2 * core <= std::mem::size_of::<RunFacts>());
    }
}
