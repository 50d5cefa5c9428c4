-- TrackTik's billing configuration, billable items and reconciliation (issue 12). The loaders
-- (_load_billing_configuration, _apply_config_versions, _load_billable_items,
-- _reconcile_billing) are internals of load_fact_shifts, which runs them as their owner:
-- granted to nobody (010_foundation revoked everything). Readers see every table and view
-- (also granted by migration 0023; re-asserted on every migrate).
GRANT SELECT ON tracktik.api_position_billing, tracktik.api_overtime_rules, tracktik.api_overtime_rule_items,
                tracktik.api_holiday_groups, tracktik.api_holidays, tracktik.api_holiday_dates,
                tracktik.api_billable_items, tracktik.billing_reconciliation,
                tracktik.v_billing_reconciliation, tracktik.v_billing_largest_differences
   TO tracktik_reader;
