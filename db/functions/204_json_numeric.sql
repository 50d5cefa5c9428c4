-- tracktik._json_numeric(jsonb) -> a JSON number (or a numeric string) as numeric; NULL when
-- absent, JSON null or not a number.
CREATE OR REPLACE FUNCTION tracktik._json_numeric(p_value jsonb)
RETURNS numeric
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT CASE jsonb_typeof(p_value)
        WHEN 'number' THEN p_value::numeric
        WHEN 'string' THEN
            CASE WHEN (p_value #>> '{}') ~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$' THEN (p_value #>> '{}')::numeric END
    END
$$;

COMMENT ON FUNCTION tracktik._json_numeric(jsonb) IS
    'A JSON number, or a string holding a plain decimal number, as numeric; NULL otherwise. Inlinable helper.';
