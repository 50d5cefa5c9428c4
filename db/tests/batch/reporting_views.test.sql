-- The reporting views: documented (every view and column has a COMMENT), and giving the
-- numbers the facts hold: billing per period, market and site; standby/watch posts in the
-- original report's shape; batch health, sync lag, open issues, current dimensions.
BEGIN;
SELECT plan(16);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 1000, '2025-01-13', 2);      -- Oakland, Northern California
SELECT tt_test.stage_days(:'b', 110, 2, 1001, '2025-01-13', 1);      -- Oakland, STANDBY Officer
SELECT tt_test.stage_days(:'b', 120, 3, 1002, '2025-01-14', 1);      -- Oakland, Night WATCH
SELECT tt_test.stage_days(:'b', 130, 4, 1200, '2025-01-13', 1);      -- Los Angeles -> Southern California
SELECT tt_test.stage_days(:'b', 140, 5, 2001, '2025-01-13', 1);      -- Denver, no rate
SELECT tt_test.load(:'b');
UPDATE tracktik.etl_batches SET status = 'completed', completed_at = now() WHERE batch_id = :'b';
INSERT INTO tracktik.etl_sync_status (table_name, last_sync_timestamp, last_successful_batch_id)
VALUES ('shifts', now() - interval '2 hours', :'b');

SELECT is((SELECT count(*)::int
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace = 'tracktik'::regnamespace AND c.relname = ANY (ARRAY['v_current_regions', 'v_current_clients', 'v_current_positions', 'v_current_employees', 'v_region_markets', 'v_billing_period_summary', 'mv_billing_period_totals', 'v_standby_watch_posts', 'v_batch_health', 'v_sync_status', 'v_open_data_quality_issues'])
              AND col_description(c.oid, a.attnum) IS NULL), 0, 'every column of every view is commented');
SELECT is((SELECT count(*)::int FROM pg_class c
            WHERE c.relnamespace = 'tracktik'::regnamespace AND c.relname = ANY (ARRAY['v_current_regions', 'v_current_clients', 'v_current_positions', 'v_current_employees', 'v_region_markets', 'v_billing_period_summary', 'mv_billing_period_totals', 'v_standby_watch_posts', 'v_batch_health', 'v_sync_status', 'v_open_data_quality_issues'])
              AND obj_description(c.oid, 'pg_class') IS NULL), 0, 'every view is commented');

SELECT is((SELECT bill_total FROM tracktik.v_billing_period_summary WHERE site_id = 100 AND billing_period_id = '2025_02'),
          2 * 320.00 + 240.00 + 280.00, 'Oakland: 2 x 8 h x 40.00 + 8 h x 30.00 + 8 h x 35.00');
SELECT is((SELECT market_name FROM tracktik.v_billing_period_summary WHERE site_id = 100), 'Northern California',
          'a site''s market is the child of the Kaiser root it descends from');
SELECT is((SELECT market_name FROM tracktik.v_billing_period_summary WHERE site_id = 120), 'Southern California',
          '... also for a region two levels down (Los Angeles)');
SELECT is((SELECT shifts_missing_rate FROM tracktik.v_billing_period_summary WHERE site_id = 200), 1::bigint,
          'shifts without a rate are counted');
SELECT is((SELECT unbilled_hours FROM tracktik.v_billing_period_summary WHERE site_id = 200), 8.00, '... with their hours');
SELECT is((SELECT sum(billable_hours) FROM tracktik.v_billing_period_summary), 48.00, 'every shift is summarised once');

SELECT columns_are('tracktik', 'v_standby_watch_posts',
                   ARRAY['period', 'site', 'post', 'employee', 'date', 'hours', 'total', 'shift_id', 'client_id',
                         'position_id', 'employee_id', 'status'],
                   'the standby/watch report has the original shape');
SELECT is(ARRAY(SELECT post || ' ' || total FROM tracktik.v_standby_watch_posts ORDER BY date),
          ARRAY['STANDBY Officer 240.00', 'Night WATCH 280.00'], 'it lists the STANDBY and WATCH posts only');
SELECT is((SELECT employee FROM tracktik.v_standby_watch_posts WHERE shift_id = 110), 'Guard No2', '... with the guard''s name');

SELECT is((SELECT count(*)::int FROM tracktik.v_current_positions), 7, 'v_current_positions: one row per post');
SELECT is((SELECT warning_issues FROM tracktik.v_batch_health WHERE batch_id = :'b'), 1::bigint,
          'v_batch_health counts the batch''s issues by severity');
SELECT ok((SELECT lag BETWEEN interval '1 hour' AND interval '3 hours' FROM tracktik.v_sync_status WHERE resource = 'shifts'),
          'v_sync_status shows the lag behind now');
SELECT is((SELECT count(*)::int FROM tracktik.v_open_data_quality_issues WHERE batch_id = :'b'), 1,
          'v_open_data_quality_issues lists the open issue');
UPDATE tracktik.data_quality_issues SET resolved_at = now(), resolution_note = 'rate requested' WHERE batch_id = :'b';
SELECT is((SELECT count(*)::int FROM tracktik.v_open_data_quality_issues WHERE batch_id = :'b'), 0, '... until it is resolved');

SELECT * FROM finish();
ROLLBACK;
