-- tracktik._mark_restored_shifts(batch) -> how many: a shift deleted earlier (an open row of
-- tracktik.deleted_shifts) that this batch loaded again (TrackTik returned it: it is back in
-- fact_shifts, written by this batch, and billed with its week) gets its deletion row marked
-- restored (restored_at, restored_batch_id); the row stays as history. Called by
-- tracktik.load_fact_shifts after the shift load.
CREATE OR REPLACE FUNCTION tracktik._mark_restored_shifts(p_batch_id uuid)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_restored  integer;
BEGIN
    UPDATE tracktik.deleted_shifts AS d
       SET restored_at = pg_catalog.now(), restored_batch_id = p_batch_id
     WHERE d.restored_at IS NULL
       AND d.batch_id <> p_batch_id
       AND EXISTS (SELECT 1 FROM tracktik.fact_shifts AS f
                    WHERE f.shift_id = d.shift_id AND f.etl_batch_id = p_batch_id);
    GET DIAGNOSTICS v_restored = ROW_COUNT;
    RETURN v_restored;
END
$$;

COMMENT ON FUNCTION tracktik._mark_restored_shifts(uuid) IS
    'Internal (load_fact_shifts): marks restored the open deletions (tracktik.deleted_shifts) of shifts that the batch loaded again. Returns how many.';
