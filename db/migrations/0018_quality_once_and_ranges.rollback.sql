-- Back to the shapes of 0017_real_api_shapes (issues may be recorded again while open; the
-- issues resolved automatically or collapsed stay resolved).
DROP TABLE staging.rejected_records;

ALTER TABLE tracktik.settings
    DROP COLUMN full_sync_min_close_count,
    DROP COLUMN shift_window_past_days,
    DROP COLUMN shift_window_future_days,
    DROP COLUMN shift_future_warning_days,
    DROP COLUMN plausible_hours_margin;
COMMENT ON COLUMN tracktik.settings.full_sync_max_close_share IS 'Circuit breaker: a full sync that would close more than this share of current dimension rows closes none and records an error issue.';

-- (a full rollback drops every routine first, with CASCADE: the trigger may be gone already)
DROP TRIGGER IF EXISTS data_quality_issue_seen ON tracktik.data_quality_issues;
DROP FUNCTION IF EXISTS tracktik._data_quality_issue_seen();
DROP INDEX tracktik.data_quality_issues_open_once;
ALTER TABLE tracktik.data_quality_issues
    DROP COLUMN record_key,
    DROP COLUMN last_seen_batch_id,
    DROP COLUMN last_seen_at;

COMMENT ON TABLE tracktik.data_quality_issues IS
    'Problems found in source data, one row per problem and record; never silently dropped. Resolve with UPDATE ... SET resolved_at = now(), resolution_note = ''...''.';
COMMENT ON COLUMN tracktik.data_quality_issues.batch_id IS 'Batch in which the problem was found.';
COMMENT ON COLUMN tracktik.data_quality_issues.resolved_at IS 'When a person marked the issue resolved (NULL while open).';
COMMENT ON COLUMN tracktik.data_quality_issues.resolution_note IS 'What was done about it; required when resolved_at is set.';
COMMENT ON COLUMN tracktik.data_quality_issues.issue_type IS
    'Kind of problem. Shift records, error (skipped): missing_required_field, invalid_status, timestamp_without_offset, unparsable_timestamp, end_before_start, shift_over_24h, invalid_hours. Shift warnings (loaded): approved_exceeds_clocked, invalid_time_zone, billing_variance, missing_bill_rate. Dimension records, error (skipped): missing_required_field, invalid_field_value, timestamp_without_offset, unparsable_timestamp. Position bill settings, error (skipped): missing_required_field (also a setting whose post cannot be determined), invalid_rate; warning (loaded, not billed hourly): unsupported_billing_type, unsupported_overtime_rate_type. Any resource, warning (loaded): future_timestamp (updatedOn / modifiedOn later than the batch start; the watermark ignores it). Also duplicate_in_batch (info if identical, else warning), stale_record (info: a shift record older, by updatedOn / modifiedOn, than the stored row; the stored row was kept), inferred_member (info), late_dimension_change (info), blocked_mass_delete (error). The shift load does not record an issue again while the same one (table_name, record_id, issue_type) is open.';
