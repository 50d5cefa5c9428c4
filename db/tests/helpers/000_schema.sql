-- Shared setup for the pgTAP suites, loaded into the test template database after the
-- migrations (never into a real warehouse). Helpers live in schema tt_test.
CREATE SCHEMA IF NOT EXISTS tt_test;

-- Asserting SQLSTATEs as another role: pgTAP's throws_ok runs the statement in the
-- current role, so tests SET ROLE around it; this resets whatever happened.
CREATE OR REPLACE FUNCTION tt_test.as_role(p_role text, p_sql text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', p_role);
    BEGIN
        EXECUTE p_sql;
    EXCEPTION WHEN OTHERS THEN
        RESET ROLE;
        RAISE;
    END;
    RESET ROLE;
END
$$;
