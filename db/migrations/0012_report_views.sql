-- depends: 0010_reporting
-- Views behind the HTML billing report (tracktik-etl report): the busiest posts of a period,
-- its day-by-day series, and the open data-quality issues about its shifts. Like the other
-- reporting views they are read by tracktik_reader; names are the current ones (as in
-- v_billing_period_summary), markets come from v_region_markets.

-- ---------------------------------------------------------------- posts

CREATE VIEW tracktik.v_billing_period_posts AS
SELECT f.billing_period_id,
       f.position_id AS post_id,
       p.name AS post_name,
       p.non_billable,
       f.client_id AS site_id,
       c.name AS site_name,
       m.market_region_id,
       m.market_name,
       count(*) AS shifts,
       count(*) FILTER (WHERE upper(f.status) = 'CANCELLED') AS cancelled_shifts,
       count(DISTINCT f.employee_id) AS guards,
       sum(f.billable_hours) AS billable_hours,
       sum(f.bill_overtime_hours) AS overtime_hours,
       sum(f.bill_holiday_hours) AS holiday_hours,
       sum(f.bill_total) AS bill_total,
       count(*) FILTER (WHERE f.billable_hours > 0 AND f.bill_rate_regular IS NULL) AS shifts_missing_rate,
       coalesce(sum(f.billable_hours) FILTER (WHERE f.bill_rate_regular IS NULL), 0) AS unbilled_hours
  FROM tracktik.fact_shifts AS f
  LEFT JOIN tracktik.v_current_positions AS p ON p.position_id = f.position_id
  LEFT JOIN tracktik.v_current_clients AS c ON c.client_id = f.client_id
  LEFT JOIN tracktik.v_region_markets AS m ON m.region_id = f.region_id
 GROUP BY f.billing_period_id, f.position_id, p.name, p.non_billable, f.client_id, c.name,
          m.market_region_id, m.market_name;
COMMENT ON VIEW tracktik.v_billing_period_posts IS
    'Kaiser billing per billing period, post (position) and site: shifts, guards, hours and amount billed. A post that moved to another site within a period has one row per site. Current post, site and market names.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.billing_period_id IS 'Billing period (YYYY_PP).';
COMMENT ON COLUMN tracktik.v_billing_period_posts.post_id IS 'TrackTik position (post) id.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.post_name IS 'Current post name.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.non_billable IS 'True when the post is (currently) non-billable.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.site_id IS 'TrackTik client (site) id of the shifts.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.site_name IS 'Current site name.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.market_region_id IS 'Market region id (NULL outside the Kaiser tree).';
COMMENT ON COLUMN tracktik.v_billing_period_posts.market_name IS 'Market name.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.shifts IS 'Shifts (cancelled included).';
COMMENT ON COLUMN tracktik.v_billing_period_posts.cancelled_shifts IS 'Cancelled shifts.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.guards IS 'Distinct employees with a shift on the post (vacant shifts not counted).';
COMMENT ON COLUMN tracktik.v_billing_period_posts.billable_hours IS 'Sum of billable hours.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.overtime_hours IS 'Overtime plus double-time hours billed at a premium.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.holiday_hours IS 'Holiday hours.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.bill_total IS 'Amount billed (NULL when no shift of the post has a rate).';
COMMENT ON COLUMN tracktik.v_billing_period_posts.shifts_missing_rate IS 'Shifts with billable hours but no bill rate.';
COMMENT ON COLUMN tracktik.v_billing_period_posts.unbilled_hours IS 'Billable hours of those shifts.';

-- ---------------------------------------------------------------- days

CREATE VIEW tracktik.v_billing_period_daily AS
SELECT bp.period_id AS billing_period_id,
       d.day::date AS shift_date,
       (d.day::date - bp.start_date) + 1 AS day_of_period,
       count(f.shift_id) AS shifts,
       count(f.shift_id) FILTER (WHERE upper(f.status) = 'CANCELLED') AS cancelled_shifts,
       coalesce(sum(f.billable_hours), 0) AS billable_hours,
       coalesce(sum(f.billable_hours - coalesce(f.bill_overtime_hours, 0) - coalesce(f.bill_holiday_hours, 0))
                    FILTER (WHERE f.bill_rate_regular IS NOT NULL), 0) AS regular_hours,
       coalesce(sum(f.bill_overtime_hours), 0) AS overtime_hours,
       coalesce(sum(f.bill_holiday_hours), 0) AS holiday_hours,
       coalesce(sum(f.billable_hours) FILTER (WHERE f.bill_rate_regular IS NULL), 0) AS unbilled_hours,
       coalesce(sum(f.bill_total), 0) AS bill_total
  FROM tracktik.billing_periods AS bp
 CROSS JOIN LATERAL pg_catalog.generate_series(bp.start_date::timestamp, bp.end_date::timestamp,
                                               interval '1 day') AS d(day)
  LEFT JOIN tracktik.fact_shifts AS f
         ON f.billing_period_id = bp.period_id AND f.shift_date = d.day::date
 GROUP BY bp.period_id, bp.start_date, d.day;
