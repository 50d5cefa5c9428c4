-- tracktik._stage_fact_changes(batch, period) -> counts. Step 3 of the shift load: compare the
-- resolved rows (pg_temp.tt_fact_new) with the stored facts and keep only what changes
-- (pg_temp.tt_pending), and list the employee-workweeks to bill whole (pg_temp.tt_bill_weeks).
--
--   unchanged  every non-billing column equal (raw_data included): dropped, never rewritten
--   changed    stored in the same period with other content
--   new        stored nowhere
--   moved      stored in ANOTHER period (its local start date moved): the old row is deleted
--              when the new one is written, so a shift id is never in two periods. A shift
--              found in two other periods at once violates that invariant: TT020.
--   stale      changed or moved, but the record's stamp (updatedOn / modifiedOn, the later
--              of the two, as step 1 ranks duplicates) is strictly older than the stamp in
--              the stored row's raw_data: an older batch processed after a newer one. The
--              stored row is kept (not updated, moved or billed again) and a stale_record
--              info issue recorded. A record or stored row without a valid stamp, or an
--              equal or newer stamp, is compared by content as above.
--
--   suppressed a record of a shift that a /shift-logs REMOVED entry of this batch deleted
--              (pg_temp.tt_deleted_shifts, learned_from shift_log: the entry is newer than the
--              record) is dropped: a deleted shift is not loaded again by its older copy.
--
-- Weeks to bill: the week each pending row lands in, the week a changed or moved row leaves,
-- the weeks holding stored shifts of a position whose TrackTik bill setting changed in this
-- batch (pg_temp.tt_rate_changes, from its effective date), the weeks of shifts this batch
-- deleted (pg_temp.tt_deleted_shifts), and with p_period_id every week of that period
-- (reprocessing).
CREATE OR REPLACE FUNCTION tracktik._stage_fact_changes(p_batch_id uuid, p_period_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
SET default_statistics_target = 10  -- ANALYZE of the work tables: a 3,000-row sample gives the planner
                                    -- sizes and distinct counts; the default 30,000 cost ~0.1 s per table
AS $$
DECLARE
    v_periods    text[];
    v_pending    integer;
    v_moved      integer;
    v_new        integer;
    v_stale      integer;
    v_conflict   record;
    v_weeks      integer;
    v_suppressed integer := 0;
BEGIN
    PERFORM tracktik._create_billing_worktables();
    v_periods := ARRAY(SELECT p.period_id FROM pg_temp.tt_periods AS p);

    -- compare: same period by primary key (partitions pruned to the batch's periods); other
    -- periods by shift id only for rows not found in their own period. A record stamped
    -- (updatedOn / modifiedOn, as step 1 ranks duplicates) strictly before the stored row of
    -- its shift is 'stale': kept here only until the guard below has seen it
    INSERT INTO pg_temp.tt_pending
    SELECT c.shift_id, c.billing_period_id, c.week_start,
           c.employee_id, c.position_id, c.client_id, c.region_id,
           c.employee_key, c.position_key, c.client_key, c.shift_date, c.start_datetime, c.end_datetime,
           c.time_zone, c.status, c.scheduled_hours, c.clocked_hours, c.approved_hours,
           c.billable_hours, c.payable_hours, c.src_tid,
           CASE WHEN c.stamp < c.stored_stamp THEN 'stale' ELSE c.change END,
           c.old_period_id, c.old_shift_date, c.old_employee_id, c.old_week_start,
           c.stamp, c.stored_stamp
      FROM (
        SELECT n.shift_id, pp.period_id AS billing_period_id,
               pp.start_date + 7 * ((n.shift_date - pp.start_date) / 7) AS week_start,
               n.employee_id, n.position_id, n.client_id, n.region_id,
               n.employee_key, n.position_key, n.client_key, n.shift_date, n.start_datetime, n.end_datetime,
               n.time_zone, n.status, n.scheduled_hours, n.clocked_hours, n.approved_hours,
               n.billable_hours, n.payable_hours, n.src_tid,
               CASE WHEN f.shift_id IS NOT NULL THEN 'changed' WHEN o.shift_id IS NOT NULL THEN 'moved' ELSE 'new' END AS change,
               coalesce(f.billing_period_id, o.billing_period_id) AS old_period_id,
               coalesce(f.shift_date, o.shift_date) AS old_shift_date,
               coalesce(f.employee_id, o.employee_id) AS old_employee_id,
               CASE WHEN f.shift_id IS NOT NULL THEN pp.start_date + 7 * ((f.shift_date - pp.start_date) / 7)
                    WHEN o.shift_id IS NOT NULL THEN o.period_start + 7 * ((o.shift_date - o.period_start) / 7)
               END AS old_week_start,
               n.stamp,
               -- the stored row's stamp, read like step 1 reads a record's (exact check: a bad
               -- text is no stamp); only where the record has one to compare
               CASE WHEN n.stamp IS NOT NULL AND (f.shift_id IS NOT NULL OR o.shift_id IS NOT NULL) THEN
                   GREATEST(
                       CASE WHEN tracktik._is_iso_timestamptz(coalesce(f.raw_data, o.raw_data) ->> 'updatedOn')
                            THEN (coalesce(f.raw_data, o.raw_data) ->> 'updatedOn')::timestamptz END,
                       CASE WHEN tracktik._is_iso_timestamptz(coalesce(f.raw_data, o.raw_data) ->> 'modifiedOn')
                            THEN (coalesce(f.raw_data, o.raw_data) ->> 'modifiedOn')::timestamptz END)
               END AS stored_stamp
          FROM pg_temp.tt_fact_new AS n
          JOIN pg_temp.tt_periods AS pp ON pp.start_date = n.period_start
          LEFT JOIN tracktik.fact_shifts AS f
            ON f.billing_period_id = pp.period_id AND f.shift_id = n.shift_id
           AND f.billing_period_id = ANY (v_periods)
          LEFT JOIN LATERAL (
                SELECT f2.shift_id, f2.billing_period_id, f2.shift_date, f2.employee_id, f2.raw_data,
                       bp.start_date AS period_start
                  FROM tracktik.fact_shifts AS f2
                  JOIN tracktik.billing_periods AS bp ON bp.period_id = f2.billing_period_id
                 WHERE f.shift_id IS NULL
                   AND f2.shift_id = n.shift_id
                   AND f2.billing_period_id <> pp.period_id
          ) AS o ON true
         WHERE f.shift_id IS NULL
            OR (f.employee_id, f.position_id, f.client_id, f.region_id, f.employee_key, f.position_key,
                f.client_key, f.shift_date, f.start_datetime, f.end_datetime, f.time_zone, f.status,
                f.scheduled_hours, f.clocked_hours, f.approved_hours, f.billable_hours, f.payable_hours)
               IS DISTINCT FROM
               (n.employee_id, n.position_id, n.client_id, n.region_id, n.employee_key, n.position_key,
                n.client_key, n.shift_date, n.start_datetime, n.end_datetime, n.time_zone, n.status,
                n.scheduled_hours, n.clocked_hours, n.approved_hours, n.billable_hours, n.payable_hours)
            OR f.raw_data IS DISTINCT FROM (SELECT r.rec FROM tracktik._shift_records(p_batch_id, p_period_id) AS r
                                              WHERE r.src_tid = n.src_tid)
        OFFSET 0   -- the stored stamp computed once per row, not once per reference
      ) AS c;
    GET DIAGNOSTICS v_pending = ROW_COUNT;

    -- shifts deleted in TrackTik by a /shift-logs REMOVED entry of this batch that wins over
    -- their staged copy (tracktik._delete_shifts): the copy is not loaded (two IFs: the table
    -- exists only when this transaction's load_fact_shifts made it; reprocessing has none)
    IF p_period_id IS NOT NULL OR pg_catalog.to_regclass('pg_temp.tt_deleted_shifts') IS NULL THEN
        NULL;
    ELSIF EXISTS (SELECT 1 FROM pg_temp.tt_deleted_shifts AS d WHERE d.learned_from = 'shift_log') THEN
        DELETE FROM pg_temp.tt_pending AS p
         USING pg_temp.tt_deleted_shifts AS d
         WHERE d.learned_from = 'shift_log' AND d.shift_id = p.shift_id;
        GET DIAGNOSTICS v_suppressed = ROW_COUNT;
        v_pending := v_pending - v_suppressed;
    END IF;

    -- guard: a shift id stored in two other periods at once (a stale record too)
    SELECT p.shift_id, pg_catalog.array_agg(p.old_period_id ORDER BY p.old_period_id) AS periods
      INTO v_conflict
      FROM pg_temp.tt_pending AS p
     WHERE p.change IN ('moved', 'stale')
     GROUP BY p.shift_id
    HAVING count(*) > 1
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT020',
            MESSAGE = pg_catalog.format('shift %s is stored in more than one billing period: %s',
                                        v_conflict.shift_id, v_conflict.periods),
            DETAIL  = 'A shift id must be in exactly one fact_shifts partition.',
            HINT    = 'Delete the stale rows (the period that does not match the shift''s local start date), then run the batch again.';
    END IF;

    SELECT count(*) FILTER (WHERE p.change = 'moved')::integer,
           count(*) FILTER (WHERE p.change = 'new')::integer,
           count(*) FILTER (WHERE p.change = 'stale')::integer
      INTO v_moved, v_new, v_stale
      FROM pg_temp.tt_pending AS p;

    -- stale records: the stored row stays as it is (not updated, moved or billed again); an
    -- info issue each, not recorded again while the same one is open
    IF v_stale > 0 THEN
        WITH stale AS (
            DELETE FROM pg_temp.tt_pending AS p
             WHERE p.change = 'stale'
            RETURNING p.shift_id, p.old_period_id, p.stamp, p.stored_stamp
        )
        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT p_batch_id, 'fact_shifts', s.shift_id::text, 'stale_record', 'info',
               pg_catalog.format('record stamped %s (updatedOn / modifiedOn) is older than the stored row''s %s (period %s); the stored row was kept',
                                 s.stamp, s.stored_stamp, s.old_period_id),
               pg_catalog.jsonb_build_object('record_stamp', s.stamp, 'stored_stamp', s.stored_stamp,
                                             'stored_period_id', s.old_period_id)
          FROM stale AS s
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;   -- once while open
        v_pending := v_pending - v_stale;
    END IF;
    ANALYZE pg_temp.tt_pending (shift_id, billing_period_id, employee_id, week_start, change);

    -- weeks: where pending rows land, and where changed or moved rows leave (the table is
    -- empty and UNION removes duplicates: a plain INSERT, no conflict arbitration)
    INSERT INTO pg_temp.tt_bill_weeks (billing_period_id, employee_id, week_start)
    SELECT p.billing_period_id, p.employee_id, p.week_start
      FROM pg_temp.tt_pending AS p WHERE p.employee_id IS NOT NULL
    UNION
    SELECT p.old_period_id, p.old_employee_id, p.old_week_start
      FROM pg_temp.tt_pending AS p WHERE p.old_employee_id IS NOT NULL;

    -- weeks: stored shifts of positions whose TrackTik bill setting changed in this batch
    -- (two IFs, not one AND: plpgsql plans the whole condition at once, and the table exists
    -- only when this transaction loaded bill settings; reprocessing in a fresh session has none)
    IF pg_catalog.to_regclass('pg_temp.tt_rate_changes') IS NULL THEN
        NULL;
    ELSIF EXISTS (SELECT 1 FROM pg_temp.tt_rate_changes) THEN
        INSERT INTO pg_temp.tt_bill_weeks (billing_period_id, employee_id, week_start)
        SELECT DISTINCT f.billing_period_id, f.employee_id,
               bp.start_date + 7 * ((f.shift_date - bp.start_date) / 7)
          FROM tracktik.fact_shifts AS f
          JOIN (SELECT rc.position_id, min(rc.from_date) AS from_date
                  FROM pg_temp.tt_rate_changes AS rc GROUP BY rc.position_id) AS rc
            ON rc.position_id = f.position_id AND f.shift_date >= rc.from_date
          JOIN tracktik.billing_periods AS bp ON bp.period_id = f.billing_period_id
         WHERE f.billing_period_id >= tracktik.get_billing_period((SELECT min(r2.from_date) FROM pg_temp.tt_rate_changes AS r2))
        ON CONFLICT DO NOTHING;
    END IF;

    -- weeks: shifts deleted in TrackTik that this batch took out of fact_shifts
    -- (tracktik._delete_shifts; the other shifts of the week lose or gain overtime)
    IF p_period_id IS NOT NULL OR pg_catalog.to_regclass('pg_temp.tt_deleted_shifts') IS NULL THEN
        NULL;
    ELSE
        INSERT INTO pg_temp.tt_bill_weeks (billing_period_id, employee_id, week_start)
        SELECT DISTINCT d.billing_period_id, d.employee_id, d.week_start
          FROM pg_temp.tt_deleted_shifts AS d
         WHERE d.stored
        ON CONFLICT DO NOTHING;
    END IF;

    -- weeks: the whole period (reprocessing)
    IF p_period_id IS NOT NULL THEN
        INSERT INTO pg_temp.tt_bill_weeks (billing_period_id, employee_id, week_start)
        SELECT DISTINCT f.billing_period_id, f.employee_id,
               bp.start_date + 7 * ((f.shift_date - bp.start_date) / 7)
          FROM tracktik.fact_shifts AS f
          JOIN tracktik.billing_periods AS bp ON bp.period_id = f.billing_period_id
         WHERE f.billing_period_id = p_period_id
        ON CONFLICT DO NOTHING;
    END IF;
    SELECT count(*)::integer INTO v_weeks FROM pg_temp.tt_bill_weeks;

    RETURN pg_catalog.jsonb_build_object('pending', v_pending, 'new', v_new, 'moved', v_moved,
                                         'changed', v_pending - v_new - v_moved, 'stale', v_stale,
                                         'suppressed', v_suppressed, 'weeks', v_weeks);
END
$$;

COMMENT ON FUNCTION tracktik._stage_fact_changes(uuid, text) IS
    'Internal step 3 of the shift load: keeps the new, changed and moved rows of pg_temp.tt_fact_new in pg_temp.tt_pending (unchanged rows are never rewritten; a record older than the stored row, by updatedOn / modifiedOn, keeps the stored row and is a stale_record info issue) and lists the employee-weeks to bill whole in pg_temp.tt_bill_weeks. TT020 when a shift is stored in two periods.';
