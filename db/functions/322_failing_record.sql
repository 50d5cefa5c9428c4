-- tracktik._failing_record(batch, error) -> the staged record a batch failure can be attributed
-- to, or NULL: {"resource", "id", "field", "value", "staged", "violations", "how"}.
--
-- Called by tracktik._process_batch AFTER its attempt was rolled back (staging is intact, the
-- warehouse is as before the batch), with what the error said: p_error = {"sqlstate",
-- "schema", "table", "column", "constraint", "detail"} (GET STACKED DIAGNOSTICS). Set-based,
-- read-only, and never raises: anything it cannot work out gives NULL, so the failure is
-- still recorded (naming the step only).
--
--   1. a CHECK constraint (23514) or NOT NULL (23502) of an SCD2 dimension table (say, a
--      DBA's CHECK on dim_regions.name): the batch's staged records of that dimension are
--      validated and cast again as the merge does it (tracktik._scd2_raw_sql /
--      _scd2_typed_sql, into pg_temp.scd2_raw, dropped again) and the constraint's expression
--      is evaluated on them: the record with the lowest id among those that violate it (how:
--      "revalidated", violations: how many do);
--   2. else, any other integrity violation (class 23) on a table whose rows are records of one
--      resource (an SCD2 dimension, fact_shifts, position_bill_settings): the natural id from
--      PostgreSQL's DETAIL "Failing row contains (...)" (how: "failing row"), read only where
--      every column up to it prints without a comma (numbers, uuids, dates, booleans; a
--      partition's error, even of a partition the rollback removed, stands for its
--      partitioned table);
-- then "staged" says whether the batch staged a record with that id (the positions record a
-- bill setting is embedded in counts, named in "in"), "field" is the API field of the column
-- the error concerns (scd2_attributes.source_path) and "value" its value in the staged record
-- (JSON text, at most 64 characters), or "column" the warehouse column when no field maps to it.
--
-- Not executable by the application roles: it runs as the owner of _process_batch.
-- TimeZone and DateStyle as in tracktik._merge_dimension, so the values are cast the same way.
CREATE OR REPLACE FUNCTION tracktik._failing_record(p_batch_id uuid, p_error jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = ''
SET client_min_messages = 'warning'
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, YMD'
AS $$
DECLARE
    v_sqlstate   text := p_error ->> 'sqlstate';
    v_table      text;
    v_rel        regclass;
    v_part       regclass;   -- the relation the error names (a partition of v_rel, or v_rel)
    v_dim        tracktik.scd2_dimensions;
    v_resource   text;
    v_id_column  text;
    v_column     text := NULLIF(p_error ->> 'column', '');
    v_cond       text;
    v_id         text;
    v_count      bigint;
    v_how        text;
    v_values     text[];
    v_position   integer;
    v_field      text[];
    v_record     jsonb;
    v_in         text;
BEGIN
    IF p_error ->> 'schema' IS DISTINCT FROM 'tracktik' OR NULLIF(p_error ->> 'table', '') IS NULL THEN
        RETURN NULL;   -- no table named: nothing to attribute by
    END IF;
    -- a partition (fact_shifts_<period>) stands for its partitioned table; one the failed
    -- attempt created is gone with the rollback: then the table whose name it extends
    v_part := pg_catalog.to_regclass(pg_catalog.format('tracktik.%I', p_error ->> 'table'));
    IF v_part IS NULL THEN
        SELECT c.oid INTO v_part
          FROM pg_catalog.pg_class AS c
         WHERE c.relnamespace = 'tracktik'::pg_catalog.regnamespace AND c.relkind = 'p'
           AND pg_catalog.starts_with(p_error ->> 'table', c.relname || '_')
         ORDER BY pg_catalog.length(c.relname) DESC
         LIMIT 1;
        IF v_part IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    v_rel := coalesce(pg_catalog.pg_partition_root(v_part), v_part);
    SELECT c.relname INTO v_table FROM pg_catalog.pg_class AS c WHERE c.oid = v_rel;

    -- the resource whose records the table holds, and its natural-id column
    SELECT * INTO v_dim FROM tracktik.scd2_dimensions AS d WHERE d.table_name = v_table;
    IF FOUND THEN
        v_resource := v_dim.resource;
        v_id_column := v_dim.id_column;
    ELSIF v_table = 'fact_shifts' THEN
        v_resource := 'shifts';
        v_id_column := 'shift_id';
    ELSIF v_table = 'position_bill_settings' THEN
        v_resource := 'position-bill-settings';
        v_id_column := 'setting_id';
    ELSE
        RETURN NULL;
    END IF;

    -- the column the error concerns: its own, else the constraint's (when it has one column)
    IF v_column IS NULL AND NULLIF(p_error ->> 'constraint', '') IS NOT NULL THEN
        SELECT a.attname INTO v_column
          FROM pg_catalog.pg_constraint AS c
          JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.conrelid = v_rel AND c.conname = p_error ->> 'constraint'
           AND pg_catalog.cardinality(c.conkey) = 1;
    END IF;

    -- 1. a dimension's CHECK or NOT NULL: the batch's records validated again, set-based
    IF v_dim.dimension IS NOT NULL AND v_sqlstate IN ('23514', '23502') THEN
        IF v_sqlstate = '23514' THEN
            SELECT pg_catalog.format('(%s) IS FALSE', pg_catalog.pg_get_expr(c.conbin, c.conrelid))
              INTO v_cond
              FROM pg_catalog.pg_constraint AS c
             WHERE c.conrelid = v_rel AND c.conname = p_error ->> 'constraint' AND c.contype = 'c';
        ELSIF v_column IS NOT NULL THEN
            v_cond := pg_catalog.format('%I IS NULL', v_column);
        END IF;
        IF v_cond IS NOT NULL THEN
            BEGIN
                DROP TABLE IF EXISTS pg_temp.scd2_raw;
                EXECUTE pg_catalog.format(
                    'CREATE TEMP TABLE scd2_raw ON COMMIT DROP AS SELECT t.*, false AS _has_current FROM (%s) AS t',
                    tracktik._scd2_raw_sql(v_dim.dimension, p_batch_id));
                -- (the constraint's columns are the typed columns of the same names)
                EXECUTE pg_catalog.format(
                    'SELECT pg_catalog.min(c._id)::text, count(DISTINCT c._id) FROM (%s) AS c WHERE c._problem IS NULL AND %s',
                    tracktik._scd2_typed_sql(v_dim.dimension), v_cond)
                   INTO v_id, v_count;
                DROP TABLE IF EXISTS pg_temp.scd2_raw;
                IF v_id IS NOT NULL THEN
                    v_how := 'revalidated';
                END IF;
            EXCEPTION WHEN OTHERS THEN
                v_id := NULL;   -- e.g. the constraint uses a column the records do not carry
            END;
        END IF;
    END IF;

    -- 2. the natural id in PostgreSQL's "Failing row contains (...)"
    IF v_id IS NULL AND v_sqlstate LIKE '23%' AND p_error ->> 'detail' LIKE 'Failing row contains (%' THEN
        SELECT x.n INTO v_position
          FROM (SELECT a.attname, pg_catalog.row_number() OVER (ORDER BY a.attnum) AS n,
                       bool_and(t.typcategory IN ('N', 'D', 'B') OR t.oid = 'pg_catalog.uuid'::pg_catalog.regtype)
                           OVER (ORDER BY a.attnum) AS plain
                  FROM pg_catalog.pg_attribute AS a
                  JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
                 WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped) AS x
         WHERE x.attname = v_id_column AND x.plain;
        IF v_position IS NOT NULL THEN
            v_values := pg_catalog.string_to_array(
                            pg_catalog.substr(p_error ->> 'detail', pg_catalog.length('Failing row contains (') + 1),
                            ', ');
            v_id := v_values[v_position];
            IF v_id OPERATOR(pg_catalog.~) '^[0-9]{1,18}$' THEN
                v_how := 'failing row';
                v_count := NULL;
            ELSE
                v_id := NULL;
            END IF;
        END IF;
    END IF;

    IF v_id IS NULL THEN
        RETURN NULL;
    END IF;

    -- the API field of the column, and the staged record with that id
    IF v_column IS NOT NULL THEN
        SELECT x.source_path INTO v_field
          FROM tracktik.scd2_attributes AS x
         WHERE v_dim.dimension IS NOT NULL AND x.dimension = v_dim.dimension AND x.column_name = v_column;
    END IF;
    IF v_dim.dimension IS NOT NULL THEN
        EXECUTE pg_catalog.format(
            'SELECT s.record FROM staging.api_records AS s WHERE s.batch_id = $1 AND s.resource = $2 AND (%s) = $3 ORDER BY s.fetched_at DESC LIMIT 1',
            tracktik._json_path_sql('s.record', v_dim.id_path, true))
           INTO v_record USING p_batch_id, v_resource, v_id;
    ELSIF v_resource = 'shifts' THEN
        SELECT s.record INTO v_record
          FROM staging.api_records AS s
         WHERE s.batch_id = p_batch_id AND s.resource = 'shifts' AND s.record ->> 'id' = v_id
         ORDER BY s.fetched_at DESC LIMIT 1;
    ELSE
        SELECT s.record INTO v_record
          FROM staging.api_records AS s
         WHERE s.batch_id = p_batch_id AND s.resource = 'position-bill-settings' AND s.record ->> 'id' = v_id
         ORDER BY s.fetched_at DESC LIMIT 1;
        IF v_record IS NULL THEN   -- embedded in a positions record
            SELECT e.item, s.record ->> 'id' INTO v_record, v_in
              FROM staging.api_records AS s
             CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(s.record -> 'billingSetting' -> 'billSettings') AS e(item)
             WHERE s.batch_id = p_batch_id AND s.resource = 'positions'
               AND pg_catalog.jsonb_typeof(s.record -> 'billingSetting' -> 'billSettings') = 'array'
               AND e.item ->> 'id' = v_id
             ORDER BY s.fetched_at DESC LIMIT 1;
        END IF;
    END IF;

    RETURN pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
        'resource', v_resource,
        'id', v_id,
        'field', pg_catalog.array_to_string(v_field, '.'),
        'column', CASE WHEN v_field IS NULL THEN v_column END,
        'value', CASE WHEN v_field IS NOT NULL AND v_record IS NOT NULL
                      THEN pg_catalog.left((v_record #> v_field)::text, 64) END,
        'in', CASE WHEN v_in IS NOT NULL THEN 'positions record ' || v_in END,
        'staged', v_record IS NOT NULL,
        'violations', v_count,
        'how', v_how));
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;   -- attribution is best effort: the failure is recorded all the same
END
$$;

COMMENT ON FUNCTION tracktik._failing_record(uuid, jsonb) IS
    'Internal (_process_batch, after a failed attempt was rolled back): the staged record a batch failure can be attributed to ({resource, id, field or column, value, staged, in, violations, how}) or NULL: a dimension''s CHECK / NOT NULL violation by validating the batch''s records of that dimension again against the constraint (set-based); other integrity violations of a dimension, fact_shifts or position_bill_settings by the natural id in "Failing row contains". Never raises.';
