-- tracktik._require_batch_liveness_lock(batch, caller): raise unless this session holds the
-- batch's liveness lock in exclusive mode, i.e. unless this session opened the batch with
-- tracktik.start_batch (session advisory lock (hashtext('tracktik.batch'), hashtext(batch_id)))
-- and has not marked it staged yet. A shared hold (pg_advisory_lock_shared) does not count.
--   TT004  another session holds it: that session is staging the batch;
--   TT003  no session holds it: the session that opened the batch has ended (the next run marks
--          it abandoned).
-- mark_batch_staged calls it; the staging guard (tracktik._staging_insert_guard) makes the same
-- check inline, since it runs with the rights of the loader, who may not execute this.
CREATE OR REPLACE FUNCTION tracktik._require_batch_liveness_lock(p_batch_id uuid, p_caller text)
RETURNS void
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    v_class   CONSTANT integer := pg_catalog.hashtext('tracktik.batch');
    v_object  CONSTANT integer := pg_catalog.hashtext(p_batch_id::text);
    v_holder  integer;
BEGIN
    IF tracktik._session_holds_advisory_lock(v_class, v_object) THEN
        RETURN;
    END IF;
    SELECT l.pid INTO v_holder
      FROM pg_catalog.pg_locks AS l
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.mode = 'ExclusiveLock'
       AND l.database = (SELECT d.oid FROM pg_catalog.pg_database AS d
                          WHERE d.datname = pg_catalog.current_database())
       AND l.classid::integer = v_class AND l.objid::integer = v_object
     LIMIT 1;
    IF v_holder IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT003',
            MESSAGE = pg_catalog.format('%s: batch %s has no session staging it any more', p_caller, p_batch_id),
            DETAIL  = 'No session holds its liveness lock in exclusive mode: the session that opened it with tracktik.start_batch has ended (the next run marks it abandoned).',
            HINT    = 'Open a new batch with tracktik.start_batch and stage into that one.';
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = 'TT004',
        MESSAGE = pg_catalog.format('%s: batch %s is being staged by another session (pid %s)',
                                    p_caller, p_batch_id, v_holder),
        HINT    = 'Only the session that opened a batch (tracktik.start_batch) may stage into it or mark it staged; open your own batch.';
END
$$;

COMMENT ON FUNCTION tracktik._require_batch_liveness_lock(uuid, text) IS
    'Internal: raises unless this session holds the batch''s liveness lock (start_batch) in exclusive mode: TT004 another session holds it, TT003 no session does.';
