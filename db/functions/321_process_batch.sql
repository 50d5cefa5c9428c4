-- tracktik._process_batch(batch) -> summary: processes one staged (or failed) batch completely,
-- in the caller's transaction, and records its outcome on the batch row, completed or failed;
-- run_kaiser_batch calls it once per batch and commits after it.
--
--   1. tracktik.merge_dimensions     SCD2 merge: regions -> clients -> positions -> employees,
--                                    then stored facts re-keyed (tracktik._rekey_facts)
--   2. tracktik.load_fact_shifts     bill settings (deleted ones too), deleted shifts, shifts,
--                                    hours, billing, data quality
--                                    (metadata->'facts': its counts, "deleted", "restored", ...,
--                                    plus the re-key's "rekeyed", "rekey_weeks_billed",
--                                    "rekey_rows_rebilled")
--   3. _advance_sync_watermarks      per resource: the incremental filter's field (shifts
--                                    modifiedOn, others updatedOn) of accepted records, never
--                                    past the batch start
--   3b. unstageable records          one error unstageable_record issue per row of
--                                    staging.rejected_records of the batch (counted as failed)
--   3c. _resolve_data_quality_issues open issues this batch evaluated and did not find again
--                                    are resolved (metadata->'data_quality')
--   4. the batch row                 completed, counts (records_failed = records skipped as bad
--                                    by the merge and the loads, bill settings embedded in the
--                                    positions records included), per-step details in metadata
--   5. reporting                     REFRESH MATERIALIZED VIEW tracktik.mv_billing_period_totals
--                                    (CONCURRENTLY unless the view is empty)
-- Deferred constraints are checked inside (SET CONSTRAINTS ALL IMMEDIATE), so any violation
-- fails the batch here, not at the caller's COMMIT.
-- Returns {"batch_id", "status": "completed", "records", "failed", "merge", "facts", "watermarks"}.
--
-- Failure: steps 1-5 run in one block (a subtransaction). An error in it rolls back all of the
-- batch's work; the batch row then becomes failed (error_sqlstate and the original message,
-- error_message = message (detail; "batch <id> failed while <step>" and, where the failure
-- can be attributed to one staged record, "on <resource> record <id> (field <f> = <value>)",
-- found set-based by tracktik._failing_record), counts zeroed, metadata->'failure'), staging
-- kept for a re-run, and it returns {"batch_id", "status": "failed", "sqlstate", "message",
-- "detail", "hint", "step", "record"} instead of raising: the caller commits that.
-- Not a failure of the batch, re-raised unchanged (the caller's transaction aborts, the batch
-- keeps its status and the next run loads it): 55P03 lock_not_available (a lock wait longer
-- than lock_timeout) and class 40 (deadlock, serialization failure): the database was busy,
-- and another session can provoke those with locks of its own; a query cancel or an admin
-- shutdown (never caught by WHEN OTHERS); the guards below (TT002, TT003, TT004).
--
-- Internal to CALL tracktik.run_kaiser_batch, which runs with the caller's rights, so the loader
-- may execute it: it refuses with TT004 unless the calling session holds the run lock that the
-- procedure takes (session advisory lock hashtext('tracktik.run_kaiser_batch'), exclusive). A
-- loader that takes that lock by hand (it is public) can do no more than the procedure does
-- for everyone: run a staged (or failed) batch, which either completes or fails for a reason
-- of its own; a batch can no longer be marked failed at will (there is no separate "fail"
-- routine), and a running batch is refused (TT003). While it works on a batch the transaction
-- holds the batch's processing lock (transaction advisory lock (hashtext('tracktik.processing'),
-- hashtext(batch_id))): a second session gets TT004 at once instead of waiting for the row.
CREATE OR REPLACE FUNCTION tracktik._process_batch(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_status        text;
    v_merge         jsonb;
    v_facts         jsonb;
    v_rekey         jsonb;
    v_marks         jsonb;
    v_records       integer;
    v_merge_failed  integer;
    v_failed        integer;
    v_populated     boolean;
    v_rejected      integer;
    v_quality       jsonb;
    v_step          text;
    v_state         text;
    v_message       text;
    v_detail        text;
    v_hint          text;
    v_schema        text;
    v_table         text;
    v_column        text;
    v_constraint    text;
    v_record        jsonb;
    v_where         text;
BEGIN
    -- only the session that holds the run lock (run_kaiser_batch)
    PERFORM tracktik._require_run_lock('_process_batch');

    -- this session is processing the batch (until the transaction ends)
    IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('tracktik.processing'),
                                                pg_catalog.hashtext(p_batch_id::text)) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT004',
            MESSAGE = pg_catalog.format('_process_batch: another session is processing batch %s', p_batch_id);
    END IF;

    -- guard (the row stays locked until the transaction ends)
    SELECT b.status INTO v_status FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT002',
            MESSAGE = pg_catalog.format('run_kaiser_batch: batch %s not found', p_batch_id);
    END IF;
    IF v_status NOT IN ('staged', 'failed') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT003',
            MESSAGE = pg_catalog.format('run_kaiser_batch: batch %s is %s', p_batch_id, v_status),
            HINT    = 'Only a staged batch, or a failed one after the cause is fixed, can be run.';
    END IF;

    -- everything the batch does, in one block: a failure rolls all of it back and is recorded
    -- below (see the header)
    BEGIN
    v_step := 'merging the dimensions (regions, clients, positions, employees)';
    v_merge := tracktik.merge_dimensions(p_batch_id);
    v_step := 'loading the bill settings and shifts';
    -- (the merge re-keyed the stored facts of the members it wrote: tracktik._rekey_facts left
    -- its counts in pg_temp.tt_rekey_counts; two IFs, the table is planned only when it exists)
    IF pg_catalog.to_regclass('pg_temp.tt_rekey_counts') IS NULL THEN
        v_rekey := '{}'::jsonb;
    ELSE
        SELECT coalesce(pg_catalog.jsonb_object_agg(e.key, e.value), '{}'::jsonb) INTO v_rekey
          FROM pg_temp.tt_rekey_counts AS r CROSS JOIN LATERAL pg_catalog.jsonb_each(r.counts) AS e;
    END IF;
    v_facts := tracktik.load_fact_shifts(p_batch_id) || v_rekey;
    -- (the shift load knows the shifts' modifiedOn mark; the bill settings, embedded in the
    -- positions records, are counted and marked by their loader)
    v_step := 'advancing the sync watermarks';
    v_marks := tracktik._advance_sync_watermarks(
                   p_batch_id,
                   pg_catalog.jsonb_build_object('shifts', v_facts -> 'max_modified_on',
                                                 'position-bill-settings',
                                                 pg_catalog.jsonb_build_object(
                                                     'mark', v_facts -> 'bill_settings' -> 'max_updated_on',
                                                     'records', v_facts -> 'bill_settings' -> 'records')));

    -- records the shell could not stage as jsonb (staging.rejected_records): one error
    -- unstageable_record issue each, naming resource, id and reason (once while open), counted
    -- as failed
    v_step := 'reporting the records that could not be staged (staging.rejected_records)';
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id,
           coalesce(d.table_name, CASE r.resource WHEN 'shifts' THEN 'fact_shifts'
                                                  WHEN 'position-bill-settings' THEN 'position_bill_settings'
                                                  ELSE pg_catalog.left(r.resource, 64) END),
           r.id_text, 'unstageable_record', 'error',
           pg_catalog.format('%s record %s could not be staged as jsonb: %s; kept as text in staging.rejected_records, not loaded',
                             pg_catalog.left(r.resource, 64), coalesce(pg_catalog.left(r.id_text, 64), '(no id)'),
                             pg_catalog.left(r.reason, 200)),
           pg_catalog.jsonb_build_object('resource', r.resource, 'reason', pg_catalog.left(r.reason, 1000),
                                         'raw_text', pg_catalog.left(r.raw_text, 1000),
                                         'raw_length', pg_catalog.length(r.raw_text),
                                         'raw_md5', pg_catalog.md5(r.raw_text))
      FROM (SELECT x.resource, x.reason, x.raw_text,
                   -- the shell sends the id as JSON text: a plain string id without its quotes
                   CASE WHEN x.record_id OPERATOR(pg_catalog.~) '^"[^"\\]*"$'
                        THEN pg_catalog.substr(x.record_id, 2, pg_catalog.length(x.record_id) - 2)
                        ELSE x.record_id END AS id_text
              FROM staging.rejected_records AS x
             WHERE x.batch_id = p_batch_id) AS r
      LEFT JOIN tracktik.scd2_dimensions AS d ON d.resource = r.resource
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    SELECT count(*)::integer INTO v_rejected FROM staging.rejected_records AS x WHERE x.batch_id = p_batch_id;

    -- open issues this batch evaluated again and did not find again: resolved
    v_step := 'resolving data-quality issues';
    v_quality := tracktik._resolve_data_quality_issues(p_batch_id);

    -- counts
    v_step := 'counting the records';
    -- (the staged records, and the bill settings embedded in the positions records: each one an
    -- API object that is loaded or skipped on its own)
    SELECT count(*)::integer INTO v_records FROM staging.api_records AS a WHERE a.batch_id = p_batch_id;
    v_records := v_records + coalesce((v_facts -> 'bill_settings' ->> 'embedded')::integer, 0) + v_rejected;
    SELECT coalesce(sum(CASE WHEN pg_catalog.jsonb_typeof(d.value -> 'skipped') = 'number'
                             THEN (d.value ->> 'skipped')::integer ELSE 0 END), 0)::integer
      INTO v_merge_failed
      FROM pg_catalog.jsonb_each(CASE WHEN pg_catalog.jsonb_typeof(v_merge) = 'object' THEN v_merge ELSE '{}'::jsonb END) AS d
     WHERE pg_catalog.jsonb_typeof(d.value) = 'object';
    v_failed := coalesce((v_facts ->> 'failed')::integer, 0)
              + coalesce((v_facts -> 'bill_settings' ->> 'failed')::integer, 0)
              + v_merge_failed
              + v_rejected;   -- records the shell could not stage (unstageable_record)

    -- deferred constraints now, inside the batch's error handling
    v_step := 'checking the deferred constraints';
    SET CONSTRAINTS ALL IMMEDIATE;

    v_step := 'marking the batch completed';

    UPDATE tracktik.etl_batches AS b
       SET status = 'completed',
           completed_at = pg_catalog.now(),
           records_processed = greatest(v_records - v_failed, 0),
           records_failed = v_failed,
           error_message = NULL,
           error_sqlstate = NULL,
           metadata = b.metadata || pg_catalog.jsonb_build_object('facts', v_facts, 'watermarks', v_marks,
                                                                  'rejected', v_rejected, 'data_quality', v_quality)
     WHERE b.batch_id = p_batch_id;

    -- reporting: CONCURRENTLY (readers keep the old totals meanwhile) when there is something
    -- to keep; an empty (or never populated) view is rebuilt directly, which skips the diff
    -- against the old contents
    v_step := 'refreshing tracktik.mv_billing_period_totals';
    SELECT c.relispopulated INTO v_populated
      FROM pg_catalog.pg_class AS c
     WHERE c.oid = 'tracktik.mv_billing_period_totals'::regclass;
    IF v_populated THEN   -- (scanning a view never populated is an error)
        v_populated := EXISTS (SELECT 1 FROM tracktik.mv_billing_period_totals);
    END IF;
    IF v_populated THEN
        REFRESH MATERIALIZED VIEW CONCURRENTLY tracktik.mv_billing_period_totals;
    ELSE
        REFRESH MATERIALIZED VIEW tracktik.mv_billing_period_totals;
    END IF;

    RETURN pg_catalog.jsonb_build_object('batch_id', p_batch_id, 'status', 'completed',
                                         'records', v_records, 'failed', v_failed,
                                         'merge', v_merge, 'facts', v_facts, 'watermarks', v_marks);
    EXCEPTION
        WHEN lock_not_available OR transaction_rollback THEN
            -- busy, not broken: a lock wait ran out, a deadlock or a serialization failure
            -- (which another session can provoke): the caller's transaction aborts, the batch
            -- keeps its status
            RAISE;
        WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_state      = RETURNED_SQLSTATE,
                                    v_message    = MESSAGE_TEXT,
                                    v_detail     = PG_EXCEPTION_DETAIL,
                                    v_hint       = PG_EXCEPTION_HINT,
                                    v_schema     = SCHEMA_NAME,
                                    v_table      = TABLE_NAME,
                                    v_column     = COLUMN_NAME,
                                    v_constraint = CONSTRAINT_NAME;
    END;

    -- failed: all of the batch's work is rolled back; the staged record it can be pinned on
    v_record := tracktik._failing_record(p_batch_id, pg_catalog.jsonb_build_object(
                    'sqlstate', v_state, 'detail', v_detail, 'schema', v_schema, 'table', v_table,
                    'column', v_column, 'constraint', v_constraint));
    v_where := pg_catalog.format('batch %s failed while %s', p_batch_id, v_step);
    IF v_record IS NOT NULL THEN
        v_where := v_where
            || pg_catalog.format(' on %s record %s', v_record ->> 'resource', v_record ->> 'id')
            || coalesce(' in ' || (v_record ->> 'in'), '')
            || CASE WHEN v_record ? 'field'
                    THEN pg_catalog.format(' (field %s%s)', v_record ->> 'field', coalesce(' = ' || (v_record ->> 'value'), ''))
                    WHEN v_record ? 'column'
                    THEN pg_catalog.format(' (column %s)', v_record ->> 'column')
                    ELSE '' END
            || CASE WHEN (v_record ->> 'violations')::bigint > 1
                    THEN pg_catalog.format(', and %s more of its records', (v_record ->> 'violations')::bigint - 1)
                    ELSE '' END
            || CASE WHEN (v_record ->> 'staged')::boolean THEN '' ELSE ', a row this batch did not stage' END;
    END IF;
    v_detail := pg_catalog.concat_ws('; ', NULLIF(v_detail, ''), v_where);

    UPDATE tracktik.etl_batches AS b
       SET status = 'failed',
           completed_at = pg_catalog.now(),
           records_processed = 0,
           records_failed = 0,
           error_sqlstate = v_state,
           error_message = v_message || ' (' || v_detail || ')',
           metadata = b.metadata || pg_catalog.jsonb_build_object(
                          'failure', pg_catalog.jsonb_build_object('sqlstate', v_state, 'step', v_step,
                                                                   'record', v_record))
     WHERE b.batch_id = p_batch_id;

    RETURN pg_catalog.jsonb_build_object('batch_id', p_batch_id, 'status', 'failed', 'sqlstate', v_state,
                                         'message', v_message, 'detail', v_detail, 'hint', NULLIF(v_hint, ''),
                                         'step', v_step, 'record', v_record);
END
$$;

COMMENT ON FUNCTION tracktik._process_batch(uuid) IS
    'Internal (run_kaiser_batch): processes one staged or failed batch in the caller''s transaction: merge_dimensions, load_fact_shifts (bill settings, facts, billing, quality), sync watermarks, an unstageable_record issue per row of staging.rejected_records (counted as failed), resolution of the open issues the batch no longer finds (tracktik._resolve_data_quality_issues), batch completed with counts, reporting refresh; returns {status: completed, ...}. A failure rolls the batch''s work back, marks it failed (error_sqlstate, error_message with the step and, where it can be attributed, the staged record: tracktik._failing_record) and returns {status: failed, sqlstate, message, detail, hint, step, record}; 55P03 and class 40 (busy) are re-raised, the batch untouched. TT004 unless the session holds run_kaiser_batch''s run lock (exclusive) or when another session is processing the batch, TT002 unknown batch, TT003 wrong state.';
