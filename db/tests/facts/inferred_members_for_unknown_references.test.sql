-- A shift referencing an employee or post the warehouse does not know yet still loads: the id
-- becomes an inferred member (tracktik.ensure_inferred_members, issue 3) and the fact points at it.
BEGIN;
SELECT plan(5);

SELECT tt_test.build_world();
SELECT tt_test.new_batch() AS b \gset
SELECT tt_test.stage_shift(:'b', 1, 99, 9999, '2025-01-13T08:00:00-08:00', '2025-01-13T16:00:00-08:00');

SELECT tt_test.load(:'b');

SELECT is((SELECT is_inferred FROM tracktik.dim_employees WHERE employee_id = 99), true, 'the unknown employee is inferred');
SELECT is((SELECT is_inferred FROM tracktik.dim_positions WHERE position_id = 9999), true, 'the unknown post is inferred');
SELECT is((tt_test.fact(1)).employee_key, (SELECT surrogate_key FROM tracktik.dim_employees WHERE employee_id = 99),
          'the fact points at the inferred employee');
SELECT is((tt_test.fact(1)).position_key, (SELECT surrogate_key FROM tracktik.dim_positions WHERE position_id = 9999),
          'the fact points at the inferred post');
SELECT is((tt_test.fact(1)).time_zone, 'America/Los_Angeles', 'a post without a site: the default time zone');

SELECT * FROM finish();
ROLLBACK;
