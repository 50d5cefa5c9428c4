-- A post moved to another site, learned after shifts it affects were loaded (the change time
-- is before them): after the merge those facts are re-keyed to the post's new version, the new
-- site and its region, and re-billed under the new region's overtime rule (Colorado: weekly
-- only; Northern California: daily overtime beyond 8 h). Counts in the batch metadata.
BEGIN;
SELECT plan(9);

SELECT tt_test.add_world_rates();
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_world(:'b1');
SELECT tt_test.stage_shift(:'b1', 1, 1, 2000, '2025-01-20T08:00:00-07:00', '2025-01-20T20:00:00-07:00',
                           '{"timeZone": "America/Denver"}');                  -- 12 h in Denver
SELECT tt_test.stage_shift(:'b1', 2, 2, 2000, '2024-12-20T08:00:00-07:00', '2024-12-20T20:00:00-07:00',
                           '{"timeZone": "America/Denver"}');                  -- before the move
SELECT tracktik.mark_batch_staged(:'b1', '{}');
SELECT tracktik._process_batch(:'b1') IS NOT NULL AS processed;
SELECT is((tt_test.fact(1)).bill_total, 480.00, 'before: Colorado, weekly overtime only: 12 x 40.00');

-- post 2000 moved to the Oakland site (Northern California) on 2025-01-01: learned now
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'positions', jsonb_build_object(
           'id', 2000, 'customId', 'P2000', 'name', 'Lobby Officer', 'status', 'ACTIVE', 'account', 100,
           'nonBillable', false, 'updatedOn', '2025-01-01T00:00:00+00:00'));
SELECT tracktik.mark_batch_staged(:'b2', '{}');
SELECT tracktik._process_batch(:'b2') IS NOT NULL AS processed;

SELECT is(((tt_test.fact(1)).client_id, (tt_test.fact(1)).region_id)::text, (100::bigint, 10::bigint)::text,
          'the fact is on the new site and its region');
SELECT is((tt_test.fact(1)).position_key,
          (SELECT surrogate_key FROM tracktik.dim_positions WHERE position_id = 2000 AND is_current),
          'its post key is the version valid at shift start');
SELECT is((tt_test.fact(1)).client_key, (SELECT surrogate_key FROM tracktik.dim_clients WHERE client_id = 100),
          'its site key is the new site''s version');
SELECT is((tt_test.fact(1)).bill_overtime_hours, 4.00, 'Northern California: 4 h beyond 8 in the day are overtime');
SELECT is((tt_test.fact(1)).bill_total, 560.00, '... billed 12 x 40.00 + 4 x 20.00');
SELECT is(((tt_test.fact(2)).client_id, (tt_test.fact(2)).bill_total)::text, (200::bigint, 480.00)::text,
          'a shift before the move keeps the old site and its billing');
SELECT is((SELECT (metadata -> 'facts' ->> 'rekeyed')::int FROM tracktik.etl_batches WHERE batch_id = :'b2'), 1,
          'the batch metadata counts the re-keyed fact');
SELECT is((SELECT (metadata -> 'facts' ->> 'rekey_weeks_billed')::int FROM tracktik.etl_batches WHERE batch_id = :'b2'), 1,
          '... and the employee-week re-billed');

SELECT * FROM finish();
ROLLBACK;
