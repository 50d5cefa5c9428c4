-- tracktik._batches_to_run(batch) -> the batches run_kaiser_batch processes, oldest first.
--
-- Internal to CALL tracktik.run_kaiser_batch: the loader may execute it (the procedure runs with
-- the caller's rights), so it refuses with TT004 unless the calling session holds the run lock
-- that the procedure takes (session advisory lock hashtext('tracktik.run_kaiser_batch'), seen
-- in pg_locks for pg_backend_pid(), in exclusive mode: a shared hold, which a second session can
-- take beside the real one, does not count): nobody works around the one-run-at-a-time rule.
--
-- It sets lock_timeout for the rest of the transaction (tracktik._set_lock_timeout, from
-- tracktik.settings.lock_timeout): run_kaiser_batch reads that value back and applies it to each
-- of its later transactions, so no step of the run waits longer behind another transaction.
--
-- Housekeeping first: a 'running' batch whose liveness lock (session advisory lock
-- (hashtext('tracktik.batch'), hashtext(batch_id)) taken by tracktik.start_batch) no session
-- holds in exclusive mode was left by a dead shell: it becomes 'abandoned'.
-- With a batch id: that batch, which must exist (TT002) and be staged or failed (TT003: a
-- completed batch is never processed twice; a failed one may run again after a fix).
-- Without: every staged batch, oldest started first.
CREATE OR REPLACE FUNCTION tracktik._batches_to_run(p_batch_id uuid DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_status  text;
BEGIN
    -- only the session that holds the run lock (run_kaiser_batch)
    PERFORM tracktik._require_run_lock('_batches_to_run');
    -- waits of this transaction (and of run_kaiser_batch's later ones) are bounded
    PERFORM tracktik._set_lock_timeout();

    -- housekeeping: running batches nobody is staging any more
    UPDATE tracktik.etl_batches AS b
       SET status = 'abandoned',
           completed_at = pg_catalog.now(),
           error_message = 'abandoned: the session that was staging this batch ended before marking it staged'
     WHERE b.status = 'running'
       AND NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_locks AS l
             WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock'
               AND l.database = (SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database())
               AND l.classid::integer = pg_catalog.hashtext('tracktik.batch')
               AND l.objid::integer = pg_catalog.hashtext(b.batch_id::text)
               AND l.objsubid = 2);

    IF p_batch_id IS NULL THEN
        RETURN ARRAY(SELECT b.batch_id FROM tracktik.etl_batches AS b
                      WHERE b.status = 'staged'
                      ORDER BY b.started_at, b.batch_id);
    END IF;

    -- guard: the one batch asked for
    SELECT b.status INTO v_status FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT002',
            MESSAGE = pg_catalog.format('run_kaiser_batch: batch %s not found', p_batch_id);
    END IF;
    IF v_status NOT IN ('staged', 'failed') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT003',
            MESSAGE = pg_catalog.format('run_kaiser_batch: batch %s is %s', p_batch_id, v_status),
            DETAIL  = CASE v_status
                          WHEN 'completed' THEN 'A completed batch is never processed twice.'
                          WHEN 'running' THEN 'The shell is still staging it.'
                          ELSE 'An abandoned batch was never fully staged.' END,
            HINT    = 'Only a staged batch, or a failed one after the cause is fixed, can be run.';
    END IF;
    RETURN ARRAY[p_batch_id];
END
$$;

COMMENT ON FUNCTION tracktik._batches_to_run(uuid) IS
    'Internal (run_kaiser_batch; TT004 unless the session holds its run lock in exclusive mode): sets lock_timeout from settings for the transaction; marks running batches whose liveness lock is free as abandoned; returns the given batch (TT002 unknown, TT003 not staged/failed) or every staged batch, oldest first.';
