-- tracktik._apply_config_versions(batch, table, key column, attribute columns, absent scope)
-- -> {"opened", "closed", "blocked"}: writes the versions of one tracktik.api_* configuration
-- table (docs/billing.md, "TrackTik's billing configuration") from pg_temp.tt_cfg_src, which has
-- the key column, the attribute columns, raw_data, staged (the record was in this batch) and gone
-- (the object no longer exists: close it) -- one row per key.
--
--   * a key without a current version opens one: valid from -infinity when the key never had a
--     version (a shift older than the first load bills with it), else from the batch's
--     started_at;
--   * a key whose attributes differ from its current version closes it at the batch's
--     started_at and opens a new one (a version opened at that same instant, by an earlier batch
--     of the same transaction, is updated in place instead);
--   * gone keys, and with p_absent_scope (an SQL condition on the current row t) the current
--     rows in that scope whose key is not among the staged rows, are closed without successor
--     -- unless they are more than settings.full_sync_max_close_share of the current rows in
--     scope and at least settings.full_sync_min_close_count: then none is closed and an error
--     blocked_mass_delete issue is recorded (the same circuit breaker as the dimensions);
--   * every key opened or closed goes to pg_temp.tt_cfg_changed (tbl, key, first) for re-billing.
CREATE OR REPLACE FUNCTION tracktik._apply_config_versions(
    p_batch_id uuid, p_table text, p_key text, p_cols text[], p_absent_scope text)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET client_min_messages = warning
AS $$
DECLARE
    v_at       timestamptz;
    v_share    numeric;
    v_min      integer;
    v_cols     text;
    v_s_cols   text;
    v_t_cols   text;
    v_set      text;
    v_absent   integer := 0;
    v_current  integer := 0;
    v_blocked  boolean := false;
    v_opened   integer := 0;
    v_closed   integer := 0;
