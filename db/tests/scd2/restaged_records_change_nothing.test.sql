-- The same records staged again in a new batch (or the same batch merged again) change
-- nothing: no version, and no row is even rewritten (same ctid, same updated_at).
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE recs AS SELECT * FROM (VALUES
    ('regions',   jsonb_build_array(tt_test.api_region(1), tt_test.api_region(2, '2025-01-02T00:00:00Z', '{"parentRegion": 1}'))),
    ('clients',   jsonb_build_array(tt_test.api_client(10, '2025-01-02T00:00:00Z', '{"region": {"id": 2, "name": "Region 2"}}'))),
    ('positions', jsonb_build_array(tt_test.api_position(100, '2025-01-03T00:00:00Z', '{"account": 10}'))),
    ('employees', jsonb_build_array(tt_test.api_employee(1000, '2025-01-04T00:00:00Z', '{"region": 2}'),
                                    tt_test.api_employee(1001, NULL, '{"region": 77}')))
) AS r(resource, records);

SELECT tt_test.scd2_batch('2025-03-01 00:00:00+00') AS b1 \gset
SELECT count(tt_test.scd2_stage(:'b1', resource, records)) FROM recs;
SELECT tracktik.merge_dimensions(:'b1') IS NOT NULL;

CREATE TEMP TABLE before AS
    SELECT 'r' AS d, surrogate_key, ctid::text AS c, updated_at FROM tracktik.dim_regions
    UNION ALL SELECT 'c', surrogate_key, ctid::text, updated_at FROM tracktik.dim_clients
    UNION ALL SELECT 'p', surrogate_key, ctid::text, updated_at FROM tracktik.dim_positions
    UNION ALL SELECT 'e', surrogate_key, ctid::text, updated_at FROM tracktik.dim_employees;
CREATE TEMP VIEW after AS
    SELECT 'r' AS d, surrogate_key, ctid::text AS c, updated_at FROM tracktik.dim_regions
    UNION ALL SELECT 'c', surrogate_key, ctid::text, updated_at FROM tracktik.dim_clients
    UNION ALL SELECT 'p', surrogate_key, ctid::text, updated_at FROM tracktik.dim_positions
    UNION ALL SELECT 'e', surrogate_key, ctid::text, updated_at FROM tracktik.dim_employees;

SELECT tt_test.scd2_batch('2025-03-02 00:00:00+00') AS b2 \gset
SELECT count(tt_test.scd2_stage(:'b2', resource, records)) FROM recs;
SELECT tracktik.merge_dimensions(:'b2') AS counts \gset

SELECT set_eq('SELECT * FROM after', 'SELECT * FROM before', 'a new batch of the same records rewrites no row and adds none');
SELECT is((:'counts'::jsonb -> 'employees' ->> 'unchanged')::int, 2, 'employees counted unchanged');
SELECT is((:'counts'::jsonb -> 'regions' ->> 'unchanged')::int, 2, 'regions counted unchanged');
SELECT is((SELECT sum((v ->> 'inserted')::int + (v ->> 'closed')::int + (v ->> 'filled')::int + (v ->> 'late')::int
                      + (v ->> 'refreshed')::int + (v ->> 'inferred')::int)::int
             FROM jsonb_each(:'counts'::jsonb) AS e(k, v)), 0, 'nothing inserted, closed, filled, refreshed or inferred');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE batch_id = :'b2'), 0, 'no issue recorded');

SELECT tracktik.merge_dimensions(:'b2') IS NOT NULL;
SELECT set_eq('SELECT * FROM after', 'SELECT * FROM before', 'merging the same batch again rewrites nothing either');
SELECT tracktik.merge_dimensions(:'b1') IS NOT NULL;
SELECT set_eq('SELECT * FROM after', 'SELECT * FROM before', 'nor does merging the first batch again');
SELECT is((SELECT count(*)::int FROM tracktik.dim_regions WHERE is_inferred), 1, 'the inferred region 77 was made once');

SELECT * FROM finish();
ROLLBACK;
