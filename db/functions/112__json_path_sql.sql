-- tracktik._json_path_sql(expression, path, as_text) -> SQL reading a JSON path of a jsonb
-- expression: "expr -> 'key'" / "expr ->> 'key'" for a one-key path (the fastest form),
-- "expr #> '{a,b}'" / "expr #>> '{a,b}'" otherwise. The expression is trusted SQL; the
-- keys are quoted with %L.
CREATE OR REPLACE FUNCTION tracktik._json_path_sql(p_expression text, p_path text[], p_as_text boolean)
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = ''
AS $$
    SELECT CASE
        WHEN pg_catalog.cardinality(p_path) = 1 AND p_as_text THEN pg_catalog.format('%s ->> %L', p_expression, p_path[1])
        WHEN pg_catalog.cardinality(p_path) = 1 THEN pg_catalog.format('%s -> %L', p_expression, p_path[1])
        WHEN p_as_text THEN pg_catalog.format('%s #>> %L', p_expression, p_path)
        ELSE pg_catalog.format('%s #> %L', p_expression, p_path)
    END
$$;

COMMENT ON FUNCTION tracktik._json_path_sql(text, text[], boolean) IS
    'Internal: SQL text reading a JSON path of a jsonb expression (-> / ->> for one key, #> / #>> otherwise).';
