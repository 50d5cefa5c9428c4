-- discountRate (percent off each shift's total) and billBreaks (NONE: scheduled minus break;
-- ALL: the break billed too; REST_ONLY / MEAL_ONLY: shift records carry no break types, so a
-- shift with a break is not billed and an unsupported_bill_breaks issue says why). Colorado
-- posts 2000 (40.00) and 2001 (no rate: given one here), 8.5-hour shifts with a 30-minute break.
BEGIN;
SELECT plan(6);

SELECT tt_test.build_world();
SELECT tt_test.add_position_rate(2001, 40.00);
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_post_billing(:'b', 2000, '{"discountRate": 3, "billBreaks": "ALL"}');
SELECT tt_test.stage_post_billing(:'b', 2001, '{"billBreaks": "REST_ONLY"}');
SELECT tt_test.stage_shift(:'b', 100, 1, 2000, '2025-01-10T16:00:00+00:00', '2025-01-11T00:30:00+00:00', '{"breakInMinutes": 30}');
SELECT tt_test.stage_shift(:'b', 200, 2, 2001, '2025-01-10T16:00:00+00:00', '2025-01-11T00:30:00+00:00', '{"breakInMinutes": 30}');
SELECT tt_test.stage_shift(:'b', 201, 2, 2001, '2025-01-11T16:00:00+00:00', '2025-01-12T00:00:00+00:00');
SELECT tt_test.load(:'b');

-- ALL: 8.5 h x 40.00 = 340.00; discount 3 % = 10.20; 329.80
SELECT is(tt_test.billed(100), 329.80, 'billBreaks ALL and 3 % off: 340.00 - 10.20 = 329.80');
SELECT is((tt_test.fact(100)).billable_hours, 8.00, '... billable_hours stay scheduled minus break');
SELECT is((tt_test.fact(200)).bill_total, NULL, 'REST_ONLY with a break: not billed');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues
            WHERE issue_type = 'unsupported_bill_breaks' AND record_id = '200' AND resolved_at IS NULL), 1,
          '... an unsupported_bill_breaks issue names the shift');
SELECT is(tt_test.billed(201), 320.00, 'REST_ONLY without a break: 8 x 40.00 = 320.00');

-- NONE (the default): the break is not billed; no discount
SELECT tt_test.new_batch() AS b2 \gset
DELETE FROM tracktik.fact_shifts; DELETE FROM tracktik.api_position_billing;
SELECT tt_test.stage_post_billing(:'b2', 2000, '{"billBreaks": "NONE"}');
SELECT tt_test.stage_shift(:'b2', 100, 1, 2000, '2025-01-10T16:00:00+00:00', '2025-01-11T00:30:00+00:00', '{"breakInMinutes": 30}');
SELECT tt_test.load(:'b2');
SELECT is(tt_test.billed(100), 320.00, 'billBreaks NONE: 8 x 40.00 = 320.00');

SELECT * FROM finish();
ROLLBACK;
