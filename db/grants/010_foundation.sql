-- Routine privileges, applied by every migrate after db/functions/ (and after stale
-- routines are dropped), files in name order. This first file revokes everything: nothing
-- is executable by PUBLIC; each later file grants exactly the routines a role needs.
REVOKE ALL ON ALL ROUTINES IN SCHEMA tracktik FROM PUBLIC, tracktik_loader, tracktik_reader;
REVOKE ALL ON ALL ROUTINES IN SCHEMA staging FROM PUBLIC, tracktik_loader, tracktik_reader;

GRANT EXECUTE ON FUNCTION
    tracktik.get_billing_period(date),
    tracktik.billing_period_bounds(date)
TO tracktik_loader, tracktik_reader;

GRANT EXECUTE ON FUNCTION
    tracktik.start_batch(text, jsonb)
TO tracktik_loader;
