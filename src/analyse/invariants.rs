//! The invariants every kept run satisfies, read back from its facts: physical limits of human
//! running and the agreement of a run's own numbers, checked by the tests (the mutation test in
//! `pipeline/` among them).
//!
//! The bounds are this file's own, not the guard's settings (`[guard]`): they are what no
//! runner can do, so loosening a guard default, or turning the guard off, shows here as kept
//! runs that break them instead of loosening the check with it. A field may be empty where it
//! is optional in the data (no GPS, no altitude, no cadence sensor), but an empty field must
//! agree with the rest of the run (no speed without a distance, no cadence without its source).

use crate::fit::time::is_dated;
use crate::model::{Kind, RunFacts, Sport};

/// Fastest speed a human has reached, with a little room: Bolt's peak of about 12.3 m/s
/// (Berlin, 2009), m/s.
const MAX_SPEED_MPS: f64 = 12.5;
/// The fastest a human has held for at least a given time, as (s, m/s): the men's world
/// records of 1500 m (3:26.00), 5000 m (12:35.36), 10,000 m (26:11.00), the half marathon
/// (57:30) and the marathon (2:00:35). A run of at least that long is no faster on average.
const HELD: [(f64, f64); 5] = [
    (206.0, 1500.0 / 206.0),
    (755.36, 5000.0 / 755.36),
    (1571.0, 10_000.0 / 1571.0),
    (3450.0, 21_097.5 / 3450.0),
    (7235.0, 42_195.0 / 7235.0),
];
/// Room on the world records for GPS error and a watch's rounding, %.
const HELD_MARGIN_PCT: f64 = 5.0;
/// Slack on distances and climbs, m: a run's distance may come from records spanning a
/// little more than its totals' time.
const SLACK_M: f64 = 100.0;
/// Longest session, elapsed or timer time, s: a six-day race, with a day to spare.
const MAX_DURATION_S: f64 = 7.0 * 86_400.0;
/// Fastest sustained climb, m/s: the vertical kilometre record is under 29 minutes (0.58 m/s).
const MAX_CLIMB_MPS: f64 = 0.6;
/// The largest altitude change there is, m: the Dead Sea shore (−430 m) to Everest (8,849 m).
const MAX_RELIEF_M: f64 = 9_300.0;
/// Cadence, steps/min: above 0, and below 300 (5 steps/s; Bolt at top speed stepped 4.4).
const MAX_CADENCE_SPM: f64 = 300.0;
/// Longest step, m (Bolt's at top speed: 2.7 m).
const MAX_STEP_M: f64 = 3.0;
/// Highest power, W: a sprint start peaks around 2,600 W.
const MAX_POWER_W: f64 = 3_000.0;
/// Largest vertical oscillation, mm (a runner bobs 60–130 mm; 300 mm is a jump).
const MAX_OSCILLATION_MM: f64 = 300.0;
/// Longest ground contact of a step, ms (running 150–350; slow walking stays under 1,000).
const MAX_STANCE_MS: f64 = 1_500.0;
/// Steepest mean grade of a segment, %: a 45° slope.
const MAX_GRADE_PCT: f64 = 100.0;
/// Longest time one sample stands for, s: a run's samples stand for no more time than it
/// lasted, with one sample's worth at its end.
const SAMPLE_S: f64 = 10.0;
/// Half the earth's circumference, m: no two points are further apart.
const MAX_SPAN_M: f64 = 20_040_000.0;
/// Time zones run from UTC−12 to UTC+14, s.
const UTC_OFFSETS_S: std::ops::RangeInclusive<i32> = -12 * 3600..=14 * 3600;
/// A day, s: no run starts later than a day after the clock of the machine checking it.
const DAY_S: i64 = 86_400;

/// The fastest average no runner exceeds over `duration_s`, m/s: the top speed for short
/// runs, a world record's pace (with [`HELD_MARGIN_PCT`]) for runs at least as long as it.
fn max_average_mps(duration_s: f64) -> f64 {
    HELD.iter()
        .filter(|(t, _)| duration_s >= *t)
        .map(|(_, v)| v * (1.0 + HELD_MARGIN_PCT / 100.0))
        .fold(MAX_SPEED_MPS, f64::min)
}

