//! The findings table read back, and one property every finding must have: its message states
//! its own `value` (and its `threshold`, where the message names one) as the message prints
//! them, on the side of the threshold the rule claims — `value` above `threshold` for a rule
//! that flags highs, below for one that flags lows — in the table's numbers and in the words.
//!
//! Which side a rule is on cannot be read from a row, so [`SPECS`] says it for each rule (and
//! severity, where they differ); a rule missing from it fails, so a new rule must be added.

use std::path::Path;

use chrono::NaiveDate;

use super::{nums, read_parquet, strs};

/// One row of `findings`.
#[derive(Clone, Debug)]
pub struct Finding {
    pub scope: String,
    pub rule: String,
    pub severity: String,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub occurrences: u32,
    pub value: f64,
    pub threshold: f64,
    pub message: String,
}

/// The findings of the report in `dir`, in the table's order.
pub fn read(dir: &Path) -> Vec<Finding> {
    let f = read_parquet(&dir.join("findings.parquet"));
    let day = |c: &str, i: usize| {
        let v = f.column(c).unwrap().get(i).unwrap();
        (!v.is_null()).then(|| NaiveDate::parse_from_str(&v.to_string(), "%Y-%m-%d").unwrap())
    };
    let (scope, rule, sev, msg) = (
        strs(&f, "scope"),
        strs(&f, "rule"),
        strs(&f, "severity"),
        strs(&f, "message"),
    );
    let (value, threshold, n) = (
        nums(&f, "value"),
        nums(&f, "threshold"),
        nums(&f, "occurrences"),
    );
    (0..f.height())
        .map(|i| Finding {
            scope: scope[i].clone().unwrap(),
            rule: rule[i].clone().unwrap(),
            severity: sev[i].clone().unwrap(),
            first: day("first_local", i),
            last: day("last_local", i),
            occurrences: n[i].unwrap() as u32,
            value: value[i].unwrap(),
            threshold: threshold[i].unwrap(),
            message: msg[i].clone().unwrap(),
        })
        .collect()
}

/// Which side of its threshold a finding's value is on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    /// Strictly above (the rule flags more than its threshold).
    Above,
    /// At or above.
    AtLeast,
    /// Strictly below.
    Below,
    /// At or below.
    AtMost,
}

impl Side {
    fn holds(self, v: f64, t: f64) -> bool {
        match self {
            Side::Above => v > t,
            Side::AtLeast => v >= t,
            Side::Below => v < t,
            Side::AtMost => v <= t,
        }
    }
}

