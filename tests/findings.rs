//! Findings a coach would sign: over two generated years with planted events, each risky event
//! is found once at its severity, and ordinary training (noise, a build, light weeks, a week
//! off, a holiday with a gradual return) raises nothing at `watch` or above.

use chrono::NaiveDate;

use crate::support::planted;
use crate::support::*;

/// A finding row: rule, severity, first and last local day, message.
#[derive(Debug)]
struct Row {
    rule: String,
    severity: String,
    first: NaiveDate,
    last: NaiveDate,
    message: String,
}

fn rows(r: &Report) -> Vec<Row> {
    let f = read_parquet(&r.dir.join("findings.parquet"));
    let day = |c: &str, i: usize| {
        NaiveDate::parse_from_str(
            &f.column(c).unwrap().get(i).unwrap().to_string(),
            "%Y-%m-%d",
        )
        .unwrap()
    };
    let (rule, sev, msg) = (strs(&f, "rule"), strs(&f, "severity"), strs(&f, "message"));
    (0..f.height())
        .map(|i| Row {
            rule: rule[i].clone().unwrap(),
            severity: sev[i].clone().unwrap(),
            first: day("first_local", i),
            last: day("last_local", i),
            message: msg[i].clone().unwrap(),
        })
        .collect()
}

#[test]
fn each_planted_risky_event_is_found_once_and_ordinary_training_raises_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let expected = planted::write(&input);
    let r = report(&[&input], &tmp.path().join("out"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let found = rows(&r);
    let serious: Vec<&Row> = found
        .iter()
        .filter(|f| f.severity == "high" || f.severity == "watch")
        .collect();
    for e in &expected {
        let end = e.week_start + chrono::Duration::days(6);
        let hits: Vec<&&Row> = serious
            .iter()
            .filter(|f| f.first <= end && f.last >= e.week_start)
            .collect();
        assert_eq!(hits.len(), 1, "{}: {hits:#?}", e.event);
        assert_eq!(
            (hits[0].rule.as_str(), hits[0].severity.as_str()),
            (e.rule, e.severity),
            "{}: {}",
            e.event,
            hits[0].message
        );
        assert!(
            hits[0].first >= e.week_start && hits[0].first <= end,
            "{} starts in its week: {:?}",
            e.event,
            hits[0]
        );
    }
    // Nothing else at watch or above: the build, the light weeks, the week off and the gradual
    // return after the holiday are ordinary training.
    assert_eq!(serious.len(), expected.len(), "{serious:#?}");
    // The two-week holiday's return was gradual: no finding on it at any severity.
    let holiday = planted::week_start(planted::HOLIDAY_RETURN);
    assert!(
        !found
            .iter()
            .any(|f| f.rule == "return_after_break"
                && f.first <= holiday + chrono::Duration::weeks(2)),
        "{found:#?}"
    );
}

#[test]
fn a_return_is_judged_against_the_load_before_the_break_not_a_chronic_window_of_zeros() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    planted::write(&input);
    let r = report(&[&input], &tmp.path().join("out"));
    let w = read_parquet(&r.dir.join("weeks.parquet"));
    let starts: Vec<String> = (0..w.height())
        .map(|i| w.column("week_start").unwrap().get(i).unwrap().to_string())
        .collect();
    let at = |w: usize| {
        let d = planted::week_start(w).to_string();
        starts.iter().position(|s| *s == d).unwrap()
    };
    let ret = nums(&w, "return_week");
    let base = nums(&w, "return_base_m");
    let dist = nums(&w, "distance_m");
    let usual = nums(&w, "usual_m");
    // The holiday: weeks 46–47 off, returns in weeks 48 (about half) and 49 (three quarters).
    let h = at(planted::HOLIDAY_RETURN);
    assert_eq!(
        (ret[h], ret[h + 1], ret[h + 2]),
        (Some(1.0), Some(2.0), None)
    );
    let b = base[h].unwrap();
    assert!(
        (dist[h].unwrap() / b - 0.5).abs() < 0.05,
        "{:?} of {b}",
        dist[h]
    );
    // The usual load carries over the return: the first week after it is not a ramp.
    assert!((usual[h + 2].unwrap() - b).abs() < 0.1 * b);
    let flags = |c: &str| -> Vec<bool> {
        w.column(c)
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|x| x.unwrap())
            .collect()
    };
    let (ramp, ramp2, acwr, flag_return) = (
        flags("flag_ramp"),
        flags("flag_ramp_2w"),
        flags("flag_acwr"),
        flags("flag_return"),
    );
    for k in h..h + 4 {
        assert!(
            !ramp[k] && !ramp2[k] && !acwr[k] && !flag_return[k],
            "week {}",
            starts[k]
        );
    }
    // The injury: back at the usual load in the first week of a five-week return.
    let i = at(planted::INJURY_RETURN);
    assert_eq!(ret[i], Some(1.0));
    assert!(flag_return[i] && dist[i].unwrap() > 0.9 * base[i].unwrap());
    // Its coupled ratio would be 4.00 (three empty weeks in the chronic window); it is not
    // flagged: the return rule judges that week.
    assert!((nums(&w, "acwr")[i].unwrap() - 4.0).abs() < 1e-9);
    assert!(!acwr[i]);
}
