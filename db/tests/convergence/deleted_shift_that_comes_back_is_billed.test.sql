-- A shift deleted by a full sync that TrackTik returns again later is loaded and billed again
-- (its week re-billed with it), and its deletion row is marked restored (kept as history).
BEGIN;
SELECT plan(6);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-17', 6);    -- 48 h
SELECT tt_test.load(:'b1');

SELECT tt_test.full_sync_batch('{shifts}', '{"shift_window": {"from": "2025-01-17", "to": "2025-01-23"}}') AS b2 \gset
SELECT tt_test.stage(:'b2', 'positions', tt_test.api_position(2000));
SELECT tt_test.restage_shifts(:'b2', ARRAY[101, 102, 104, 105, 106]::bigint[]);
SELECT tt_test.load(:'b2');
SELECT is((tt_test.fact(106)).bill_total, 320.00, 'while 103 is deleted the week has no overtime');

-- the next sync returns it again (its date had moved out of the window and back, say)
SELECT tt_test.new_batch() AS b3 \gset
SELECT tt_test.stage(:'b3', 'shifts', raw_data) FROM tracktik.deleted_shifts WHERE shift_id = 103;
SELECT tt_test.load(:'b3') AS counts \gset

SELECT is((tt_test.fact(103)).bill_total, 320.00, 'the shift is billed again');
SELECT is((tt_test.fact(106)).bill_total, 320.00 + 160.00, 'the week is re-billed: the sixth shift is overtime again');
SELECT is((SELECT (restored_at IS NOT NULL, restored_batch_id)::text FROM tracktik.deleted_shifts WHERE shift_id = 103),
          (true, :'b3'::uuid)::text, 'the deletion row is marked restored by the batch');
SELECT is((SELECT count(*)::int FROM tracktik.v_deleted_shifts WHERE is_deleted), 0, 'no shift is deleted now');
SELECT is((:'counts'::jsonb ->> 'restored')::int, 1, 'counted as restored');

SELECT * FROM finish();
ROLLBACK;
