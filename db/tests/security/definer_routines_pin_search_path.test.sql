-- Every SECURITY DEFINER routine of the warehouse pins search_path to '' (so that a caller's
-- search_path cannot redirect an unqualified name to an object the caller controls), and none
-- belongs to an application role. Read from the catalog: a new definer routine is covered the
-- day it is added.
BEGIN;
SELECT plan(4);

SELECT cmp_ok((SELECT count(*)::int FROM pg_proc AS p
                WHERE p.pronamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace) AND p.prosecdef),
              '>', 10, 'the warehouse has definer routines to check');

SELECT is(ARRAY(SELECT p.oid::regprocedure::text
                  FROM pg_proc AS p
                 WHERE p.pronamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
                   AND p.prosecdef
                   AND NOT coalesce('search_path=""' = ANY (p.proconfig), false)
                 ORDER BY 1),
          ARRAY[]::text[],
          'definer routines that do not pin search_path to empty (offenders)');

SELECT is(ARRAY(SELECT p.oid::regprocedure::text
                  FROM pg_proc AS p
                 WHERE p.pronamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
                   AND p.prosecdef
                   AND (pg_has_role('tracktik_loader', p.proowner, 'USAGE')
                        OR pg_has_role('tracktik_reader', p.proowner, 'USAGE'))
                 ORDER BY 1),
          ARRAY[]::text[],
          'definer routines owned by (or through) an application role (offenders)');

SELECT is(ARRAY(SELECT p.oid::regprocedure::text
                  FROM pg_proc AS p
                 WHERE p.pronamespace IN ('tracktik'::regnamespace, 'staging'::regnamespace)
                   AND p.prokind = 'p' AND p.prosecdef
                   AND p.prosrc ~* '\mCOMMIT\M'
                 ORDER BY 1),
          ARRAY[]::text[],
          'no definer procedure COMMITs (it could not: CALL would fail)');

SELECT * FROM finish();
ROLLBACK;
