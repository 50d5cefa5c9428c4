-- tracktik.start_batch(batch_type, metadata) -> batch_id: opens an ETL batch.
--
-- Creates the etl_batches row (status 'running') and the batch's own staging partition,
-- and takes a session-level advisory lock (classid hashtext('tracktik.batch'), objid
-- hashtext(batch_id)) that the calling session holds until it disconnects: while it is
-- held the batch is alive; a running batch whose lock is free was left by a dead shell. Only
-- the session holding it (in exclusive mode) may stage into the batch (trigger
-- api_records_staged_by_the_batch_session) and mark it staged (mark_batch_staged).
--
-- Waits at most tracktik.settings.lock_timeout (default 5 s) for a lock another transaction
-- holds: creating the partition takes an ACCESS EXCLUSIVE lock on staging.api_records, so a
-- DBA's open transaction that has read staging (or locked tracktik.etl_batches) would otherwise
-- hold the run up without limit. Then it fails with TT004 "busy": nothing is created and the
-- shell's next run tries again.
CREATE OR REPLACE FUNCTION tracktik.start_batch(p_batch_type text, p_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS uuid
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET lock_timeout = '5s'
AS $$
DECLARE
    v_batch_id  uuid := pg_catalog.gen_random_uuid();
    v_waited    text;
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

    PERFORM tracktik._set_lock_timeout();
    BEGIN
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
    EXCEPTION WHEN lock_not_available THEN
        GET STACKED DIAGNOSTICS v_waited = MESSAGE_TEXT;
        RAISE EXCEPTION USING
            ERRCODE = 'TT004',
            MESSAGE = pg_catalog.format('start_batch: the database is busy: gave up waiting %s for a lock held by another transaction',
                                        pg_catalog.current_setting('lock_timeout')),
            DETAIL  = v_waited || '. No batch was opened; the next run tries again.',
            HINT    = 'A long open transaction on tracktik.etl_batches or staging.api_records (see pg_stat_activity, pg_blocking_pids) holds it; the wait limit is tracktik.settings.lock_timeout.';
    END;
    RETURN v_batch_id;
END
$$;

COMMENT ON FUNCTION tracktik.start_batch(text, jsonb) IS
    'Opens an ETL batch: etl_batches row with status running, its staging.api_records partition, and a session advisory lock marking the batch alive (only its holder may stage into the batch and mark it staged). Returns the batch id. TT001 bad argument; TT004 busy: a lock not free within settings.lock_timeout (nothing created).';
