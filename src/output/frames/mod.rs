//! Frames: the report's rows as polars `DataFrame`s, one or more per output table (the
//! activities and segments a frame per [`RUNS_PER_FRAME`] runs, with the runs' full facts; the
//! ledger a frame per as many inputs).
//!
//! Column names carry their units (`_m`, `_s`, `_spm`, `_mps`, `_pct`); times are written as
//! UTC plus the athlete's local offset, never in the parsing machine's zone. docs/schema.md
//! documents every column built here (`tests/schema.rs` checks that it does).

use polars::prelude::*;

use chrono::NaiveDate;

mod weekly;

use self::weekly::{findings, gear, weeks};
use crate::model::{Activity, FileRow, RunFacts, Segment, Status, Tables};
use crate::store::Store;

/// Runs per frame of the activities and segments tables (and inputs per frame of the ledger):
/// their rows are built with copies of the runs' full facts this many at a time, and each
/// frame is a Parquet row group of its own.
pub(crate) const RUNS_PER_FRAME: usize = 1024;

/// Builds a frame column by column.
struct Frame {
    height: usize,
    columns: Vec<Column>,
}

impl Frame {
    fn new(height: usize) -> Self {
        Frame {
            height,
            columns: Vec::new(),
        }
    }

    fn push(mut self, s: Series) -> Self {
        debug_assert_eq!(
            s.len(),
            self.height,
            "column {} has the wrong length",
            s.name()
        );
        self.columns.push(s.into_column());
        self
    }

    fn f64(self, name: &str, v: impl Iterator<Item = Option<f64>>) -> Self {
        let v: Vec<Option<f64>> = v.map(|x| x.filter(|x| x.is_finite())).collect();
        self.push(Series::new(name.into(), v))
    }

    fn i64(self, name: &str, v: impl Iterator<Item = Option<i64>>) -> Self {
        self.push(Series::new(name.into(), v.collect::<Vec<_>>()))
    }

    fn u32(self, name: &str, v: impl Iterator<Item = u32>) -> Self {
        self.push(Series::new(name.into(), v.collect::<Vec<_>>()))
    }

    fn bool(self, name: &str, v: impl Iterator<Item = bool>) -> Self {
        self.push(Series::new(name.into(), v.collect::<Vec<_>>()))
    }

    fn str<'a>(self, name: &str, v: impl Iterator<Item = Option<&'a str>>) -> Self {
        self.push(Series::new(name.into(), v.collect::<Vec<_>>()))
    }

    /// Unix seconds → a datetime column (millisecond precision, no zone attached: the column
    /// name says which clock it is).
    fn datetime(self, name: &str, v: impl Iterator<Item = Option<i64>>) -> PolarsResult<Self> {
        let ms: Vec<Option<i64>> = v.map(|x| x.map(|s| s * 1000)).collect();
        let s =
            Series::new(name.into(), ms).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?;
        Ok(self.push(s))
    }

    /// Local dates → a date column.
    fn date(self, name: &str, v: impl Iterator<Item = Option<NaiveDate>>) -> PolarsResult<Self> {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        let days: Vec<Option<i32>> = v
            .map(|d| d.map(|d| (d - epoch).num_days() as i32))
            .collect();
        let s = Series::new(name.into(), days).cast(&DataType::Date)?;
        Ok(self.push(s))
    }

    fn finish(self) -> PolarsResult<DataFrame> {
        DataFrame::new(self.height, self.columns)
    }
}

/// `files`: the ledger, one row per input.
fn files(rows: &[FileRow]) -> PolarsResult<DataFrame> {
    Frame::new(rows.len())
        .str("source", rows.iter().map(|r| Some(r.source.as_str())))
        .i64("bytes", rows.iter().map(|r| Some(r.bytes as i64)))
        .str("status", rows.iter().map(|r| Some(r.status.as_str())))
        .str("reason", rows.iter().map(|r| r.reason.map(|x| x.as_str())))
        .str(
            "detail",
            rows.iter()
                .map(|r| Some(r.detail.as_str()).filter(|d| !d.is_empty())),
        )
        .str("file_type", rows.iter().map(|r| r.file_type.as_deref()))
        .u32("sessions", rows.iter().map(|r| r.sessions))
        .u32("runs", rows.iter().map(|r| r.runs))
        .finish()
}

