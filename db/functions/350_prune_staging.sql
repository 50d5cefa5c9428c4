-- tracktik.prune_staging(older than DEFAULT NULL) -> number of staging partitions dropped.
--
-- Drops the staging.api_records partition of every batch that is finished (completed, failed
-- or abandoned) and ended (completed_at, else started_at) more than p_older_than ago (default:
-- tracktik.settings.staging_retention_days). The batch row stays, with
-- metadata.staging_pruned_at; a failed batch whose staging is pruned cannot be run again.
-- The batch's rows of staging.rejected_records (records that could not be staged as jsonb) are
-- deleted with it.
-- One DDL statement per partition (DDL cannot be set-based).
CREATE OR REPLACE FUNCTION tracktik.prune_staging(p_older_than interval DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_cutoff   timestamptz;
    v_batch    record;
    v_dropped  integer := 0;
BEGIN
    -- guard
    IF p_older_than < interval '0' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = pg_catalog.format('prune_staging: age %s must not be negative', p_older_than);
    END IF;
    SELECT pg_catalog.now() - coalesce(p_older_than, pg_catalog.make_interval(days => s.staging_retention_days))
      INTO v_cutoff
      FROM tracktik.settings AS s;

    -- one partition at a time
    FOR v_batch IN
        SELECT b.batch_id, c.relname AS part
          FROM tracktik.etl_batches AS b
          JOIN pg_catalog.pg_class AS c
            ON c.relname = 'api_records_' || pg_catalog.replace(b.batch_id::text, '-', '')
           AND c.relnamespace = 'staging'::regnamespace
         WHERE b.status IN ('completed', 'failed', 'abandoned')
           AND coalesce(b.completed_at, b.started_at) < v_cutoff
         ORDER BY b.started_at
    LOOP
        EXECUTE pg_catalog.format('DROP TABLE staging.%I', v_batch.part);
        UPDATE tracktik.etl_batches AS b
           SET metadata = b.metadata || pg_catalog.jsonb_build_object('staging_pruned_at', pg_catalog.now())
         WHERE b.batch_id = v_batch.batch_id;
        v_dropped := v_dropped + 1;
    END LOOP;

    -- the records that could not be staged as jsonb go with the staging of their batch
    DELETE FROM staging.rejected_records AS r
     USING tracktik.etl_batches AS b
     WHERE b.batch_id = r.batch_id
       AND b.status IN ('completed', 'failed', 'abandoned')
       AND coalesce(b.completed_at, b.started_at) < v_cutoff;
    RETURN v_dropped;
END
$$;

COMMENT ON FUNCTION tracktik.prune_staging(interval) IS
    'Drops the staging partitions (and deletes the staging.rejected_records rows) of completed, failed and abandoned batches that ended longer ago than the given age (default tracktik.settings.staging_retention_days); returns how many. TT001 negative age.';
