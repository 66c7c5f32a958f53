-- The weekly totals rebuilt from the runs: every run counts in the week (`week_start`) fitrisk
-- counted it in, on its local day, so this GROUP BY gives the `runs` and `distance_m` of every
-- week of `weeks` that has running (weeks without running have no runs to group). Runs without
-- a local day (no week_start) are in no week, as in `weeks`. contrib/sql/check.py checks the
-- two agree.
--
-- Portable SQL: runs unchanged on DuckDB (>= 1.0) and Spark SQL (>= 3.4).
SELECT
  athlete,
  week_start,
  count(*) AS runs,
  coalesce(sum(distance_m), 0) AS distance_m
FROM activities
WHERE week_start IS NOT NULL
GROUP BY athlete, week_start
ORDER BY athlete, week_start
