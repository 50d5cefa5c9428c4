-- tracktik._load_position_bill_settings(batch) -> counts: upserts the batch's TrackTik bill
-- settings (a post's effective-dated rate history) into tracktik.position_bill_settings.
--
-- Where they come from (each item exactly as the API returns it: id, positionBilling,
-- billingType, rate, effectiveDate, overtimeRateType, customOvertimeMultiplier1/2, ...):
--   * embedded: the items of billingSetting.billSettings of the batch's staged 'positions'
--     records (a bill setting has no position field: its post is the position record it is
--     embedded in); a billingSetting given as an id only carries no items;
--   * on their own: staged 'position-bill-settings' records; the post is positionBilling.position
--     when positionBilling is an object, else the post whose billing setting (that id) is in the
--     batch's positions records or in an already loaded setting.
-- effectiveDate is a Date: "YYYY-MM-DD" and "YYYY-MM-DDT00:00:00+00:00" are both read.
--
--   * an item without a valid id, rate or effectiveDate, or whose post cannot be determined, is
--     skipped with an error-severity missing_required_field issue (counted as failed); a
--     negative or implausible rate or multiplier likewise with invalid_rate (checked before
--     rounding: a rate rounding to 100,000,000.00 or a multiplier rounding to 1,000 does not
--     fit its column), an effectiveDate, updatedOn or modifiedOn outside 1900..2999 with
--     date_out_of_range; every issue once while open (ON CONFLICT DO NOTHING: found again, the
--     open one is marked seen by this batch);
--   * the same id twice in the batch: the latest updatedOn/modifiedOn wins;
--   * billing_type: billingType, else the billing setting's type, else HOURLY. Multipliers by
--     overtimeRateType: MULTIPLIER (or not given) customOvertimeMultiplier1/2, NO_PREMIUMS 1,
--     DEFAULT and RATE none (tracktik.settings defaults);
--   * overtimeRateType RATE: customOvertimeRate1 / customOvertimeRate2 are the hourly rates of
--     overtime / double-time hours (overtime_rate, double_time_rate; customOvertimeRate1 is
--     required, a missing one is missing_required_field);
--   * a setting that is not HOURLY is loaded but bills at no hourly rate
--     (tracktik._bill_rates_for: the post has no TrackTik rate while it is in force, so billing
--     stays empty): a warning unsupported_billing_type names the setting and the post (not
--     recorded again while the same one is open);
--   * an item stamped (updatedOn) after the batch started is loaded with a future_timestamp
--     warning and does not count for max_updated_on;
--   * a row whose content did not change is not rewritten;
--   * where the rate, type, multipliers, position or effective date changed, the pair (position,
--     earliest affected date) goes to pg_temp.tt_rate_changes, so that the shift load re-bills
--     the stored shifts of those positions from that date on.
-- Result: {"records", "embedded", "failed", "positions_rebilled", "unsupported", "max_updated_on"}
-- (records: every item read, embedded: those of them embedded in positions records)
-- (max_updated_on: the latest updatedOn of the accepted items, not later than the batch start,
-- for the position-bill-settings watermark).
CREATE OR REPLACE FUNCTION tracktik._load_position_bill_settings(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
AS $$
DECLARE
    v_records      integer;
    v_embedded     integer;
    v_failed       integer;
    v_changed      integer;
    v_unsupported  integer;
    v_mark         timestamptz;
    v_started_at   timestamptz;
BEGIN
    SELECT b.started_at INTO v_started_at FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id;
    DROP TABLE IF EXISTS pg_temp.tt_rate_changes;
    CREATE TEMPORARY TABLE tt_rate_changes (position_id bigint NOT NULL, from_date date NOT NULL) ON COMMIT DROP;

    DROP TABLE IF EXISTS pg_temp.tt_bill_settings_src;
    CREATE TEMPORARY TABLE tt_bill_settings_src ON COMMIT DROP AS
    SELECT s.*,
           CASE WHEN s.setting_id IS NULL OR s.position_id IS NULL OR s.rate IS NULL OR s.effective_date IS NULL
                  OR (s.ot_type = 'RATE' AND s.ot_rate IS NULL)
                THEN 'missing_required_field'
                -- range checks before anything is rounded or stored: bill_rate NUMERIC(10,2),
                -- multipliers NUMERIC(6,3) (a value that ROUNDS out of range counts)
                WHEN s.rate < 0 OR pg_catalog.round(s.rate, 2) >= 100000000
                  OR s.ot_mult < 1 OR s.dt_mult < 1
                  OR pg_catalog.round(s.ot_mult, 3) >= 1000 OR pg_catalog.round(s.dt_mult, 3) >= 1000
                  OR s.ot_rate < 0 OR s.dt_rate < 0
                  OR pg_catalog.round(s.ot_rate, 2) >= 100000000 OR pg_catalog.round(s.dt_rate, 2) >= 100000000 THEN 'invalid_rate'
                -- sane dates: effectiveDate and the stamps in 1900..2999
                WHEN s.effective_date < DATE '1900-01-01' OR s.effective_date >= DATE '3000-01-01'
                  OR s.stamp >= TIMESTAMPTZ '3000-01-01 00:00:00+00' OR s.updated_on < TIMESTAMPTZ '1900-01-01 00:00:00+00'
                  OR s.stamp < TIMESTAMPTZ '1900-01-01 00:00:00+00' THEN 'date_out_of_range' END AS problem,
           CASE WHEN s.billing_type <> 'HOURLY' THEN 'unsupported_billing_type' END AS unsupported,
           pg_catalog.row_number() OVER (PARTITION BY s.setting_id
                                         ORDER BY s.stamp DESC NULLS LAST, s.fetched_at DESC, s.src_tid DESC,
                                                  s.item_no DESC) AS dup_rank
      FROM (
        SELECT i.rec, i.fetched_at, i.src_tid, i.item_no, i.embedded,
               tracktik._json_id(i.rec -> 'id') AS setting_id,
               coalesce(i.post_id, pb.position_id, st.position_id) AS position_id,
               tracktik._json_numeric(i.rec -> 'rate') AS rate,
               tracktik._iso_date(i.rec ->> 'effectiveDate') AS effective_date,
               pg_catalog.upper(coalesce(nullif(i.rec ->> 'billingType', ''), nullif(i.parent_type, ''), 'HOURLY'))
                   AS billing_type,
               pg_catalog.upper(nullif(i.rec ->> 'overtimeRateType', '')) AS ot_type,
               CASE WHEN pg_catalog.upper(nullif(i.rec ->> 'overtimeRateType', '')) IS NULL
                      OR pg_catalog.upper(i.rec ->> 'overtimeRateType') = 'MULTIPLIER'
                    THEN tracktik._json_numeric(i.rec -> 'customOvertimeMultiplier1')
                    WHEN pg_catalog.upper(i.rec ->> 'overtimeRateType') = 'NO_PREMIUMS' THEN 1 END AS ot_mult,
               CASE WHEN pg_catalog.upper(nullif(i.rec ->> 'overtimeRateType', '')) IS NULL
                      OR pg_catalog.upper(i.rec ->> 'overtimeRateType') = 'MULTIPLIER'
                    THEN tracktik._json_numeric(i.rec -> 'customOvertimeMultiplier2')
                    WHEN pg_catalog.upper(i.rec ->> 'overtimeRateType') = 'NO_PREMIUMS' THEN 1 END AS dt_mult,
               CASE WHEN pg_catalog.upper(i.rec ->> 'overtimeRateType') = 'RATE'
                    THEN tracktik._json_numeric(i.rec -> 'customOvertimeRate1') END AS ot_rate,
               CASE WHEN pg_catalog.upper(i.rec ->> 'overtimeRateType') = 'RATE'
                    THEN tracktik._json_numeric(i.rec -> 'customOvertimeRate2') END AS dt_rate,
               CASE WHEN tracktik._is_iso_timestamptz(i.rec ->> 'updatedOn')
                    THEN (i.rec ->> 'updatedOn')::timestamptz END AS updated_on,
               GREATEST(CASE WHEN tracktik._is_iso_timestamptz(i.rec ->> 'updatedOn')
                             THEN (i.rec ->> 'updatedOn')::timestamptz END,
                        CASE WHEN tracktik._is_iso_timestamptz(i.rec ->> 'modifiedOn')
                             THEN (i.rec ->> 'modifiedOn')::timestamptz END) AS stamp
          FROM (
            -- embedded in the positions records: the post is the record's id
            SELECT e.item AS rec, a.fetched_at, a.ctid AS src_tid, e.n AS item_no, true AS embedded,
                   tracktik._json_id(a.record -> 'id') AS post_id,
                   a.record -> 'billingSetting' ->> 'type' AS parent_type,
                   NULL::bigint AS billing_id
              FROM staging.api_records AS a
             CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(a.record -> 'billingSetting' -> 'billSettings')
                                WITH ORDINALITY AS e(item, n)
             WHERE a.batch_id = p_batch_id AND a.resource = 'positions'
               AND pg_catalog.jsonb_typeof(a.record -> 'billingSetting') = 'object'
               AND pg_catalog.jsonb_typeof(a.record -> 'billingSetting' -> 'billSettings') = 'array'
            UNION ALL
            -- staged on their own: the post is positionBilling.position (when an object)
            SELECT a.record, a.fetched_at, a.ctid, 0, false,
                   CASE WHEN pg_catalog.jsonb_typeof(a.record -> 'positionBilling') = 'object'
                        THEN tracktik._json_id(a.record -> 'positionBilling' -> 'position') END,
                   CASE WHEN pg_catalog.jsonb_typeof(a.record -> 'positionBilling') = 'object'
                        THEN a.record -> 'positionBilling' ->> 'type' END,
                   tracktik._json_id(a.record -> 'positionBilling')
              FROM staging.api_records AS a
             WHERE a.batch_id = p_batch_id AND a.resource = 'position-bill-settings'
          ) AS i
          -- ... else the post whose billing setting that is: in this batch's positions records,
          -- or in a setting loaded before (embedded items name their positionBilling)
          LEFT JOIN LATERAL (
                SELECT tracktik._json_id(a.record -> 'id') AS position_id
                  FROM staging.api_records AS a
                 WHERE i.post_id IS NULL AND i.billing_id IS NOT NULL
                   AND a.batch_id = p_batch_id AND a.resource = 'positions'
                   AND pg_catalog.jsonb_typeof(a.record -> 'billingSetting') IN ('object', 'number', 'string')
                   AND tracktik._json_id(a.record -> 'billingSetting') = i.billing_id
                   AND tracktik._json_id(a.record -> 'id') IS NOT NULL
                 LIMIT 1) AS pb ON true
          LEFT JOIN LATERAL (
                SELECT o.position_id
                  FROM tracktik.position_bill_settings AS o
                 WHERE i.post_id IS NULL AND i.billing_id IS NOT NULL AND pb.position_id IS NULL
                   AND tracktik._json_id(o.raw_data -> 'positionBilling') = i.billing_id
                 ORDER BY o.updated_at DESC
                 LIMIT 1) AS st ON true
      ) AS s;

    SELECT count(*)::integer,
           count(*) FILTER (WHERE b.embedded)::integer,
           count(*) FILTER (WHERE b.problem IS NOT NULL AND (b.setting_id IS NULL OR b.dup_rank = 1))::integer,
           max(b.updated_on) FILTER (WHERE b.problem IS NULL AND b.dup_rank = 1 AND b.updated_on <= v_started_at)
      INTO v_records, v_embedded, v_failed, v_mark
      FROM pg_temp.tt_bill_settings_src AS b;

    -- issues: bad records (skipped)
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'position_bill_settings', coalesce(b.setting_id::text, b.rec ->> 'id'), b.problem, 'error',
           CASE WHEN b.problem = 'missing_required_field' THEN
                    pg_catalog.format('bill setting %s%s without %s; record skipped',
                        coalesce(b.setting_id::text, '(no id)'),
                        CASE WHEN b.embedded THEN ' embedded in position ' || coalesce(b.position_id::text, '(no id)')
                             ELSE '' END,
                        pg_catalog.concat_ws(', ',
                            CASE WHEN b.setting_id IS NULL THEN 'a valid id' END,
                            CASE WHEN b.position_id IS NULL THEN
                                 'a post (positionBilling.position, or a positionBilling known from a positions record)' END,
                            CASE WHEN b.rate IS NULL THEN 'a valid rate' END,
                            CASE WHEN b.effective_date IS NULL THEN 'a valid effectiveDate' END))
                WHEN b.problem = 'date_out_of_range' THEN
                    pg_catalog.format('bill setting %s of position %s with a date outside 1900..2999 (effectiveDate %s, updatedOn %s, modifiedOn %s); record skipped',
                                      b.setting_id, b.position_id, pg_catalog.left(b.rec ->> 'effectiveDate', 64),
                                      pg_catalog.left(b.rec ->> 'updatedOn', 64), pg_catalog.left(b.rec ->> 'modifiedOn', 64))
                ELSE pg_catalog.format('bill setting %s of position %s with a negative or implausible rate or multiplier (rate %s, customOvertimeMultiplier1 %s, customOvertimeMultiplier2 %s); record skipped',
                                       b.setting_id, b.position_id, pg_catalog.left(b.rate::text, 64),
                                       pg_catalog.left(b.ot_mult::text, 64), pg_catalog.left(b.dt_mult::text, 64)) END,
           pg_catalog.jsonb_build_object('record', b.rec, 'position_id', b.position_id,
                                         'source', CASE WHEN b.embedded THEN 'positions.billingSetting.billSettings'
                                                        ELSE 'position-bill-settings' END)
      FROM pg_temp.tt_bill_settings_src AS b
     WHERE b.problem IS NOT NULL AND (b.setting_id IS NULL OR b.dup_rank = 1)
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;

    -- issues: loaded, but not billed at an hourly rate (not again while the same one is open)
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'position_bill_settings', b.setting_id::text, b.unsupported, 'warning',
           CASE b.unsupported
               WHEN 'unsupported_billing_type' THEN
                   pg_catalog.format('bill setting %s of position %s has billingType %s: only HOURLY bills at an hourly rate, so the post has no TrackTik rate from %s while it is in force (billing left empty)',
                                     b.setting_id, b.position_id, pg_catalog.left(b.billing_type, 64), b.effective_date)
               ELSE pg_catalog.format('bill setting %s of position %s has overtimeRateType RATE (custom overtime rates): not supported, so the post has no TrackTik rate from %s while it is in force (billing left empty)',
                                      b.setting_id, b.position_id, b.effective_date) END,
           pg_catalog.jsonb_build_object('setting_id', b.setting_id, 'position_id', b.position_id,
                                         'billingType', b.billing_type, 'overtimeRateType', b.ot_type,
                                         'effectiveDate', b.effective_date, 'rate', b.rate)
      FROM pg_temp.tt_bill_settings_src AS b
     WHERE b.problem IS NULL AND b.dup_rank = 1 AND b.unsupported IS NOT NULL
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    GET DIAGNOSTICS v_unsupported = ROW_COUNT;

    -- issues: stamped after the batch started (loaded; the watermark ignores it)
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'position_bill_settings', b.setting_id::text, 'future_timestamp', 'warning',
           pg_catalog.format('bill setting %s of position %s has updatedOn %s, after the batch started (%s); loaded, but the watermark does not move to it',
                             b.setting_id, b.position_id, b.updated_on, v_started_at),
           pg_catalog.jsonb_build_object('updatedOn', b.rec -> 'updatedOn', 'batch_started_at', v_started_at)
      FROM pg_temp.tt_bill_settings_src AS b
     WHERE b.problem IS NULL AND b.dup_rank = 1 AND b.updated_on > v_started_at
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;

    -- upsert what changed; remember which positions need re-billing, from which date
    WITH good AS (
        SELECT b.* FROM pg_temp.tt_bill_settings_src AS b WHERE b.problem IS NULL AND b.dup_rank = 1
    ), changed AS (
        SELECT g.*, o.position_id AS old_position_id, o.effective_date AS old_effective_date,
               (o.setting_id IS NULL
                OR (o.position_id, o.bill_rate, o.billing_type, o.overtime_rate_type, o.effective_date,
                    o.overtime_multiplier, o.double_time_multiplier, o.overtime_rate, o.double_time_rate)
                   IS DISTINCT FROM
                   (g.position_id, pg_catalog.round(g.rate, 2), g.billing_type, g.ot_type, g.effective_date,
                    g.ot_mult, g.dt_mult, pg_catalog.round(g.ot_rate, 2), pg_catalog.round(g.dt_rate, 2))) AS rate_changed
          FROM good AS g
          LEFT JOIN tracktik.position_bill_settings AS o ON o.setting_id = g.setting_id
         WHERE o.setting_id IS NULL
            OR (o.position_id, o.bill_rate, o.billing_type, o.overtime_rate_type, o.effective_date,
                o.overtime_multiplier, o.double_time_multiplier, o.overtime_rate, o.double_time_rate,
                o.source_updated_on, o.raw_data)
               IS DISTINCT FROM
               (g.position_id, pg_catalog.round(g.rate, 2), g.billing_type, g.ot_type, g.effective_date,
                g.ot_mult, g.dt_mult, pg_catalog.round(g.ot_rate, 2), pg_catalog.round(g.dt_rate, 2), g.stamp, g.rec)
    ), written AS (
        INSERT INTO tracktik.position_bill_settings AS t
               (setting_id, position_id, bill_rate, billing_type, overtime_rate_type, effective_date,
                overtime_multiplier, double_time_multiplier, overtime_rate, double_time_rate,
                source_updated_on, raw_data, etl_batch_id)
        SELECT c.setting_id, c.position_id, pg_catalog.round(c.rate, 2), c.billing_type, c.ot_type, c.effective_date,
               c.ot_mult, c.dt_mult, pg_catalog.round(c.ot_rate, 2), pg_catalog.round(c.dt_rate, 2),
               c.stamp, c.rec, p_batch_id
          FROM changed AS c
        ON CONFLICT (setting_id) DO UPDATE
           SET position_id            = EXCLUDED.position_id,
               bill_rate              = EXCLUDED.bill_rate,
               billing_type           = EXCLUDED.billing_type,
               overtime_rate_type     = EXCLUDED.overtime_rate_type,
               effective_date         = EXCLUDED.effective_date,
               overtime_multiplier    = EXCLUDED.overtime_multiplier,
               double_time_multiplier = EXCLUDED.double_time_multiplier,
               overtime_rate          = EXCLUDED.overtime_rate,
               double_time_rate       = EXCLUDED.double_time_rate,
               source_updated_on      = EXCLUDED.source_updated_on,
               raw_data               = EXCLUDED.raw_data,
               etl_batch_id           = EXCLUDED.etl_batch_id,
               updated_at             = pg_catalog.now()
        RETURNING t.setting_id
    )
    INSERT INTO pg_temp.tt_rate_changes (position_id, from_date)
    SELECT c.position_id, c.effective_date FROM changed AS c WHERE c.rate_changed
    UNION
    SELECT c.old_position_id, c.old_effective_date FROM changed AS c WHERE c.rate_changed AND c.old_position_id IS NOT NULL;

    SELECT count(DISTINCT r.position_id)::integer INTO v_changed FROM pg_temp.tt_rate_changes AS r;
    RETURN pg_catalog.jsonb_build_object('records', v_records, 'embedded', v_embedded, 'failed', v_failed,
                                         'positions_rebilled', v_changed,
                                         'unsupported', v_unsupported, 'max_updated_on', v_mark);
END
$$;

COMMENT ON FUNCTION tracktik._load_position_bill_settings(uuid) IS
    'Internal: upserts the batch''s TrackTik bill settings (the billingSetting.billSettings embedded in staged positions records, post = the position; and staged position-bill-settings records, post = positionBilling.position) into tracktik.position_bill_settings: bad items skipped with an issue, latest updatedOn wins, non-HOURLY settings loaded with an unsupported_billing_type warning and never billed at an hourly rate; overtimeRateType RATE keeps customOvertimeRate1/2 as the overtime / double-time rates; positions whose rate changed go to pg_temp.tt_rate_changes for re-billing. Returns {records, embedded, failed, positions_rebilled, unsupported, max_updated_on}.';
