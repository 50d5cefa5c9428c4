-- The merge itself infers referenced parents it does not know (an employee's or site's
-- region, a post's site, a sub-region's parent), through ensure_inferred_members; parents
-- staged in the same batch are merged first and not inferred.
BEGIN;
SELECT plan(7);

SELECT tt_test.scd2_batch() AS b \gset
SELECT tt_test.scd2_stage(:'b', 'regions', jsonb_build_array(tt_test.api_region(1), tt_test.api_region(2, '2025-01-01T00:00:00Z', '{"parentRegion": 90}')));
SELECT tt_test.scd2_stage(:'b', 'clients', jsonb_build_array(tt_test.api_client(10, '2025-01-01T00:00:00Z', '{"region": 1, "parentClient": 11}')));
SELECT tt_test.scd2_stage(:'b', 'positions', jsonb_build_array(tt_test.api_position(100, '2025-01-01T00:00:00Z', '{"account": {"id": 12}}')));
SELECT tt_test.scd2_stage(:'b', 'employees', jsonb_build_array(tt_test.api_employee(1000, '2025-01-01T00:00:00Z', '{"region": 91}'),
                                                          tt_test.api_employee(1001, '2025-01-01T00:00:00Z', '{"region": 1}')));
SELECT tracktik.merge_dimensions(:'b') AS counts \gset

SELECT is((SELECT array_agg(region_id ORDER BY region_id) FROM tracktik.dim_regions WHERE is_inferred), ARRAY[90, 91]::bigint[],
          'unknown regions (a parent, an employee''s) are inferred; staged ones are not');
SELECT is((SELECT array_agg(client_id ORDER BY client_id) FROM tracktik.dim_clients WHERE is_inferred), ARRAY[11, 12]::bigint[],
          'unknown sites (a parent client, a post''s account) are inferred');
SELECT ok((SELECT bool_and(valid_from = '-infinity' AND is_current) FROM tracktik.dim_regions WHERE is_inferred),
          'inferred members are current from -infinity');
SELECT is((SELECT count(*)::int FROM tt_test.scd2_issues(:'b', 'inferred_member')), 4, 'one inferred_member issue each');
SELECT is((:'counts'::jsonb -> 'employees' ->> 'inferred')::int, 1, 'counted under the dimension whose records referenced them');
SELECT is((SELECT region_id FROM tracktik.dim_employees WHERE employee_id = 1000), 91::bigint, 'the employee keeps its region id');
SELECT is((SELECT region_name FROM tracktik.dim_employees WHERE employee_id = 1001), 'Region 1', 'and a known region gives its name');

SELECT * FROM finish();
ROLLBACK;
