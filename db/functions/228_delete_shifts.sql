-- tracktik._delete_shifts(batch) -> counts: the stored shifts that TrackTik deleted, learned from
-- the batch, leave tracktik.fact_shifts (no longer billed) with their last row kept in
-- tracktik.deleted_shifts. Called by tracktik.load_fact_shifts before the shift load, which
-- re-bills their employee-weeks whole (tracktik._stage_fact_changes reads the weeks from
-- pg_temp.tt_deleted_shifts).
--
--   shift log   staged 'shift-logs' records with changeType REMOVED (shift: an id or an object;
--               the deprecated shiftId as fallback; createdOn a date-time with offset). Per
--               shift the latest entry counts. It wins over a copy of the shift staged in the
--               same batch unless that copy is stamped (updatedOn / modifiedOn) after the
--               entry's createdOn; when it wins, the stored row is deleted (unless it is
--               stamped after the entry) and a staged copy is not loaded (suppressed). An entry
--               is applied once: an entry of the same shift and createdOn already in
--               deleted_shifts is ignored (the incremental lookback fetches it again, and the
--               shift may have come back since).
--   full sync   when 'shifts' is among the batch's fully synced resources and its metadata
--               has shift_window {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"} (local shift
--               dates, inclusive): every stored shift of a post staged in the batch (its
--               positions records) with shift_date in the window and no shifts record of that
--               id in the batch is deleted. Circuit breaker: when they are more than
--               tracktik.settings.full_sync_max_close_share of the window's stored shifts of
--               those posts AND at least full_sync_min_close_count (the dimensions' breaker
--               settings, migration 0018), none is deleted and a
--               blocked_mass_delete error issue is recorded (a truncated extract must not
--               un-bill a period); a later full sync of the same window that passes resolves
--               that issue. A full sync without a valid window deletes nothing.
-- The open data-quality issues of a deleted shift (table fact_shifts, its id) are resolved.
--
-- pg_temp.tt_deleted_shifts (recreated by every call): one row per shift the batch deleted
-- (stored: its period, employee, week) or whose staged copy must not be loaded (shift_log).
-- Result: {"deleted", "deleted_full_sync", "deleted_shift_log", "shift_logs_applied" (REMOVED
-- entries that won, with or without a stored row), "delete_blocked" (how many the breaker
-- kept), "window_stored" (stored shifts of the window's posts)}.
CREATE OR REPLACE FUNCTION tracktik._delete_shifts(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
AS $$
DECLARE
    v_full        boolean;
    v_window      jsonb;
    v_from        date;
    v_to          date;
    v_posts       bigint[];
    v_share       numeric;
    v_min         integer;
    v_stored      integer := 0;
    v_absent      integer := 0;
    v_blocked     integer := 0;
    v_by_log      integer := 0;
    v_by_sync     integer := 0;
    v_applied     integer := 0;
BEGIN
    SELECT 'shifts' = ANY (b.full_sync_resources), b.metadata -> 'shift_window'
      INTO v_full, v_window
      FROM tracktik.etl_batches AS b
     WHERE b.batch_id = p_batch_id;
    SELECT s.full_sync_max_close_share, s.full_sync_min_close_count INTO v_share, v_min FROM tracktik.settings AS s;

    DROP TABLE IF EXISTS pg_temp.tt_deleted_shifts;
    CREATE TEMPORARY TABLE tt_deleted_shifts (
        shift_id           bigint       NOT NULL,
        learned_from       text         NOT NULL,
        stored             boolean      NOT NULL,   -- a stored row is deleted
        billing_period_id  text,
        employee_id        bigint,
        week_start         date,
        log_created_on     timestamptz,
        log_record         jsonb
    ) ON COMMIT DROP;

    -- 1. shift log: REMOVED entries (the latest per shift) that win
    INSERT INTO pg_temp.tt_deleted_shifts
           (shift_id, learned_from, stored, billing_period_id, employee_id, week_start, log_created_on, log_record)
    WITH logs AS (
        SELECT DISTINCT ON (l.shift_id) l.*
          FROM (SELECT coalesce(tracktik._json_id(a.record -> 'shift'), tracktik._json_id(a.record -> 'shiftId')) AS shift_id,
                       CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'createdOn')
                            THEN (a.record ->> 'createdOn')::timestamptz END AS created_on,
                       tracktik._json_id(a.record -> 'id') AS log_id,
                       a.record
                  FROM staging.api_records AS a
                 WHERE a.batch_id = p_batch_id AND a.resource = 'shift-logs'
                   AND pg_catalog.upper(a.record ->> 'changeType') = 'REMOVED') AS l
         WHERE l.shift_id IS NOT NULL AND l.created_on IS NOT NULL
         ORDER BY l.shift_id, l.created_on DESC, l.log_id DESC NULLS LAST
    ), winning AS (
        SELECT l.*
          FROM logs AS l
         WHERE NOT EXISTS (       -- applied before
                   SELECT 1 FROM tracktik.deleted_shifts AS d
                    WHERE d.shift_id = l.shift_id AND d.shift_log_created_on = l.created_on)
           AND NOT EXISTS (       -- a copy staged in this batch stamped after the entry
                   SELECT 1 FROM staging.api_records AS a
                    WHERE a.batch_id = p_batch_id AND a.resource = 'shifts'
                      AND tracktik._json_id(a.record -> 'id') = l.shift_id
                      AND GREATEST(CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'updatedOn')
                                        THEN (a.record ->> 'updatedOn')::timestamptz END,
                                   CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'modifiedOn')
                                        THEN (a.record ->> 'modifiedOn')::timestamptz END) > l.created_on)
    )
    SELECT w.shift_id, 'shift_log', f.shift_id IS NOT NULL, f.billing_period_id, f.employee_id,
           bp.start_date + 7 * ((f.shift_date - bp.start_date) / 7), w.created_on, w.record
      FROM winning AS w
      LEFT JOIN LATERAL (
            -- the stored row, unless it is stamped after the entry (it changed since)
            SELECT f1.shift_id, f1.billing_period_id, f1.employee_id, f1.shift_date
              FROM tracktik.fact_shifts AS f1
             WHERE f1.shift_id = w.shift_id
               AND NOT coalesce(GREATEST(CASE WHEN tracktik._is_iso_timestamptz(f1.raw_data ->> 'updatedOn')
                                              THEN (f1.raw_data ->> 'updatedOn')::timestamptz END,
                                         CASE WHEN tracktik._is_iso_timestamptz(f1.raw_data ->> 'modifiedOn')
                                              THEN (f1.raw_data ->> 'modifiedOn')::timestamptz END) > w.created_on,
                                false)
             LIMIT 1) AS f ON true
      LEFT JOIN tracktik.billing_periods AS bp ON bp.period_id = f.billing_period_id;
    GET DIAGNOSTICS v_applied = ROW_COUNT;

    -- 2. full sync of a window of shift dates
    IF v_full AND pg_catalog.jsonb_typeof(v_window) = 'object' THEN
        v_from := tracktik._iso_date(v_window ->> 'from');
        v_to := tracktik._iso_date(v_window ->> 'to');
    END IF;
    IF v_from IS NOT NULL AND v_to IS NOT NULL AND v_from <= v_to THEN
        v_posts := ARRAY(SELECT DISTINCT tracktik._json_id(a.record -> 'id')
                           FROM staging.api_records AS a
                          WHERE a.batch_id = p_batch_id AND a.resource = 'positions'
                            AND tracktik._json_id(a.record -> 'id') IS NOT NULL);

        DROP TABLE IF EXISTS pg_temp.tt_staged_shift_ids;
        CREATE TEMPORARY TABLE tt_staged_shift_ids ON COMMIT DROP AS
        SELECT DISTINCT tracktik._json_id(a.record -> 'id') AS shift_id
          FROM staging.api_records AS a
         WHERE a.batch_id = p_batch_id AND a.resource = 'shifts'
           AND tracktik._json_id(a.record -> 'id') IS NOT NULL;
        ANALYZE pg_temp.tt_staged_shift_ids;

        DROP TABLE IF EXISTS pg_temp.tt_window_absent;
        CREATE TEMPORARY TABLE tt_window_absent ON COMMIT DROP AS
        SELECT f.shift_id, f.billing_period_id, f.employee_id, f.shift_date,
               (s.shift_id IS NULL) AS absent
          FROM tracktik.fact_shifts AS f
          LEFT JOIN pg_temp.tt_staged_shift_ids AS s ON s.shift_id = f.shift_id
         WHERE f.billing_period_id BETWEEN tracktik.get_billing_period(v_from) AND tracktik.get_billing_period(v_to)
           AND f.shift_date BETWEEN v_from AND v_to
           AND f.position_id = ANY (v_posts);
        SELECT count(*)::integer, count(*) FILTER (WHERE w.absent)::integer INTO v_stored, v_absent
          FROM pg_temp.tt_window_absent AS w;

        IF v_absent > 0 AND v_absent > v_share * v_stored AND v_absent >= v_min THEN
            -- circuit breaker: a truncated extract must not un-bill a period
            v_blocked := v_absent;
            INSERT INTO tracktik.data_quality_issues
                   (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
            VALUES (p_batch_id, 'fact_shifts', pg_catalog.format('shifts %s..%s', v_from, v_to),
                    'blocked_mass_delete', 'error',
                    pg_catalog.format('full sync of shifts %s..%s would delete %s of %s stored shifts of %s posts (more than %s%% and at least %s); nothing was deleted',
                                      v_from, v_to, v_absent, v_stored, pg_catalog.cardinality(v_posts),
                                      pg_catalog.round(v_share * 100, 2), v_min),
                    pg_catalog.jsonb_build_object('would_delete', v_absent, 'stored', v_stored,
                                                  'window', v_window, 'posts', pg_catalog.cardinality(v_posts),
                                                  'max_close_share', v_share, 'min_close_count', v_min))
            ON CONFLICT DO NOTHING;
        ELSE
            -- an earlier block of the same window is over
            UPDATE tracktik.data_quality_issues AS q
               SET resolved_at = pg_catalog.now(),
                   resolution_note = pg_catalog.format('resolved by batch %s: a full sync of the window passed the circuit breaker',
                                                       p_batch_id)
             WHERE q.resolved_at IS NULL AND q.table_name = 'fact_shifts' AND q.issue_type = 'blocked_mass_delete'
               AND q.record_id = pg_catalog.format('shifts %s..%s', v_from, v_to);

            INSERT INTO pg_temp.tt_deleted_shifts
                   (shift_id, learned_from, stored, billing_period_id, employee_id, week_start)
            SELECT w.shift_id, 'full_sync', true, w.billing_period_id, w.employee_id,
                   bp.start_date + 7 * ((w.shift_date - bp.start_date) / 7)
              FROM pg_temp.tt_window_absent AS w
              JOIN tracktik.billing_periods AS bp ON bp.period_id = w.billing_period_id
             WHERE w.absent
               AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_deleted_shifts AS d WHERE d.shift_id = w.shift_id);
        END IF;
    END IF;

    -- 3. out of the fact table, into the deletion log
    WITH gone AS (
        DELETE FROM tracktik.fact_shifts AS f
         USING pg_temp.tt_deleted_shifts AS d
         WHERE d.stored AND f.billing_period_id = d.billing_period_id AND f.shift_id = d.shift_id
        RETURNING f.shift_id, f.billing_period_id, f.employee_id, f.position_id, f.client_id, f.region_id,
                  f.shift_date, f.start_datetime, f.end_datetime, f.status, f.billable_hours, f.bill_total,
                  f.raw_data, pg_catalog.to_jsonb(f.*) - 'raw_data' AS last_fact,
                  d.learned_from, d.log_created_on, d.log_record
    ), logged AS (
        INSERT INTO tracktik.deleted_shifts
               (shift_id, billing_period_id, employee_id, position_id, client_id, region_id, shift_date,
                start_datetime, end_datetime, status, billable_hours, bill_total, raw_data, last_fact,
                learned_from, shift_log_created_on, shift_log, batch_id)
        SELECT g.shift_id, g.billing_period_id, g.employee_id, g.position_id, g.client_id, g.region_id,
               g.shift_date, g.start_datetime, g.end_datetime, g.status, g.billable_hours, g.bill_total,
               g.raw_data, g.last_fact, g.learned_from, g.log_created_on, g.log_record, p_batch_id
          FROM gone AS g
        RETURNING learned_from
    )
    SELECT count(*) FILTER (WHERE l.learned_from = 'full_sync')::integer,
           count(*) FILTER (WHERE l.learned_from = 'shift_log')::integer
      INTO v_by_sync, v_by_log
      FROM logged AS l;

    -- the open issues of a deleted shift are over (it is no longer loaded or billed)
    IF v_by_sync + v_by_log > 0 THEN
        UPDATE tracktik.data_quality_issues AS q
           SET resolved_at = pg_catalog.now(),
               resolution_note = pg_catalog.format('resolved by batch %s: the shift was deleted in TrackTik (tracktik.deleted_shifts)',
                                                   p_batch_id)
         WHERE q.resolved_at IS NULL AND q.table_name = 'fact_shifts'
           AND q.record_id IN (SELECT d.shift_id::text FROM pg_temp.tt_deleted_shifts AS d WHERE d.stored);
    END IF;

    RETURN pg_catalog.jsonb_build_object(
        'deleted', v_by_sync + v_by_log,
        'deleted_full_sync', v_by_sync,
        'deleted_shift_log', v_by_log,
        'shift_logs_applied', v_applied,
        'delete_blocked', v_blocked,
        'window_stored', v_stored);
END
$$;

COMMENT ON FUNCTION tracktik._delete_shifts(uuid) IS
    'Internal (load_fact_shifts): deletes from fact_shifts, into tracktik.deleted_shifts, the stored shifts TrackTik deleted: named by a /shift-logs REMOVED entry of the batch, or absent from a full sync of a window of shift dates (metadata shift_window) of the batch''s posts, unless more than full_sync_max_close_share and at least full_sync_min_close_count of the window would go (blocked_mass_delete). Leaves pg_temp.tt_deleted_shifts (weeks to re-bill, staged copies not to load).';
