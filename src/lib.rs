//! fitrisk: a folder of Garmin FIT files → a knee-load risk report (Parquet and CSV).
//!
//! The layers, each depending only on the ones above it:
//! - [`model`] (plain data) and [`config`] (every setting), the leaves;
//! - [`series`]: per-sample weights, speeds, averages and statistics;
//! - [`discover`] → [`fit`] → [`analyse`], run per file in parallel by [`pipeline`]; `diary`
//!   reads the runner's pain diary beside them and `gearlog` the runner's gear log; `store`
//!   holds each run's full facts while aggregation works on their small part;
//! - [`aggregate`]: duplicates, weekly load and findings across runs;
//! - `output`: frames, files, the page, the progress bar and the summary.
//!
//! [`run`] wires them together for the binary, `report` a stage at a time: options → inputs
//! → pass → aggregate → write → summary. What is `pub` here is what the binary and the
//! benchmarks use; everything else is crate-private.

pub mod aggregate;
pub mod analyse;
pub(crate) mod cache;
pub mod cli;
mod cohort;
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
pub(crate) mod store;

use std::io::Write;
use std::time::Instant;

use cli::{Cli, Command, Formats, ReportArgs};
use config::Config;
use output::folder::{Folder, Outputs};
use output::progress::Captured;
use output::summary::{CacheUse, RunnerFile, Summary};
use store::Store;

/// How a command ended: the process's exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The report was written (even if some inputs were skipped).
    Ok = 0,
    /// The run failed (the output could not be written, a worker pool could not start).
    Failure = 1,
    /// The command line was wrong (also clap's code): a missing input, a bad config file.
    Usage = 2,
    /// `--strict` and at least one input could not be read; the report was written.
    Unreadable = 3,
}

