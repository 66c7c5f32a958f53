//! The invariants every kept run satisfies, read back from its facts: what the guard
//! (`guard/`) promises, checked by the tests (the mutation test in `pipeline/` among them).

use crate::config::GuardSettings;
use crate::fit::time::is_dated;
use crate::model::RunFacts;

/// Slack the guard allows on distances and climbs beyond the speed bound, m.
const SLACK_M: f64 = 100.0;

/// Every way `run` breaks the invariants under `cfg`, one sentence each; empty when none.
pub(crate) fn violations(run: &RunFacts, cfg: &GuardSettings) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            out.push(what);
        }
    };
    let within = |x: Option<f64>, lo: f64, hi: f64| x.is_none_or(|x| (lo..=hi).contains(&x));
    let (vmax, max_t) = (cfg.max_speed_mps, cfg.max_duration_s);
    check(
        within(run.duration_s, 0.0, max_t),
        format!("duration_s {:?}", run.duration_s),
    );
    check(
        within(run.elapsed_s, 0.0, max_t),
        format!("elapsed_s {:?}", run.elapsed_s),
    );
    if let (Some(t), Some(e)) = (run.duration_s, run.elapsed_s) {
        check(
            t <= e * 1.01 + 2.0,
            format!("duration_s {t} > elapsed_s {e}"),
        );
    }
    let time = run
        .duration_s
        .into_iter()
        .chain(run.elapsed_s)
        .fold(f64::NAN, f64::max);
    // A run's distance may come from records spanning a little more than its totals' time.
    let max_d =
        vmax * if time.is_finite() {
            time.max(1.0) * 1.5
        } else {
            max_t
        } + SLACK_M;
    check(
        within(run.distance_m, 0.0, max_d),
        format!("distance_m {:?} over {time} s", run.distance_m),
    );
    // What is kept is running: its distance over its timer time within the speed bound, and
    // within the world records for its duration (see `guard/foot.rs`).
    if let (Some(d), Some(t)) = (run.distance_m, run.duration_s) {
        check(
            d <= vmax * t + SLACK_M && !super::guard::foot::beyond_running(d, t, cfg),
            format!("distance_m {d} in duration_s {t} is no running speed"),
        );
    }
    let max_climb = run.distance_m.unwrap_or(max_d) + SLACK_M;
    check(
        within(run.ascent_m, 0.0, max_climb),
        format!("ascent_m {:?}", run.ascent_m),
    );
    check(
        within(run.descent_m, 0.0, max_climb),
        format!("descent_m {:?}", run.descent_m),
    );
    let (spm, step) = (cfg.max_cadence_spm, cfg.max_step_length_m);
    let dh = &run.downhill;
    for (name, v, max) in [
        ("avg_speed_mps", run.avg_speed_mps, vmax),
        ("cadence_spm", run.cadence_spm, spm),
        ("cadence_spm_mean", run.cadence_spm_mean, spm),
        ("flat_cadence_spm", dh.flat_cadence_spm, spm),
        ("downhill_cadence_spm", dh.downhill_cadence_spm, spm),
        ("uphill_cadence_spm", dh.uphill_cadence_spm, spm),
        ("flat_speed_mps", dh.flat_speed_mps, vmax),
        ("downhill_speed_mps", dh.downhill_speed_mps, vmax),
        ("flat_step_length_m", dh.flat_step_length_m, step),
        ("downhill_step_length_m", dh.downhill_step_length_m, step),
        ("power_w", run.power_w, cfg.max_power_w),
    ] {
        check(within(v, 0.0, max), format!("{name} {v:?}"));
    }
    check(
        run.running_s.is_finite() && run.running_s >= 0.0,
        format!("running_s {}", run.running_s),
    );
    check(
        run.walking_s.is_finite() && run.walking_s >= 0.0,
        format!("walking_s {}", run.walking_s),
    );
    check(
        run.start_utc.is_none_or(is_dated),
        format!("start_utc {:?}", run.start_utc),
    );
    for (k, s) in run.downhill.segments.iter().enumerate() {
        let at = |what: &str| format!("segment {k}: {what}");
        check(
            s.start_m.is_finite() && s.end_m.is_finite() && s.start_m <= s.end_m,
            at(&format!("{}–{} m", s.start_m, s.end_m)),
        );
        check(
            s.duration_s.is_finite() && (0.0..=max_t).contains(&s.duration_s),
            at(&format!("duration_s {}", s.duration_s)),
        );
        check(
            within(s.cadence_spm, 0.0, spm),
            at(&format!("cadence_spm {:?}", s.cadence_spm)),
        );
        check(
            within(s.speed_mps, 0.0, vmax),
            at(&format!("speed_mps {:?}", s.speed_mps)),
        );
        check(
            within(s.step_length_m, 0.0, step),
            at(&format!("step_length_m {:?}", s.step_length_m)),
        );
        check(
            within(
                s.vertical_oscillation_mm,
                0.0,
                cfg.max_vertical_oscillation_mm,
            ),
            at(&format!(
                "vertical_oscillation_mm {:?}",
                s.vertical_oscillation_mm
            )),
        );
        check(
            within(s.stance_time_ms, 0.0, cfg.max_stance_time_ms),
            at(&format!("stance_time_ms {:?}", s.stance_time_ms)),
        );
        let span = cfg.max_altitude_m - cfg.min_altitude_m;
        check(
            s.elevation_change_m.is_finite() && s.elevation_change_m.abs() <= span,
            at(&format!("elevation_change_m {}", s.elevation_change_m)),
        );
    }
    out
}

/// Panics with every violation of the invariants by `run`.
pub(crate) fn assert_within_invariants(run: &RunFacts, cfg: &GuardSettings) {
    let v = violations(run, cfg);
    assert!(
        v.is_empty(),
        "run {} breaks the invariants: {}",
        run.session,
        v.join("; ")
    );
}
