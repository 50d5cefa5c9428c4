-- PUBLIC (every role of the cluster) can execute no warehouse routine, touch no warehouse
-- table, sequence or column, and create nothing in tracktik, staging or public; a routine
-- created later is not executable by PUBLIC either (default privileges, migration 0014).
BEGIN;
SELECT plan(7);

SELECT is(ARRAY(SELECT p.oid::regprocedure::text
                  FROM pg_proc AS p
                 WHERE p.pronamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
                   AND has_function_privilege('public', p.oid, 'EXECUTE')
                 ORDER BY 1),
          ARRAY[]::text[],
          'routines executable by PUBLIC (offenders)');

SELECT is(ARRAY(SELECT c.oid::regclass::text || ' ' || a.privilege_type
                  FROM pg_class AS c
                 CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault(
                           CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) AS a
                 WHERE c.relnamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
                   AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                   AND a.grantee = 0
                 ORDER BY 1),
          ARRAY[]::text[],
          'table, view and sequence privileges held by PUBLIC (offenders)');

SELECT is(ARRAY(SELECT c.oid::regclass::text || '.' || a.attname
                  FROM pg_attribute AS a
                  JOIN pg_class AS c ON c.oid = a.attrelid
                 WHERE c.relnamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
                   AND a.attacl IS NOT NULL
                 ORDER BY 1),
          ARRAY[]::text[],
          'column-level grants, which table_privs_are would not see (offenders)');

SELECT is(ARRAY(SELECT n.nspname::text FROM pg_namespace AS n
                 WHERE n.nspname IN ('tracktik', 'staging', 'public')
                   AND has_schema_privilege('public', n.oid, 'CREATE')
                 ORDER BY 1),
          ARRAY[]::text[],
          'schemas in which PUBLIC may create objects (offenders)');

SELECT ok(NOT has_schema_privilege('public', 'tracktik', 'USAGE')
          AND NOT has_schema_privilege('public', 'staging', 'USAGE'),
          'PUBLIC may not even look up names in tracktik or staging');

-- a routine created now, by the owner, outside any migrate
CREATE FUNCTION tracktik.tt_security_probe() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE staging.tt_security_probe() LANGUAGE sql AS 'SELECT 1';
SELECT ok(NOT has_function_privilege('public', 'tracktik.tt_security_probe()', 'EXECUTE'),
          'a function created later is not executable by PUBLIC');
SELECT ok(NOT has_function_privilege('tracktik_loader', 'staging.tt_security_probe()', 'EXECUTE')
          AND NOT has_function_privilege('tracktik_reader', 'staging.tt_security_probe()', 'EXECUTE'),
          'nor by the application roles');

SELECT * FROM finish();
ROLLBACK;
