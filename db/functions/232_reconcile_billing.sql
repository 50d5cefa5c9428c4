-- tracktik._load_billable_items(batch) -> counts: loads what TrackTik billed (staged
-- 'billable-items' records, exactly as the API returns them) into tracktik.api_billable_items,
-- and lists in pg_temp.tt_recon_shifts the shifts whose items changed (for
-- tracktik._reconcile_billing, run right after it by tracktik.load_fact_shifts).
--
--   * id, type and serviceModelShifts (an id or an object) are required: without them an error
--     missing_required_field issue (table_name api_billable_items) and the record is skipped;
--     quantity, rate or price given but not a number (or beyond 10^10): invalid_field_value;
--     resolved by the next batch that reads the id and finds it good;
--   * the same id twice: the latest updatedOn, then the latest fetched wins; unchanged rows are
--     not rewritten;
--   * in a batch that staged billable items (or fully syncs 'billable-items'), the stored items
--     of every shift the batch staged (its shifts records, or items of the shift) that the
--     batch no longer has are deleted: TrackTik no longer bills them.
-- Result: {"items", "failed", "changed", "deleted"}.
CREATE OR REPLACE FUNCTION tracktik._load_billable_items(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET client_min_messages = warning
AS $$
DECLARE
    v_full     boolean;
    v_items    integer := 0;
    v_failed   integer := 0;
    v_changed  integer := 0;
    v_deleted  integer := 0;
BEGIN
    SELECT 'billable-items' = ANY (coalesce(b.full_sync_resources, '{}')) INTO v_full
      FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id;
    DROP TABLE IF EXISTS pg_temp.tt_recon_shifts;
    CREATE TEMPORARY TABLE tt_recon_shifts (shift_id bigint PRIMARY KEY) ON COMMIT DROP;

    DROP TABLE IF EXISTS pg_temp.tt_items_src;
    CREATE TEMPORARY TABLE tt_items_src ON COMMIT DROP AS
    SELECT s.*,
           CASE WHEN s.id IS NULL OR s.shift_id IS NULL OR s.item_type IS NULL THEN 'missing_required_field'
                WHEN s.num_bad OR abs(s.quantity) >= 10000000000 OR abs(s.rate) >= 10000000000
                  OR abs(s.price) >= 10000000000 THEN 'invalid_field_value' END AS problem,
           pg_catalog.row_number() OVER (PARTITION BY s.id ORDER BY s.stamp DESC NULLS LAST, s.fetched_at DESC, s.src_tid DESC) AS dup_rank
      FROM (
        SELECT a.ctid AS src_tid, a.fetched_at, a.record AS rec,
               tracktik._json_id(a.record -> 'id') AS id,
               tracktik._json_id(a.record -> 'serviceModelShifts') AS shift_id,
               pg_catalog.upper(nullif(a.record ->> 'type', '')) AS item_type,
               tracktik._json_numeric(a.record -> 'quantity') AS quantity,
               tracktik._json_numeric(a.record -> 'rate') AS rate,
               tracktik._json_numeric(a.record -> 'price') AS price,
               tracktik._iso_date(a.record ->> 'serviceDate') AS service_date,
               tracktik._json_id(a.record -> 'region') AS region_id,
               tracktik._json_id(a.record -> 'serviceLocation') AS service_location_id,
               tracktik._json_id(a.record -> 'billItem') AS bill_item_id,
               pg_catalog.left(a.record ->> 'subType', 200) AS sub_type,
               CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'updatedOn')
                    THEN (a.record ->> 'updatedOn')::timestamptz END AS stamp,
               EXISTS (SELECT 1 FROM pg_catalog.unnest(ARRAY['quantity', 'rate', 'price']) AS f(name)
                        WHERE pg_catalog.jsonb_typeof(a.record -> f.name) NOT IN ('null')
                          AND tracktik._json_numeric(a.record -> f.name) IS NULL) AS num_bad
          FROM staging.api_records AS a
         WHERE a.batch_id = p_batch_id AND a.resource = 'billable-items'
      ) AS s;
    SELECT count(*)::integer, count(*) FILTER (WHERE i.problem IS NOT NULL AND (i.id IS NULL OR i.dup_rank = 1))::integer
      INTO v_items, v_failed FROM pg_temp.tt_items_src AS i;

    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'api_billable_items', coalesce(i.id::text, i.rec ->> 'id'), i.problem, 'error',
           pg_catalog.format('billable-items record %s: %s; record skipped', coalesce(i.id::text, '(no id)'),
                             CASE i.problem WHEN 'missing_required_field' THEN 'id, type or serviceModelShifts missing or not valid'
                                            ELSE 'quantity, rate or price not a number or out of range' END),
           pg_catalog.jsonb_build_object('record', i.rec)
      FROM pg_temp.tt_items_src AS i
     WHERE i.problem IS NOT NULL AND (i.id IS NULL OR i.dup_rank = 1)
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    UPDATE tracktik.data_quality_issues AS q
       SET resolved_at = pg_catalog.now(),
           resolution_note = pg_catalog.format('resolved by batch %s: the record loads cleanly', p_batch_id)
      FROM pg_temp.tt_items_src AS i
     WHERE q.resolved_at IS NULL AND q.table_name = 'api_billable_items' AND q.record_id = i.id::text
       AND q.issue_type IN ('missing_required_field', 'invalid_field_value')
       AND i.dup_rank = 1 AND i.problem IS NULL;

    WITH good AS (
        SELECT i.* FROM pg_temp.tt_items_src AS i WHERE i.problem IS NULL AND i.dup_rank = 1
    ), changed AS (
        SELECT g.*, o.shift_id AS old_shift_id
          FROM good AS g
          LEFT JOIN tracktik.api_billable_items AS o ON o.billable_item_id = g.id
         WHERE o.billable_item_id IS NULL
            OR (o.shift_id, o.item_type, o.quantity, o.rate, o.price, o.service_date, o.region_id,
                o.service_location_id, o.bill_item_id, o.sub_type, o.raw_data)
               IS DISTINCT FROM
               (g.shift_id, g.item_type, pg_catalog.round(g.quantity, 2), pg_catalog.round(g.rate, 2),
                pg_catalog.round(g.price, 2), g.service_date, g.region_id, g.service_location_id, g.bill_item_id,
                g.sub_type, g.rec)
    ), written AS (
        INSERT INTO tracktik.api_billable_items AS t
               (billable_item_id, shift_id, item_type, quantity, rate, price, service_date, region_id,
                service_location_id, bill_item_id, sub_type, raw_data, batch_id)
        SELECT c.id, c.shift_id, c.item_type, pg_catalog.round(c.quantity, 2), pg_catalog.round(c.rate, 2),
               pg_catalog.round(c.price, 2), c.service_date, c.region_id, c.service_location_id, c.bill_item_id,
               c.sub_type, c.rec, p_batch_id
          FROM changed AS c
        ON CONFLICT (billable_item_id) DO UPDATE
           SET shift_id = EXCLUDED.shift_id, item_type = EXCLUDED.item_type, quantity = EXCLUDED.quantity,
               rate = EXCLUDED.rate, price = EXCLUDED.price, service_date = EXCLUDED.service_date,
               region_id = EXCLUDED.region_id, service_location_id = EXCLUDED.service_location_id,
               bill_item_id = EXCLUDED.bill_item_id, sub_type = EXCLUDED.sub_type, raw_data = EXCLUDED.raw_data,
               batch_id = EXCLUDED.batch_id, updated_at = pg_catalog.now()
        RETURNING t.billable_item_id
    )
    INSERT INTO pg_temp.tt_recon_shifts (shift_id)
    SELECT c.shift_id FROM changed AS c
    UNION SELECT c.old_shift_id FROM changed AS c WHERE c.old_shift_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_changed = ROW_COUNT;

    -- items TrackTik no longer returns for the shifts this batch covers
    IF v_full OR v_items > 0 THEN
        WITH covered AS (
            SELECT tracktik._json_id(a.record -> 'id') AS shift_id
              FROM staging.api_records AS a
             WHERE a.batch_id = p_batch_id AND a.resource = 'shifts'
            UNION
            SELECT i.shift_id FROM pg_temp.tt_items_src AS i WHERE i.shift_id IS NOT NULL
        ), gone AS (
            DELETE FROM tracktik.api_billable_items AS t
             USING covered AS c
             WHERE t.shift_id = c.shift_id
               AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_items_src AS i WHERE i.id = t.billable_item_id)
            RETURNING t.shift_id
        )
        INSERT INTO pg_temp.tt_recon_shifts (shift_id)
        SELECT DISTINCT g.shift_id FROM gone AS g
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
    END IF;

    RETURN pg_catalog.jsonb_build_object('items', v_items, 'failed', v_failed, 'changed', v_changed,
                                         'deleted_shifts', v_deleted);
