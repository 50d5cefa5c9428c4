-- The group roles made by the migrations are plain: no login of their own, no attribute that
-- would bypass the grants, no object they own (an owner could change it or grant it away), and
-- neither is a member of the other or of a privileged role.
BEGIN;
SELECT plan(5);

SELECT is(ARRAY(SELECT r.rolname::text FROM pg_roles AS r
                 WHERE r.rolname IN ('tracktik_loader', 'tracktik_reader')
                   AND (r.rolcanlogin OR r.rolsuper OR r.rolcreaterole OR r.rolcreatedb
                        OR r.rolreplication OR r.rolbypassrls)
                 ORDER BY 1),
          ARRAY[]::text[],
          'application roles with LOGIN, SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS (offenders)');

SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_class AS c
                 WHERE c.relowner IN ('tracktik_loader'::regrole, 'tracktik_reader'::regrole)
                 UNION ALL
                SELECT p.oid::regprocedure::text FROM pg_proc AS p
                 WHERE p.proowner IN ('tracktik_loader'::regrole, 'tracktik_reader'::regrole)
                 UNION ALL
                SELECT n.nspname::text FROM pg_namespace AS n
                 WHERE n.nspowner IN ('tracktik_loader'::regrole, 'tracktik_reader'::regrole)
                 ORDER BY 1),
          ARRAY[]::text[],
          'objects owned by an application role (offenders)');

SELECT ok(NOT pg_has_role('tracktik_loader', 'tracktik_reader', 'MEMBER')
          AND NOT pg_has_role('tracktik_reader', 'tracktik_loader', 'MEMBER'),
          'the loader is not a reader and the reader is not a loader');

SELECT is(ARRAY(SELECT m.roleid::regrole::text FROM pg_auth_members AS m
                 WHERE m.member IN ('tracktik_loader'::regrole, 'tracktik_reader'::regrole)
                 ORDER BY 1),
          ARRAY[]::text[],
          'the application roles are members of no role (no pg_read_all_data, pg_write_server_files, ...)');

SELECT ok(NOT has_table_privilege('tracktik_loader', 'tracktik.fact_shifts', 'SELECT')
          AND NOT has_table_privilege('tracktik_loader', 'staging.api_records', 'SELECT'),
          'the loader reads neither the warehouse nor what it staged');

SELECT * FROM finish();
ROLLBACK;
