-- depends: 0009_facts_billing
-- Reporting views for finance, BI and DBAs (read by tracktik_reader), and the settings that
-- name the Kaiser root region whose sub-regions are the markets.

ALTER TABLE tracktik.settings
    ADD COLUMN IF NOT EXISTS kaiser_root_region_id bigint,
    ADD COLUMN IF NOT EXISTS kaiser_root_region_name_pattern text NOT NULL DEFAULT 'Kaiser%';
COMMENT ON COLUMN tracktik.settings.kaiser_root_region_id IS
    'TrackTik id of the Kaiser root region, whose direct sub-regions are the markets of the reports. NULL: the root region (no parent) whose name matches kaiser_root_region_name_pattern.';
COMMENT ON COLUMN tracktik.settings.kaiser_root_region_name_pattern IS
    'ILIKE pattern naming the Kaiser root region when kaiser_root_region_id is NULL.';

-- ---------------------------------------------------------------- current dimensions

CREATE VIEW tracktik.v_current_regions AS
SELECT r.region_id, r.custom_id, r.name, r.parent_region_id, r.parent_region_name, r.status,
       r.time_zone, r.is_inferred, r.valid_from, r.surrogate_key
  FROM tracktik.dim_regions AS r
 WHERE r.is_current;
COMMENT ON VIEW tracktik.v_current_regions IS 'The current version of every region (SCD2 history in tracktik.dim_regions).';
COMMENT ON COLUMN tracktik.v_current_regions.region_id IS 'TrackTik region id.';
COMMENT ON COLUMN tracktik.v_current_regions.custom_id IS 'Customer-facing region code.';
COMMENT ON COLUMN tracktik.v_current_regions.name IS 'Region name.';
COMMENT ON COLUMN tracktik.v_current_regions.parent_region_id IS 'TrackTik id of the parent region (NULL for a root).';
COMMENT ON COLUMN tracktik.v_current_regions.parent_region_name IS 'Name of the parent region.';
COMMENT ON COLUMN tracktik.v_current_regions.status IS 'TrackTik status.';
COMMENT ON COLUMN tracktik.v_current_regions.time_zone IS 'IANA time zone of the region.';
COMMENT ON COLUMN tracktik.v_current_regions.is_inferred IS 'True for a placeholder created from a reference before the region itself was loaded.';
COMMENT ON COLUMN tracktik.v_current_regions.valid_from IS 'Since when this version is valid.';
COMMENT ON COLUMN tracktik.v_current_regions.surrogate_key IS 'Warehouse key of this version.';

CREATE VIEW tracktik.v_current_clients AS
SELECT c.client_id, c.custom_id, c.name, c.client_type, c.status, c.region_id, c.region_name,
       c.parent_client_id, c.time_zone, c.address, c.is_inferred, c.valid_from, c.surrogate_key
  FROM tracktik.dim_clients AS c
 WHERE c.is_current;
COMMENT ON VIEW tracktik.v_current_clients IS 'The current version of every client (site) (SCD2 history in tracktik.dim_clients).';
COMMENT ON COLUMN tracktik.v_current_clients.client_id IS 'TrackTik client (site) id.';
COMMENT ON COLUMN tracktik.v_current_clients.custom_id IS 'Customer-facing site code.';
COMMENT ON COLUMN tracktik.v_current_clients.name IS 'Site name.';
COMMENT ON COLUMN tracktik.v_current_clients.client_type IS 'CLIENT, SERVICE_LOCATION or MULTI_LOCATION_CLIENT.';
COMMENT ON COLUMN tracktik.v_current_clients.status IS 'TrackTik status.';
COMMENT ON COLUMN tracktik.v_current_clients.region_id IS 'TrackTik id of the site''s region.';
COMMENT ON COLUMN tracktik.v_current_clients.region_name IS 'Name of that region.';
COMMENT ON COLUMN tracktik.v_current_clients.parent_client_id IS 'TrackTik id of the parent client.';
COMMENT ON COLUMN tracktik.v_current_clients.time_zone IS 'IANA time zone of the site.';
COMMENT ON COLUMN tracktik.v_current_clients.address IS 'Postal address as TrackTik returned it.';
COMMENT ON COLUMN tracktik.v_current_clients.is_inferred IS 'True for a placeholder created from a reference before the site itself was loaded.';
COMMENT ON COLUMN tracktik.v_current_clients.valid_from IS 'Since when this version is valid.';
COMMENT ON COLUMN tracktik.v_current_clients.surrogate_key IS 'Warehouse key of this version.';

