-- tracktik._delete_absent_bill_settings(batch) -> counts: TrackTik bill settings that their post
-- no longer lists stop applying. Called by tracktik.load_fact_shifts right after
-- tracktik._load_position_bill_settings (which created pg_temp.tt_rate_changes).
--
-- Only in a batch whose fully synced resources include 'position-bill-settings'. A post's list
-- is known when one of its staged positions records has billingSetting with a billSettings
-- array (include=billingSetting,billingSetting.billSettings), or billingSetting JSON null (the
-- post has no billing setting: it lists none); a billingSetting given as an id only, or
-- without billSettings, says nothing and deletes nothing. A setting is listed when its id is
-- among the items embedded in any staged positions record or among the staged
-- position-bill-settings records of the batch (a setting that moved to another post is
-- updated there by the loader, not deleted).
--
--   * the stored settings of those posts that are not listed are deleted from
--     tracktik.position_bill_settings, their last row kept in
--     tracktik.deleted_position_bill_settings;
--   * (post, the deleted setting's effective date) goes to pg_temp.tt_rate_changes, so the
--     shift load re-bills the post's stored shifts from that date on (the previous setting,
--     or no TrackTik rate, applies again);
--   * a setting deleted before and loaded again by this batch has its deletion row marked
--     restored.
-- Result: {"deleted", "restored"}.
CREATE OR REPLACE FUNCTION tracktik._delete_absent_bill_settings(p_batch_id uuid)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_full      boolean;
    v_deleted   integer := 0;
    v_restored  integer := 0;
BEGIN
    SELECT 'position-bill-settings' = ANY (b.full_sync_resources) INTO v_full
      FROM tracktik.etl_batches AS b
     WHERE b.batch_id = p_batch_id;

    IF v_full THEN
        WITH posts AS (
            SELECT DISTINCT tracktik._json_id(a.record -> 'id') AS position_id
              FROM staging.api_records AS a
             WHERE a.batch_id = p_batch_id AND a.resource = 'positions'
               AND tracktik._json_id(a.record -> 'id') IS NOT NULL
               AND (pg_catalog.jsonb_typeof(a.record -> 'billingSetting') = 'null'
                    OR (pg_catalog.jsonb_typeof(a.record -> 'billingSetting') = 'object'
                        AND pg_catalog.jsonb_typeof(a.record -> 'billingSetting' -> 'billSettings') = 'array'))
        ), listed AS (
            SELECT tracktik._json_id(e.item -> 'id') AS setting_id
              FROM staging.api_records AS a
             CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(a.record -> 'billingSetting' -> 'billSettings') AS e(item)
             WHERE a.batch_id = p_batch_id AND a.resource = 'positions'
               AND pg_catalog.jsonb_typeof(a.record -> 'billingSetting') = 'object'
               AND pg_catalog.jsonb_typeof(a.record -> 'billingSetting' -> 'billSettings') = 'array'
            UNION
            SELECT tracktik._json_id(a.record -> 'id')
              FROM staging.api_records AS a
             WHERE a.batch_id = p_batch_id AND a.resource = 'position-bill-settings'
        ), gone AS (
            DELETE FROM tracktik.position_bill_settings AS s
             USING posts AS p
             WHERE s.position_id = p.position_id
               AND NOT EXISTS (SELECT 1 FROM listed AS l WHERE l.setting_id = s.setting_id)
            RETURNING s.setting_id, s.position_id, s.bill_rate, s.effective_date, s.raw_data,
                      pg_catalog.to_jsonb(s.*) AS last_row
        ), logged AS (
            INSERT INTO tracktik.deleted_position_bill_settings
                   (setting_id, position_id, bill_rate, effective_date, raw_data, last_row, batch_id)
            SELECT g.setting_id, g.position_id, g.bill_rate, g.effective_date, g.raw_data, g.last_row, p_batch_id
              FROM gone AS g
            RETURNING position_id, effective_date
        )
        INSERT INTO pg_temp.tt_rate_changes (position_id, from_date)
        SELECT l.position_id, l.effective_date FROM logged AS l;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
    END IF;

    -- listed again: loaded again by this batch
    UPDATE tracktik.deleted_position_bill_settings AS d
       SET restored_at = pg_catalog.now(), restored_batch_id = p_batch_id
     WHERE d.restored_at IS NULL
       AND d.batch_id <> p_batch_id
       AND EXISTS (SELECT 1 FROM tracktik.position_bill_settings AS s
                    WHERE s.setting_id = d.setting_id AND s.etl_batch_id = p_batch_id);
    GET DIAGNOSTICS v_restored = ROW_COUNT;

    RETURN pg_catalog.jsonb_build_object('deleted', v_deleted, 'restored', v_restored);
END
$$;

COMMENT ON FUNCTION tracktik._delete_absent_bill_settings(uuid) IS
    'Internal (load_fact_shifts): in a batch that fully syncs position-bill-settings, deletes (into tracktik.deleted_position_bill_settings) the stored bill settings of the batch''s posts that the post no longer lists, and queues their posts for re-billing from the setting''s effective date (pg_temp.tt_rate_changes); marks restored the deletions of settings loaded again. Returns {deleted, restored}.';
