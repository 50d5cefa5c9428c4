-- tracktik._load_position_bill_settings(batch) -> counts: upserts the batch's staged
-- 'position-bill-settings' records {id, position, rate, effectiveDate,
-- customOvertimeMultiplier1/2} into tracktik.position_bill_settings.
--
--   * a record without a valid id, position, rate or effectiveDate is skipped with an
--     error-severity missing_required_field issue (counted as failed);
--   * the same id twice in the batch: the latest updatedOn/modifiedOn wins;
--   * a row whose content did not change is not rewritten;
--   * where the rate, multipliers, position or effective date changed, the pair (position,
--     earliest affected date) goes to pg_temp.tt_rate_changes, so that the shift load re-bills
--     the stored shifts of those positions from that date on.
-- Result: {"records", "failed", "changed"}.
CREATE OR REPLACE FUNCTION tracktik._load_position_bill_settings(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '64MB'
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
AS $$
DECLARE
    v_records  integer;
    v_failed   integer;
    v_changed  integer;
BEGIN
    DROP TABLE IF EXISTS pg_temp.tt_rate_changes;
    CREATE TEMPORARY TABLE tt_rate_changes (position_id bigint NOT NULL, from_date date NOT NULL) ON COMMIT DROP;

    DROP TABLE IF EXISTS pg_temp.tt_bill_settings_src;
    CREATE TEMPORARY TABLE tt_bill_settings_src ON COMMIT DROP AS
    SELECT s.*,
           CASE WHEN s.setting_id IS NULL OR s.position_id IS NULL OR s.rate IS NULL OR s.effective_date IS NULL
                THEN 'missing_required_field'
                WHEN s.rate < 0 OR s.rate >= 100000000 OR s.ot_mult < 1 OR s.dt_mult < 1 THEN 'invalid_rate' END AS problem,
           pg_catalog.row_number() OVER (PARTITION BY s.setting_id
                                         ORDER BY s.stamp DESC NULLS LAST, s.fetched_at DESC, s.src_tid DESC) AS dup_rank
      FROM (
        SELECT a.record AS rec, a.fetched_at, a.ctid AS src_tid,
               tracktik._json_id(a.record -> 'id') AS setting_id,
               tracktik._json_id(a.record -> 'position') AS position_id,
               tracktik._json_numeric(a.record -> 'rate') AS rate,
               tracktik._iso_date(a.record ->> 'effectiveDate') AS effective_date,
               tracktik._json_numeric(a.record -> 'customOvertimeMultiplier1') AS ot_mult,
               tracktik._json_numeric(a.record -> 'customOvertimeMultiplier2') AS dt_mult,
               GREATEST(CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'updatedOn')
                             THEN (a.record ->> 'updatedOn')::timestamptz END,
                        CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'modifiedOn')
                             THEN (a.record ->> 'modifiedOn')::timestamptz END) AS stamp
          FROM staging.api_records AS a
         WHERE a.batch_id = p_batch_id AND a.resource = 'position-bill-settings'
      ) AS s;

    SELECT count(*)::integer,
           count(*) FILTER (WHERE b.problem IS NOT NULL AND (b.setting_id IS NULL OR b.dup_rank = 1))::integer
      INTO v_records, v_failed
      FROM pg_temp.tt_bill_settings_src AS b;

    -- issues: bad records (skipped)
    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'position_bill_settings', coalesce(b.setting_id::text, b.rec ->> 'id'), b.problem, 'error',
           CASE b.problem
               WHEN 'missing_required_field' THEN 'position-bill-setting without a valid id, position, rate or effectiveDate; record skipped'
               ELSE 'position-bill-setting with a negative or implausible rate or multiplier; record skipped' END,
           b.rec
      FROM pg_temp.tt_bill_settings_src AS b
     WHERE b.problem IS NOT NULL AND (b.setting_id IS NULL OR b.dup_rank = 1);

    -- upsert what changed; remember which positions need re-billing, from which date
    WITH good AS (
        SELECT b.* FROM pg_temp.tt_bill_settings_src AS b WHERE b.problem IS NULL AND b.dup_rank = 1
    ), changed AS (
        SELECT g.*, o.position_id AS old_position_id, o.effective_date AS old_effective_date,
               (o.setting_id IS NULL
                OR (o.position_id, o.bill_rate, o.effective_date, o.overtime_multiplier, o.double_time_multiplier)
                   IS DISTINCT FROM
                   (g.position_id, pg_catalog.round(g.rate, 2), g.effective_date, g.ot_mult, g.dt_mult)) AS rate_changed
          FROM good AS g
          LEFT JOIN tracktik.position_bill_settings AS o ON o.setting_id = g.setting_id
         WHERE o.setting_id IS NULL
            OR (o.position_id, o.bill_rate, o.effective_date, o.overtime_multiplier, o.double_time_multiplier,
                o.source_updated_on, o.raw_data)
               IS DISTINCT FROM
               (g.position_id, pg_catalog.round(g.rate, 2), g.effective_date, g.ot_mult, g.dt_mult, g.stamp, g.rec)
    ), written AS (
        INSERT INTO tracktik.position_bill_settings AS t
               (setting_id, position_id, bill_rate, effective_date, overtime_multiplier, double_time_multiplier,
                source_updated_on, raw_data, etl_batch_id)
        SELECT c.setting_id, c.position_id, pg_catalog.round(c.rate, 2), c.effective_date, c.ot_mult, c.dt_mult,
               c.stamp, c.rec, p_batch_id
          FROM changed AS c
        ON CONFLICT (setting_id) DO UPDATE
           SET position_id            = EXCLUDED.position_id,
               bill_rate              = EXCLUDED.bill_rate,
               effective_date         = EXCLUDED.effective_date,
               overtime_multiplier    = EXCLUDED.overtime_multiplier,
               double_time_multiplier = EXCLUDED.double_time_multiplier,
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
    RETURN pg_catalog.jsonb_build_object('records', v_records, 'failed', v_failed, 'positions_rebilled', v_changed);
END
$$;

COMMENT ON FUNCTION tracktik._load_position_bill_settings(uuid) IS
    'Internal: upserts the batch''s staged TrackTik position-bill-settings into tracktik.position_bill_settings (bad records skipped with an issue, latest updatedOn wins); positions whose rate changed go to pg_temp.tt_rate_changes for re-billing.';
