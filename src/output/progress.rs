//! The progress bar (the only module that uses indicatif).
//!
//! Shows bytes done (decimal units, MB, as the summary), files done, files per second and an
//! ETA on stderr. Hidden when stderr is not a terminal or with `--quiet`. While the files are
//! read, stray writes to stderr (fitparser prints some decoding warnings) are captured, bar or
//! no bar, so they cannot tear the bar or bury the summary: they go to `decoder.log` in the
//! output folder and the summary counts them.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::capture::Capture;
use crate::model::Outcome;
use crate::pipeline::Progress;

/// The live progress display of one run.
pub(crate) struct Bar {
    bar: ProgressBar,
    capture: Option<Capture>,
    files: AtomicU64,
    started: Instant,
}

/// What the capture saw while the bar was up.
#[derive(Clone, Debug, Default)]
pub(crate) struct Captured {
    /// The lines written to stderr by dependencies (the first 100,000).
    pub(crate) lines: Vec<String>,
    /// How many lines there were in all.
    pub(crate) count: usize,
}

impl Bar {
    /// Starts the bar over `total_bytes` of input (hidden if `quiet` or stderr is not a tty).
    pub(crate) fn start(total_bytes: u64, quiet: bool) -> Bar {
        let visible = !quiet && std::io::stderr().is_terminal();
        let capture = Capture::start();
        let bar = if visible {
            let target = match capture.as_ref().and_then(|c| c.real_stderr()) {
                #[cfg(unix)]
                Some(file) => ProgressDrawTarget::term(
                    console::Term::read_write_pair(std::io::stdin(), file),
                    10,
                ),
                #[cfg(not(unix))]
                Some(_) => ProgressDrawTarget::stderr(),
                None => ProgressDrawTarget::stderr(),
            };
            let bar = ProgressBar::with_draw_target(Some(total_bytes), target);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {decimal_bytes}/{decimal_total_bytes} {msg} ETA {eta}",
                )
                .expect("the template is valid"),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        Bar {
            bar,
            capture,
            files: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// Removes the bar and ends the capture.
    pub(crate) fn finish(self) -> Captured {
        self.bar.finish_and_clear();
        let (lines, count) = self.capture.map(Capture::finish).unwrap_or_default();
        Captured { lines, count }
    }
}

impl Progress for Bar {
    fn done(&self, outcome: &Outcome) {
        let files = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.inc(outcome.progress_bytes);
        if !self.bar.is_hidden() {
            let secs = self.started.elapsed().as_secs_f64().max(1e-3);
            self.bar
                .set_message(format!("{files} files, {:.0} files/s", files as f64 / secs));
        }
    }
}
