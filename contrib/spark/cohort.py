#!/usr/bin/env python3
"""A cohort's reports on Spark: the shards on the executors, then the queries in Spark SQL.

    python3 contrib/spark/cohort.py ROOT OUT --fitrisk BIN [--shards N] [--master URL]
                                    [--as-of DATE] [--sql DIR] [--queries-only]
                                    [-- REPORT OPTIONS...]

1. `BIN report ROOT --athletes --shard K/N -o OUT --quiet` for K = 1..N, one Spark task each
   (N partitions of one shard each), so the executors run the shards side by side; every shard
   writes its own athletes into the one OUT. The exit codes come back to the driver; any shard
   that fails fails the whole run (after all have finished), with its stderr. Exit 3 (`--strict`:
   written, but some input could not be read) lets the run go on and is the driver's exit code.
2. `BIN squad OUT` on the driver: squad.csv and squad.html over every athlete.
3. Views `activities`, `weeks` and `findings` over OUT's Parquet tables (`athlete` from the
   partition path), and every `.sql` file of contrib/sql/ run with Spark SQL: each result is
   printed and written as OUT/sql/<query>.csv.

ROOT, OUT and BIN must be the same paths on every executor (a shared file system) and BIN must
run there; in local mode (the default, `local[2]`) that holds by itself. Options after `--` go
to every `fitrisk report` (e.g. `-- --week-start sunday --config team.toml`). `--as-of` goes to
`squad` (a shard writes no squad view).

Needs pyspark (>= 3.4, for `percentile_cont ... WITHIN GROUP` in the queries) and a Java that
it supports (17 or later for Spark 4).
"""

import argparse
import csv
import datetime
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SQL = os.path.join(os.path.dirname(HERE), "sql")
VIEWS = ["activities", "weeks", "findings"]


def cell(v):
    """One value as text, as contrib/sql/check.py writes DuckDB's (so the two can be compared)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v)
    return str(v)


def run_shard(k, n, bin_, root, out, extra):
    """One shard, on an executor: (k, exit code, host, seconds, the end of stderr)."""
    cmd = [bin_, "report", root, "--athletes", "--shard", f"{k}/{n}", "-o", out, "--quiet", *extra]
    t = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        code, err = p.returncode, p.stderr.decode("utf-8", "replace")
    except OSError as e:  # BIN missing or not executable on this executor
        code, err = 127, f"{bin_}: {e}"
    return k, code, socket.gethostname(), time.monotonic() - t, err[-4000:]


def parse():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", help="the cohort: one sub-folder per athlete")
    ap.add_argument("out", help="the output folder every shard writes into")
    ap.add_argument("--fitrisk", metavar="BIN", help="the fitrisk binary (needed unless --queries-only)")
    ap.add_argument("--shards", type=int, default=None, metavar="N",
                    help="how many shards (default: Spark's default parallelism)")
    ap.add_argument("--master", default="local[2]", help="Spark master URL (default: local[2])")
    ap.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day of the squad view, passed to fitrisk squad")
    ap.add_argument("--sql", metavar="DIR", default=DEFAULT_SQL,
                    help="folder of .sql queries to run (default: contrib/sql)")
    ap.add_argument("--queries-only", action="store_true",
                    help="only step 3: the queries over an OUT already written (e.g. by a Slurm array)")
    a = ap.parse_args(argv)
    if not a.queries_only and not a.fitrisk:
        ap.error("--fitrisk BIN is needed to write the reports")
    a.extra = extra
    # Absolute paths: the executors do not share the driver's working folder.
    a.root, a.out = os.path.abspath(a.root), os.path.abspath(a.out)
    if a.fitrisk and os.sep in a.fitrisk:
        a.fitrisk = os.path.abspath(a.fitrisk)
    return a


def main():
    a = parse()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(a.master).appName("fitrisk cohort")
    if a.master.startswith("local"):
        # No web UI to bind a port for, on a machine that only runs this.
        builder = builder.config("spark.ui.enabled", "false")
    spark = (
        builder.config("spark.ui.showConsoleProgress", "false")
        # `athlete` is a name, never a number or a date, whatever the folder names look like.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        # A shard is not retried by Spark: a failure is fitrisk's answer, reported below.
        .config("spark.task.maxFailures", "1")
        # One attempt of a shard at a time: two would write the same athletes' files.
        .config("spark.speculation", "false")
        .getOrCreate()
    )
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")
    n = a.shards or sc.defaultParallelism
    if n < 1:
        sys.exit("cohort.py: --shards must be at least 1")
    # The day of the squad view: for `fitrisk squad` only (a shard writes no view).
    as_of = ["--as-of", a.as_of] if a.as_of else []
    extra = a.extra
    os.makedirs(a.out, exist_ok=True)

    code = 0 if a.queries_only else report(spark, sc, a, n, as_of, extra)
    queries(spark, a)
    spark.stop()
    if code:
        print("cohort.py: some inputs could not be read (--strict): see each athlete's files.csv")
    sys.exit(code)


def report(spark, sc, a, n, as_of, extra):
    # 1. The shards, one task each.
    args = (a.fitrisk, a.root, a.out, extra)
    t = time.monotonic()
    results = sorted(
        sc.parallelize(range(1, n + 1), n).map(lambda k: run_shard(k, n, *args)).collect()
    )
    # 3 is `--strict`'s "written, but some input could not be read": the reports are there.
    failed = [r for r in results if r[1] not in (0, 3)]
    for k, code, host, secs, err in results:
        print(f"shard {k}/{n} on {host}: exit {code} in {secs:.1f} s")
        if code not in (0, 3) and err:
            print("  " + err.rstrip().replace("\n", "\n  "))
    print(f"{n} shards in {time.monotonic() - t:.1f} s")
    if failed:
        spark.stop()
        sys.exit(f"cohort.py: {len(failed)} of {n} shards failed: {[r[0] for r in failed]}")

    # 2. The squad summary over every athlete's tables.
    squad = subprocess.run([a.fitrisk, "squad", a.out, *as_of])
    if squad.returncode != 0:
        spark.stop()
        sys.exit(f"cohort.py: fitrisk squad exited {squad.returncode}")
    return 3 if any(r[1] == 3 for r in results) else 0


def queries(spark, a):
    # 3. The queries, with Spark SQL.
    for v in VIEWS:
        # mergeSchema: athletes' files may differ in their columns (as DuckDB's union_by_name).
        spark.read.option("mergeSchema", "true").parquet(
            "file://" + os.path.join(a.out, v)
        ).createOrReplaceTempView(v)
    files = sorted(f for f in os.listdir(a.sql) if f.endswith(".sql"))
    for f in files:
        name = f[:-4]
        with open(os.path.join(a.sql, f), encoding="utf-8") as fh:
            df = spark.sql(fh.read())
        rows = df.collect()
        print(f"\n== {name}: {len(rows)} rows")
        print("\t".join(df.columns))
        for r in rows[:20]:
            print("\t".join(cell(v) for v in r))
        if len(rows) > 20:
            print(f"... ({len(rows) - 20} more in the CSV)")
        path = os.path.join(a.out, "sql", name + ".csv")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(df.columns)
            for r in rows:
                w.writerow([cell(v) for v in r])
    print(f"\nspark {spark.version}: {len(files)} queries, results in {os.path.join(a.out, 'sql')}")


if __name__ == "__main__":
    main()
