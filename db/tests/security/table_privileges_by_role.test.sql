-- Table privileges of the application roles on every relation of tracktik and staging
-- (tables, partitions, views, materialized views, sequences), generated from the catalog so a
-- new object is covered the day it is added:
--   tracktik_reader  SELECT on every tracktik relation (sequences: nothing); nothing in staging
--   tracktik_loader  INSERT on staging.api_records (COPY goes through it); nothing else at all
-- and the schemas: both may look up names in tracktik, only the loader in staging, nobody
-- creates anything in tracktik, staging or public.
BEGIN;

CREATE TEMP TABLE relations ON COMMIT DROP AS
SELECT n.nspname AS schema_name, c.relname AS relation_name, c.relkind AS kind
  FROM pg_class AS c
  JOIN pg_namespace AS n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('tracktik', 'staging')
   AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S');

SELECT plan(7 + 2 * (SELECT count(*)::int FROM relations));

SELECT cmp_ok((SELECT count(*)::int FROM relations WHERE kind IN ('v', 'm')), '>', 10,
              'the views are among the relations checked');

SELECT CASE WHEN r.kind = 'S'
            THEN sequence_privs_are(r.schema_name, r.relation_name, g.role, ARRAY[]::name[],
                                    g.role || ' on sequence ' || r.schema_name || '.' || r.relation_name)
            ELSE table_privs_are(r.schema_name, r.relation_name, g.role,
                                 CASE
                                     WHEN g.role = 'tracktik_reader' AND r.schema_name = 'tracktik' THEN ARRAY['SELECT']
                                     WHEN g.role = 'tracktik_loader' AND r.schema_name = 'staging'
                                          AND r.relation_name IN ('api_records', 'rejected_records') THEN ARRAY['INSERT']
                                     ELSE ARRAY[]::text[]
                                 END::name[],
                                 g.role || ' on ' || r.schema_name || '.' || r.relation_name)
       END
  FROM relations AS r
 CROSS JOIN (VALUES ('tracktik_loader'::name), ('tracktik_reader'::name)) AS g(role)
 ORDER BY r.schema_name, r.relation_name, g.role;

SELECT schema_privs_are('tracktik', 'tracktik_loader', ARRAY['USAGE'], 'the loader may use tracktik, not create in it');
SELECT schema_privs_are('tracktik', 'tracktik_reader', ARRAY['USAGE'], 'the reader may use tracktik, not create in it');
SELECT schema_privs_are('staging', 'tracktik_loader', ARRAY['USAGE'], 'the loader may use staging, not create in it');
SELECT schema_privs_are('staging', 'tracktik_reader', ARRAY[]::name[], 'the reader may not use staging');
SELECT ok(NOT has_schema_privilege('tracktik_loader', 'public', 'CREATE')
          AND NOT has_schema_privilege('tracktik_reader', 'public', 'CREATE'),
          'neither may create objects in public');
SELECT ok(NOT has_database_privilege('tracktik_loader', current_database(), 'CREATE')
          AND NOT has_database_privilege('tracktik_reader', current_database(), 'CREATE'),
          'neither may create schemas');

SELECT * FROM finish();
ROLLBACK;