/// Every way `run` breaks the invariants, one sentence each, starting with the field's name;
/// empty when none.
pub(crate) fn violations(run: &RunFacts) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            out.push(what);
        }
    };
    // `x` is empty or a number in `lo..=hi`.
    let within = |x: Option<f64>, lo: f64, hi: f64| x.is_none_or(|x| (lo..=hi).contains(&x));
    // `x` is empty or a number in `lo<..hi` (above `lo`, below `hi`).
    let between = |x: Option<f64>, lo: f64, hi: f64| x.is_none_or(|x| x > lo && x < hi);

    check(
        matches!(run.sport, Sport::Running | Sport::Unknown),
        format!("sport {} is not running", run.sport),
    );
    // Time: a start in the range of dated FIT files up to now, a time zone that exists, and
    // a run that lasts.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(i64::MAX, |d| d.as_secs() as i64);
    check(
        run.start_utc
            .is_none_or(|t| is_dated(t) && t <= now + DAY_S),
        format!("start_utc {:?} out of range", run.start_utc),
    );
    check(
        run.utc_offset_s
            .is_none_or(|o| UTC_OFFSETS_S.contains(&o) && o % 900 == 0),
        format!("utc_offset_s {:?}", run.utc_offset_s),
    );
    check(
        within(run.duration_s, 0.0, MAX_DURATION_S),
        format!("duration_s {:?}", run.duration_s),
    );
    check(
        within(run.elapsed_s, 0.0, MAX_DURATION_S),
        format!("elapsed_s {:?}", run.elapsed_s),
    );
    let lasted = run
        .duration_s
        .into_iter()
        .chain(run.elapsed_s)
        .fold(f64::NAN, f64::max);
    check(
        lasted > 0.0,
        format!(
            "duration_s {:?} and elapsed_s {:?}: the run does not last ({} samples)",
            run.duration_s, run.elapsed_s, run.samples
        ),
    );
    if let (Some(t), Some(e)) = (run.duration_s, run.elapsed_s) {
        check(
            t <= e * 1.01 + 2.0,
            format!("duration_s {t} > elapsed_s {e}"),
        );
    }
    check(
        run.running_s.is_finite() && run.running_s >= 0.0,
        format!("running_s {}", run.running_s),
    );
    check(
        run.walking_s.is_finite() && run.walking_s >= 0.0,
        format!("walking_s {}", run.walking_s),
    );
    let on_foot = run.running_s + run.walking_s;
    check(
        on_foot.is_nan() || on_foot <= lasted.max(0.0) + SAMPLE_S,
        format!("running_s + walking_s {on_foot} > the run's {lasted} s"),
    );
    check(
        on_foot <= f64::from(run.samples) * SAMPLE_S + 1e-6,
        format!(
            "running_s + walking_s {on_foot} from {} samples",
            run.samples
        ),
    );
    check(
        run.gait.is_some() == (on_foot > 0.0),
        format!("gait {:?} with {on_foot} s on foot", run.gait),
    );

    // Distance, speed and climbs: no faster than anyone runs for as long.
    check(
        within(run.distance_m, 0.0, f64::INFINITY),
        format!("distance_m {:?}", run.distance_m),
    );
    if let Some(d) = run.distance_m {
        let t = run.duration_s.unwrap_or(lasted);
        let max_d = if t.is_finite() {
            max_average_mps(t) * t + SLACK_M
        } else {
            SLACK_M
        };
        check(
            d <= max_d,
            format!("distance_m {d} in duration_s {t} is no running speed"),
        );
    }
    check(
        within(run.avg_speed_mps, 0.0, MAX_SPEED_MPS),
        format!("avg_speed_mps {:?}", run.avg_speed_mps),
    );
    check(
        run.distance_m.is_some() || run.avg_speed_mps.is_none(),
        format!("avg_speed_mps {:?} without a distance", run.avg_speed_mps),
    );
    let max_climb = run
        .distance_m
        .unwrap_or(f64::INFINITY)
        .min(if lasted > 0.0 {
            MAX_CLIMB_MPS * lasted
        } else {
            0.0
        })
        + SLACK_M;
    check(
        within(run.ascent_m, 0.0, max_climb),
        format!("ascent_m {:?} in {lasted} s", run.ascent_m),
    );
    check(
        within(
            run.descent_m,
            0.0,
            run.distance_m.unwrap_or(f64::INFINITY) + SLACK_M,
        ),
        format!("descent_m {:?}", run.descent_m),
    );

    // Cadence, power and what the runner said.
    check(
        run.cadence_spm.is_some() == run.cadence_source.is_some(),
        format!(
            "cadence_spm {:?} with cadence_source {:?}",
            run.cadence_spm, run.cadence_source
        ),
    );
    check(
        run.cadence_source != Some(crate::model::CadenceSource::Records) || run.has_cadence,
        "cadence_source records without a sample with cadence".to_string(),
    );
    check(
        run.cadence_spm.is_some() || run.cadence_spm_mean.is_none(),
        format!("cadence_spm_mean {:?} alone", run.cadence_spm_mean),
    );
    check(
        within(run.power_w, 0.0, MAX_POWER_W),
        format!("power_w {:?}", run.power_w),
    );
    // A share of contact time: strictly inside 0–100 (0 is the devices' "no reading").
    check(
        run.gct_balance_left_pct
            .is_none_or(|b| b > 0.0 && b < 100.0),
        format!("gct_balance_left_pct {:?}", run.gct_balance_left_pct),
    );
    check(within(run.rpe, 0.0, 10.0), format!("rpe {:?}", run.rpe));
    check(within(run.feel, 0.0, 100.0), format!("feel {:?}", run.feel));

    let dh = &run.downhill;
    for (name, v, lo, hi) in [
        ("cadence_spm", run.cadence_spm, 0.0, MAX_CADENCE_SPM),
        (
            "cadence_spm_mean",
            run.cadence_spm_mean,
            0.0,
            MAX_CADENCE_SPM,
        ),
        (
            "flat_cadence_spm",
            dh.flat_cadence_spm,
            0.0,
            MAX_CADENCE_SPM,
        ),
        (
            "downhill_cadence_spm",
            dh.downhill_cadence_spm,
            0.0,
            MAX_CADENCE_SPM,
        ),
        (
            "uphill_cadence_spm",
            dh.uphill_cadence_spm,
            0.0,
            MAX_CADENCE_SPM,
        ),
        ("flat_step_length_m", dh.flat_step_length_m, 0.0, MAX_STEP_M),
        (
            "downhill_step_length_m",
            dh.downhill_step_length_m,
            0.0,
            MAX_STEP_M,
        ),
    ] {
        check(between(v, lo, hi), format!("{name} {v:?}"));
    }
    for (name, v) in [
        ("flat_speed_mps", dh.flat_speed_mps),
        ("downhill_speed_mps", dh.downhill_speed_mps),
    ] {
        check(within(v, 0.0, MAX_SPEED_MPS), format!("{name} {v:?}"));
    }
    if let Some((spm, pct)) = dh.cadence_drop {
        check(
            spm.abs() < MAX_CADENCE_SPM && (-100.0..=100.0).contains(&pct),
            format!("cadence_drop {spm} spm, {pct} %"),
        );
    }
    check(
        dh.step_length_change_pct.is_none_or(|p| p > -100.0),
        format!("step_length_change_pct {:?}", dh.step_length_change_pct),
    );
    if let Some((m, _)) = dh.matched {
        check(
            (0.0..=100.0).contains(&m.coverage_pct)
                && m.flat_spm > 0.0
                && m.flat_spm < MAX_CADENCE_SPM
                && m.downhill_spm > 0.0
                && m.downhill_spm < MAX_CADENCE_SPM,
            format!("matched {m:?}"),
        );
    }
    let length = run.distance_m.unwrap_or(f64::INFINITY) + SLACK_M;
    let downhill: Vec<_> = dh
        .segments
        .iter()
        .filter(|s| s.kind == Kind::Downhill)
        .collect();
    check(
        dh.downhill_segments as usize == downhill.len(),
        format!(
            "downhill_segments {} of {} downhill segments",
            dh.downhill_segments,
            downhill.len()
        ),
    );
    let downhill_m: f64 = downhill.iter().map(|s| s.length_m()).sum();
    check(
        dh.downhill_m.is_finite()
            && (dh.downhill_m - downhill_m).abs() <= 1.0 + downhill_m * 1e-3
            && dh.downhill_m <= length,
        format!(
            "downhill_m {} with downhill segments of {downhill_m} m",
            dh.downhill_m
        ),
    );
    let mut end_before = f64::NEG_INFINITY;
    for (k, s) in dh.segments.iter().enumerate() {
        let at = |what: String| format!("segment {k}: {what}");
        check(
            s.start_m.is_finite()
                && s.end_m.is_finite()
                && 0.0 <= s.start_m
                && s.start_m <= s.end_m
                && s.end_m <= length
                && s.start_m >= end_before - 1e-6,
            at(format!("{}–{} m after {end_before} m", s.start_m, s.end_m)),
        );
        end_before = s.end_m;
        check(
            s.duration_s.is_finite()
                && s.duration_s >= 0.0
                && s.duration_s <= lasted.max(0.0) + SAMPLE_S,
            at(format!(
                "duration_s {} in a run of {lasted} s",
                s.duration_s
            )),
        );
        check(
            s.running_s >= 0.0
                && s.walking_s >= 0.0
                && s.running_s + s.walking_s <= s.duration_s + 1e-6,
            at(format!(
                "running_s {} + walking_s {} > duration_s {}",
                s.running_s, s.walking_s, s.duration_s
            )),
        );
        check(
            s.elevation_change_m.is_finite()
                && s.elevation_change_m.abs() <= MAX_RELIEF_M
                && s.grade_pct.is_finite()
                && s.grade_pct.abs() <= MAX_GRADE_PCT,
            at(format!(
                "elevation_change_m {}, grade_pct {}",
                s.elevation_change_m, s.grade_pct
            )),
        );
        check(
            match s.kind {
                Kind::Downhill => s.grade_pct < 0.0,
                Kind::Uphill => s.grade_pct > 0.0,
                Kind::Flat => !s.steep,
            } && (!s.steep || s.kind == Kind::Downhill),
            at(format!(
                "kind {:?} (steep {}) at grade_pct {}",
                s.kind, s.steep, s.grade_pct
            )),
        );
        check(
            between(s.cadence_spm, 0.0, MAX_CADENCE_SPM),
            at(format!("cadence_spm {:?}", s.cadence_spm)),
        );
        check(
            within(s.speed_mps, 0.0, MAX_SPEED_MPS),
            at(format!("speed_mps {:?}", s.speed_mps)),
        );
        check(
            between(s.step_length_m, 0.0, MAX_STEP_M),
            at(format!("step_length_m {:?}", s.step_length_m)),
        );
        check(
            between(s.vertical_oscillation_mm, 0.0, MAX_OSCILLATION_MM),
            at(format!(
                "vertical_oscillation_mm {:?}",
                s.vertical_oscillation_mm
            )),
        );
        check(
            between(s.stance_time_ms, 0.0, MAX_STANCE_MS),
            at(format!("stance_time_ms {:?}", s.stance_time_ms)),
        );
    }

    // Surface: a confidence and a loop share are fractions, the rest are not negative.
    let sv = &run.surface;
    let f = &sv.features;
    check(
        (0.0..=1.0).contains(&sv.confidence),
        format!("surface confidence {}", sv.confidence),
    );
    check(
        within(f.loop_score, 0.0, 1.0),
        format!("loop_score {:?}", f.loop_score),
    );
    check(
        f.duration_s.is_finite() && f.duration_s >= 0.0,
        format!("surface duration_s {}", f.duration_s),
    );
    check(
        !f.has_gps || run.has_gps,
        "surface features with GPS, the run without".to_string(),
    );
    for (name, v, hi) in [
        (
            "altitude_roughness_m_per_km",
            f.altitude_roughness_m_per_km,
            f64::MAX,
        ),
        ("grade_variability_pct", f.grade_variability_pct, f64::MAX),
        ("speed_cv_pct", f.speed_cv_pct, f64::MAX),
        (
            "turn_density_deg_per_km",
            f.turn_density_deg_per_km,
            f64::MAX,
        ),
        ("bbox_diagonal_m", f.bbox_diagonal_m, MAX_SPAN_M),
        ("lap_length_m", f.lap_length_m, MAX_SPAN_M),
        (
            "vertical_oscillation_cv_pct",
            f.vertical_oscillation_cv_pct,
            f64::MAX,
        ),
        ("stance_time_cv_pct", f.stance_time_cv_pct, f64::MAX),
    ] {
        check(within(v, 0.0, hi), format!("{name} {v:?}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{CadenceSource, Segment};

    /// A real run: `testdata/`'s example.fit (cadence, altitude, GPS, grade segments).
    fn example() -> RunFacts {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/fgebhart__workoutizer/tests__data__example.fit"
        );
        let d = crate::fit::decode(&std::fs::read(path).unwrap()).unwrap();
        let mut v = crate::analyse::analyse(&d, &Config::default().per_file());
        assert_eq!(v.runs.len(), 1);
        v.runs.remove(0)
    }

    fn seg(r: &mut RunFacts) -> &mut Segment {
        &mut r.downhill.segments[0]
    }

    /// Each kind of bad run, made from a good one, is reported, by the name of what is wrong.
    #[test]
    fn every_kind_of_bad_run_is_reported() {
        let good = example();
        assert_eq!(violations(&good), Vec::<String>::new());
        assert!(!good.downhill.segments.is_empty() && good.cadence_spm.is_some());
        let nan = f64::NAN;
        #[allow(clippy::type_complexity)]
        let bad: Vec<(&str, Box<dyn Fn(&mut RunFacts)>)> = vec![
            (
                "sport",
                Box::new(|r| r.sport = Sport::Other("cycling".into())),
            ),
            ("start_utc", Box::new(|r| r.start_utc = Some(0))),
            (
                "start_utc",
                Box::new(|r| r.start_utc = Some(i64::from(u32::MAX) + 631_065_600)),
            ),
            (
                "utc_offset_s",
                Box::new(|r| r.utc_offset_s = Some(20 * 3600)),
            ),
            (
                "utc_offset_s",
                Box::new(|r| r.utc_offset_s = Some(3600 + 7)),
            ),
            ("duration_s", Box::new(|r| r.duration_s = Some(-1.0))),
            (
                "duration_s",
                Box::new(|r| r.duration_s = Some(8.0 * 86_400.0)),
            ),
            ("duration_s", Box::new(|r| r.duration_s = Some(nan))),
            (
                "duration_s",
                Box::new(|r| {
                    r.duration_s = None;
                    r.elapsed_s = None;
                }),
            ),
            (
                "duration_s",
                Box::new(|r| r.duration_s = r.elapsed_s.map(|e| e * 2.0)),
            ),
            ("elapsed_s", Box::new(|r| r.elapsed_s = Some(-5.0))),
            ("running_s", Box::new(|r| r.running_s = -1.0)),
            (
                "running_s",
                Box::new(|r| r.running_s = r.elapsed_s.unwrap() * 3.0),
            ),
            ("walking_s", Box::new(|r| r.walking_s = nan)),
            ("gait", Box::new(|r| r.gait = None)),
            ("distance_m", Box::new(|r| r.distance_m = Some(-1.0))),
            // 20 km/h faster than the world record over the same time.
            (
                "distance_m",
                Box::new(|r| r.distance_m = r.duration_s.map(|t| t * 8.0)),
            ),
            ("avg_speed_mps", Box::new(|r| r.avg_speed_mps = Some(13.0))),
            ("avg_speed_mps", Box::new(|r| r.distance_m = None)),
            (
                "ascent_m",
                Box::new(|r| r.ascent_m = r.distance_m.map(|d| d + 500.0)),
            ),
            ("ascent_m", Box::new(|r| r.ascent_m = r.elapsed_s)), // 1 m/s up
            ("descent_m", Box::new(|r| r.descent_m = Some(-3.0))),
            ("cadence_spm", Box::new(|r| r.cadence_spm = Some(0.0))),
            ("cadence_spm", Box::new(|r| r.cadence_spm = Some(300.0))),
            ("cadence_spm", Box::new(|r| r.cadence_source = None)),
            (
                "cadence_source",
                Box::new(|r| {
                    r.cadence_source = Some(CadenceSource::Records);
                    r.has_cadence = false;
                }),
            ),
            (
                "cadence_spm_mean",
                Box::new(|r| r.cadence_spm_mean = Some(-2.0)),
            ),
            ("power_w", Box::new(|r| r.power_w = Some(5000.0))),
            (
                "gct_balance_left_pct",
                Box::new(|r| r.gct_balance_left_pct = Some(100.0)),
            ),
            ("rpe", Box::new(|r| r.rpe = Some(11.0))),
            ("feel", Box::new(|r| r.feel = Some(101.0))),
            (
                "flat_cadence_spm",
                Box::new(|r| r.downhill.flat_cadence_spm = Some(350.0)),
            ),
            (
                "downhill_cadence_spm",
                Box::new(|r| r.downhill.downhill_cadence_spm = Some(0.0)),
            ),
            (
                "uphill_cadence_spm",
                Box::new(|r| r.downhill.uphill_cadence_spm = Some(nan)),
            ),
            (
                "flat_step_length_m",
                Box::new(|r| r.downhill.flat_step_length_m = Some(4.0)),
            ),
            (
                "downhill_step_length_m",
                Box::new(|r| r.downhill.downhill_step_length_m = Some(0.0)),
            ),
            (
                "flat_speed_mps",
                Box::new(|r| r.downhill.flat_speed_mps = Some(20.0)),
            ),
            (
                "downhill_speed_mps",
                Box::new(|r| r.downhill.downhill_speed_mps = Some(-1.0)),
            ),
            (
                "cadence_drop",
                Box::new(|r| r.downhill.cadence_drop = Some((10.0, 150.0))),
            ),
            (
                "step_length_change_pct",
                Box::new(|r| r.downhill.step_length_change_pct = Some(-100.0)),
            ),
            (
                "matched",
                Box::new(|r| {
                    r.downhill.matched = Some((
                        crate::model::Matched {
                            drop_spm: 2.0,
                            flat_spm: 170.0,
                            downhill_spm: 168.0,
                            coverage_pct: 120.0,
                        },
                        crate::model::MatchSource::Run,
                    ))
                }),
            ),
            (
                "downhill_segments",
                Box::new(|r| r.downhill.downhill_segments += 1),
            ),
            ("downhill_m", Box::new(|r| r.downhill.downhill_m += 50.0)),
            (
                "segment 0: ",
                Box::new(|r| seg(r).end_m = seg(r).start_m - 1.0),
            ),
            ("segment 0: ", Box::new(|r| seg(r).duration_s = -1.0)),
            (
                "segment 0: ",
                Box::new(|r| seg(r).running_s = seg(r).duration_s + 5.0),
            ),
            ("segment 0: ", Box::new(|r| seg(r).grade_pct = 250.0)),
            (
                "segment 0: ",
                Box::new(|r| seg(r).elevation_change_m = 10_000.0),
            ),
            (
                "segment 0: ",
                Box::new(|r| {
                    let s = seg(r);
                    s.kind = Kind::Uphill;
                    s.grade_pct = -5.0;
                }),
            ),
            (
                "segment 0: ",
                Box::new(|r| seg(r).cadence_spm = Some(400.0)),
            ),
            ("segment 0: ", Box::new(|r| seg(r).speed_mps = Some(15.0))),
            (
                "segment 0: ",
                Box::new(|r| seg(r).step_length_m = Some(3.5)),
            ),
            (
                "segment 0: ",
                Box::new(|r| seg(r).vertical_oscillation_mm = Some(500.0)),
            ),
            (
                "segment 0: ",
                Box::new(|r| seg(r).stance_time_ms = Some(0.0)),
            ),
            (
                "surface confidence",
                Box::new(|r| r.surface.confidence = 1.5),
            ),
            (
                "loop_score",
                Box::new(|r| r.surface.features.loop_score = Some(2.0)),
            ),
            (
                "surface duration_s",
                Box::new(|r| r.surface.features.duration_s = nan),
            ),
            ("surface features with GPS", Box::new(|r| r.has_gps = false)),
            (
                "speed_cv_pct",
                Box::new(|r| r.surface.features.speed_cv_pct = Some(-1.0)),
            ),
            (
                "bbox_diagonal_m",
                Box::new(|r| r.surface.features.bbox_diagonal_m = Some(3e7)),
            ),
        ];
        for (k, (name, spoil)) in bad.iter().enumerate() {
            let mut run = good.clone();
            spoil(&mut run);
            let v = violations(&run);
            assert!(
                v.iter().any(|s| s.starts_with(name)),
                "bad run {k} ({name}) not reported as such: {v:?}"
            );
        }
    }

    #[test]
    fn a_run_may_be_as_fast_as_the_world_records_but_not_faster() {
        // The marathon record, 42,195 m in 7,235 s, is a run; 10 % faster is not.
        let mut run = example();
        run.duration_s = Some(7235.0);
        run.elapsed_s = Some(7235.0);
        run.distance_m = Some(42_195.0);
        run.ascent_m = Some(0.0);
        run.descent_m = Some(0.0);
        run.downhill.segments.clear();
        run.downhill.downhill_segments = 0;
        run.downhill.downhill_m = 0.0;
        run.running_s = 7000.0;
        run.walking_s = 0.0;
        run.samples = 7235;
        assert_eq!(violations(&run), Vec::<String>::new());
        run.distance_m = Some(42_195.0 * 1.1);
        assert!(violations(&run)[0].starts_with("distance_m"));
    }
}
