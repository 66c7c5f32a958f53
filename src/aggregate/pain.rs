//! The pain diary joined to the runs and weeks by local day: each run on a diary day carries
//! that day's scores, and each week its highest score and its days with pain.

use crate::model::{DiaryDay, Tables};

/// The diary row of a day, if any (`diary` sorted by date).
pub(super) fn on(diary: &[DiaryDay], day: chrono::NaiveDate) -> Option<&DiaryDay> {
    diary
        .binary_search_by_key(&day, |d| d.date)
        .ok()
        .map(|i| &diary[i])
}

/// Fills the pain columns of the activities and weeks from `t.diary`.
pub(super) fn join(t: &mut Tables) {
    for a in &mut t.activities {
        if let Some(d) = a.local_day.and_then(|day| on(&t.diary, day)) {
            a.pain = Some(d.pain).into();
            a.pain_next_morning = d.next_morning.into();
        }
    }
    for w in &mut t.weeks {
        let end = w.start + chrono::Duration::days(7);
        let rows = t.diary.iter().filter(|d| d.date >= w.start && d.date < end);
        for d in rows {
            let worst = d.worst();
            w.pain_max = Some(w.pain_max.map_or(worst, |m| m.max(worst)));
            *w.pain_days.get_or_insert(0) += u32::from(worst > 0.0);
        }
    }
}
