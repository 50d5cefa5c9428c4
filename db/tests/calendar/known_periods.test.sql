-- get_billing_period on the dates the design names, before the anchor, and far away.
BEGIN;
SELECT plan(11);

SELECT is(tracktik.get_billing_period('2024-12-27'), '2025_01', 'the anchor day is 2025_01');
SELECT is(tracktik.get_billing_period('2025-01-09'), '2025_01', 'the 14th day is still 2025_01');
SELECT is(tracktik.get_billing_period('2025-01-10'), '2025_02', 'the 15th day starts 2025_02');
SELECT is(tracktik.get_billing_period('2025-12-26'), '2026_01', '2025-12-26 starts 2026_01 (ends in 2026)');
SELECT is(tracktik.get_billing_period('2025-12-25'), '2025_26', '2025-12-25 is the last period of 2025');
SELECT is(tracktik.get_billing_period('2024-12-26'), '2024_26', 'the day before the anchor is in 2024');
SELECT is(tracktik.get_billing_period('2024-12-13'), '2024_26', 'two weeks before the anchor is the same period');
SELECT is(tracktik.get_billing_period('2024-12-12'), '2024_25', 'and the day before that is the previous one');
SELECT is((SELECT row(start_date, end_date, fiscal_year, period_number)::text
             FROM tracktik.billing_period_bounds('2025-01-05')),
          row(date '2024-12-27', date '2025-01-09', 2025, 1)::text,
          'billing_period_bounds gives the bounds, fiscal year and ordinal');
SELECT is(tracktik.get_billing_period(NULL), NULL, 'NULL date gives NULL');
SELECT is(tracktik.get_billing_period('1990-06-15') ~ '^1990_[0-9]{2}$', true,
          'a date decades before the anchor works');

SELECT * FROM finish();
ROLLBACK;
