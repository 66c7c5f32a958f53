#!/usr/bin/env python3
"""The cohort mode end to end, on DuckDB and Spark: what .ci/run runs after `cargo test`.

    python3 contrib/cohort-test.py [--fitrisk BIN] [--keep DIR]

1. A cohort of three athletes from testdata/'s files: `ana` has them all, `Ben O'Neil #2` the
   first two thirds and `Zoë K=1` the last two thirds, so their histories overlap (the weekly
   percentiles then have several athletes to interpolate between) and the names need Hive's
   escaping (`'`, `#`, `=`, a space, a letter beyond ASCII).
2. `fitrisk report ROOT --athletes -o A --as-of DATE`, unsharded; `fitrisk squad A` must write
   the squad.csv that run wrote.
3. contrib/sql/check.py on A: every query on DuckDB against the same answers worked out in
   Python, and the weeks rebuilt from the runs against the weeks table.
4. contrib/spark/cohort.py ROOT B --shards 2 --as-of DATE, in local mode: the shards as Spark
   tasks, `fitrisk squad B`, the queries in Spark SQL; check.py on B too.
5. A and B compared: the same partitions of every table, each with the same rows (DuckDB
   `EXCEPT ALL` both ways), the same CSV tables in each `athletes/<escaped name>/`, the same
   squad.csv byte for byte,
   and Spark's query results equal to DuckDB's (numbers to the rounding the queries keep).

BIN: --fitrisk, else $FITRISK_BIN, else $CARGO_TARGET_DIR/debug/fitrisk (what `cargo test`
built), else target/debug/fitrisk. Exit 0 when all agree, 1 on a difference, 2 on a setup
problem (no binary, no pyspark).
"""

import argparse
import csv
import filecmp
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

import duckdb

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = os.path.join(REPO, "contrib", "sql", "check.py")
COHORT = os.path.join(REPO, "contrib", "spark", "cohort.py")
TABLES = ["files", "activities", "segments", "weeks", "findings", "gear"]
ATHLETES = ["ana", "Ben O'Neil #2", "Zoë K=1"]
AS_OF = "2021-10-04"


def find_bin(arg):
    candidates = [arg, os.environ.get("FITRISK_BIN")]
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(os.path.join(os.environ["CARGO_TARGET_DIR"], "debug", "fitrisk"))
    candidates.append(os.path.join(REPO, "target", "debug", "fitrisk"))
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    sys.exit(f"cohort-test: no fitrisk binary (tried {[c for c in candidates if c]}); build it or pass --fitrisk")


def make_cohort(root):
    files = sorted(
        os.path.join(d, f)
        for d, _, fs in os.walk(os.path.join(REPO, "testdata"))
        for f in fs
        if f.lower().endswith(".fit")
    )
    third = len(files) // 3
    parts = {ATHLETES[0]: files, ATHLETES[1]: files[: len(files) - third], ATHLETES[2]: files[third:]}
    for name, fs in parts.items():
        d = os.path.join(root, name)
        os.makedirs(d)
        for i, f in enumerate(fs):
            # Flat, and numbered: two source folders may hold files of one name.
            shutil.copyfile(f, os.path.join(d, f"{i:02d}-{os.path.basename(f)}"))
    return {k: len(v) for k, v in parts.items()}


def run(cmd, **kw):
    t = time.monotonic()
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, **kw)
    print(f"  exit {p.returncode} in {time.monotonic() - t:.1f} s", flush=True)
    return p


def partitions(out, table):
    base = os.path.join(out, table)
    return sorted(d for d in os.listdir(base) if d.startswith("athlete=")) if os.path.isdir(base) else []


