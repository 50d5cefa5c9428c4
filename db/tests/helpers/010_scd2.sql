-- Shared setup of the SCD2 suites (db/tests/scd2): batches, staged API records, and short
-- ways to read a dimension's history. Loaded into the test template only. Names start with
-- scd2_ (or api_ for record builders) so as not to clash with other suites' helpers in tt_test.
CREATE SCHEMA IF NOT EXISTS tt_test;

-- A batch in status 'staged' with its staging partition, started at p_started_at, with the
-- given resources fully synced.
CREATE OR REPLACE FUNCTION tt_test.scd2_batch(p_started_at timestamptz DEFAULT '2025-03-01 00:00:00+00',
                                         p_full_sync text[] DEFAULT '{}')
RETURNS uuid
LANGUAGE plpgsql
AS $$
DECLARE
    v_batch uuid := tracktik.start_batch('test', '{}'::jsonb);
BEGIN
    -- start_batch's liveness lock is not wanted in tests
    PERFORM pg_advisory_unlock(hashtext('tracktik.batch'), hashtext(v_batch::text));
    UPDATE tracktik.etl_batches
       SET status = 'staged', started_at = p_started_at, staged_at = p_started_at,
           full_sync_resources = p_full_sync
     WHERE batch_id = v_batch;
    RETURN v_batch;
END
$$;

-- Stage the elements of a JSON array as records of one resource; returns how many.
CREATE OR REPLACE FUNCTION tt_test.scd2_stage(p_batch uuid, p_resource text, p_records jsonb)
RETURNS integer
LANGUAGE sql
AS $$
    WITH ins AS (
        INSERT INTO staging.api_records (batch_id, resource, record)
        SELECT p_batch, p_resource, r FROM jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, n) ORDER BY n
        RETURNING 1
    )
    SELECT count(*)::integer FROM ins
$$;

-- A new staged batch holding the given records of one resource, merged; returns the batch.
CREATE OR REPLACE FUNCTION tt_test.scd2_load(p_resource text, p_records jsonb,
                                        p_started_at timestamptz DEFAULT '2025-03-01 00:00:00+00',
                                        p_full_sync text[] DEFAULT '{}')
RETURNS uuid
LANGUAGE plpgsql
AS $$
DECLARE
    v_batch uuid := tt_test.scd2_batch(p_started_at, p_full_sync);
BEGIN
    PERFORM tt_test.scd2_stage(v_batch, p_resource, p_records);
    PERFORM tracktik.merge_dimensions(v_batch);
    RETURN v_batch;
END
$$;

-- API records with sensible defaults; p_fields overrides or adds fields (camelCase).
CREATE OR REPLACE FUNCTION tt_test.api_employee(p_id bigint, p_updated_on text DEFAULT '2025-01-01T00:00:00Z',
                                            p_fields jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
               'id', p_id, 'customId', 'E' || p_id, 'firstName', 'First' || p_id, 'lastName', 'Last' || p_id,
               'email', 'e' || p_id || '@example.com', 'primaryPhone', '+1-555-' || p_id, 'status', 'ACTIVE',
               'jobTitle', 'Guard', 'updatedOn', p_updated_on)) || p_fields
$$;

CREATE OR REPLACE FUNCTION tt_test.api_region(p_id bigint, p_updated_on text DEFAULT '2025-01-01T00:00:00Z',
                                          p_fields jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
               'id', p_id, 'customId', 'R' || p_id, 'name', 'Region ' || p_id, 'status', 'ACTIVE',
               'timeZone', 'America/Los_Angeles', 'updatedOn', p_updated_on)) || p_fields
$$;

CREATE OR REPLACE FUNCTION tt_test.api_client(p_id bigint, p_updated_on text DEFAULT '2025-01-01T00:00:00Z',
                                          p_fields jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
               'id', p_id, 'customId', 'C' || p_id, 'name', 'Site ' || p_id, 'type', 'SERVICE_LOCATION',
               'status', 'ACTIVE', 'timeZone', 'America/Los_Angeles',
               'address', jsonb_build_object('city', 'Oakland', 'country', 'US'), 'updatedOn', p_updated_on)) || p_fields
$$;

CREATE OR REPLACE FUNCTION tt_test.api_position(p_id bigint, p_updated_on text DEFAULT '2025-01-01T00:00:00Z',
                                            p_fields jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
               'id', p_id, 'customId', 'P' || p_id, 'name', 'Post ' || p_id, 'status', 'ACTIVE',
               'nonBillable', false, 'updatedOn', p_updated_on)) || p_fields
$$;

-- The versions of one employee, oldest first, as "valid_from|valid_to|is_current" text (UTC).
CREATE OR REPLACE FUNCTION tt_test.scd2_employee_ranges(p_id bigint)
RETURNS text[]
LANGUAGE sql
SET TimeZone = 'UTC'
AS $$
    SELECT coalesce(array_agg(format('%s|%s|%s', valid_from, coalesce(valid_to::text, 'open'), is_current::text)
                              ORDER BY valid_from), '{}')
      FROM tracktik.dim_employees WHERE employee_id = p_id
$$;

-- True when the versions of an id in a dimension table are contiguous: each ends where the
-- next begins, and only the last may be open (or all are closed).
CREATE OR REPLACE FUNCTION tt_test.scd2_is_contiguous(p_table text, p_id_column text, p_id bigint)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    v_ok boolean;
BEGIN
    EXECUTE format($q$
        SELECT coalesce(bool_and(CASE WHEN nxt IS NULL THEN true ELSE valid_to = nxt END), true)
          FROM (SELECT valid_to, lead(valid_from) OVER (ORDER BY valid_from) AS nxt
                  FROM tracktik.%I WHERE %I = %L) AS v$q$, p_table, p_id_column, p_id)
      INTO v_ok;
    RETURN v_ok;
END
$$;

-- Issues of a type recorded for a batch.
CREATE OR REPLACE FUNCTION tt_test.scd2_issues(p_batch uuid, p_type text)
RETURNS SETOF tracktik.data_quality_issues
LANGUAGE sql
AS $$
    SELECT * FROM tracktik.data_quality_issues
     WHERE batch_id = p_batch AND issue_type = p_type
     ORDER BY issue_id
$$;
