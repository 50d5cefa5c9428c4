-- Every date from 2020 to 2035 belongs to exactly one 14-day period; no gaps, no overlaps;
-- ordinals run 1..N within each fiscal year.
BEGIN;
SELECT plan(7);

CREATE TEMP TABLE cal ON COMMIT DROP AS
SELECT d::date AS day, b.*
  FROM generate_series(date '2020-01-01', date '2035-12-31', interval '1 day') AS d
 CROSS JOIN LATERAL tracktik.billing_period_bounds(d::date) AS b;

SELECT is((SELECT count(*)::int FROM cal WHERE day NOT BETWEEN start_date AND end_date), 0,
          'every date lies inside its period');
SELECT is((SELECT count(*)::int FROM (SELECT period_id FROM cal GROUP BY period_id
                                       HAVING count(DISTINCT (start_date, end_date)) <> 1
                                           OR count(*) <> 14
                                              AND min(day) > date '2020-01-01'
                                              AND max(day) < date '2035-12-31') x), 0,
          'every period id has one start and end, and (inside the range) 14 days');
SELECT is((SELECT count(*)::int FROM (SELECT DISTINCT start_date, end_date FROM cal) p
            WHERE end_date - start_date <> 13), 0, 'every period is 14 days long');
SELECT is((SELECT count(*)::int
             FROM (SELECT start_date, lag(end_date) OVER (ORDER BY start_date) AS prev_end
                     FROM (SELECT DISTINCT start_date, end_date FROM cal) p) q
            WHERE prev_end IS NOT NULL AND start_date <> prev_end + 1), 0,
          'consecutive periods leave no gap and no overlap');
SELECT is((SELECT count(*)::int FROM (SELECT DISTINCT period_id, fiscal_year FROM cal) p
            WHERE fiscal_year <> extract(year FROM (SELECT max(end_date) FROM cal c WHERE c.period_id = p.period_id))),
          0, 'fiscal year is the year of the end date');
SELECT is((SELECT count(*)::int
             FROM (SELECT fiscal_year, array_agg(period_number ORDER BY start_date) AS nums
                     FROM (SELECT DISTINCT fiscal_year, period_number, start_date FROM cal) p
                    WHERE fiscal_year BETWEEN 2021 AND 2035
                    GROUP BY fiscal_year) y
            WHERE nums <> (SELECT array_agg(g) FROM generate_series(1, cardinality(nums)) g)), 0,
          'ordinals run 1, 2, 3, ... without holes in every fiscal year');
SELECT ok((SELECT bool_and(n BETWEEN 26 AND 27)
             FROM (SELECT fiscal_year, count(DISTINCT period_number) n FROM cal
                    WHERE fiscal_year BETWEEN 2021 AND 2035 GROUP BY fiscal_year) y),
          'each fiscal year has 26 or 27 periods');

SELECT * FROM finish();
ROLLBACK;
