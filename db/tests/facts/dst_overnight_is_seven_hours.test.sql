-- Hours are arithmetic on instants: an overnight shift across the spring DST change
-- (2025-03-08 22:00 -> 2025-03-09 06:00 America/Los_Angeles) is 7 hours, and it belongs to its
-- start date.
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-03-08T22:00:00-08:00', '2025-03-09T06:00:00-07:00',
                           '{"timeZone": "America/Los_Angeles"}');
-- the same night written in UTC
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-03-09T06:00:00Z', '2025-03-09T13:00:00Z',
                           '{"timeZone": "America/Los_Angeles"}');
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).scheduled_hours, 7.00, '22:00 to 06:00 across the DST change is 7 hours');
SELECT is((tt_test.fact(1)).billable_hours, 7.00, '... and 7 billable hours');
SELECT is((tt_test.fact(1)).shift_date, DATE '2025-03-08', 'the shift belongs to its local start date');
SELECT is((tt_test.fact(2)).scheduled_hours, 7.00, 'the same instants written in UTC give the same hours');
SELECT is((tt_test.fact(1)).bill_total, 280.00, 'and bill 7 x 40.00 = 280.00');

SELECT * FROM finish();
ROLLBACK;
