-- Denormalised names (parent_region_name, region_name, client_name) come from the current
-- version of the referenced member. A rename versions only the renamed dimension; the names
-- on other dimensions' current rows are refreshed in place, without versions.
BEGIN;
SELECT plan(9);

SELECT tt_test.scd2_batch('2025-03-01') AS b1 \gset
SELECT tt_test.scd2_stage(:'b1', 'regions', jsonb_build_array(tt_test.api_region(1), tt_test.api_region(2, '2025-01-01T00:00:00Z', '{"parentRegion": 1}')));
SELECT tt_test.scd2_stage(:'b1', 'clients', jsonb_build_array(tt_test.api_client(10, '2025-01-01T00:00:00Z', '{"region": 1}')));
SELECT tt_test.scd2_stage(:'b1', 'positions', jsonb_build_array(tt_test.api_position(100, '2025-01-01T00:00:00Z', '{"account": 10}')));
SELECT tt_test.scd2_stage(:'b1', 'employees', jsonb_build_array(tt_test.api_employee(1000, '2025-01-01T00:00:00Z', '{"region": 1}')));
SELECT tracktik.merge_dimensions(:'b1') IS NOT NULL;

SELECT is((SELECT parent_region_name FROM tracktik.dim_regions WHERE region_id = 2), 'Region 1',
          'a parent merged in the same batch gives its name');
SELECT is((SELECT row(c.region_name, p.client_name, e.region_name)::text
             FROM tracktik.dim_clients c, tracktik.dim_positions p, tracktik.dim_employees e),
          row('Region 1', 'Site 10', 'Region 1')::text, 'names come from the referenced current versions');

-- region 1 and site 10 renamed
SELECT tt_test.scd2_batch('2025-04-01') AS b2 \gset
SELECT tt_test.scd2_stage(:'b2', 'regions', jsonb_build_array(tt_test.api_region(1, '2025-03-15T00:00:00Z', '{"name": "Bay Area"}')));
SELECT tt_test.scd2_stage(:'b2', 'clients', jsonb_build_array(tt_test.api_client(10, '2025-03-15T00:00:00Z', '{"region": 1, "name": "HQ"}')));
SELECT tracktik.merge_dimensions(:'b2') AS counts \gset

SELECT is((SELECT count(*)::int FROM tracktik.dim_regions WHERE region_id = 1), 2, 'the renamed region has a new version');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees), 1, 'the employee has no new version');
SELECT is((SELECT count(*)::int FROM tracktik.dim_positions), 1, 'the post has no new version');
SELECT is((SELECT region_name FROM tracktik.dim_employees WHERE employee_id = 1000), 'Bay Area', 'the employee''s region name is refreshed');
SELECT is((SELECT parent_region_name FROM tracktik.dim_regions WHERE region_id = 2), 'Bay Area', 'so is the sub-region''s parent name');
SELECT is((SELECT client_name FROM tracktik.dim_positions WHERE position_id = 100), 'HQ', 'and the post''s site name');
SELECT is((:'counts'::jsonb -> 'employees' ->> 'refreshed')::int, 1, 'counted refreshed');

SELECT * FROM finish();
ROLLBACK;
