-- tracktik.mark_batch_staged(batch, full-sync resources, metadata): the shell has staged every
-- record of a running batch. Status running -> staged, staged_at = now(), the fully synced
-- resources recorded (only they may close dimension rows whose ids are absent), the metadata
-- merged into etl_batches.metadata. Releases the batch's liveness lock when this session holds
-- it: a staged batch is no longer "running".
CREATE OR REPLACE FUNCTION tracktik.mark_batch_staged(
    p_batch_id uuid, p_full_sync_resources text[], p_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
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
    SELECT b.status INTO v_status FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id FOR UPDATE;
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

    -- state change
    UPDATE tracktik.etl_batches AS b
       SET status = 'staged',
           staged_at = pg_catalog.now(),
           full_sync_resources = ARRAY(SELECT DISTINCT r.name FROM pg_catalog.unnest(coalesce(p_full_sync_resources, '{}')) AS r(name) ORDER BY 1),
           metadata = b.metadata || coalesce(p_metadata, '{}'::jsonb)
     WHERE b.batch_id = p_batch_id;

    -- liveness lock: no longer needed once staged
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_locks AS l
                WHERE l.locktype = 'advisory' AND l.pid = pg_catalog.pg_backend_pid() AND l.granted
                  AND l.database = (SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database())
                  AND l.classid::integer = pg_catalog.hashtext('tracktik.batch')
                  AND l.objid::integer = pg_catalog.hashtext(p_batch_id::text)
                  AND l.objsubid = 2) THEN
        PERFORM pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('tracktik.batch'), pg_catalog.hashtext(p_batch_id::text));
    END IF;
END
$$;

COMMENT ON FUNCTION tracktik.mark_batch_staged(uuid, text[], jsonb) IS
    'The shell has staged all records of a batch: running -> staged, with the fully synced resources and extra metadata; releases the batch''s liveness lock. TT001 bad argument, TT002 unknown batch, TT003 batch not running.';
