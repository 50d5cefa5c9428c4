-- The mass-close circuit breaker needs a count as well as a share
-- (tracktik.settings.full_sync_min_close_count, default 10): 3 of 10 regions closing is not a
-- truncated extract. A blocked full sync is one open blocked_mass_delete per table, found
-- again by every blocked sync and resolved by the next full sync the breaker lets through.
BEGIN;
SELECT plan(7);

SELECT is((SELECT full_sync_min_close_count FROM tracktik.settings), 10, 'the default minimum is 10');

SELECT tt_test.scd2_load('regions', (SELECT jsonb_agg(tt_test.api_region(i)) FROM generate_series(1, 10) AS i)) IS NOT NULL;
SELECT tt_test.scd2_load('regions', (SELECT jsonb_agg(tt_test.api_region(i)) FROM generate_series(1, 7) AS i),
                         '2025-03-02 00:00:00+00', '{regions}') AS b \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_regions WHERE is_current), 7, '3 of 10 regions absent from a full sync are closed');
SELECT is(tt_test.issues(:'b', 'blocked_mass_delete'), 0::bigint, 'nothing is blocked');

SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i)) FROM generate_series(1, 30) AS i)) IS NOT NULL;
SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i)) FROM generate_series(1, 20) AS i),
                         '2025-03-02 00:00:00+00', '{employees}') AS e1 \gset
SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i)) FROM generate_series(1, 19) AS i),
                         '2025-03-03 00:00:00+00', '{employees}') AS e2 \gset
SELECT is((SELECT count(*)::int FROM tracktik.dim_employees WHERE is_current), 30, '10 (and 11) of 30 are blocked');
SELECT is((SELECT (count(*), min(last_seen_batch_id::text)) FROM tracktik.data_quality_issues
            WHERE issue_type = 'blocked_mass_delete' AND resolved_at IS NULL), (1::bigint, :'e2'::text),
          'one open issue, seen by the second blocked sync');

SELECT tt_test.scd2_load('employees', (SELECT jsonb_agg(tt_test.api_employee(i)) FROM generate_series(1, 30) AS i),
                         '2025-03-04 00:00:00+00', '{employees}') AS e3 \gset
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE issue_type = 'blocked_mass_delete' AND resolved_at IS NULL), 0,
          'a full sync the breaker lets through resolves it');
SELECT matches((SELECT resolution_note FROM tracktik.data_quality_issues WHERE issue_type = 'blocked_mass_delete'),
               '^resolved by batch ' || :'e3', 'naming the batch');

SELECT * FROM finish();
ROLLBACK;