/// How a number of the row appears in the message.
#[derive(Clone, Copy, Debug)]
pub enum Shown {
    /// As the row's number times this factor (0.001 for metres shown in km, −1 for a fall
    /// named by its size), with the digits the message gives it.
    Times(f64),
    /// The message does not name it (why, in the table).
    Unstated(&'static str),
}

/// A rule's side and how its message shows value and threshold; `severity` `None` for all.
pub struct Spec {
    pub rule: &'static str,
    pub severity: Option<&'static str>,
    pub side: Side,
    pub value: Shown,
    pub threshold: Shown,
}

const fn spec(
    rule: &'static str,
    severity: Option<&'static str>,
    side: Side,
    value: Shown,
    threshold: Shown,
) -> Spec {
    Spec {
        rule,
        severity,
        side,
        value,
        threshold,
    }
}

use Shown::{Times, Unstated};
use Side::{Above, AtLeast, AtMost, Below};

/// Every rule: the side of its threshold its value is on, and how its message shows them.
/// Rules whose message leaves the threshold out (the reason given) are checked on their value
/// and on the table's numbers only.
pub const SPECS: &[Spec] = &[
    spec("low_cadence", None, Below, Times(1.0), Times(1.0)),
    spec(
        "downhill_overstriding",
        None,
        Above,
        Times(1.0),
        Unstated("names the speed-matched drop, not the drop it passed"),
    ),
    spec(
        "careful_descending",
        None,
        Above,
        Times(1.0),
        Unstated("names the plain drop, not the drop it passed"),
    ),
    // Value: the run's distance; threshold: the reference + 10 %; the message names the run in
    // km and the reference, not the threshold.
    spec(
        "long_run_spike",
        None,
        Above,
        Times(0.001),
        Unstated("names the reference, not reference + 10 %"),
    ),
    spec("ramp", None, Above, Times(1.0), Times(1.0)),
    spec("ramp_2w", None, Above, Times(1.0), Times(1.0)),
    // "at or above 2.0" for high; "above 1.5" for watch; "below 0.8" for info.
    spec("acwr", Some("high"), AtLeast, Times(1.0), Times(1.0)),
    spec("acwr", Some("watch"), Above, Times(1.0), Times(1.0)),
    spec("acwr", Some("info"), Below, Times(1.0), Times(1.0)),
    spec("return_after_break", None, Above, Times(1.0), Times(1.0)),
    // Value: the weeks on one surface; threshold: the weeks the rule needs (4); a week closing
    // exactly 4 is flagged.
    spec(
        "no_variety",
        None,
        AtLeast,
        Times(1.0),
        Unstated("names the weeks, not the 4 it needs"),
    ),
    // Value: the change of the median cadence (negative: a fall); threshold: −3. Watch: "a
    // fall of more than 3 spm". Info: the change, no threshold.
    spec(
        "cadence_trend",
        Some("watch"),
        Below,
        Times(1.0),
        Times(-1.0),
    ),
    spec(
        "cadence_trend",
        Some("info"),
        AtLeast,
        Times(1.0),
        Unstated("an info row names the change only"),
    ),
    spec(
        "downhill_share",
        Some("watch"),
        Above,
        Times(1.0),
        Unstated("names the share, not the 20 % it passed"),
    ),
    spec(
        "downhill_share",
        Some("info"),
        AtMost,
        Times(1.0),
        Unstated("names the share only"),
    ),
    // Value: the worst score; threshold: the pain threshold, or the score during the run when
    // the next morning was worse.
    spec(
        "pain",
        None,
        Above,
        Times(1.0),
        Unstated("names the scores, not the threshold"),
    ),
    spec("shoe_distance", None, Above, Times(1.0), Times(1.0)),
    // "monotony 2.45 (at or above 2.0)".
    spec("monotony", None, AtLeast, Times(1.0), Times(1.0)),
    // "2.2 points toward the left … (… a shift of more than 1.5)".
    spec("gct_balance", None, Above, Times(1.0), Times(1.0)),
    spec(
        "shoe_retired_worn",
        None,
        AtLeast,
        Times(1.0),
        Unstated("threshold 0 km: any running after retirement"),
    ),
    spec(
        "shoe_spike",
        None,
        AtLeast,
        Times(1.0),
        Unstated("names the pair's distance, not the retirement distance"),
    ),
];

/// The rules (and severities) whose message leaves the threshold out, with the reason.
pub fn unstated_thresholds() -> Vec<String> {
    SPECS
        .iter()
        .filter_map(|s| match s.threshold {
            Shown::Unstated(why) => Some(format!("{} {:?}: {why}", s.rule, s.severity)),
            Shown::Times(_) => None,
        })
        .collect()
}

/// A number in a message: its value and its decimals.
#[derive(Clone, Copy, Debug)]
struct Number {
    x: f64,
    decimals: i32,
}

impl Number {
    /// Whether this printed number is `x` rounded to its digits.
    fn shows(self, x: f64) -> bool {
        (self.x - x).abs() <= 0.5 * 10f64.powi(-self.decimals) + 1e-9
    }
}

/// The numbers of a message, dates (`2024-04-15`) left out; a sign counts only at the start of
/// a number (after a space or a bracket), not in "week-over-week".
fn numbers(message: &str) -> Vec<Number> {
    let c: Vec<char> = message.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if !c[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
            i += 1;
        }
        let mut text: String = c[start..i].iter().collect();
        if text.ends_with('.') {
            text.pop();
        }
        // A date: four digits, a hyphen, two digits, a hyphen, two digits.
        if text.len() == 4 && c.get(i) == Some(&'-') && c.get(i + 3) == Some(&'-') {
            i += 6;
            continue;
        }
        let negative = start > 0
            && matches!(c[start - 1], '-' | '−')
            && (start == 1 || matches!(c[start - 2], ' ' | '(' | ','));
        let decimals = text.split('.').nth(1).map_or(0, |d| d.len() as i32);
        let x: f64 = text.parse().unwrap();
        out.push(Number {
            x: if negative { -x } else { x },
            decimals,
        });
    }
    out
}

