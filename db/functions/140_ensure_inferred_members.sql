-- tracktik.ensure_inferred_members(dimension, ids, batch) -> number of members created.
--
-- For each distinct id that no version of the dimension has, inserts an inferred member: a
-- placeholder version with is_inferred, valid_from '-infinity', current, NULL attributes and
-- an empty attributes_hash; and records one info 'inferred_member' issue per id (not again
-- while the same one is open; resolved by the batch after which the member is filled). The merge
-- fills the placeholder in place when the real record arrives (no extra version, valid_from
-- stays '-infinity' so every earlier fact keeps resolving to it).
-- p_dimension is a declared dimension name ('employees') or its table ('dim_employees').
-- Set-based over the ids; serialised with the dimension's merge by its advisory lock.
-- Callers inferring several dimensions should do so in merge order (regions, clients,
-- positions, employees) to avoid deadlocks with a concurrent merge.
CREATE OR REPLACE FUNCTION tracktik.ensure_inferred_members(p_dimension text, p_ids bigint[], p_batch_id uuid)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_dim      tracktik.scd2_dimensions;
    v_created  integer;
BEGIN
    -- guard
    SELECT * INTO v_dim
      FROM tracktik.scd2_dimensions AS d
     WHERE p_dimension IN (d.dimension, d.table_name);
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = pg_catalog.format('ensure_inferred_members: unknown dimension %L', p_dimension),
            HINT    = (SELECT 'Declared dimensions: ' || pg_catalog.string_agg(d.dimension, ', ' ORDER BY d.merge_order)
                         FROM tracktik.scd2_dimensions AS d);
    END IF;
    IF p_batch_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT002',
            MESSAGE = pg_catalog.format('ensure_inferred_members: batch %s not found', p_batch_id);
    END IF;
    IF p_ids IS NULL OR pg_catalog.cardinality(p_ids) = 0 THEN
        RETURN 0;
    END IF;

    -- lock: the dimension's writers
    PERFORM tracktik._lock_dimension(v_dim.dimension);

    -- placeholders and their issues, set-based
    EXECUTE pg_catalog.format($sql$
        WITH created AS (
            INSERT INTO tracktik.%1$I AS d (%2$I, valid_from, valid_to, is_current, is_inferred,
                                            attributes_hash, etl_batch_id)
            SELECT i.id, '-infinity', NULL, true, true, '\x'::bytea, $1
              FROM (SELECT DISTINCT u.id FROM pg_catalog.unnest($2) AS u(id) WHERE u.id IS NOT NULL) AS i
             WHERE NOT EXISTS (SELECT 1 FROM tracktik.%1$I AS h WHERE h.%2$I = i.id)
             ORDER BY i.id
            ON CONFLICT (%2$I) WHERE is_current DO NOTHING
            RETURNING d.%2$I AS id
        ), issues AS (
            INSERT INTO tracktik.data_quality_issues
                   (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
            SELECT $1, %3$L, c.id::text, 'inferred_member', 'info',
                   pg_catalog.format('unknown %%s id %%s referenced: inferred member created', %4$L, c.id),
                   pg_catalog.jsonb_build_object('dimension', %4$L, 'id', c.id)
              FROM created AS c
            ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING
        )
        SELECT count(*)::integer FROM created$sql$,
        v_dim.table_name, v_dim.id_column, v_dim.table_name, v_dim.dimension)
      INTO v_created
      USING p_batch_id, p_ids;

    RETURN v_created;
END
$$;

COMMENT ON FUNCTION tracktik.ensure_inferred_members(text, bigint[], uuid) IS
    'Creates an inferred member (is_inferred, valid_from -infinity, current) for each id no version of the dimension has, with an info inferred_member issue per id; returns how many were created. The merge fills them in place later. p_dimension: employees or dim_employees, etc.';
