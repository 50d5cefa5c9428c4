-- tracktik._require_run_lock(caller): raise TT004 unless this session holds the run lock that
-- CALL tracktik.run_kaiser_batch takes, in exclusive mode as the procedure takes it (a shared
-- hold, pg_advisory_lock_shared, does not count: a second session could take one beside the
-- first). The internals the procedure calls with the caller's rights (_batches_to_run,
-- _process_batch) start with it, so a loader cannot call them directly around the
-- one-run-at-a-time rule.
CREATE OR REPLACE FUNCTION tracktik._require_run_lock(p_caller text)
RETURNS void
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    IF NOT tracktik._session_holds_advisory_lock(pg_catalog.hashtext('tracktik.run_kaiser_batch')::bigint) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT004',
            MESSAGE = p_caller || ': the session does not hold the run lock of tracktik.run_kaiser_batch (in exclusive mode)',
            HINT    = 'Internal routine: CALL tracktik.run_kaiser_batch(batch) instead.';
    END IF;
END
$$;

COMMENT ON FUNCTION tracktik._require_run_lock(text) IS
    'Internal: raises TT004 unless this session holds run_kaiser_batch''s run lock in exclusive mode.';
