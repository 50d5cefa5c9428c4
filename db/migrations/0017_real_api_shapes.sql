-- depends: 0016_stale_record
-- What the real TrackTik API returns (issue 9):
--   * a client's name is on demand (its default is the company): the SCD2 declaration gains a
--     fallback path (clients.name: name, else company);
--   * a client's address is an Addresses object when included, an integer id otherwise: the
--     declaration gains the JSON types a value is accepted in (clients.address: objects only;
--     an id alone is stored as NULL);
--   * a post's bill-rate history arrives embedded in the positions records
--     (billingSetting.billSettings) with a billingType: the loaded settings keep it, and only
--     HOURLY ones bill at an hourly rate;
--   * the enumerations and the watermark rule are written into the comments.

ALTER TABLE tracktik.scd2_attributes
    ADD COLUMN fallback_path text[],
    ADD COLUMN json_types    text[],
    ADD CONSTRAINT scd2_attributes_fallback_path_not_empty
        CHECK (fallback_path IS NULL OR (source_path IS NOT NULL AND cardinality(fallback_path) > 0)),
    ADD CONSTRAINT scd2_attributes_json_types_known
        CHECK (json_types IS NULL OR (source_path IS NOT NULL AND cardinality(json_types) > 0
                                      AND json_types <@ ARRAY['object', 'array', 'string', 'number', 'boolean']));

COMMENT ON COLUMN tracktik.scd2_attributes.fallback_path IS
    'Optional JSON path read when the value at source_path is absent or JSON null, e.g. {company} for a client''s name (TrackTik returns name only on demand; its default is the company). NULL: no fallback.';
COMMENT ON COLUMN tracktik.scd2_attributes.json_types IS
    'Optional JSON types (jsonb_typeof: object, array, string, number, boolean) in which the value is accepted; a value of another type is read as NULL, not as an error. E.g. {object} for a client''s address, which TrackTik returns as an Addresses object when included and as an integer id otherwise. NULL: any type.';

UPDATE tracktik.scd2_attributes SET fallback_path = '{company}' WHERE dimension = 'clients' AND column_name = 'name';
UPDATE tracktik.scd2_attributes SET json_types = '{object}' WHERE dimension = 'clients' AND column_name = 'address';

-- position bill settings: the billing type
ALTER TABLE tracktik.position_bill_settings
    ADD COLUMN billing_type       text NOT NULL DEFAULT 'HOURLY',
    ADD COLUMN overtime_rate_type text;
UPDATE tracktik.position_bill_settings
   SET billing_type = upper(raw_data ->> 'billingType')
 WHERE jsonb_typeof(raw_data -> 'billingType') = 'string' AND raw_data ->> 'billingType' <> '';
UPDATE tracktik.position_bill_settings
   SET overtime_rate_type = upper(raw_data ->> 'overtimeRateType')
 WHERE jsonb_typeof(raw_data -> 'overtimeRateType') = 'string' AND raw_data ->> 'overtimeRateType' <> '';

COMMENT ON TABLE tracktik.position_bill_settings IS
    'TrackTik position bill settings (the bill rate of a post from an effective date): the items of billingSetting.billSettings embedded in the staged positions records, and any position-bill-settings records staged on their own. Second in the rate order: a local position override in bill_rate_overrides wins over them. Only HOURLY settings (without custom overtime rates) bill at an hourly rate; while another one is in force the post has no TrackTik rate (bill columns NULL, missing_bill_rate).';
COMMENT ON COLUMN tracktik.position_bill_settings.position_id IS
    'TrackTik id of the position (post) the rate is for: the positions record the setting was embedded in, or positionBilling.position of a setting staged on its own (a bill setting has no position field).';
COMMENT ON COLUMN tracktik.position_bill_settings.bill_rate IS
    'TrackTik rate of the setting: the regular hourly bill rate when billing_type is HOURLY.';
COMMENT ON COLUMN tracktik.position_bill_settings.billing_type IS
    'TrackTik billingType: HOURLY, FIXED, BILL_COST_PLUS_FLAT or BILL_COST_PLUS_PERCENTAGE (else the billing setting''s type; HOURLY when neither is given). Only HOURLY bills at bill_rate; another type in force leaves the post''s shifts without a TrackTik rate (unsupported_billing_type issue).';
