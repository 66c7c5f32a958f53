//! The rules over one run: low cadence, downhill overstriding (or careful descending), and the
//! long-run spike. Each gives an occurrence; close ones become an episode.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::episode::{EpisodeText, Occurrence};
use super::text::{decisive, fmt_km};
use crate::config::{FindingsSettings, LoadSettings};
use crate::model::{
    Activity, CadenceSource, DownhillCore, Matched, Rule, RunGait, Scope, Severity,
};

pub(super) const EV_CADENCE: &str =
    "Heiderscheit et al. 2011 (+5–10 % step rate lowers hip and knee \
                          loading); Thakkar et al. 2019 (≤166 spm: higher tibiofemoral forces)";
pub(super) const EV_DOWNHILL: &str = "Gottschall & Kram 2005 (−9°: impact +54 %, braking +73 %); \
                                      Willson et al. 2014 (+10 % step length: ~14 % more \
                                      patellofemoral stress per mile); Vernillo et al. 2017 \
                                      (downhill lowers step frequency)";
const EV_SPIKE: &str = "Frandsen et al., BJSM 2025 (5,205 runners: a run more than 10–30 %, \
                        30–100 % and over 100 % longer than the longest of the previous 30 days \
                        carried hazard ratios of 1.64, 1.52 and 2.28)";

/// A run's occurrences of the run rules, dated by its local day (undated runs have none).
pub(super) fn occurrences(
    a: &Activity,
    source: &str,
    cfg: &FindingsSettings,
    load_cfg: &LoadSettings,
) -> Vec<Occurrence> {
    let Some(day) = a.local_day else {
        return Vec::new();
    };
    let run = Run { source, day };
    let mut out = Vec::new();
    out.extend(low_cadence(a, &run, cfg));
    out.extend(downhill(&a.run.downhill, &run, cfg));
    out.extend(long_run_spike(a, &run, load_cfg));
    out
}

/// Where and when a run was.
struct Run<'a> {
    source: &'a str,
    day: NaiveDate,
}

impl Run<'_> {
    /// An occurrence of a rule on this run.
    #[allow(clippy::too_many_arguments)]
    fn occurrence(
        &self,
        rule: Rule,
        severity: Severity,
        (value, threshold, extremity): (f64, f64, f64),
        message: String,
        example: String,
        advice: Cow<'static, str>,
        evidence: &'static str,
        (what, peak_word): (String, &'static str),
    ) -> Occurrence {
        Occurrence {
            rule,
            scope: Scope::Run,
            severity,
            key: self.source.to_string(),
            first: self.day,
            last: self.day,
            value,
            threshold,
            priority: 0,
            extremity,
            message,
            example,
            advice,
            pattern_advice: match rule {
                Rule::LowCadence => Some(
                    "Shorter, quicker steps at the same pace: raise your cadence by 5–10 % over \
                     several weeks.",
                ),
                Rule::LongRunSpike => Some(
                    "Grow the long run gradually: each a small step beyond the longest of the \
                     month before.",
                ),
                _ => None,
            },
            evidence,
            what: what.into(),
            peak_word,
            text: EpisodeText::PeakThenSpan,
        }
    }
}

/// Running form is judged on running: a walk is never told to raise its cadence, and a
/// run-walk is judged on its running stretches, when there is enough of them.
fn low_cadence(a: &Activity, run: &Run<'_>, cfg: &FindingsSettings) -> Option<Occurrence> {
    let r = &a.run;
    let judged = r.gait != Some(RunGait::Walking) && r.running_s >= cfg.low_cadence_min_running_s;
    let c = r.cadence_spm.get()?;
    if !judged || r.cadence_source != Some(CadenceSource::Records) || c >= cfg.low_cadence_spm {
        return None;
    }
    let limit = cfg.low_cadence_spm;
    let shown = decisive(c, limit, 0);
    let what = match r.gait {
        Some(RunGait::RunWalk) => format!(
            "Median running cadence {shown} spm is below {limit:.0} spm (running stretches \
             only; {:.0} % of the moving time was walking).",
            100.0 * r.walking_s / (r.running_s + r.walking_s)
        ),
        _ => format!("Median cadence {shown} spm is below {limit:.0} spm."),
    };
    let (lo, hi) = (c * 1.05, c * 1.10);
    Some(
        run.occurrence(
            Rule::LowCadence,
            if c < cfg.low_cadence_high_spm {
                Severity::High
            } else {
                Severity::Watch
            },
            (c, limit, limit - c),
            what,
            format!("{shown} spm on {}", run.day),
            format!(
            "Aim for {c:.0} → {lo:.0}–{hi:.0} spm (+5 to +10 %): shorter, quicker steps at the \
             same pace, raised over several weeks."
        )
            .into(),
            EV_CADENCE,
            (
                format!("runs with a median cadence below {limit:.0} spm"),
                "the lowest",
            ),
        ),
    )
}

