-- tracktik._scd2_typed_sql(dimension) -> the SELECT that validates, casts and hashes the raw
-- candidate records in pg_temp.scd2_raw (columns of tracktik._scd2_raw_sql plus
-- _has_current), one row each:
--
--   _record, _fetched_at, _id_text, _id, _has_current     carried over
--   _problem, _problem_field   NULL for a good record, else the data-quality issue type
--                              (missing_required_field, invalid_field_value,
--                              timestamp_without_offset, unparsable_timestamp) and the API field
--   _source_updated_on         updatedOn as timestamptz (NULL when absent or bad)
--   <column> ...               every source attribute cast to its column's type
--   _hash                      attributes_hash of the tracked attributes
--
-- Values are validated before the cast (integers, numerics, booleans), so that one bad
-- record never aborts the load; columns of other types are cast directly.
CREATE OR REPLACE FUNCTION tracktik._scd2_typed_sql(p_dimension text)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_dim    tracktik.scd2_dimensions;
    v_typed  text;
    v_bad    text;
    v_cols   text;
    v_int_re constant text := '^-?[0-9]{1,18}$';
BEGIN
    SELECT * INTO STRICT v_dim FROM tracktik.scd2_dimensions AS d WHERE d.dimension = p_dimension;

    WITH a AS (
        SELECT x.*,
               pg_catalog.format('%I', '_r' || x.ordinal) AS raw,
               pg_catalog.array_to_string(x.source_path, '.') AS field,
               -- the validation pattern of the column's type (NULL: none)
               CASE
                   WHEN x.references_dimension IS NOT NULL OR x.sql_type = 'bigint' THEN v_int_re
                   WHEN x.sql_type = 'integer'  THEN '^-?[0-9]{1,9}$'
                   WHEN x.sql_type = 'smallint' THEN '^-?[0-9]{1,4}$'
                   WHEN x.sql_type LIKE 'numeric%' THEN '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$'
                   WHEN x.sql_type = 'boolean'  THEN '^(true|false)$'
               END AS pattern
          FROM tracktik._scd2_columns(p_dimension) AS x
         WHERE x.source_path IS NOT NULL
    )
    SELECT pg_catalog.string_agg(
               CASE
                   WHEN a.sql_type = 'jsonb' THEN pg_catalog.format(
                       'NULLIF(r.%s, %L::jsonb) AS %I', a.raw, 'null', a.column_name)
                   WHEN a.pattern IS NOT NULL THEN pg_catalog.format(
                       'CASE WHEN r.%1$s OPERATOR(pg_catalog.~) %2$L THEN r.%1$s::%3$s END AS %4$I',
                       a.raw, a.pattern, a.sql_type, a.column_name)
                   ELSE pg_catalog.format('r.%s::%s AS %I', a.raw, a.sql_type, a.column_name)
               END, E',\n           ' ORDER BY a.ordinal),
           pg_catalog.string_agg(
               pg_catalog.format('WHEN NOT r.%1$s OPERATOR(pg_catalog.~) %2$L THEN %3$L', a.raw, a.pattern, a.field),
               ' ' ORDER BY a.ordinal) FILTER (WHERE a.pattern IS NOT NULL),
           pg_catalog.string_agg(pg_catalog.format('l2.%I', a.column_name), ', ' ORDER BY a.ordinal)
      INTO v_typed, v_bad, v_cols
      FROM a;

    RETURN pg_catalog.format($sql$
SELECT l2._record, l2._fetched_at, l2._id_text, l2._id, l2._has_current,
       CASE WHEN l2._id_text IS NULL THEN 'missing_required_field'
            WHEN l2._id IS NULL THEN 'invalid_field_value'
            WHEN l2._ts_problem IS NOT NULL THEN l2._ts_problem
            WHEN l2._bad_field IS NOT NULL THEN 'invalid_field_value' END AS _problem,
       CASE WHEN l2._id IS NULL THEN %1$L
            WHEN l2._ts_problem IS NOT NULL THEN %2$L
            ELSE l2._bad_field END AS _problem_field,
       CASE WHEN l2._ts_problem IS NULL THEN l2._ts_text::timestamptz END AS _source_updated_on,
       %3$s,
       %4$s AS _hash
  FROM (
    SELECT r._record, r._fetched_at, r._id_text, r._id, r._has_current, r._ts_text,
           tracktik._timestamp_problem(r._ts_text) AS _ts_problem,
           CASE %5$s END AS _bad_field,
           %6$s
      FROM pg_temp.scd2_raw AS r
    OFFSET 0) AS l2$sql$,
        pg_catalog.array_to_string(v_dim.id_path, '.'),
        pg_catalog.array_to_string(v_dim.updated_on_path, '.'),
        coalesce(v_cols, 'NULL AS _no_attributes'),
        tracktik._scd2_hash_sql(p_dimension, 'l2'),
        coalesce(v_bad, 'WHEN false THEN NULL') || ' ELSE NULL::text',
        coalesce(v_typed, 'NULL AS _no_attributes'));
END
$$;

COMMENT ON FUNCTION tracktik._scd2_typed_sql(text) IS
    'Internal: generates the SELECT that validates, casts and hashes the raw candidate records in pg_temp.scd2_raw (_problem, _source_updated_on, typed attribute columns, _hash).';
