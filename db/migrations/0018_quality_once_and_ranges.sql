-- depends: 0017_real_api_shapes
-- Data-quality issues recorded once while open, resolved by the run that no longer finds them
-- (issue 10, item 5), and no record that can stop a batch (issue 11, database side).
--
--   * data_quality_issues.record_key: the key of "the same issue" besides table_name and
--     issue_type (md5 of record_id; for an issue without a record id, md5 of the record it
--     carries, or '' for an issue about a whole table); a UNIQUE index over the OPEN issues on
--     (table_name, issue_type, record_key), so an open issue exists at most once whatever
--     routine records it (every insert says ON CONFLICT DO NOTHING);
--   * last_seen_batch_id / last_seen_at: the batch that last found the open issue again; a
--     BEFORE INSERT trigger (tracktik._data_quality_issue_seen) turns the insert of an issue
--     that is already open into that update. The loads resolve (resolved_at, resolution_note
--     naming the batch) the open issues of the records they evaluated that this batch did
--     not find again (see the COMMENT of resolved_at for the rule of each issue type);
--   * duplicates that a warehouse already holds are collapsed first: the oldest open one is
--     kept, the others are resolved with a note naming it;
--   * settings: full_sync_min_close_count (the circuit breaker needs a count as well as a
--     share), the window of shift dates, the plausibility margins;
--   * staging.rejected_records: records the shell cannot stage as jsonb (NUL, NaN, lone
--     surrogates), kept as text and reported as unstageable_record issues.

-- ---------------------------------------------------------------- issues: the key

ALTER TABLE tracktik.data_quality_issues
    ADD COLUMN record_key text NOT NULL GENERATED ALWAYS AS (
        CASE WHEN record_id IS NOT NULL THEN md5(record_id)
             WHEN issue_type = 'blocked_mass_delete' OR issue_data IS NULL THEN ''
             ELSE md5(coalesce(issue_data -> 'record', issue_data)::text)
        END) STORED,
    ADD COLUMN last_seen_batch_id uuid,
    ADD COLUMN last_seen_at timestamptz;

UPDATE tracktik.data_quality_issues
   SET last_seen_batch_id = batch_id, last_seen_at = created_at
 WHERE resolved_at IS NULL;

-- duplicates of an open issue: the oldest stays open, the others are resolved pointing at it
WITH ranked AS (
    SELECT q.issue_id,
           first_value(q.issue_id) OVER w AS kept,
           row_number() OVER w AS rn
      FROM tracktik.data_quality_issues AS q
     WHERE q.resolved_at IS NULL
    WINDOW w AS (PARTITION BY q.table_name, q.issue_type, q.record_key ORDER BY q.created_at, q.issue_id)
)
UPDATE tracktik.data_quality_issues AS q
   SET resolved_at = now(),
       resolution_note = format('duplicate of open issue %s (collapsed by migration 0018_quality_once_and_ranges)', r.kept)
  FROM ranked AS r
 WHERE r.issue_id = q.issue_id AND r.rn > 1;

CREATE UNIQUE INDEX data_quality_issues_open_once
    ON tracktik.data_quality_issues (table_name, issue_type, record_key)
 WHERE resolved_at IS NULL;

-- the trigger's function is (re)defined in db/functions/060_data_quality_issue_seen.sql on every
-- migrate; this first definition lets the trigger be created now
CREATE OR REPLACE FUNCTION tracktik._data_quality_issue_seen()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION tracktik._data_quality_issue_seen() FROM PUBLIC;

CREATE TRIGGER data_quality_issue_seen
    BEFORE INSERT ON tracktik.data_quality_issues
    FOR EACH ROW EXECUTE FUNCTION tracktik._data_quality_issue_seen();

COMMENT ON TRIGGER data_quality_issue_seen ON tracktik.data_quality_issues IS
    'An issue inserted while the same one (table_name, issue_type, record_key) is open is not inserted again: the open one gets last_seen_batch_id / last_seen_at instead (tracktik._data_quality_issue_seen).';

COMMENT ON TABLE tracktik.data_quality_issues IS
    'Problems found in source data, one row per problem and record; never silently dropped. Recorded once while open: a unique index over the open issues on (table_name, issue_type, record_key), every insert ON CONFLICT DO NOTHING, and finding an open issue again only sets its last_seen_batch_id. Resolved automatically by the run that evaluates the record again and no longer finds the problem (resolution_note names the batch; the rule of each issue type is in the comment of resolved_at); a DBA may resolve one by hand with UPDATE ... SET resolved_at = now(), resolution_note = ''...''.';
