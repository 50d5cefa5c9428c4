-- A full sync of a resource closes the current versions of ids absent from it at the batch's
-- start; an id that comes back gets a new current version. Incremental batches close nothing.
BEGIN;
SELECT plan(8);

SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i, '2025-01-01T00:00:00Z')) FROM generate_series(1, 10) AS i)) IS NOT NULL;
SELECT tracktik.ensure_inferred_members('employees', ARRAY[500::bigint], NULL) = 1;

-- incremental batch without id 10: nothing closed
SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i, '2025-01-01T00:00:00Z')) FROM generate_series(1, 9) AS i),
                    '2025-02-01 00:00:00+00') IS NOT NULL;
SELECT ok((SELECT is_current FROM tracktik.dim_employees WHERE employee_id = 10), 'an incremental batch closes nothing');

-- full sync without id 10 (1 of 10 current rows = 10%): closed at the batch start
SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i, '2025-01-01T00:00:00Z')) FROM generate_series(1, 9) AS i),
                    '2025-03-01 00:00:00+00', '{employees}') AS full \gset
SELECT is(tt_test.scd2_employee_ranges(10), ARRAY['2025-01-01 00:00:00+00|2025-03-01 00:00:00+00|false'],
          'the absent id is closed at the batch start');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE is_current AND employee_id <= 9), 9, 'the others stay current');
SELECT ok((SELECT is_current FROM tracktik.dim_employees WHERE employee_id = 500), 'an inferred member is not closed');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'closed' FROM tracktik.etl_batches WHERE batch_id = :'full'), '1',
          'counted closed');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'full'), 0, 'no issue below the limit');

-- the id comes back, unchanged and with its old updatedOn: a new current version from the close
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(10, '2025-01-01T00:00:00Z')), '2025-04-01 00:00:00+00') IS NOT NULL;
SELECT is(tt_test.scd2_employee_ranges(10), ARRAY[
    '2025-01-01 00:00:00+00|2025-03-01 00:00:00+00|false',
    '2025-03-01 00:00:00+00|open|true'], 'a returning id gets a new current version');
-- ... and a later one, changed, starts at its updatedOn
SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i, '2025-01-01T00:00:00Z')) FROM generate_series(1, 8) AS i),
                    '2025-05-01 00:00:00+00', '{employees}') IS NOT NULL;
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(9, '2025-05-10T00:00:00Z', '{"status": "ACTIVE", "jobTitle": "Back"}')),
                    '2025-06-01 00:00:00+00') IS NOT NULL;
SELECT is(tt_test.scd2_employee_ranges(9), ARRAY[
    '2025-01-01 00:00:00+00|2025-05-01 00:00:00+00|false',
    '2025-05-10 00:00:00+00|open|true'], 'a returning changed id starts at its updatedOn (2 of 10 closed: at the limit)');

SELECT * FROM finish();
ROLLBACK;
