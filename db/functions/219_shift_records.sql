-- tracktik._shift_records(batch, period) -> (src_tid, fetched_at, rec): the shift records a load
-- reads: the batch's staged 'shifts' records, or with p_period_id the raw_data stored in that
-- billing period (reprocessing). src_tid (the row's ctid) identifies a record for the rest of
-- the load, so the 700-byte records are not copied through the work tables: the load joins
-- back by src_tid where it needs the record (issues, comparison, the final write). Neither
-- source is modified before that final write, so the tids stay valid.
--
-- LANGUAGE sql, STABLE, not STRICT: inlined into the caller's query, partitions pruned.
CREATE OR REPLACE FUNCTION tracktik._shift_records(p_batch_id uuid, p_period_id text DEFAULT NULL)
RETURNS TABLE (src_tid tid, fetched_at timestamptz, rec jsonb)
LANGUAGE sql
STABLE
AS $$
    SELECT a.ctid, a.fetched_at, a.record
      FROM staging.api_records AS a
     WHERE p_period_id IS NULL AND a.batch_id = p_batch_id AND a.resource = 'shifts'
    UNION ALL
    SELECT f.ctid, f.updated_at, f.raw_data
      FROM tracktik.fact_shifts AS f
     WHERE p_period_id IS NOT NULL AND f.billing_period_id = p_period_id
$$;

COMMENT ON FUNCTION tracktik._shift_records(uuid, text) IS
    'Internal: the shift records a load reads (a batch''s staged shifts, or a period''s stored raw_data) with their ctid as record id. Inlinable.';
