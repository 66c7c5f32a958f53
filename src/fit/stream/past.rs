//! Reading past damage: where the file last read well, and from there the next byte where
//! messages decode again (see `resync.rs`), after a decoding error, a run of zero bytes, or a
//! record whose time stamp is out of the file's reach.

use fitparser::de::DecodeOption;

use super::{data_end, Reader};
use crate::fit::records::Odometer;
use crate::fit::resync;

/// Faults read past in one file at most. A definition lost with the damage leaves a message
/// type read out of step wherever it recurs, a fault each time, each read past in a few
/// bytes: the bound is on the bytes searched ([`MAX_SEARCHED`]) more than on the count.
const MAX_RESYNCS: usize = 256;
/// Bytes searched for the next message in one file at most, over all its faults (a search
/// walks a few messages from each byte: about 20 ms a megabyte).
const MAX_SEARCHED: usize = 1 << 20;
/// How far past a fault the next message is looked for, bytes (a zeroed sector is 4 KB).
const MAX_SCAN: usize = 64 * 1024;
/// Where the file last read well: after a data message whose full time stamp or record
/// distance continued the file's, with what had been kept up to there.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Good {
    /// The byte after that message.
    at: usize,
    /// The last full time stamp and record distance up to there.
    last: resync::Last,
    /// Samples and sessions kept up to there.
    samples: usize,
    sessions: usize,
    /// The compressed distance's state there.
    odometer: Odometer,
}

impl Reader<'_> {
    /// Notes the byte after a record whose full time stamp or distance continues the file's as
    /// where the file last read well (a record with neither says nothing). A record whose time
    /// stamp is out of reach may be damage read as a message, which no decoding error shows (a
    /// zeroed sector decodes, and bytes after it are read out of step): when messages that do
    /// continue start between the last good record and it, reading goes on from there. If
    /// none does, the file's time really jumped, and it goes on from the jump.
    pub(super) fn read_well(&mut self, full_ts: Option<i64>, distance_m: Option<f64>, next: usize) {
        if full_ts.is_none() && distance_m.is_none() {
            return;
        }
        if let (Some(l), Some(t)) = (self.good.last.ts, full_ts) {
            if !resync::continues(l, t) && !self.accept_jump(l, t, next) {
                return;
            }
        }
        let mut last = self.good.last;
        if !last.continued_by(full_ts, distance_m) {
            last = resync::Last::default();
        }
        last.advance(full_ts, distance_m);
        self.good = Good {
            at: next,
            last,
            samples: self.out.samples.len(),
            sessions: self.out.sessions.len(),
            odometer: self.odometer,
        };
    }

    /// A record's time stamp `t` out of reach of the last good one `last`, ending at `next`:
    /// damage read out of step when messages that continue start between the last good record
    /// and it (reading goes on from there: false), or, once three such records continue each
    /// other, a jump of the file's own clock (true: it goes on from the jump). A date turning
    /// into device time (seconds from power-on, the time stamp of a zeroed record) is never one.
    fn accept_jump(&mut self, last: i64, t: i64, next: usize) -> bool {
        let (k, first) = match self.jump {
            Some((p, k)) if resync::continues(p, t) => (k + 1, false),
            _ => (1, true),
        };
        self.jump = Some((t, k));
        if first && self.read_past_within("a time stamp out of the file's reach", next) {
            self.jump = None;
            return false;
        }
        let dated = |x: i64| x >= crate::fit::time::FIT_MIN_DATE;
        let accepted = k >= 3 && (dated(t) || !dated(last));
        if accepted {
            self.jump = None;
        }
        accepted
    }

    /// After a fault inside the data: from where the file last read well, finds the next byte
    /// where messages decode again, forgets what was read since (it may be the damage read as
    /// messages) and reads on from there. False when there is no such byte.
    pub(super) fn read_past(&mut self, msg: &str) -> bool {
        self.read_past_within(msg, usize::MAX)
    }

    /// As [`Reader::read_past`], with the next message looked for no later than byte `until`
    /// (and, as always, no more than 64 KB past the fault).
    fn read_past_within(&mut self, msg: &str, until: usize) -> bool {
        if !self.in_file
            || self.data_messages == 0
            || self.resyncs >= MAX_RESYNCS
            || self.searched >= MAX_SEARCHED
        {
            return false;
        }
        let end = data_end(self.data, self.expected_end);
        // Before anything read well there is nothing to go back to: the search starts at the
        // fault.
        let rewind = self.good.at > 0 && self.good.at > self.resumed;
        let from = if rewind {
            self.good.at.min(self.at)
        } else {
            self.at.max(self.resumed + 1)
        };
        let scan = until.min(self.at.saturating_add(MAX_SCAN)).min(end);
        let scan = scan.min(from.saturating_add(MAX_SEARCHED - self.searched));
        let found = resync::find(self.data, from, scan, end, &self.defs, self.good.last);
        let Some((mut p, at)) = found else {
            self.searched += scan.saturating_sub(from);
            return false;
        };
        self.searched += at + 1 - from.min(at);
        if self.unclosed {
            p.add_option(DecodeOption::SkipDataCrcValidation);
        }
        let fault = self.at;
        self.out.integrity.skipped.push(if at > from {
            format!(
                "bytes {from}–{} did not decode (at byte {fault}: {msg}): skipped, read on from \
                 byte {at}",
                at - 1
            )
        } else {
            // Nothing skipped: the bytes read well with the definitions from before the fault.
            format!("at byte {fault}: {msg}: read again from byte {at}")
        });
        if rewind {
            self.out.samples.truncate(self.good.samples);
            self.out.sessions.truncate(self.good.sessions);
            self.odometer = self.good.odometer;
            self.clock.rewind(self.good.last.ts);
            self.defs.forget_from(from);
        }
        self.proc = p;
        self.zeros = 0;
        self.at = at;
        self.resumed = at;
        self.resyncs += 1;
        true
    }
}
