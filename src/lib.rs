//! fitrisk: a folder of Garmin FIT files → a knee-load risk report (Parquet and CSV).
//!
//! The layers, each depending only on the ones above it:
//! - [`model`] (plain data) and [`config`] (every setting), the leaves;
//! - [`series`]: per-sample weights, speeds, averages and statistics;
//! - [`discover`] → [`fit`] → [`analyse`], run per file in parallel by [`pipeline`]; `diary`
//!   reads the runner's pain diary beside them and `gearlog` the runner's gear log; `spill`
//!   holds each run's full facts on disk while aggregation works on their small part;
//! - [`aggregate`]: duplicates, weekly load and findings across runs;
//! - `output`: frames, files, the page, the progress bar and the summary.
//!
//! [`run`] wires them together for the binary. What is `pub` here is what the binary and the
//! benchmarks use; everything else is crate-private.

pub mod aggregate;
pub mod analyse;
pub(crate) mod cache;
pub mod cli;
pub mod config;
pub(crate) mod csvtext;
pub(crate) mod diary;
pub mod discover;
pub mod fit;
pub(crate) mod gearlog;
pub(crate) mod memory;
pub(crate) mod model;
mod output;
pub mod pipeline;
pub(crate) mod series;
pub(crate) mod spill;

use std::io::Write;
use std::time::Instant;

use cli::{Cli, Command, Formats, ReportArgs};
use config::Config;
use output::export;
use output::summary::Summary;

/// Exit code: the report was written (even if some inputs were skipped).
pub const EXIT_OK: u8 = 0;
/// Exit code: the run failed (the output could not be written, a worker pool could not start).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: the command line was wrong (also clap's code): a missing input, a bad config file.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: `--strict` and at least one input could not be read; the report was written.
pub const EXIT_UNREADABLE: u8 = 3;

/// A fatal error and the exit code it maps to.
#[derive(Debug)]
pub struct Fatal {
    /// Process exit code.
    pub code: u8,
    /// What happened.
    pub error: anyhow::Error,
}

