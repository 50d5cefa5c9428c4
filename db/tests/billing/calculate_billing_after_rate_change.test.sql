-- calculate_billing re-bills whole employee-weeks from the stored facts with the rates in force
-- now: those of a period, or those a batch touched; rows whose billing does not change are left
-- alone.
BEGIN;
SELECT plan(8);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-17', 6);     -- Colorado, 48 h, 2025_02
SELECT tt_test.stage_days(:'b', 200, 2, 1000, '2025-01-24', 1);     -- California, 2025_03
SELECT tt_test.load(:'b');
CREATE TEMP TABLE before ON COMMIT DROP AS SELECT ctid AS tid, shift_id FROM tracktik.fact_shifts;

UPDATE tracktik.bill_rate_overrides SET bill_rate = 42.00 WHERE scope = 'position' AND scope_id IN (2000, 1000);

SELECT throws_ok($$SELECT tracktik.calculate_billing(NULL, NULL)$$, 'TT001', NULL, 'a batch or a period is needed');
SELECT throws_ok($$SELECT tracktik.calculate_billing(NULL, '1999_01')$$, 'TT001', NULL, 'an unknown period is refused');

SELECT is((tracktik.calculate_billing(NULL, '2025_02')) ->> 'stored_rows_updated', '6', 'the period''s six rows are re-billed');
SELECT is((tt_test.fact(105)).bill_total, 504.00, 'the overtime shift: 8 x 42.00 + 42.00 x 8 x 0.5 = 504.00');
SELECT is((tt_test.fact(105)).etl_batch_id, :'b'::uuid, 'without a batch, etl_batch_id is kept');
SELECT is((tt_test.fact(200)).bill_total, 320.00, 'the other period is untouched');
SELECT is((tracktik.calculate_billing(:'b')) ->> 'stored_rows_updated', '1', 'by batch: every week it touched (only 2025_03 differs)');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts AS f JOIN before AS b USING (shift_id) WHERE f.ctid = b.tid), 0,
          'every row was re-billed exactly where its billing changed');

SELECT * FROM finish();
ROLLBACK;
