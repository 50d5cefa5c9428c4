-- tracktik._resolve_data_quality_issues(batch) -> counts: at the end of a batch's processing (in
-- its transaction, after the loads and the watermarks), resolves the open data-quality issues
-- that this batch evaluated again and did not find again, and records the conditions it checks
-- itself. An open issue the batch found again was marked seen by it (last_seen_batch_id, the
-- trigger tracktik._data_quality_issue_seen); resolved_at is set and resolution_note names
-- the batch. The rule of each issue type (also in the comment of
-- tracktik.data_quality_issues.resolved_at):
--
--   dimension records   an id staged in this batch (its resource's records): its open
--                       missing_required_field, invalid_field_value, timestamp_without_offset,
--                       unparsable_timestamp, date_out_of_range, duplicate_in_batch,
--                       late_dimension_change, future_timestamp and unstageable_record that the
--                       batch did not see again (the record now merges cleanly);
--   time zones          invalid_time_zone of a region or site (dim_regions, dim_clients): found
--                       by every batch while the current version's time zone is not in
--                       pg_timezone_names (never applied: its shifts fall back), resolved by the
--                       first batch after which it is known or absent;
--   inferred members    inferred_member: resolved once the member is no longer inferred (its
--                       real record arrived);
--   shift records       a shift id parsed by this batch's shift load (pg_temp.tt_shift_src: a
--                       record identical to the stored row is not parsed and resolves nothing):
--                       its open record issues (errors, plausibility and other warnings,
--                       duplicate_in_batch, stale_record, unstageable_record) not seen again;
--                       missing_bill_rate and billing_out_of_range are the billing engine's
--                       (tracktik._bill_employee_weeks);
--   bill settings       a setting id read by this batch (pg_temp.tt_bill_settings_src): its
--                       open missing_required_field, invalid_rate, date_out_of_range,
--                       unsupported_billing_type, unsupported_overtime_rate_type, future_timestamp
--                       and unstageable_record not seen again;
--   blocked_mass_delete of a dimension: by the merge's next full sync that passes the breaker.
-- Issues about a record without an id are never resolved here (nothing identifies the record
-- again); a DBA resolves them.
-- Result: {"resolved": n, "time_zone_issues": n}.
CREATE OR REPLACE FUNCTION tracktik._resolve_data_quality_issues(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_note        text := pg_catalog.format('resolved by batch %s: ', p_batch_id);
    v_dim         record;
    v_n           integer;
    v_resolved    integer := 0;
    v_zones       integer := 0;
    v_known       text[];
    v_dim_types   CONSTANT text[] := ARRAY['missing_required_field', 'invalid_field_value', 'timestamp_without_offset',
                                           'unparsable_timestamp', 'date_out_of_range', 'duplicate_in_batch',
                                           'late_dimension_change', 'future_timestamp', 'unstageable_record'];
    v_shift_types CONSTANT text[] := ARRAY['missing_required_field', 'invalid_status', 'timestamp_without_offset',
                                           'unparsable_timestamp', 'date_out_of_range', 'end_before_start',
                                           'shift_over_24h', 'invalid_hours', 'approved_exceeds_clocked',
                                           'hours_exceed_scheduled', 'break_exceeds_shift', 'far_future_shift',
                                           'future_timestamp', 'invalid_time_zone', 'billing_variance',
                                           'duplicate_in_batch', 'stale_record', 'unstageable_record'];
    v_rate_types  CONSTANT text[] := ARRAY['missing_required_field', 'invalid_rate', 'date_out_of_range',
                                           'unsupported_billing_type', 'unsupported_overtime_rate_type',
                                           'future_timestamp', 'unstageable_record'];
BEGIN
    -- time zones of the current regions and sites: known means in pg_timezone_names
    SELECT pg_catalog.array_agg(pg_catalog.lower(n.name)) INTO v_known FROM pg_catalog.pg_timezone_names AS n;
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, z.table_name, z.id::text, 'invalid_time_zone', 'warning',
           pg_catalog.format('%s %s: timeZone %s is not a time zone of pg_timezone_names; never applied (its shifts use the next time zone: region, else tracktik.settings.default_time_zone)',
                             z.resource, z.id, pg_catalog.left(pg_catalog.quote_literal(z.time_zone), 66)),
           pg_catalog.jsonb_build_object('timeZone', pg_catalog.left(z.time_zone, 1000))
      FROM (SELECT 'dim_regions' AS table_name, 'regions' AS resource, r.region_id AS id, r.time_zone
              FROM tracktik.dim_regions AS r
             WHERE r.is_current AND r.time_zone IS NOT NULL
            UNION ALL
            SELECT 'dim_clients', 'clients', c.client_id, c.time_zone
              FROM tracktik.dim_clients AS c
             WHERE c.is_current AND c.time_zone IS NOT NULL) AS z
     WHERE pg_catalog.length(z.time_zone) > 64 OR NOT pg_catalog.lower(z.time_zone) = ANY (v_known)
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    GET DIAGNOSTICS v_zones = ROW_COUNT;
    UPDATE tracktik.data_quality_issues AS q
       SET resolved_at = pg_catalog.now(),
           resolution_note = v_note || 'the current version has a known time zone, or none'
     WHERE q.resolved_at IS NULL AND q.issue_type = 'invalid_time_zone'
       AND q.table_name IN ('dim_regions', 'dim_clients')
       AND q.last_seen_batch_id IS DISTINCT FROM p_batch_id;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_resolved := v_resolved + v_n;

    FOR v_dim IN SELECT d.* FROM tracktik.scd2_dimensions AS d ORDER BY d.merge_order LOOP
        -- dimension records staged again and merged without the issue
        EXECUTE pg_catalog.format($sql$
            UPDATE tracktik.data_quality_issues AS q
               SET resolved_at = pg_catalog.now(),
                   resolution_note = $1 || 'the record was staged again and merged without this problem'
             WHERE q.resolved_at IS NULL AND q.table_name = %1$L
               AND q.issue_type = ANY ($2)
               AND q.last_seen_batch_id IS DISTINCT FROM $3
               AND q.record_id IN (SELECT s.record #>> %2$L FROM staging.api_records AS s
                                    WHERE s.batch_id = $3 AND s.resource = %3$L)$sql$,
            v_dim.table_name, v_dim.id_path, v_dim.resource)
          USING v_note, v_dim_types, p_batch_id;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        v_resolved := v_resolved + v_n;

        -- inferred members whose real record arrived
        EXECUTE pg_catalog.format($sql$
            UPDATE tracktik.data_quality_issues AS q
               SET resolved_at = pg_catalog.now(),
                   resolution_note = $1 || 'the member is no longer inferred (its record arrived)'
             WHERE q.resolved_at IS NULL AND q.table_name = %1$L AND q.issue_type = 'inferred_member'
               AND q.record_id OPERATOR(pg_catalog.~) '^[0-9]{1,18}$'
               AND EXISTS (SELECT 1 FROM tracktik.%1$I AS d
                            WHERE d.%2$I = q.record_id::bigint AND NOT d.is_inferred)$sql$,
            v_dim.table_name, v_dim.id_column)
          USING v_note;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        v_resolved := v_resolved + v_n;
    END LOOP;

    -- shift records parsed by this batch's load
    IF pg_catalog.to_regclass('pg_temp.tt_shift_src') IS NOT NULL THEN
        UPDATE tracktik.data_quality_issues AS q
           SET resolved_at = pg_catalog.now(),
               resolution_note = v_note || 'the shift''s record was loaded again without this problem'
         WHERE q.resolved_at IS NULL AND q.table_name = 'fact_shifts'
           AND q.issue_type = ANY (v_shift_types)
           AND q.last_seen_batch_id IS DISTINCT FROM p_batch_id
           AND q.record_id IN (SELECT coalesce(s.shift_id::text, s.id_text) FROM pg_temp.tt_shift_src AS s);
        GET DIAGNOSTICS v_n = ROW_COUNT;
        v_resolved := v_resolved + v_n;
    END IF;

    -- bill settings read by this batch
    IF pg_catalog.to_regclass('pg_temp.tt_bill_settings_src') IS NOT NULL THEN
        UPDATE tracktik.data_quality_issues AS q
           SET resolved_at = pg_catalog.now(),
               resolution_note = v_note || 'the bill setting was read again without this problem'
         WHERE q.resolved_at IS NULL AND q.table_name = 'position_bill_settings'
           AND q.issue_type = ANY (v_rate_types)
           AND q.last_seen_batch_id IS DISTINCT FROM p_batch_id
           AND q.record_id IN (SELECT coalesce(b.setting_id::text, b.rec ->> 'id') FROM pg_temp.tt_bill_settings_src AS b);
        GET DIAGNOSTICS v_n = ROW_COUNT;
        v_resolved := v_resolved + v_n;
    END IF;

    RETURN pg_catalog.jsonb_build_object('resolved', v_resolved, 'time_zone_issues', v_zones);
END
$$;

COMMENT ON FUNCTION tracktik._resolve_data_quality_issues(uuid) IS
    'Internal (end of tracktik._process_batch): resolves the open data-quality issues of the records this batch evaluated again (staged dimension ids, parsed shift ids, read bill-setting ids) that it did not find again, inferred members that were filled, and invalid time zones of regions and sites that are now known (recording those still unknown); resolution_note names the batch. Returns {resolved, time_zone_issues}.';