CREATE VIEW tracktik.v_current_positions AS
SELECT p.position_id, p.custom_id, p.name, p.status, p.client_id, p.client_name, p.non_billable,
       p.is_inferred, p.valid_from, p.surrogate_key
  FROM tracktik.dim_positions AS p
 WHERE p.is_current;
COMMENT ON VIEW tracktik.v_current_positions IS 'The current version of every position (post) (SCD2 history in tracktik.dim_positions).';
COMMENT ON COLUMN tracktik.v_current_positions.position_id IS 'TrackTik position (post) id.';
COMMENT ON COLUMN tracktik.v_current_positions.custom_id IS 'Customer-facing post code.';
COMMENT ON COLUMN tracktik.v_current_positions.name IS 'Post name.';
COMMENT ON COLUMN tracktik.v_current_positions.status IS 'TrackTik status.';
COMMENT ON COLUMN tracktik.v_current_positions.client_id IS 'TrackTik id of the post''s site.';
COMMENT ON COLUMN tracktik.v_current_positions.client_name IS 'Name of that site.';
COMMENT ON COLUMN tracktik.v_current_positions.non_billable IS 'True when hours on this post are never billed.';
COMMENT ON COLUMN tracktik.v_current_positions.is_inferred IS 'True for a placeholder created from a shift before the post itself was loaded.';
COMMENT ON COLUMN tracktik.v_current_positions.valid_from IS 'Since when this version is valid.';
COMMENT ON COLUMN tracktik.v_current_positions.surrogate_key IS 'Warehouse key of this version.';

CREATE VIEW tracktik.v_current_employees AS
SELECT e.employee_id, e.custom_id, e.first_name, e.last_name, e.email, e.phone, e.status,
       e.region_id, e.region_name, e.job_title, e.is_inferred, e.valid_from, e.surrogate_key
  FROM tracktik.dim_employees AS e
 WHERE e.is_current;
COMMENT ON VIEW tracktik.v_current_employees IS 'The current version of every employee (guard) (SCD2 history in tracktik.dim_employees).';
COMMENT ON COLUMN tracktik.v_current_employees.employee_id IS 'TrackTik employee id.';
COMMENT ON COLUMN tracktik.v_current_employees.custom_id IS 'Employee number.';
COMMENT ON COLUMN tracktik.v_current_employees.first_name IS 'First name.';
COMMENT ON COLUMN tracktik.v_current_employees.last_name IS 'Last name.';
COMMENT ON COLUMN tracktik.v_current_employees.email IS 'E-mail address.';
COMMENT ON COLUMN tracktik.v_current_employees.phone IS 'Primary phone number.';
COMMENT ON COLUMN tracktik.v_current_employees.status IS 'ACTIVE, INACTIVE, TERMINATED or BANNED.';
COMMENT ON COLUMN tracktik.v_current_employees.region_id IS 'TrackTik id of the employee''s region.';
COMMENT ON COLUMN tracktik.v_current_employees.region_name IS 'Name of that region.';
COMMENT ON COLUMN tracktik.v_current_employees.job_title IS 'Job title.';
COMMENT ON COLUMN tracktik.v_current_employees.is_inferred IS 'True for a placeholder created from a shift before the employee was loaded.';
COMMENT ON COLUMN tracktik.v_current_employees.valid_from IS 'Since when this version is valid.';
COMMENT ON COLUMN tracktik.v_current_employees.surrogate_key IS 'Warehouse key of this version.';

-- ---------------------------------------------------------------- markets

CREATE VIEW tracktik.v_region_markets AS
WITH RECURSIVE roots AS (
    SELECT r.region_id
      FROM tracktik.dim_regions AS r
     CROSS JOIN tracktik.settings AS s
     WHERE r.is_current
       AND (r.region_id = s.kaiser_root_region_id
            OR (s.kaiser_root_region_id IS NULL AND r.parent_region_id IS NULL
                AND r.name ILIKE s.kaiser_root_region_name_pattern))
), walk (region_id, ancestor_id, child_id, depth) AS (
    SELECT r.region_id, r.region_id, NULL::bigint, 0
      FROM tracktik.dim_regions AS r
     WHERE r.is_current
    UNION ALL
    SELECT w.region_id, p.parent_region_id, w.ancestor_id, w.depth + 1
      FROM walk AS w
      JOIN tracktik.dim_regions AS p ON p.region_id = w.ancestor_id AND p.is_current
     WHERE p.parent_region_id IS NOT NULL AND w.depth < 64
)
SELECT w.region_id,
       coalesce(w.child_id, w.ancestor_id) AS market_region_id,
       m.name AS market_name,
       w.ancestor_id AS root_region_id
  FROM walk AS w
  JOIN roots AS rt ON rt.region_id = w.ancestor_id
  LEFT JOIN tracktik.dim_regions AS m ON m.region_id = coalesce(w.child_id, w.ancestor_id) AND m.is_current;
