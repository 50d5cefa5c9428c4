-- tracktik._set_lock_timeout() -> text: sets lock_timeout, for the rest of the current
-- transaction, to tracktik.settings.lock_timeout and returns it (e.g. '5000ms').
--
-- The entry points that may wait behind another transaction (a DBA's open transaction that
-- holds a conflicting lock) call it first: start_batch and mark_batch_staged (which also carry
-- SET lock_timeout in their definition, so the value stays inside them), and run_kaiser_batch
-- through _batches_to_run (the procedure re-applies the returned value after each COMMIT, for
-- _process_batch). A wait longer than that fails with 55P03
-- (lock_not_available), which those routines turn into TT004 "busy, try again on the next run".
-- Reading the setting is itself bounded: by 5 s until the configured value is known.
-- No SET clause of its own: a SET clause would undo the change when the function returns.
CREATE OR REPLACE FUNCTION tracktik._set_lock_timeout()
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_timeout  text;
BEGIN
    PERFORM pg_catalog.set_config('lock_timeout', '5s', true);
    SELECT pg_catalog.round(EXTRACT(epoch FROM s.lock_timeout) * 1000)::bigint::text || 'ms'
      INTO v_timeout
      FROM tracktik.settings AS s;
    RETURN pg_catalog.set_config('lock_timeout', coalesce(v_timeout, '5s'), true);
END
$$;

COMMENT ON FUNCTION tracktik._set_lock_timeout() IS
    'Internal: SET LOCAL lock_timeout to tracktik.settings.lock_timeout (5 s while reading it); returns the value set.';
