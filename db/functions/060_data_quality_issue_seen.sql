-- tracktik._data_quality_issue_seen(): BEFORE INSERT trigger of tracktik.data_quality_issues
-- (migration 0018). An open issue is recorded once:
--
--   * the same issue already open (table_name, issue_type, record_key: the key that the unique
--     index data_quality_issues_open_once is on): the open row gets last_seen_batch_id /
--     last_seen_at of the new one and the insert is skipped (the routine's ROW_COUNT does not
--     count it); the loads resolve open issues of the records they evaluated that this batch
--     did not see again;
--   * else the new row is inserted with last_seen_batch_id = its batch.
-- The unique index, and ON CONFLICT DO NOTHING in every insert, are what guarantee it; this
-- only remembers that the issue was found again.
--
-- The key is computed here as the generated column record_key computes it (migration 0018):
-- the two expressions must stay the same.
--
-- Planner: the lookup must go through the unique index over open issues
-- (data_quality_issues_open_once; migration 0026 removed the other index that matched it). The
-- statement is planned for each row (plan_cache_mode): a generic plan cached while the table
-- was small stayed a sequential scan while a batch inserted thousands of issues, which made the
-- inserts quadratic (9.5 s of a 15 s first load of 100,000 shifts; 5.8 s in all now).
CREATE OR REPLACE FUNCTION tracktik._data_quality_issue_seen()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    IF NEW.resolved_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    NEW.last_seen_batch_id := coalesce(NEW.last_seen_batch_id, NEW.batch_id);
    NEW.last_seen_at := coalesce(NEW.last_seen_at, pg_catalog.now());
    UPDATE tracktik.data_quality_issues AS q
       SET last_seen_batch_id = NEW.batch_id,
           last_seen_at = pg_catalog.now()
     WHERE q.resolved_at IS NULL
       AND q.table_name = NEW.table_name
       AND q.issue_type = NEW.issue_type
       AND q.record_key = CASE WHEN NEW.record_id IS NOT NULL THEN pg_catalog.md5(NEW.record_id)
                               WHEN NEW.issue_type = 'blocked_mass_delete' OR NEW.issue_data IS NULL THEN ''
                               ELSE pg_catalog.md5(coalesce(NEW.issue_data -> 'record', NEW.issue_data)::text)
                          END;
    IF FOUND THEN
        RETURN NULL;   -- already open: seen again, not recorded again
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION tracktik._data_quality_issue_seen() IS
    'Trigger (BEFORE INSERT on tracktik.data_quality_issues): an issue that is already open (table_name, issue_type, record_key) is not inserted again; the open one gets last_seen_batch_id / last_seen_at instead.';
