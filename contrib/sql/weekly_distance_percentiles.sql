-- Weekly distance across the cohort: for each week_start, the 10th, 50th and 90th percentile
-- of the weekly distance over the athletes whose history covers that week (a week without
-- running inside an athlete's history counts as 0 km; weeks before an athlete's first run or
-- after their last are not in `weeks` and do not count), with how many athletes that is and
-- how many of them ran.
--
-- Portable SQL: runs unchanged on DuckDB (>= 1.0) and Spark SQL (>= 3.4). There is no
-- approximate-percentile function both engines name alike (DuckDB: approx_quantile,
-- Spark: percentile_approx); the ordered-set `percentile_cont(p) WITHIN GROUP (ORDER BY x)` is
-- in both and exact, interpolating linearly between the two nearest values (the same as
-- numpy's default), so the engines agree to the last digit before rounding.
SELECT
  week_start,
  count(*) AS athletes,
  count(CASE WHEN runs > 0 THEN 1 END) AS athletes_running,
  round(percentile_cont(0.1) WITHIN GROUP (ORDER BY distance_m) / 1000.0, 2) AS p10_km,
  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY distance_m) / 1000.0, 2) AS p50_km,
  round(percentile_cont(0.9) WITHIN GROUP (ORDER BY distance_m) / 1000.0, 2) AS p90_km
FROM weeks
GROUP BY week_start
ORDER BY week_start
