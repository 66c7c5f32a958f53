//! The performance floor: fitparser's own `FitStreamProcessor::deserialize_next` loop over every
//! FIT file fitrisk would read under the given folders, on all cores, doing nothing with the
//! messages (what the loop includes and omits: `benches/floor/mod.rs`). No design that keeps
//! fitparser as its decoder can import the same files faster; `fitrisk report` is measured
//! against this in docs/performance.md.
//!
//! Files are found by fitrisk's own discovery and read whole, as `fitrisk report` reads them;
//! the floor reads plain `.fit` files only, and stops with an error on a folder holding
//! `.fit.gz` files or zips (their decompression is fitrisk's cost, not fitparser's).
//!
//! `cargo run --release --example floor_decode -- ../shared/fit-corpus`

use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;

use fitrisk::discover::{discover, Kind};

#[path = "../benches/floor/mod.rs"]
mod floor;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let inputs = match discover(&roots) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("floor_decode: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(other) = inputs
        .iter()
        .find(|i| !matches!(i.kind, Kind::Fit | Kind::StravaIndex))
    {
        eprintln!(
            "floor_decode: {} is not a plain .fit file; the floor reads plain files only",
            other.path.display()
        );
        return ExitCode::FAILURE;
    }
    let fit: Vec<&PathBuf> = inputs
        .iter()
        .filter(|i| i.kind == Kind::Fit)
        .map(|i| &i.path)
        .collect();
    let (messages, bytes) = fit
        .par_iter()
        .map(|p| {
            let data = std::fs::read(p).unwrap_or_default();
            let n = std::panic::catch_unwind(|| floor::floor_decode(&data)).unwrap_or(0);
            (n, data.len())
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!(
        "{} files, {bytes} bytes, {messages} data messages",
        fit.len()
    );
    ExitCode::SUCCESS
}
