-- tracktik._advance_sync_watermarks(batch, known maxima) -> the marks set: for every resource
-- staged in the batch, the latest updatedOn / modifiedOn seen (valid ISO date-times with offset
-- only) becomes tracktik.etl_sync_status.last_sync_timestamp when it is later than the mark
-- (a mark never goes back). Runs in the transaction that loads the batch's data, so marks and
-- data commit together. p_known: {"resource": "max instant"} already computed by a load (the
-- shift load computes it while parsing), so 100,000 shifts are not parsed twice.
-- sync_metadata keeps the last batch, its record count and, for a fully synced resource, the
-- time of the last full sync.
CREATE OR REPLACE FUNCTION tracktik._advance_sync_watermarks(p_batch_id uuid, p_known jsonb DEFAULT '{}'::jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_marks  jsonb;
BEGIN
    WITH counts AS (
        -- one pass: per resource the record count and, unless the caller knows it, the
        -- latest instant (the CASE keeps the 100,000 shift records from being parsed again)
        SELECT a.resource, count(*) AS records,
               max(CASE WHEN NOT (coalesce(p_known, '{}'::jsonb) ? a.resource) THEN
                   GREATEST(CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'updatedOn')
                                 THEN (a.record ->> 'updatedOn')::timestamptz END,
                            CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'modifiedOn')
                                 THEN (a.record ->> 'modifiedOn')::timestamptz END) END) AS mark
          FROM staging.api_records AS a
         WHERE a.batch_id = p_batch_id
         GROUP BY a.resource
    ), marks AS (
        SELECT c.resource, c.records,
               CASE WHEN coalesce(p_known, '{}'::jsonb) ? c.resource
                    THEN (p_known ->> c.resource)::timestamptz ELSE c.mark END AS mark
          FROM counts AS c
    ), batch AS (
        SELECT b.full_sync_resources FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id
    ), upserted AS (
        INSERT INTO tracktik.etl_sync_status AS s
               (table_name, last_sync_timestamp, last_successful_batch_id, sync_metadata)
        SELECT m.resource, m.mark, CASE WHEN m.mark IS NOT NULL THEN p_batch_id END,
               pg_catalog.jsonb_build_object('last_batch_id', p_batch_id, 'last_batch_records', m.records,
                                             'last_batch_at', pg_catalog.now())
               || CASE WHEN m.resource = ANY ((SELECT b.full_sync_resources FROM batch AS b)::text[])
                       THEN pg_catalog.jsonb_build_object('last_full_sync_at', pg_catalog.now(),
                                                          'last_full_sync_batch_id', p_batch_id)
                       ELSE '{}'::jsonb END
          FROM marks AS m
        ON CONFLICT (table_name) DO UPDATE
           SET last_sync_timestamp = GREATEST(s.last_sync_timestamp, EXCLUDED.last_sync_timestamp),
               last_successful_batch_id = CASE
                   WHEN EXCLUDED.last_sync_timestamp > s.last_sync_timestamp
                        OR (s.last_sync_timestamp IS NULL AND EXCLUDED.last_sync_timestamp IS NOT NULL)
                   THEN EXCLUDED.last_successful_batch_id ELSE s.last_successful_batch_id END,
               sync_metadata = s.sync_metadata || EXCLUDED.sync_metadata
        RETURNING s.table_name, s.last_sync_timestamp
    )
    SELECT coalesce(pg_catalog.jsonb_object_agg(u.table_name, u.last_sync_timestamp), '{}'::jsonb)
      INTO v_marks
      FROM upserted AS u;
    RETURN v_marks;
END
$$;

COMMENT ON FUNCTION tracktik._advance_sync_watermarks(uuid, jsonb) IS
    'Internal: advances tracktik.etl_sync_status for every resource staged in a batch to the latest updatedOn/modifiedOn seen (never backwards), in the loading transaction. Returns the marks.';
