-- tracktik._scd2_raw_sql(dimension, batch, restriction) -> the SELECT that reads one batch's
-- staged records of a dimension's resource in one pass, as raw values (no validation yet):
--
--   _record, _fetched_at   the staged record and when it was fetched
--   _id_text, _id          natural id as sent, and as bigint when it is a non-negative integer
--                          (a JSON number or a string of digits; else NULL: the record is bad)
--   _id_type               the JSON type of the id
--   _ts_text               updatedOn as sent (NULL when absent or JSON null)
--   _r<ordinal>            each source attribute (scd2_attributes.ordinal) as text, a relation
--                          as the id of an integer or of an included object {"id": ...},
--                          a jsonb column as jsonb; read at source_path, else (absent or JSON
--                          null) at fallback_path when declared, and NULL when json_types is
--                          declared and the value's JSON type is not one of them
--
-- Cheap on purpose: the merge compares these raw values with the current versions and
-- validates, casts and hashes only the records that differ (tracktik._scd2_typed_sql).
-- p_restrict, when given, is an extra condition on the staged row (alias s), built by the
-- caller with format(%I, %L). The inner layer is fenced with OFFSET 0 so that each JSON value
-- is extracted once per record.
CREATE OR REPLACE FUNCTION tracktik._scd2_raw_sql(p_dimension text, p_batch_id uuid, p_restrict text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_dim  tracktik.scd2_dimensions;
    v_raw  text;
BEGIN
    SELECT * INTO STRICT v_dim FROM tracktik.scd2_dimensions AS d WHERE d.dimension = p_dimension;

    SELECT pg_catalog.string_agg(
               CASE
                   -- declared with a fallback path or accepted JSON types: read through the
                   -- jsonb value v (the plain forms below are the fast path of the others)
                   WHEN x.fallback_path IS NOT NULL OR x.json_types IS NOT NULL THEN
                       CASE
                           WHEN a.references_dimension IS NOT NULL THEN pg_catalog.format(
                               'CASE WHEN pg_catalog.jsonb_typeof(%1$s) = %2$L THEN (%1$s) ->> %3$L ELSE (%1$s) #>> %4$L END AS %5$I',
                               v.expr, 'object', 'id', '{}', '_r' || a.ordinal)
                           WHEN a.sql_type = 'jsonb' THEN pg_catalog.format('%s AS %I', v.expr, '_r' || a.ordinal)
                           ELSE pg_catalog.format('(%s) #>> %L AS %I', v.expr, '{}', '_r' || a.ordinal)
                       END
                   WHEN a.references_dimension IS NOT NULL THEN pg_catalog.format(
                       'CASE WHEN pg_catalog.jsonb_typeof(%1$s) = %2$L THEN (%1$s) ->> %3$L ELSE %4$s END AS %5$I',
                       tracktik._json_path_sql('s.record', a.source_path, false), 'object', 'id',
                       tracktik._json_path_sql('s.record', a.source_path, true), '_r' || a.ordinal)
                   WHEN a.sql_type = 'jsonb' THEN pg_catalog.format('%s AS %I',
                       tracktik._json_path_sql('s.record', a.source_path, false), '_r' || a.ordinal)
                   ELSE pg_catalog.format('%s AS %I',
                       tracktik._json_path_sql('s.record', a.source_path, true), '_r' || a.ordinal)
               END, E',\n               ' ORDER BY a.ordinal)
      INTO v_raw
      FROM tracktik._scd2_columns(p_dimension) AS a
      JOIN tracktik.scd2_attributes AS x ON x.dimension = p_dimension AND x.column_name = a.column_name
     CROSS JOIN LATERAL (
        -- the value: at source_path, else (absent or JSON null) at fallback_path; NULL when
        -- its JSON type is not one of json_types
        SELECT CASE WHEN x.json_types IS NULL THEN f.expr
                    ELSE pg_catalog.format('CASE WHEN pg_catalog.jsonb_typeof(%s) = ANY (%L::text[]) THEN %s END',
                                           f.expr, x.json_types, f.expr) END AS expr
          FROM (SELECT CASE WHEN x.fallback_path IS NULL THEN tracktik._json_path_sql('s.record', a.source_path, false)
                            ELSE pg_catalog.format('coalesce(NULLIF(%s, %L::jsonb), %s)',
                                                   tracktik._json_path_sql('s.record', a.source_path, false), 'null',
                                                   tracktik._json_path_sql('s.record', x.fallback_path, false)) END AS expr
               ) AS f
     ) AS v
     WHERE a.source_path IS NOT NULL;

    RETURN pg_catalog.format($sql$
SELECT l1.*,
       CASE WHEN l1._id_type = 'number' AND pg_catalog.strpos(l1._id_text, '.') = 0
                 AND pg_catalog.length(l1._id_text) <= 18 THEN l1._id_text::bigint
            WHEN l1._id_type = 'string' AND l1._id_text OPERATOR(pg_catalog.~) '^[0-9]{1,18}$'
                 THEN l1._id_text::bigint
       END AS _id
  FROM (
    SELECT s.record AS _record, s.fetched_at AS _fetched_at,
           %1$s AS _id_text,
           pg_catalog.jsonb_typeof(%2$s) AS _id_type,
           %3$s AS _ts_text%4$s
      FROM staging.api_records AS s
     WHERE s.batch_id = %5$L AND s.resource = %6$L%7$s
    OFFSET 0) AS l1$sql$,
        tracktik._json_path_sql('s.record', v_dim.id_path, true),
        tracktik._json_path_sql('s.record', v_dim.id_path, false),
        tracktik._json_path_sql('s.record', v_dim.updated_on_path, true),
        coalesce(E',\n           ' || v_raw, ''),
        p_batch_id,
        v_dim.resource,
        coalesce(' AND (' || p_restrict || ')', ''));
END
$$;

COMMENT ON FUNCTION tracktik._scd2_raw_sql(text, uuid, text) IS
    'Internal: generates the one-pass SELECT of a batch''s staged records of a dimension as raw values (_id, _ts_text, _r<ordinal>; the declaration''s fallback_path and json_types applied), compared by the merge with the current versions before any validation.';
