-- Circuit breaker: a full sync that would close more than tracktik.settings.
-- full_sync_max_close_share (default 0.20) of the current rows closes none and records an
-- error-severity blocked_mass_delete issue; the rest of the batch still loads.
BEGIN;
SELECT plan(7);
UPDATE tracktik.settings SET full_sync_min_close_count = 1;   -- the share alone decides here (see quality/)

SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i, '2025-01-01T00:00:00Z')) FROM generate_series(1, 10) AS i)) IS NOT NULL;

-- a truncated extract: 7 of 10 (30% would close), one of them changed
SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i, '2025-02-01T00:00:00Z', jsonb_build_object('jobTitle', 'T' || i)))
                                    FROM generate_series(1, 7) AS i), '2025-03-01 00:00:00+00', '{employees}') AS b \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE is_current), 10, 'nothing is closed');
SELECT is((SELECT severity FROM tt_test.scd2_issues(:'b', 'blocked_mass_delete')), 'error', 'an error blocked_mass_delete issue is recorded');
SELECT is((SELECT issue_data ->> 'would_close' FROM tt_test.scd2_issues(:'b', 'blocked_mass_delete')), '3', 'naming how many would have closed');
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE job_title LIKE 'T%' AND is_current), 7, 'the staged records still load');
SELECT is((SELECT metadata -> 'merge' -> 'employees' ->> 'closed' FROM tracktik.etl_batches WHERE batch_id = :'b'), '7',
          'only the changed versions were closed');

-- a DBA raises the limit: the same kind of sync now closes
UPDATE tracktik.settings SET full_sync_max_close_share = 0.5;
SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i, '2025-02-01T00:00:00Z', jsonb_build_object('jobTitle', 'T' || i)))
                                    FROM generate_series(1, 7) AS i), '2025-04-01 00:00:00+00', '{employees}') AS b2 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE is_current), 7, 'with a 50% limit the 3 absent ids are closed');
SELECT is((SELECT count(*)::int FROM tt_test.scd2_issues(:'b2', 'blocked_mass_delete')), 0, 'and nothing is blocked');

SELECT * FROM finish();
ROLLBACK;
