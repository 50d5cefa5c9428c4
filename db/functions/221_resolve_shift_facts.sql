-- tracktik._resolve_shift_facts(batch, reprocessing) -> counts. Step 2 of the shift load: turn
-- the usable rows of pg_temp.tt_shift_src into fact rows (pg_temp.tt_fact_new) with
-- dimensions, time zone, local date, billing period and hours (the record itself stays in its
-- source, referenced by src_tid); ensure the partitions.
--
--   * unknown employee / position ids become inferred members
--     (tracktik.ensure_inferred_members, in merge order: positions, then employees);
--   * dimension versions valid at shift start: the version whose validity started last at or
--     before the start, else the earliest (exactly tracktik.*_key_at, set-based); the site
--     (client_id) is the position's site in that version, the region the site's region in
--     the site's version at shift start;
--   * time zone: the shift's timeZone, else the site's, else the region's, else
--     tracktik.settings.default_time_zone. A name counts only when it is in pg_timezone_names
--     (case-insensitively): a POSIX offset string such as "UTC+5", which PostgreSQL would
--     accept with the opposite sign, or an abbreviation, is never applied; the shift's own is
--     reported as an invalid_time_zone warning (a site's or region's by
--     tracktik._resolve_data_quality_issues); a name longer than 64 characters is unknown
--     without looking it up (IANA names are short; a 1 MB string must not reach the index of
--     pg_temp.tt_zones);
--   * shift_date = local date of the start; its period = the billing period of that date;
--   * hours by DESIGN.md section 5 (rounded to 0.01);
--   * billing_variance warning where the record's own billableHours / payableHours differ
--     from ours by more than 0.01 (not repeated when reprocessing).
-- An issue is recorded once while the same one (table, shift id, issue type) is open.
-- Result: {"facts", "inferred", "variances", "periods", "partitions_created"}.
CREATE OR REPLACE FUNCTION tracktik._resolve_shift_facts(p_batch_id uuid, p_reprocessing boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
SET default_statistics_target = 10  -- ANALYZE of the work tables: a 3,000-row sample gives the planner
                                    -- sizes and distinct counts; the default 30,000 cost ~0.1 s per table
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
AS $$
DECLARE
    v_settings    tracktik.settings;
    v_ids         bigint[];
    v_positions   bigint[];
    v_employees   bigint[];
    v_zones       text[];
    v_inferred    integer := 0;
    v_facts       integer;
    v_variances   integer := 0;
    v_periods     integer;
    v_created     integer;
BEGIN
    SELECT * INTO v_settings FROM tracktik.settings;

    -- the ids and zone names in play, in one pass over the usable rows
    SELECT pg_catalog.array_agg(DISTINCT s.position_id),
           pg_catalog.array_agg(DISTINCT s.employee_id) FILTER (WHERE s.employee_id IS NOT NULL),
           pg_catalog.array_agg(DISTINCT s.tz_text) FILTER (WHERE s.tz_text IS NOT NULL)
      INTO v_positions, v_employees, v_zones
      FROM pg_temp.tt_shift_src AS s
     WHERE s.problem IS NULL AND s.dup_rank = 1;

    -- inferred members for unknown references (merge order: positions before employees)
    SELECT pg_catalog.array_agg(u.id ORDER BY u.id) INTO v_ids
      FROM pg_catalog.unnest(v_positions) AS u(id)
     WHERE NOT EXISTS (SELECT 1 FROM tracktik.dim_positions AS d WHERE d.position_id = u.id);
    IF v_ids IS NOT NULL THEN
        v_inferred := v_inferred + tracktik.ensure_inferred_members('positions', v_ids, p_batch_id);
    END IF;
    SELECT pg_catalog.array_agg(u.id ORDER BY u.id) INTO v_ids
      FROM pg_catalog.unnest(v_employees) AS u(id)
     WHERE NOT EXISTS (SELECT 1 FROM tracktik.dim_employees AS d WHERE d.employee_id = u.id);
    IF v_ids IS NOT NULL THEN
        v_inferred := v_inferred + tracktik.ensure_inferred_members('employees', v_ids, p_batch_id);
    END IF;

    -- time zones: which of the names in play are time zones of pg_timezone_names (read once;
    -- PostgreSQL's own parser would also accept POSIX strings such as "UTC+5", with the sign
    -- the other way round, which must never be applied). Only names of at most 64 characters
    -- are looked up and kept: a longer one (IANA names are short) is not in tt_zones, and a
    -- name not in tt_zones counts as unknown below; a huge string in a record must not reach
    -- the primary-key index (54000, and every re-run would fail).
    DROP TABLE IF EXISTS pg_temp.tt_zones;
    CREATE TEMPORARY TABLE tt_zones (name text PRIMARY KEY, known boolean NOT NULL) ON COMMIT DROP;
    INSERT INTO pg_temp.tt_zones (name, known)
    SELECT z.name, pg_catalog.lower(z.name) IN (SELECT pg_catalog.lower(n.name) FROM pg_catalog.pg_timezone_names AS n)
      FROM (SELECT u.name FROM pg_catalog.unnest(v_zones) AS u(name)
            UNION SELECT c.time_zone FROM tracktik.dim_clients AS c WHERE c.time_zone IS NOT NULL
            UNION SELECT r.time_zone FROM tracktik.dim_regions AS r WHERE r.time_zone IS NOT NULL
            UNION SELECT v_settings.default_time_zone) AS z
     WHERE pg_catalog.length(z.name) <= 64;
    IF NOT coalesce((SELECT z.known FROM pg_temp.tt_zones AS z WHERE z.name = v_settings.default_time_zone), false) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT021',
            MESSAGE = pg_catalog.format('tracktik.settings.default_time_zone %L is not a time zone of pg_timezone_names',
                                        v_settings.default_time_zone),
            HINT    = 'Set it to an IANA name, e.g. UPDATE tracktik.settings SET default_time_zone = ''America/Los_Angeles''.';
    END IF;

    -- fact rows
    DROP TABLE IF EXISTS pg_temp.tt_fact_new;
    CREATE TEMPORARY TABLE tt_fact_new (
        shift_id          bigint       NOT NULL,
        employee_id       bigint,
        position_id       bigint,
        client_id         bigint,
        region_id         bigint,
        employee_key      bigint,
        position_key      bigint,
        client_key        bigint,
        shift_date        date         NOT NULL,
        period_start      date         NOT NULL,
        start_datetime    timestamptz  NOT NULL,
        end_datetime      timestamptz  NOT NULL,
        time_zone         text         NOT NULL,
        status            text         NOT NULL,
        scheduled_hours   numeric(10,2),
        clocked_hours     numeric(10,2),
        approved_hours    numeric(10,2),
        billable_hours    numeric(10,2),
        payable_hours     numeric(10,2),
        src_tid           tid          NOT NULL,
        summary_billable  numeric,
        summary_payable   numeric,
        bad_zone          text,
        stamp             timestamptz  -- the record's updatedOn / modifiedOn (step 1), for step 3
    ) ON COMMIT DROP;

    -- the position and employee versions in play with their validity [lo, hi), as analyzed
    -- work tables: with their statistics the planner hashes these few thousand rows, not the
    -- 100,000 shifts (a CTE has no distinct count, so its hash buckets looked crowded)
    DROP TABLE IF EXISTS pg_temp.tt_pv;
    CREATE TEMPORARY TABLE tt_pv ON COMMIT DROP AS
        SELECT d.position_id, d.surrogate_key, d.client_id, d.non_billable,
               CASE WHEN pg_catalog.lag(d.valid_from) OVER w IS NULL THEN '-infinity'::timestamptz ELSE d.valid_from END AS lo,
               coalesce(pg_catalog.lead(d.valid_from) OVER w, 'infinity'::timestamptz) AS hi
          FROM tracktik.dim_positions AS d
         WHERE d.position_id = ANY (v_positions)
        WINDOW w AS (PARTITION BY d.position_id ORDER BY d.valid_from);
    ANALYZE pg_temp.tt_pv;
    DROP TABLE IF EXISTS pg_temp.tt_ev;
    CREATE TEMPORARY TABLE tt_ev ON COMMIT DROP AS
        SELECT d.employee_id, d.surrogate_key,
               CASE WHEN pg_catalog.lag(d.valid_from) OVER w IS NULL THEN '-infinity'::timestamptz ELSE d.valid_from END AS lo,
               coalesce(pg_catalog.lead(d.valid_from) OVER w, 'infinity'::timestamptz) AS hi
          FROM tracktik.dim_employees AS d
         WHERE d.employee_id = ANY (v_employees)
        WINDOW w AS (PARTITION BY d.employee_id ORDER BY d.valid_from);
    ANALYZE pg_temp.tt_ev;

    INSERT INTO pg_temp.tt_fact_new
    WITH pv AS NOT MATERIALIZED (   -- inlined: the table's statistics reach the planner
        SELECT * FROM pg_temp.tt_pv
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
        SELECT * FROM pg_temp.tt_ev
    ), resolved AS (
        SELECT s.shift_id, s.employee_id, s.position_id, p.client_id, c.region_id,
               e.surrogate_key AS employee_key, p.surrogate_key AS position_key, c.surrogate_key AS client_key,
               s.start_at, s.end_at, s.status, s.src_tid, s.summary_billable, s.summary_payable,
               s.stamp, s.break_minutes, s.billable_flag, s.payable_flag,
               pg_catalog.round(s.clocked, 2) AS clocked, pg_catalog.round(s.approved, 2) AS approved,
               coalesce(p.non_billable, false) AS non_billable,
               CASE WHEN zs.known THEN s.tz_text
                    WHEN zc.known THEN c.time_zone
                    WHEN zr.known THEN r.time_zone
                    ELSE v_settings.default_time_zone END AS tz,
               CASE WHEN s.tz_text IS NOT NULL AND zs.known IS NOT TRUE THEN s.tz_text END AS bad_zone
          FROM pg_temp.tt_shift_src AS s
          LEFT JOIN pv AS p ON p.position_id = s.position_id AND s.start_at >= p.lo AND s.start_at < p.hi
          LEFT JOIN cv AS c ON c.client_id = p.client_id AND s.start_at >= c.lo AND s.start_at < c.hi
          LEFT JOIN rv AS r ON r.region_id = c.region_id AND s.start_at >= r.lo AND s.start_at < r.hi
          LEFT JOIN ev AS e ON e.employee_id = s.employee_id AND s.start_at >= e.lo AND s.start_at < e.hi
          LEFT JOIN pg_temp.tt_zones AS zs ON zs.name = s.tz_text
          LEFT JOIN pg_temp.tt_zones AS zc ON zc.name = c.time_zone
          LEFT JOIN pg_temp.tt_zones AS zr ON zr.name = r.time_zone
         WHERE s.problem IS NULL AND s.dup_rank = 1
        OFFSET 0   -- each derived column computed once per row, not once per reference
    ), dated AS (
        SELECT x.*,
               (x.start_at AT TIME ZONE x.tz)::date AS local_date,
               upper(x.status) = 'CANCELLED' AS cancelled,
               pg_catalog.round(greatest(extract(epoch FROM x.end_at - x.start_at) / 3600
                                         - coalesce(x.break_minutes, 0) / 60, 0), 2) AS scheduled
          FROM resolved AS x
        OFFSET 0
    )
    SELECT d.shift_id, d.employee_id, d.position_id, d.client_id, d.region_id,
           d.employee_key, d.position_key, d.client_key,
           d.local_date,
           v_settings.calendar_anchor_date
             + v_settings.period_length_days
               * pg_catalog.floor((d.local_date - v_settings.calendar_anchor_date)::numeric
                                  / v_settings.period_length_days)::integer,
           d.start_at, d.end_at, d.tz, d.status,
           d.scheduled, d.clocked, d.approved,
           -- billable: 0 if cancelled, not billable or a non-billable post; else approved,
           -- else least(clocked, scheduled) when clocked, else scheduled
           CASE WHEN d.cancelled OR d.billable_flag IS FALSE OR d.non_billable THEN 0
                WHEN d.approved IS NOT NULL THEN d.approved
                WHEN d.clocked IS NOT NULL THEN least(d.clocked, d.scheduled)
                ELSE d.scheduled END,
           -- payable: 0 if cancelled or not payable; else approved, else clocked, else scheduled
           CASE WHEN d.cancelled OR d.payable_flag IS FALSE THEN 0
                ELSE coalesce(d.approved, d.clocked, d.scheduled) END,
           d.src_tid, d.summary_billable, d.summary_payable, d.bad_zone, d.stamp
      FROM dated AS d;
    GET DIAGNOSTICS v_facts = ROW_COUNT;
    ANALYZE pg_temp.tt_fact_new (shift_id, employee_id, period_start, shift_date);

    IF NOT p_reprocessing THEN
        -- warnings: a time zone name nobody knows; TrackTik's own figures differ from ours
        -- (not when the same issue of the shift is still open; the whole name is in issue_data,
        -- a long one is not repeated in the description)
        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT p_batch_id, 'fact_shifts', n.shift_id::text, 'invalid_time_zone', 'warning',
               CASE WHEN pg_catalog.length(n.bad_zone) <= 64
                    THEN pg_catalog.format('shifts record %s: timeZone %L is not a time zone of pg_timezone_names (never applied); used %s',
                                           n.shift_id, n.bad_zone, n.time_zone)
                    ELSE pg_catalog.format('shifts record %s: timeZone of %s characters (%s...) is not a time zone; used %s',
                                           n.shift_id, pg_catalog.length(n.bad_zone), pg_catalog.left(n.bad_zone, 64), n.time_zone) END,
               pg_catalog.jsonb_build_object('timeZone', n.bad_zone, 'used', n.time_zone)
          FROM pg_temp.tt_fact_new AS n
         WHERE n.bad_zone IS NOT NULL
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;

        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT p_batch_id, 'fact_shifts', n.shift_id::text, 'billing_variance', 'warning',
               pg_catalog.format('TrackTik''s own figures differ from ours: billableHours %s (ours %s), payableHours %s (ours %s)',
                                 n.summary_billable, n.billable_hours, n.summary_payable, n.payable_hours),
               pg_catalog.jsonb_build_object('billableHours', n.summary_billable, 'billable_hours', n.billable_hours,
                                             'payableHours', n.summary_payable, 'payable_hours', n.payable_hours)
          FROM pg_temp.tt_fact_new AS n
         WHERE (abs(n.summary_billable - n.billable_hours) > 0.01
                OR abs(n.summary_payable - n.payable_hours) > 0.01)
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
        GET DIAGNOSTICS v_variances = ROW_COUNT;
    END IF;

    -- billing periods of the dates, and their partitions
    DROP TABLE IF EXISTS pg_temp.tt_periods;
    CREATE TEMPORARY TABLE tt_periods ON COMMIT DROP AS
    SELECT b.period_id, b.start_date, b.end_date
      FROM (SELECT DISTINCT n.period_start FROM pg_temp.tt_fact_new AS n) AS d
     CROSS JOIN LATERAL tracktik.billing_period_bounds(d.period_start) AS b;
    GET DIAGNOSTICS v_periods = ROW_COUNT;
    -- a handful of rows, but step 3 joins 100,000 new rows to it: without statistics the planner
    -- assumes 1,200 rows and sorts both sides for a merge join
    ANALYZE pg_temp.tt_periods;
    v_created := tracktik.ensure_billing_periods(ARRAY(SELECT p.start_date FROM pg_temp.tt_periods AS p));

    RETURN pg_catalog.jsonb_build_object('facts', v_facts, 'inferred', v_inferred, 'variances', v_variances,
                                         'periods', v_periods, 'partitions_created', v_created);
END
$$;

COMMENT ON FUNCTION tracktik._resolve_shift_facts(uuid, boolean) IS
    'Internal step 2 of the shift load: resolves dimensions (inferred members for unknown ids), time zone, local date, billing period and hours of the parsed shifts into pg_temp.tt_fact_new; ensures the partitions; records invalid_time_zone (a shift time zone not in pg_timezone_names, never applied) and billing_variance warnings, once while open.';
