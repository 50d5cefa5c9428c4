-- tracktik._process_batch(batch) -> summary: processes one staged (or failed) batch completely,
-- in the caller's transaction; run_kaiser_batch calls it once per batch and commits after it.
--
--   1. tracktik.merge_dimensions     SCD2 merge: regions -> clients -> positions -> employees
--   2. tracktik.load_fact_shifts     bill settings, shifts, hours, billing, data quality
--   3. _advance_sync_watermarks      per resource: the incremental filter's field (shifts
--                                    modifiedOn, others updatedOn) of accepted records, never
--                                    past the batch start
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
    v_marks         jsonb;
    v_records       integer;
    v_merge_failed  integer;
    v_failed        integer;
    v_populated     boolean;
    v_mark_class    CONSTANT integer := pg_catalog.hashtext('tracktik.processing');
    v_mark_id       integer;
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

    -- dimensions, facts and billing, watermarks
    v_merge := tracktik.merge_dimensions(p_batch_id);
    v_facts := tracktik.load_fact_shifts(p_batch_id);
    -- (the shift load knows the shifts' modifiedOn mark; the bill settings, embedded in the
    -- positions records, are counted and marked by their loader)
    v_marks := tracktik._advance_sync_watermarks(
                   p_batch_id,
                   pg_catalog.jsonb_build_object('shifts', v_facts -> 'max_modified_on',
                                                 'position-bill-settings',
                                                 pg_catalog.jsonb_build_object(
                                                     'mark', v_facts -> 'bill_settings' -> 'max_updated_on',
                                                     'records', v_facts -> 'bill_settings' -> 'records')));

    -- counts
    -- (the staged records, and the bill settings embedded in the positions records: each one an
    -- API object that is loaded or skipped on its own)
    SELECT count(*)::integer INTO v_records FROM staging.api_records AS a WHERE a.batch_id = p_batch_id;
    v_records := v_records + coalesce((v_facts -> 'bill_settings' ->> 'embedded')::integer, 0);
    SELECT coalesce(sum(CASE WHEN pg_catalog.jsonb_typeof(d.value -> 'skipped') = 'number'
                             THEN (d.value ->> 'skipped')::integer ELSE 0 END), 0)::integer
      INTO v_merge_failed
      FROM pg_catalog.jsonb_each(CASE WHEN pg_catalog.jsonb_typeof(v_merge) = 'object' THEN v_merge ELSE '{}'::jsonb END) AS d
     WHERE pg_catalog.jsonb_typeof(d.value) = 'object';
    v_failed := coalesce((v_facts ->> 'failed')::integer, 0)
              + coalesce((v_facts -> 'bill_settings' ->> 'failed')::integer, 0)
              + v_merge_failed;

    -- deferred constraints now, inside the batch's error handling
    SET CONSTRAINTS ALL IMMEDIATE;

    UPDATE tracktik.etl_batches AS b
       SET status = 'completed',
           completed_at = pg_catalog.now(),
           records_processed = greatest(v_records - v_failed, 0),
           records_failed = v_failed,
           error_message = NULL,
           error_sqlstate = NULL,
           metadata = b.metadata || pg_catalog.jsonb_build_object('facts', v_facts, 'watermarks', v_marks)
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
    'Internal (run_kaiser_batch): processes one staged or failed batch in the caller''s transaction: merge_dimensions, load_fact_shifts (bill settings, facts, billing, quality), sync watermarks, batch completed with counts, reporting refresh. TT004 unless the session holds run_kaiser_batch''s run lock, TT002 unknown batch, TT003 wrong state.';
