-- Hours (DESIGN.md section 5): scheduled = duration - unpaid break; billable = 0 if cancelled,
-- not billable or a non-billable post, else approved, else least(clocked, scheduled), else
-- scheduled; payable = 0 if cancelled or not payable, else approved, else clocked, else
-- scheduled. Cancelled shifts are kept.
BEGIN;
SELECT plan(18);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
-- 08:00-16:30 with a 30-minute break: 8 scheduled hours everywhere
SELECT tt_test.stage_shift(:'b', s, 1, p, '2025-01-13T08:00:00-08:00', '2025-01-13T16:30:00-08:00',
                           '{"breakInMinutes": 30}'::jsonb || x)
  FROM (VALUES
    (1, 1000, '{}'::jsonb),                                               -- scheduled only
    (2, 1000, '{"clockedHours": 7.75}'),                                  -- clocked below scheduled
    (3, 1000, '{"clockedHours": 8.5}'),                                   -- clocked above scheduled
    (4, 1000, '{"clockedHours": 8.5, "approvedHours": 8.25}'),            -- approved wins
    (5, 1000, '{"status": "CANCELLED", "clockedHours": 8}'),              -- cancelled
    (6, 1000, '{"billable": false}'),
    (7, 1000, '{"payable": false}'),
    (8, 1003, '{}')                                                       -- non-billable post
  ) AS v(s, p, x);
SELECT tt_test.load(:'b');

SELECT is((tt_test.fact(1)).scheduled_hours, 8.00, 'scheduled = 8.5 h minus a 30-minute break');
SELECT is((tt_test.fact(1)).billable_hours, 8.00, 'no clock, no approval: billable = scheduled');
SELECT is((tt_test.fact(1)).payable_hours, 8.00, '... payable = scheduled');
SELECT is((tt_test.fact(2)).billable_hours, 7.75, 'clocked below scheduled: billable = clocked');
SELECT is((tt_test.fact(3)).billable_hours, 8.00, 'clocked above scheduled: billable = scheduled');
SELECT is((tt_test.fact(3)).payable_hours, 8.50, '... but payable = clocked');
SELECT is((tt_test.fact(4)).billable_hours, 8.25, 'approved hours win for billing');
SELECT is((tt_test.fact(4)).payable_hours, 8.25, '... and for pay');
SELECT is((tt_test.fact(5)).status, 'CANCELLED', 'a cancelled shift is kept with its status');
SELECT is((tt_test.fact(5)).billable_hours, 0.00, '... with zero billable hours');
SELECT is((tt_test.fact(5)).payable_hours, 0.00, '... and zero payable hours');
SELECT is((tt_test.fact(5)).bill_total, 0.00, '... and bills nothing');
SELECT is((tt_test.fact(6)).billable_hours, 0.00, 'billable false: no billable hours');
SELECT is((tt_test.fact(6)).payable_hours, 8.00, '... still payable');
SELECT is((tt_test.fact(7)).payable_hours, 0.00, 'payable false: no payable hours');
SELECT is((tt_test.fact(8)).billable_hours, 0.00, 'a non-billable post: no billable hours');
SELECT is((tt_test.fact(8)).bill_rate_effective, NULL, 'no billable hours: no effective rate');
SELECT is((tt_test.fact(2)).clocked_hours, 7.75, 'clocked hours are kept as given');

SELECT * FROM finish();
ROLLBACK;
