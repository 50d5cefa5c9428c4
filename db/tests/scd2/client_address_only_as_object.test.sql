-- A client's address is an Addresses object when included, an integer id otherwise: only the
-- object is stored; an id alone is NULL (not an error, not a number in a JSONB column).
BEGIN;
SELECT plan(4);

SELECT tt_test.scd2_load('clients', jsonb_build_array(
    tt_test.api_client(1, '2025-01-01T00:00:00Z',
                       '{"address": {"id": 77, "addressLine1": "1 Main St", "city": "Oakland", "country": "US"}}'),
    tt_test.api_client(2, '2025-01-01T00:00:00Z', '{"address": 78}'))) AS b \gset

SELECT is((SELECT address FROM tracktik.dim_clients WHERE client_id = 1 AND is_current),
          '{"id": 77, "addressLine1": "1 Main St", "city": "Oakland", "country": "US"}'::jsonb,
          'an address object is stored as returned');
SELECT is((SELECT address FROM tracktik.dim_clients WHERE client_id = 2 AND is_current), NULL,
          'an address id alone is stored as NULL');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b'), 0, '... without an issue');

-- the id form again, later: no new version (NULL either way)
SELECT tt_test.scd2_load('clients', jsonb_build_array(
    tt_test.api_client(2, '2025-02-01T00:00:00Z', '{"address": 79}')), '2025-03-02') AS b2 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_clients WHERE client_id = 2), 1, 'another address id makes no new version');

SELECT * FROM finish();
ROLLBACK;
