-- tracktik.mark_batch_staged(batch, full-sync resources, metadata): the shell has staged every
-- record of a running batch. Status running -> staged, staged_at = now(), the fully synced
-- resources recorded (only they may close dimension rows whose ids are absent), the metadata
-- merged into etl_batches.metadata. Releases the batch's liveness lock: a staged batch is no
-- longer "running".
--
-- Only the session that opened the batch may mark it: the one holding its liveness lock
-- (tracktik.start_batch) in exclusive mode; another session gets TT004 (a live session is
-- staging the batch) or TT003 (nobody is: its shell ended). A second loader therefore cannot
-- mark, and so run, a batch another shell is still fetching.
-- Waits for locks (the batch row) at most tracktik.settings.lock_timeout; then TT004, busy.
CREATE OR REPLACE FUNCTION tracktik.mark_batch_staged(
    p_batch_id uuid, p_full_sync_resources text[], p_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET lock_timeout = '5s'
AS $$
DECLARE
    v_status  text;
BEGIN
    -- guard
    IF p_batch_id IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'mark_batch_staged: batch id must not be NULL';
    END IF;
    IF p_metadata IS NOT NULL AND pg_catalog.jsonb_typeof(p_metadata) <> 'object' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'mark_batch_staged: metadata must be a JSON object',
            DETAIL  = pg_catalog.format('got a JSON %s', pg_catalog.jsonb_typeof(p_metadata));
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.unnest(p_full_sync_resources) AS r(name)
                WHERE r.name IS NULL OR pg_catalog.btrim(r.name) = '') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'mark_batch_staged: full-sync resource names must be non-empty',
            HINT    = 'Pass API resource names, e.g. ARRAY[''regions'', ''clients''], or an empty array.';
    END IF;
    PERFORM tracktik._set_lock_timeout();
    BEGIN
        SELECT b.status INTO v_status FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id FOR UPDATE;
    EXCEPTION WHEN lock_not_available THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT004',
            MESSAGE = pg_catalog.format('mark_batch_staged: batch %s is locked by another transaction; gave up after %s',
                                        p_batch_id, pg_catalog.current_setting('lock_timeout')),
            HINT    = 'A long open transaction holds the batch row (see pg_stat_activity); the next run starts a new batch.';
    END;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT002',
            MESSAGE = pg_catalog.format('mark_batch_staged: batch %s not found', p_batch_id);
    END IF;
    IF v_status <> 'running' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT003',
            MESSAGE = pg_catalog.format('mark_batch_staged: batch %s is %s, not running', p_batch_id, v_status),
            HINT    = 'Only a running batch (opened by tracktik.start_batch) can be marked staged.';
    END IF;
    -- only by the session that opened it
    PERFORM tracktik._require_batch_liveness_lock(p_batch_id, 'mark_batch_staged');

    -- state change
    UPDATE tracktik.etl_batches AS b
       SET status = 'staged',
           staged_at = pg_catalog.now(),
           full_sync_resources = ARRAY(SELECT DISTINCT r.name FROM pg_catalog.unnest(coalesce(p_full_sync_resources, '{}')) AS r(name) ORDER BY 1),
           metadata = b.metadata || coalesce(p_metadata, '{}'::jsonb)
     WHERE b.batch_id = p_batch_id;

    -- liveness lock: no longer needed once staged
    PERFORM pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('tracktik.batch'), pg_catalog.hashtext(p_batch_id::text));
END
$$;

COMMENT ON FUNCTION tracktik.mark_batch_staged(uuid, text[], jsonb) IS
    'The shell has staged all records of a batch: running -> staged, with the fully synced resources and extra metadata; releases the batch''s liveness lock. Only the session holding that lock (exclusive) may: TT004 another session''s batch, TT003 nobody''s. TT001 bad argument, TT002 unknown batch, TT003 batch not running; TT004 when a lock is not free within settings.lock_timeout.';