/// Downhill running against flat running at the same speed. Overstriding is claimed only from
/// a speed-matched comparison, where a lower cadence is a longer step by definition; a plain
/// drop that comes from descending slower with shorter steps is named for what it is.
fn downhill(dh: &DownhillCore, run: &Run<'_>, cfg: &FindingsSettings) -> Option<Occurrence> {
    if dh.downhill_m < cfg.overstride_min_downhill_m {
        return None;
    }
    let (m, _) = dh.matched?;
    let overall = match (
        dh.flat_step_length_m.get(),
        dh.downhill_step_length_m.get(),
        dh.flat_speed_mps.get(),
        dh.downhill_speed_mps.get(),
    ) {
        (Some(fl), Some(dl), Some(fv), Some(dv)) => Some((fl, dl, fv, dv)),
        _ => None,
    };
    if m.drop_spm > cfg.overstride_drop_spm {
        return Some(overstriding(dh, &m, overall, run, cfg));
    }
    let plain = dh.cadence_drop.map(|(spm, _)| spm)?;
    let (fl, dl, fv, dv) = overall?;
    if plain <= cfg.overstride_drop_spm || dl >= fl {
        return None;
    }
    let limit = cfg.overstride_drop_spm;
    let shown = decisive(plain, limit, 0);
    Some(
        run.occurrence(
            Rule::CarefulDescending,
            Severity::Info,
            (plain, limit, plain),
            format!(
            "Downhill cadence is {shown} spm below your flat cadence because you descend slower \
             ({dv:.1} against {fv:.1} m/s) with shorter steps ({dl:.2} against {fl:.2} m); at \
             the same speed it changes by {:+.0} spm. Careful descending, not overstriding.",
            -m.drop_spm
        ),
            format!("{shown} spm on {}", run.day),
            "Nothing to change: short steps on descents keep the braking load down.".into(),
            EV_DOWNHILL,
            (
                "runs whose lower downhill cadence came from slower, shorter steps (careful \
             descending, not overstriding)"
                    .to_string(),
                "the largest gap",
            ),
        ),
    )
}

/// The overstriding occurrence: a speed-matched drop above the threshold.
fn overstriding(
    dh: &DownhillCore,
    m: &Matched,
    overall: Option<(f64, f64, f64, f64)>,
    run: &Run<'_>,
    cfg: &FindingsSettings,
) -> Occurrence {
    let limit = cfg.overstride_drop_spm;
    let shown = decisive(m.drop_spm, limit, 0);
    let context = overall.map_or(String::new(), |(fl, dl, fv, dv)| {
        format!(
            " Overall, downhill steps are {dl:.2} m against {fl:.2} m on the flat, at {dv:.1} \
             against {fv:.1} m/s."
        )
    });
    run.occurrence(
        Rule::DownhillOverstriding,
        if m.drop_spm > cfg.overstride_drop_high_spm {
            Severity::High
        } else {
            Severity::Watch
        },
        (m.drop_spm, limit, m.drop_spm),
        format!(
            "Downhill cadence drops {shown} spm at the same speed over {}: at equal speed your \
             steps are {:.0} % longer.{context}",
            fmt_km(dh.downhill_m),
            m.step_length_change_pct()
        ),
        format!("{shown} spm on {}", run.day),
        "On descents keep your stride rate up: shorter steps, feet under you, stay in control \
         rather than braking with long strides."
            .into(),
        EV_DOWNHILL,
        (
            format!(
                "runs whose downhill cadence dropped more than {limit:.0} spm at the same speed"
            ),
            "the largest drop",
        ),
    )
}

/// A run more than `long_run_spike_pct` longer than what it is compared with: `watch`, and
/// `high` beyond `long_run_spike_high_pct`.
fn long_run_spike(a: &Activity, run: &Run<'_>, cfg: &LoadSettings) -> Option<Occurrence> {
    if !a.flag_long_run_spike {
        return None;
    }
    let reference = a.long_run_ref_m.get()?;
    let d = a.run.distance_m.get()?;
    let pct = 100.0 * (d - reference) / reference;
    // The reference is the lookback's longest unless the longest run before a break was longer.
    let what_before = if a.longest_prev_30d_m.get().is_some_and(|l| l >= reference) {
        format!(
            "your longest of the previous {} days",
            cfg.long_run_lookback_days
        )
    } else {
        "the long run you held before your break".to_string()
    };
    let shown = decisive(pct, cfg.long_run_spike_pct, 0);
    let next = reference * (1.0 + cfg.long_run_spike_pct / 100.0);
    Some(
        run.occurrence(
            Rule::LongRunSpike,
            if pct > cfg.long_run_spike_high_pct {
                Severity::High
            } else {
                Severity::Watch
            },
            (d, next, pct),
            format!(
                "This {} run is {shown} % longer than {what_before} ({}).",
                fmt_km(d),
                fmt_km(reference)
            ),
            format!("{} on {} (+{shown} %)", fmt_km(d), run.day),
            format!(
                "Grow the long run in steps of at most {:.0} % ({} next).",
                cfg.long_run_spike_pct,
                fmt_km(next)
            )
            .into(),
            EV_SPIKE,
            (
                format!(
                "long-run spikes (runs more than {:.0} % longer than the longest of the {} days \
                 before)",
                cfg.long_run_spike_pct, cfg.long_run_lookback_days
            ),
                "the largest",
            ),
        ),
    )
}
