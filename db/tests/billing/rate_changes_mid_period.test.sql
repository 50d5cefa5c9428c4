-- The rate in force on the shift date applies: a local position rate that changes on Friday
-- 2025-01-17 bills the shifts before it at the old rate and from it on at the new one.
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
UPDATE tracktik.bill_rate_overrides SET effective_to = '2025-01-17' WHERE scope = 'position' AND scope_id = 2000;
SELECT tt_test.add_position_rate(2000, 44.00, '2025-01-17');
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-15', 4);     -- Wed 15 .. Sat 18
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(100)).bill_rate_regular, 40.00, 'Wednesday bills at the old rate');
SELECT is((tt_test.fact(101)).bill_rate_regular, 40.00, 'Thursday, the last day of the old rate');
SELECT is((tt_test.fact(102)).bill_rate_regular, 44.00, 'Friday, the first day of the new rate');
SELECT is((tt_test.fact(103)).bill_total, 352.00, 'Saturday bills 8 x 44.00');
SELECT is((SELECT rate_source FROM tracktik.bill_rate_at(2000, 200, 20, '2025-01-17')), 'position_override',
          'bill_rate_at names the source of the rate');

SELECT * FROM finish();
ROLLBACK;
