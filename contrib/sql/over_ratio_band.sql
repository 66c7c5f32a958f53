-- Athletes outside their acute:chronic ratio band in their latest week: the ratio (`acwr`,
-- acute 7 days over chronic 28 days / 4) above 1.5 (a load spike) or below 0.8 (a drop), with
-- the week's distance and the two windows behind the ratio. "Latest" is each athlete's last
-- week_start in `weeks` (their history ends at their last run, so that is "this week" for an
-- athlete who ran this week). For a given week instead, replace `max(week_start) OVER (...)` by
-- a date: `DATE '2024-05-06'`.
--
-- `flag_acwr` is fitrisk's own flag, which also needs a complete 28-day window with no break
-- and a week of 5 km or more for the upper side; this query shows every ratio outside the band
-- so that a coach sees the near misses, and the flag beside it.
--
-- Portable SQL: runs unchanged on DuckDB (>= 1.0) and Spark SQL (>= 3.4).
WITH latest AS (
  SELECT
    athlete,
    week_start,
    runs,
    distance_m,
    acute_7d_m,
    chronic_28d_m,
    acwr,
    chronic_complete,
    flag_acwr,
    max(week_start) OVER (PARTITION BY athlete) AS latest_week
  FROM weeks
)
SELECT
  athlete,
  week_start,
  CASE WHEN acwr > 1.5 THEN 'over' ELSE 'under' END AS band,
  round(acwr, 2) AS acwr,
  runs,
  round(distance_m / 1000.0, 1) AS distance_km,
  round(acute_7d_m / 1000.0, 1) AS acute_7d_km,
  round(chronic_28d_m / 1000.0, 1) AS chronic_28d_km,
  chronic_complete,
  flag_acwr
FROM latest
WHERE week_start = latest_week
  AND (acwr > 1.5 OR acwr < 0.8)
ORDER BY band, athlete