END
$$;

COMMENT ON FUNCTION tracktik._load_billable_items(uuid) IS
    'Internal (load_fact_shifts): upserts the batch''s TrackTik billable items into tracktik.api_billable_items (bad records skipped with issues, latest updatedOn wins), deletes the items TrackTik no longer returns for the shifts the batch covers, and lists the shifts whose items changed in pg_temp.tt_recon_shifts. Returns counts.';


-- tracktik._reconcile_billing(batch) -> counts: compares, per shift, what TrackTik billed (its
-- REVENUE billable items) with the warehouse's billing, for every shift the batch concerns: the
-- shifts whose items changed (pg_temp.tt_recon_shifts), the fact rows the batch wrote or
-- re-billed (etl_batch_id = the batch) and the shifts it deleted -- when they have items.
--
--   TrackTik   hours = sum(quantity), amount = sum(price) (price NULL: round(quantity x rate, 2)),
--              rate = the lowest rate of the items with hours (the regular line);
--   warehouse  hours = billable_hours (+ the break when the post's TrackTik setting bills
--              breaks, billBreaks ALL), rate = bill_rate_regular, amount = bill_total (a
--              deleted or unknown shift: no hours, no amount);
--   differs    when hours, rate or amount differ by more than 0.01 (a NULL against a value
--              differs, except rates when either side billed nothing).
-- tracktik.billing_reconciliation keeps the comparison (a shift without REVENUE items any more
-- is removed). A difference is a billing_variance warning (table_name billing_reconciliation,
-- record_id the shift id), once while open; a compared shift that no longer differs resolves it.
-- Result: {"shifts_compared", "differ", "issues", "resolved"}.
CREATE OR REPLACE FUNCTION tracktik._reconcile_billing(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET client_min_messages = warning
AS $$
DECLARE
    v_compared  integer := 0;
    v_differ    integer := 0;
    v_issues    integer := 0;
    v_resolved  integer := 0;
BEGIN
    IF pg_catalog.to_regclass('pg_temp.tt_recon_shifts') IS NULL THEN
        CREATE TEMPORARY TABLE tt_recon_shifts (shift_id bigint PRIMARY KEY) ON COMMIT DROP;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tracktik.api_billable_items)
       AND NOT EXISTS (SELECT 1 FROM tracktik.billing_reconciliation) THEN
        RETURN pg_catalog.jsonb_build_object('shifts_compared', 0, 'differ', 0, 'issues', 0, 'resolved', 0);
    END IF;

    INSERT INTO pg_temp.tt_recon_shifts (shift_id)
    SELECT f.shift_id FROM tracktik.fact_shifts AS f
     WHERE f.etl_batch_id = p_batch_id
       AND EXISTS (SELECT 1 FROM tracktik.api_billable_items AS i WHERE i.shift_id = f.shift_id)
    UNION
    SELECT d.shift_id FROM tracktik.deleted_shifts AS d
     WHERE d.batch_id = p_batch_id
    ON CONFLICT DO NOTHING;

    DROP TABLE IF EXISTS pg_temp.tt_recon;
    CREATE TEMPORARY TABLE tt_recon ON COMMIT DROP AS
    SELECT z.*,
           pg_catalog.array_remove(ARRAY[
               CASE WHEN abs(coalesce(z.tracktik_hours, 0) - coalesce(z.warehouse_hours, 0)) > 0.01 THEN 'hours' END,
               CASE WHEN coalesce(z.tracktik_amount, 0) <> 0 AND coalesce(z.warehouse_amount, 0) <> 0
                         AND (z.tracktik_rate IS NULL) <> (z.warehouse_rate IS NULL) THEN 'rate'
                    WHEN abs(z.tracktik_rate - z.warehouse_rate) > 0.01 THEN 'rate' END,
               CASE WHEN abs(coalesce(z.tracktik_amount, 0) - coalesce(z.warehouse_amount, 0)) > 0.01
                      OR (z.tracktik_amount IS NULL) <> (z.warehouse_amount IS NULL)
                         AND coalesce(z.tracktik_amount, z.warehouse_amount) <> 0 THEN 'amount' END], NULL) AS differences
      FROM (
        SELECT s.shift_id, f.billing_period_id,
               coalesce(f.client_id, t.service_location_id) AS client_id,
               coalesce(f.region_id, t.region_id) AS region_id,
               coalesce(f.shift_date, t.service_date) AS shift_date,
               t.n AS tracktik_items, t.hours AS tracktik_hours, t.rate AS tracktik_rate, t.amount AS tracktik_amount,
               CASE WHEN f.shift_id IS NOT NULL THEN
                    coalesce(f.billable_hours, 0)
                    + CASE WHEN pb.bill_breaks = 'ALL' AND f.billable_hours > 0
                           THEN greatest(0, pg_catalog.round(extract(epoch FROM f.end_datetime - f.start_datetime) / 3600, 2)
                                            - coalesce(f.scheduled_hours, 0))
                           ELSE 0 END END AS warehouse_hours,
               f.bill_rate_regular AS warehouse_rate, f.bill_total AS warehouse_amount
          FROM pg_temp.tt_recon_shifts AS s
          JOIN (SELECT i.shift_id, count(*)::integer AS n, sum(i.quantity) AS hours,
                       min(i.rate) FILTER (WHERE i.quantity > 0) AS rate,
                       sum(coalesce(i.price, pg_catalog.round(i.quantity * i.rate, 2))) AS amount,
                       min(i.service_location_id) AS service_location_id, min(i.region_id) AS region_id,
                       min(i.service_date) AS service_date
                  FROM tracktik.api_billable_items AS i
                 WHERE i.item_type = 'REVENUE' AND i.shift_id IN (SELECT r.shift_id FROM pg_temp.tt_recon_shifts AS r)
                 GROUP BY i.shift_id) AS t ON t.shift_id = s.shift_id
          LEFT JOIN tracktik.fact_shifts AS f ON f.shift_id = s.shift_id
          LEFT JOIN tracktik.api_position_billing AS pb
            ON pb.position_id = f.position_id AND f.start_datetime >= pb.valid_from
           AND (pb.valid_to IS NULL OR f.start_datetime < pb.valid_to)
      ) AS z;

    -- shifts without REVENUE items any more: nothing to compare
    DELETE FROM tracktik.billing_reconciliation AS b
     USING pg_temp.tt_recon_shifts AS s
     WHERE b.shift_id = s.shift_id
       AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_recon AS r WHERE r.shift_id = s.shift_id);

    INSERT INTO tracktik.billing_reconciliation AS b
           (shift_id, billing_period_id, client_id, region_id, shift_date, tracktik_items, tracktik_hours,
            tracktik_rate, tracktik_amount, warehouse_hours, warehouse_rate, warehouse_amount,
            amount_difference, differs, differences, checked_batch_id, checked_at)
    SELECT r.shift_id, r.billing_period_id, r.client_id, r.region_id, r.shift_date, r.tracktik_items,
           r.tracktik_hours, r.tracktik_rate, r.tracktik_amount, r.warehouse_hours, r.warehouse_rate,
           r.warehouse_amount, coalesce(r.warehouse_amount, 0) - coalesce(r.tracktik_amount, 0),
           pg_catalog.cardinality(r.differences) > 0, r.differences, p_batch_id, pg_catalog.now()
      FROM pg_temp.tt_recon AS r
    ON CONFLICT (shift_id) DO UPDATE
       SET billing_period_id = EXCLUDED.billing_period_id, client_id = EXCLUDED.client_id,
           region_id = EXCLUDED.region_id, shift_date = EXCLUDED.shift_date,
           tracktik_items = EXCLUDED.tracktik_items, tracktik_hours = EXCLUDED.tracktik_hours,
           tracktik_rate = EXCLUDED.tracktik_rate, tracktik_amount = EXCLUDED.tracktik_amount,
           warehouse_hours = EXCLUDED.warehouse_hours, warehouse_rate = EXCLUDED.warehouse_rate,
           warehouse_amount = EXCLUDED.warehouse_amount, amount_difference = EXCLUDED.amount_difference,
           differs = EXCLUDED.differs, differences = EXCLUDED.differences,
           checked_batch_id = EXCLUDED.checked_batch_id, checked_at = EXCLUDED.checked_at;
    SELECT count(*)::integer, count(*) FILTER (WHERE pg_catalog.cardinality(r.differences) > 0)::integer
      INTO v_compared, v_differ FROM pg_temp.tt_recon AS r;

    INSERT INTO tracktik.data_quality_issues
           (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
    SELECT p_batch_id, 'billing_reconciliation', r.shift_id::text, 'billing_variance', 'warning',
           pg_catalog.format('shift %s: TrackTik billed %s h at %s = $%s, the warehouse %s h at %s = $%s (%s differ)',
                             r.shift_id, r.tracktik_hours, coalesce(r.tracktik_rate::text, '-'),
                             coalesce(r.tracktik_amount::text, '-'), coalesce(r.warehouse_hours::text, '-'),
                             coalesce(r.warehouse_rate::text, '-'), coalesce(r.warehouse_amount::text, '-'),
                             pg_catalog.array_to_string(r.differences, ', ')),
           pg_catalog.jsonb_build_object('tracktik_hours', r.tracktik_hours, 'tracktik_rate', r.tracktik_rate,
                                         'tracktik_amount', r.tracktik_amount, 'warehouse_hours', r.warehouse_hours,
                                         'warehouse_rate', r.warehouse_rate, 'warehouse_amount', r.warehouse_amount,
                                         'differences', r.differences, 'billing_period_id', r.billing_period_id)
      FROM pg_temp.tt_recon AS r
     WHERE pg_catalog.cardinality(r.differences) > 0
    ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    GET DIAGNOSTICS v_issues = ROW_COUNT;

    UPDATE tracktik.data_quality_issues AS q
       SET resolved_at = pg_catalog.now(),
           resolution_note = pg_catalog.format('resolved by batch %s: the warehouse and TrackTik agree on the shift (or TrackTik no longer bills it)', p_batch_id)
      FROM pg_temp.tt_recon_shifts AS s
     WHERE q.resolved_at IS NULL AND q.table_name = 'billing_reconciliation' AND q.issue_type = 'billing_variance'
       AND q.record_id = s.shift_id::text
       AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_recon AS r
                        WHERE r.shift_id = s.shift_id AND pg_catalog.cardinality(r.differences) > 0);
    GET DIAGNOSTICS v_resolved = ROW_COUNT;

    RETURN pg_catalog.jsonb_build_object('shifts_compared', v_compared, 'differ', v_differ,
                                         'issues', v_issues, 'resolved', v_resolved);
END
$$;

COMMENT ON FUNCTION tracktik._reconcile_billing(uuid) IS
    'Internal (load_fact_shifts): compares TrackTik''s REVENUE billable items of every shift the batch concerns (items changed, facts written or re-billed, shifts deleted) with the warehouse''s billing (hours, regular rate, amount) into tracktik.billing_reconciliation; a difference over a cent is a billing_variance warning (table_name billing_reconciliation), resolved when a later comparison agrees. Returns counts.';
