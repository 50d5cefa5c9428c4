-- tracktik._process_batch(batch) -> summary: processes one staged (or failed) batch completely,
-- in the caller's transaction; run_kaiser_batch calls it once per batch and commits after it.
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
--   (a failure in 1-3c is re-raised unchanged, with the step and the batch added to its DETAIL)
--   4. the batch row                 completed, counts (records_failed = records skipped as bad
--                                    by the merge and the loads, bill settings embedded in the
--                                    positions records included), per-step details in metadata
--   5. reporting                     REFRESH MATERIALIZED VIEW tracktik.mv_billing_period_totals
--                                    (CONCURRENTLY unless the view is empty)
-- Deferred constraints are checked before returning, so any violation fails the batch here,
-- not at the caller's COMMIT.
--
-- Internal to CALL tracktik.run_kaiser_batch, which runs with the caller's rights, so the loader
-- may execute it: it refuses with TT004 unless the calling session holds the run lock that the
-- procedure takes (session advisory lock hashtext('tracktik.run_kaiser_batch'), seen in pg_locks
-- for pg_backend_pid()). While it works on a batch the session holds the batch's processing
-- lock (session advisory lock (hashtext('tracktik.processing'), hashtext(batch_id))): a session
-- lock survives the rollback of a failed attempt, so tracktik._fail_batch can tell that this
-- session was processing the batch; it is released when the batch completes (or by _fail_batch).
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
    v_mark_class    CONSTANT integer := pg_catalog.hashtext('tracktik.processing');
    v_mark_id       integer;
    v_rejected      integer;
    v_quality       jsonb;
    v_step          text;
    v_state         text;
    v_message       text;
    v_detail        text;
    v_hint          text;
BEGIN
    -- only the session that holds the run lock (run_kaiser_batch)
    PERFORM tracktik._require_run_lock('_process_batch');

    -- this session is processing the batch (kept by a failed attempt's rollback; see above)
    v_mark_id := pg_catalog.hashtext(p_batch_id::text);
    IF NOT tracktik._session_holds_advisory_lock(v_mark_class, v_mark_id) THEN
        IF NOT pg_catalog.pg_try_advisory_lock(v_mark_class, v_mark_id) THEN
            RAISE EXCEPTION USING
                ERRCODE = 'TT004',
                MESSAGE = pg_catalog.format('_process_batch: another session is processing batch %s', p_batch_id);
        END IF;
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

    -- dimensions, facts and billing, watermarks, data quality: a failure is re-raised as it
    -- was (SQLSTATE, message, hint) with the step, and the batch, in its DETAIL, which
    -- run_kaiser_batch writes into etl_batches.error_message
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
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state   = RETURNED_SQLSTATE,
                                v_message = MESSAGE_TEXT,
                                v_detail  = PG_EXCEPTION_DETAIL,
                                v_hint    = PG_EXCEPTION_HINT;
        RAISE EXCEPTION USING
            ERRCODE = v_state,
            MESSAGE = v_message,
            DETAIL  = pg_catalog.concat_ws('; ', NULLIF(v_detail, ''),
                                           pg_catalog.format('batch %s failed while %s', p_batch_id, v_step)),
            HINT    = coalesce(v_hint, '');
    END;

    -- counts
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
    SET CONSTRAINTS ALL IMMEDIATE;

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

    -- done: the batch is no longer being processed (a failure keeps the lock for _fail_batch)
    PERFORM pg_catalog.pg_advisory_unlock(v_mark_class, v_mark_id);

    RETURN pg_catalog.jsonb_build_object('batch_id', p_batch_id, 'records', v_records, 'failed', v_failed,
                                         'merge', v_merge, 'facts', v_facts, 'watermarks', v_marks);
END
$$;

COMMENT ON FUNCTION tracktik._process_batch(uuid) IS
    'Internal (run_kaiser_batch): processes one staged or failed batch in the caller''s transaction: merge_dimensions, load_fact_shifts (bill settings, facts, billing, quality), sync watermarks, an unstageable_record issue per row of staging.rejected_records (counted as failed), resolution of the open issues the batch no longer finds (tracktik._resolve_data_quality_issues), batch completed with counts, reporting refresh. A failure is re-raised unchanged with the step and batch added to its DETAIL (so etl_batches.error_message names them). TT004 unless the session holds run_kaiser_batch''s run lock, TT002 unknown batch, TT003 wrong state.';
