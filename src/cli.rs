//! The command line (clap derive). The `///` comments here are the help text.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Turn a folder of Garmin FIT files into a knee-load risk report.
#[derive(Debug, Parser)]
#[command(name = "fitrisk", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every activity under the inputs and write the report tables.
    Report(ReportArgs),
    /// Print the default settings as a commented TOML file (a starting point for --config).
    Config(ConfigArgs),
    /// Build squad.csv and squad.html from a cohort's output folder (after `report
    /// --athletes --shard K/N` runs are all done; an unsharded run writes them itself).
    Squad(SquadArgs),
}

/// Arguments of `fitrisk squad`.
#[derive(Debug, clap::Args)]
pub struct SquadArgs {
    /// The cohort's output folder (the -o of `fitrisk report ROOT --athletes`).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The day the view is for, YYYY-MM-DD: its week is "this week" [default: today, UTC].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Arguments of `fitrisk config`.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// Print every setting as a Markdown table instead (default, allowed values, meaning):
    /// the reference in docs/settings.md.
    #[arg(long)]
    pub reference: bool,
}

/// Arguments of `fitrisk report`.
#[derive(Clone, Debug, clap::Args)]
pub struct ReportArgs {
    /// Folders (searched recursively) or single files: .fit, .fit.gz, or Garmin/Strava .zip
    /// exports (zips inside zips too).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Folder to write the report into (created if missing).
    #[arg(short, long, value_name = "DIR", default_value = "fitrisk-report")]
    pub output: PathBuf,

    /// Which file formats to write: a comma-separated list (or the option repeated) of
    /// parquet, csv, xlsx (one workbook, a sheet per table); `both` means parquet,csv.
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT,...",
        value_delimiter = ',',
        default_value = "both",
        hide_possible_values = false
    )]
    pub format: Vec<Format>,

    /// Decoding threads [default: all cores].
    #[arg(short = 'j', long, value_name = "N", value_parser = threads)]
    pub threads: Option<NonZeroUsize>,

    /// First day of the week for the weekly table (weeks are in the runner's local time).
    #[arg(long, value_enum, default_value_t = WeekStart::Monday)]
    pub week_start: WeekStart,

    /// Settings file (TOML) overriding any of the default thresholds.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Pain diary (CSV with the header `date,pain,next_morning,location,note`: local date,
    /// pain 0–10 during or after running, next-morning pain 0–10, where, a note); overrides
    /// `[inputs] diary` in the config file.
    #[arg(long, value_name = "FILE")]
    pub diary: Option<PathBuf>,

    /// Gear log (CSV with the header `gear,from,to`: a pair's name and the local days it was
    /// worn, inclusive; empty `to` = still in use; a later line wins where spans overlap);
    /// gear an export names for an activity wins over it. Overrides `[inputs] gear`.
    #[arg(long, value_name = "FILE")]
    pub gear: Option<PathBuf>,

    /// Exit with code 3 when any input could not be read (not FIT, damaged beyond use, I/O
    /// error) or a diary or gear log line was left out; the report is still written.
    #[arg(long)]
    pub strict: bool,

    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,

    /// Folder of the result cache, which keeps what each file gave so that a re-run reads only
    /// new and changed files [default: .fitrisk-cache inside the output folder].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,

    /// Read every file, and neither use nor update the cache.
    #[arg(long)]
    pub no_cache: bool,

    /// A cohort: every immediate sub-folder of the one INPUT is an athlete, named by the folder
    /// and reported on its own (its `diary.csv` and `gear.csv`, when there, are its diary and
    /// gear log) into DIR/athletes/<name>/; the Parquet tables form one dataset partitioned by
    /// athlete (DIR/<table>/athlete=<name>/), and squad.csv and squad.html list them all.
    #[arg(long, conflicts_with_all = ["diary", "gear"])]
    pub athletes: bool,

    /// With --athletes: only the athletes of shard K of N (a stable split by name), so that N
    /// processes can write into one DIR at once; then `fitrisk squad DIR`.
    #[arg(long, value_name = "K/N", value_parser = shard, requires = "athletes")]
    pub shard: Option<Shard>,

    /// With --athletes, unsharded: the day the squad view is for, YYYY-MM-DD [default: today,
    /// UTC]; after shards, give it to `fitrisk squad`.
    #[arg(
        long,
        value_name = "DATE",
        requires = "athletes",
        conflicts_with = "shard"
    )]
    pub as_of: Option<chrono::NaiveDate>,
}

/// `--shard K/N`: shard K (1-based) of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which, from 1.
    pub k: u32,
    /// Of how many.
    pub n: u32,
}

/// `K/N` with 1 ≤ K ≤ N.
fn shard(text: &str) -> Result<Shard, String> {
    let bad = || format!("`{text}` is not K/N with 1 ≤ K ≤ N (e.g. 2/8)");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok(Shard { k, n })
}

/// Output formats, as named on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Apache Parquet, a file per table.
    Parquet,
    /// CSV, a file per table.
    Csv,
    /// One Excel workbook, report.xlsx, a sheet per table.
    Xlsx,
    /// Parquet and CSV (the default).
    Both,
}

/// The formats a `--format` list asks for, each once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Formats {
    /// `.parquet` tables.
    pub parquet: bool,
    /// `.csv` tables.
    pub csv: bool,
    /// `report.xlsx`.
    pub xlsx: bool,
}

impl Formats {
    /// The union of the formats named (`both` counts as parquet and csv).
    pub fn from_list(list: &[Format]) -> Formats {
        let mut f = Formats::default();
        for format in list {
            match format {
                Format::Parquet => f.parquet = true,
                Format::Csv => f.csv = true,
                Format::Xlsx => f.xlsx = true,
                Format::Both => {
                    f.parquet = true;
                    f.csv = true;
                }
            }
        }
        f
    }
}

/// First day of a week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WeekStart {
    /// ISO weeks, Monday to Sunday.
    Monday,
    /// Sunday to Saturday.
    Sunday,
}

impl From<WeekStart> for chrono::Weekday {
    fn from(w: WeekStart) -> Self {
        match w {
            WeekStart::Monday => chrono::Weekday::Mon,
            WeekStart::Sunday => chrono::Weekday::Sun,
        }
    }
}

/// `-j N`: a whole number of threads, at least 1.
fn threads(text: &str) -> Result<NonZeroUsize, String> {
    let n: usize = text
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of threads"))?;
    NonZeroUsize::new(n).ok_or_else(|| "at least 1 thread is needed".to_string())
}
