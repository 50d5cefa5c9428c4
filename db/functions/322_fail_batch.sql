-- tracktik._fail_batch(batch, sqlstate, message, detail): records that processing a batch
-- failed (status failed, error_message, error_sqlstate, completed_at; counts of the rolled-back
-- attempt zeroed). Its staging is kept, so the same batch can run again after a fix. Never
-- touches a batch that is not staged or failed (a completed batch stays completed).
--
-- Internal to CALL tracktik.run_kaiser_batch, which runs with the caller's rights, so the loader
-- may execute it. It refuses
--   TT004  unless the calling session holds the run lock the procedure takes (session advisory
--          lock hashtext('tracktik.run_kaiser_batch'), seen in pg_locks for pg_backend_pid());
--   TT001  unless this session is processing that very batch: tracktik._process_batch took the
--          batch's processing lock ((hashtext('tracktik.processing'), hashtext(batch_id)), a
--          session lock, so it outlives the rollback of the failed attempt) and did not
--          complete it.
-- Both locks count only when held in exclusive mode, as the procedure and _process_batch take
-- them: a shared hold (pg_advisory_lock_shared), which a second loader session can take while
-- the real holder has none or a shared one, does not pass.
-- It releases the processing lock.
CREATE OR REPLACE FUNCTION tracktik._fail_batch(p_batch_id uuid, p_sqlstate text, p_message text,
                                                p_detail text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_mark_class  CONSTANT integer := pg_catalog.hashtext('tracktik.processing');
    v_mark_id     CONSTANT integer := pg_catalog.hashtext(p_batch_id::text);
BEGIN
    -- only the session that holds the run lock (run_kaiser_batch)
    PERFORM tracktik._require_run_lock('_fail_batch');

    -- ... and only the batch this session is processing
    IF p_batch_id IS NULL OR NOT tracktik._session_holds_advisory_lock(v_mark_class, v_mark_id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = pg_catalog.format('_fail_batch: batch %s is not being processed by this session', p_batch_id),
            HINT    = 'Internal routine: a batch is marked failed by CALL tracktik.run_kaiser_batch when it fails.';
    END IF;

    UPDATE tracktik.etl_batches AS b
       SET status = 'failed',
           completed_at = pg_catalog.now(),
           records_processed = 0,
           records_failed = 0,
           error_sqlstate = p_sqlstate,
           error_message = p_message || CASE WHEN p_detail IS NOT NULL AND p_detail <> ''
                                             THEN ' (' || p_detail || ')' ELSE '' END
     WHERE b.batch_id = p_batch_id
       AND b.status IN ('staged', 'failed');

    PERFORM pg_catalog.pg_advisory_unlock(v_mark_class, v_mark_id);
END
$$;

COMMENT ON FUNCTION tracktik._fail_batch(uuid, text, text, text) IS
    'Internal (run_kaiser_batch): marks a staged or failed batch failed with the error message and SQLSTATE of the rolled-back attempt; staging is kept for a re-run. TT004 unless the session holds run_kaiser_batch''s run lock (exclusive); TT001 unless this session holds the batch''s processing lock (exclusive), i.e. its _process_batch attempt on the batch failed.';
