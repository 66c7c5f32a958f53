#!/usr/bin/env python3
"""Run the queries of contrib/sql/ on DuckDB over a cohort dataset and check their answers.

    python3 contrib/sql/check.py OUT [--root ROOT] [--write DIR]

OUT is what `fitrisk report ROOT --athletes -o OUT` wrote: `OUT/<table>/athlete=<name>/*.parquet`
for each table. Each query runs on DuckDB over views named after the tables, with `athlete`
from the partition path. The expected answers are worked out again here in plain Python from the
same Parquet files, read one partition at a time (DuckDB only decodes the file; the athlete is
this script's own unescaping of the folder name, the grouping and percentiles are Python's), so a
query and its check share no SQL. Also checked:

- the athletes DuckDB finds in the partition paths are the folder names unescaped, every table
  has a partition for every athlete, and with `--root` they are exactly ROOT's sub-folders;
- `rebuild_weeks.sql` (runs grouped by athlete and week_start) equals `weeks`' `runs` and
  `distance_m` in every week with running, and has no week that `weeks` lacks.

`--write DIR` writes each query's result as DIR/<query>.csv (contrib/spark/cohort.py writes
Spark's the same way, so the two engines' answers can be compared). Exit 0 when everything
agrees, 1 on any mismatch (each is printed), 2 on a usage error.

Needs the duckdb Python package only (no pyarrow or pandas).
"""

import argparse
import csv
import datetime
import math
import os
import sys
import urllib.parse

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = ["files", "activities", "segments", "weeks", "findings", "gear"]
VIEWS = ["activities", "weeks", "findings"]


def create_views(con, out):
    """The views every query reads, as a user would make them (see the README)."""
    for t in VIEWS:
        pattern = os.path.join(out, t, "*", "*.parquet").replace("'", "''")
        # hive_types: a cohort whose names all look like numbers or dates would otherwise get an
        # integer or date `athlete` column. union_by_name: athletes' files may differ in their
        # columns (a column only some inputs give), which would otherwise be an error.
        con.execute(
            f"CREATE OR REPLACE VIEW {t} AS SELECT * FROM read_parquet('{pattern}', "
            f"hive_partitioning = true, hive_types = {{'athlete': 'VARCHAR'}}, union_by_name = true)"
        )


def queries(sql_dir):
    return sorted(f[:-4] for f in os.listdir(sql_dir) if f.endswith(".sql"))