COMMENT ON VIEW tracktik.v_region_markets IS
    'For every region under the Kaiser root region (tracktik.settings.kaiser_root_region_id, else the root whose name matches kaiser_root_region_name_pattern): its market, the direct sub-region of the root it descends from (the root itself for the root). Current region tree.';
COMMENT ON COLUMN tracktik.v_region_markets.region_id IS 'TrackTik region id.';
COMMENT ON COLUMN tracktik.v_region_markets.market_region_id IS 'The market: the child of the root region that this region is, or descends from.';
COMMENT ON COLUMN tracktik.v_region_markets.market_name IS 'Current name of the market region.';
COMMENT ON COLUMN tracktik.v_region_markets.root_region_id IS 'The Kaiser root region.';

-- ---------------------------------------------------------------- billing

CREATE VIEW tracktik.v_billing_period_summary AS
SELECT f.billing_period_id,
       bp.start_date AS period_start,
       bp.end_date AS period_end,
       m.market_region_id,
       m.market_name,
       f.client_id AS site_id,
       c.name AS site_name,
       count(*) AS shifts,
       count(*) FILTER (WHERE upper(f.status) = 'CANCELLED') AS cancelled_shifts,
       sum(f.scheduled_hours) AS scheduled_hours,
       sum(f.clocked_hours) AS clocked_hours,
       sum(f.approved_hours) AS approved_hours,
       sum(f.billable_hours) AS billable_hours,
       sum(f.payable_hours) AS payable_hours,
       sum(f.billable_hours - coalesce(f.bill_overtime_hours, 0) - coalesce(f.bill_holiday_hours, 0))
           FILTER (WHERE f.bill_rate_regular IS NOT NULL) AS regular_hours,
       sum(f.bill_overtime_hours) AS overtime_hours,
       sum(f.bill_overtime_impact) AS overtime_impact,
       sum(f.bill_holiday_hours) AS holiday_hours,
       sum(f.bill_holiday_impact) AS holiday_impact,
       sum(f.bill_total - f.bill_overtime_impact - f.bill_holiday_impact) AS regular_amount,
       sum(f.bill_total) AS bill_total,
       count(*) FILTER (WHERE f.billable_hours > 0 AND f.bill_rate_regular IS NULL) AS shifts_missing_rate,
       coalesce(sum(f.billable_hours) FILTER (WHERE f.bill_rate_regular IS NULL), 0) AS unbilled_hours
  FROM tracktik.fact_shifts AS f
  JOIN tracktik.billing_periods AS bp ON bp.period_id = f.billing_period_id
  LEFT JOIN tracktik.v_region_markets AS m ON m.region_id = f.region_id
  LEFT JOIN tracktik.dim_clients AS c ON c.client_id = f.client_id AND c.is_current
 GROUP BY f.billing_period_id, bp.start_date, bp.end_date, m.market_region_id, m.market_name, f.client_id, c.name;
COMMENT ON VIEW tracktik.v_billing_period_summary IS
    'Kaiser billing per billing period, market (child of the Kaiser root region) and site: shifts, hours of each kind, overtime and holiday hours and premiums, totals. Sites outside the Kaiser tree have a NULL market.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.billing_period_id IS 'Billing period (YYYY_PP).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.period_start IS 'First day of the period.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.period_end IS 'Last day of the period.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.market_region_id IS 'Market region id (NULL outside the Kaiser tree).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.market_name IS 'Market name.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.site_id IS 'TrackTik client (site) id.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.site_name IS 'Current site name.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.shifts IS 'Shifts (cancelled included).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.cancelled_shifts IS 'Cancelled shifts (kept with zero billable and payable hours).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.scheduled_hours IS 'Sum of scheduled hours.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.clocked_hours IS 'Sum of clocked hours (where given).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.approved_hours IS 'Sum of approved hours (where given).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.billable_hours IS 'Sum of billable hours.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.payable_hours IS 'Sum of payable hours.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.regular_hours IS 'Billable hours billed at the plain rate (neither overtime nor holiday), of shifts that have a rate.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.overtime_hours IS 'Overtime plus double-time hours billed at a premium.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.overtime_impact IS 'Overtime premium (added to the regular amount).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.holiday_hours IS 'Holiday hours.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.holiday_impact IS 'Holiday premium.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.regular_amount IS 'Billable hours x rate (bill_total without the premiums).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.bill_total IS 'Amount billed: regular amount + overtime and holiday premiums.';