BEGIN
    SELECT b.started_at INTO v_at FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id;
    SELECT s.full_sync_max_close_share, s.full_sync_min_close_count INTO v_share, v_min FROM tracktik.settings AS s;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c), ', '),
           pg_catalog.string_agg('s.' || pg_catalog.quote_ident(c), ', '),
           pg_catalog.string_agg('t.' || pg_catalog.quote_ident(c), ', '),
           pg_catalog.string_agg(pg_catalog.format('%1$I = s.%1$I', c), ', ')
      INTO v_cols, v_s_cols, v_t_cols, v_set
      FROM pg_catalog.unnest(p_cols) AS c;

    DROP TABLE IF EXISTS pg_temp.tt_cfg_diff;
    EXECUTE pg_catalog.format($q$
        CREATE TEMPORARY TABLE tt_cfg_diff ON COMMIT DROP AS
        SELECT s.%1$I AS key, s.gone, t.valid_from AS cur_from,
               EXISTS (SELECT 1 FROM tracktik.%2$I AS e WHERE e.%1$I = s.%1$I) AS ever
          FROM pg_temp.tt_cfg_src AS s
          LEFT JOIN tracktik.%2$I AS t ON t.%1$I = s.%1$I AND t.valid_to IS NULL
         WHERE (s.gone AND t.%1$I IS NOT NULL)
            OR (NOT s.gone AND (t.%1$I IS NULL OR (%3$s) IS DISTINCT FROM (%4$s)))$q$,
        p_key, p_table, v_t_cols, v_s_cols);

    IF p_absent_scope IS NOT NULL THEN
        EXECUTE pg_catalog.format($q$
            SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM pg_temp.tt_cfg_src AS s
                                                       WHERE s.%1$I = t.%1$I AND s.staged)),
                   count(*)
              FROM tracktik.%2$I AS t WHERE t.valid_to IS NULL AND (%3$s)$q$,
            p_key, p_table, p_absent_scope) INTO v_absent, v_current;
        IF v_absent > 0 AND v_absent >= v_min AND v_absent > v_share * v_current THEN
            v_blocked := true;
            INSERT INTO tracktik.data_quality_issues
                   (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
            VALUES (p_batch_id, p_table, NULL, 'blocked_mass_delete', 'error',
                    pg_catalog.format('full sync would close %s of %s current %s rows (more than %s%%): none closed',
                                      v_absent, v_current, p_table, pg_catalog.round(v_share * 100, 2)),
                    pg_catalog.jsonb_build_object('absent', v_absent, 'current', v_current))
            ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
        ELSIF v_absent > 0 THEN
            -- absent keys that the source still carries unstaged (a snapshot refresh) go too
            EXECUTE pg_catalog.format($q$
                UPDATE pg_temp.tt_cfg_diff AS d SET gone = true
                 WHERE EXISTS (SELECT 1 FROM tracktik.%2$I AS t
                                WHERE t.%1$I = d.key AND t.valid_to IS NULL AND (%3$s))
                   AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_cfg_src AS s WHERE s.%1$I = d.key AND s.staged)$q$,
                p_key, p_table, p_absent_scope);
            EXECUTE pg_catalog.format($q$
                INSERT INTO pg_temp.tt_cfg_diff (key, gone, cur_from, ever)
                SELECT t.%1$I, true, t.valid_from, true
                  FROM tracktik.%2$I AS t
                 WHERE t.valid_to IS NULL AND (%3$s)
                   AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_cfg_src AS s WHERE s.%1$I = t.%1$I AND s.staged)
                   AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_cfg_diff AS d WHERE d.key = t.%1$I)$q$,
                p_key, p_table, p_absent_scope);
        END IF;
    END IF;

    -- gone: close (a version opened at this very instant never applied: removed)
    EXECUTE pg_catalog.format($q$
        DELETE FROM tracktik.%2$I AS t USING pg_temp.tt_cfg_diff AS d
         WHERE d.gone AND t.%1$I = d.key AND t.valid_to IS NULL AND t.valid_from >= $1$q$, p_key, p_table)
      USING v_at;
    EXECUTE pg_catalog.format($q$
        UPDATE tracktik.%2$I AS t SET valid_to = $1, closed_batch_id = $2
          FROM pg_temp.tt_cfg_diff AS d
         WHERE t.%1$I = d.key AND t.valid_to IS NULL AND t.valid_from < $1
           AND (d.gone OR d.cur_from IS NOT NULL)$q$, p_key, p_table)
      USING v_at, p_batch_id;
    GET DIAGNOSTICS v_closed = ROW_COUNT;
    -- changed at the instant its current version was opened: in place
    EXECUTE pg_catalog.format($q$
        UPDATE tracktik.%2$I AS t SET %3$s, raw_data = s.raw_data, batch_id = $2
          FROM pg_temp.tt_cfg_diff AS d JOIN pg_temp.tt_cfg_src AS s ON s.%1$I = d.key
         WHERE NOT d.gone AND t.%1$I = d.key AND t.valid_to IS NULL AND t.valid_from >= $1$q$,
        p_key, p_table, v_set)
      USING v_at, p_batch_id;
    -- new versions
    EXECUTE pg_catalog.format($q$
        INSERT INTO tracktik.%2$I (%1$I, valid_from, %3$s, raw_data, batch_id)
        SELECT s.%1$I, CASE WHEN d.ever THEN $1 ELSE '-infinity'::timestamptz END, %4$s, s.raw_data, $2
          FROM pg_temp.tt_cfg_diff AS d JOIN pg_temp.tt_cfg_src AS s ON s.%1$I = d.key
         WHERE NOT d.gone
           AND NOT EXISTS (SELECT 1 FROM tracktik.%2$I AS t WHERE t.%1$I = d.key AND t.valid_to IS NULL)$q$,
        p_key, p_table, v_cols, v_s_cols)
      USING v_at, p_batch_id;
    GET DIAGNOSTICS v_opened = ROW_COUNT;

    INSERT INTO pg_temp.tt_cfg_changed (tbl, key, first)
    SELECT p_table, d.key, NOT d.ever FROM pg_temp.tt_cfg_diff AS d;

    RETURN pg_catalog.jsonb_build_object('opened', v_opened, 'closed', v_closed, 'blocked', v_blocked);
END
$$;

COMMENT ON FUNCTION tracktik._apply_config_versions(uuid, text, text, text[], text) IS
    'Internal (tracktik._load_billing_configuration): writes the versions of one tracktik.api_* configuration table from pg_temp.tt_cfg_src (new, changed, gone and, within a scope, absent keys; batch time; mass-close circuit breaker) and lists the keys it opened or closed in pg_temp.tt_cfg_changed.';


