//! Criterion benchmarks on `testdata/` (or the folder in `FITRISK_BENCH_DIR`):
//!
//! - `decode/floor`: fitparser's own `deserialize_next` loop, doing nothing with the messages
//!   (`floor/mod.rs`): the least any decoder built on fitparser can cost, the reference;
//! - `decode/bare_from_bytes`: fitparser's own `from_bytes` (the loop plus profile decoding of
//!   every message);
//! - `decode/fitrisk_decode`: fitrisk's streaming decode and reduction of the same bytes;
//! - `analyse/all_runs`: the per-run analyses on already-decoded files (their share of the total);
//! - `pipeline/report`: discovery, parallel decode and analysis, and aggregation, end to end
//!   (without writing files).
//!
//! Compare the ratios within one run: absolute times depend on the machine.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use fitrisk::config::Config;

mod floor;

fn bench_dir() -> PathBuf {
    std::env::var_os("FITRISK_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata"))
}

fn load() -> Vec<Vec<u8>> {
    let inputs = fitrisk::discover::discover(&[bench_dir()]).expect("bench folder exists");
    inputs
        .iter()
        .filter(|i| i.kind == fitrisk::discover::Kind::Fit)
        .map(|i| std::fs::read(&i.path).expect("readable"))
        .collect()
}

fn benches(c: &mut Criterion) {
    let files = load();
    let bytes: u64 = files.iter().map(|f| f.len() as u64).sum();
    let cfg = Config::default();

    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    g.bench_function("floor", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| floor::floor_decode(black_box(f)))
                .sum::<usize>()
        })
    });
    g.bench_function("bare_from_bytes", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| fitparser::from_bytes(black_box(f)).map_or(0, |r| r.len()))
                .sum::<usize>()
        })
    });
    g.bench_function("fitrisk_decode", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| black_box(fitrisk::fit::decode(black_box(f))).is_ok() as usize)
                .sum::<usize>()
        })
    });
    g.finish();

    let decoded: Vec<_> = files
        .iter()
        .filter_map(|f| fitrisk::fit::decode(f).ok())
        .collect();
    let mut g = c.benchmark_group("analyse");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    g.bench_function("all_runs", |b| {
        b.iter(|| {
            for d in &decoded {
                black_box(fitrisk::analyse::analyse(black_box(d), &cfg.per_file()));
            }
        })
    });
    g.finish();

    let inputs = fitrisk::discover::discover(&[bench_dir()]).unwrap();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Bytes(fitrisk::discover::total_bytes(&inputs)));
    g.sample_size(10);
    g.bench_function("report", |b| {
        b.iter(|| {
            let outcomes = fitrisk::pipeline::run(
                &inputs,
                &cfg.per_file(),
                cfg.max_member_bytes(),
                threads,
                &fitrisk::pipeline::NoProgress,
            )
            .unwrap();
            black_box(fitrisk::aggregate::aggregate(
                outcomes,
                &cfg.history(),
                chrono::Weekday::Mon,
            ))
        })
    });
    g.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
