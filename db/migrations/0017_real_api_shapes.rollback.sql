-- Back to the shapes of 0016_stale_record (declaration, bill settings, comments).
ALTER TABLE tracktik.position_bill_settings DROP COLUMN billing_type, DROP COLUMN overtime_rate_type;
ALTER TABLE tracktik.scd2_attributes
    DROP CONSTRAINT scd2_attributes_fallback_path_not_empty,
    DROP CONSTRAINT scd2_attributes_json_types_known,
    DROP COLUMN fallback_path,
    DROP COLUMN json_types;

COMMENT ON TABLE tracktik.position_bill_settings IS
    'TrackTik position-bill-settings (bill rate of a post from an effective date), loaded from staged batches. Second in the rate order: a local position override in bill_rate_overrides wins over them.';
COMMENT ON COLUMN tracktik.position_bill_settings.position_id IS 'TrackTik id of the position (post) the rate is for.';
COMMENT ON COLUMN tracktik.position_bill_settings.bill_rate IS 'Regular hourly bill rate (TrackTik rate).';
COMMENT ON COLUMN tracktik.position_bill_settings.overtime_multiplier IS 'TrackTik customOvertimeMultiplier1 (NULL: tracktik.settings default, 1.5).';
COMMENT ON COLUMN tracktik.position_bill_settings.double_time_multiplier IS 'TrackTik customOvertimeMultiplier2 (NULL: tracktik.settings default, 2.0).';
COMMENT ON COLUMN tracktik.position_bill_settings.source_updated_on IS 'The record''s updatedOn (or modifiedOn), when given.';
COMMENT ON COLUMN tracktik.position_bill_settings.raw_data IS 'The complete API record as last loaded.';

COMMENT ON COLUMN tracktik.dim_regions.status IS 'TrackTik status (ACTIVE, INACTIVE, ...).';
COMMENT ON COLUMN tracktik.dim_clients.status IS 'TrackTik status (ACTIVE, INACTIVE, ...).';
COMMENT ON COLUMN tracktik.dim_clients.name IS 'Site name.';
COMMENT ON COLUMN tracktik.dim_clients.address IS 'Postal address object as TrackTik returned it.';
COMMENT ON COLUMN tracktik.v_current_regions.status IS 'TrackTik status.';
COMMENT ON COLUMN tracktik.v_current_clients.status IS 'TrackTik status.';
COMMENT ON COLUMN tracktik.v_current_clients.name IS 'Site name.';
COMMENT ON COLUMN tracktik.v_current_clients.address IS 'Postal address as TrackTik returned it.';

COMMENT ON COLUMN tracktik.etl_sync_status.last_sync_timestamp IS 'High-water mark: the latest updatedOn / modifiedOn seen in completed batches. The next run asks for changes after (mark - lookback).';
COMMENT ON COLUMN tracktik.v_sync_status.last_sync_timestamp IS 'High-water mark: latest updatedOn / modifiedOn seen in completed batches.';

COMMENT ON COLUMN tracktik.data_quality_issues.issue_type IS
    'Kind of problem. Shift records, error (skipped): missing_required_field, invalid_status, timestamp_without_offset, unparsable_timestamp, end_before_start, shift_over_24h, invalid_hours. Shift warnings (loaded): approved_exceeds_clocked, invalid_time_zone, billing_variance, missing_bill_rate. Dimension records, error (skipped): missing_required_field, invalid_field_value, timestamp_without_offset, unparsable_timestamp. Position bill settings, error (skipped): missing_required_field, invalid_rate. Also duplicate_in_batch (info if identical, else warning), stale_record (info: a shift record older, by updatedOn / modifiedOn, than the stored row; the stored row was kept), inferred_member (info), late_dimension_change (info), blocked_mass_delete (error). The shift load does not record an issue again while the same one (table_name, record_id, issue_type) is open.';
