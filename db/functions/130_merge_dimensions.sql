-- tracktik.merge_dimensions(batch) -> counts: SCD Type 2 merge of every declared dimension
-- (regions -> clients -> positions -> employees, tracktik.scd2_dimensions.merge_order) from
-- one staged batch, inside the caller's transaction (no COMMIT). Called by run_kaiser_batch.
--
-- Each dimension is serialised by its transaction-level advisory lock, all taken up front in
-- merge order (so two merges never deadlock); a second session merging the same dimensions
-- waits, then sees what the first committed. Returns, and stores in
-- etl_batches.metadata->'merge':
--   {"regions": {"inserted", "closed", "unchanged", "inferred", "filled", "late", "skipped",
--                "refreshed", "superseded"}, "clients": {...}, ...}
-- Then the stored facts of the members it wrote are re-keyed to the versions valid at their
-- shift start and their employee-weeks re-billed where a billing input changed
-- (tracktik._rekey_facts; its counts in pg_temp.tt_rekey_counts).
CREATE OR REPLACE FUNCTION tracktik.merge_dimensions(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
AS $$
DECLARE
    v_status     text;
    v_dimension  text;
    v_counts     jsonb := '{}'::jsonb;
BEGIN
    -- guard
    IF p_batch_id IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = 'merge_dimensions: batch id must not be NULL';
    END IF;
    SELECT b.status INTO v_status FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT002',
            MESSAGE = pg_catalog.format('merge_dimensions: batch %s not found', p_batch_id);
    END IF;
    IF v_status NOT IN ('staged', 'failed') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT003',
            MESSAGE = pg_catalog.format('merge_dimensions: batch %s is %s', p_batch_id, v_status),
            DETAIL  = 'Only a staged batch (or a failed one, run again) can be merged.',
            HINT    = 'A running batch is still being fetched; a completed one was merged already.';
    END IF;

    -- lock: every dimension, in merge order
    PERFORM tracktik._lock_dimension(d.dimension)
       FROM tracktik.scd2_dimensions AS d
      ORDER BY d.merge_order;

    -- merge, referenced dimensions first
    FOR v_dimension IN SELECT d.dimension FROM tracktik.scd2_dimensions AS d ORDER BY d.merge_order LOOP
        v_counts := v_counts
            || pg_catalog.jsonb_build_object(v_dimension, tracktik._merge_dimension(v_dimension, p_batch_id));
    END LOOP;

    UPDATE tracktik.etl_batches AS b
       SET metadata = b.metadata || pg_catalog.jsonb_build_object('merge', v_counts)
     WHERE b.batch_id = p_batch_id;

    -- stored facts follow the versions now valid at their start (re-keyed, weeks re-billed);
    -- the counts go to etl_batches.metadata->'facts' through tracktik._process_batch
    PERFORM tracktik._rekey_facts(p_batch_id);

    RETURN v_counts;
END
$$;

COMMENT ON FUNCTION tracktik.merge_dimensions(uuid) IS
    'SCD Type 2 merge of all dimensions (regions, clients, positions, employees) from one staged batch, in the caller''s transaction; per-dimension advisory locks. Returns per-dimension counts (inserted, closed, unchanged, inferred, filled, late, skipped, refreshed, superseded), also stored in etl_batches.metadata->''merge''; then re-keys the stored facts of the members it wrote (tracktik._rekey_facts). TT001 NULL batch, TT002 unknown batch, TT003 batch neither staged nor failed.';
