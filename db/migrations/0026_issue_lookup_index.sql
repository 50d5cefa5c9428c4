-- depends: 0018_quality_once_and_ranges
-- Finding an open issue again (the trigger tracktik._data_quality_issue_seen, once per inserted
-- issue) must use the unique index over open issues (table_name, issue_type, record_key). The
-- older index on (issue_type, created_at) matched its issue_type condition too, and a planner
-- without statistics (a first load) chose it: every insert then scanned all open issues of its
-- type, quadratic in the issues of a batch (9.5 s for the 4,847 missing_bill_rate issues of the
-- 100,000-shift benchmark). Open issues are listed by age through an index on created_at alone.
DROP INDEX tracktik.data_quality_issues_open;
CREATE INDEX data_quality_issues_open_by_age ON tracktik.data_quality_issues (created_at) WHERE resolved_at IS NULL;
COMMENT ON INDEX tracktik.data_quality_issues_open_by_age IS
    'Open issues by age (v_open_data_quality_issues, status). Deliberately not on issue_type: the lookup of an issue seen again must use data_quality_issues_open_once.';
