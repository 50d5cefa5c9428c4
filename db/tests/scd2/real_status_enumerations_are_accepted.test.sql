-- The real enumerations load as sent: regions and clients ACTIVE|INACTIVE|CLOSED, employees
-- ACTIVE|INACTIVE|TERMINATED|BANNED; none is a bad record.
BEGIN;
SELECT plan(5);

SELECT tt_test.scd2_load('regions', jsonb_build_array(
    tt_test.api_region(1, '2025-01-01T00:00:00Z', '{"status": "CLOSED"}'),
    tt_test.api_region(2, '2025-01-01T00:00:00Z', '{"status": "INACTIVE", "parentRegion": 1}'))) AS r \gset
SELECT tt_test.scd2_load('clients', jsonb_build_array(
    tt_test.api_client(10, '2025-01-01T00:00:00Z', '{"status": "CLOSED", "region": 1}'))) AS c \gset
SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(100, '2025-01-01T00:00:00Z', '{"status": "TERMINATED", "region": 1}'),
    tt_test.api_employee(101, '2025-01-01T00:00:00Z', '{"status": "BANNED", "region": 1}'))) AS e \gset

SELECT is((SELECT array_agg(status ORDER BY region_id) FROM tracktik.dim_regions WHERE is_current),
          ARRAY['CLOSED', 'INACTIVE'], 'regions CLOSED and INACTIVE load');
SELECT is((SELECT status FROM tracktik.dim_clients WHERE client_id = 10 AND is_current), 'CLOSED', 'a CLOSED client loads');
SELECT is((SELECT array_agg(status ORDER BY employee_id) FROM tracktik.dim_employees WHERE is_current),
          ARRAY['TERMINATED', 'BANNED'], 'employees TERMINATED and BANNED load');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id IN (:'r', :'c', :'e') AND severity = 'error'), 0,
          'no status is a bad record');
SELECT matches(col_description('tracktik.dim_clients'::regclass,
                               (SELECT attnum FROM pg_attribute WHERE attrelid = 'tracktik.dim_clients'::regclass AND attname = 'status')::int),
               'CLOSED', 'the column comment names the real enumeration');

SELECT * FROM finish();
ROLLBACK;
