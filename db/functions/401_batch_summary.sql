-- tracktik.batch_summary(batch_id) -> jsonb: what one batch did, for the shell's summary line
-- (status, counts, staged records per resource, open issues by type). Loader-executable.
CREATE OR REPLACE FUNCTION tracktik.batch_summary(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_summary  jsonb;
BEGIN
    SELECT pg_catalog.jsonb_build_object(
               'batch_id', b.batch_id,
               'batch_type', b.batch_type,
               'status', b.status,
               'started_at', b.started_at,
               'completed_at', b.completed_at,
               'records_processed', b.records_processed,
               'records_failed', b.records_failed,
               'error_message', b.error_message,
               'error_sqlstate', b.error_sqlstate,
               'metadata', b.metadata,
               'issues', coalesce((SELECT pg_catalog.jsonb_object_agg(i.issue_type, i.n)
                                     FROM (SELECT q.issue_type, count(*) AS n
                                             FROM tracktik.data_quality_issues AS q
                                            WHERE q.batch_id = b.batch_id
                                            GROUP BY q.issue_type) AS i), '{}'::jsonb))
      INTO v_summary
      FROM tracktik.etl_batches AS b
     WHERE b.batch_id = p_batch_id;
    IF v_summary IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT002',
            MESSAGE = pg_catalog.format('batch %s does not exist', p_batch_id);
    END IF;
    RETURN v_summary;
END
$$;

COMMENT ON FUNCTION tracktik.batch_summary(uuid) IS
    'One batch as JSON: status, timings, counts, error, metadata (per-resource and merge counts) and data-quality issues by type.';