impl Exit {
    /// The exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// A fatal error and how the command ends.
#[derive(Debug)]
pub struct Fatal {
    /// How the command ends.
    pub exit: Exit,
    /// What happened.
    pub error: anyhow::Error,
}

impl Fatal {
    fn usage(e: impl Into<anyhow::Error>) -> Fatal {
        Fatal {
            exit: Exit::Usage,
            error: e.into(),
        }
    }
    fn failure(e: impl Into<anyhow::Error>) -> Fatal {
        Fatal {
            exit: Exit::Failure,
            error: e.into(),
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Exit, Fatal> {
    match cli.command {
        Command::Report(args) => report(&args),
        Command::Squad(args) => cohort::squad(&args),
        Command::Config(args) => {
            let text = if args.reference {
                Config::reference()
            } else {
                Config::default().commented_toml()
            };
            let _ = std::io::stdout().write_all(text.as_bytes());
            Ok(Exit::Ok)
        }
    }
}

/// The report of one runner, or of a cohort with `--athletes`.
fn report(args: &ReportArgs) -> Result<Exit, Fatal> {
    if args.athletes {
        return cohort::run(args);
    }
    let summary = report_one(args, None)?;
    Ok(tell(&summary, args))
}

/// One runner's report, a stage at a time; for an athlete of a cohort, its Parquet tables go
/// into the cohort's dataset (`hive`), and a folder without activity files gives empty tables.
fn report_one(args: &ReportArgs, hive: Option<output::export::Hive>) -> Result<Summary, Fatal> {
    let started = Instant::now();
    memory::make_polars_zeroes_early();
    let cfg = options(args)?;
    let inputs = Inputs::gather(args, &cfg, hive.is_some())?;
    let folder = output_folder(args)?.with_hive(hive);
    let Inputs {
        diary,
        gear_log,
        files,
        bytes: input_bytes,
    } = inputs;
    let pass = Pass::run(args, &cfg, files, input_bytes)?;
    let (diary, diary_read) = rows_and_summary(diary);
    let (gear_log, gear_log_read) = rows_and_summary(gear_log);
    let tables = aggregate::aggregate_beside(
        pass.kept,
        pass.rows,
        &pass.store,
        &cfg.history(),
        args.week_start.into(),
        aggregate::Beside {
            diary,
            gear_log,
            exports: pass.exports,
        },
    );
    let outputs = write(folder, args, &cfg, &tables, &pass.store, &pass.decoder)?;
    let mut summary = Summary::new(&tables, input_bytes);
    summary.elapsed = started.elapsed();
    summary.written = outputs.written;
    summary.removed = outputs.removed;
    summary.captured = pass.decoder.captured;
    summary.decoder = pass.decoder.lines;
    summary.diary = diary_read;
    summary.gear_log = gear_log_read;
    summary.cache = pass.cache;
    summary.notes = pass.notes;
    Ok(summary)
}

/// A runner's file, if one was read: its rows for aggregation, and what the summary says of it.
fn rows_and_summary<U>(file: Option<csvtext::Rows<U>>) -> (Vec<U>, Option<RunnerFile>) {
    match file {
        Some(f) => {
            let read = RunnerFile {
                used: f.rows.len(),
                path: f.path,
                errors: f.errors,
            };
            (f.rows, Some(read))
        }
        None => (Vec::new(), None),
    }
}

/// The options stage: the settings, from the config file given or the defaults.
fn options(args: &ReportArgs) -> Result<Config, Fatal> {
    match &args.config {
        Some(path) => Config::from_file(path).map_err(Fatal::usage),
        None => Ok(Config::default()),
    }
}

/// The inputs stage: the runner's own files and every input found.
struct Inputs {
    /// The pain diary, if one was given.
    diary: Option<diary::Diary>,
    /// The gear log, if one was given.
    gear_log: Option<gearlog::GearLog>,
    files: Vec<discover::Input>,
    /// Their size in all.
    bytes: u64,
}

impl Inputs {
    /// Reads the diary and the gear log, then finds the inputs. A diary or gear log that
    /// cannot be used at all stops the run at once, as a bad config file does, before the
    /// FIT files are read; their bad lines are reported at the end.
    /// An athlete of a cohort (`athlete`) may have no activity file, and has only the diary and
    /// gear log of its own folder, never the config file's.
    fn gather(args: &ReportArgs, cfg: &Config, athlete: bool) -> Result<Inputs, Fatal> {
        let (cfg_diary, cfg_gear) = if athlete {
            (None, None)
        } else {
            (cfg.diary(), cfg.gear_log())
        };
        let diary = match args.diary.as_deref().or(cfg_diary) {
            Some(path) => Some(diary::read(path).map_err(Fatal::usage)?),
            None => None,
        };
        let gear_log = match args.gear.as_deref().or(cfg_gear) {
            Some(path) => Some(gearlog::read(path).map_err(Fatal::usage)?),
            None => None,
        };
        let files = discover::discover(&args.inputs).map_err(Fatal::usage)?;
        // An export's index alone is no activity: without a FIT file there is nothing to
        // report.
        if !athlete && files.iter().all(|i| i.kind == discover::Kind::StravaIndex) {
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
        Ok(Inputs {
            bytes: discover::total_bytes(&files),
            files,
            diary,
            gear_log,
        })
    }
}

/// The output folder, made if it is not there.
fn output_folder(args: &ReportArgs) -> Result<Folder, Fatal> {
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
    Ok(Folder::open(&args.output))
}

/// What the decoder complained of while the files were read.
#[derive(Default)]
struct DecoderLog {
    /// Each complaint naming its input, in the inputs' order.
    lines: Vec<String>,
    /// What fitparser printed itself.
    captured: Captured,
}

/// The pass stage: every input read (or taken from the cache), kept for aggregation.
struct Pass {
    /// What aggregation reads of each input.
    kept: Vec<model::Kept>,
    /// The activity rows and the ledger's text the `kept` point into.
    rows: store::KeptRows,
    /// Each input's ledger row and each run's full facts.
    store: Store,
    /// The Strava export indexes found.
    exports: Vec<model::ExportIndex>,
    decoder: DecoderLog,
    cache: Option<CacheUse>,
    /// What went wrong with the cache, a sentence each.
    notes: Vec<String>,
}

impl Pass {
    /// Reads every input on the worker threads, through the cache unless `--no-cache`, and
    /// tidies the cache afterwards.
    fn run(
        args: &ReportArgs,
        cfg: &Config,
        inputs: Vec<discover::Input>,
        bytes: u64,
    ) -> Result<Pass, Fatal> {
        let threads = args
            .threads
            .map(|n| n.get())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let (cache, mut notes) = if args.no_cache {
            (None, Vec::new())
        } else {
            let dir = args
                .cache
                .clone()
                .unwrap_or_else(|| args.output.join(cache::DEFAULT_DIR));
            cache::Cache::open(&dir, cfg)
        };
        let mut store = Store::default();
        store.reserve(inputs.len());
        let bar = output::progress::Bar::start(bytes, args.quiet);
        // The decoder's complaints, each with the input it was about (from the cache too).
        let mut complaints = Vec::new();
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
                complaints.extend(o.decoder.iter().map(|n| (seq, format!("{source}: {n}"))));
                store.keep_outcome(o)
            },
        );
        let captured = bar.finish();
        drop(inputs);
        memory::hand_back_at_once();
        let pass = pass.map_err(Fatal::failure)?;
        // In the inputs' order, whatever order the workers finished in.
        complaints.sort_by_key(|l| l.0);
        let decoder = DecoderLog {
            lines: complaints.into_iter().map(|l| l.1).collect(),
            captured,
        };
        let cache = cache.map(|c| {
            tidy_cache(&c, args, &pass, &store, &mut notes);
            CacheUse {
                file: c.file().to_path_buf(),
                from_cache: pass.outcomes.iter().filter(|o| o.from_cache).count(),
                stored: pass.stored.0,
            }
        });
        let rows = store.take_rows();
        Ok(Pass {
            kept: pass.outcomes,
            rows,
            store,
            exports: pass.indexes,
            decoder,
            cache,
            notes,
        })
    }
}

/// After the pass: notes a cache that could not be updated, marks what was read from it, and
/// lets go of the files that were under the inputs and are gone.
fn tidy_cache(
    c: &cache::Cache,
    args: &ReportArgs,
    pass: &pipeline::Pass<model::Kept>,
    store: &Store,
    notes: &mut Vec<String>,
) {
    if let Some(e) = &pass.stored.1 {
        notes.push(format!(
            "the cache {} could not be updated ({e}); the report is complete",
            c.file().display()
        ));
    }
    let roots: Vec<String> = args
        .inputs
        .iter()
        .map(|p| discover::source_name(p))
        .collect();
    let seen: Vec<&str> = pass
        .outcomes
        .iter()
        .map(|o| store.source(&o.slot))
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

/// The write stage: the tables, the decoder's log and the page, then what an earlier run left
/// and this one did not write is removed.
fn write(
    mut folder: Folder,
    args: &ReportArgs,
    cfg: &Config,
    tables: &model::Tables,
    store: &Store,
    decoder: &DecoderLog,
) -> Result<Outputs, Fatal> {
    folder
        .tables(Formats::from_list(&args.format), tables, store)
        .map_err(Fatal::failure)?;
    if let Some(log) = output::summary::decoder_log(&decoder.lines, &decoder.captured) {
        folder
            .text(output::folder::DECODER_LOG, [log])
            .map_err(Fatal::failure)?;
    }
    let runs = output::html::Runs::read(tables);
    let thresholds = output::html::Thresholds::of(cfg);
    let page = output::html::render(tables, &runs, &thresholds);
    folder
        .text(output::folder::PAGE, page)
        .map_err(Fatal::failure)?;
    folder.finish().map_err(Fatal::failure)
}

/// The summary stage: the runner's bad lines and the notes on stderr (even with `--quiet`, once
/// the progress bar is gone), the summary on stdout; how the command ends.
fn tell(summary: &Summary, args: &ReportArgs) -> Exit {
    let _ = std::io::stderr().write_all(summary.render_diary_errors().as_bytes());
    if !args.quiet {
        // A closed pipe (e.g. `| head`) is not an error.
        let _ = std::io::stdout().write_all(summary.render().as_bytes());
    }
    if args.strict && (summary.unreadable() > 0 || summary.diary_errors() > 0) {
        return Exit::Unreadable;
    }
    Exit::Ok
}
