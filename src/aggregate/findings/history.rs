//! The rules over the recent history as a whole: the cadence trend (the last `trend_weeks`
//! weeks against the ones before) and the share of recent running that was downhill.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate};

use super::runs::{EV_CADENCE, EV_DOWNHILL};
use super::text::{decisive, fmt_km};
use crate::config::FindingsSettings;
use crate::model::{Activity, CadenceSource, Finding, Rule, Scope, Severity, Tables};
use crate::series::median;

/// The dated runs and the two periods compared.
struct Periods<'a> {
    dated: Vec<(NaiveDate, &'a Activity)>,
    /// First day of the recent period.
    recent_from: NaiveDate,
    /// First day of the period before it.
    before_from: NaiveDate,
    /// The last dated run's day.
    last: NaiveDate,
}

/// The history rules; nothing without dated runs.
pub(super) fn findings(t: &Tables, cfg: &FindingsSettings) -> Vec<Finding> {
    let dated: Vec<(NaiveDate, &Activity)> = t
        .activities
        .iter()
        .filter_map(|a| a.local_day.map(|d| (d, a)))
        .collect();
    let Some(last) = dated.iter().map(|x| x.0).max() else {
        return Vec::new();
    };
    let span = Duration::days(7 * i64::from(cfg.trend_weeks.max(1)));
    let recent_from = last - span + Duration::days(1);
    let p = Periods {
        dated,
        recent_from,
        before_from: recent_from - span,
        last,
    };
    cadence_trend(&p, cfg)
        .into_iter()
        .chain(downhill_share(&p, cfg))
        .collect()
}

/// A finding over the recent period.
fn finding(
    p: &Periods<'_>,
    rule: Rule,
    severity: Severity,
    (value, threshold): (f64, f64),
    message: String,
    advice: &'static str,
    evidence: &'static str,
) -> Finding {
    Finding {
        scope: Scope::History,
        key: "history".into(),
        first: Some(p.recent_from),
        last: Some(p.last),
        occurrences: 1,
        rule,
        severity,
        value,
        threshold,
        message,
        advice: Cow::Borrowed(advice),
        evidence: Cow::Borrowed(evidence),
        preceded_by: Vec::new(),
    }
}

/// The median cadence of the recent period against the period before: `watch` when it fell by
/// more than `cadence_trend_drop_spm`.
fn cadence_trend(p: &Periods<'_>, cfg: &FindingsSettings) -> Option<Finding> {
    let median_of = |from: NaiveDate, to: NaiveDate| {
        let mut v: Vec<f64> = p
            .dated
            .iter()
            .filter(|(d, a)| {
                *d >= from && *d <= to && a.run.cadence_source == Some(CadenceSource::Records)
            })
            .filter_map(|(_, a)| a.run.cadence_spm.get())
            .collect();
        median(&mut v)
    };
    let now = median_of(p.recent_from, p.last)?;
    let then = median_of(p.before_from, p.recent_from - Duration::days(1))?;
    let change = now - then;
    let limit = -cfg.cadence_trend_drop_spm;
    let falling = change < limit;
    let shown = if falling {
        decisive(change, limit, 1)
    } else {
        format!("{change:+.1}")
    };
    let weeks = cfg.trend_weeks;
    Some(finding(
        p,
        Rule::CadenceTrend,
        if falling {
            Severity::Watch
        } else {
            Severity::Info
        },
        (change, limit),
        format!(
            "Median cadence over the last {weeks} weeks is {now:.0} spm, {shown} spm on the \
             {weeks} weeks before{}.",
            if falling {
                format!(
                    " (a fall of more than {:.0} spm)",
                    cfg.cadence_trend_drop_spm
                )
            } else {
                String::new()
            }
        ),
        if falling {
            "Your cadence is drifting down: check shoes, fatigue and pace, and add short \
             quick-step drills."
        } else {
            "No action needed."
        },
        EV_CADENCE,
    ))
}

/// The share of the recent period's running with altitude data that was downhill: `watch`
/// above `downhill_share_pct`.
fn downhill_share(p: &Periods<'_>, cfg: &FindingsSettings) -> Option<Finding> {
    let (mut total, mut down, mut graded) = (0.0, 0.0, 0.0);
    for (d, a) in &p.dated {
        if *d >= p.recent_from {
            let dist = a.run.distance_m.unwrap_or(0.0);
            total += dist;
            if a.run.downhill.has_grade {
                graded += dist;
                down += a.run.downhill.downhill_m;
            }
        }
    }
    if graded <= 0.0 {
        return None;
    }
    let share = 100.0 * down / graded;
    let high = share > cfg.downhill_share_pct;
    Some(finding(
        p,
        Rule::DownhillShare,
        if high {
            Severity::Watch
        } else {
            Severity::Info
        },
        (share, cfg.downhill_share_pct),
        format!(
            "{} % of your running with altitude data over the last {} weeks was downhill ({} of \
             {}; {} in all).",
            decisive(share, cfg.downhill_share_pct, 0),
            cfg.trend_weeks,
            fmt_km(down),
            fmt_km(graded),
            fmt_km(total)
        ),
        if high {
            "Descents load the knee most: build downhill volume gradually and practise short, \
             quick steps on them."
        } else {
            "No action needed."
        },
        EV_DOWNHILL,
    ))
}
