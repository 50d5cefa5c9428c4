-- CALL tracktik.run_kaiser_batch(batch DEFAULT NULL): what DBAs and the shell call.
--
-- Processes one staged batch (or a failed one again, after a fix), or with no argument every
-- staged batch, oldest first; each batch all or nothing in its own transaction
-- (tracktik._process_batch: merge, facts, billing, quality, watermarks, reporting).
--
--   concurrency  one caller at a time: session advisory lock hashtext('tracktik.run_kaiser_batch')
--                taken with pg_try_advisory_lock; a second caller does NOT wait: it gets
--                SQLSTATE TT004 at once (retry later).
--   housekeeping running batches whose shell died (liveness lock free) become abandoned.
--   failure      _process_batch itself rolls the batch's work back (warehouse untouched),
--                marks the batch failed with error_message (the step, and the staged record
--                where the failure can be attributed to one) and error_sqlstate, and returns
--                that; the procedure commits it, then raises the ORIGINAL error (same SQLSTATE
--                and message) to the caller; batches after it are not started. The same batch
--                can be run again after the fix.
--   refusals     TT002 unknown batch; TT003 a batch that is completed, running or abandoned.
--   waiting      no step waits longer than tracktik.settings.lock_timeout (default 5 s) for a
--                lock another transaction holds (e.g. a DBA's open transaction on a table the
--                load writes): _batches_to_run sets it, and it is applied again after each
--                COMMIT. A batch whose lock wait runs out, or that a deadlock or a
--                serialization failure rolls back, is NOT marked failed: its attempt is rolled
--                back, it keeps its status (a staged batch is loaded by the next run), and
--                TT004 "busy" is raised, with PostgreSQL's original message in the detail.
--
-- A procedure that COMMITs: call it with CALL outside an explicit transaction block (an
-- autocommit connection); for that reason it is neither SECURITY DEFINER nor has SET options:
-- every table access goes through the definer functions it calls.
-- Those internals (_batches_to_run, _process_batch) are therefore executable by the loader;
-- they refuse (TT004) in a session that does not hold the run lock taken here (in exclusive
-- mode: a shared hold does not count). Recording a failure happens only inside the definer
-- _process_batch, after a real attempt failed: no routine the loader may execute marks a batch
-- failed at will, even with the run lock taken by hand.
CREATE OR REPLACE PROCEDURE tracktik.run_kaiser_batch(p_batch_id uuid DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    v_lock     CONSTANT integer := pg_catalog.hashtext('tracktik.run_kaiser_batch');
    v_timeout  text;
    v_batches  uuid[];
    v_batch    uuid;
    v_result   jsonb;
    v_state    text;
    v_message  text;
BEGIN
    -- called inside a transaction block? fail here, before taking any lock
    COMMIT;

    -- lock: one caller at a time, the second one is told so
    IF NOT pg_catalog.pg_try_advisory_lock(v_lock) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT004',
            MESSAGE = 'run_kaiser_batch: another session is processing batches',
            HINT    = 'Wait for it to finish and call again; batches are never processed concurrently.';
    END IF;

    -- housekeeping and the list of batches
    BEGIN
        v_batches := tracktik._batches_to_run(p_batch_id);
        v_timeout := pg_catalog.current_setting('lock_timeout');   -- set by _batches_to_run
    EXCEPTION
        WHEN lock_not_available THEN
            GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT;
            PERFORM pg_catalog.pg_advisory_unlock(v_lock);
            RAISE EXCEPTION USING
                ERRCODE = 'TT004',
                MESSAGE = pg_catalog.format('run_kaiser_batch: the database is busy: gave up waiting %s for a lock held by another transaction',
                                            pg_catalog.current_setting('lock_timeout')),
                DETAIL  = v_message || '. Nothing was processed; the next run tries again.',
                HINT    = 'A long open transaction (see pg_stat_activity, pg_blocking_pids) holds a lock the run needs; the wait limit is tracktik.settings.lock_timeout.';
        WHEN OTHERS THEN
            PERFORM pg_catalog.pg_advisory_unlock(v_lock);
            RAISE;
    END;
    COMMIT;

    -- process: one transaction per batch
    FOREACH v_batch IN ARRAY v_batches LOOP
        PERFORM pg_catalog.set_config('lock_timeout', v_timeout, true);
        BEGIN
            v_result := tracktik._process_batch(v_batch);
        EXCEPTION
            WHEN lock_not_available OR transaction_rollback THEN
                -- busy, not broken: a lock wait ran out, or a deadlock or serialization failure
                -- (the work is rolled back); the batch keeps its status
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
                PERFORM pg_catalog.pg_advisory_unlock(v_lock);
                RAISE EXCEPTION USING
                    ERRCODE = 'TT004',
                    MESSAGE = CASE WHEN v_state = '55P03'
                                   THEN pg_catalog.format('run_kaiser_batch: the database is busy: batch %s gave up waiting %s for a lock held by another transaction',
                                                          v_batch, v_timeout)
                                   ELSE pg_catalog.format('run_kaiser_batch: the database is busy: batch %s was rolled back by a conflict with another transaction (%s)',
                                                          v_batch, v_state) END,
                    DETAIL  = v_message || pg_catalog.format('. Nothing of batch %s was loaded and it keeps its status: a staged batch is loaded by the next run.', v_batch),
                    HINT    = 'A long open transaction (see pg_stat_activity, pg_blocking_pids) holds a lock the load needs; the wait limit is tracktik.settings.lock_timeout.';
            WHEN OTHERS THEN
                -- a refusal (TT002, TT003, TT004): the batch was not touched
                PERFORM pg_catalog.pg_advisory_unlock(v_lock);
                RAISE;
        END;

        -- the outcome (completed, or failed and recorded by _process_batch) is committed
        COMMIT;

        IF v_result ->> 'status' = 'failed' THEN
            PERFORM pg_catalog.pg_advisory_unlock(v_lock);
            RAISE EXCEPTION USING
                ERRCODE = v_result ->> 'sqlstate',
                MESSAGE = v_result ->> 'message',
                DETAIL  = pg_catalog.format('Batch %s failed and is marked failed; nothing of it was loaded.%s',
                                            v_batch, coalesce(' ' || nullif(v_result ->> 'detail', ''), '')),
                HINT    = coalesce(nullif(v_result ->> 'hint', ''),
                                   pg_catalog.format('Fix the cause, then CALL tracktik.run_kaiser_batch(%L) again.', v_batch));
        END IF;
    END LOOP;

    PERFORM pg_catalog.pg_advisory_unlock(v_lock);
END
$$;

COMMENT ON PROCEDURE tracktik.run_kaiser_batch(uuid) IS
    'Processes one staged (or failed) batch, or every staged batch oldest first, each all or nothing in its own transaction: SCD2 merge, facts, billing, data quality, watermarks, reporting. Marks dead running batches abandoned. TT004 when another session is running (no waiting), or when a lock another transaction holds is not free within settings.lock_timeout (the batch keeps its status); TT002 unknown batch; TT003 completed/running/abandoned batch; a failure is marked failed by _process_batch (error_message names the step and, where it can be attributed, the record), committed, and re-raised with the original SQLSTATE; a lock timeout, deadlock or serialization failure is TT004 and leaves the batch as it was. CALL outside a transaction block.';
