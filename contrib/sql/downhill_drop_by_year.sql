-- Downhill cadence drop at the same speed, by athlete and year: for each run,
-- `downhill_cadence_drop_matched_spm` is the flat cadence at the downhill speeds minus the
-- downhill cadence (positive: fewer, longer steps downhill, the overstriding pattern). Per
-- athlete and calendar year of the run's local day: how many runs, how many of them have a
-- matched drop, and its median and mean over those runs. Runs without a local day (a file
-- whose clock counts from power-on) fall under year NULL, last.
--
-- Portable SQL: runs unchanged on DuckDB (>= 1.0) and Spark SQL (>= 3.4). The median is
-- `percentile_cont(0.5) WITHIN GROUP (ORDER BY ...)`, exact with linear interpolation in both
-- (DuckDB's `median`, Spark's `median` and `percentile` give the same numbers).
SELECT
  athlete,
  year(local_day) AS year,
  count(*) AS runs,
  count(downhill_cadence_drop_matched_spm) AS matched_runs,
  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY downhill_cadence_drop_matched_spm), 1)
    AS median_drop_spm,
  round(avg(downhill_cadence_drop_matched_spm), 1) AS mean_drop_spm
FROM activities
GROUP BY athlete, year(local_day)
ORDER BY athlete, year NULLS LAST