/// A run of the activities and segments tables: its row, its full facts from the store, and
/// its file's source and status, from the ledger.
struct RunRow<'a> {
    row: &'a Activity,
    /// The first day of the week the run was counted in.
    week_start: Option<NaiveDate>,
    facts: RunFacts,
    source: &'a str,
    status: Status,
}

/// Some runs with their full facts.
fn with_facts<'a>(t: &'a Tables, rows: &'a [Activity], store: &Store) -> Vec<RunRow<'a>> {
    rows.iter()
        .map(|a| {
            let slot = t.files.slot_of_seq(a.seq);
            RunRow {
                row: a,
                week_start: a.local_day.map(|d| t.first_day.week_of(d)),
                facts: store.facts(&a.run),
                source: slot.map_or("", |s| t.files.source(s)),
                status: slot.map_or(Status::Ok, |s| s.status),
            }
        })
        .collect()
}

/// `activities`: one row per distinct running session (`rows` and their full facts).
fn activities(rows: &[RunRow<'_>]) -> PolarsResult<DataFrame> {
    let r = || rows.iter().map(|x| &x.facts);
    let f = Frame::new(rows.len()).str("source", rows.iter().map(|x| Some(x.source)));
    let status = rows.iter().map(|x| Some(x.status.as_str()));
    let weeks = rows.iter();
    // How the local day was found: the offset the device wrote, or the configured default.
    let sources = rows
        .iter()
        .map(|x| match (x.row.local_day, x.facts.utc_offset_s) {
            (None, _) => None,
            (Some(_), Some(_)) => Some("device"),
            (Some(_), None) => Some("default_offset"),
        });
    let rows = || rows.iter().map(|x| x.row);
    let f = f
        .u32("session", r().map(|x| x.session))
        .datetime("start_utc", r().map(|x| x.start_utc))?
        .datetime("start_local", rows().map(|a| a.start_local.get()))?
        .date("local_day", rows().map(|a| a.local_day))?
        .date("week_start", weeks.map(|x| x.week_start))?
        .str("local_time_source", sources)
        .i64("utc_offset_s", r().map(|x| x.utc_offset_s.map(i64::from)))
        .str("sport", r().map(|x| Some(x.sport.as_str())))
        .str("sub_sport", r().map(|x| x.sub_sport.as_deref()))
        .str("device", r().map(|x| x.device.as_deref()))
        .f64("duration_s", r().map(|x| x.duration_s))
        .f64("elapsed_s", r().map(|x| x.elapsed_s))
        .f64("distance_m", r().map(|x| x.distance_m))
        .f64("ascent_m", r().map(|x| x.ascent_m))
        .f64("descent_m", r().map(|x| x.descent_m))
        .f64("avg_speed_mps", r().map(|x| x.avg_speed_mps))
        .f64("cadence_spm", r().map(|x| x.cadence_spm))
        .f64("cadence_spm_mean", r().map(|x| x.cadence_spm_mean))
        .str(
            "cadence_source",
            r().map(|x| x.cadence_source.map(|c| c.as_str())),
        )
        .f64("power_w", r().map(|x| x.power_w))
        .f64("gct_balance_left_pct", r().map(|x| x.gct_balance_left_pct))
        .f64("running_s", r().map(|x| Some(x.running_s)))
        .f64("walking_s", r().map(|x| Some(x.walking_s)))
        .str("gait", r().map(|x| x.gait.map(|g| g.as_str())))
        .u32("samples", r().map(|x| x.samples))
        .bool("has_gps", r().map(|x| x.has_gps))
        .bool("has_altitude", r().map(|x| x.has_altitude))
        .bool("has_cadence", r().map(|x| x.has_cadence))
        .str("totals_source", r().map(|x| Some(x.totals_source.as_str())))
        .str("status", status)
        .f64(
            "longest_prev_30d_m",
            rows().map(|a| a.longest_prev_30d_m.get()),
        )
        .f64("long_run_ref_m", rows().map(|a| a.long_run_ref_m.get()))
        .bool("flag_long_run_spike", rows().map(|a| a.flag_long_run_spike));
    let f = downhill_columns(f, r);
    surface_columns(f, r)
        .f64("rpe", r().map(|x| x.rpe))
        .f64("feel", r().map(|x| x.feel))
        .f64("pain", rows().map(|a| a.pain.get()))
        .f64(
            "pain_next_morning",
            rows().map(|a| a.pain_next_morning.get()),
        )
        .str("gear", r().map(|x| x.label.gear.as_deref()))
        .str(
            "gear_source",
            r().map(|x| x.label.gear_source.map(|g| g.as_str())),
        )
        .str("name", r().map(|x| x.label.name.as_deref()))
        .str(
            "merged_from",
            // One line per copy, `; `-separated; the cell lives as long as the frame is made.
            r().map(|x| x.label.merged.as_deref().map(|m| m.from.join("; ")))
                .collect::<Vec<_>>()
                .iter()
                .map(|x| x.as_deref()),
        )
        .finish()
}

fn downhill_columns<'a, I: Iterator<Item = &'a RunFacts>>(f: Frame, r: impl Fn() -> I) -> Frame {
    let d = || r().map(|x| &x.downhill);
    let matched = || d().map(|x| x.matched);
    f.f64("flat_cadence_spm", d().map(|x| x.flat_cadence_spm))
        .f64("downhill_cadence_spm", d().map(|x| x.downhill_cadence_spm))
        .f64("uphill_cadence_spm", d().map(|x| x.uphill_cadence_spm))
        .f64(
            "downhill_cadence_drop_spm",
            d().map(|x| x.cadence_drop.map(|p| p.0)),
        )
        .f64(
            "downhill_cadence_drop_pct",
            d().map(|x| x.cadence_drop.map(|p| p.1)),
        )
        .f64(
            "downhill_cadence_drop_matched_spm",
            matched().map(|m| m.map(|m| m.0.drop_spm)),
        )
        .f64(
            "downhill_matched_coverage_pct",
            matched().map(|m| m.map(|m| m.0.coverage_pct)),
        )
        .str(
            "downhill_matched_source",
            matched().map(|m| m.map(|m| m.1.as_str())),
        )
        .f64(
            "downhill_step_length_change_matched_pct",
            matched().map(|m| m.map(|m| m.0.step_length_change_pct())),
        )
        .f64("flat_speed_mps", d().map(|x| x.flat_speed_mps))
        .f64("downhill_speed_mps", d().map(|x| x.downhill_speed_mps))
        .f64("flat_step_length_m", d().map(|x| x.flat_step_length_m))
        .f64(
            "downhill_step_length_m",
            d().map(|x| x.downhill_step_length_m),
        )
        .f64(
            "downhill_step_length_change_pct",
            d().map(|x| x.step_length_change_pct),
        )
        .f64(
            "downhill_m",
            d().map(|x| x.has_grade.then_some(x.downhill_m)),
        )
        .i64(
            "downhill_segments",
            d().map(|x| x.has_grade.then_some(x.downhill_segments as i64)),
        )
}

fn surface_columns<'a, I: Iterator<Item = &'a RunFacts>>(f: Frame, r: impl Fn() -> I) -> Frame {
    let v = || r().map(|x| &x.surface);
    let feat = || v().map(|s| &s.features);
    f.str("surface", v().map(|s| Some(s.surface.as_str())))
        .str("surface_source", v().map(|s| Some(s.source.as_str())))
        .f64("surface_confidence", v().map(|s| Some(s.confidence)))
        .str("surface_inferred", v().map(|s| Some(s.inferred.as_str())))
        .f64(
            "altitude_roughness_m_per_km",
            feat().map(|x| x.altitude_roughness_m_per_km),
        )
        .f64(
            "grade_variability_pct",
            feat().map(|x| x.grade_variability_pct),
        )
        .f64("speed_cv_pct", feat().map(|x| x.speed_cv_pct))
        .f64(
            "turn_density_deg_per_km",
            feat().map(|x| x.turn_density_deg_per_km),
        )
        .f64("bbox_diagonal_m", feat().map(|x| x.bbox_diagonal_m))
        .f64("lap_length_m", feat().map(|x| x.lap_length_m))
        .f64("loop_score", feat().map(|x| x.loop_score))
        .f64(
            "vertical_oscillation_cv_pct",
            feat().map(|x| x.vertical_oscillation_cv_pct),
        )
        .f64("stance_time_cv_pct", feat().map(|x| x.stance_time_cv_pct))
}

/// `segments`: one row per grade segment of every run (`rows` and their full facts).
fn segments(rows: &[RunRow<'_>]) -> PolarsResult<DataFrame> {
    let segs: Vec<(&Activity, usize, &Segment, &str)> = rows
        .iter()
        .flat_map(|x| {
            x.facts
                .downhill
                .segments
                .iter()
                .enumerate()
                .map(move |(i, s)| (x.row, i, s, x.source))
        })
        .collect();
    let it = || segs.iter();
    Frame::new(segs.len())
        .str("source", it().map(|x| Some(x.3)))
        .u32("session", it().map(|x| x.0.run.session))
        .u32("segment", it().map(|x| x.1 as u32))
        .str("kind", it().map(|x| Some(x.2.kind.as_str())))
        .bool("steep", it().map(|x| x.2.steep))
        .f64("start_m", it().map(|x| Some(x.2.start_m)))
        .f64("end_m", it().map(|x| Some(x.2.end_m)))
        .f64("length_m", it().map(|x| Some(x.2.length_m())))
        .datetime(
            "start_utc",
            it().map(|x| x.0.run.start_utc.get().map(|_| x.2.start_t.round() as i64)),
        )?
        .f64("duration_s", it().map(|x| Some(x.2.duration_s)))
        .f64("running_s", it().map(|x| Some(x.2.running_s)))
        .f64("walking_s", it().map(|x| Some(x.2.walking_s)))
        .f64(
            "elevation_change_m",
            it().map(|x| Some(x.2.elevation_change_m)),
        )
        .f64("grade_pct", it().map(|x| Some(x.2.grade_pct)))
        .f64("cadence_spm", it().map(|x| x.2.cadence_spm))
        .f64("speed_mps", it().map(|x| x.2.speed_mps))
        .f64("step_length_m", it().map(|x| x.2.step_length_m))
        .f64(
            "vertical_oscillation_mm",
            it().map(|x| x.2.vertical_oscillation_mm),
        )
        .f64("stance_time_ms", it().map(|x| x.2.stance_time_ms))
        .finish()
}

/// A table's frames, in row order: one for most tables, one per [`RUNS_PER_FRAME`] rows for
/// the ledger, the activities and segments (always at least one, empty for an empty table).
pub(crate) type Frames<'a> = Box<dyn Iterator<Item = PolarsResult<DataFrame>> + 'a>;

/// Builds one table's frames from the rows and the store of the runs' full facts.
pub(crate) type Build = for<'a> fn(&'a Tables, &'a Store) -> Frames<'a>;

/// Every table: its file stem and how its frames are built, in writing order. Frames are built
/// one at a time, so that only one is held beside the rows while it is written.
pub(crate) const TABLES: [(&str, Build); 6] = [
    ("files", per_input),
    ("activities", |t, s| per_runs(t, s, activities)),
    ("segments", |t, s| per_runs(t, s, segments)),
    ("weeks", |t, _| one(weeks(&t.weeks))),
    ("findings", |t, _| one(findings(&t.findings))),
    ("gear", |t, _| one(gear(&t.gear, &t.gear_thresholds_m))),
];

fn one<'a>(frame: PolarsResult<DataFrame>) -> Frames<'a> {
    Box::new(std::iter::once(frame))
}

/// The ledger's frames, one per [`RUNS_PER_FRAME`] inputs (a long history makes it the longest
/// table after the runs'), from its rows in the store (or as duplicate detection changed them).
fn per_input<'a>(t: &'a Tables, store: &'a Store) -> Frames<'a> {
    let ledger = &t.files;
    if ledger.len() == 0 {
        return one(files(&[]));
    }
    Box::new((0..ledger.len()).step_by(RUNS_PER_FRAME).map(move |from| {
        let to = (from + RUNS_PER_FRAME).min(ledger.len());
        let rows: Vec<FileRow> = (from..to)
            .map(|i| match ledger.changed(i) {
                Some(row) => row.clone(),
                None => store.row(&ledger.slots[i]).clone(),
            })
            .collect();
        files(&rows)
    }))
}

/// A run table's frames: `build` over each [`RUNS_PER_FRAME`] runs with their full facts.
fn per_runs<'a>(
    t: &'a Tables,
    store: &'a Store,
    build: fn(&[RunRow<'_>]) -> PolarsResult<DataFrame>,
) -> Frames<'a> {
    if t.run_count() == 0 {
        return one(build(&[]));
    }
    Box::new(
        t.activities
            .chunks(RUNS_PER_FRAME)
            .map(move |runs| build(&with_facts(t, runs, store))),
    )
}
