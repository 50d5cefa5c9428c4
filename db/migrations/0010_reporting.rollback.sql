DROP VIEW IF EXISTS tracktik.v_open_data_quality_issues;
DROP VIEW IF EXISTS tracktik.v_sync_status;
DROP VIEW IF EXISTS tracktik.v_batch_health;
DROP VIEW IF EXISTS tracktik.v_standby_watch_posts;
DROP MATERIALIZED VIEW IF EXISTS tracktik.mv_billing_period_totals;
DROP VIEW IF EXISTS tracktik.v_billing_period_summary;
DROP VIEW IF EXISTS tracktik.v_region_markets;
DROP VIEW IF EXISTS tracktik.v_current_employees;
DROP VIEW IF EXISTS tracktik.v_current_positions;
DROP VIEW IF EXISTS tracktik.v_current_clients;
DROP VIEW IF EXISTS tracktik.v_current_regions;
ALTER TABLE tracktik.settings
    DROP COLUMN IF EXISTS kaiser_root_region_name_pattern,
    DROP COLUMN IF EXISTS kaiser_root_region_id;
