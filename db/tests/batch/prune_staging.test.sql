-- prune_staging drops the staging partitions of finished batches older than the retention
-- (settings.staging_retention_days, or the age given), never those of running or staged ones.
BEGIN;
SELECT plan(8);

SELECT tt_test.new_batch() AS done_old \gset
SELECT tt_test.new_batch() AS failed_old \gset
SELECT tt_test.new_batch() AS done_new \gset
SELECT tt_test.new_batch() AS staged_old \gset
UPDATE tracktik.etl_batches SET status = 'completed', completed_at = now() - interval '40 days' WHERE batch_id = :'done_old';
UPDATE tracktik.etl_batches SET status = 'failed', completed_at = now() - interval '31 days' WHERE batch_id = :'failed_old';
UPDATE tracktik.etl_batches SET status = 'completed', completed_at = now() - interval '2 days' WHERE batch_id = :'done_new';
UPDATE tracktik.etl_batches SET status = 'staged', started_at = now() - interval '90 days' WHERE batch_id = :'staged_old';

SELECT throws_ok($$SELECT tracktik.prune_staging(interval '-1 day')$$, 'TT001', NULL, 'a negative age is refused');
SELECT is(tracktik.prune_staging(), 2, 'two finished batches are older than the 30-day retention');
SELECT hasnt_table('staging', 'api_records_' || replace(:'done_old', '-', ''), 'the old completed batch''s partition is gone');
SELECT hasnt_table('staging', 'api_records_' || replace(:'failed_old', '-', ''), 'the old failed batch''s partition is gone');
SELECT has_table('staging', 'api_records_' || replace(:'done_new', '-', ''), 'a recent batch keeps its partition');
SELECT has_table('staging', 'api_records_' || replace(:'staged_old', '-', ''), 'a staged batch keeps its partition, however old');
SELECT ok((SELECT metadata ? 'staging_pruned_at' FROM tracktik.etl_batches WHERE batch_id = :'done_old'),
          'the batch row stays, noting the pruning');
SELECT is(tracktik.prune_staging(interval '1 day'), 1, 'an explicit age prunes the recent one too');

SELECT * FROM finish();
ROLLBACK;
