-- Where the record carries TrackTik's own billableHours / payableHours, a difference of more
-- than 0.01 from ours is a billing_variance warning; the shift loads with our figures.
BEGIN;
SELECT plan(4);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"billableHours": 8.00, "payableHours": 8.01}');   -- within a hundredth
SELECT tt_test.stage_shift(:'b', 2, 2, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"billableHours": 7.50, "payableHours": 8}');      -- TrackTik says 7.5
SELECT tt_test.load(:'b');

SELECT is(tt_test.issues(:'b', 'billing_variance'), 1::bigint, 'one shift differs by more than 0.01');
SELECT is((SELECT record_id FROM tracktik.data_quality_issues WHERE batch_id = :'b' AND issue_type = 'billing_variance'),
          '2', '... shift 2');
SELECT is((SELECT (issue_data ->> 'billableHours')::numeric FROM tracktik.data_quality_issues
            WHERE batch_id = :'b' AND issue_type = 'billing_variance'), 7.50, 'the issue carries their figure');
SELECT is((tt_test.fact(2)).billable_hours, 8.00, 'the shift keeps our figure');

SELECT * FROM finish();
ROLLBACK;
