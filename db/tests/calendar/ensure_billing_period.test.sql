-- ensure_billing_period(s) make the calendar row and the fact partition on demand, once.
BEGIN;
SELECT plan(9);

SELECT is(tracktik.ensure_billing_period('2025-03-09'), '2025_06', 'returns the period id');
SELECT has_table('tracktik', 'fact_shifts_2025_06', 'the partition exists');
SELECT is((SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'tracktik.fact_shifts_2025_06'::regclass),
          'FOR VALUES IN (''2025_06'')', 'it is the partition for exactly that period');
SELECT results_eq($$SELECT period_id, start_date, end_date, fiscal_year, period_number
                      FROM tracktik.billing_periods$$,
                  $$VALUES ('2025_06', date '2025-03-07', date '2025-03-20', 2025, 6)$$,
                  'the calendar row is stored');
SELECT is(tracktik.ensure_billing_periods(ARRAY[date '2025-03-10', date '2025-03-20']), 0,
          'ensuring an existing period again creates nothing');
SELECT is(tracktik.ensure_billing_periods(ARRAY[date '2025-03-21', date '2025-04-05', NULL, date '2024-01-01']), 3,
          'several periods at once; NULL dates are ignored');
SELECT is((SELECT count(*)::int FROM tracktik.billing_periods), 4, 'one calendar row per period');
SELECT lives_ok($$INSERT INTO tracktik.fact_shifts (shift_id, billing_period_id, shift_date, start_datetime,
                     end_datetime, time_zone, status, raw_data)
                  VALUES (1, '2025_06', '2025-03-09', '2025-03-09 08:00-08', '2025-03-09 16:00-07',
                          'America/Los_Angeles', 'ACTIVE', '{}')$$,
                'a fact row lands in its ensured partition');
SELECT throws_ok($$INSERT INTO tracktik.fact_shifts (shift_id, billing_period_id, shift_date, start_datetime,
                      end_datetime, time_zone, status, raw_data)
                   VALUES (2, '2030_01', '2030-01-01', '2030-01-01 08:00Z', '2030-01-01 16:00Z', 'UTC', 'ACTIVE', '{}')$$,
                 '23514', NULL, 'a row for a period without a partition is rejected (no catch-all partition)');

SELECT * FROM finish();
ROLLBACK;
