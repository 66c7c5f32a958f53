//! Keeps third-party writes to stderr from tearing the progress bar.
//!
//! fitparser prints some decoding warnings straight to stderr. While the parallel stage runs,
//! file descriptor 2 is pointed at a pipe whose lines are collected (written to decoder.log
//! and counted in the summary); the progress bar draws to a duplicate of the real stderr. Unix only; elsewhere the
//! capture is a no-op.

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::io::{BufRead, BufReader, Write};
    use std::os::fd::{FromRawFd, RawFd};
    use std::thread::JoinHandle;

    /// Most lines kept (the count goes on): all of them for decoder.log, within reason.
    const MAX_LINES: usize = 100_000;

    /// An active redirection of fd 2.
    pub(crate) struct Capture {
        saved: RawFd,
        reader: Option<JoinHandle<(Vec<String>, usize)>>,
    }

    impl Capture {
        /// Redirects fd 2 into a pipe; `None` if the system refuses.
        pub(crate) fn start() -> Option<Capture> {
            let _ = std::io::stderr().flush();
            let mut fds = [0 as RawFd; 2];
            // SAFETY: plain POSIX calls on descriptors this function owns; every failure path
            // closes what it opened and leaves fd 2 as it was.
            unsafe {
                if libc::pipe(fds.as_mut_ptr()) != 0 {
                    return None;
                }
                let saved = libc::dup(2);
                if saved < 0 {
                    libc::close(fds[0]);
                    libc::close(fds[1]);
                    return None;
                }
                if libc::dup2(fds[1], 2) < 0 {
                    libc::close(fds[0]);
                    libc::close(fds[1]);
                    libc::close(saved);
                    return None;
                }
                libc::close(fds[1]);
                let read_end = File::from_raw_fd(fds[0]);
                let reader = std::thread::spawn(move || {
                    let mut lines = Vec::new();
                    let mut count = 0;
                    for line in BufReader::new(read_end).lines() {
                        let Ok(line) = line else { break };
                        count += 1;
                        if lines.len() < MAX_LINES {
                            lines.push(line);
                        }
                    }
                    (lines, count)
                });
                Some(Capture {
                    saved,
                    reader: Some(reader),
                })
            }
        }

        /// A new handle on the real stderr, for the progress bar.
        pub(crate) fn real_stderr(&self) -> Option<File> {
            // SAFETY: `saved` is open for the life of `self`; the duplicate is owned by the File.
            unsafe {
                let fd = libc::dup(self.saved);
                (fd >= 0).then(|| File::from_raw_fd(fd))
            }
        }

        /// Restores fd 2 and returns the lines captured (at most 100,000) and how many there were.
        pub(crate) fn finish(mut self) -> (Vec<String>, usize) {
            self.restore();
            self.reader
                .take()
                .and_then(|r| r.join().ok())
                .unwrap_or_default()
        }

        fn restore(&mut self) {
            if self.saved >= 0 {
                let _ = std::io::stderr().flush();
                // SAFETY: puts the saved descriptor back on 2, which closes the pipe's last
                // write end so the reader thread sees end-of-file.
                unsafe {
                    libc::dup2(self.saved, 2);
                    libc::close(self.saved);
                }
                self.saved = -1;
            }
        }
    }

    impl Drop for Capture {
        fn drop(&mut self) {
            self.restore();
        }
    }
}

#[cfg(not(unix))]
mod imp {
    /// No-op on this platform.
    pub(crate) struct Capture;

    impl Capture {
        /// Never captures here.
        pub(crate) fn start() -> Option<Capture> {
            None
        }
        /// Never called.
        pub(crate) fn real_stderr(&self) -> Option<std::fs::File> {
            None
        }
        /// Nothing captured.
        pub(crate) fn finish(self) -> (Vec<String>, usize) {
            (Vec::new(), 0)
        }
    }
}

pub(crate) use imp::Capture;