COMMENT ON COLUMN tracktik.v_billing_period_summary.shifts_missing_rate IS 'Shifts with billable hours but no bill rate (not billed; see missing_bill_rate issues).';
COMMENT ON COLUMN tracktik.v_billing_period_summary.unbilled_hours IS 'Billable hours of those shifts.';

CREATE MATERIALIZED VIEW tracktik.mv_billing_period_totals AS
SELECT f.billing_period_id,
       bp.start_date AS period_start,
       bp.end_date AS period_end,
       count(*) AS shifts,
       count(DISTINCT f.employee_id) AS employees,
       count(DISTINCT f.client_id) AS sites,
       sum(f.billable_hours) AS billable_hours,
       sum(f.payable_hours) AS payable_hours,
       sum(f.bill_overtime_hours) AS overtime_hours,
       sum(f.bill_overtime_impact) AS overtime_impact,
       sum(f.bill_holiday_hours) AS holiday_hours,
       sum(f.bill_holiday_impact) AS holiday_impact,
       sum(f.bill_total) AS bill_total,
       count(*) FILTER (WHERE f.billable_hours > 0 AND f.bill_rate_regular IS NULL) AS shifts_missing_rate,
       max(f.updated_at) AS last_change_at,
       now() AS refreshed_at
  FROM tracktik.fact_shifts AS f
  JOIN tracktik.billing_periods AS bp ON bp.period_id = f.billing_period_id
 GROUP BY f.billing_period_id, bp.start_date, bp.end_date
WITH DATA;
CREATE UNIQUE INDEX mv_billing_period_totals_period ON tracktik.mv_billing_period_totals (billing_period_id);
COMMENT ON MATERIALIZED VIEW tracktik.mv_billing_period_totals IS
    'Billing totals per billing period, refreshed (CONCURRENTLY) by every batch run_kaiser_batch completes and by reprocess_billing_period.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.billing_period_id IS 'Billing period (YYYY_PP).';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.period_start IS 'First day of the period.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.period_end IS 'Last day of the period.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.shifts IS 'Shifts (cancelled included).';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.employees IS 'Distinct employees with a shift.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.sites IS 'Distinct sites with a shift.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.billable_hours IS 'Sum of billable hours.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.payable_hours IS 'Sum of payable hours.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.overtime_hours IS 'Overtime plus double-time hours billed at a premium.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.overtime_impact IS 'Overtime premium.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.holiday_hours IS 'Holiday hours.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.holiday_impact IS 'Holiday premium.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.bill_total IS 'Amount billed.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.shifts_missing_rate IS 'Shifts with billable hours but no bill rate.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.last_change_at IS 'Latest updated_at of the period''s facts.';
COMMENT ON COLUMN tracktik.mv_billing_period_totals.refreshed_at IS 'When the view was last refreshed.';

CREATE VIEW tracktik.v_standby_watch_posts AS
SELECT f.billing_period_id AS period,
       c.name AS site,
       p.name AS post,
       nullif(btrim(coalesce(e.first_name, '') || ' ' || coalesce(e.last_name, '')), '') AS employee,
       f.shift_date AS date,
       f.billable_hours AS hours,
       f.bill_total AS total,
       f.shift_id,
       f.client_id,
       f.position_id,
       f.employee_id,
       f.status
  FROM tracktik.fact_shifts AS f
  JOIN tracktik.dim_positions AS p ON p.surrogate_key = f.position_key
  LEFT JOIN tracktik.dim_clients AS c ON c.surrogate_key = f.client_key
  LEFT JOIN tracktik.dim_employees AS e ON e.surrogate_key = f.employee_key
 WHERE p.name ILIKE '%STAND%' OR p.name ILIKE '%WATCH%';
