-- tracktik._rekey_facts(batch) -> counts: after a merge (tracktik.merge_dimensions calls it), the
-- stored facts whose dimension keys are no longer the versions valid at their shift start
-- (DESIGN.md section 4: the version whose validity started last at or before the start, else
-- the earliest) are re-keyed, set-based, and their employee-weeks re-billed where something
-- billing reads changed.
--
--   scope    the members whose versions this batch wrote (etl_batch_id = batch: new, changed,
--            late, reopened, filled inferred versions) in dim_positions, dim_clients and
--            dim_employees; their stored facts from the earliest start such a version now
--            covers (from -infinity when the batch wrote an id's earliest version, which the
--            older shifts take), partitions pruned to the periods from that date on;
--   correct  exactly as the shift load resolves a fact (tracktik._resolve_shift_facts):
--            employee_key, position_key of the versions valid at start; client_id = the
--            post's site in that version; client_key of the site's version valid at start;
--            region_id = the site's region in it; billable_hours again from the stored hours
--            (the post's non_billable may have changed: 0 for a non-billable post, else
--            approved, else least(clocked, scheduled), else scheduled; 0 if cancelled or the
--            record says billable false);
--   write    rows that differ in any of those columns are updated (etl_batch_id = batch);
--   re-bill  the employee-weeks of rows whose client_id, region_id or billable_hours changed
--            (site rates, the region's overtime rules and holidays, non_billable), whole, by
--            tracktik._bill_employee_weeks, under the fact table's advisory lock.
--   zone     a re-keyed shift without a usable timeZone of its own takes its site's (else its
--            region's, else the default) zone: where that zone changed, the shift's billing
--            period is derived again from the stored raw_data (tracktik._load_shifts with the
--            period: local date, period move, hours, billing of the whole period), as
--            reprocess_billing_period does.
--
-- The counts are returned and left in pg_temp.tt_rekey_counts (one row; recreated by every
-- call) for tracktik._process_batch, which reports them in etl_batches.metadata->'facts':
-- {"rekeyed", "rekey_weeks_billed", "rekey_rows_rebilled", "rekey_periods_reprocessed"}.
CREATE OR REPLACE FUNCTION tracktik._rekey_facts(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
AS $$
DECLARE
    v_positions  bigint[];
    v_clients    bigint[];
    v_employees  bigint[];
    v_from       timestamptz;
    v_pos_from   timestamptz;
    v_cli_from   timestamptz;
    v_emp_from   timestamptz;
    v_period     text := '';
    v_pos_period text := '';
    v_cli_period text := '';
    v_emp_period text := '';
    v_rekeyed    integer := 0;
    v_weeks      integer := 0;
    v_bill       jsonb;
    v_counts     jsonb;
    v_reprocess  text;
    v_periods    integer := 0;
    v_default_zone text;
BEGIN
    SELECT s.default_time_zone INTO v_default_zone FROM tracktik.settings AS s;
    DROP TABLE IF EXISTS pg_temp.tt_rekey_counts;
    CREATE TEMPORARY TABLE tt_rekey_counts (counts jsonb NOT NULL) ON COMMIT DROP;

    -- scope: the ids whose versions this batch wrote, and the earliest start they now cover
    -- (not looked for when there is no stored fact at all: nothing to re-key)
    IF EXISTS (SELECT 1 FROM tracktik.fact_shifts AS f) THEN
        WITH written AS (
            SELECT 'p'::"char" AS dim, d.position_id AS id, d.valid_from,
                   NOT EXISTS (SELECT 1 FROM tracktik.dim_positions AS e
                                WHERE e.position_id = d.position_id AND e.valid_from < d.valid_from) AS earliest
              FROM tracktik.dim_positions AS d WHERE d.etl_batch_id = p_batch_id
            UNION ALL
            SELECT 'c', d.client_id, d.valid_from,
                   NOT EXISTS (SELECT 1 FROM tracktik.dim_clients AS e
                                WHERE e.client_id = d.client_id AND e.valid_from < d.valid_from)
              FROM tracktik.dim_clients AS d WHERE d.etl_batch_id = p_batch_id
            UNION ALL
            SELECT 'e', d.employee_id, d.valid_from,
                   NOT EXISTS (SELECT 1 FROM tracktik.dim_employees AS e
                                WHERE e.employee_id = d.employee_id AND e.valid_from < d.valid_from)
              FROM tracktik.dim_employees AS d WHERE d.etl_batch_id = p_batch_id
        )
        SELECT pg_catalog.array_agg(DISTINCT w.id) FILTER (WHERE w.dim = 'p'),
               pg_catalog.array_agg(DISTINCT w.id) FILTER (WHERE w.dim = 'c'),
               pg_catalog.array_agg(DISTINCT w.id) FILTER (WHERE w.dim = 'e'),
               min(CASE WHEN w.earliest THEN '-infinity'::timestamptz ELSE w.valid_from END) FILTER (WHERE w.dim = 'p'),
               min(CASE WHEN w.earliest THEN '-infinity'::timestamptz ELSE w.valid_from END) FILTER (WHERE w.dim = 'c'),
               min(CASE WHEN w.earliest THEN '-infinity'::timestamptz ELSE w.valid_from END) FILTER (WHERE w.dim = 'e')
          INTO v_positions, v_clients, v_employees, v_pos_from, v_cli_from, v_emp_from
          FROM written AS w;
    END IF;
    v_from := least(v_pos_from, v_cli_from, v_emp_from);

    IF v_from IS NOT NULL THEN
        -- lock: one writer of the fact table at a time (after the dimension locks of the merge)
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tracktik.fact_shifts'));

        -- periods that may hold such facts: a shift's local date is at most a day before its
        -- start in UTC ('' = every period; period ids sort in time order)
        IF pg_catalog.isfinite(v_from) THEN
            v_period := tracktik.get_billing_period((v_from AT TIME ZONE 'UTC')::date - 1);
        END IF;
        IF pg_catalog.isfinite(v_pos_from) THEN
            v_pos_period := tracktik.get_billing_period((v_pos_from AT TIME ZONE 'UTC')::date - 1);
        END IF;
        IF pg_catalog.isfinite(v_cli_from) THEN
            v_cli_period := tracktik.get_billing_period((v_cli_from AT TIME ZONE 'UTC')::date - 1);
        END IF;
        IF pg_catalog.isfinite(v_emp_from) THEN
            v_emp_period := tracktik.get_billing_period((v_emp_from AT TIME ZONE 'UTC')::date - 1);
        END IF;

        DROP TABLE IF EXISTS pg_temp.tt_rekey;
        CREATE TEMPORARY TABLE tt_rekey ON COMMIT DROP AS
        WITH cand AS (
            -- one branch per dimension, each with its own bound (a branch without ids is not
            -- run; the employees' one can use the index on employee_id)
            SELECT f.billing_period_id, f.shift_id, f.employee_id, f.position_id, f.client_id, f.region_id,
                   f.employee_key, f.position_key, f.client_key, f.shift_date, f.start_datetime,
                   f.status, f.scheduled_hours, f.clocked_hours, f.approved_hours, f.billable_hours,
                   tracktik._json_boolean(f.raw_data -> 'billable') AS billable_flag,
                   f.time_zone, nullif(f.raw_data ->> 'timeZone', '') AS own_zone
              FROM tracktik.fact_shifts AS f
             WHERE v_positions IS NOT NULL
               AND f.billing_period_id >= v_pos_period AND f.start_datetime >= v_pos_from
               AND f.position_id = ANY (v_positions)
            UNION
            SELECT f.billing_period_id, f.shift_id, f.employee_id, f.position_id, f.client_id, f.region_id,
                   f.employee_key, f.position_key, f.client_key, f.shift_date, f.start_datetime,
                   f.status, f.scheduled_hours, f.clocked_hours, f.approved_hours, f.billable_hours,
                   tracktik._json_boolean(f.raw_data -> 'billable'),
                   f.time_zone, nullif(f.raw_data ->> 'timeZone', '')
              FROM tracktik.fact_shifts AS f
             WHERE v_clients IS NOT NULL
               AND f.billing_period_id >= v_cli_period AND f.start_datetime >= v_cli_from
               AND f.client_id = ANY (v_clients)
            UNION
            SELECT f.billing_period_id, f.shift_id, f.employee_id, f.position_id, f.client_id, f.region_id,
                   f.employee_key, f.position_key, f.client_key, f.shift_date, f.start_datetime,
                   f.status, f.scheduled_hours, f.clocked_hours, f.approved_hours, f.billable_hours,
                   tracktik._json_boolean(f.raw_data -> 'billable'),
                   f.time_zone, nullif(f.raw_data ->> 'timeZone', '')
              FROM tracktik.fact_shifts AS f
             WHERE v_employees IS NOT NULL
               AND f.billing_period_id >= v_emp_period AND f.start_datetime >= v_emp_from
               AND f.employee_id = ANY (v_employees)
        ), pv AS (
            SELECT d.position_id, d.surrogate_key, d.client_id, d.non_billable,
                   CASE WHEN pg_catalog.lag(d.valid_from) OVER w IS NULL THEN '-infinity'::timestamptz ELSE d.valid_from END AS lo,
                   coalesce(pg_catalog.lead(d.valid_from) OVER w, 'infinity'::timestamptz) AS hi
              FROM tracktik.dim_positions AS d
             WHERE d.position_id IN (SELECT c.position_id FROM cand AS c)
            WINDOW w AS (PARTITION BY d.position_id ORDER BY d.valid_from)
        ), cv AS (
            SELECT d.client_id, d.surrogate_key, d.region_id, d.time_zone,
                   CASE WHEN pg_catalog.lag(d.valid_from) OVER w IS NULL THEN '-infinity'::timestamptz ELSE d.valid_from END AS lo,
                   coalesce(pg_catalog.lead(d.valid_from) OVER w, 'infinity'::timestamptz) AS hi
              FROM tracktik.dim_clients AS d
             WHERE d.client_id IN (SELECT p.client_id FROM pv AS p)
            WINDOW w AS (PARTITION BY d.client_id ORDER BY d.valid_from)
        ), rv AS (
            SELECT d.region_id, d.time_zone,
                   CASE WHEN pg_catalog.lag(d.valid_from) OVER w IS NULL THEN '-infinity'::timestamptz ELSE d.valid_from END AS lo,
                   coalesce(pg_catalog.lead(d.valid_from) OVER w, 'infinity'::timestamptz) AS hi
              FROM tracktik.dim_regions AS d
             WHERE d.region_id IN (SELECT c.region_id FROM cv AS c)
            WINDOW w AS (PARTITION BY d.region_id ORDER BY d.valid_from)
        ), ev AS (
            SELECT d.employee_id, d.surrogate_key,
                   CASE WHEN pg_catalog.lag(d.valid_from) OVER w IS NULL THEN '-infinity'::timestamptz ELSE d.valid_from END AS lo,
                   coalesce(pg_catalog.lead(d.valid_from) OVER w, 'infinity'::timestamptz) AS hi
              FROM tracktik.dim_employees AS d
             WHERE d.employee_id IN (SELECT c.employee_id FROM cand AS c)
            WINDOW w AS (PARTITION BY d.employee_id ORDER BY d.valid_from)
        ), resolved AS (
            SELECT c.*,
                   e.surrogate_key AS new_employee_key, p.surrogate_key AS new_position_key,
                   p.client_id AS new_client_id, cl.surrogate_key AS new_client_key, cl.region_id AS new_region_id,
                   CASE WHEN pg_catalog.upper(c.status) = 'CANCELLED' OR c.billable_flag IS FALSE
                          OR coalesce(p.non_billable, false) THEN 0
                        WHEN c.approved_hours IS NOT NULL THEN c.approved_hours
                        WHEN c.clocked_hours IS NOT NULL THEN least(c.clocked_hours, c.scheduled_hours)
                        ELSE c.scheduled_hours END::numeric(10,2) AS new_billable_hours,
                   -- the zone of a shift without a usable own timeZone follows its site
                   c.time_zone IS DISTINCT FROM c.own_zone
                   AND c.time_zone IS DISTINCT FROM coalesce(cl.time_zone, r.time_zone, v_default_zone) AS zone_moved
              FROM cand AS c
              LEFT JOIN pv AS p ON p.position_id = c.position_id AND c.start_datetime >= p.lo AND c.start_datetime < p.hi
              LEFT JOIN cv AS cl ON cl.client_id = p.client_id AND c.start_datetime >= cl.lo AND c.start_datetime < cl.hi
              LEFT JOIN rv AS r ON r.region_id = cl.region_id AND c.start_datetime >= r.lo AND c.start_datetime < r.hi
              LEFT JOIN ev AS e ON e.employee_id = c.employee_id AND c.start_datetime >= e.lo AND c.start_datetime < e.hi
            OFFSET 0
        )
        SELECT r.*,
               (r.client_id, r.region_id, r.billable_hours)
                   IS DISTINCT FROM (r.new_client_id, r.new_region_id, r.new_billable_hours) AS rebill
          FROM resolved AS r
         WHERE (r.employee_key, r.position_key, r.client_id, r.client_key, r.region_id, r.billable_hours)
               IS DISTINCT FROM
               (r.new_employee_key, r.new_position_key, r.new_client_id, r.new_client_key, r.new_region_id,
                r.new_billable_hours);
        GET DIAGNOSTICS v_rekeyed = ROW_COUNT;

        IF v_rekeyed > 0 THEN
            UPDATE tracktik.fact_shifts AS f
               SET employee_key   = r.new_employee_key,
                   position_key   = r.new_position_key,
                   client_id      = r.new_client_id,
                   client_key     = r.new_client_key,
                   region_id      = r.new_region_id,
                   billable_hours = r.new_billable_hours,
                   etl_batch_id   = p_batch_id,
                   updated_at     = pg_catalog.now()
              FROM pg_temp.tt_rekey AS r
             WHERE f.billing_period_id = r.billing_period_id AND f.shift_id = r.shift_id
               AND f.billing_period_id >= v_period;

            -- re-bill whole employee-weeks where a billing input changed
            IF EXISTS (SELECT 1 FROM pg_temp.tt_rekey AS r WHERE r.rebill) THEN
                PERFORM tracktik._create_billing_worktables();
                INSERT INTO pg_temp.tt_bill_weeks (billing_period_id, employee_id, week_start)
                SELECT DISTINCT r.billing_period_id, r.employee_id,
                       bp.start_date + 7 * ((r.shift_date - bp.start_date) / 7)
                  FROM pg_temp.tt_rekey AS r
                  JOIN tracktik.billing_periods AS bp ON bp.period_id = r.billing_period_id
                 WHERE r.rebill
                ON CONFLICT DO NOTHING;
                GET DIAGNOSTICS v_weeks = ROW_COUNT;
                v_bill := tracktik._bill_employee_weeks(p_batch_id);
            END IF;

            -- a shift whose zone (so local date, maybe period) came from the site that changed:
            -- its period is derived again from the stored raw_data, as a reprocess does
            FOR v_reprocess IN
                SELECT DISTINCT r.billing_period_id FROM pg_temp.tt_rekey AS r
                 WHERE r.zone_moved ORDER BY 1
            LOOP
                PERFORM tracktik._load_shifts(p_batch_id, v_reprocess);
                v_periods := v_periods + 1;
            END LOOP;
        END IF;
    END IF;

    v_counts := pg_catalog.jsonb_build_object(
        'rekeyed', v_rekeyed,
        'rekey_weeks_billed', v_weeks,
        'rekey_rows_rebilled', coalesce((v_bill ->> 'stored_rows_updated')::integer, 0),
        'rekey_periods_reprocessed', v_periods);
    INSERT INTO pg_temp.tt_rekey_counts (counts) VALUES (v_counts);
    RETURN v_counts;
END
$$;

COMMENT ON FUNCTION tracktik._rekey_facts(uuid) IS
    'Internal (merge_dimensions): re-keys, set-based, the stored facts of the members whose versions a batch wrote to the versions valid at their shift start (employee_key, position_key, client_id, client_key, region_id, and billable_hours by the post''s non_billable), and re-bills whole the employee-weeks whose site, region or billable hours changed. Returns {rekeyed, rekey_weeks_billed, rekey_rows_rebilled}, also left in pg_temp.tt_rekey_counts.';
