//! The frames of the tables across runs: `weeks`, `findings` and `gear`.

use polars::prelude::*;

use super::Frame;
use crate::model::{Finding, GearRow, Surface, Week};

/// `weeks`: one row per week from the first run to the last, weeks without running included.
pub(super) fn weeks(rows: &[Week]) -> PolarsResult<DataFrame> {
    let w = || rows.iter();
    let mut f = Frame::new(rows.len())
        .date("week_start", w().map(|x| Some(x.start)))?
        .i64("iso_year", w().map(|x| Some(x.iso_year as i64)))
        .u32("iso_week", w().map(|x| x.iso_week))
        .u32("runs", w().map(|x| x.runs))
        .f64("distance_m", w().map(|x| Some(x.distance_m)))
        .f64("duration_s", w().map(|x| Some(x.duration_s)))
        .f64("ascent_m", w().map(|x| Some(x.ascent_m)))
        .f64("descent_m", w().map(|x| Some(x.descent_m)))
        .f64("downhill_m", w().map(|x| Some(x.downhill_m)))
        .f64("longest_run_m", w().map(|x| Some(x.longest_run_m)))
        .f64("change_pct", w().map(|x| x.change_pct))
        .f64("change_2w_pct", w().map(|x| x.change_2w_pct))
        .f64("usual_m", w().map(|x| x.usual_m))
        .f64("acute_7d_m", w().map(|x| Some(x.acute_7d_m)))
        .f64("chronic_28d_m", w().map(|x| Some(x.chronic_28d_m)))
        .f64("acwr", w().map(|x| x.acwr))
        .f64("acwr_uncoupled", w().map(|x| x.acwr_uncoupled))
        .f64("acwr_ewma", w().map(|x| x.acwr_ewma))
        .bool("chronic_complete", w().map(|x| x.chronic_complete))
        .bool("flag_ramp", w().map(|x| x.flag_ramp))
        .bool("flag_ramp_2w", w().map(|x| x.flag_ramp_2w))
        .bool("flag_acwr", w().map(|x| x.flag_acwr))
        .i64("return_week", w().map(|x| x.ret.map(|r| i64::from(r.week))))
        .i64(
            "break_days",
            w().map(|x| x.ret.map(|r| i64::from(r.break_days))),
        )
        .f64("return_base_m", w().map(|x| x.ret.and_then(|r| r.base_m)))
        .f64("return_max_pct", w().map(|x| x.ret.map(|r| r.max_pct)))
        .bool("flag_return", w().map(|x| x.flag_return));
    for (i, surface) in Surface::ALL.iter().enumerate() {
        f = f.f64(&format!("{surface}_m"), w().map(|x| Some(x.surface_m[i])));
    }
    f.bool("flag_no_variety", w().map(|x| x.flag_no_variety))
        .f64("srpe_load", w().map(|x| x.srpe_load))
        .u32("runs_without_rpe", w().map(|x| x.runs_without_rpe))
        .f64("srpe_acute_7d", w().map(|x| x.srpe.acute_7d))
        .f64("srpe_chronic_28d", w().map(|x| x.srpe.chronic_28d))
        .f64("srpe_acwr", w().map(|x| x.srpe.acwr))
        .f64("srpe_acwr_uncoupled", w().map(|x| x.srpe.acwr_uncoupled))
        .f64("srpe_acwr_ewma", w().map(|x| x.srpe.acwr_ewma))
        .f64("pain_max", w().map(|x| x.pain_max))
        .i64("pain_days", w().map(|x| x.pain_days.map(i64::from)))
        .u32("running_days", w().map(|x| x.running_days))
        .f64("monotony", w().map(|x| x.monotony))
        .f64("strain_km", w().map(|x| x.strain_km))
        .f64("usual_strain_km", w().map(|x| x.usual_strain_km))
        .bool("flag_monotony", w().map(|x| x.flag_monotony))
        .f64("srpe_monotony", w().map(|x| x.srpe_monotony))
        .f64("srpe_strain", w().map(|x| x.srpe_strain))
        .f64("gct_balance_left_pct", w().map(|x| x.gct_balance_left_pct))
        .finish()
}

/// `findings`: one row per episode or pattern, in the one order (what matters now, then the
/// history's most severe, then the rest).
pub(super) fn findings(rows: &[Finding]) -> PolarsResult<DataFrame> {
    let f = || rows.iter();
    Frame::new(rows.len())
        .str("scope", f().map(|x| Some(x.scope.as_str())))
        .str("key", f().map(|x| Some(x.key.as_str())))
        .date("first_local", f().map(|x| x.first))?
        .date("last_local", f().map(|x| x.last))?
        .u32("occurrences", f().map(|x| x.occurrences))
        .str("rule", f().map(|x| Some(x.rule.as_str())))
        .str("severity", f().map(|x| Some(x.severity.as_str())))
        .f64("value", f().map(|x| Some(x.value)))
        .f64("threshold", f().map(|x| Some(x.threshold)))
        .str("message", f().map(|x| Some(x.message.as_str())))
        .str("advice", f().map(|x| Some(&*x.advice)))
        .str("evidence", f().map(|x| Some(&*x.evidence)))
        .finish()
}

/// `gear`: one row per pair of shoes, by name.
pub(super) fn gear(rows: &[GearRow], thresholds: &[f64]) -> PolarsResult<DataFrame> {
    let g = || rows.iter();
    let mut f = Frame::new(rows.len())
        .str("gear", g().map(|x| Some(x.gear.as_str())))
        .u32("runs", g().map(|x| x.runs))
        .f64("distance_m", g().map(|x| Some(x.distance_m)))
        .f64("duration_s", g().map(|x| Some(x.duration_s)))
        .datetime("first_run_local", g().map(|x| x.first_run_local))?
        .datetime("last_run_local", g().map(|x| x.last_run_local))?
        .f64("downhill_m", g().map(|x| Some(x.downhill_m)));
    for (i, s) in Surface::ALL.iter().enumerate() {
        f = f.f64(
            &format!("{s}_m"),
            g().map(|x| x.by_surface_m.get(i).copied()),
        );
    }
    f = f.date("retired_local", g().map(|x| x.retired))?;
    for (i, t) in thresholds.iter().enumerate() {
        f = f.date(
            &format!("crossed_{t:.0}_m"),
            g().map(|x| x.crossed.get(i).and_then(|c| c.1)),
        )?;
    }
    f.finish()
}
