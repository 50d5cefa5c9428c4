-- tracktik.rehash_dimension(dimension) -> rows whose attributes_hash changed.
--
-- Recomputes attributes_hash of every non-inferred version from its stored columns with the
-- current declaration. Run it (as the owner) after changing which attributes of a dimension
-- are tracked (tracktik.scd2_attributes), otherwise the next merge would see every row as
-- changed. Serialised with the dimension's merge by its advisory lock.
CREATE OR REPLACE FUNCTION tracktik.rehash_dimension(p_dimension text)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET TimeZone = 'UTC'              -- text forms hashed by attributes_hash, as in the merge
SET DateStyle = 'ISO, YMD'
AS $$
DECLARE
    v_dim   tracktik.scd2_dimensions;
    v_hash  text;
    v_rows  bigint;
BEGIN
    -- guard (TT001 unknown dimension, TT010 invalid declaration)
    v_hash := tracktik._scd2_hash_sql(p_dimension, 'd');
    SELECT * INTO STRICT v_dim FROM tracktik.scd2_dimensions AS x WHERE x.dimension = p_dimension;

    -- lock
    PERFORM tracktik._lock_dimension(v_dim.dimension);

    EXECUTE pg_catalog.format($sql$
        UPDATE tracktik.%1$I AS d
           SET attributes_hash = %2$s, updated_at = pg_catalog.now()
         WHERE NOT d.is_inferred AND d.attributes_hash IS DISTINCT FROM %2$s$sql$,
        v_dim.table_name, v_hash);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;

COMMENT ON FUNCTION tracktik.rehash_dimension(text) IS
    'Recomputes attributes_hash of a dimension''s versions from the current declaration of tracked attributes; run after changing tracktik.scd2_attributes.is_tracked. Returns the number of rows changed.';
