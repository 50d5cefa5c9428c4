-- depends: 0004_fact_shifts
-- ETL bookkeeping: batches, sync watermarks, data-quality issues, and the raw staging table.

CREATE TABLE tracktik.etl_batches (
    batch_id             uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    batch_type           text          NOT NULL CHECK (batch_type <> ''),
    status               text          NOT NULL DEFAULT 'running'
                                       CHECK (status IN ('running', 'staged', 'completed', 'failed', 'abandoned')),
    started_at           timestamptz   NOT NULL DEFAULT now(),
    staged_at            timestamptz,
    completed_at         timestamptz,
    records_processed    integer       NOT NULL DEFAULT 0 CHECK (records_processed >= 0),
    records_failed       integer       NOT NULL DEFAULT 0 CHECK (records_failed >= 0),
    error_message        text,
    error_sqlstate       text,
    full_sync_resources  text[]        NOT NULL DEFAULT '{}',
    metadata             jsonb         NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX etl_batches_status_started ON tracktik.etl_batches (status, started_at);

COMMENT ON TABLE tracktik.etl_batches IS
    'One row per ETL batch. Lifecycle: running (shell fetching) -> staged (all records in staging) -> completed | failed; a running batch whose shell died becomes abandoned.';
COMMENT ON COLUMN tracktik.etl_batches.batch_id IS 'Batch id; also the key of the batch''s staging partition.';
COMMENT ON COLUMN tracktik.etl_batches.batch_type IS 'Kind of batch, e.g. incremental, full, backfill.';
COMMENT ON COLUMN tracktik.etl_batches.status IS 'running, staged, completed, failed or abandoned.';
COMMENT ON COLUMN tracktik.etl_batches.started_at IS 'When the batch was opened (tracktik.start_batch); the valid_from of versions whose record has no updatedOn.';
COMMENT ON COLUMN tracktik.etl_batches.staged_at IS 'When the shell finished staging the batch''s records.';
COMMENT ON COLUMN tracktik.etl_batches.completed_at IS 'When processing ended (completed or failed).';
COMMENT ON COLUMN tracktik.etl_batches.records_processed IS 'Staged records loaded by the last processing attempt.';
COMMENT ON COLUMN tracktik.etl_batches.records_failed IS 'Staged records skipped as bad by the last processing attempt (see data_quality_issues).';
COMMENT ON COLUMN tracktik.etl_batches.error_message IS 'Error of the last failed attempt.';
COMMENT ON COLUMN tracktik.etl_batches.error_sqlstate IS 'SQLSTATE of the last failed attempt.';
COMMENT ON COLUMN tracktik.etl_batches.full_sync_resources IS 'API resources fetched completely in this batch: only these may close dimension rows whose ids are absent.';
COMMENT ON COLUMN tracktik.etl_batches.metadata IS 'Free-form batch details: parameters of the fetch, per-resource counts, per-dimension merge counts.';

CREATE TABLE tracktik.etl_sync_status (
    table_name                text         PRIMARY KEY,
    last_sync_timestamp       timestamptz,
    last_successful_batch_id  uuid         REFERENCES tracktik.etl_batches (batch_id),
    sync_metadata             jsonb        NOT NULL DEFAULT '{}'::jsonb
);
COMMENT ON TABLE tracktik.etl_sync_status IS
    'Incremental-sync watermarks, one row per API resource, advanced in the same transaction as the data of a completed batch.';
COMMENT ON COLUMN tracktik.etl_sync_status.table_name IS 'API resource name (regions, clients, positions, employees, shifts, position-bill-settings).';
COMMENT ON COLUMN tracktik.etl_sync_status.last_sync_timestamp IS 'High-water mark: the latest updatedOn / modifiedOn seen in completed batches. The next run asks for changes after (mark - lookback).';
COMMENT ON COLUMN tracktik.etl_sync_status.last_successful_batch_id IS 'Completed batch that last advanced the mark.';
COMMENT ON COLUMN tracktik.etl_sync_status.sync_metadata IS 'Details of the last sync of this resource (counts, last full sync time).';

CREATE TABLE tracktik.data_quality_issues (
    issue_id           bigserial     PRIMARY KEY,
    batch_id           uuid          REFERENCES tracktik.etl_batches (batch_id),
    table_name         text          NOT NULL,
    record_id          text,
    issue_type         text          NOT NULL,
    severity           text          NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    issue_description  text          NOT NULL,
    issue_data         jsonb,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    resolved_at        timestamptz,
    resolution_note    text,
    CONSTRAINT data_quality_issues_resolution_noted CHECK (resolved_at IS NULL OR resolution_note IS NOT NULL)
);
CREATE INDEX data_quality_issues_batch ON tracktik.data_quality_issues (batch_id);
CREATE INDEX data_quality_issues_open ON tracktik.data_quality_issues (issue_type, created_at) WHERE resolved_at IS NULL;

COMMENT ON TABLE tracktik.data_quality_issues IS
    'Problems found in source data, one row per problem and record; never silently dropped. Resolve with UPDATE ... SET resolved_at = now(), resolution_note = ''...''.';
COMMENT ON COLUMN tracktik.data_quality_issues.issue_id IS 'Issue id.';
COMMENT ON COLUMN tracktik.data_quality_issues.batch_id IS 'Batch in which the problem was found.';
COMMENT ON COLUMN tracktik.data_quality_issues.table_name IS 'Warehouse table or API resource concerned.';
COMMENT ON COLUMN tracktik.data_quality_issues.record_id IS 'Source id of the record concerned (text: may be absent or malformed in the source).';
COMMENT ON COLUMN tracktik.data_quality_issues.issue_type IS 'missing_required_field, unparsable_timestamp, timestamp_without_offset, end_before_start, shift_over_24h, approved_exceeds_clocked, inferred_member, duplicate_in_batch, missing_bill_rate, billing_variance, blocked_mass_delete, late_dimension_change.';
COMMENT ON COLUMN tracktik.data_quality_issues.severity IS 'info, warning or error. Error-severity records were skipped.';
COMMENT ON COLUMN tracktik.data_quality_issues.issue_description IS 'Human-readable description.';
COMMENT ON COLUMN tracktik.data_quality_issues.issue_data IS 'The offending values or record.';
COMMENT ON COLUMN tracktik.data_quality_issues.created_at IS 'When the issue was recorded.';
COMMENT ON COLUMN tracktik.data_quality_issues.resolved_at IS 'When a person marked the issue resolved (NULL while open).';
COMMENT ON COLUMN tracktik.data_quality_issues.resolution_note IS 'What was done about it; required when resolved_at is set.';

-- Raw staging: one LIST partition per batch, made by tracktik.start_batch(), dropped whole
-- when the batch is pruned.
CREATE TABLE staging.api_records (
    batch_id    uuid         NOT NULL,
    resource    text         NOT NULL,
    record      jsonb        NOT NULL,
    fetched_at  timestamptz  NOT NULL DEFAULT now()
) PARTITION BY LIST (batch_id);
CREATE INDEX api_records_resource ON staging.api_records (resource);

COMMENT ON TABLE staging.api_records IS
    'Raw TrackTik API objects exactly as returned, one row per object, one partition per batch (created by tracktik.start_batch).';
COMMENT ON COLUMN staging.api_records.batch_id IS 'Batch that fetched the record (partition key).';
COMMENT ON COLUMN staging.api_records.resource IS 'API resource name: regions, clients, positions, employees, shifts, position-bill-settings.';
COMMENT ON COLUMN staging.api_records.record IS 'The API object as returned (relations as ids or included objects).';
COMMENT ON COLUMN staging.api_records.fetched_at IS 'When the record was fetched.';
