-- depends: 0012_report_views
-- Views for the Python shell's read-only commands (issue 14): `tracktik-etl report` and
-- `tracktik-etl status` read only views, never the tables behind them.
--   * v_shift_watermark: how far the shift data reaches (the shifts sync watermark and its
--     local date);
--   * v_billing_periods: the stored billing calendar, each period marked complete or not by
--     that watermark.
-- Batches, watermarks and open issues already have views (v_batch_health, v_sync_status,
-- v_open_data_quality_issues, migration 0010).

-- ---------------------------------------------------------------- shift watermark

CREATE VIEW tracktik.v_shift_watermark AS
SELECT s.last_sync_timestamp,
       coalesce(z.name, 'UTC') AS time_zone,
       (s.last_sync_timestamp AT TIME ZONE coalesce(z.name, 'UTC'))::date AS data_through
  FROM tracktik.settings AS st
  -- a zone PostgreSQL does not know must not break the readers (status is how one finds out)
  LEFT JOIN LATERAL (SELECT n.name FROM pg_catalog.pg_timezone_names AS n
                      WHERE lower(n.name) = lower(st.default_time_zone) ORDER BY n.name = st.default_time_zone DESC
                      LIMIT 1) AS z ON true
  LEFT JOIN tracktik.etl_sync_status AS s ON s.table_name = 'shifts';
COMMENT ON VIEW tracktik.v_shift_watermark IS
    'One row: how far the loaded shift data reaches, by the shifts sync watermark (NULLs before the first completed load of shifts). A billing period is complete when data_through is after its last day (v_billing_periods).';
COMMENT ON COLUMN tracktik.v_shift_watermark.last_sync_timestamp IS 'High-water mark of the shifts: latest modifiedOn seen in completed batches (tracktik.etl_sync_status, resource shifts).';
COMMENT ON COLUMN tracktik.v_shift_watermark.time_zone IS 'Time zone of data_through: tracktik.settings.default_time_zone (UTC while it names no zone PostgreSQL knows).';
COMMENT ON COLUMN tracktik.v_shift_watermark.data_through IS 'Local date of the watermark: the shift data is up to this day (this day itself possibly partial).';

-- ---------------------------------------------------------------- billing periods

CREATE VIEW tracktik.v_billing_periods AS
SELECT p.period_id,
       p.start_date,
       p.end_date,
       p.fiscal_year,
       p.period_number,
       w.last_sync_timestamp AS shifts_synced_until,
       w.data_through,
       coalesce(w.data_through > p.end_date, false) AS is_complete
  FROM tracktik.billing_periods AS p
 CROSS JOIN tracktik.v_shift_watermark AS w;
COMMENT ON VIEW tracktik.v_billing_periods IS
    'The stored billing periods (tracktik.billing_periods), each marked complete or not: a period is incomplete while the shift data (v_shift_watermark) ends before the period does.';
COMMENT ON COLUMN tracktik.v_billing_periods.period_id IS 'Period id ''YYYY_PP'': fiscal year and ordinal.';
COMMENT ON COLUMN tracktik.v_billing_periods.start_date IS 'First day of the period (inclusive).';
COMMENT ON COLUMN tracktik.v_billing_periods.end_date IS 'Last day of the period (inclusive).';
COMMENT ON COLUMN tracktik.v_billing_periods.fiscal_year IS 'Fiscal year: the calendar year of end_date.';
COMMENT ON COLUMN tracktik.v_billing_periods.period_number IS 'Ordinal of the period within its fiscal year, from 1.';
COMMENT ON COLUMN tracktik.v_billing_periods.shifts_synced_until IS 'The shifts sync watermark (v_shift_watermark.last_sync_timestamp); NULL before the first load of shifts.';
COMMENT ON COLUMN tracktik.v_billing_periods.data_through IS 'Local date of that watermark (v_shift_watermark.data_through).';
COMMENT ON COLUMN tracktik.v_billing_periods.is_complete IS 'True when data_through is after end_date: the shift data covers the whole period. False while it ends on or before the period''s last day, or when no shifts were synced yet.';

-- ---------------------------------------------------------------- privileges

REVOKE ALL ON tracktik.v_shift_watermark, tracktik.v_billing_periods FROM PUBLIC, tracktik_loader, tracktik_reader;
GRANT SELECT ON tracktik.v_shift_watermark, tracktik.v_billing_periods TO tracktik_reader;
