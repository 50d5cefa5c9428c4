-- An older record processed after a newer one (an old batch run again after newer batches
-- loaded): when its updatedOn / modifiedOn is strictly older than the stamp in the stored row's
-- raw_data, the stored row is kept (same tuple, not rewritten, not billed again) and a
-- stale_record info issue is recorded. A newer record updates the row as usual.
BEGIN;
SELECT plan(12);

SELECT tt_test.build_world();

-- batch A: the shift as TrackTik has it now (updatedOn T2), 8 hours
SELECT tt_test.new_batch() AS a \gset
SELECT tt_test.stage_shift(:'a', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00',
                           '{"updatedOn": "2025-01-14T12:00:00+00:00"}');
SELECT tt_test.load(:'a');
CREATE TEMP TABLE before ON COMMIT DROP AS
SELECT f.ctid AS tid, f.xmin::text AS x, f.raw_data, f.scheduled_hours, f.bill_total, f.etl_batch_id
  FROM tracktik.fact_shifts AS f WHERE f.shift_id = 1;

-- batch B, processed later: an older copy (updatedOn T1 < T2), 10 hours
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T18:00:00-08:00',
                           '{"updatedOn": "2025-01-14T10:00:00+00:00"}');
-- (in a subtransaction: a row it rewrote would get the subtransaction's xid as xmin, not the
-- xid of this test's transaction that wrote batch A)
SAVEPOINT load_b;
SELECT tt_test.load(:'b') AS counts_b \gset
RELEASE SAVEPOINT load_b;

SELECT is((tt_test.fact(1)).raw_data, (SELECT raw_data FROM before), 'the fact keeps the newer record of batch A');
SELECT is((tt_test.fact(1)).scheduled_hours, 8.00, '... and its hours');
SELECT is((tt_test.fact(1)).etl_batch_id, :'a'::uuid, '... and its batch');
SELECT is((SELECT xmin::text FROM tracktik.fact_shifts WHERE shift_id = 1), (SELECT x FROM before),
          'the stored row is not rewritten (xmin unchanged)');
SELECT is((SELECT ctid FROM tracktik.fact_shifts WHERE shift_id = 1), (SELECT tid FROM before), '... same tuple');
SELECT is((:'counts_b'::jsonb ->> 'written')::int, 0, 'the older record writes nothing');
SELECT is((:'counts_b'::jsonb ->> 'stale')::int, 1, '... and is counted stale');
SELECT is(tt_test.issues(:'b', 'stale_record'), 1::bigint, 'one stale_record issue');
SELECT results_eq(
    $$SELECT table_name, record_id, severity, issue_data ->> 'record_stamp', issue_data ->> 'stored_stamp'
        FROM tracktik.data_quality_issues WHERE issue_type = 'stale_record'$$,
    $$VALUES ('fact_shifts'::text, '1'::text, 'info'::text,
              to_jsonb('2025-01-14T10:00:00+00:00'::timestamptz) #>> '{}',
              to_jsonb('2025-01-14T12:00:00+00:00'::timestamptz) #>> '{}')$$,
    '... info, on the shift, with both stamps');

-- the same old batch once more: no second open issue
SELECT tt_test.load(:'b');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE issue_type = 'stale_record'), 1,
          'running the old batch again adds no second open issue');

-- batch C: a newer record (updatedOn T3 > T2), 6 hours: updates as usual
SELECT tt_test.new_batch() AS c \gset
SELECT tt_test.stage_shift(:'c', 1, 1, 1000, '2025-01-13T08:00:00-08:00', '2025-01-13T14:00:00-08:00',
                           '{"updatedOn": "2025-01-14T14:00:00+00:00"}');
SELECT tt_test.load(:'c');
SELECT is((tt_test.fact(1)).scheduled_hours, 6.00, 'a newer record updates the fact');
SELECT is((tt_test.fact(1)).etl_batch_id, :'c'::uuid, '... under its batch');

SELECT * FROM finish();
ROLLBACK;
