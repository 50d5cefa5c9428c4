-- A full sync of a window of shift dates (metadata shift_window, 'shifts' fully synced) deletes
-- the stored shifts of the batch's posts in that window that TrackTik no longer returns: out
-- of fact_shifts (no longer billed), last row logged in tracktik.deleted_shifts, and the
-- employee-week re-billed (the overtime the deleted shift pushed onto another one goes away).
-- Shifts outside the window, or of posts the batch did not stage, are kept.
BEGIN;
SELECT plan(12);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-17', 6);    -- Fri 17 .. Wed 22: 48 h, Colorado 40.00
SELECT tt_test.stage_days(:'b1', 201, 2, 1000, '2025-01-18', 1);    -- another post, in the window
SELECT tt_test.stage_days(:'b1', 301, 1, 2000, '2025-01-24', 1);    -- the post, after the window
SELECT tt_test.load(:'b1');
SELECT is((tt_test.fact(106)).bill_overtime_hours, 8.00, 'before: the sixth shift is overtime');

-- TrackTik deleted shift 103; the full sync of 2025-01-17..2025-01-23 returns the others
SELECT tt_test.full_sync_batch('{shifts,positions}', '{"shift_window": {"from": "2025-01-17", "to": "2025-01-23"}}') AS b2 \gset
SELECT tt_test.stage(:'b2', 'positions', tt_test.api_position(2000));
SELECT tt_test.restage_shifts(:'b2', ARRAY[101, 102, 104, 105, 106]::bigint[]);
SELECT tt_test.load(:'b2') AS counts \gset

SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE shift_id = 103), 0, 'the deleted shift left fact_shifts');
SELECT is((SELECT (learned_from, bill_total, raw_data ->> 'id', batch_id, restored_at IS NULL)::text
             FROM tracktik.deleted_shifts WHERE shift_id = 103),
          ('full_sync', 320.00, '103', :'b2'::uuid, true)::text,
          'its last row is logged: learned by full sync, what it billed, its raw record, the batch');
SELECT is((SELECT count(*)::int FROM tracktik.v_deleted_shifts WHERE shift_id = 103 AND is_deleted), 1,
          'readers see it in v_deleted_shifts');
SELECT is((tt_test.fact(106)).bill_overtime_hours, 0.00, 'the week is re-billed: 40 h, no overtime left');
SELECT is((tt_test.fact(106)).bill_total, 320.00, '... the sixth shift bills 8 x 40.00');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts WHERE employee_id = 1 AND shift_date <= '2025-01-23'),
          1600.00, 'the week bills 5 x 320.00');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts WHERE shift_id IN (201, 301)), 2,
          'shifts of another post, or outside the window, are kept');
SELECT is((:'counts'::jsonb ->> 'deleted_full_sync')::int, 1, 'counted as deleted by the full sync');
SELECT is((:'counts'::jsonb ->> 'window_stored')::int, 6, 'six stored shifts of the post were in the window');

-- without a window in the metadata a full sync of shifts deletes nothing
SELECT tt_test.full_sync_batch('{shifts}') AS b3 \gset
SELECT tt_test.stage(:'b3', 'positions', tt_test.api_position(2000));
SELECT tt_test.load(:'b3') AS counts3 \gset
SELECT is((:'counts3'::jsonb ->> 'deleted')::int, 0, 'no shift_window: nothing deleted');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts), 7, '... every stored shift is kept');

SELECT * FROM finish();
ROLLBACK;
