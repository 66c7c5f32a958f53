//! A squad or a cohort (`report ROOT --athletes`): every immediate sub-folder of ROOT is one
//! athlete, reported exactly as a run on that folder alone would be, one after the other; the
//! Parquet tables of all of them form one dataset partitioned by athlete, and the squad view
//! (`output/squad.rs`) lists them side by side.
//!
//! `--shard K/N` takes only the athletes whose name hashes to shard K, so that N processes (a
//! Slurm array, Spark tasks) share the work and write into one folder at once: every file
//! belongs to one athlete and is written under a temporary name and renamed into place. After
//! the last shard, `fitrisk squad OUT` builds the view from the dataset.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::cli::{Format, ReportArgs, Shard, SquadArgs};
use crate::output::export::Hive;
use crate::output::partition::{escape, ATHLETES};
use crate::output::squad;
use crate::output::summary::{self, AthleteLine};
use crate::{report_one, tell, Exit, Fatal};

/// An athlete's diary, if its folder holds one.
pub(crate) const DIARY: &str = "diary.csv";
/// An athlete's gear log, likewise.
pub(crate) const GEAR: &str = "gear.csv";

/// One athlete: its folder and its name as a partition value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Athlete {
    pub(crate) dir: PathBuf,
    /// The folder's name, escaped for a path and a hive partition (see [`escape`]).
    pub(crate) name: String,
}

/// The cohort's run: each athlete of the shard in name order, then the squad view when the
/// run is not sharded.
pub(crate) fn run(args: &ReportArgs) -> Result<Exit, Fatal> {
    let [root] = args.inputs.as_slice() else {
        return Err(Fatal::usage(anyhow::anyhow!(
            "--athletes takes one folder, whose sub-folders are the athletes; got {} inputs",
            args.inputs.len()
        )));
    };
    let (athletes, loose) = athletes(root, &args.output).map_err(Fatal::usage)?;
    if athletes.is_empty() {
        return Err(Fatal::usage(anyhow::anyhow!(
            "no athlete in {}: with --athletes every sub-folder is an athlete (for one runner's \
             files, leave out --athletes)",
            root.display()
        )));
    }
    if !loose.is_empty() {
        summary::tell_loose(root, &loose);
    }
    let mine: Vec<&Athlete> = athletes
        .iter()
        .filter(|a| args.shard.is_none_or(|s| in_shard(&a.name, s)))
        .collect();
    let mut exit = Exit::Ok;
    for a in mine {
        let one = athlete_args(args, a);
        let hive = Hive {
            root: args.output.clone(),
            partition: format!("athlete={}", a.name),
        };
        // One athlete that cannot be reported (an unusable diary, a folder that cannot be
        // written) does not stop the others; the run then ends in failure, and the squad view
        // shows the athlete's folder without tables as not reported.
        let _ = std::fs::create_dir_all(&one.output);
        let summary = match report_one(&one, Some(hive)) {
            Ok(s) => s,
            Err(f) => {
                summary::tell_failed(&a.name, &f.error);
                exit = Exit::Failure;
                continue;
            }
        };
        if !args.quiet {
            summary::tell_athlete(&AthleteLine::of(&a.name, &summary));
        }
        // The runner's bad diary lines and the notes still reach stderr (the athlete's options
        // are quiet: no summary of its own).
        if tell(&summary, &one) == Exit::Unreadable && exit == Exit::Ok {
            exit = Exit::Unreadable;
        }
    }
    if args.shard.is_none() {
        squad::write(&args.output, args.as_of, args.quiet).map_err(Fatal::failure)?;
    }
    Ok(exit)
}

/// `fitrisk squad DIR`.
pub(crate) fn squad(args: &SquadArgs) -> Result<Exit, Fatal> {
    if !args.dir.join(ATHLETES).is_dir() {
        return Err(Fatal::usage(anyhow::anyhow!(
            "{} is not a cohort's output folder (no {ATHLETES}/ in it): give the -o of \
             `fitrisk report ROOT --athletes`",
            args.dir.display()
        )));
    }
    squad::write(&args.dir, args.as_of, false).map_err(Fatal::failure)?;
    Ok(Exit::Ok)
}

/// The report options of one athlete: its folder, its output folder and cache, its diary and
/// gear log when its folder holds them; the rest as given.
fn athlete_args(args: &ReportArgs, a: &Athlete) -> ReportArgs {
    let beside = |name: &str| Some(a.dir.join(name)).filter(|p| p.is_file());
    // The dataset is the Parquet tables: written whatever other formats are asked for.
    let mut format = args.format.clone();
    format.push(Format::Parquet);
    ReportArgs {
        format,
        inputs: vec![a.dir.clone()],
        output: args.output.join(ATHLETES).join(&a.name),
        cache: args.cache.as_ref().map(|c| c.join(&a.name)),
        diary: beside(DIARY),
        gear: beside(GEAR),
        athletes: false,
        shard: None,
        as_of: None,
        quiet: true,
        ..args.clone()
    }
}

/// The athletes under `root` (its sub-folders, by name; the output folder `out` is none) and
/// the entries directly under it that are no athlete's (files).
pub(crate) fn athletes(root: &Path, out: &Path) -> anyhow::Result<(Vec<Athlete>, Vec<OsString>)> {
    let out = out.canonicalize().ok();
    let entries = std::fs::read_dir(root)
        .map_err(|e| anyhow::anyhow!("cannot read the cohort's folder {}: {e}", root.display()))?;
    let (mut athletes, mut loose) = (Vec::new(), Vec::new());
    for entry in entries {
        let entry = entry.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", root.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue; // hidden: a cache, a sync tool's folder
        }
        if out.is_some() && path.canonicalize().ok() == out {
            continue; // the report itself, written inside the cohort's folder
        }
        if path.is_dir() {
            athletes.push(Athlete {
                name: escape(&name),
                dir: path,
            });
        } else {
            loose.push(name);
        }
    }
    athletes.sort_by(|a, b| a.dir.file_name().cmp(&b.dir.file_name()));
    loose.sort();
    Ok((athletes, loose))
}

/// Whether the athlete named `name` (escaped) belongs to `shard`: FNV-1a of the name's bytes,
/// modulo N, the same on every machine and in every run.
pub(crate) fn in_shard(name: &str, shard: Shard) -> bool {
    (fnv1a(name.as_bytes()) % u64::from(shard.n)) as u32 == shard.k - 1
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_in_exactly_one_shard_and_the_split_is_stable() {
        let names: Vec<String> = (0..200).map(|i| format!("runner-{i}")).collect();
        let n = 3;
        let mut counts = [0; 3];
        for name in &names {
            let shards: Vec<u32> = (1..=n)
                .filter(|&k| in_shard(name, Shard { k, n }))
                .collect();
            assert_eq!(shards.len(), 1, "{name}");
            counts[(shards[0] - 1) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 40), "{counts:?}");
        // FNV-1a's published test value: the split never depends on the machine.
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
