-- tracktik._parse_shift_records(batch, period) -> counts. Step 1 of the shift load: parse every
-- shift record ONCE into the temporary table pg_temp.tt_shift_src, validate it, pick the
-- winner of duplicates, and record the data-quality issues.
--
-- Source: tracktik._shift_records (the batch's staged shifts, or with p_period_id the raw_data
-- stored in that billing period). The records themselves stay where they are; the work table
-- keeps their src_tid.
--
-- Shortcut (batch loads only): a staged record identical to the raw_data already stored for
-- its shift id, none of whose dimension members (employee, position, site, region) this batch
-- changed, cannot change its row: it is counted as unchanged and not parsed at all. Re-running
-- an unchanged extract therefore costs one comparison per record. (Not for an id staged more
-- than once: its copies are all parsed and ranked, the same one wins every run.)
--
-- Per record (first problem wins; error severity; the record is skipped):
--   missing_required_field    id, status, startDateTime, endDateTime or position absent or
--                             malformed (a relation is an integer id or an object {"id": ..});
--                             an employee given but malformed
--   invalid_status            status other than ACTIVE or CANCELLED (case-insensitive)
--   timestamp_without_offset  a date-time without UTC offset (its instant is unknown)
--   unparsable_timestamp      anything else that is not an ISO 8601 date-time
--   date_out_of_range         the start outside the sane window of shift dates around now
--                             (tracktik.settings.shift_window_past_days / _future_days: a
--                             shift dated 9999-12-31 or 0001-01-01 never reaches the
--                             calendar), or an updatedOn / modifiedOn outside 1900..2999 (it
--                             would become a watermark or a stored stamp no client can read)
--   end_before_start          end at or before start
--   shift_over_24h            longer than 24 hours
--   invalid_hours             clockedHours, approvedHours, billableHours, payableHours or
--                             breakInMinutes given (not JSON null) but not a number (an array,
--                             an object, a non-numeric string, a boolean); clockedHours /
--                             approvedHours outside 0..48, or breakInMinutes outside 0..1440
-- Duplicates of one id in the batch: the record with the latest updatedOn/modifiedOn wins
-- (then the latest fetched); the other copies are one duplicate_in_batch issue of the shift
-- (info when all are identical to the winner, warning otherwise; issue_data counts and holds
-- them) and not a failure. A winner that is bad
-- skips the shift.
-- Warnings, loaded anyway: approved_exceeds_clocked; future_timestamp (modifiedOn later than
-- the batch's started_at); plausibility (tracktik.settings): hours_exceed_scheduled
-- (approvedHours or clockedHours beyond the scheduled length end - start by more than
-- plausible_hours_margin), break_exceeds_shift (breakInMinutes as long as the shift or longer:
-- billed 0), far_future_shift (start more than shift_future_warning_days after now).
-- Descriptions name the field and its value (shortened to 64 characters).
-- An issue is recorded once while it is open (table, issue type, record key: the unique index
-- of migration 0018; ON CONFLICT DO NOTHING, the open one is marked seen by this batch):
-- reprocessing a period, or a later batch with the same record, adds no duplicate. The open
-- issues of the shifts parsed here that this batch did not find again are resolved by
-- tracktik._resolve_data_quality_issues at the end of the batch.
--
-- Result: {"records", "unchanged", "failed", "duplicates", "warnings", "max_modified_on"};
-- max_modified_on is the shifts watermark: the latest modifiedOn (the field of the incremental
-- filter; updatedOn does not count) of the accepted records, never later than the batch start;
-- pg_temp.tt_shift_src holds the parsed records, the usable ones with problem IS NULL AND
-- dup_rank = 1.
CREATE OR REPLACE FUNCTION tracktik._parse_shift_records(p_batch_id uuid, p_period_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET work_mem = '256MB'
SET enable_mergejoin = off           -- the unchanged-record test: one hash join, not two sorts of wide rows
SET jit = off                       -- compiling these one-shot bulk statements costs more than it saves
SET default_statistics_target = 10  -- ANALYZE of the work tables: a 3,000-row sample gives the planner
                                    -- sizes and distinct counts; the default 30,000 cost ~0.1 s per table
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
AS $$
DECLARE
    v_strict       boolean := false;
    v_candidates   text[] := '{}';
    v_days         text[];
    v_staged       integer;
    v_dup_ids      jsonb[];
    v_dims_changed boolean := false;
    v_shortcut     boolean;
    v_records      integer;
    v_parsed       integer;
    v_failed       integer;
    v_duplicates   integer;
    v_warnings     integer := 0;
    v_stamp        timestamptz;
    v_started_at   timestamptz;
    v_future       integer := 0;
    v_settings     tracktik.settings;
    v_window_lo    timestamptz;
    v_window_hi    timestamptz;
    v_far_future   timestamptz;
    v_stamp_lo     CONSTANT timestamptz := TIMESTAMPTZ '1900-01-01 00:00:00+00';
    v_stamp_hi     CONSTANT timestamptz := TIMESTAMPTZ '3000-01-01 00:00:00+00';
BEGIN
    SELECT b.started_at INTO v_started_at FROM tracktik.etl_batches AS b WHERE b.batch_id = p_batch_id;
    SELECT * INTO v_settings FROM tracktik.settings;
    -- the sane window of shift starts, and the plausibility horizon, around now
    v_window_lo := pg_catalog.now() - pg_catalog.make_interval(days => v_settings.shift_window_past_days);
    v_window_hi := pg_catalog.now() + pg_catalog.make_interval(days => v_settings.shift_window_future_days);
    v_far_future := pg_catalog.now() + pg_catalog.make_interval(days => v_settings.shift_future_warning_days);

    DROP TABLE IF EXISTS pg_temp.tt_shift_src;
    CREATE TEMPORARY TABLE tt_shift_src (
        src_tid           tid          NOT NULL,
        fetched_at        timestamptz,
        shift_id          bigint,
        id_text           text,
        status            text,
        start_at          timestamptz,
        end_at            timestamptz,
        tz_text           text,
        employee_id       bigint,
        position_id       bigint,
        break_minutes     numeric,
        billable_flag     boolean,
        payable_flag      boolean,
        clocked           numeric,
        approved          numeric,
        summary_billable  numeric,
        summary_payable   numeric,
        stamp             timestamptz,
        modified_at       timestamptz,
        problem           text,
        problem_detail    text,
        dup_rank          bigint
    ) ON COMMIT DROP;

    -- shortcut set-up: the periods a stored copy of a staged shift can be in (its start date in
    -- the record's own offset, +- 1 day), and the dimension members this batch changed
    DROP TABLE IF EXISTS pg_temp.tt_dims_changed;
    CREATE TEMPORARY TABLE tt_dims_changed (dimension "char" NOT NULL, id bigint NOT NULL) ON COMMIT DROP;
    -- (a fact table without a single row has no stored copy to compare with: no candidates)
    IF p_period_id IS NULL AND EXISTS (SELECT 1 FROM tracktik.fact_shifts) THEN
        -- one scan of the staged shifts, two groupings: their start days (and how many records
        -- are staged, for v_records below), and the ids staged more than once (see tt_dup_ids)
        SELECT pg_catalog.array_agg(g.day) FILTER (WHERE g.by_day),
               coalesce(sum(g.n) FILTER (WHERE g.by_day), 0)::integer,
               pg_catalog.array_agg(g.id) FILTER (WHERE NOT g.by_day AND g.n > 1 AND g.id IS NOT NULL)
          INTO v_days, v_staged, v_dup_ids
          FROM (SELECT GROUPING(a.record -> 'id') = 1 AS by_day,
                       left(a.record ->> 'startDateTime', 10) AS day, a.record -> 'id' AS id, count(*) AS n
                  FROM staging.api_records AS a
                 WHERE a.batch_id = p_batch_id AND a.resource = 'shifts'
                 GROUP BY GROUPING SETS ((left(a.record ->> 'startDateTime', 10)), (a.record -> 'id'))) AS g;
        SELECT coalesce(pg_catalog.array_agg(DISTINCT b.period_id), '{}')
          INTO v_candidates
          FROM (SELECT DISTINCT tracktik._iso_date(d.day) AS day
                  FROM pg_catalog.unnest(v_days) AS d(day)
                OFFSET 0) AS x
         CROSS JOIN LATERAL (VALUES (x.day - 1), (x.day), (x.day + 1)) AS v(day)
         CROSS JOIN LATERAL tracktik.billing_period_bounds(v.day) AS b
         WHERE x.day IS NOT NULL
           AND EXISTS (SELECT 1 FROM tracktik.billing_periods AS p WHERE p.period_id = b.period_id);
        INSERT INTO pg_temp.tt_dims_changed
        SELECT 'e', d.employee_id FROM tracktik.dim_employees AS d WHERE d.etl_batch_id = p_batch_id
        UNION SELECT 'p', d.position_id FROM tracktik.dim_positions AS d WHERE d.etl_batch_id = p_batch_id
        UNION SELECT 'c', d.client_id FROM tracktik.dim_clients AS d WHERE d.etl_batch_id = p_batch_id
        UNION SELECT 'r', d.region_id FROM tracktik.dim_regions AS d WHERE d.etl_batch_id = p_batch_id;
        v_dims_changed := EXISTS (SELECT 1 FROM pg_temp.tt_dims_changed);
        ANALYZE pg_temp.tt_dims_changed;
    END IF;

    v_shortcut := v_candidates <> '{}';

    -- ids staged more than once are never skipped by the shortcut: every copy is parsed, so the
    -- same copy wins every run (and duplicate_in_batch is found again) instead of the one that
    -- differs from the stored row
    DROP TABLE IF EXISTS pg_temp.tt_dup_ids;
    CREATE TEMPORARY TABLE tt_dup_ids (id jsonb NOT NULL) ON COMMIT DROP;
    IF v_shortcut THEN
        -- (an absent id is no group: g.id IS NOT NULL above)
        INSERT INTO pg_temp.tt_dup_ids SELECT u.id FROM pg_catalog.unnest(v_dup_ids) AS u(id);
        ANALYZE pg_temp.tt_dup_ids;
    END IF;

    -- parse: optimistic fast path first (cheap shape test, then cast); if some text passes the
    -- shape test but does not cast, run again with the exact check on every row.
    LOOP
        BEGIN
            INSERT INTO pg_temp.tt_shift_src
            SELECT p.src_tid, p.fetched_at, p.shift_id, p.id_text, p.status, p.start_at, p.end_at,
                   p.tz_text, p.employee_id, p.position_id, p.break_minutes, p.billable_flag,
                   p.payable_flag, p.clocked, p.approved, p.summary_billable, p.summary_payable,
                   GREATEST(p.updated_at, p.modified_at), p.modified_at,
                   CASE
                       WHEN p.shift_id IS NULL THEN 'missing_required_field'
                       WHEN p.status IS NULL THEN 'missing_required_field'
                       WHEN p.start_text IS NULL OR p.end_text IS NULL THEN 'missing_required_field'
                       WHEN p.position_id IS NULL THEN 'missing_required_field'
                       WHEN p.employee_id IS NULL AND p.employee_given THEN 'missing_required_field'
                       WHEN pg_catalog.upper(p.status) NOT IN ('ACTIVE', 'CANCELLED') THEN 'invalid_status'
                       WHEN (p.start_at IS NULL AND tracktik._is_iso_timestamp_without_offset(p.start_text))
                         OR (p.end_at IS NULL AND tracktik._is_iso_timestamp_without_offset(p.end_text))
                           THEN 'timestamp_without_offset'
                       WHEN p.start_at IS NULL OR p.end_at IS NULL THEN 'unparsable_timestamp'
                       WHEN p.start_at < v_window_lo OR p.start_at >= v_window_hi
                         OR p.updated_at < v_stamp_lo OR p.updated_at >= v_stamp_hi
                         OR p.modified_at < v_stamp_lo OR p.modified_at >= v_stamp_hi THEN 'date_out_of_range'
                       WHEN p.end_at <= p.start_at THEN 'end_before_start'
                       WHEN p.end_at - p.start_at > interval '24 hours' THEN 'shift_over_24h'
                       -- hours given (not JSON null) that are not numbers, or out of range
                       WHEN (p.clocked IS NULL AND pg_catalog.jsonb_typeof(p.j_clocked) <> 'null')
                         OR (p.approved IS NULL AND pg_catalog.jsonb_typeof(p.j_approved) <> 'null')
                         OR (p.break_minutes IS NULL AND pg_catalog.jsonb_typeof(p.j_break) <> 'null')
                         OR (p.summary_billable IS NULL AND pg_catalog.jsonb_typeof(p.j_billable_hours) <> 'null')
                         OR (p.summary_payable IS NULL AND pg_catalog.jsonb_typeof(p.j_payable_hours) <> 'null')
                         OR p.clocked NOT BETWEEN 0 AND 48 OR p.approved NOT BETWEEN 0 AND 48
                         OR p.break_minutes NOT BETWEEN 0 AND 1440 THEN 'invalid_hours'
                   END,
                   CASE
                       WHEN p.shift_id IS NULL THEN 'id is absent or not an integer'
                       WHEN p.status IS NULL THEN 'status is absent'
                       WHEN p.start_text IS NULL THEN 'startDateTime is absent'
                       WHEN p.end_text IS NULL THEN 'endDateTime is absent'
                       WHEN p.position_id IS NULL THEN 'position is absent or not an id'
                       WHEN p.employee_id IS NULL AND p.employee_given THEN 'employee is not an id'
                       WHEN pg_catalog.upper(p.status) NOT IN ('ACTIVE', 'CANCELLED') THEN
                           CASE WHEN pg_catalog.length(p.status) <= 64
                                THEN pg_catalog.format('status %L is neither ACTIVE nor CANCELLED', p.status)
                                ELSE pg_catalog.format('status of %s characters is neither ACTIVE nor CANCELLED',
                                                       pg_catalog.length(p.status)) END
                       WHEN p.start_at IS NULL THEN pg_catalog.format('startDateTime %s is not an ISO 8601 date-time with offset', pg_catalog.left(p.start_text, 64))
                       WHEN p.end_at IS NULL THEN pg_catalog.format('endDateTime %s is not an ISO 8601 date-time with offset', pg_catalog.left(p.end_text, 64))
                       WHEN p.start_at < v_window_lo OR p.start_at >= v_window_hi THEN
                           pg_catalog.format('startDateTime %s is outside the window of shift dates (%s to %s: tracktik.settings.shift_window_past_days / shift_window_future_days)',
                                             pg_catalog.left(p.start_text, 64), v_window_lo::date, v_window_hi::date)
                       WHEN p.updated_at < v_stamp_lo OR p.updated_at >= v_stamp_hi
                         OR p.modified_at < v_stamp_lo OR p.modified_at >= v_stamp_hi THEN
                           pg_catalog.format('updatedOn %s / modifiedOn %s outside the years 1900..2999',
                                             coalesce(pg_catalog.left(p.updated_text, 64), 'absent'),
                                             coalesce(pg_catalog.left(p.modified_text, 64), 'absent'))
                       WHEN p.end_at <= p.start_at THEN pg_catalog.format('shift ends (%s) at or before it starts (%s)', pg_catalog.left(p.end_text, 64), pg_catalog.left(p.start_text, 64))
                       WHEN p.end_at - p.start_at > interval '24 hours' THEN pg_catalog.format('shift lasts %s, more than 24 hours', p.end_at - p.start_at)
                       WHEN (p.clocked IS NULL AND pg_catalog.jsonb_typeof(p.j_clocked) <> 'null')
                         OR (p.approved IS NULL AND pg_catalog.jsonb_typeof(p.j_approved) <> 'null')
                         OR (p.break_minutes IS NULL AND pg_catalog.jsonb_typeof(p.j_break) <> 'null')
                         OR (p.summary_billable IS NULL AND pg_catalog.jsonb_typeof(p.j_billable_hours) <> 'null')
                         OR (p.summary_payable IS NULL AND pg_catalog.jsonb_typeof(p.j_payable_hours) <> 'null')
                           THEN 'hours that are not numbers: '
                                || pg_catalog.concat_ws('; ',   -- each with its JSON value (shortened)
                                       CASE WHEN p.clocked IS NULL AND pg_catalog.jsonb_typeof(p.j_clocked) <> 'null'
                                            THEN 'clockedHours ' || pg_catalog.left(p.j_clocked::text, 64) END,
                                       CASE WHEN p.approved IS NULL AND pg_catalog.jsonb_typeof(p.j_approved) <> 'null'
                                            THEN 'approvedHours ' || pg_catalog.left(p.j_approved::text, 64) END,
                                       CASE WHEN p.break_minutes IS NULL AND pg_catalog.jsonb_typeof(p.j_break) <> 'null'
                                            THEN 'breakInMinutes ' || pg_catalog.left(p.j_break::text, 64) END,
                                       CASE WHEN p.summary_billable IS NULL AND pg_catalog.jsonb_typeof(p.j_billable_hours) <> 'null'
                                            THEN 'billableHours ' || pg_catalog.left(p.j_billable_hours::text, 64) END,
                                       CASE WHEN p.summary_payable IS NULL AND pg_catalog.jsonb_typeof(p.j_payable_hours) <> 'null'
                                            THEN 'payableHours ' || pg_catalog.left(p.j_payable_hours::text, 64) END)
                       WHEN p.clocked NOT BETWEEN 0 AND 48 OR p.approved NOT BETWEEN 0 AND 48
                         OR p.break_minutes NOT BETWEEN 0 AND 1440
                           THEN pg_catalog.format('implausible hours: clockedHours %s, approvedHours %s, breakInMinutes %s',
                                                  p.clocked, p.approved, p.break_minutes)
                   END,
                   1   -- dup_rank: fixed below for ids that occur more than once
              FROM (
                SELECT t.src_tid, t.fetched_at, t.id_text, t.status, t.start_text, t.end_text,
                       t.tz_text, t.employee_given, t.updated_text, t.modified_text,
                       tracktik._json_id(t.j_id) AS shift_id,
                       tracktik._json_id(t.j_employee) AS employee_id,
                       tracktik._json_id(t.j_position) AS position_id,
                       tracktik._json_numeric(t.j_break) AS break_minutes,
                       tracktik._json_boolean(t.j_billable) AS billable_flag,
                       tracktik._json_boolean(t.j_payable) AS payable_flag,
                       tracktik._json_numeric(t.j_clocked) AS clocked,
                       tracktik._json_numeric(t.j_approved) AS approved,
                       tracktik._json_numeric(t.j_billable_hours) AS summary_billable,
                       tracktik._json_numeric(t.j_payable_hours) AS summary_payable,
                       t.j_break, t.j_clocked, t.j_approved, t.j_billable_hours, t.j_payable_hours,
                       CASE WHEN NOT v_strict AND tracktik._looks_like_iso_timestamptz(t.start_text) THEN t.start_text::timestamptz
                            WHEN tracktik._is_iso_timestamptz(t.start_text) THEN t.start_text::timestamptz END AS start_at,
                       CASE WHEN NOT v_strict AND tracktik._looks_like_iso_timestamptz(t.end_text) THEN t.end_text::timestamptz
                            WHEN tracktik._is_iso_timestamptz(t.end_text) THEN t.end_text::timestamptz END AS end_at,
                       CASE WHEN NOT v_strict AND tracktik._looks_like_iso_timestamptz(t.updated_text) THEN t.updated_text::timestamptz
                            WHEN tracktik._is_iso_timestamptz(t.updated_text) THEN t.updated_text::timestamptz END AS updated_at,
                       CASE WHEN NOT v_strict AND tracktik._looks_like_iso_timestamptz(t.modified_text) THEN t.modified_text::timestamptz
                            WHEN tracktik._is_iso_timestamptz(t.modified_text) THEN t.modified_text::timestamptz END AS modified_at
                  FROM (
                    -- each JSON field extracted once (OFFSET 0 keeps the planner from re-inlining)
                    SELECT s.src_tid, s.fetched_at,
                           s.rec -> 'id' AS j_id,
                           s.rec ->> 'id' AS id_text,
                           s.rec ->> 'status' AS status,
                           s.rec ->> 'startDateTime' AS start_text,
                           s.rec ->> 'endDateTime' AS end_text,
                           s.rec ->> 'updatedOn' AS updated_text,
                           s.rec ->> 'modifiedOn' AS modified_text,
                           nullif(s.rec ->> 'timeZone', '') AS tz_text,
                           s.rec -> 'employee' AS j_employee,
                           coalesce(pg_catalog.jsonb_typeof(s.rec -> 'employee'), 'null') <> 'null' AS employee_given,
                           s.rec -> 'position' AS j_position,
                           s.rec -> 'breakInMinutes' AS j_break,
                           s.rec -> 'billable' AS j_billable,
                           s.rec -> 'payable' AS j_payable,
                           s.rec -> 'clockedHours' AS j_clocked,
                           s.rec -> 'approvedHours' AS j_approved,
                           s.rec -> 'billableHours' AS j_billable_hours,
                           s.rec -> 'payableHours' AS j_payable_hours
                      FROM (
                        -- no candidate period: nothing to compare with, no anti-join (its
                        -- hash key alone costs a sixth of the statement); a custom plan keeps
                        -- only the branch that applies
                        SELECT r.src_tid, r.fetched_at, r.rec
                          FROM tracktik._shift_records(p_batch_id, p_period_id) AS r
                         WHERE NOT v_shortcut
                        UNION ALL
                        -- (the id extracted once, below the fence: _json_id is inlined and
                        -- names its argument five times, each a key lookup in the whole record)
                        SELECT r.src_tid, r.fetched_at, r.rec
                          FROM (SELECT r0.src_tid, r0.fetched_at, r0.rec, r0.rec -> 'id' AS j_id
                                  FROM tracktik._shift_records(p_batch_id, p_period_id) AS r0
                                 WHERE v_shortcut
                                OFFSET 0) AS r
                         WHERE (EXISTS (SELECT 1 FROM pg_temp.tt_dup_ids AS d WHERE d.id = r.j_id)
                                OR NOT EXISTS (   -- the shortcut: same record stored, no dimension changed
                                SELECT 1
                                  FROM tracktik.fact_shifts AS f
                                 WHERE f.billing_period_id = ANY (v_candidates)
                                   AND f.shift_id = tracktik._json_id(r.j_id)
                                   AND (f.raw_data = r.rec) IS TRUE
                                   AND NOT (v_dims_changed AND EXISTS (
                                            SELECT 1 FROM pg_temp.tt_dims_changed AS d
                                             WHERE (d.dimension, d.id) IN (('e', f.employee_id), ('p', f.position_id),
                                                                           ('c', f.client_id), ('r', f.region_id))))))
                      ) AS s
                    OFFSET 0
                  ) AS t
                OFFSET 0
              ) AS p;
            EXIT;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR invalid_time_zone_displacement_value THEN
            IF v_strict THEN
                RAISE;
            END IF;
            v_strict := true;   -- and run the statement again with the exact check
        END;
    END LOOP;

    -- duplicates: rank the copies of ids that occur more than once (latest updatedOn /
    -- modifiedOn first, then the latest fetched); rank 1 is the copy that counts
    IF (SELECT count(d.shift_id) <> count(DISTINCT d.shift_id) FROM pg_temp.tt_shift_src AS d) THEN
        UPDATE pg_temp.tt_shift_src AS s
           SET dup_rank = r.rn
          FROM (SELECT x.ctid AS row_tid,
                       pg_catalog.row_number() OVER (PARTITION BY x.shift_id
                                                     ORDER BY x.stamp DESC NULLS LAST, x.fetched_at DESC, x.src_tid DESC) AS rn
                  FROM pg_temp.tt_shift_src AS x
                 WHERE x.shift_id IN (SELECT d.shift_id FROM pg_temp.tt_shift_src AS d
                                       WHERE d.shift_id IS NOT NULL
                                       GROUP BY d.shift_id HAVING count(*) > 1)) AS r
         WHERE s.ctid = r.row_tid AND r.rn > 1;
    END IF;
    ANALYZE pg_temp.tt_shift_src (shift_id, employee_id, position_id, tz_text, problem, dup_rank);

    SELECT count(*)::integer,
           count(*) FILTER (WHERE s.problem IS NOT NULL AND (s.shift_id IS NULL OR s.dup_rank = 1))::integer,
           count(*) FILTER (WHERE s.shift_id IS NOT NULL AND s.dup_rank > 1)::integer,
           -- the watermark: modifiedOn (the incremental filter's field) of accepted records,
           -- never later than the batch start
           max(s.modified_at) FILTER (WHERE s.problem IS NULL AND s.dup_rank = 1 AND s.modified_at <= v_started_at)
      INTO v_parsed, v_failed, v_duplicates, v_stamp
      FROM pg_temp.tt_shift_src AS s;
    IF v_shortcut THEN
        -- all records, the skipped unchanged ones too (their modifiedOn was seen by the batch
        -- that stored them, so max_modified_on need not look at them)
        v_records := v_staged;
    ELSE
        -- reprocessing, or no candidate period: nothing was skipped, every record was parsed
        v_records := v_parsed;
    END IF;

    -- issues: bad records (skipped)
    IF v_failed > 0 THEN
        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT p_batch_id, 'fact_shifts', coalesce(s.shift_id::text, s.id_text), s.problem, 'error',
               pg_catalog.format('shifts record %s: ',
                                 coalesce(pg_catalog.left(coalesce(s.shift_id::text, s.id_text), 64), '(no id)'))
               || s.problem_detail || '; record skipped', r.rec
          FROM pg_temp.tt_shift_src AS s
          JOIN tracktik._shift_records(p_batch_id, p_period_id) AS r ON r.src_tid = s.src_tid
         WHERE s.problem IS NOT NULL AND (s.shift_id IS NULL OR s.dup_rank = 1)
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    END IF;

    -- issues: superseded duplicates, one per shift id (once while open): how many copies were
    -- ignored, info when all are identical to the kept one, else warning
    IF v_duplicates > 0 THEN
        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT p_batch_id, 'fact_shifts', g.shift_id::text, 'duplicate_in_batch',
               CASE WHEN g.differing = 0 THEN 'info' ELSE 'warning' END,
               CASE WHEN g.differing = 0
                    THEN pg_catalog.format('shifts record %s: %s identical copies of the shift in the batch; ignored',
                                           g.shift_id, g.copies)
                    WHEN g.same_stamp > 0
                    THEN pg_catalog.format('shifts record %s: %s other copies of the shift in the batch (%s differing, %s of them with the same updatedOn); the latest (then the later fetched) copy was kept',
                                           g.shift_id, g.copies, g.differing, g.same_stamp)
                    ELSE pg_catalog.format('shifts record %s: %s older copies of the shift in the batch (%s differing, earlier updatedOn); the latest was kept',
                                           g.shift_id, g.copies, g.differing) END,
               pg_catalog.jsonb_build_object('copies', g.copies, 'differing', g.differing,
                                             'ignored', g.ignored, 'kept', g.kept)
          FROM (SELECT d.shift_id, count(*)::integer AS copies,
                       count(*) FILTER (WHERE rd.rec <> rw.rec)::integer AS differing,
                       count(*) FILTER (WHERE rd.rec <> rw.rec AND d.stamp IS NOT DISTINCT FROM w.stamp)::integer AS same_stamp,
                       pg_catalog.jsonb_agg(rd.rec ORDER BY d.dup_rank) AS ignored,
                       pg_catalog.min(rw.rec::text)::jsonb AS kept
                  FROM pg_temp.tt_shift_src AS d
                  JOIN pg_temp.tt_shift_src AS w ON w.shift_id = d.shift_id AND w.dup_rank = 1
                  JOIN tracktik._shift_records(p_batch_id, p_period_id) AS rd ON rd.src_tid = d.src_tid
                  JOIN tracktik._shift_records(p_batch_id, p_period_id) AS rw ON rw.src_tid = w.src_tid
                 WHERE d.dup_rank > 1
                 GROUP BY d.shift_id) AS g
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
    END IF;

    -- issues: warnings on records that load (not repeated when reprocessing stored facts)
    IF p_period_id IS NULL THEN
        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT p_batch_id, 'fact_shifts', s.shift_id::text, 'approved_exceeds_clocked', 'warning',
               pg_catalog.format('approvedHours %s exceed clockedHours %s; loaded as given', s.approved, s.clocked),
               pg_catalog.jsonb_build_object('approvedHours', s.approved, 'clockedHours', s.clocked)
          FROM pg_temp.tt_shift_src AS s
         WHERE s.problem IS NULL AND s.dup_rank = 1 AND s.approved > s.clocked
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
        GET DIAGNOSTICS v_warnings = ROW_COUNT;

        -- plausibility: loaded as given, with a warning (tracktik.settings)
        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT p_batch_id, 'fact_shifts', s.shift_id::text, w.issue_type, 'warning', w.description, w.data
          FROM pg_temp.tt_shift_src AS s
         CROSS JOIN LATERAL (
                SELECT pg_catalog.round(extract(epoch FROM s.end_at - s.start_at) / 3600, 2) AS length_h) AS l
         CROSS JOIN LATERAL (
                SELECT 'hours_exceed_scheduled' AS issue_type,
                       pg_catalog.format('shifts record %s: %s %s exceed the scheduled length of %s hours by more than %s (tracktik.settings.plausible_hours_margin); loaded as given',
                                         s.shift_id,
                                         CASE WHEN s.approved > l.length_h + v_settings.plausible_hours_margin
                                              THEN 'approvedHours' ELSE 'clockedHours' END,
                                         CASE WHEN s.approved > l.length_h + v_settings.plausible_hours_margin
                                              THEN s.approved ELSE s.clocked END,
                                         l.length_h, v_settings.plausible_hours_margin) AS description,
                       pg_catalog.jsonb_build_object('approvedHours', s.approved, 'clockedHours', s.clocked,
                                                     'scheduled_length', l.length_h,
                                                     'margin', v_settings.plausible_hours_margin) AS data
                 WHERE s.approved > l.length_h + v_settings.plausible_hours_margin
                    OR s.clocked > l.length_h + v_settings.plausible_hours_margin
                UNION ALL
                SELECT 'break_exceeds_shift',
                       pg_catalog.format('shifts record %s: breakInMinutes %s is as long as the shift (%s minutes) or longer, so it is billed 0 scheduled hours; loaded as given',
                                         s.shift_id, s.break_minutes, pg_catalog.round(l.length_h * 60)),
                       pg_catalog.jsonb_build_object('breakInMinutes', s.break_minutes, 'shift_minutes', pg_catalog.round(l.length_h * 60))
                 WHERE s.break_minutes > 0 AND s.break_minutes >= extract(epoch FROM s.end_at - s.start_at) / 60
                UNION ALL
                SELECT 'far_future_shift',
                       pg_catalog.format('shifts record %s starts %s, more than %s days from now (tracktik.settings.shift_future_warning_days); loaded as given',
                                         s.shift_id, s.start_at, v_settings.shift_future_warning_days),
                       pg_catalog.jsonb_build_object('startDateTime', s.start_at,
                                                     'warning_days', v_settings.shift_future_warning_days)
                 WHERE s.start_at > v_far_future
         ) AS w
         WHERE s.problem IS NULL AND s.dup_rank = 1
           -- the three conditions of w once more, as a filter of the scan: only the few rows
           -- with a warning run the lateral subquery (100,000 of them cost ~0.1 s for nothing)
           AND (s.approved > l.length_h + v_settings.plausible_hours_margin
                OR s.clocked > l.length_h + v_settings.plausible_hours_margin
                OR (s.break_minutes > 0 AND s.break_minutes >= extract(epoch FROM s.end_at - s.start_at) / 60)
                OR s.start_at > v_far_future)
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
        GET DIAGNOSTICS v_future = ROW_COUNT;
        v_warnings := v_warnings + v_future;

        -- modifiedOn after the batch started: loaded, but the watermark does not move to it
        INSERT INTO tracktik.data_quality_issues
               (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
        SELECT p_batch_id, 'fact_shifts', s.shift_id::text, 'future_timestamp', 'warning',
               pg_catalog.format('modifiedOn %s is after the batch started (%s); loaded, but the watermark does not move to it',
                                 s.modified_at, v_started_at),
               pg_catalog.jsonb_build_object('modifiedOn', s.modified_at, 'batch_started_at', v_started_at)
          FROM pg_temp.tt_shift_src AS s
         WHERE s.problem IS NULL AND s.dup_rank = 1 AND s.modified_at > v_started_at
        ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
        GET DIAGNOSTICS v_future = ROW_COUNT;
        v_warnings := v_warnings + v_future;
    END IF;

    RETURN pg_catalog.jsonb_build_object('records', v_records, 'unchanged', v_records - v_parsed,
                                         'failed', v_failed, 'duplicates', v_duplicates,
                                         'warnings', v_warnings, 'max_modified_on', v_stamp);
END
$$;

COMMENT ON FUNCTION tracktik._parse_shift_records(uuid, text) IS
    'Internal step 1 of the shift load: parses the batch''s staged shifts (or a period''s stored raw_data) once into pg_temp.tt_shift_src (unchanged records skipped), validates them, ranks duplicates and records data-quality issues (once while open; the window of shift dates and the plausibility warnings of tracktik.settings). Returns {records, unchanged, failed, duplicates, warnings, max_modified_on} (the watermark: latest modifiedOn of accepted records, never past the batch start; a later one is a future_timestamp warning).';
