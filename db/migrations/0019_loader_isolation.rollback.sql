-- Back to 0016_stale_record: no staging guard, no lock_timeout setting.
DROP TRIGGER IF EXISTS api_records_staged_by_the_batch_session ON staging.api_records;
DROP FUNCTION IF EXISTS tracktik._staging_insert_guard();
ALTER TABLE tracktik.settings DROP COLUMN IF EXISTS lock_timeout;
