-- Reconciliation with TrackTik's /billable-items: a shift whose REVENUE items agree with the
-- warehouse (to the cent) is no issue; one that differs is a billing_variance issue and shows in
-- the views; when TrackTik's figure is fixed, the issue is resolved. Colorado post 2000 at
-- 40.00, 8-hour shifts: the warehouse bills 320.00.
BEGIN;
SELECT plan(7);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-10', 2);
SELECT tt_test.stage_billable_item(:'b', 9001, 100, 8, 40.00, 320.00);
SELECT tt_test.stage_billable_item(:'b', 9002, 101, 8, 40.00, 330.00);   -- 10.00 more than ours
SELECT tt_test.stage_billable_item(:'b', 9003, 101, 1, 12.00, 12.00, 'EXPENSE');   -- not compared
SELECT tt_test.load(:'b');

SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues
            WHERE issue_type = 'billing_variance' AND table_name = 'billing_reconciliation' AND record_id = '100'), 0,
          'an agreement is no issue');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues
            WHERE issue_type = 'billing_variance' AND table_name = 'billing_reconciliation' AND record_id = '101'
              AND resolved_at IS NULL), 1, 'a difference is a billing_variance issue');
SELECT is((SELECT summary FROM tracktik.v_billing_reconciliation WHERE billing_period_id = '2025_02' AND client_id = 200),
          'TrackTik billed $650.00, the warehouse $640.00, 1 shift(s) differ', 'the period-and-site view says it');
SELECT is((SELECT amount_difference FROM tracktik.v_billing_largest_differences WHERE difference_rank = 1), -10.00::numeric(14,2),
          'the largest difference: the warehouse 10.00 under TrackTik');

-- TrackTik corrects the item: the issue is resolved
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_billable_item(:'b2', 9002, 101, 8, 40.00, 320.00);
SELECT tt_test.load(:'b2');
SELECT isnt((SELECT resolved_at FROM tracktik.data_quality_issues
              WHERE issue_type = 'billing_variance' AND table_name = 'billing_reconciliation' AND record_id = '101'), NULL,
            'a fix resolves it');
SELECT is((SELECT shifts_differing FROM tracktik.v_billing_reconciliation WHERE billing_period_id = '2025_02' AND client_id = 200),
          0::bigint, '... and no shift differs any more');

-- hours differ (TrackTik billed 8.5 h at 40.00 = 340.00 for the warehouse's 8 h)
SELECT tt_test.new_batch() AS b3 \gset
SELECT tt_test.stage_billable_item(:'b3', 9001, 100, 8.5, 40.00, 340.00);
SELECT tt_test.load(:'b3');
SELECT is((SELECT differences FROM tracktik.billing_reconciliation WHERE shift_id = 100), ARRAY['hours', 'amount'],
          'hours and amount differ, the rate agrees');

SELECT * FROM finish();
ROLLBACK;