/// The spec of a finding's rule and severity; `None` for a rule the table does not know.
pub fn spec_of(f: &Finding) -> Option<&'static Spec> {
    SPECS
        .iter()
        .find(|s| s.rule == f.rule && s.severity.is_none_or(|v| v == f.severity))
}

/// What is wrong with a finding's numbers or message, if anything.
pub fn problem(f: &Finding) -> Option<String> {
    let Some(s) = spec_of(f) else {
        return Some(format!(
            "rule {} ({}) is not in findings_check::SPECS: add its side and how its message \
             shows value and threshold",
            f.rule, f.severity
        ));
    };
    if !s.side.holds(f.value, f.threshold) {
        return Some(format!(
            "value {} is not {:?} threshold {}",
            f.value, s.side, f.threshold
        ));
    }
    let Shown::Times(vs) = s.value else {
        return None;
    };
    let ns = numbers(&f.message);
    let values: Vec<usize> = (0..ns.len())
        .filter(|&k| ns[k].shows(f.value * vs))
        .collect();
    if values.is_empty() {
        return Some(format!("the message does not state the value {}", f.value));
    }
    let Shown::Times(ts) = s.threshold else {
        return None;
    };
    let thresholds: Vec<usize> = (0..ns.len())
        .filter(|&k| ns[k].shows(f.threshold * ts))
        .collect();
    if thresholds.is_empty() {
        return Some(format!(
            "the message does not state the threshold {}",
            f.threshold
        ));
    }
    // Some value it prints and some threshold it prints (two numbers) are on the rule's side.
    let agrees = values.iter().any(|&v| {
        thresholds
            .iter()
            .any(|&t| t != v && s.side.holds(ns[v].x / vs, ns[t].x / ts))
    });
    (!agrees).then(|| {
        format!(
            "the message prints the value {} and the threshold {} but not {:?} it",
            f.value, f.threshold, s.side
        )
    })
}

/// Fails with every finding whose message or numbers break the property; returns how many
/// were checked.
pub fn check(findings: &[Finding], what: &str) -> usize {
    let bad: Vec<String> = findings
        .iter()
        .filter_map(|f| {
            problem(f).map(|p| {
                format!(
                    "{} {} {}: {p}\n    {}",
                    f.rule, f.severity, f.scope, f.message
                )
            })
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: findings whose message disagrees with its numbers:\n{}",
        bad.join("\n")
    );
    findings.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, severity: &str, value: f64, threshold: f64, message: &str) -> Finding {
        Finding {
            scope: "run".into(),
            rule: rule.into(),
            severity: severity.into(),
            first: None,
            last: None,
            occurrences: 1,
            value,
            threshold,
            message: message.into(),
        }
    }

    #[test]
    fn the_check_catches_a_message_across_its_threshold() {
        let ok = finding(
            "low_cadence",
            "watch",
            159.7,
            160.0,
            "Median cadence 159.7 spm is below 160 spm.",
        );
        assert_eq!(problem(&ok), None);
        // Rounded onto the threshold: 160 is not below 160.
        let rounded = finding(
            "low_cadence",
            "watch",
            159.7,
            160.0,
            "Median cadence 160 spm is below 160 spm.",
        );
        assert!(problem(&rounded).is_some());
        // A value the message does not state; a threshold it does not state.
        let other = finding(
            "low_cadence",
            "watch",
            152.0,
            160.0,
            "Median cadence 155 spm is below 160 spm.",
        );
        assert!(problem(&other).unwrap().contains("value"));
        let no_limit = finding(
            "ramp",
            "info",
            15.0,
            10.0,
            "The week of 2022-03-07 ran 23.0 km, 15 % above the 20.0 km of the week before.",
        );
        assert!(problem(&no_limit).unwrap().contains("threshold"));
        // A fall named by its size; the table's numbers on the wrong side; an unknown rule.
        let trend = finding(
            "cadence_trend",
            "watch",
            -4.2,
            -3.0,
            "Median cadence over the last 12 weeks is 170 spm, -4.2 spm on the 12 weeks \
             before (a fall of more than 3 spm).",
        );
        assert_eq!(problem(&trend), None);
        let wrong = finding("ramp", "info", 9.0, 10.0, "9 % above (more than 10 %).");
        assert!(problem(&wrong).unwrap().contains("not Above"));
        assert!(problem(&finding("new_rule", "watch", 1.0, 0.0, "1"))
            .unwrap()
            .contains("SPECS"));
    }
}