COMMENT ON VIEW tracktik.v_standby_watch_posts IS
    'Shifts on standby and watch posts (post name containing STAND or WATCH, as of the shift), in the shape of the original report: period, site, post, employee, date, hours, total.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.period IS 'Billing period (YYYY_PP).';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.site IS 'Site name as of the shift.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.post IS 'Post name as of the shift.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.employee IS 'Employee name as of the shift (NULL for a vacant shift).';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.date IS 'Local date of the shift start.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.hours IS 'Billable hours.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.total IS 'Amount billed (NULL when the post has no rate).';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.shift_id IS 'TrackTik shift id.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.client_id IS 'TrackTik site id.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.position_id IS 'TrackTik post id.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.employee_id IS 'TrackTik employee id.';
COMMENT ON COLUMN tracktik.v_standby_watch_posts.status IS 'Shift status (ACTIVE or CANCELLED).';

-- ---------------------------------------------------------------- operations

CREATE VIEW tracktik.v_batch_health AS
SELECT b.batch_id,
       b.batch_type,
       b.status,
       b.started_at,
       b.staged_at,
       b.completed_at,
       b.completed_at - b.started_at AS duration,
       b.completed_at - b.staged_at AS processing_time,
       b.records_processed,
       b.records_failed,
       CASE WHEN b.records_processed + b.records_failed > 0
            THEN round(b.records_failed::numeric / (b.records_processed + b.records_failed), 4) END AS failure_share,
       coalesce(i.errors, 0) AS error_issues,
       coalesce(i.warnings, 0) AS warning_issues,
       coalesce(i.infos, 0) AS info_issues,
       b.error_sqlstate,
       b.error_message,
       CASE WHEN b.status = 'running' THEN EXISTS (
                SELECT 1 FROM pg_catalog.pg_locks AS l
                 WHERE l.locktype = 'advisory' AND l.granted
                   AND l.database = (SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = current_database())
                   AND l.classid::integer = hashtext('tracktik.batch')
                   AND l.objid::integer = hashtext(b.batch_id::text)
                   AND l.objsubid = 2) END AS shell_alive,
       b.full_sync_resources
  FROM tracktik.etl_batches AS b
  LEFT JOIN (SELECT q.batch_id,
                    count(*) FILTER (WHERE q.severity = 'error') AS errors,
                    count(*) FILTER (WHERE q.severity = 'warning') AS warnings,
                    count(*) FILTER (WHERE q.severity = 'info') AS infos
               FROM tracktik.data_quality_issues AS q
              GROUP BY q.batch_id) AS i ON i.batch_id = b.batch_id;
COMMENT ON VIEW tracktik.v_batch_health IS
    'Every ETL batch with its timings, counts, failure share, data-quality issues by severity and error; for a running batch whether its shell is still alive.';
COMMENT ON COLUMN tracktik.v_batch_health.batch_id IS 'Batch id.';
COMMENT ON COLUMN tracktik.v_batch_health.batch_type IS 'incremental, full, backfill, reprocess, ...';
COMMENT ON COLUMN tracktik.v_batch_health.status IS 'running, staged, completed, failed or abandoned.';
COMMENT ON COLUMN tracktik.v_batch_health.started_at IS 'When the batch was opened.';
COMMENT ON COLUMN tracktik.v_batch_health.staged_at IS 'When staging finished.';
COMMENT ON COLUMN tracktik.v_batch_health.completed_at IS 'When processing ended (completed, failed or abandoned).';
COMMENT ON COLUMN tracktik.v_batch_health.duration IS 'From start to end.';
COMMENT ON COLUMN tracktik.v_batch_health.processing_time IS 'From staged to end (the database''s share).';
COMMENT ON COLUMN tracktik.v_batch_health.records_processed IS 'Staged records loaded.';
COMMENT ON COLUMN tracktik.v_batch_health.records_failed IS 'Staged records skipped as bad.';
COMMENT ON COLUMN tracktik.v_batch_health.failure_share IS 'records_failed / (records_processed + records_failed).';
COMMENT ON COLUMN tracktik.v_batch_health.error_issues IS 'Error-severity data-quality issues of the batch.';
COMMENT ON COLUMN tracktik.v_batch_health.warning_issues IS 'Warning-severity issues.';
COMMENT ON COLUMN tracktik.v_batch_health.info_issues IS 'Info-severity issues.';
COMMENT ON COLUMN tracktik.v_batch_health.error_sqlstate IS 'SQLSTATE of the last failed attempt.';
COMMENT ON COLUMN tracktik.v_batch_health.error_message IS 'Error of the last failed attempt (or why it was abandoned).';
COMMENT ON COLUMN tracktik.v_batch_health.shell_alive IS 'For a running batch: whether the session staging it still holds its liveness lock (false: the next run marks it abandoned). NULL otherwise.';
COMMENT ON COLUMN tracktik.v_batch_health.full_sync_resources IS 'Resources fetched completely in this batch.';