COMMENT ON COLUMN tracktik.position_bill_settings.overtime_rate_type IS
    'TrackTik overtimeRateType: DEFAULT, RATE, MULTIPLIER or NO_PREMIUMS (NULL when not given). RATE (custom overtime rates, not multipliers) is not supported: such a setting does not bill at an hourly rate either (unsupported_overtime_rate_type issue).';
COMMENT ON COLUMN tracktik.position_bill_settings.overtime_multiplier IS
    'Overtime multiplier: TrackTik customOvertimeMultiplier1 when overtimeRateType is MULTIPLIER (or not given), 1 for NO_PREMIUMS, NULL (tracktik.settings default, 1.5) for DEFAULT or RATE.';
COMMENT ON COLUMN tracktik.position_bill_settings.double_time_multiplier IS
    'Double-time multiplier: TrackTik customOvertimeMultiplier2 when overtimeRateType is MULTIPLIER (or not given), 1 for NO_PREMIUMS, NULL (tracktik.settings default, 2.0) for DEFAULT or RATE.';
COMMENT ON COLUMN tracktik.position_bill_settings.source_updated_on IS 'The setting''s updatedOn (or modifiedOn), when given.';
COMMENT ON COLUMN tracktik.position_bill_settings.raw_data IS 'The complete API bill-setting item as last loaded.';

-- enumerations of the real API
COMMENT ON COLUMN tracktik.dim_regions.status IS 'TrackTik status: ACTIVE, INACTIVE or CLOSED.';
COMMENT ON COLUMN tracktik.dim_clients.status IS 'TrackTik status: ACTIVE, INACTIVE or CLOSED.';
COMMENT ON COLUMN tracktik.dim_clients.name IS 'Site name: TrackTik name, else (name not returned) company.';
COMMENT ON COLUMN tracktik.dim_clients.address IS 'Postal address object (TrackTik Addresses) as returned when included; NULL when the API sent only the address id.';
COMMENT ON COLUMN tracktik.v_current_regions.status IS 'TrackTik status: ACTIVE, INACTIVE or CLOSED.';
COMMENT ON COLUMN tracktik.v_current_clients.status IS 'TrackTik status: ACTIVE, INACTIVE or CLOSED.';
COMMENT ON COLUMN tracktik.v_current_clients.name IS 'Site name: TrackTik name, else company.';
COMMENT ON COLUMN tracktik.v_current_clients.address IS 'Postal address object as TrackTik returned it (NULL when only its id was returned).';

-- watermarks: the field of the incremental filter
COMMENT ON COLUMN tracktik.etl_sync_status.last_sync_timestamp IS
    'High-water mark on the field the incremental filter uses: modifiedOn for shifts, updatedOn for every other resource; from accepted records only, never later than the start of the batch that set it (a record stamped in the future does not move it: future_timestamp issue). The next run asks for changes after (mark - lookback).';
COMMENT ON COLUMN tracktik.v_sync_status.last_sync_timestamp IS
    'High-water mark: latest modifiedOn (shifts) / updatedOn (other resources) of accepted records in completed batches, never past a batch''s start.';

COMMENT ON COLUMN tracktik.data_quality_issues.issue_type IS
    'Kind of problem. Shift records, error (skipped): missing_required_field, invalid_status, timestamp_without_offset, unparsable_timestamp, end_before_start, shift_over_24h, invalid_hours. Shift warnings (loaded): approved_exceeds_clocked, invalid_time_zone, billing_variance, missing_bill_rate. Dimension records, error (skipped): missing_required_field, invalid_field_value, timestamp_without_offset, unparsable_timestamp. Position bill settings, error (skipped): missing_required_field (also a setting whose post cannot be determined), invalid_rate; warning (loaded, not billed hourly): unsupported_billing_type, unsupported_overtime_rate_type. Any resource, warning (loaded): future_timestamp (updatedOn / modifiedOn later than the batch start; the watermark ignores it). Also duplicate_in_batch (info if identical, else warning), stale_record (info: a shift record older, by updatedOn / modifiedOn, than the stored row; the stored row was kept), inferred_member (info), late_dimension_change (info), blocked_mass_delete (error). The shift load does not record an issue again while the same one (table_name, record_id, issue_type) is open.';
