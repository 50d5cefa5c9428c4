-- A client's name is on demand in TrackTik (its default is the company): dim_clients.name is
-- the record's name when given, else its company. The declaration says so
-- (tracktik.scd2_attributes.fallback_path).
BEGIN;
SELECT plan(5);

SELECT tt_test.scd2_load('clients', jsonb_build_array(
    tt_test.api_client(1, '2025-01-01T00:00:00Z', '{"name": "Oakland Medical Center", "company": "Kaiser Oakland"}'),
    tt_test.api_client(2, '2025-01-01T00:00:00Z', '{"company": "Kaiser Fresno"}') - 'name',
    tt_test.api_client(3, '2025-01-01T00:00:00Z', '{"name": null, "company": "Kaiser Vallejo"}'))) AS b \gset

SELECT is((SELECT name FROM tracktik.dim_clients WHERE client_id = 1 AND is_current), 'Oakland Medical Center',
          'the name when the record has one');
SELECT is((SELECT name FROM tracktik.dim_clients WHERE client_id = 2 AND is_current), 'Kaiser Fresno',
          'else the company');
SELECT is((SELECT name FROM tracktik.dim_clients WHERE client_id = 3 AND is_current), 'Kaiser Vallejo',
          '... also when name is JSON null');
SELECT is((SELECT fallback_path FROM tracktik.scd2_attributes WHERE dimension = 'clients' AND column_name = 'name'),
          '{company}'::text[], 'the declaration names the fallback');

-- the same record staged again: nothing changes (raw and typed hashes agree)
SELECT tt_test.scd2_load('clients', jsonb_build_array(
    tt_test.api_client(2, '2025-02-01T00:00:00Z', '{"company": "Kaiser Fresno"}') - 'name'), '2025-03-02') AS b2 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_clients WHERE client_id = 2), 1, 'the same content makes no new version');

SELECT * FROM finish();
ROLLBACK;
