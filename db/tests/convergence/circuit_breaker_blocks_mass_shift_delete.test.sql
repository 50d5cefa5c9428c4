-- The mass-delete circuit breaker: a full sync that would delete more than
-- full_sync_max_close_share of the window's stored shifts AND at least
-- full_sync_min_close_count of them (the dimensions' breaker settings) deletes none and records
-- a blocked_mass_delete error issue (a truncated extract must not un-bill a period); under the
-- minimum count the same share is deleted (a few deletions in a small window are not a
-- truncated extract).
BEGIN;
SELECT plan(9);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-17', 6);
SELECT tt_test.load(:'b1');
SELECT sum(bill_total) AS billed FROM tracktik.fact_shifts \gset

UPDATE tracktik.settings SET full_sync_min_close_count = 5;
-- a truncated extract: only one of the six shifts came back
SELECT tt_test.full_sync_batch('{shifts}', '{"shift_window": {"from": "2025-01-17", "to": "2025-01-23"}}') AS b2 \gset
SELECT tt_test.stage(:'b2', 'positions', tt_test.api_position(2000));
SELECT tt_test.restage_shifts(:'b2', ARRAY[101]::bigint[]);
SELECT tt_test.load(:'b2') AS counts \gset

SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts), 6, '5 of 6 (more than 20% and at least 5): none deleted');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts), :'billed'::numeric, '... the period bills as before');
SELECT is((SELECT count(*)::int FROM tracktik.deleted_shifts), 0, '... nothing logged as deleted');
SELECT is((SELECT severity || ':' || table_name FROM tracktik.data_quality_issues
            WHERE batch_id = :'b2' AND issue_type = 'blocked_mass_delete'), 'error:fact_shifts',
          'an error issue blocked_mass_delete is recorded');
SELECT is((SELECT (issue_data ->> 'would_delete')::int FROM tracktik.data_quality_issues
            WHERE batch_id = :'b2' AND issue_type = 'blocked_mass_delete'), 5, '... saying how many would have gone');
SELECT is((:'counts'::jsonb ->> 'delete_blocked')::int, 5, 'counted as blocked');

-- the same share under the minimum count is deleted
UPDATE tracktik.settings SET full_sync_min_close_count = 6;
SELECT tt_test.full_sync_batch('{shifts}', '{"shift_window": {"from": "2025-01-17", "to": "2025-01-23"}}') AS b3 \gset
SELECT tt_test.stage(:'b3', 'positions', tt_test.api_position(2000));
SELECT tt_test.restage_shifts(:'b3', ARRAY[101]::bigint[]);
SELECT tt_test.load(:'b3');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts), 1, '5 of 6 but fewer than 6: deleted');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts), 320.00, '... only the remaining shift bills');
SELECT is((SELECT resolved_at IS NOT NULL FROM tracktik.data_quality_issues
            WHERE batch_id = :'b2' AND issue_type = 'blocked_mass_delete'), true,
          'the full sync of the window that passed resolves the block');

SELECT * FROM finish();
ROLLBACK;
