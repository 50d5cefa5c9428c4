-- tracktik._json_boolean(jsonb) -> a JSON boolean (or the strings "true"/"false") as boolean;
-- NULL when absent or anything else.
CREATE OR REPLACE FUNCTION tracktik._json_boolean(p_value jsonb)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT CASE jsonb_typeof(p_value)
        WHEN 'boolean' THEN p_value::boolean
        WHEN 'string' THEN
            CASE lower(p_value #>> '{}') WHEN 'true' THEN true WHEN 'false' THEN false END
    END
$$;

COMMENT ON FUNCTION tracktik._json_boolean(jsonb) IS
    'A JSON boolean, or the string true/false, as boolean; NULL otherwise. Inlinable helper.';
