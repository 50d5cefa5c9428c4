-- Versions by batch time: a shift bills with the configuration valid at its start; a change
-- applies to shifts that start after the batch that saw it (earlier ones keep the old version,
-- so a past period re-bills the same); what TrackTik deletes (an overtime rule absent from a
-- full sync) stops applying. Colorado post 2000 at 40.00.
BEGIN;
SELECT plan(6);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b1 \gset
UPDATE tracktik.etl_batches SET started_at = '2025-01-01T00:00:00+00:00' WHERE batch_id = :'b1';
SELECT tt_test.stage_post_billing(:'b1', 2000, '{"discountRate": 10}');
SELECT tt_test.stage_days(:'b1', 100, 1, 2000, '2025-01-15', 1);
SELECT tt_test.stage_days(:'b1', 200, 1, 2000, '2025-01-22', 1);
SELECT tt_test.load(:'b1');
SELECT is(tt_test.billed(100) + tt_test.billed(200), 576.00, 'discount 10 % on both: 2 x (320.00 - 32.00)');

-- batch 2, started 2025-01-20: no discount any more
SELECT tt_test.new_batch() AS b2 \gset
UPDATE tracktik.etl_batches SET started_at = '2025-01-20T00:00:00+00:00' WHERE batch_id = :'b2';
SELECT tt_test.stage_post_billing(:'b2', 2000, '{"discountRate": 0}');
SELECT tt_test.load(:'b2');
SELECT is(tt_test.billed(100), 288.00, 'a shift before the change keeps the discount of its time: 288.00');
SELECT is(tt_test.billed(200), 320.00, 'a shift after it is re-billed without: 320.00');
SELECT is((SELECT count(*)::int FROM tracktik.api_position_billing WHERE position_id = 2000), 2,
          'two versions of the setting are kept');

-- a TrackTik rule, then a full sync of the rules without it (started 2025-01-21)
SELECT tt_test.new_batch() AS b3 \gset
UPDATE tracktik.etl_batches SET started_at = '2025-01-01T00:00:00+00:00' WHERE batch_id = :'b3';
SELECT tt_test.stage_ot_rule(:'b3', 11, 'WEEKLY', 'SEQUENTIAL', '[["DAILY", 4, "MULTIPLIER", 2.0]]');
SELECT tt_test.load(:'b3');
UPDATE tracktik.settings SET full_sync_min_close_count = 5;
SELECT tt_test.full_sync_batch(ARRAY['overtime-rules', 'overtime-rule-items']) AS b4 \gset
UPDATE tracktik.etl_batches SET started_at = '2025-01-21T00:00:00+00:00' WHERE batch_id = :'b4';
SELECT tt_test.load(:'b4');
SELECT is((SELECT valid_to FROM tracktik.api_overtime_rules WHERE overtime_rule_id = 11),
          '2025-01-21T00:00:00+00:00'::timestamptz, 'the rule TrackTik no longer returns is closed at the full sync');
SELECT is((SELECT count(*)::int FROM tracktik.api_overtime_rule_items WHERE valid_to IS NULL), 0,
          '... and its items');

SELECT * FROM finish();
ROLLBACK;
