-- A batch that fails names the staged record the failure can be attributed to (issue 11): after
-- the rollback, tracktik._failing_record validates the batch's records of the failing dimension
-- again against the violated constraint (set-based) and _process_batch puts resource, id, API
-- field and value into etl_batches.error_message (and metadata->'failure'). The crafted
-- failures are ones no range check knows: a DBA's CHECK and NOT NULL on dim_regions.
BEGIN;
SELECT plan(10);
SET client_min_messages = warning;
SELECT pg_advisory_xact_lock(hashtext('tracktik.run_kaiser_batch'));

-- a CHECK that region 12 ("Los Angeles") violates, and region 11 too
ALTER TABLE tracktik.dim_regions ADD CONSTRAINT dba_no_angeles CHECK (name NOT LIKE '%Los Angeles%' AND name <> 'Southern California');
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_world(:'b');
SELECT tracktik.mark_batch_staged(:'b', '{}');

SELECT tracktik._process_batch(:'b') AS result \gset
SELECT is(:'result'::jsonb ->> 'status', 'failed', 'the CHECK fails the batch');
SELECT is((:'result'::jsonb -> 'record') - 'value'::text,
          '{"resource": "regions", "id": "11", "field": "name", "staged": true, "violations": 2, "how": "revalidated"}'::jsonb,
          'the record: the lowest id among the two regions that violate it, its field, how many do');
SELECT is(:'result'::jsonb -> 'record' ->> 'value', '"Southern California"', '... and the value');
SELECT matches((SELECT error_message FROM tracktik.etl_batches WHERE batch_id = :'b'),
               'violates check constraint "dba_no_angeles".*batch [-0-9a-f]+ failed while merging the dimensions .* on regions record 11 \(field name = "Southern California"\), and 1 more of its records',
               'error_message: the original message, the step, the record, the field and value, the others');
SELECT is((SELECT metadata -> 'failure' ->> 'sqlstate' FROM tracktik.etl_batches WHERE batch_id = :'b'), '23514',
          'metadata->failure keeps the SQLSTATE');
SELECT is((SELECT count(*)::int FROM tracktik.dim_regions), 0, 'nothing of the batch was loaded');
SELECT is((SELECT count(*)::int FROM staging.api_records WHERE batch_id = :'b'), 21, 'its staging is kept');
ALTER TABLE tracktik.dim_regions DROP CONSTRAINT dba_no_angeles;

-- a NOT NULL the API does not guarantee: the region without a customId
ALTER TABLE tracktik.dim_regions ALTER COLUMN custom_id SET NOT NULL;
SELECT tt_test.new_batch() AS b2 \gset
SELECT tt_test.stage(:'b2', 'regions', tt_test.api_region(1));
SELECT tt_test.stage(:'b2', 'regions', tt_test.api_region(5) - 'customId');
SELECT tracktik.mark_batch_staged(:'b2', '{}');
SELECT tracktik._process_batch(:'b2') AS result2 \gset
SELECT is(:'result2'::jsonb -> 'record' ->> 'id', '5', 'NOT NULL: the record without the field');
SELECT is(:'result2'::jsonb -> 'record' ->> 'field', 'customId', '... named by its API field');
ALTER TABLE tracktik.dim_regions ALTER COLUMN custom_id DROP NOT NULL;

-- fixed: the same batch runs again and completes
SELECT is(tracktik._process_batch(:'b') ->> 'status', 'completed', 'after the fix the batch completes');

SELECT * FROM finish();
ROLLBACK;