impl Fatal {
    fn usage(e: impl Into<anyhow::Error>) -> Fatal {
        Fatal {
            code: EXIT_USAGE,
            error: e.into(),
        }
    }
    fn failure(e: impl Into<anyhow::Error>) -> Fatal {
        Fatal {
            code: EXIT_FAILURE,
            error: e.into(),
        }
    }
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8, Fatal> {
    match cli.command {
        Command::Report(args) => report(&args),
        Command::Config(args) => {
            let text = if args.reference {
                Config::reference()
            } else {
                Config::default().commented_toml()
            };
            let _ = std::io::stdout().write_all(text.as_bytes());
            Ok(EXIT_OK)
        }
    }
}

fn report(args: &ReportArgs) -> Result<u8, Fatal> {
    let started = Instant::now();
    memory::make_polars_zeroes_early();
    let cfg = match &args.config {
        Some(path) => Config::from_file(path).map_err(Fatal::usage)?,
        None => Config::default(),
    };
    // The diary is read before the FIT files: a diary that cannot be used at all stops the
    // run at once, as a bad config file does; its bad lines are reported at the end.
    let diary = match args.diary.as_deref().or(cfg.diary()) {
        Some(path) => Some(diary::read(path).map_err(Fatal::usage)?),
        None => None,
    };
    let gear_log = match args.gear.as_deref().or(cfg.gear_log()) {
        Some(path) => Some(gearlog::read(path).map_err(Fatal::usage)?),
        None => None,
    };
    let inputs = discover::discover(&args.inputs).map_err(Fatal::usage)?;
    // What the walk freed (its folders' listings, the list's smaller copies as it grew) goes
    // back now, not a second later: the pass would otherwise keep it resident to the end.
    memory::release_freed();
    // An export's index alone is no activity: without a FIT file there is nothing to report.
    if inputs.iter().all(|i| i.kind == discover::Kind::StravaIndex) {
        let searched: Vec<String> = args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(Fatal::usage(anyhow::anyhow!(
            "no activity file found in {}: fitrisk reads .fit, .fit.gz and .zip files (any \
             letter case), in folders searched recursively",
            searched.join(", ")
        )));
    }
    if args.output.exists() && !args.output.is_dir() {
        return Err(Fatal::usage(anyhow::anyhow!(
            "the output path {} is a file, not a folder: give a folder for the report (-o)",
            args.output.display()
        )));
    }
    std::fs::create_dir_all(&args.output).map_err(|e| {
        Fatal::failure(anyhow::anyhow!(
            "cannot create output folder {}: {e}",
            args.output.display()
        ))
    })?;
    let threads = args
        .threads
        .map(|n| n.get())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let input_bytes = discover::total_bytes(&inputs);

    let (cache, mut notes) = if args.no_cache {
        (None, Vec::new())
    } else {
        let dir = args
            .cache
            .clone()
            .unwrap_or_else(|| args.output.join(cache::DEFAULT_DIR));
        cache::Cache::open(&dir, &cfg)
    };

    // Each run's full facts wait on disk for the tables; memory keeps what aggregation reads.
    let mut spill = spill::Spill::in_dir(&args.output);
    spill.reserve_runs(inputs.len());
    let bar = output::progress::Bar::start(input_bytes, args.quiet);
    // The decoder's complaints, each with the input it was about (taken from the cache too).
    let mut decoder_lines = Vec::new();
    let pass = pipeline::run_with_cache(
        &inputs,
        &cfg.per_file(),
        cfg.max_member_bytes(),
        threads,
        &bar,
        cache.as_ref(),
        |o| {
            let source = &o.row.source;
            let seq = o.row.seq;
            decoder_lines.extend(o.decoder.iter().map(|n| (seq, format!("{source}: {n}"))));
            spill.keep_outcome(o)
        },
    );
    let captured = bar.finish();
    drop(inputs);
    memory::hand_back_at_once();
    let pass = pass.map_err(Fatal::failure)?;
    let from_cache = pass.outcomes.iter().filter(|o| o.from_cache).count();
    if let Some(c) = &cache {
        if let Some(e) = &pass.stored.1 {
            notes.push(format!(
                "the cache {} could not be updated ({e}); the report is complete",
                c.file().display()
            ));
        }
        // Files that were under the inputs and are gone leave the cache with them.
        let roots: Vec<String> = args
            .inputs
            .iter()
            .map(|p| discover::source_name(p))
            .collect();
        let seen: Vec<&str> = pass
            .outcomes
            .iter()
            .map(|o| spill.source(&o.slot))
            .collect();
        let tidy = c
            .confirmed(&pass.confirmed)
            .and_then(|()| c.prune(&roots, seen));
        if let Err(e) = tidy {
            notes.push(format!(
                "the cache could not be tidied ({e}); the report is complete"
            ));
        }
    }
    let cache_file = cache.map(|c| c.file().to_path_buf());
    let pass_stored = pass.stored.0;
    let (outcomes, exports) = (pass.outcomes, pass.indexes);

    let beside = aggregate::Beside {
        diary: diary.as_ref().map(|d| d.days.clone()).unwrap_or_default(),
        gear_log: gear_log
            .as_ref()
            .map(|g| g.spans.clone())
            .unwrap_or_default(),
        exports,
    };
    let rows = spill.take_rows();
    let mut tables = aggregate::aggregate_beside(
        outcomes,
        rows,
        &spill,
        &cfg.history(),
        args.week_start.into(),
        beside,
    )
    .map_err(Fatal::failure)?;
    // The rules are done with the runs' rows: the tables and the page read them back a block
    // at a time.
    spill.put_runs_aside(&mut tables);
    memory::release_freed();
    let outputs = export::write_tables(
        &args.output,
        Formats::from_list(&args.format),
        &tables,
        &spill,
    )
    .map_err(Fatal::failure)?;
    if let Some(problem) = spill.problem() {
        notes.push(format!(
            "runs' facts were kept in memory instead of a temporary file in the output \
             folder ({problem}); the report is complete"
        ));
    }
    // What the page draws from the runs, in one pass over their rows.
    let page_runs = output::html::Runs::read(&tables, &spill).map_err(Fatal::failure)?;
    drop(spill);
    let mut written = outputs.written;
    let mut removed = outputs.removed;
    // What the decoder complained of, each line naming its input: all of it in decoder.log
    // (an older decoder.log is removed when there is nothing this time).
    // In the inputs' order, whatever order the workers finished in.
    decoder_lines.sort_by_key(|l| l.0);
    let decoder_lines: Vec<String> = decoder_lines.into_iter().map(|l| l.1).collect();
    if let Some(log) = output::summary::decoder_log(&decoder_lines, &captured) {
        written.push(
            export::write_text_atomic(&args.output, output::summary::DECODER_LOG, &log)
                .map_err(Fatal::failure)?,
        );
    } else {
        let old = args.output.join(output::summary::DECODER_LOG);
        if export::remove_if_file(&old).map_err(Fatal::failure)? {
            removed.push(old);
        }
    }

    let thresholds = output::html::Thresholds {
        acwr_low: cfg.load.acwr_low,
        acwr_high: cfg.load.acwr_high,
        low_cadence_spm: cfg.findings.low_cadence_spm,
        pain_threshold: cfg.findings.pain_threshold,
        pain_high: cfg.findings.pain_high,
        retire_m: cfg.gear.retire_m,
    };
    let page = output::html::render(&tables, &page_runs, &thresholds);
    written.push(
        export::write_pieces_atomic(&args.output, "report.html", page).map_err(Fatal::failure)?,
    );

    let mut summary = Summary::new(&tables, input_bytes);
    summary.elapsed = started.elapsed();
    summary.written = written;
    summary.removed = removed;
    summary.captured = captured;
    summary.decoder = decoder_lines;
    summary.diary = diary.map(|d| (d.path, d.days.len(), d.errors));
    summary.gear_log = gear_log.map(|g| (g.path, g.spans.len(), g.errors));
    summary.cache = cache_file.map(|f| (f, from_cache, pass_stored));
    summary.notes = notes;
    // Diary lines left out are errors in the runner's own file: shown even with --quiet, once
    // the progress bar is gone.
    let _ = std::io::stderr().write_all(summary.render_diary_errors().as_bytes());
    if !args.quiet {
        // A closed pipe (e.g. `| head`) is not an error.
        let _ = std::io::stdout().write_all(summary.render().as_bytes());
    }
    if args.strict && (summary.unreadable() > 0 || summary.diary_errors() > 0) {
        return Ok(EXIT_UNREADABLE);
    }
    Ok(EXIT_OK)
}
