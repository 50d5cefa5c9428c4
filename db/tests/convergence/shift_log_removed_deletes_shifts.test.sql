-- An incremental batch learns deletions from /shift-logs: a REMOVED entry deletes the stored
-- shift (logged as shift_log, its week re-billed) unless a copy of the shift staged in the same
-- batch is stamped after the entry; a copy stamped before it is not loaded. Other change types
-- delete nothing, and an entry fetched again by a later batch is applied once.
BEGIN;
SELECT plan(11);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.stage_days(:'b1', 101, 1, 2000, '2025-01-17', 6);    -- 48 h: 8 h overtime on 106
SELECT tt_test.load(:'b1');

SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'shift-logs', tt_test.shift_log(1, 'REMOVED', 103, '2025-06-02T00:00:00+00:00'));
-- 104: removed at 06-02 but staged as modified on 06-03 (the record is newer): kept
SELECT tt_test.stage(:'b2', 'shift-logs', tt_test.shift_log(2, 'REMOVED', 104, '2025-06-02T00:00:00+00:00')
                                           || '{"shift": {"id": 104}}');
SELECT tt_test.stage(:'b2', 'shifts', raw_data || '{"modifiedOn": "2025-06-03T00:00:00+00:00", "clockedHours": 8}')
  FROM tracktik.fact_shifts WHERE shift_id = 104;
-- 105: staged as it was (06-01), removed at 06-02: deleted, the copy not loaded
SELECT tt_test.restage_shifts(:'b2', ARRAY[105]::bigint[]);
SELECT tt_test.stage(:'b2', 'shift-logs', tt_test.shift_log(3, 'REMOVED', 105, '2025-06-02T00:00:00+00:00'));
-- 102: an ADDED entry deletes nothing
SELECT tt_test.stage(:'b2', 'shift-logs', tt_test.shift_log(4, 'ADDED', 102, '2025-06-02T00:00:00+00:00'));
SELECT tt_test.load(:'b2') AS counts \gset

SELECT is(ARRAY(SELECT shift_id FROM tracktik.fact_shifts ORDER BY shift_id), ARRAY[101, 102, 104, 106]::bigint[],
          'the removed shifts left fact_shifts; the newer copy and the ADDED one stay');
SELECT is(ARRAY(SELECT learned_from || ':' || shift_id FROM tracktik.deleted_shifts ORDER BY shift_id),
          ARRAY['shift_log:103', 'shift_log:105'], 'both logged as learned from the shift log');
SELECT is((SELECT shift_log ->> 'id' FROM tracktik.deleted_shifts WHERE shift_id = 103), '1', '... with the log entry');
SELECT is((SELECT raw_data ->> 'modifiedOn' FROM tracktik.deleted_shifts WHERE shift_id = 105),
          '2025-06-01T00:00:00+00:00', '... and the last record of the shift');
SELECT is((tt_test.fact(104)).raw_data ->> 'modifiedOn', '2025-06-03T00:00:00+00:00', 'the newer copy of 104 is loaded');
SELECT is((tt_test.fact(106)).bill_overtime_hours, 0.00, 'the week is re-billed: 32 h, no overtime');
SELECT is((SELECT sum(bill_total) FROM tracktik.fact_shifts), 4 * 320.00, '4 x 8 h x 40.00 billed');
SELECT is((:'counts'::jsonb ->> 'deleted_shift_log')::int, 2, 'counted');
SELECT is((:'counts'::jsonb ->> 'suppressed')::int, 1, 'the older copy of 105 counted as suppressed, not loaded');

-- the next run fetches the same entries again (lookback), and TrackTik returns 103 again
SELECT tt_test.new_batch() AS b3 \gset
SELECT tt_test.stage(:'b3', 'shift-logs', tt_test.shift_log(1, 'REMOVED', 103, '2025-06-02T00:00:00+00:00'));
SELECT tt_test.stage(:'b3', 'shifts', raw_data || '{"modifiedOn": "2025-06-04T00:00:00+00:00"}')
  FROM tracktik.deleted_shifts WHERE shift_id = 103;
SELECT tt_test.load(:'b3') AS counts3 \gset
SELECT is((SELECT count(*)::int FROM tracktik.deleted_shifts), 2, 'an entry already applied adds no deletion');
SELECT is((tt_test.fact(103)).bill_total, 320.00, 'the shift that came back is billed');

SELECT * FROM finish();
ROLLBACK;
