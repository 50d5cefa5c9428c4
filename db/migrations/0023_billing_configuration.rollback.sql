-- Back to 0022: no TrackTik billing configuration, billable items or reconciliation.
DROP VIEW IF EXISTS tracktik.v_billing_largest_differences;
DROP VIEW IF EXISTS tracktik.v_billing_reconciliation;
DROP TABLE IF EXISTS tracktik.billing_reconciliation;
DROP TABLE IF EXISTS tracktik.api_billable_items;
DROP TABLE IF EXISTS tracktik.api_holiday_dates;
DROP TABLE IF EXISTS tracktik.api_holidays;
DROP TABLE IF EXISTS tracktik.api_holiday_groups;
DROP TABLE IF EXISTS tracktik.api_overtime_rule_items;
DROP TABLE IF EXISTS tracktik.api_overtime_rules;
DROP TABLE IF EXISTS tracktik.api_position_billing;
ALTER TABLE tracktik.position_bill_settings DROP COLUMN IF EXISTS overtime_rate, DROP COLUMN IF EXISTS double_time_rate;
ALTER TABLE tracktik.holiday_rules DROP COLUMN IF EXISTS is_shipped_default;
ALTER TABLE tracktik.overtime_rules DROP COLUMN IF EXISTS is_shipped_default;
