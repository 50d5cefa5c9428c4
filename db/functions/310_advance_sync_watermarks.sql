-- tracktik._advance_sync_watermarks(batch, known) -> the marks set: per resource of the batch,
-- the high-water mark on the field its incremental filter uses (DESIGN.md section 6) becomes
-- tracktik.etl_sync_status.last_sync_timestamp when it is later than the mark (a mark never
-- goes back). Runs in the transaction that loads the batch's data, so marks and data commit
-- together.
--
--   shifts                  modifiedOn only (the documented required filter), computed by the
--                           shift load while parsing and passed in p_known
--   position-bill-settings  updatedOn of the accepted bill settings (embedded in the positions
--                           records or staged on their own), passed in p_known by their loader
--   every other resource    updatedOn only (dimensions: the filter updatedOn:after), computed
--                           here from the staged records
-- A mark comes only from records that were accepted (a dimension record the merge skipped as
-- bad, i.e. with an error issue of this batch carrying the record, does not count; the loads
-- exclude their own skipped records) and is never later than the batch's started_at: a record
-- stamped after the batch started is loaded, but does not move the mark; for the resources
-- computed here it gets a warning future_timestamp issue (once while the same one is open:
-- found again, the open one is marked seen by this batch; the loads record theirs). Valid ISO 8601 date-times with offset only.
--
-- Cost: one pass reading only updatedOn of the staged records of the resources computed here
-- (grouped by layout, see the fast path below); the records are parsed one by one only when a
-- bad or future stamp is on top of a group or the merge skipped records of the batch as bad.
--
-- p_known: {"resource": instant} or {"resource": {"mark": instant, "records": n}}, already
-- computed by a load (the shift load computes it while parsing, so 100,000 shifts are not parsed
-- twice); a known resource need not be staged under its own name (embedded bill settings);
-- one without records (records 0, or none staged when not given) gets no row from it.
-- A fully synced resource (etl_batches.full_sync_resources) gets its row even when the batch
-- holds none of its records. sync_metadata keeps the last batch, its record count and, for a
-- fully synced resource, the time of the last full sync.
CREATE OR REPLACE FUNCTION tracktik._advance_sync_watermarks(p_batch_id uuid, p_known jsonb DEFAULT '{}'::jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
AS $$
DECLARE
    v_known       jsonb := CASE WHEN pg_catalog.jsonb_typeof(p_known) = 'object' THEN p_known ELSE '{}'::jsonb END;
    v_started_at  timestamptz;
    v_full        text[];
    v_marks       jsonb;
    v_fast        boolean;
BEGIN
    SELECT b.started_at, coalesce(b.full_sync_resources, '{}')
      INTO v_started_at, v_full
      FROM tracktik.etl_batches AS b
     WHERE b.batch_id = p_batch_id;

    -- fast path: one pass over the staged records of the resources computed here, reading only
    -- their updatedOn, grouped by layout (length, the separator at position 11, the last six
    -- characters: so the same offset text): within a layout, text order is time order for every
    -- valid stamp, so the greatest text is the latest instant whenever it is itself valid. When
    -- every group's greatest is valid and not after the batch start, and the merge skipped no
    -- record of this batch as bad, the marks are those maxima: nothing else needs parsing.
    DROP TABLE IF EXISTS pg_temp.tt_mark_groups;
    CREATE TEMPORARY TABLE tt_mark_groups ON COMMIT DROP AS
    SELECT g.resource, count(*) AS records, max(g.stamp_text) AS top
      FROM (SELECT a.resource, a.record ->> 'updatedOn' AS stamp_text
              FROM staging.api_records AS a
             WHERE a.batch_id = p_batch_id AND NOT (v_known ? a.resource)
            OFFSET 0) AS g                   -- (each stamp extracted once)
     GROUP BY g.resource, pg_catalog.length(g.stamp_text), pg_catalog.substr(g.stamp_text, 11, 1),
              pg_catalog.right(g.stamp_text, 6);

    v_fast := NOT EXISTS (SELECT 1 FROM tracktik.data_quality_issues AS q
                            JOIN tracktik.scd2_dimensions AS d ON d.table_name = q.table_name
                           WHERE q.batch_id = p_batch_id AND q.severity = 'error' AND q.issue_data ? 'record')
              AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_mark_groups AS g
                               WHERE CASE WHEN g.top IS NULL THEN false
                                          WHEN tracktik._is_iso_timestamptz(g.top) THEN g.top::timestamptz > v_started_at
                                          ELSE true END);

    DROP TABLE IF EXISTS pg_temp.tt_mark_computed;
    IF v_fast THEN
        CREATE TEMPORARY TABLE tt_mark_computed ON COMMIT DROP AS
        SELECT g.resource, sum(g.records)::bigint AS records, max(g.top::timestamptz) AS mark
          FROM pg_temp.tt_mark_groups AS g
         GROUP BY g.resource;
    ELSE
        -- slow path (a bad stamp on top, a future stamp, records skipped as bad): the staged
        -- records of the resources computed here, with their updatedOn
        CREATE TEMPORARY TABLE tt_mark_src ON COMMIT DROP AS
        SELECT a.resource, a.record,
               CASE WHEN tracktik._is_iso_timestamptz(a.record ->> 'updatedOn')
                    THEN (a.record ->> 'updatedOn')::timestamptz END AS stamp
          FROM staging.api_records AS a
         WHERE a.batch_id = p_batch_id AND NOT (v_known ? a.resource);

        -- records skipped as bad by the merge (their issue carries the record)
        CREATE TEMPORARY TABLE tt_mark_skipped ON COMMIT DROP AS
        SELECT DISTINCT d.resource, q.issue_data -> 'record' AS record
          FROM tracktik.data_quality_issues AS q
          JOIN tracktik.scd2_dimensions AS d ON d.table_name = q.table_name
         WHERE q.batch_id = p_batch_id AND q.severity = 'error' AND q.issue_data ? 'record';

        -- future stamps of accepted records: loaded, reported, not a mark
        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT DISTINCT ON (f.table_name, f.record_id)
               p_batch_id, f.table_name, f.record_id, 'future_timestamp', 'warning',
               pg_catalog.format('%s record %s has updatedOn %s, after the batch started (%s); loaded, but the watermark does not move to it',
                                 f.resource, f.record_id, f.stamp, v_started_at),
               pg_catalog.jsonb_build_object('updatedOn', f.record -> 'updatedOn', 'batch_started_at', v_started_at)
          FROM (SELECT m.resource, m.record, m.stamp, coalesce(d.table_name, m.resource) AS table_name,
                       pg_catalog.left(m.record ->> 'id', 64) AS record_id
                  FROM pg_temp.tt_mark_src AS m
                  LEFT JOIN tracktik.scd2_dimensions AS d ON d.resource = m.resource
                 WHERE m.stamp > v_started_at
                   AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_mark_skipped AS k
                                    WHERE k.resource = m.resource AND k.record = m.record)) AS f
         ORDER BY f.table_name, f.record_id, f.stamp DESC
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;   -- once while open

        CREATE TEMPORARY TABLE tt_mark_computed ON COMMIT DROP AS
        SELECT m.resource, count(*) AS records,
               max(m.stamp) FILTER (WHERE m.stamp <= v_started_at
                                      AND NOT EXISTS (SELECT 1 FROM pg_temp.tt_mark_skipped AS k
                                                       WHERE k.resource = m.resource AND k.record = m.record)) AS mark
          FROM pg_temp.tt_mark_src AS m
         GROUP BY m.resource;
        DROP TABLE pg_temp.tt_mark_src, pg_temp.tt_mark_skipped;
    END IF;

    WITH computed AS (
        SELECT c.resource, c.records, c.mark FROM pg_temp.tt_mark_computed AS c
    ), known AS (
        -- a known resource: its mark as given (never past the batch start) and its count
        SELECT k.key AS resource,
               coalesce(CASE WHEN pg_catalog.jsonb_typeof(k.value -> 'records') = 'number'
                             THEN (k.value ->> 'records')::bigint END,
                        (SELECT count(*) FROM staging.api_records AS a
                          WHERE a.batch_id = p_batch_id AND a.resource = k.key)) AS records,
               CASE pg_catalog.jsonb_typeof(k.value)
                    WHEN 'string' THEN k.value #>> '{}'
                    WHEN 'object' THEN k.value ->> 'mark' END AS mark_text
          FROM pg_catalog.jsonb_each(v_known) AS k
    ), present AS (
        SELECT c.resource, c.records, c.mark FROM computed AS c
        UNION ALL
        SELECT k.resource, k.records,
               CASE WHEN tracktik._is_iso_timestamptz(k.mark_text) AND k.mark_text::timestamptz <= v_started_at
                    THEN k.mark_text::timestamptz END
          FROM known AS k
         WHERE k.records > 0
    ), marks AS (
        SELECT p.resource, p.records, p.mark FROM present AS p
        UNION ALL
        -- a fully synced resource without records in the batch: its full sync is noted
        SELECT f.resource, 0, NULL::timestamptz
          FROM pg_catalog.unnest(v_full) AS f(resource)
         WHERE NOT EXISTS (SELECT 1 FROM present AS p WHERE p.resource = f.resource)
    ), upserted AS (
        INSERT INTO tracktik.etl_sync_status AS s
               (table_name, last_sync_timestamp, last_successful_batch_id, sync_metadata)
        SELECT m.resource, m.mark, CASE WHEN m.mark IS NOT NULL THEN p_batch_id END,
               pg_catalog.jsonb_build_object('last_batch_id', p_batch_id, 'last_batch_records', m.records,
                                             'last_batch_at', pg_catalog.now())
               || CASE WHEN m.resource = ANY (v_full)
                       THEN pg_catalog.jsonb_build_object('last_full_sync_at', pg_catalog.now(),
                                                          'last_full_sync_batch_id', p_batch_id)
                       ELSE '{}'::jsonb END
          FROM marks AS m
        ON CONFLICT (table_name) DO UPDATE
           SET last_sync_timestamp = GREATEST(s.last_sync_timestamp, EXCLUDED.last_sync_timestamp),
               last_successful_batch_id = CASE
                   WHEN EXCLUDED.last_sync_timestamp > s.last_sync_timestamp
                        OR (s.last_sync_timestamp IS NULL AND EXCLUDED.last_sync_timestamp IS NOT NULL)
                   THEN EXCLUDED.last_successful_batch_id ELSE s.last_successful_batch_id END,
               sync_metadata = s.sync_metadata || EXCLUDED.sync_metadata
        RETURNING s.table_name, s.last_sync_timestamp
    )
    SELECT coalesce(pg_catalog.jsonb_object_agg(u.table_name, u.last_sync_timestamp), '{}'::jsonb)
      INTO v_marks
      FROM upserted AS u;

    DROP TABLE pg_temp.tt_mark_groups, pg_temp.tt_mark_computed;
    RETURN v_marks;
END
$$;

COMMENT ON FUNCTION tracktik._advance_sync_watermarks(uuid, jsonb) IS
    'Internal: advances tracktik.etl_sync_status per resource of a batch (never backwards), in the loading transaction, on the incremental filter''s field: shifts modifiedOn (given by the shift load), other resources updatedOn; accepted records only, never later than the batch''s started_at (a later stamp is a future_timestamp warning and moves nothing). Returns the marks.';