COMMENT ON COLUMN tracktik.data_quality_issues.record_key IS
    'Generated: what makes two issues of one table and type "the same": md5(record_id); for an issue without a record id, md5 of the record it carries (issue_data -> ''record'', else issue_data), so that two different records without an id stay two issues and the same record sent again is one; '''' for blocked_mass_delete (an issue about a whole table).';
COMMENT ON COLUMN tracktik.data_quality_issues.last_seen_batch_id IS
    'The last batch that found this open issue again (the batch that recorded it, at first). A run that evaluates the record and does not find the issue again resolves it.';
COMMENT ON COLUMN tracktik.data_quality_issues.last_seen_at IS
    'When the open issue was last found again.';
COMMENT ON COLUMN tracktik.data_quality_issues.batch_id IS
    'Batch in which the problem was first found (later sightings: last_seen_batch_id).';
COMMENT ON COLUMN tracktik.data_quality_issues.resolved_at IS
    'When the issue was resolved (NULL while open). Automatic resolution, by issue type: '
    '(1) shift records (table fact_shifts: missing_required_field, invalid_status, timestamp_without_offset, unparsable_timestamp, date_out_of_range, end_before_start, shift_over_24h, invalid_hours, approved_exceeds_clocked, hours_exceed_scheduled, break_exceeds_shift, far_future_shift, future_timestamp, invalid_time_zone, billing_variance, duplicate_in_batch, stale_record, unstageable_record): by a batch that parses a record of that shift id again (a record identical to the stored row is not parsed) without finding it; '
    '(2) missing_bill_rate and billing_out_of_range: when the shift is billed again (any batch, calculate_billing or reprocess_billing_period) with a rate in range, or without billable hours; '
    '(3) dimension records (dim_regions, dim_clients, dim_positions, dim_employees: missing_required_field, invalid_field_value, timestamp_without_offset, unparsable_timestamp, date_out_of_range, duplicate_in_batch, late_dimension_change, future_timestamp, unstageable_record): by a batch that stages that id again and merges it without finding it; invalid_time_zone of a region or site: by the first batch after which its current version has a known time zone (or none); inferred_member: by the batch after which the member is no longer inferred (its real record arrived); '
    '(4) bill settings (position_bill_settings: missing_required_field, invalid_rate, date_out_of_range, unsupported_billing_type, unsupported_overtime_rate_type, future_timestamp, unstageable_record): by a batch that reads that setting id again without finding it; '
    '(5) blocked_mass_delete of a dimension: by the next full sync of that resource that the circuit breaker lets through; '
    '(6) an issue about a record without an id: only by hand (it is not recorded again while open). '
    'A DBA may resolve any issue by hand.';
COMMENT ON COLUMN tracktik.data_quality_issues.resolution_note IS
    'What resolved it: ''resolved by batch <id>: ...'' for automatic resolution, or a person''s note; required when resolved_at is set.';
COMMENT ON COLUMN tracktik.data_quality_issues.issue_type IS
    'Kind of problem. Shift records, error (skipped): missing_required_field, invalid_status, timestamp_without_offset, unparsable_timestamp, date_out_of_range (start outside the window around today of tracktik.settings.shift_window_past_days / shift_window_future_days, or an updatedOn / modifiedOn outside 1900..2999), end_before_start, shift_over_24h, invalid_hours. Shift warnings (loaded): approved_exceeds_clocked, hours_exceed_scheduled, break_exceeds_shift, far_future_shift (plausibility: see tracktik.settings), invalid_time_zone (a name not in pg_timezone_names, never applied), billing_variance, missing_bill_rate; error billing_out_of_range (loaded, billing left empty: an amount would not fit NUMERIC(10,2)). Dimension records, error (skipped): missing_required_field, invalid_field_value, timestamp_without_offset, unparsable_timestamp, date_out_of_range (updatedOn outside 1900..2999); warning invalid_time_zone (a region''s or site''s time zone not in pg_timezone_names). Position bill settings, error (skipped): missing_required_field (also a setting whose post cannot be determined), invalid_rate (negative, or not storable: rate rounding to 100,000,000.00 or more, a multiplier below 1 or rounding to 1,000 or more), date_out_of_range (effectiveDate or updatedOn outside 1900..2999); warning (loaded, not billed hourly): unsupported_billing_type, unsupported_overtime_rate_type. Any resource, warning (loaded): future_timestamp (updatedOn / modifiedOn later than the batch start; the watermark ignores it); error unstageable_record (a record the shell could not stage as jsonb, kept in staging.rejected_records). Also duplicate_in_batch (info if identical, else warning), stale_record (info: a shift record older, by updatedOn / modifiedOn, than the stored row; the stored row was kept), inferred_member (info), late_dimension_change (info), blocked_mass_delete (error). An issue is recorded once while it is open (table_name, issue_type, record_key).';

-- ---------------------------------------------------------------- settings

ALTER TABLE tracktik.settings
    ADD COLUMN full_sync_min_close_count integer NOT NULL DEFAULT 10
        CHECK (full_sync_min_close_count >= 0),
    ADD COLUMN shift_window_past_days integer NOT NULL DEFAULT 3653
        CHECK (shift_window_past_days BETWEEN 1 AND 36500),
    ADD COLUMN shift_window_future_days integer NOT NULL DEFAULT 730
        CHECK (shift_window_future_days BETWEEN 1 AND 36500),
    ADD COLUMN shift_future_warning_days integer NOT NULL DEFAULT 180
        CHECK (shift_future_warning_days >= 0),
    ADD COLUMN plausible_hours_margin numeric(5,2) NOT NULL DEFAULT 2
        CHECK (plausible_hours_margin >= 0);

COMMENT ON COLUMN tracktik.settings.full_sync_max_close_share IS
    'Circuit breaker: a full sync that would close more than this share of current dimension rows, and at least full_sync_min_close_count of them, closes none and records an error blocked_mass_delete issue.';
COMMENT ON COLUMN tracktik.settings.full_sync_min_close_count IS
    'Circuit breaker: the fewest rows a full sync of a dimension must want to close (besides more than full_sync_max_close_share of the current ones) before it is blocked; fewer close normally (3 of 10 regions closing is not a truncated extract). 0: the share alone decides.';
COMMENT ON COLUMN tracktik.settings.shift_window_past_days IS
    'Sane range of shift dates, past side: a shift starting more than this many days before now is not loaded (error date_out_of_range). Default 3653 (about ten years).';
COMMENT ON COLUMN tracktik.settings.shift_window_future_days IS
    'Sane range of shift dates, future side: a shift starting more than this many days after now is not loaded (error date_out_of_range), so a date such as 9999-12-31 never reaches the calendar. Default 730.';
COMMENT ON COLUMN tracktik.settings.shift_future_warning_days IS
    'Plausibility: a shift starting more than this many days after now (but inside shift_window_future_days) is loaded with a far_future_shift warning. Default 180.';
COMMENT ON COLUMN tracktik.settings.plausible_hours_margin IS
    'Plausibility, in hours: approvedHours or clockedHours beyond the shift''s scheduled length (end - start) by more than this are loaded as given with an hours_exceed_scheduled warning. Default 2.';

-- ---------------------------------------------------------------- records that are not jsonb

CREATE TABLE staging.rejected_records (
    batch_id    uuid         NOT NULL REFERENCES tracktik.etl_batches (batch_id) ON DELETE CASCADE,
    resource    text         NOT NULL,
    record_id   text,
    reason      text         NOT NULL,
    raw_text    text         NOT NULL,
    fetched_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX rejected_records_batch ON staging.rejected_records (batch_id);

COMMENT ON TABLE staging.rejected_records IS
    'API records the shell could not stage as jsonb (a \u0000, NaN / Infinity, a lone surrogate): kept as text for the DBA, never dropped. Processing the batch records one error unstageable_record issue per row (counted in records_failed). Deleted with the batch''s staging by tracktik.prune_staging.';
COMMENT ON COLUMN staging.rejected_records.batch_id IS 'Batch that fetched the record.';
COMMENT ON COLUMN staging.rejected_records.resource IS 'API resource name (regions, clients, positions, employees, shifts, ...).';
COMMENT ON COLUMN staging.rejected_records.record_id IS 'The record''s id as the shell could read it (JSON text of the id, at most 100 characters); NULL when it has none.';
COMMENT ON COLUMN staging.rejected_records.reason IS 'Why the record cannot be stored as jsonb.';
COMMENT ON COLUMN staging.rejected_records.raw_text IS 'The record re-encoded as ASCII JSON text (NUL and surrogates as \u escapes, NaN as the bare word).';
COMMENT ON COLUMN staging.rejected_records.fetched_at IS 'When the record was fetched.';

REVOKE ALL ON staging.rejected_records FROM PUBLIC, tracktik_loader, tracktik_reader;
GRANT INSERT ON staging.rejected_records TO tracktik_loader;