COMMENT ON VIEW tracktik.v_billing_period_daily IS
    'Kaiser billing per billing period and day (shift_date, the local date of the shift start): every day of every period in tracktik.billing_periods, with zeros on days without shifts.';
COMMENT ON COLUMN tracktik.v_billing_period_daily.billing_period_id IS 'Billing period (YYYY_PP).';
COMMENT ON COLUMN tracktik.v_billing_period_daily.shift_date IS 'The day (local date of the shift start).';
COMMENT ON COLUMN tracktik.v_billing_period_daily.day_of_period IS 'Ordinal of the day in its period, 1 to 14 (days 1-7: first workweek).';
COMMENT ON COLUMN tracktik.v_billing_period_daily.shifts IS 'Shifts starting that day (cancelled included).';
COMMENT ON COLUMN tracktik.v_billing_period_daily.cancelled_shifts IS 'Cancelled shifts.';
COMMENT ON COLUMN tracktik.v_billing_period_daily.billable_hours IS 'Sum of billable hours (0 on a day without shifts).';
COMMENT ON COLUMN tracktik.v_billing_period_daily.regular_hours IS 'Billable hours billed at the plain rate (neither overtime nor holiday), of shifts that have a rate.';
COMMENT ON COLUMN tracktik.v_billing_period_daily.overtime_hours IS 'Overtime plus double-time hours billed at a premium.';
COMMENT ON COLUMN tracktik.v_billing_period_daily.holiday_hours IS 'Holiday hours.';
COMMENT ON COLUMN tracktik.v_billing_period_daily.unbilled_hours IS 'Billable hours of shifts without a bill rate (not billed).';
COMMENT ON COLUMN tracktik.v_billing_period_daily.bill_total IS 'Amount billed (0 on a day without billed shifts).';

-- ---------------------------------------------------------------- issues

CREATE VIEW tracktik.v_billing_period_issues AS
SELECT f.billing_period_id,
       q.issue_id,
       q.created_at,
       q.severity,
       q.issue_type,
       f.shift_id,
       f.shift_date,
       f.client_id AS site_id,
       c.name AS site_name,
       f.position_id AS post_id,
       p.name AS post_name,
       q.issue_description,
       q.issue_data,
       q.batch_id
  FROM tracktik.v_open_data_quality_issues AS q
  JOIN tracktik.fact_shifts AS f ON f.shift_id::text = q.record_id
  LEFT JOIN tracktik.v_current_clients AS c ON c.client_id = f.client_id
  LEFT JOIN tracktik.v_current_positions AS p ON p.position_id = f.position_id
 WHERE q.table_name = 'fact_shifts';
COMMENT ON VIEW tracktik.v_billing_period_issues IS
    'Open data-quality issues about loaded shifts, with the billing period the shift is in (missing_bill_rate, billing_variance, approved_exceeds_clocked, ...). Issues of records that were skipped and never loaded have no period: see v_open_data_quality_issues.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.billing_period_id IS 'Billing period (YYYY_PP) of the shift.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.issue_id IS 'Issue id.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.created_at IS 'When it was recorded.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.severity IS 'info, warning or error.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.issue_type IS 'Kind of problem (missing_bill_rate, billing_variance, ...).';
COMMENT ON COLUMN tracktik.v_billing_period_issues.shift_id IS 'TrackTik shift id.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.shift_date IS 'Local date of the shift start.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.site_id IS 'TrackTik client (site) id of the shift.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.site_name IS 'Current site name.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.post_id IS 'TrackTik position (post) id of the shift.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.post_name IS 'Current post name.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.issue_description IS 'What is wrong.';
COMMENT ON COLUMN tracktik.v_billing_period_issues.issue_data IS 'The offending values (for billing_variance: TrackTik''s billableHours / payableHours and ours).';
COMMENT ON COLUMN tracktik.v_billing_period_issues.batch_id IS 'Batch that found it.';

-- ---------------------------------------------------------------- privileges

REVOKE ALL ON tracktik.v_billing_period_posts, tracktik.v_billing_period_daily, tracktik.v_billing_period_issues
    FROM PUBLIC, tracktik_loader, tracktik_reader;
GRANT SELECT ON tracktik.v_billing_period_posts, tracktik.v_billing_period_daily, tracktik.v_billing_period_issues
    TO tracktik_reader;
