DROP TABLE IF EXISTS staging.api_records;
DROP TABLE IF EXISTS tracktik.data_quality_issues;
DROP TABLE IF EXISTS tracktik.etl_sync_status;
DROP TABLE IF EXISTS tracktik.etl_batches;