def compare_datasets(a, b, problems):
    con = duckdb.connect()
    for t in TABLES:
        pa, pb = partitions(a, t), partitions(b, t)
        if pa != pb:
            problems.append(f"{t}: partitions {pa} unsharded, {pb} sharded")
        for p in sorted(set(pa) & set(pb)):
            fa = os.path.join(a, t, p, "*.parquet").replace("'", "''")
            fb = os.path.join(b, t, p, "*.parquet").replace("'", "''")
            ra = f"read_parquet('{fa}', hive_partitioning = false)"
            rb = f"read_parquet('{fb}', hive_partitioning = false)"
            na = con.execute(f"SELECT count(*) FROM {ra}").fetchone()[0]
            nb = con.execute(f"SELECT count(*) FROM {rb}").fetchone()[0]
            only_a = con.execute(f"SELECT count(*) FROM (SELECT * FROM {ra} EXCEPT ALL SELECT * FROM {rb})").fetchone()[0]
            only_b = con.execute(f"SELECT count(*) FROM (SELECT * FROM {rb} EXCEPT ALL SELECT * FROM {ra})").fetchone()[0]
            if (na, only_a, only_b) != (nb, 0, 0):
                problems.append(
                    f"{t}/{p}: {na} rows unsharded, {nb} sharded; {only_a} only unsharded, {only_b} only sharded"
                )
    # The per-athlete folders, named as the partitions (escaped): the same CSV tables.
    da, db = os.path.join(a, "athletes"), os.path.join(b, "athletes")
    names_a = sorted(os.listdir(da)) if os.path.isdir(da) else []
    names_b = sorted(os.listdir(db)) if os.path.isdir(db) else []
    unescaped = sorted(urllib.parse.unquote(n) for n in names_a)
    if names_a != names_b or unescaped != sorted(ATHLETES):
        problems.append(f"athletes/: {names_a} unsharded, {names_b} sharded, expected {sorted(ATHLETES)} escaped")
    for n in sorted(set(names_a) & set(names_b)):
        for t in TABLES:
            fa, fb = os.path.join(da, n, t + ".csv"), os.path.join(db, n, t + ".csv")
            if not (os.path.isfile(fa) and os.path.isfile(fb) and filecmp.cmp(fa, fb, shallow=False)):
                problems.append(f"athletes/{n}/{t}.csv: missing or different")
        for f in ["report.html"]:
            if not (os.path.isfile(os.path.join(da, n, f)) and os.path.isfile(os.path.join(db, n, f))):
                problems.append(f"athletes/{n}/{f}: missing")
    fa, fb = os.path.join(a, "squad.csv"), os.path.join(b, "squad.csv")
    if not (os.path.isfile(fa) and os.path.isfile(fb) and filecmp.cmp(fa, fb, shallow=False)):
        problems.append("squad.csv: missing or different between the unsharded and the sharded run")
    if not os.path.isfile(os.path.join(b, "squad.html")):
        problems.append("squad.html: missing after the sharded run")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def same_cell(x, y):
    if x == y:
        return True
    try:
        fx, fy = float(x), float(y)
    except ValueError:
        return False
    if math.isnan(fx) or math.isnan(fy):
        return math.isnan(fx) and math.isnan(fy)
    # The queries round to 1 or 2 decimals; unrounded float sums may differ in the last bits.
    return abs(fx - fy) <= 1e-9 * max(1.0, abs(fx), abs(fy))


def compare_engines(duck_dir, spark_dir, problems):
    names = sorted(f for f in os.listdir(os.path.join(REPO, "contrib", "sql")) if f.endswith(".sql"))
    for f in names:
        q = f[:-4] + ".csv"
        pd_, ps = os.path.join(duck_dir, q), os.path.join(spark_dir, q)
        if not (os.path.isfile(pd_) and os.path.isfile(ps)):
            problems.append(f"{q}: missing from DuckDB's or Spark's results")
            continue
        d, s = read_csv(pd_), read_csv(ps)
        bad = [
            (i, rd, rs)
            for i, (rd, rs) in enumerate(zip(d, s))
            if len(rd) != len(rs) or not all(same_cell(x, y) for x, y in zip(rd, rs))
        ]
        if len(d) != len(s) or bad:
            problems.append(f"{q}: DuckDB {len(d) - 1} rows, Spark {len(s) - 1}; first difference {bad[:1]}")
        else:
            print(f"{q}: DuckDB and Spark agree on {len(d) - 1} rows")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fitrisk", metavar="BIN")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR (emptied first) and keep it")
    a = ap.parse_args()
    bin_ = find_bin(a.fitrisk)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        sys.exit("cohort-test: pyspark is not installed (python3 -m pip install pyspark)")
    started = time.monotonic()
    work = a.keep or tempfile.mkdtemp(prefix="fitrisk-cohort-")
    if a.keep:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    root, out_a, out_b = (os.path.join(work, x) for x in ("cohort", "unsharded", "sharded"))
    print(f"cohort-test: {bin_}, in {work}")
    print(f"athletes: {make_cohort(root)} files")
    problems = []

    if run([bin_, "report", root, "--athletes", "-o", out_a, "--quiet", "--as-of", AS_OF]).returncode != 0:
        sys.exit("cohort-test: the unsharded report failed")
    written = os.path.join(work, "squad-written.csv")
    if os.path.isfile(os.path.join(out_a, "squad.csv")):
        shutil.copyfile(os.path.join(out_a, "squad.csv"), written)
    else:
        problems.append("squad.csv: the unsharded run did not write it")
    if run([bin_, "squad", out_a, "--as-of", AS_OF]).returncode != 0:
        problems.append("fitrisk squad failed on the unsharded output")
    elif os.path.isfile(written) and not filecmp.cmp(written, os.path.join(out_a, "squad.csv"), shallow=False):
        problems.append("squad.csv: fitrisk squad wrote another than the unsharded report did")

    if run([sys.executable, CHECK, out_a, "--root", root, "--write", os.path.join(out_a, "sql")]).returncode != 0:
        problems.append("check.py failed on the unsharded output")

    spark = run(
        [sys.executable, COHORT, root, out_b, "--fitrisk", bin_, "--shards", "2", "--as-of", AS_OF],
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )
    if spark.returncode != 0:
        problems.append("contrib/spark/cohort.py failed")
    else:
        if run([sys.executable, CHECK, out_b, "--root", root]).returncode != 0:
            problems.append("check.py failed on the sharded output")
        compare_datasets(out_a, out_b, problems)
        compare_engines(os.path.join(out_a, "sql"), os.path.join(out_b, "sql"), problems)

    for p in problems:
        print("FAIL " + p, file=sys.stderr)
    print(f"cohort-test: {'ok' if not problems else str(len(problems)) + ' problems'} in {time.monotonic() - started:.0f} s")
    if not problems and not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
