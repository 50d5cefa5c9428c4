-- An open data-quality issue exists once BY CONSTRUCTION: a unique index over the open issues
-- (table_name, issue_type, record_key) that any insert meets, whoever writes it. Inserting it
-- again (ON CONFLICT DO NOTHING, or even a plain INSERT) marks the open one seen by the new
-- batch instead; a resolved one may be recorded again. Records without an id are told apart by
-- their content; an issue about a whole table (blocked_mass_delete) is one per table.
BEGIN;
SELECT plan(13);

SELECT tt_test.new_batch() AS b1 \gset
SELECT tt_test.new_batch() AS b2 \gset

SELECT has_index('tracktik', 'data_quality_issues', 'data_quality_issues_open_once', 'the unique index over open issues exists');
SELECT ok((SELECT indisunique FROM pg_index WHERE indexrelid = 'tracktik.data_quality_issues_open_once'::regclass),
          '... and it is unique');

INSERT INTO tracktik.data_quality_issues (batch_id, table_name, record_id, issue_type, severity, issue_description)
VALUES (:'b1', 'dim_regions', '7', 'invalid_field_value', 'error', 'first');
INSERT INTO tracktik.data_quality_issues (batch_id, table_name, record_id, issue_type, severity, issue_description)
VALUES (:'b2', 'dim_regions', '7', 'invalid_field_value', 'error', 'again')
ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
INSERT INTO tracktik.data_quality_issues (batch_id, table_name, record_id, issue_type, severity, issue_description)
VALUES (:'b2', 'dim_regions', '7', 'invalid_field_value', 'error', 'a plain insert');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE record_id = '7'), 1,
          'the same open issue is one row, whatever inserts it');
SELECT is((SELECT (batch_id::text, last_seen_batch_id::text, issue_description)
             FROM tracktik.data_quality_issues WHERE record_id = '7'),
          (:'b1'::text, :'b2'::text, 'first'::text), 'the first stays, marked seen by the later batch');

SELECT lives_ok($$INSERT INTO tracktik.data_quality_issues (batch_id, table_name, record_id, issue_type, severity, issue_description)
                  VALUES (NULL, 'dim_regions', '7', 'invalid_field_value', 'error', 'in the same statement'),
                         (NULL, 'dim_regions', '7', 'invalid_field_value', 'error', 'twice')
                  ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING$$,
                'one statement proposing it twice does not fail');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE record_id = '7'), 1, '... and adds nothing');

SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE record_id = '7' AND issue_type = 'invalid_field_value'
            AND table_name = 'dim_clients'), 0, 'another table is another issue (none yet)');
INSERT INTO tracktik.data_quality_issues (batch_id, table_name, record_id, issue_type, severity, issue_description)
VALUES (:'b1', 'dim_regions', '7', 'missing_required_field', 'error', 'another type');
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE record_id = '7'), 2, 'another type is another issue');

UPDATE tracktik.data_quality_issues SET resolved_at = now(), resolution_note = 'test'
 WHERE record_id = '7' AND issue_type = 'invalid_field_value';
INSERT INTO tracktik.data_quality_issues (batch_id, table_name, record_id, issue_type, severity, issue_description)
VALUES (:'b2', 'dim_regions', '7', 'invalid_field_value', 'error', 'found again after resolution')
ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE record_id = '7' AND issue_type = 'invalid_field_value'),
          2, 'a resolved issue found again is recorded again');

-- records without an id: by content
INSERT INTO tracktik.data_quality_issues (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
VALUES (:'b1', 'fact_shifts', NULL, 'missing_required_field', 'error', 'no id', '{"status": "ACTIVE"}'),
       (:'b1', 'fact_shifts', NULL, 'missing_required_field', 'error', 'no id', '[1, 2]'),
       (:'b2', 'fact_shifts', NULL, 'missing_required_field', 'error', 'no id, again', '{"status": "ACTIVE"}')
ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE table_name = 'fact_shifts' AND record_id IS NULL),
          2, 'two different records without an id are two issues; the same one sent again is one');

-- an issue about a whole table
INSERT INTO tracktik.data_quality_issues (batch_id, table_name, record_id, issue_type, severity, issue_description, issue_data)
VALUES (:'b1', 'dim_employees', NULL, 'blocked_mass_delete', 'error', 'blocked', '{"would_close": 5}'),
       (:'b2', 'dim_employees', NULL, 'blocked_mass_delete', 'error', 'blocked', '{"would_close": 6}')
ON CONFLICT (table_name, issue_type, record_key) WHERE resolved_at IS NULL DO NOTHING;
SELECT is((SELECT count(*)::int FROM tracktik.data_quality_issues WHERE issue_type = 'blocked_mass_delete'), 1,
          'one open blocked_mass_delete per table, whatever its counts');

-- every INSERT statement into the table, in every routine, ignores a duplicate: the text after
-- each "INSERT INTO tracktik.data_quality_issues", up to the next statement, has its
-- ON CONFLICT ... DO NOTHING
SELECT is(ARRAY(SELECT x.proname || ' #' || (x.n - 1)
                  FROM (SELECT p.proname, t.n,
                               regexp_replace(t.piece, '(\mINSERT\M|\mUPDATE\M|\mDELETE\M|GET\s+DIAGNOSTICS|\mEND\s+IF\M|\mRETURN\M).*$',
                                              '') AS head   -- keywords in capitals, as the routines write them
                          FROM pg_proc AS p
                         CROSS JOIN LATERAL regexp_split_to_table(p.prosrc, 'INSERT\s+INTO\s+tracktik\.data_quality_issues', 'i')
                                            WITH ORDINALITY AS t(piece, n)
                         WHERE p.pronamespace = 'tracktik'::regnamespace) AS x
                 WHERE x.n > 1 AND x.head !~* 'ON\s+CONFLICT\s*(\([^)]*\)\s*WHERE\s+resolved_at\s+IS\s+NULL\s*)?DO\s+NOTHING'
                 ORDER BY 1),
          ARRAY[]::text[], 'every insert into data_quality_issues in a routine says ON CONFLICT ... DO NOTHING (offenders)');
SELECT cmp_ok((SELECT count(*)::int FROM pg_proc AS p
                CROSS JOIN LATERAL regexp_matches(p.prosrc, 'INSERT\s+INTO\s+tracktik\.data_quality_issues', 'gi') AS m
                WHERE p.pronamespace = 'tracktik'::regnamespace), '>=', 17, '... of at least the 17 that exist');

SELECT * FROM finish();
ROLLBACK;