-- tracktik._load_billing_configuration(batch) -> counts: loads TrackTik's billing configuration
-- staged in the batch (records exactly as the API returns them) into the versioned tables
-- tracktik.api_position_billing, api_overtime_rule_items, api_overtime_rules, api_holidays,
-- api_holiday_dates and api_holiday_groups, and queues the posts whose configuration changed
-- for re-billing (pg_temp.tt_rate_changes, created by tracktik._load_position_bill_settings).
--
--   positions          billingSetting as an object: the post's setting (a new version when a
--                      field the engine reads changed); JSON null: the post has none (its
--                      current version is closed); an id only says nothing
--   overtime-rules     BILLING rules (ruleType absent counts as BILLING, PAYROLL rules are
--                      ignored); a rule's version carries the snapshot of its current items
--   overtime-rule-items  items of the staged rules
--   holiday-groups, holidays (groups: the groups the holiday belongs to), holiday-dates
--                      a group's version carries the snapshot of its dates: every current
--                      holiday date whose holiday lists the group
--
-- A record without a valid id or a required field, or with a value outside its enumeration or
-- range, is skipped (the previous version stays) with an error missing_required_field /
-- invalid_field_value issue (table_name the api_* table, record_id its id; once while open;
-- resolved by the next batch that reads the id and finds it good). The same id twice in the
-- batch: the latest updatedOn, then the latest fetched wins. Fully synced resources
-- (full_sync_resources of the batch) close what they no longer return, under the circuit
-- breaker (tracktik._apply_config_versions).
--
-- Re-billing: a post whose setting changed, and the posts whose setting names a rule or a
-- holiday group that changed, go to pg_temp.tt_rate_changes from the day before the batch
-- started (a first version: from 1900-01-01, every stored shift).
-- Result: {"positions", "overtime_rules", "overtime_rule_items", "holiday_groups", "holidays",
-- "holiday_dates", "failed", "posts_rebilled"}.
CREATE OR REPLACE FUNCTION tracktik._load_billing_configuration(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET client_min_messages = warning
AS $$
DECLARE
    v_at          timestamptz;
    v_full        text[];
    v_result      jsonb := '{}';
    v_failed      integer := 0;
    v_rebilled    integer := 0;
    v_any_holiday boolean;
BEGIN
    SELECT b.started_at, coalesce(b.full_sync_resources, '{}') INTO v_at, v_full
      FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id;

    IF pg_catalog.to_regclass('pg_temp.tt_rate_changes') IS NULL THEN
        CREATE TEMPORARY TABLE tt_rate_changes (position_id bigint NOT NULL, from_date date NOT NULL) ON COMMIT DROP;
    END IF;
    DROP TABLE IF EXISTS pg_temp.tt_cfg_changed;
    CREATE TEMPORARY TABLE tt_cfg_changed (tbl text NOT NULL, key bigint NOT NULL, first boolean NOT NULL) ON COMMIT DROP;

    -- every staged record of a configuration resource, parsed once -------------------------------
    DROP TABLE IF EXISTS pg_temp.tt_cfg_rec;
    CREATE TEMPORARY TABLE tt_cfg_rec ON COMMIT DROP AS
    SELECT r.*,
           pg_catalog.row_number() OVER (PARTITION BY r.resource, r.id
                                         ORDER BY r.stamp DESC NULLS LAST, r.fetched_at DESC, r.src_tid DESC) AS dup_rank
      FROM (
        SELECT a.resource, a.ctid AS src_tid, a.fetched_at,
               CASE WHEN a.resource = 'positions' THEN a.record -> 'billingSetting' ELSE a.record END AS rec,
               tracktik._json_id(a.record -> 'id') AS id,
               CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'updatedOn')
                    THEN (a.record ->> 'updatedOn')::timestamptz END AS stamp
          FROM staging.api_records AS a
         WHERE a.batch_id = p_batch_id
           AND (a.resource IN ('overtime-rules', 'overtime-rule-items', 'holiday-groups', 'holidays', 'holiday-dates')
                OR (a.resource = 'positions' AND pg_catalog.jsonb_typeof(a.record -> 'billingSetting') IN ('object', 'null')))
      ) AS r;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.tt_cfg_rec)
       AND NOT (v_full && ARRAY['overtime-rules', 'overtime-rule-items', 'holiday-groups', 'holidays', 'holiday-dates']) THEN
        RETURN pg_catalog.jsonb_build_object('failed', 0, 'posts_rebilled', 0);
    END IF;

    -- typed fields and problems ------------------------------------------------------------------
    DROP TABLE IF EXISTS pg_temp.tt_cfg_parsed;
    CREATE TEMPORARY TABLE tt_cfg_parsed ON COMMIT DROP AS
    SELECT p.*,
           CASE WHEN p.id IS NULL THEN 'missing_required_field'
                WHEN p.resource = 'positions' THEN
                     CASE WHEN p.rec IS NULL OR pg_catalog.jsonb_typeof(p.rec) = 'null' THEN NULL
                          WHEN p.num_bad OR p.rate < 0 OR p.rate >= 100000000 OR p.holiday_rate < 0 OR p.holiday_rate >= 100000000
                            OR p.discount_rate < 0 OR p.discount_rate > 100 OR p.multiplier < 1 OR p.multiplier >= 1000
                            OR p.bill_breaks NOT IN ('NONE', 'ALL', 'REST_ONLY', 'MEAL_ONLY')
                            OR p.holiday_treatment NOT IN ('REGULAR', 'RATE') THEN 'invalid_field_value' END
                WHEN p.resource = 'overtime-rules' THEN
                     CASE WHEN p.kind IS NULL THEN 'missing_required_field'
                          WHEN p.kind NOT IN ('WEEKLY', 'BI-WEEKLY') OR p.method NOT IN ('SEQUENTIAL', 'BEST_OF') THEN 'invalid_field_value' END
                WHEN p.resource = 'overtime-rule-items' THEN
                     CASE WHEN p.ref_id IS NULL OR p.kind IS NULL OR p.threshold IS NULL
                            OR (p.rate_type = 'MULTIPLIER' AND p.multiplier IS NULL)
                            OR (p.rate_type = 'RATE' AND p.rate IS NULL) THEN 'missing_required_field'
                          WHEN p.num_bad OR p.kind NOT IN ('DAILY', 'CONSECUTIVE_DAYS', 'DAY_SPECIFIC', 'PERIOD', 'HOLIDAY')
                            OR p.rate_type NOT IN ('MULTIPLIER', 'RATE') OR p.threshold < 0 OR p.threshold >= 1000000
                            OR (p.kind = 'DAY_SPECIFIC' AND (p.threshold NOT IN (1, 2, 3, 4, 5, 6, 7)))
                            OR p.multiplier < 1 OR p.multiplier >= 1000 OR p.rate < 0 OR p.rate >= 100000000 THEN 'invalid_field_value' END
                WHEN p.resource = 'holiday-dates' THEN
                     CASE WHEN p.ref_id IS NULL OR p.holiday_date IS NULL THEN 'missing_required_field'
                          WHEN p.holiday_date < DATE '1900-01-01' OR p.holiday_date >= DATE '3000-01-01' THEN 'invalid_field_value' END
           END AS problem
      FROM (
        SELECT c.*,
               CASE c.resource WHEN 'overtime-rules' THEN pg_catalog.upper(nullif(c.rec ->> 'periodLength', ''))
                               WHEN 'overtime-rule-items' THEN pg_catalog.upper(nullif(c.rec ->> 'ruleType', '')) END AS kind,
               CASE WHEN c.resource = 'overtime-rules' THEN pg_catalog.upper(coalesce(nullif(c.rec ->> 'method', ''), 'SEQUENTIAL')) END AS method,
               CASE WHEN c.resource = 'overtime-rules' THEN pg_catalog.upper(coalesce(nullif(c.rec ->> 'ruleType', ''), 'BILLING')) END AS rule_type,
               CASE WHEN c.resource = 'overtime-rule-items' THEN pg_catalog.upper(coalesce(nullif(c.rec ->> 'rateType', ''), 'MULTIPLIER')) END AS rate_type,
               CASE c.resource WHEN 'overtime-rule-items' THEN tracktik._json_id(c.rec -> 'overtimeRule')
                               WHEN 'holiday-dates' THEN tracktik._json_id(c.rec -> 'holiday') END AS ref_id,
               CASE WHEN c.resource = 'overtime-rule-items' THEN tracktik._json_numeric(c.rec -> 'threshold') END AS threshold,
               CASE c.resource WHEN 'overtime-rule-items' THEN tracktik._json_numeric(c.rec -> 'rateMultiplier')
                               WHEN 'positions' THEN tracktik._json_numeric(c.rec -> 'holidayMultiplier') END AS multiplier,
               CASE c.resource WHEN 'overtime-rule-items' THEN tracktik._json_numeric(c.rec -> 'rateAmount')
                               WHEN 'positions' THEN tracktik._json_numeric(c.rec -> 'rate') END AS rate,
               CASE WHEN c.resource = 'positions' THEN tracktik._json_numeric(c.rec -> 'holidayRate') END AS holiday_rate,
               CASE WHEN c.resource = 'positions' THEN coalesce(tracktik._json_numeric(c.rec -> 'discountRate'), 0) END AS discount_rate,
               CASE WHEN c.resource = 'positions' THEN pg_catalog.upper(coalesce(nullif(c.rec ->> 'billBreaks', ''), 'NONE')) END AS bill_breaks,
               CASE WHEN c.resource = 'positions' THEN pg_catalog.upper(coalesce(nullif(c.rec ->> 'holiday', ''), 'REGULAR')) END AS holiday_treatment,
               CASE WHEN c.resource = 'positions' THEN pg_catalog.upper(coalesce(nullif(c.rec ->> 'type', ''), 'HOURLY')) END AS billing_type,
               CASE WHEN c.resource = 'holiday-dates' THEN tracktik._iso_date(c.rec ->> 'holidayDate') END AS holiday_date,
               -- a numeric field given (not null) that is not a number
               EXISTS (SELECT 1 FROM pg_catalog.unnest(CASE c.resource
                                    WHEN 'positions' THEN ARRAY['rate', 'discountRate', 'holidayRate', 'holidayMultiplier']
                                    WHEN 'overtime-rule-items' THEN ARRAY['threshold', 'rateMultiplier', 'rateAmount']
                                    ELSE ARRAY[]::text[] END) AS f(name)
                        WHERE pg_catalog.jsonb_typeof(c.rec) = 'object'
                          AND pg_catalog.jsonb_typeof(c.rec -> f.name) NOT IN ('null')
                          AND tracktik._json_numeric(c.rec -> f.name) IS NULL) AS num_bad
          FROM pg_temp.tt_cfg_rec AS c
         WHERE c.dup_rank = 1
      ) AS p;

    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, t.tbl, coalesce(p.id::text, p.rec ->> 'id'), p.problem, 'error',
           pg_catalog.format('%s record %s%s: %s; record skipped (the previous version, if any, stays)',
                             p.resource, coalesce(p.id::text, '(no id)'),
                             CASE WHEN p.resource = 'positions' THEN ' (billingSetting)' ELSE '' END,
                             CASE p.problem WHEN 'missing_required_field' THEN 'a required field is missing or not a valid id/number/date'
                                            ELSE 'a value is outside its enumeration or range' END),
           pg_catalog.jsonb_build_object('record', p.rec, 'resource', p.resource)
      FROM pg_temp.tt_cfg_parsed AS p
      JOIN (VALUES ('positions', 'api_position_billing'), ('overtime-rules', 'api_overtime_rules'),
                   ('overtime-rule-items', 'api_overtime_rule_items'), ('holiday-groups', 'api_holiday_groups'),
                   ('holidays', 'api_holidays'), ('holiday-dates', 'api_holiday_dates')) AS t(resource, tbl)
        ON t.resource = p.resource
     WHERE p.problem IS NOT NULL
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    SELECT count(*)::integer INTO v_failed FROM pg_temp.tt_cfg_parsed AS p WHERE p.problem IS NOT NULL;

    -- resolved: ids read again and good
    UPDATE tracktik.data_quality_issues AS q
       SET resolved_at = pg_catalog.now(),
           resolution_note = pg_catalog.format('resolved by batch %s: the record loads cleanly', p_batch_id)
      FROM pg_temp.tt_cfg_parsed AS p
      JOIN (VALUES ('positions', 'api_position_billing'), ('overtime-rules', 'api_overtime_rules'),
                   ('overtime-rule-items', 'api_overtime_rule_items'), ('holiday-groups', 'api_holiday_groups'),
                   ('holidays', 'api_holidays'), ('holiday-dates', 'api_holiday_dates')) AS t(resource, tbl)
        ON t.resource = p.resource
     WHERE q.resolved_at IS NULL AND q.table_name = t.tbl AND q.record_id = p.id::text
       AND q.issue_type IN ('missing_required_field', 'invalid_field_value')
       AND p.problem IS NULL;

    -- 1. posts' billing settings --------------------------------------------------------------
    DROP TABLE IF EXISTS pg_temp.tt_cfg_src;
    CREATE TEMPORARY TABLE tt_cfg_src ON COMMIT DROP AS
    SELECT p.id AS position_id,
           tracktik._json_id(p.rec -> 'id') AS billing_setting_id,
           p.billing_type, pg_catalog.round(p.rate, 2)::numeric(10,2) AS rate,
           pg_catalog.round(p.discount_rate, 3)::numeric(6,3) AS discount_rate,
           tracktik._json_id(p.rec -> 'holidayGroup') AS holiday_group_id,
           p.bill_breaks, p.holiday_treatment,
           pg_catalog.round(p.holiday_rate, 2)::numeric(10,2) AS holiday_rate,
           pg_catalog.round(p.multiplier, 3)::numeric(6,3) AS holiday_multiplier,
           tracktik._json_id(p.rec -> 'overtimeRule') AS overtime_rule_id,
           tracktik._json_id(p.rec -> 'effectiveBillSettingId') AS effective_bill_setting_id,
           coalesce(p.rec - 'billSettings', 'null'::jsonb) AS raw_data,
           true AS staged,
           (p.rec IS NULL OR pg_catalog.jsonb_typeof(p.rec) = 'null') AS gone
      FROM pg_temp.tt_cfg_parsed AS p
     WHERE p.resource = 'positions' AND p.problem IS NULL;
    v_result := v_result || pg_catalog.jsonb_build_object('positions', tracktik._apply_config_versions(
        p_batch_id, 'api_position_billing', 'position_id',
        ARRAY['billing_setting_id', 'billing_type', 'rate', 'discount_rate', 'holiday_group_id', 'bill_breaks',
              'holiday_treatment', 'holiday_rate', 'holiday_multiplier', 'overtime_rule_id', 'effective_bill_setting_id'],
        NULL));

    -- 2. overtime rule items -------------------------------------------------------------------
    DROP TABLE IF EXISTS pg_temp.tt_cfg_src;
    CREATE TEMPORARY TABLE tt_cfg_src ON COMMIT DROP AS
    SELECT p.id AS item_id, p.ref_id AS overtime_rule_id, p.kind AS rule_type, p.rate_type,
           pg_catalog.round(p.threshold, 2)::numeric(8,2) AS threshold,
           pg_catalog.round(p.multiplier, 3)::numeric(6,3) AS rate_multiplier,
           pg_catalog.round(p.rate, 2)::numeric(10,2) AS rate_amount,
           p.rec AS raw_data, true AS staged, false AS gone
      FROM pg_temp.tt_cfg_parsed AS p
     WHERE p.resource = 'overtime-rule-items' AND p.problem IS NULL;
    v_result := v_result || pg_catalog.jsonb_build_object('overtime_rule_items', tracktik._apply_config_versions(
        p_batch_id, 'api_overtime_rule_items', 'item_id',
        ARRAY['overtime_rule_id', 'rule_type', 'rate_type', 'threshold', 'rate_multiplier', 'rate_amount'],
        CASE WHEN 'overtime-rule-items' = ANY (v_full) THEN 'true' END));

    -- 3. overtime rules, with the snapshot of their current items ---------------------------------
    DROP TABLE IF EXISTS pg_temp.tt_cfg_src;
    CREATE TEMPORARY TABLE tt_cfg_src ON COMMIT DROP AS
    WITH staged AS (
        SELECT p.id AS overtime_rule_id, nullif(p.rec ->> 'name', '') AS name, p.kind AS period_length,
               p.rule_type, p.method, p.rec AS raw_data
          FROM pg_temp.tt_cfg_parsed AS p
         WHERE p.resource = 'overtime-rules' AND p.problem IS NULL AND p.rule_type = 'BILLING'
    ), touched AS (   -- current rules not staged whose items changed
        SELECT r.overtime_rule_id, r.name, r.period_length, r.rule_type, r.method, r.raw_data
          FROM tracktik.api_overtime_rules AS r
         WHERE r.valid_to IS NULL
           AND r.overtime_rule_id IN (SELECT i.overtime_rule_id FROM tracktik.api_overtime_rule_items AS i
                                       JOIN pg_temp.tt_cfg_changed AS c ON c.tbl = 'api_overtime_rule_items' AND c.key = i.item_id)
           AND r.overtime_rule_id NOT IN (SELECT s.overtime_rule_id FROM staged AS s)
    )
    SELECT u.overtime_rule_id, u.name, u.period_length, u.rule_type, u.method,
           coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                'item_id', i.item_id, 'rule_type', i.rule_type, 'rate_type', i.rate_type,
                                'threshold', i.threshold, 'rate_multiplier', i.rate_multiplier, 'rate_amount', i.rate_amount)
                            ORDER BY i.rule_type, i.threshold, i.item_id)
                       FROM tracktik.api_overtime_rule_items AS i
                      WHERE i.overtime_rule_id = u.overtime_rule_id AND i.valid_to IS NULL), '[]'::jsonb) AS items,
           u.raw_data, u.staged, false AS gone
      FROM (SELECT s.*, true AS staged FROM staged AS s
            UNION ALL SELECT t.*, false FROM touched AS t) AS u;
    v_result := v_result || pg_catalog.jsonb_build_object('overtime_rules', tracktik._apply_config_versions(
        p_batch_id, 'api_overtime_rules', 'overtime_rule_id',
        ARRAY['name', 'period_length', 'rule_type', 'method', 'items'],
        CASE WHEN 'overtime-rules' = ANY (v_full) THEN 'true' END));

    -- 4. holidays ------------------------------------------------------------------------------
    DROP TABLE IF EXISTS pg_temp.tt_cfg_src;
    CREATE TEMPORARY TABLE tt_cfg_src ON COMMIT DROP AS
    SELECT p.id AS holiday_id, nullif(p.rec ->> 'label', '') AS label, nullif(p.rec ->> 'code', '') AS code,
           tracktik._json_id(p.rec -> 'region') AS region_id,
           CASE WHEN pg_catalog.jsonb_typeof(p.rec -> 'groups') = 'array'
                THEN ARRAY(SELECT DISTINCT tracktik._json_id(g.value)
                             FROM pg_catalog.jsonb_array_elements(p.rec -> 'groups') AS g
                            WHERE tracktik._json_id(g.value) IS NOT NULL ORDER BY 1)
                -- groups not included: the groups stay what they were
                ELSE coalesce((SELECT h.group_ids FROM tracktik.api_holidays AS h
                                WHERE h.holiday_id = p.id AND h.valid_to IS NULL), '{}') END AS group_ids,
           p.rec AS raw_data, true AS staged, false AS gone
      FROM pg_temp.tt_cfg_parsed AS p
     WHERE p.resource = 'holidays' AND p.problem IS NULL;
    v_result := v_result || pg_catalog.jsonb_build_object('holidays', tracktik._apply_config_versions(
        p_batch_id, 'api_holidays', 'holiday_id', ARRAY['label', 'code', 'region_id', 'group_ids'],
        CASE WHEN 'holidays' = ANY (v_full) THEN 'true' END));

    -- 5. holiday dates -------------------------------------------------------------------------
    DROP TABLE IF EXISTS pg_temp.tt_cfg_src;
    CREATE TEMPORARY TABLE tt_cfg_src ON COMMIT DROP AS
    SELECT p.id AS holiday_date_id, p.ref_id AS holiday_id, nullif(p.rec ->> 'name', '') AS name,
           tracktik._json_id(p.rec -> 'region') AS region_id, p.holiday_date,
           pg_catalog.left(p.rec ->> 'holidayStartDateTime', 64) AS start_datetime,
           pg_catalog.left(p.rec ->> 'holidayEndDateTime', 64) AS end_datetime,
           pg_catalog.left(p.rec ->> 'timeZone', 64) AS time_zone,
           p.rec AS raw_data, true AS staged, false AS gone
      FROM pg_temp.tt_cfg_parsed AS p
     WHERE p.resource = 'holiday-dates' AND p.problem IS NULL;
    v_result := v_result || pg_catalog.jsonb_build_object('holiday_dates', tracktik._apply_config_versions(
        p_batch_id, 'api_holiday_dates', 'holiday_date_id',
        ARRAY['holiday_id', 'name', 'region_id', 'holiday_date', 'start_datetime', 'end_datetime', 'time_zone'],
        CASE WHEN 'holiday-dates' = ANY (v_full) THEN 'true' END));

    -- 6. holiday groups, with the snapshot of their dates (every current group when a holiday
    --    or a date changed)
    v_any_holiday := EXISTS (SELECT 1 FROM pg_temp.tt_cfg_changed AS c WHERE c.tbl IN ('api_holidays', 'api_holiday_dates'));
    DROP TABLE IF EXISTS pg_temp.tt_cfg_src;
    CREATE TEMPORARY TABLE tt_cfg_src ON COMMIT DROP AS
    WITH staged AS (
        SELECT p.id AS holiday_group_id, nullif(p.rec ->> 'name', '') AS name,
               tracktik._json_boolean(p.rec -> 'isGlobal') AS is_global,
               tracktik._json_id(p.rec -> 'region') AS region_id, p.rec AS raw_data
          FROM pg_temp.tt_cfg_parsed AS p
         WHERE p.resource = 'holiday-groups' AND p.problem IS NULL
    ), touched AS (
        SELECT g.holiday_group_id, g.name, g.is_global, g.region_id, g.raw_data
          FROM tracktik.api_holiday_groups AS g
         WHERE v_any_holiday AND g.valid_to IS NULL
           AND g.holiday_group_id NOT IN (SELECT s.holiday_group_id FROM staged AS s)
    )
    SELECT u.holiday_group_id, u.name, u.is_global, u.region_id,
           ARRAY(SELECT DISTINCT d.holiday_date
                   FROM tracktik.api_holiday_dates AS d
                   JOIN tracktik.api_holidays AS h ON h.holiday_id = d.holiday_id AND h.valid_to IS NULL
                  WHERE d.valid_to IS NULL AND u.holiday_group_id = ANY (h.group_ids)
                  ORDER BY 1) AS dates,
           u.raw_data, u.staged, false AS gone
      FROM (SELECT s.*, true AS staged FROM staged AS s
            UNION ALL SELECT t.*, false FROM touched AS t) AS u;
    v_result := v_result || pg_catalog.jsonb_build_object('holiday_groups', tracktik._apply_config_versions(
        p_batch_id, 'api_holiday_groups', 'holiday_group_id', ARRAY['name', 'is_global', 'region_id', 'dates'],
        CASE WHEN 'holiday-groups' = ANY (v_full) THEN 'true' END));

    -- re-billing: posts whose setting, rule or holiday group changed -----------------------------
    -- (a changed setting re-bills all the post's shifts: its own rate, TrackTik's mirror of the
    -- effective bill setting, applies to every date — see _bill_employee_weeks)
    WITH changed_posts AS (
        SELECT c.key AS position_id, true AS first FROM pg_temp.tt_cfg_changed AS c WHERE c.tbl = 'api_position_billing'
        UNION ALL
        SELECT DISTINCT b.position_id, c.first
          FROM pg_temp.tt_cfg_changed AS c
          JOIN tracktik.api_position_billing AS b
            ON (c.tbl = 'api_overtime_rules' AND b.overtime_rule_id = c.key)
            OR (c.tbl = 'api_holiday_groups' AND b.holiday_group_id = c.key)
    )
    INSERT INTO pg_temp.tt_rate_changes (position_id, from_date)
    SELECT cp.position_id,
           min(CASE WHEN cp.first THEN DATE '1900-01-01' ELSE (v_at AT TIME ZONE 'UTC')::date - 1 END)
      FROM changed_posts AS cp
     GROUP BY cp.position_id;
    GET DIAGNOSTICS v_rebilled = ROW_COUNT;

    RETURN v_result || pg_catalog.jsonb_build_object('failed', v_failed, 'posts_rebilled', v_rebilled);
END
$$;

COMMENT ON FUNCTION tracktik._load_billing_configuration(uuid) IS
    'Internal (load_fact_shifts): loads the batch''s TrackTik billing configuration (positions'' billingSetting, BILLING overtime rules and items, holiday groups, holidays, holiday dates) into the versioned tracktik.api_* tables (bad records skipped with issues; full syncs close what is absent, under the circuit breaker) and queues posts whose configuration changed for re-billing. Returns counts.';
