-- A post that became non-billable before shifts already loaded (learned later): after the merge
-- alone (tracktik.merge_dimensions) its facts are re-keyed with zero billable hours and their
-- employee-week re-billed whole: the overtime those hours pushed onto later shifts goes away.
BEGIN;
SELECT plan(6);

SELECT tt_test.add_world_rates();
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_world(:'b1');
SELECT tt_test.stage_days(:'b1', 101, 1, 1000, '2025-01-17', 1);    -- Fri 17, Oakland post 1000
SELECT tt_test.stage_days(:'b1', 102, 1, 2000, '2025-01-18', 6);    -- Sat 18 .. Thu 23, Denver: 56 h in all
SELECT tracktik.mark_batch_staged(:'b1', '{}');
SELECT tracktik.merge_dimensions(:'b1');
SELECT tt_test.load(:'b1');
SELECT is((tt_test.fact(106)).bill_total, 480.00, 'before: the fifth Denver shift is overtime (8 x 40 + 8 x 20)');

SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'positions', jsonb_build_object(
           'id', 1000, 'customId', 'P1000', 'name', 'Main Entrance Officer', 'status', 'ACTIVE', 'account', 100,
           'nonBillable', true, 'updatedOn', '2025-01-01T00:00:00+00:00'));
SELECT tracktik.mark_batch_staged(:'b2', '{}');
SELECT tracktik.merge_dimensions(:'b2');

SELECT is((tt_test.fact(101)).billable_hours, 0.00, 'the non-billable post''s shift bills no hours');
SELECT is((tt_test.fact(101)).bill_total, 0.00, '... and nothing');
SELECT is((tt_test.fact(101)).position_key,
          (SELECT surrogate_key FROM tracktik.dim_positions WHERE position_id = 1000 AND is_current),
          '... re-keyed to the post''s new version');
SELECT is((tt_test.fact(106)).bill_total, 320.00, 'the week is re-billed: the fifth Denver shift is regular now');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts), 5 * 320.00 + 480.00, 'the week bills 48 h: 2080.00');

SELECT * FROM finish();
ROLLBACK;
