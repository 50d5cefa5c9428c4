-- tracktik.sync_watermarks() -> the incremental-sync high-water mark of every resource, for
-- the shell (the loader role may not read tracktik tables directly).
CREATE OR REPLACE FUNCTION tracktik.sync_watermarks()
RETURNS TABLE (resource text, last_sync_timestamp timestamptz, last_successful_batch_id uuid)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
    SELECT s.table_name, s.last_sync_timestamp, s.last_successful_batch_id
      FROM tracktik.etl_sync_status AS s
     ORDER BY s.table_name
$$;

COMMENT ON FUNCTION tracktik.sync_watermarks() IS
    'Per API resource: the high-water mark on the field of its incremental filter (shifts modifiedOn, other resources updatedOn) of accepted records in completed batches, never later than the start of the batch that set it, and that batch. The shell asks the API for changes after (mark - lookback).';
