-- Back to 0025: open issues indexed by (issue_type, created_at).
DROP INDEX IF EXISTS tracktik.data_quality_issues_open_by_age;
CREATE INDEX data_quality_issues_open ON tracktik.data_quality_issues (issue_type, created_at) WHERE resolved_at IS NULL;
