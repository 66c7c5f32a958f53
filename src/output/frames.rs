//! Frames: the report's rows as polars `DataFrame`s, one per output table.
//!
//! Column names carry their units (`_m`, `_s`, `_spm`, `_mps`, `_pct`); times are written as
//! UTC plus the athlete's local offset, never in the parsing machine's zone. The README's
//! output schema documents every column built here.

use polars::prelude::*;

use crate::aggregate::{Activity, Tables};
use crate::ledger::FileRow;

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

    fn finish(self) -> PolarsResult<DataFrame> {
        DataFrame::new(self.height, self.columns)
    }
}

/// `files`: the ledger, one row per input.
pub fn files(rows: &[FileRow]) -> PolarsResult<DataFrame> {
    Frame::new(rows.len())
        .str("source", rows.iter().map(|r| Some(r.source.as_str())))
        .i64("bytes", rows.iter().map(|r| Some(r.bytes as i64)))
        .str("status", rows.iter().map(|r| Some(r.status.as_str())))
        .str("reason", rows.iter().map(|r| r.reason.map(|x| x.as_str())))
        .str("detail", rows.iter().map(|r| Some(r.detail.as_str())))
        .str("file_type", rows.iter().map(|r| r.file_type.as_deref()))
        .u32("sessions", rows.iter().map(|r| r.sessions))
        .u32("runs", rows.iter().map(|r| r.runs))
        .finish()
}

/// `activities`: one row per distinct running session.
pub fn activities(rows: &[Activity]) -> PolarsResult<DataFrame> {
    let r = || rows.iter().map(|a| &a.run);
    let local = |a: &Activity| match (a.run.start_utc, a.run.utc_offset_s) {
        (Some(t), Some(o)) => Some(t + o as i64),
        _ => None,
    };
    Frame::new(rows.len())
        .str("source", rows.iter().map(|a| Some(a.source.as_str())))
        .u32("session", r().map(|x| x.session))
        .datetime("start_utc", r().map(|x| x.start_utc))?
        .datetime("start_local", rows.iter().map(local))?
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
        .str("cadence_source", r().map(|x| x.cadence_source))
        .u32("samples", r().map(|x| x.samples))
        .bool("has_gps", r().map(|x| x.has_gps))
        .bool("has_altitude", r().map(|x| x.has_altitude))
        .bool("has_cadence", r().map(|x| x.has_cadence))
        .str("totals_source", r().map(|x| Some(x.totals_source)))
        .str("status", rows.iter().map(|a| Some(a.status.as_str())))
        .finish()
}

/// All tables, with their file stems, in writing order.
pub fn all(t: &Tables) -> PolarsResult<Vec<(&'static str, DataFrame)>> {
    Ok(vec![
        ("files", files(&t.files)?),
        ("activities", activities(&t.activities)?),
    ])
}
