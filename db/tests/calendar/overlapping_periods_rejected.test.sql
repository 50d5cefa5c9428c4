-- The calendar refuses periods that contradict stored ones (e.g. after a careless anchor
-- change): same id with other bounds (TT005), or an overlap (exclusion constraint, 23P01).
BEGIN;
SELECT plan(4);

SELECT lives_ok($$SELECT tracktik.ensure_billing_period('2025-01-01')$$, 'period 2025_01 ensured');
UPDATE tracktik.settings SET calendar_anchor_date = '2024-12-30';
SELECT throws_ok($$SELECT tracktik.ensure_billing_period('2025-01-05')$$, 'TT005', NULL,
                 'the same period id with other bounds is refused');
UPDATE tracktik.settings SET calendar_anchor_date = '2025-01-03';
SELECT is(tracktik.get_billing_period('2025-01-04'), '2025_02', 'the moved calendar computes another id');
SELECT throws_ok($$SELECT tracktik.ensure_billing_period('2025-01-04')$$, '23P01', NULL,
                 'a period overlapping a stored one is rejected by the exclusion constraint');

SELECT * FROM finish();
ROLLBACK;