CREATE VIEW tracktik.v_sync_status AS
SELECT s.table_name AS resource,
       s.last_sync_timestamp,
       now() - s.last_sync_timestamp AS lag,
       s.last_successful_batch_id,
       b.completed_at AS last_successful_batch_completed_at,
       (s.sync_metadata ->> 'last_batch_at')::timestamptz AS last_batch_at,
       (s.sync_metadata ->> 'last_full_sync_at')::timestamptz AS last_full_sync_at,
       s.sync_metadata
  FROM tracktik.etl_sync_status AS s
  LEFT JOIN tracktik.etl_batches AS b ON b.batch_id = s.last_successful_batch_id;
COMMENT ON VIEW tracktik.v_sync_status IS
    'Incremental-sync watermarks per API resource with their lag behind now.';
COMMENT ON COLUMN tracktik.v_sync_status.resource IS 'API resource (regions, clients, positions, employees, shifts, position-bill-settings).';
COMMENT ON COLUMN tracktik.v_sync_status.last_sync_timestamp IS 'High-water mark: latest updatedOn / modifiedOn seen in completed batches.';
COMMENT ON COLUMN tracktik.v_sync_status.lag IS 'now() minus the mark: how far behind TrackTik the warehouse may be.';
COMMENT ON COLUMN tracktik.v_sync_status.last_successful_batch_id IS 'Completed batch that last advanced the mark.';
COMMENT ON COLUMN tracktik.v_sync_status.last_successful_batch_completed_at IS 'When that batch completed.';
COMMENT ON COLUMN tracktik.v_sync_status.last_batch_at IS 'When a completed batch last carried records of the resource.';
COMMENT ON COLUMN tracktik.v_sync_status.last_full_sync_at IS 'When the resource was last fully synced.';
COMMENT ON COLUMN tracktik.v_sync_status.sync_metadata IS 'Details of the last sync of the resource.';

CREATE VIEW tracktik.v_open_data_quality_issues AS
SELECT q.issue_id,
       q.created_at,
       now() - q.created_at AS age,
       q.severity,
       q.issue_type,
       q.table_name,
       q.record_id,
       q.issue_description,
       q.issue_data,
       q.batch_id,
       b.batch_type,
       b.status AS batch_status
  FROM tracktik.data_quality_issues AS q
  LEFT JOIN tracktik.etl_batches AS b ON b.batch_id = q.batch_id
 WHERE q.resolved_at IS NULL;
COMMENT ON VIEW tracktik.v_open_data_quality_issues IS
    'Data-quality issues nobody has resolved yet (resolve with UPDATE tracktik.data_quality_issues SET resolved_at = now(), resolution_note = ...).';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.issue_id IS 'Issue id.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.created_at IS 'When it was recorded.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.age IS 'How long it has been open.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.severity IS 'info, warning or error (error: the record was skipped).';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.issue_type IS 'Kind of problem (missing_required_field, missing_bill_rate, ...).';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.table_name IS 'Table or resource concerned.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.record_id IS 'Source id of the record.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.issue_description IS 'What is wrong.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.issue_data IS 'The offending values or record.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.batch_id IS 'Batch that found it.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.batch_type IS 'Type of that batch.';
COMMENT ON COLUMN tracktik.v_open_data_quality_issues.batch_status IS 'Status of that batch.';

-- ---------------------------------------------------------------- privileges

REVOKE ALL ON tracktik.v_current_regions, tracktik.v_current_clients, tracktik.v_current_positions,
              tracktik.v_current_employees, tracktik.v_region_markets, tracktik.v_billing_period_summary,
              tracktik.mv_billing_period_totals, tracktik.v_standby_watch_posts, tracktik.v_batch_health,
              tracktik.v_sync_status, tracktik.v_open_data_quality_issues
    FROM PUBLIC, tracktik_loader, tracktik_reader;
GRANT SELECT ON tracktik.v_current_regions, tracktik.v_current_clients, tracktik.v_current_positions,
                tracktik.v_current_employees, tracktik.v_region_markets, tracktik.v_billing_period_summary,
                tracktik.mv_billing_period_totals, tracktik.v_standby_watch_posts, tracktik.v_batch_health,
                tracktik.v_sync_status, tracktik.v_open_data_quality_issues
    TO tracktik_reader;
