-- tracktik._fail_batch(batch, sqlstate, message, detail): records that processing a batch
-- failed (status failed, error_message, error_sqlstate, completed_at; counts of the rolled-back
-- attempt zeroed). Its staging is kept, so the same batch can run again after a fix. Never
-- touches a batch that is not staged or failed (a completed batch stays completed).
CREATE OR REPLACE FUNCTION tracktik._fail_batch(p_batch_id uuid, p_sqlstate text, p_message text,
                                                p_detail text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = ''
AS $$
    UPDATE tracktik.etl_batches AS b
       SET status = 'failed',
           completed_at = pg_catalog.now(),
           records_processed = 0,
           records_failed = 0,
           error_sqlstate = p_sqlstate,
           error_message = p_message || CASE WHEN p_detail IS NOT NULL AND p_detail <> ''
                                             THEN ' (' || p_detail || ')' ELSE '' END
     WHERE b.batch_id = p_batch_id
       AND b.status IN ('staged', 'failed');
$$;

COMMENT ON FUNCTION tracktik._fail_batch(uuid, text, text, text) IS
    'Internal (run_kaiser_batch): marks a staged or failed batch failed with the error message and SQLSTATE of the rolled-back attempt; staging is kept for a re-run.';