def cell(v):
    """One value as text, the same for DuckDB's and Spark's Python values."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat(sep=" ") if isinstance(v, datetime.datetime) else v.isoformat()
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write_csv(path, columns, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([cell(v) for v in r])


# --- the dataset, read without DuckDB's partition handling ---------------------------------


def unescape(part):
    """A partition folder's value: Hive's %XX escapes undone, as bytes, then UTF-8."""
    return urllib.parse.unquote_to_bytes(part).decode("utf-8")


def read_partitions(out, table):
    """{athlete: [row dict, ...]} of one table, one Parquet partition at a time."""
    result = {}
    base = os.path.join(out, table)
    for d in sorted(os.listdir(base)):
        if not d.startswith("athlete="):
            continue
        athlete = unescape(d[len("athlete="):])
        rows = result.setdefault(athlete, [])
        folder = os.path.join(base, d)
        for f in sorted(os.listdir(folder)):
            if not f.endswith(".parquet"):
                continue
            path = os.path.join(folder, f).replace("'", "''")
            rel = duckdb.sql(f"SELECT * FROM read_parquet('{path}', hive_partitioning = false)")
            cols = rel.columns
            if "athlete" in cols:
                raise SystemExit(f"{path}: holds an athlete column; it belongs in the path only")
            rows.extend(dict(zip(cols, r)) for r in rel.fetchall())
    return result


# --- the expected answers, in plain Python -------------------------------------------------


def percentile_cont(values, p):
    """Linear interpolation between the closest ranks (SQL's percentile_cont)."""
    a = sorted(values)
    if not a:
        return None
    pos = p * (len(a) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return a[lo] + (a[hi] - a[lo]) * (pos - lo)


def rnd(x, digits):
    return None if x is None else round(x, digits)


def expect_over_ratio_band(t):
    rows = []
    for athlete, weeks in t["weeks"].items():
        if not weeks:
            continue
        latest = max(w["week_start"] for w in weeks)
        for w in weeks:
            a = w["acwr"]
            if w["week_start"] != latest or a is None or math.isnan(a) or not (a > 1.5 or a < 0.8):
                continue
            km = lambda m: None if m is None else round(m / 1000.0, 1)  # noqa: E731
            rows.append(
                (
                    athlete,
                    w["week_start"],
                    "over" if a > 1.5 else "under",
                    round(a, 2),
                    w["runs"],
                    km(w["distance_m"]),
                    km(w["acute_7d_m"]),
                    km(w["chronic_28d_m"]),
                    w["chronic_complete"],
                    w["flag_acwr"],
                )
            )
    rows.sort(key=lambda r: (r[2], r[0].encode()))
    return rows


def expect_downhill_drop_by_year(t):
    groups = {}
    for athlete, runs in t["activities"].items():
        for r in runs:
            year = r["local_day"].year if r["local_day"] is not None else None
            groups.setdefault((athlete, year), []).append(r["downhill_cadence_drop_matched_spm"])
    rows = []
    for (athlete, year), drops in groups.items():
        known = [d for d in drops if d is not None]
        mean = sum(known) / len(known) if known else None
        rows.append(
            (athlete, year, len(drops), len(known), rnd(percentile_cont(known, 0.5), 1), rnd(mean, 1))
        )
    rows.sort(key=lambda r: (r[0].encode(), r[1] is None, r[1] or 0))
    return rows


def expect_weekly_distance_percentiles(t):
    by_week = {}
    for weeks in t["weeks"].values():
        for w in weeks:
            by_week.setdefault(w["week_start"], []).append(w)
    rows = []
    for week, ws in sorted(by_week.items()):
        d = [w["distance_m"] for w in ws if w["distance_m"] is not None]
        p = [rnd(None if not d else percentile_cont(d, q) / 1000.0, 2) for q in (0.1, 0.5, 0.9)]
        rows.append((week, len(ws), sum(1 for w in ws if (w["runs"] or 0) > 0), *p))
    return rows


def expect_rebuild_weeks(t):
    groups = {}
    for athlete, runs in t["activities"].items():
        for r in runs:
            if r["week_start"] is None:
                continue
            g = groups.setdefault((athlete, r["week_start"]), [0, 0.0])
            g[0] += 1
            g[1] += r["distance_m"] or 0.0
    return sorted(
        ((a, w, n, m) for (a, w), (n, m) in groups.items()), key=lambda r: (r[0].encode(), r[1])
    )


EXPECTED = {
    "over_ratio_band": expect_over_ratio_band,
    "downhill_drop_by_year": expect_downhill_drop_by_year,
    "weekly_distance_percentiles": expect_weekly_distance_percentiles,
    "rebuild_weeks": expect_rebuild_weeks,
}


# --- comparison ----------------------------------------------------------------------------


def same(a, b):
    """Equal, with room for rounding at the last digit kept and for the order of a float sum."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, bool) or isinstance(b, bool):
            return False
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        # Rounded to 1 or 2 decimals: SQL and Python may round a value that sits on .x5 in its
        # binary form differently; unrounded sums differ in their last bits.
        return abs(a - b) <= 0.0101 + 1e-9 * max(abs(a), abs(b))
    return a == b


def compare_rows(name, got, want, problems):
    if len(got) != len(want):
        problems.append(f"{name}: {len(got)} rows, expected {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        if len(g) != len(w) or not all(same(x, y) for x, y in zip(g, w)):
            problems.append(f"{name}: row {i + 1} is {tuple(g)!r}, expected {tuple(w)!r}")
            if sum(1 for p in problems if p.startswith(name + ":")) >= 10:
                problems.append(f"{name}: (further rows not compared)")
                return


def check(out, root, write, sql_dir):
    problems = []
    t = {name: read_partitions(out, name) for name in TABLES}

    # Athletes: every table has a partition for each; with --root, exactly ROOT's folders.
    names = set()
    for name in TABLES:
        names |= set(t[name])
    for name in TABLES:
        missing = names - set(t[name])
        if missing:
            problems.append(f"{name}: no partition for {sorted(missing)}")
    if root is not None:
        folders = {
            os.fsdecode(e.name) for e in os.scandir(os.fsencode(root)) if e.is_dir()
        }
        if folders != names:
            problems.append(
                f"athletes in {out} are {sorted(names)}, the folders of {root} {sorted(folders)}"
            )

    con = duckdb.connect()
    create_views(con, out)
    for v in VIEWS:
        got = dict(con.execute(f"SELECT athlete, count(*) FROM {v} GROUP BY athlete").fetchall())
        want = {a: len(rows) for a, rows in t[v].items() if rows}
        if got != want:
            problems.append(f"{v}: rows per athlete through DuckDB's partitions {got}, expected {want}")

    for q in queries(sql_dir):
        text = open(os.path.join(sql_dir, q + ".sql"), encoding="utf-8").read()
        rel = con.sql(text)
        columns, rows = rel.columns, rel.fetchall()
        if write:
            write_csv(os.path.join(write, q + ".csv"), columns, rows)
        if q in EXPECTED:
            compare_rows(q, rows, EXPECTED[q](t), problems)
        else:
            print(f"{q}: {len(rows)} rows (no independent check for it)")
            continue
        print(f"{q}: {len(rows)} rows, as computed in Python")

    # The weeks rebuilt from the runs against the weeks table itself.
    rebuilt = {
        (a, w): (n, m)
        for a, w, n, m in con.sql(open(os.path.join(sql_dir, "rebuild_weeks.sql")).read()).fetchall()
    }
    table = {
        (a, w["week_start"]): (w["runs"], w["distance_m"])
        for a, weeks in t["weeks"].items()
        for w in weeks
        if (w["runs"] or 0) > 0
    }
    for key in sorted(set(rebuilt) | set(table), key=lambda k: (k[0].encode(), k[1])):
        r, w = rebuilt.get(key), table.get(key)
        if r is None or w is None or r[0] != w[0] or not math.isclose(r[1], w[1], rel_tol=1e-9, abs_tol=1e-6):
            problems.append(f"rebuild_weeks {key[0]} {key[1]}: from activities {r}, in weeks {w}")
    weeks_with_runs = len(table)
    print(f"rebuild_weeks: equals weeks' runs and distance_m in all {weeks_with_runs} weeks with running"
          if not any(p.startswith("rebuild_weeks ") for p in problems) else "rebuild_weeks: differs")
    if weeks_with_runs == 0:
        problems.append("weeks: no week with running, nothing was checked")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="the cohort's output folder (fitrisk report ROOT --athletes -o OUT)")
    ap.add_argument("--root", help="the cohort's input folder: its sub-folders must be the athletes")
    ap.add_argument("--write", metavar="DIR", help="write each query's result as DIR/<query>.csv")
    ap.add_argument("--sql", metavar="DIR", default=HERE, help="the queries (default: beside this script)")
    a = ap.parse_args()
    for t in TABLES:
        if not os.path.isdir(os.path.join(a.out, t)):
            print(f"check.py: {a.out} has no {t}/ folder: not a cohort dataset", file=sys.stderr)
            sys.exit(2)
    problems = check(a.out, a.root, a.write, a.sql)
    for p in problems:
        print("MISMATCH " + p, file=sys.stderr)
    print(f"duckdb {duckdb.__version__}: " + ("all checks pass" if not problems else f"{len(problems)} mismatches"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
