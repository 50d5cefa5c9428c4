-- Records the shell cannot stage as jsonb (a \u0000, NaN, a lone surrogate) are kept as text in
-- staging.rejected_records; processing the batch records one error unstageable_record issue
-- per record naming resource, id and reason, counts it in records_failed, and the rest loads.
-- prune_staging deletes them with the batch's staging. The loader may only insert them.
BEGIN;
SELECT plan(8);

SELECT table_privs_are('staging', 'rejected_records', 'tracktik_loader', ARRAY['INSERT'], 'the loader may only insert');
SELECT table_privs_are('staging', 'rejected_records', 'tracktik_reader', ARRAY[]::text[], 'the reader has nothing');

SELECT tt_test.add_world_rates();
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_world(:'b');
SELECT tt_test.stage_days(:'b', 100, 1, 2000, '2025-01-17', 2);
INSERT INTO staging.rejected_records (batch_id, resource, record_id, reason, raw_text) VALUES
    (:'b', 'shifts', '101', 'a string contains \u0000, which jsonb cannot store', '{"id":101,"note":"a\u0000b"}'),
    (:'b', 'employees', '"E-7"', 'a number is NaN or Infinity', '{"id":"E-7","rate":NaN}'),
    (:'b', 'regions', NULL, 'a string contains a lone UTF-16 surrogate', '{"name":"\ud800"}');
SELECT tracktik.mark_batch_staged(:'b', '{}');
SELECT tracktik._process_batch(:'b') IS NOT NULL;

SELECT is(ARRAY(SELECT table_name || ':' || coalesce(record_id, '-') || ':' || severity FROM tracktik.data_quality_issues
                 WHERE issue_type = 'unstageable_record' ORDER BY 1),
          ARRAY['dim_employees:E-7:error', 'dim_regions:-:error', 'fact_shifts:101:error'],
          'one unstageable_record error per record, in the table of its resource');
SELECT matches((SELECT issue_description FROM tracktik.data_quality_issues WHERE record_id = '101'),
               '^shifts record 101 could not be staged as jsonb: a string contains', 'naming resource, id and reason');
SELECT is((SELECT records_failed FROM tracktik.etl_batches WHERE batch_id = :'b'), 3, 'counted as failed');
SELECT is((SELECT count(*)::int FROM tracktik.fact_shifts), 2, 'the rest loads');

-- the shift comes back clean: its unstageable_record is resolved
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage_shift(:'b2', 101, 1, 2000, '2025-01-19T08:00:00-07:00', '2025-01-19T16:00:00-07:00',
                           '{"modifiedOn": "2025-06-02T00:00:00+00:00"}');
SELECT tracktik.mark_batch_staged(:'b2', '{}');
SELECT tracktik._process_batch(:'b2') IS NOT NULL;
SELECT is((SELECT resolved_at IS NOT NULL FROM tracktik.data_quality_issues WHERE record_id = '101'), true,
          'a record staged cleanly later resolves it');

UPDATE tracktik.etl_batches SET completed_at = now() - interval '40 days' WHERE batch_id = :'b';
SELECT tracktik.prune_staging();
SELECT is((SELECT count(*)::int FROM staging.rejected_records), 0, 'pruned with the batch''s staging');

SELECT * FROM finish();
ROLLBACK;
