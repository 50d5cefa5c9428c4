-- The loader may call run_kaiser_batch and mark_batch_staged (and the definer functions the
-- procedure calls), not the loads or the billing directly; readers read the reporting views.
BEGIN;
SELECT plan(13);

SELECT ok(has_function_privilege('tracktik_loader', 'tracktik.run_kaiser_batch(uuid)', 'EXECUTE'),
          'the loader may CALL run_kaiser_batch');
SELECT function_privs_are('tracktik', 'mark_batch_staged', ARRAY['uuid', 'text[]', 'jsonb'], 'tracktik_loader', ARRAY['EXECUTE'],
                          'the loader may mark a batch staged');
SELECT function_privs_are('tracktik', '_process_batch', ARRAY['uuid'], 'tracktik_loader', ARRAY['EXECUTE'],
                          'the loader may execute what the procedure calls');
SELECT function_privs_are('tracktik', 'load_fact_shifts', ARRAY['uuid'], 'tracktik_loader', ARRAY[]::text[],
                          'the loader may not load facts directly');
SELECT function_privs_are('tracktik', 'calculate_billing', ARRAY['uuid', 'text'], 'tracktik_loader', ARRAY[]::text[],
                          'the loader may not re-bill');
SELECT ok(NOT has_function_privilege('tracktik_loader', 'tracktik.reprocess_billing_period(text)', 'EXECUTE'),
          'the loader may not reprocess a period');
SELECT ok(NOT has_function_privilege('tracktik_reader', 'tracktik.run_kaiser_batch(uuid)', 'EXECUTE'),
          'the reader may not run batches');
SELECT ok(NOT has_function_privilege('public', 'tracktik.prune_staging(interval)', 'EXECUTE'),
          'nobody but the owner may prune staging');
SELECT ok((SELECT bool_and(has_table_privilege('tracktik_reader', c.oid, 'SELECT'))
             FROM pg_class c WHERE c.relnamespace = 'tracktik'::regnamespace AND c.relname = ANY (ARRAY['v_current_regions', 'v_current_clients', 'v_current_positions', 'v_current_employees', 'v_region_markets', 'v_billing_period_summary', 'mv_billing_period_totals', 'v_standby_watch_posts', 'v_batch_health', 'v_sync_status', 'v_open_data_quality_issues'])),
          'the reader may select every reporting view');
SELECT ok((SELECT NOT bool_or(has_table_privilege('tracktik_loader', c.oid, 'SELECT'))
             FROM pg_class c WHERE c.relnamespace = 'tracktik'::regnamespace AND c.relname = ANY (ARRAY['v_current_regions', 'v_current_clients', 'v_current_positions', 'v_current_employees', 'v_region_markets', 'v_billing_period_summary', 'mv_billing_period_totals', 'v_standby_watch_posts', 'v_batch_health', 'v_sync_status', 'v_open_data_quality_issues'])),
          'the loader may not read them');
SELECT table_privs_are('tracktik', 'position_bill_settings', 'tracktik_reader', ARRAY['SELECT'], 'the reader reads the bill settings');
SELECT table_privs_are('tracktik', 'position_bill_settings', 'tracktik_loader', ARRAY[]::text[], 'the loader does not');
SELECT lives_ok($$SELECT tt_test.as_role('tracktik_reader', 'SELECT count(*) FROM tracktik.v_billing_period_summary')$$,
                'the reader can query the billing summary');

SELECT * FROM finish();
ROLLBACK;
