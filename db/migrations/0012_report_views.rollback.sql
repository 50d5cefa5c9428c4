DROP VIEW IF EXISTS tracktik.v_billing_period_issues;
DROP VIEW IF EXISTS tracktik.v_billing_period_daily;
DROP VIEW IF EXISTS tracktik.v_billing_period_posts;
