-- Primary keys and partitioning of the contract tables.
BEGIN;
SELECT plan(14);

SELECT col_is_pk('tracktik', 'dim_regions',   'surrogate_key', 'dim_regions PK is surrogate_key');
SELECT col_is_pk('tracktik', 'dim_clients',   'surrogate_key', 'dim_clients PK is surrogate_key');
SELECT col_is_pk('tracktik', 'dim_positions', 'surrogate_key', 'dim_positions PK is surrogate_key');
SELECT col_is_pk('tracktik', 'dim_employees', 'surrogate_key', 'dim_employees PK is surrogate_key');
SELECT col_is_pk('tracktik', 'fact_shifts', ARRAY['billing_period_id', 'shift_id'],
                 'fact_shifts PK is (billing_period_id, shift_id)');
SELECT col_is_pk('tracktik', 'billing_periods', 'period_id', 'billing_periods PK is period_id');
SELECT col_is_pk('tracktik', 'etl_batches', 'batch_id', 'etl_batches PK is batch_id');
SELECT col_is_pk('tracktik', 'etl_sync_status', 'table_name', 'etl_sync_status PK is table_name');
SELECT col_is_pk('tracktik', 'data_quality_issues', 'issue_id', 'data_quality_issues PK is issue_id');

SELECT is_partitioned('tracktik', 'fact_shifts', 'fact_shifts is partitioned');
SELECT is(pg_get_partkeydef('tracktik.fact_shifts'::regclass), 'LIST (billing_period_id)',
          'fact_shifts is LIST-partitioned by billing_period_id');
SELECT is_partitioned('staging', 'api_records', 'staging.api_records is partitioned');
SELECT is(pg_get_partkeydef('staging.api_records'::regclass), 'LIST (batch_id)',
          'staging.api_records is LIST-partitioned by batch_id');
SELECT is((SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'tracktik.fact_shifts'::regclass), 0,
          'no fact partition exists before one is ensured (none made by hand)');

SELECT * FROM finish();
ROLLBACK;
