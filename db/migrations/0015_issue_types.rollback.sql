-- Back to the issue-type list of 0005_etl_bookkeeping.
COMMENT ON COLUMN tracktik.data_quality_issues.issue_type IS 'missing_required_field, unparsable_timestamp, timestamp_without_offset, end_before_start, shift_over_24h, approved_exceeds_clocked, inferred_member, duplicate_in_batch, missing_bill_rate, billing_variance, blocked_mass_delete, late_dimension_change.';
