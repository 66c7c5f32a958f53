//! Timing a `fitrisk` child process: its wall time and peak resident memory, shared by the
//! end-to-end benches (`history.rs`, `cohort.rs`).

use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// One finished `fitrisk report`: wall time and peak resident memory (bytes, when known).
pub struct Measured {
    pub wall: Duration,
    pub peak_rss: Option<u64>,
}

/// Runs `cmd` to its end, with its stderr in `log`; fails the bench on a non-zero exit.
pub fn measure(cmd: &mut Command, log: &Path) -> Measured {
    let err = std::fs::File::create(log).expect("log file");
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(err);
    let start = Instant::now();
    let child = cmd.spawn().expect("fitrisk starts");
    let (status, peak_rss) = wait(child);
    let wall = start.elapsed();
    if !status.success() {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        panic!("fitrisk failed ({status}):\n{text}");
    }
    Measured { wall, peak_rss }
}

/// Waits for the child with `wait4`, whose resource usage is this child's alone
/// (`getrusage(RUSAGE_CHILDREN)` would give the largest of all children so far).
#[cfg(unix)]
fn wait(child: std::process::Child) -> (ExitStatus, Option<u64>) {
    use std::os::unix::process::ExitStatusExt;
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut status = 0;
    // SAFETY: `rusage` is plain data, valid when zeroed; both pointers live across the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(got, pid, "wait4: {}", std::io::Error::last_os_error());
    // Linux reports ru_maxrss in KiB, macOS in bytes.
    let unit = if cfg!(target_os = "macos") { 1 } else { 1024 };
    let rss = u64::try_from(usage.ru_maxrss).ok().map(|r| r * unit);
    (ExitStatus::from_raw(status), rss)
}

#[cfg(not(unix))]
fn wait(mut child: std::process::Child) -> (ExitStatus, Option<u64>) {
    (child.wait().expect("fitrisk runs"), None)
}

/// The median of `v` (the mean of the middle two for an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Bytes in MB.
pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
