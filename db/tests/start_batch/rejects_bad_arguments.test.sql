-- start_batch rejects bad arguments with the project's SQLSTATE TT001 and changes nothing.
BEGIN;
SELECT plan(4);

SELECT throws_ok($$SELECT tracktik.start_batch('', '{}')$$, 'TT001', NULL, 'an empty batch type is rejected');
SELECT throws_ok($$SELECT tracktik.start_batch(NULL, '{}')$$, 'TT001', NULL, 'a NULL batch type is rejected');
SELECT throws_ok($$SELECT tracktik.start_batch('full', '[1, 2]')$$, 'TT001', NULL, 'non-object metadata is rejected');
SELECT is((SELECT count(*)::int FROM tracktik.etl_batches), 0, 'no batch row was left behind');

SELECT * FROM finish();
ROLLBACK;
