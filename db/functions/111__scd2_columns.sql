-- tracktik._scd2_columns(dimension) -> the declared columns of one SCD2 dimension
-- (tracktik.scd2_attributes), checked against the catalog and completed with what the SQL
-- generators need: the column's SQL type, and for lookup attributes the referenced table.
--
-- Raises TT001 for an unknown dimension and TT010 when the declaration does not fit the
-- table (missing or misnamed column, lookup through a column that is not a relation, a
-- table without the standard SCD2 columns).
CREATE OR REPLACE FUNCTION tracktik._scd2_columns(p_dimension text)
RETURNS TABLE (
    column_name           text,
    sql_type              text,
    ordinal               integer,
    source_path           text[],
    is_tracked            boolean,
    references_dimension  text,
    lookup_via            text,
    lookup_table          text,
    lookup_id_column      text,
    lookup_column         text
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
#variable_conflict use_column
DECLARE
    v_dim      tracktik.scd2_dimensions;
    v_problem  text;
BEGIN
    -- guard: the dimension is declared
    SELECT * INTO v_dim FROM tracktik.scd2_dimensions AS d WHERE d.dimension = p_dimension;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT001',
            MESSAGE = pg_catalog.format('unknown SCD2 dimension %L', p_dimension),
            HINT    = (SELECT 'Declared dimensions: ' || pg_catalog.string_agg(d.dimension, ', ' ORDER BY d.merge_order)
                         FROM tracktik.scd2_dimensions AS d);
    END IF;

    -- guard: the table has the natural id and the standard SCD2 columns
    SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', req.col, req.typ), ', ')
      INTO v_problem
      FROM (VALUES (v_dim.id_column, 'bigint'), ('surrogate_key', 'bigint'),
                   ('valid_from', 'timestamp with time zone'), ('valid_to', 'timestamp with time zone'),
                   ('is_current', 'boolean'), ('is_inferred', 'boolean'), ('attributes_hash', 'bytea'),
                   ('source_updated_on', 'timestamp with time zone'), ('etl_batch_id', 'uuid'),
                   ('updated_at', 'timestamp with time zone')) AS req(col, typ)
     WHERE NOT EXISTS (
            SELECT 1
              FROM pg_catalog.pg_attribute AS a
             WHERE a.attrelid = pg_catalog.to_regclass(pg_catalog.format('tracktik.%I', v_dim.table_name))
               AND a.attname = req.col AND NOT a.attisdropped
               AND pg_catalog.format_type(a.atttypid, a.atttypmod) = req.typ);
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT010',
            MESSAGE = pg_catalog.format('SCD2 dimension %s: table tracktik.%I lacks required columns', p_dimension, v_dim.table_name),
            DETAIL  = 'missing or of another type: ' || v_problem,
            HINT    = 'Fix tracktik.scd2_dimensions or the table.';
    END IF;

    -- guard: every declared column exists and fits its role
    SELECT pg_catalog.string_agg(pg_catalog.format('%s (%s)', x.column_name, x.why), '; ')
      INTO v_problem
      FROM (
        SELECT at.column_name,
               CASE
                   WHEN at.column_name LIKE '\_%' THEN 'names starting with _ are reserved for the merge'
                   WHEN col.attname IS NULL THEN 'no such column in tracktik.' || v_dim.table_name
                   WHEN at.lookup_via IS NOT NULL AND via.references_dimension IS NULL THEN
                        'lookup_via ' || at.lookup_via || ' is not a relation (references_dimension)'
                   WHEN at.lookup_via IS NOT NULL AND lcol.attname IS NULL THEN
                        'no column ' || at.lookup_column || ' in tracktik.' || ref.table_name
                   WHEN at.references_dimension IS NOT NULL
                        AND pg_catalog.format_type(col.atttypid, col.atttypmod) <> 'bigint' THEN
                        'a relation column must be bigint'
               END AS why
          FROM tracktik.scd2_attributes AS at
          LEFT JOIN pg_catalog.pg_attribute AS col
                 ON col.attrelid = pg_catalog.to_regclass(pg_catalog.format('tracktik.%I', v_dim.table_name))
                AND col.attname = at.column_name AND NOT col.attisdropped AND col.attnum > 0
          LEFT JOIN tracktik.scd2_attributes AS via
                 ON via.dimension = at.dimension AND via.column_name = at.lookup_via
          LEFT JOIN tracktik.scd2_dimensions AS ref ON ref.dimension = via.references_dimension
          LEFT JOIN pg_catalog.pg_attribute AS lcol
                 ON lcol.attrelid = pg_catalog.to_regclass('tracktik.' || pg_catalog.quote_ident(ref.table_name))
                AND lcol.attname = at.lookup_column AND NOT lcol.attisdropped AND lcol.attnum > 0
         WHERE at.dimension = p_dimension
      ) AS x
     WHERE x.why IS NOT NULL;
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'TT010',
            MESSAGE = pg_catalog.format('SCD2 dimension %s: invalid attribute declaration', p_dimension),
            DETAIL  = v_problem,
            HINT    = 'Fix tracktik.scd2_attributes.';
    END IF;

    RETURN QUERY
    SELECT at.column_name,
           pg_catalog.format_type(col.atttypid, col.atttypmod),
           at.ordinal,
           at.source_path,
           at.is_tracked,
           at.references_dimension,
           at.lookup_via,
           ref.table_name,
           ref.id_column,
           at.lookup_column
      FROM tracktik.scd2_attributes AS at
      JOIN pg_catalog.pg_attribute AS col
        ON col.attrelid = pg_catalog.to_regclass(pg_catalog.format('tracktik.%I', v_dim.table_name))
       AND col.attname = at.column_name AND NOT col.attisdropped
      LEFT JOIN tracktik.scd2_attributes AS via
             ON via.dimension = at.dimension AND via.column_name = at.lookup_via
      LEFT JOIN tracktik.scd2_dimensions AS ref ON ref.dimension = via.references_dimension
     WHERE at.dimension = p_dimension
     ORDER BY at.ordinal;
END
$$;

COMMENT ON FUNCTION tracktik._scd2_columns(text) IS
    'Internal: the declared columns of an SCD2 dimension with their SQL types and lookup targets, validated against the catalog (TT001 unknown dimension, TT010 invalid declaration).';
