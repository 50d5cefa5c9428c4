-- tracktik._json_id(jsonb) -> a TrackTik id from a relation field, which the API sends as an
-- integer id, or as an included object {"id": ...} when include= names it. NULL when absent,
-- JSON null, or not a positive integer (the caller reports that).
--
-- JSON numbers take a cast-only path (no regular expression): ids are parsed 300,000 times per
-- 100,000 shifts.
CREATE OR REPLACE FUNCTION tracktik._json_id(p_value jsonb)
RETURNS bigint
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT CASE jsonb_typeof(p_value)
        WHEN 'number' THEN
            CASE WHEN p_value::numeric BETWEEN 1 AND 999999999999999999
                      AND p_value::numeric = trunc(p_value::numeric)
                 THEN p_value::bigint END
        WHEN 'string' THEN
            CASE WHEN (p_value #>> '{}') ~ '^[0-9]{1,18}$' THEN (p_value #>> '{}')::bigint END
        WHEN 'object' THEN
            CASE jsonb_typeof(p_value -> 'id')
                WHEN 'number' THEN
                    CASE WHEN (p_value -> 'id')::numeric BETWEEN 1 AND 999999999999999999
                              AND (p_value -> 'id')::numeric = trunc((p_value -> 'id')::numeric)
                         THEN (p_value -> 'id')::bigint END
                WHEN 'string' THEN
                    CASE WHEN (p_value ->> 'id') ~ '^[0-9]{1,18}$' THEN (p_value ->> 'id')::bigint END
            END
    END
$$;

COMMENT ON FUNCTION tracktik._json_id(jsonb) IS
    'TrackTik id of a relation field given as an integer id (number or digit string) or as an included object {"id": ...}; NULL when absent or malformed. Inlinable helper.';
