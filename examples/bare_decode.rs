//! The performance baseline: fitparser's bare `from_bytes` over every `.fit` file under the
//! given folders, on all cores, doing nothing with the records: the loop of `floor_decode.rs`
//! plus fitparser's profile decoding of every message. It was the performance baseline before the
//! floor; it stays as a second reference.
//!
//! `cargo run --release --example bare_decode -- ../shared/fit-corpus`

use rayon::prelude::*;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut paths: Vec<std::path::PathBuf> = std::env::args_os()
        .skip(1)
        .flat_map(|root| walkdir::WalkDir::new(root).sort_by_file_name())
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| p.to_string_lossy().to_ascii_lowercase().ends_with(".fit"))
        .collect();
    paths.sort();
    let (records, bytes): (usize, usize) = paths
        .par_iter()
        .map(|p| {
            let data = std::fs::read(p).unwrap_or_default();
            let n =
                std::panic::catch_unwind(|| fitparser::from_bytes(&data).map_or(0, |r| r.len()))
                    .unwrap_or(0);
            (n, data.len())
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{} files, {bytes} bytes, {records} records", paths.len());
}
