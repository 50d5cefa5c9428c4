-- tracktik.start_batch(batch_type, metadata) -> batch_id: opens an ETL batch.
--
-- Creates the etl_batches row (status 'running') and the batch's own staging partition,
-- and takes a session-level advisory lock (classid hashtext('tracktik.batch'), objid
-- hashtext(batch_id)) that the calling session holds until it disconnects: while it is
-- held the batch is alive; a running batch whose lock is free was left by a dead shell.
CREATE OR REPLACE FUNCTION tracktik.start_batch(p_batch_type text, p_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS uuid
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_batch_id  uuid := pg_catalog.gen_random_uuid();
BEGIN
    -- guard
    IF p_batch_type IS NULL OR pg_catalog.btrim(p_batch_type) = '' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'start_batch: batch_type must be a non-empty string',
            HINT    = 'Use e.g. ''incremental'', ''full'' or ''backfill''.';
    END IF;
    IF p_metadata IS NOT NULL AND pg_catalog.jsonb_typeof(p_metadata) <> 'object' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'start_batch: metadata must be a JSON object',
            DETAIL  = pg_catalog.format('got a JSON %s', pg_catalog.jsonb_typeof(p_metadata));
    END IF;

    -- batch row
    INSERT INTO tracktik.etl_batches (batch_id, batch_type, status, metadata)
    VALUES (v_batch_id, p_batch_type, 'running', coalesce(p_metadata, '{}'::jsonb));

    -- staging partition of this batch
    EXECUTE pg_catalog.format(
        'CREATE TABLE staging.%I PARTITION OF staging.api_records FOR VALUES IN (%L)',
        'api_records_' || pg_catalog.replace(v_batch_id::text, '-', ''), v_batch_id);

    -- liveness: held by this session until it ends
    PERFORM pg_catalog.pg_advisory_lock(pg_catalog.hashtext('tracktik.batch'),
                                        pg_catalog.hashtext(v_batch_id::text));
    RETURN v_batch_id;
END
$$;

COMMENT ON FUNCTION tracktik.start_batch(text, jsonb) IS
    'Opens an ETL batch: etl_batches row with status running, its staging.api_records partition, and a session advisory lock marking the batch alive. Returns the batch id.';
