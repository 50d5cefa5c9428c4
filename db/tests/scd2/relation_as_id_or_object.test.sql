-- A relation may arrive as an integer id or as an included object {"id": ..., ...}; both
-- give the same id, and switching between the two forms is no change.
BEGIN;
SELECT plan(5);

SELECT tt_test.scd2_load('regions', jsonb_build_array(tt_test.api_region(5))) IS NOT NULL;
SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(1, '2025-01-01T00:00:00Z', '{"region": 5}'),
    tt_test.api_employee(2, '2025-01-01T00:00:00Z', '{"region": {"id": 5, "name": "Region 5", "customId": "R5"}}'),
    tt_test.api_employee(3, '2025-01-01T00:00:00Z', '{"region": "5"}'))) IS NOT NULL;
SELECT is((SELECT array_agg(region_id ORDER BY employee_id) FROM tracktik.dim_employees), ARRAY[5, 5, 5]::bigint[],
          'an id, an included object and a numeric string all give region 5');
SELECT is((SELECT array_agg(region_name ORDER BY employee_id) FROM tracktik.dim_employees), ARRAY['Region 5', 'Region 5', 'Region 5'],
          'the name comes from the region dimension');

SELECT tt_test.scd2_load('employees', jsonb_build_array(
    tt_test.api_employee(1, '2025-02-01T00:00:00Z', '{"region": {"id": 5}}'),
    tt_test.api_employee(2, '2025-02-01T00:00:00Z', '{"region": 5}'))) AS b2 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees), 3, 'switching forms makes no version');

SELECT tt_test.scd2_load('positions', jsonb_build_array(
    tt_test.api_position(7, '2025-01-01T00:00:00Z', '{"account": {"id": 70, "name": "Site 70"}}'))) IS NOT NULL;
SELECT is((SELECT client_id FROM tracktik.dim_positions WHERE position_id = 7), 70::bigint, 'a post''s account object gives its site id');
SELECT tt_test.scd2_load('employees', jsonb_build_array(tt_test.api_employee(4, '2025-01-01T00:00:00Z', '{"region": {"name": "no id"}}'))) IS NOT NULL;
SELECT ok((SELECT region_id IS NULL FROM tracktik.dim_employees WHERE employee_id = 4), 'an object without an id is no relation');

SELECT * FROM finish();
ROLLBACK;
