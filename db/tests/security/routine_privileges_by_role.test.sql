-- EXECUTE of every routine in tracktik and staging, for each application role, is exactly what
-- the policy below allows: the listed routines, nothing else. The assertions are generated from
-- the catalog, so a new routine is covered (as "no privilege") the day it is added; granting it
-- to a role means adding it here.
BEGIN;

CREATE TEMP TABLE allowed (role name, routine text) ON COMMIT DROP;
INSERT INTO allowed VALUES
    -- the loader (the shell): open, stage, mark staged, run; the procedure runs with the caller's
    -- rights, so the definer functions it calls directly are granted too
    ('tracktik_loader', 'tracktik.start_batch(text,jsonb)'),
    ('tracktik_loader', 'tracktik.mark_batch_staged(uuid,text[],jsonb)'),
    ('tracktik_loader', 'tracktik.run_kaiser_batch(uuid)'),
    ('tracktik_loader', 'tracktik._batches_to_run(uuid)'),
    ('tracktik_loader', 'tracktik._process_batch(uuid)'),
    ('tracktik_loader', 'tracktik.merge_dimensions(uuid)'),
    ('tracktik_loader', 'tracktik.ensure_inferred_members(text,bigint[],uuid)'),
    ('tracktik_loader', 'tracktik.sync_watermarks()'),
    ('tracktik_loader', 'tracktik.batch_summary(uuid)'),
    ('tracktik_loader', 'tracktik.get_billing_period(date)'),
    ('tracktik_loader', 'tracktik.billing_period_bounds(date)'),
    -- the reader: read-only lookups that run with the reader's own rights
    ('tracktik_reader', 'tracktik.get_billing_period(date)'),
    ('tracktik_reader', 'tracktik.billing_period_bounds(date)'),
    ('tracktik_reader', 'tracktik.region_key_at(bigint,timestamp with time zone)'),
    ('tracktik_reader', 'tracktik.client_key_at(bigint,timestamp with time zone)'),
    ('tracktik_reader', 'tracktik.position_key_at(bigint,timestamp with time zone)'),
    ('tracktik_reader', 'tracktik.employee_key_at(bigint,timestamp with time zone)'),
    ('tracktik_reader', 'tracktik.bill_rate_at(bigint,bigint,bigint,date)'),
    ('tracktik_reader', 'tracktik._bill_rates_for(bigint[],bigint[],bigint[],date[])'),
    ('tracktik_reader', 'tracktik.is_holiday(date,bigint)'),
    ('tracktik_reader', 'tracktik._holidays_for(date[],bigint[])'),
    ('tracktik_reader', 'tracktik._holiday_sources_for(date[],bigint[])'),
    ('tracktik_reader', 'tracktik.overtime_rule_for(bigint)'),
    ('tracktik_reader', 'tracktik._overtime_rules_for(bigint[])'),
    ('tracktik_reader', 'tracktik._region_lineage(bigint[])');

CREATE TEMP TABLE routines ON COMMIT DROP AS
SELECT n.nspname AS schema_name, p.proname AS routine_name, p.oid::regprocedure::text AS routine,
       ARRAY(SELECT format_type(a.t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)
              ORDER BY a.i)::name[] AS args,
       p.prosecdef AS definer
  FROM pg_proc AS p
  JOIN pg_namespace AS n ON n.oid = p.pronamespace
 WHERE n.nspname IN ('tracktik', 'staging');

SELECT plan(3 + 2 * (SELECT count(*)::int FROM routines));

SELECT is(ARRAY(SELECT a.routine FROM allowed AS a
                 WHERE to_regprocedure(a.routine) IS NULL ORDER BY 1),
          ARRAY[]::text[],
          'every routine the policy names exists (a renamed routine must be renamed here)');

SELECT is(ARRAY(SELECT a.routine FROM allowed AS a
                  JOIN routines AS r ON r.routine = a.routine
                 WHERE a.role = 'tracktik_reader' AND r.definer ORDER BY 1),
          ARRAY[]::text[],
          'the reader executes no definer routine: it acts with its own rights only');

SELECT is(ARRAY(SELECT r.routine FROM routines AS r
                 WHERE has_function_privilege('tracktik_reader', r.routine, 'EXECUTE')
                   AND r.routine_name IN ('run_kaiser_batch', 'start_batch', 'mark_batch_staged',
                                          'reprocess_billing_period', 'calculate_billing', 'prune_staging',
                                          'merge_dimensions', 'load_fact_shifts', 'rehash_dimension',
                                          'ensure_billing_period', 'ensure_billing_periods')
                 ORDER BY 1),
          ARRAY[]::text[],
          'the reader may execute none of the writing routines');

SELECT function_privs_are(r.schema_name, r.routine_name, r.args, g.role,
                          CASE WHEN EXISTS (SELECT 1 FROM allowed AS a
                                             WHERE a.role = g.role AND a.routine = r.routine)
                               THEN ARRAY['EXECUTE'] ELSE ARRAY[]::text[] END::name[],
                          g.role || ' on ' || r.routine)
  FROM routines AS r
 CROSS JOIN (VALUES ('tracktik_loader'::name), ('tracktik_reader'::name)) AS g(role)
 ORDER BY r.routine, g.role;

SELECT * FROM finish();
ROLLBACK;
