-- Shared setup of the facts, billing and batch suites (schema tt_test): a small Kaiser world of
-- regions, sites, posts and employees inserted straight into the dimensions (no merge), rates,
-- and builders that stage shift records and load them.
--
-- The world (valid since 2000-01-01, all current):
--   regions  1 Kaiser Permanente (root)      10 Northern California   11 Southern California
--            12 Los Angeles (under 11)        20 Colorado (America/Denver)
--   sites    100 Oakland Medical Center (10)  120 LA Medical Center (12)  200 Denver Clinic (20)
--   posts    1000 Main Entrance Officer (100)   1001 STANDBY Officer (100)
--            1002 Night WATCH (100)             1003 Behavioral Health Sitter (100, non-billable)
--            1200 Lobby Officer (120)           2000 Lobby Officer (200)
--            2001 Loading Dock Officer (200, no rate anywhere)
--   employees 1..6
--   rates    local position overrides: 1000 40.00, 1001 30.00, 1002 35.00, 1003 30.00,
--            1200 45.00, 2000 40.00 (multipliers: the settings defaults 1.5 / 2.0 / 1.5)
-- Workweeks start on Fridays (the anchor 2024-12-27 is a Friday): 2025_02 is 2025-01-10..23,
-- weeks Fri 10..Thu 16 and Fri 17..Thu 23.

CREATE OR REPLACE FUNCTION tt_test.add_region(p_id bigint, p_name text, p_parent bigint DEFAULT NULL,
                                              p_time_zone text DEFAULT 'America/Los_Angeles')
RETURNS void LANGUAGE sql AS $$
    INSERT INTO tracktik.dim_regions (region_id, name, parent_region_id, status, time_zone,
                                      valid_from, is_current, attributes_hash)
    VALUES (p_id, p_name, p_parent, 'ACTIVE', p_time_zone, '2000-01-01', true, '\x00');
$$;

CREATE OR REPLACE FUNCTION tt_test.add_site(p_id bigint, p_name text, p_region bigint,
                                            p_time_zone text DEFAULT 'America/Los_Angeles')
RETURNS void LANGUAGE sql AS $$
    INSERT INTO tracktik.dim_clients (client_id, name, client_type, status, region_id, time_zone,
                                      valid_from, is_current, attributes_hash)
    VALUES (p_id, p_name, 'SERVICE_LOCATION', 'ACTIVE', p_region, p_time_zone, '2000-01-01', true, '\x00');
$$;

CREATE OR REPLACE FUNCTION tt_test.add_post(p_id bigint, p_name text, p_site bigint,
                                            p_non_billable boolean DEFAULT false)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO tracktik.dim_positions (position_id, name, status, client_id, non_billable,
                                        valid_from, is_current, attributes_hash)
    VALUES (p_id, p_name, 'ACTIVE', p_site, p_non_billable, '2000-01-01', true, '\x00');
$$;

CREATE OR REPLACE FUNCTION tt_test.add_employee(p_id bigint, p_first text DEFAULT NULL, p_last text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO tracktik.dim_employees (employee_id, first_name, last_name, status, valid_from,
                                        is_current, attributes_hash)
    VALUES (p_id, coalesce(p_first, 'Guard'), coalesce(p_last, 'No' || p_id), 'ACTIVE', '2000-01-01', true, '\x00');
$$;

CREATE OR REPLACE FUNCTION tt_test.add_position_rate(p_position bigint, p_rate numeric,
                                                     p_from date DEFAULT '-infinity', p_to date DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO tracktik.bill_rate_overrides (scope, scope_id, bill_rate, effective_from, effective_to)
    VALUES ('position', p_position, p_rate, p_from, p_to);
$$;

CREATE OR REPLACE FUNCTION tt_test.build_world()
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tt_test.add_region(1, 'Kaiser Permanente');
    PERFORM tt_test.add_region(10, 'Northern California', 1);
    PERFORM tt_test.add_region(11, 'Southern California', 1);
    PERFORM tt_test.add_region(12, 'Los Angeles', 11);
    PERFORM tt_test.add_region(20, 'Colorado', 1, 'America/Denver');
    PERFORM tt_test.add_site(100, 'Oakland Medical Center', 10);
    PERFORM tt_test.add_site(120, 'LA Medical Center', 12);
    PERFORM tt_test.add_site(200, 'Denver Clinic', 20, 'America/Denver');
    PERFORM tt_test.add_post(1000, 'Main Entrance Officer', 100);
    PERFORM tt_test.add_post(1001, 'STANDBY Officer', 100);
    PERFORM tt_test.add_post(1002, 'Night WATCH', 100);
    PERFORM tt_test.add_post(1003, 'Behavioral Health Sitter', 100, true);
    PERFORM tt_test.add_post(1200, 'Lobby Officer', 120);
    PERFORM tt_test.add_post(2000, 'Lobby Officer', 200);
    PERFORM tt_test.add_post(2001, 'Loading Dock Officer', 200);
    PERFORM tt_test.add_employee(e) FROM generate_series(1, 6) AS e;
    PERFORM tt_test.add_position_rate(p, r)
       FROM (VALUES (1000, 40.00), (1001, 30.00), (1002, 35.00), (1003, 30.00), (1200, 45.00), (2000, 40.00)) AS v(p, r);
END
$$;

-- A batch opened the way the shell opens one (running, own staging partition).
CREATE OR REPLACE FUNCTION tt_test.new_batch(p_type text DEFAULT 'test')
RETURNS uuid LANGUAGE sql AS $$
    SELECT tracktik.start_batch(p_type, '{}'::jsonb);
$$;

-- A shift record as the API returns it. Times are ISO texts with offsets; no timeZone (the
-- site's applies) unless p_extra gives one; no break; billable and payable; updatedOn and
-- modifiedOn 2025-06-01 (modifiedOn follows an updatedOn that p_extra gives, unless p_extra
-- gives its own).
CREATE OR REPLACE FUNCTION tt_test.shift(p_id bigint, p_employee bigint, p_position bigint,
                                         p_start text, p_end text, p_extra jsonb DEFAULT '{}')
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
               'id', p_id, 'status', 'ACTIVE', 'startDateTime', p_start, 'endDateTime', p_end,
               'employee', p_employee, 'position', p_position, 'breakInMinutes', 0,
               'billable', true, 'payable', true, 'vacant', p_employee IS NULL,
               'updatedOn', '2025-06-01T00:00:00+00:00',
               'modifiedOn', coalesce(p_extra -> 'modifiedOn', p_extra -> 'updatedOn',
                                      '"2025-06-01T00:00:00+00:00"'::jsonb)) || p_extra;
$$;

CREATE OR REPLACE FUNCTION tt_test.stage(p_batch uuid, p_resource text, p_record jsonb)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO staging.api_records (batch_id, resource, record) VALUES (p_batch, p_resource, p_record);
$$;

CREATE OR REPLACE FUNCTION tt_test.stage_shift(p_batch uuid, p_id bigint, p_employee bigint, p_position bigint,
                                               p_start text, p_end text, p_extra jsonb DEFAULT '{}')
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage(p_batch, 'shifts', tt_test.shift(p_id, p_employee, p_position, p_start, p_end, p_extra));
$$;

-- p_days shifts of one employee on a post, one per day from a local date, p_hours long from
-- p_start_hour Pacific time (8 hours from 08:00 by default); ids p_first_id, p_first_id + 1, ...
CREATE OR REPLACE FUNCTION tt_test.stage_days(p_batch uuid, p_first_id bigint, p_employee bigint,
                                              p_position bigint, p_first_day date, p_days integer,
                                              p_hours integer DEFAULT 8, p_start_hour integer DEFAULT 8)
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage_shift(
               p_batch, p_first_id + i, p_employee, p_position,
               to_char(((p_first_day + i) + make_time(p_start_hour, 0, 0)) AT TIME ZONE 'America/Los_Angeles'
                       AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
               to_char(((p_first_day + i) + make_time(p_start_hour, 0, 0) + make_interval(hours => p_hours))
                       AT TIME ZONE 'America/Los_Angeles' AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))
      FROM generate_series(0, p_days - 1) AS i;
$$;

CREATE OR REPLACE FUNCTION tt_test.load(p_batch uuid)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT tracktik.load_fact_shifts(p_batch);
$$;

-- The stored fact row of a shift (the only one: a shift is in one period).
CREATE OR REPLACE FUNCTION tt_test.fact(p_shift_id bigint)
RETURNS tracktik.fact_shifts LANGUAGE sql AS $$
    SELECT f FROM tracktik.fact_shifts AS f WHERE f.shift_id = p_shift_id;
$$;

-- Issues of a type recorded for a batch.
CREATE OR REPLACE FUNCTION tt_test.issues(p_batch uuid, p_type text)
RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM tracktik.data_quality_issues AS q WHERE q.batch_id = p_batch AND q.issue_type = p_type;
$$;

-- The same world as API records, for tests that run the real SCD2 merge (issue 3): stages
-- regions, sites, posts and employees into a batch (updatedOn 2024-06-01). Rates are local
-- configuration, not API data: tt_test.add_world_rates().
CREATE OR REPLACE FUNCTION tt_test.stage_world(p_batch uuid)
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage(p_batch, 'regions', jsonb_build_object(
               'id', r.id, 'customId', 'R' || r.id, 'name', r.name, 'parentRegion', r.parent,
               'status', 'ACTIVE', 'timeZone', r.tz, 'updatedOn', '2024-06-01T00:00:00+00:00'))
      FROM (VALUES (1, 'Kaiser Permanente', NULL::int, 'America/Los_Angeles'),
                   (10, 'Northern California', 1, 'America/Los_Angeles'),
                   (11, 'Southern California', 1, 'America/Los_Angeles'),
                   (12, 'Los Angeles', 11, 'America/Los_Angeles'),
                   (20, 'Colorado', 1, 'America/Denver')) AS r(id, name, parent, tz);
    SELECT tt_test.stage(p_batch, 'clients', jsonb_build_object(
               'id', c.id, 'customId', 'S' || c.id, 'name', c.name, 'type', 'SERVICE_LOCATION',
               'status', 'ACTIVE', 'region', c.region, 'parentClient', NULL, 'timeZone', c.tz,
               'address', jsonb_build_object('city', c.name), 'updatedOn', '2024-06-01T00:00:00+00:00'))
      FROM (VALUES (100, 'Oakland Medical Center', 10, 'America/Los_Angeles'),
                   (120, 'LA Medical Center', 12, 'America/Los_Angeles'),
                   (200, 'Denver Clinic', 20, 'America/Denver')) AS c(id, name, region, tz);
    SELECT tt_test.stage(p_batch, 'positions', jsonb_build_object(
               'id', p.id, 'customId', 'P' || p.id, 'name', p.name, 'status', 'ACTIVE',
               'account', p.site, 'nonBillable', p.nb, 'updatedOn', '2024-06-01T00:00:00+00:00'))
      FROM (VALUES (1000, 'Main Entrance Officer', 100, false), (1001, 'STANDBY Officer', 100, false),
                   (1002, 'Night WATCH', 100, false), (1003, 'Behavioral Health Sitter', 100, true),
                   (1200, 'Lobby Officer', 120, false), (2000, 'Lobby Officer', 200, false),
                   (2001, 'Loading Dock Officer', 200, false)) AS p(id, name, site, nb);
    SELECT tt_test.stage(p_batch, 'employees', jsonb_build_object(
               'id', e, 'customId', 'E' || e, 'firstName', 'Guard', 'lastName', 'No' || e,
               'email', 'guard' || e || '@example.com', 'primaryPhone', '555-000' || e, 'status', 'ACTIVE',
               'region', 10, 'jobTitle', 'Security Officer', 'updatedOn', '2024-06-01T00:00:00+00:00'))
      FROM generate_series(1, 6) AS e;
$$;

CREATE OR REPLACE FUNCTION tt_test.add_world_rates()
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.add_position_rate(p, r)
      FROM (VALUES (1000, 40.00), (1001, 30.00), (1002, 35.00), (1003, 30.00), (1200, 45.00), (2000, 40.00)) AS v(p, r);
$$;

-- True when the SCD2 merge of issue 3 is installed (tests that need it skip otherwise).

-- A TrackTik bill setting (PositionBillSettings item) as the API embeds it in
-- billingSetting.billSettings: no position field; positionBilling is the billing setting's id
-- (tt_test.billing_setting_id of the post). p_extra overrides or adds fields.
CREATE OR REPLACE FUNCTION tt_test.billing_setting_id(p_position bigint)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT 900000 + p_position;
$$;

CREATE OR REPLACE FUNCTION tt_test.bill_setting(p_id bigint, p_position bigint, p_rate numeric,
                                                p_effective_date text, p_extra jsonb DEFAULT '{}')
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
               'id', p_id, 'positionBilling', tt_test.billing_setting_id(p_position), 'billingType', 'HOURLY',
               'rate', p_rate, 'effectiveDate', p_effective_date, 'overtimeRateType', 'DEFAULT',
               'createdOn', '2024-06-01T00:00:00+00:00', 'updatedOn', '2024-06-01T00:00:00+00:00') || p_extra;
$$;

-- A positions record as the API returns it with include=billingSetting,billingSetting.billSettings:
-- the post's rate history embedded in billingSetting.billSettings.
CREATE OR REPLACE FUNCTION tt_test.api_post_with_settings(p_position bigint, p_site bigint, p_settings jsonb,
                                                          p_type text DEFAULT 'HOURLY')
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
               'id', p_position, 'customId', 'P' || p_position, 'name', 'Post ' || p_position, 'status', 'ACTIVE',
               'account', p_site, 'nonBillable', false,
               'createdOn', '2024-06-01T00:00:00+00:00', 'updatedOn', '2024-06-01T00:00:00+00:00',
               'billingSetting', jsonb_build_object(
                   'id', tt_test.billing_setting_id(p_position), 'position', p_position, 'type', p_type,
                   'holiday', 'REGULAR', 'billSettings', p_settings));
$$;

-- Stage a post with its embedded bill settings (the world's site of the post).
CREATE OR REPLACE FUNCTION tt_test.stage_post_settings(p_batch uuid, p_position bigint, p_settings jsonb,
                                                       p_type text DEFAULT 'HOURLY')
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage(p_batch, 'positions',
                         tt_test.api_post_with_settings(
                             p_position,
                             coalesce((SELECT d.client_id FROM tracktik.dim_positions AS d
                                        WHERE d.position_id = p_position AND d.is_current), 0),
                             p_settings, p_type));
$$;

-- Issue 10 (db/tests/convergence): a batch that fully syncs resources, with the metadata the
-- shell passes to tracktik.mark_batch_staged (e.g. {"shift_window": {"from": .., "to": ..}}).
CREATE OR REPLACE FUNCTION tt_test.full_sync_batch(p_resources text[], p_metadata jsonb DEFAULT '{}')
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    v_batch uuid := tracktik.start_batch('full', '{}'::jsonb);
BEGIN
    UPDATE tracktik.etl_batches AS e
       SET full_sync_resources = p_resources, metadata = e.metadata || p_metadata
     WHERE e.batch_id = v_batch;
    RETURN v_batch;
END
$$;

-- Stage again, unchanged, the stored records of shifts (as TrackTik returns them again).
CREATE OR REPLACE FUNCTION tt_test.restage_shifts(p_batch uuid, p_shift_ids bigint[])
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage(p_batch, 'shifts', f.raw_data)
      FROM tracktik.fact_shifts AS f WHERE f.shift_id = ANY (p_shift_ids) ORDER BY f.shift_id;
$$;

-- A /shift-logs record as the API returns it (shift as an id).
CREATE OR REPLACE FUNCTION tt_test.shift_log(p_id bigint, p_change text, p_shift bigint, p_created_on text)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('id', p_id, 'changeType', p_change, 'shiftId', p_shift, 'shift', p_shift,
                              'employee', 1, 'createdOn', p_created_on, 'isValid', true);
$$;

-- Issue 12 (db/tests/billing_config): TrackTik's billing configuration as the API returns it.
-- A positions record whose billingSetting (PositionBillingSettings) carries p_setting's fields
-- (type HOURLY, holiday REGULAR, billBreaks NONE unless given) and no billSettings history.
CREATE OR REPLACE FUNCTION tt_test.stage_post_billing(p_batch uuid, p_position bigint, p_setting jsonb DEFAULT '{}')
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage(p_batch, 'positions',
               tt_test.api_post_with_settings(
                   p_position,
                   coalesce((SELECT d.client_id FROM tracktik.dim_positions AS d
                              WHERE d.position_id = p_position AND d.is_current), 0),
                   '[]'::jsonb)
               || jsonb_build_object('billingSetting',
                      jsonb_build_object('id', tt_test.billing_setting_id(p_position), 'position', p_position,
                                         'type', 'HOURLY', 'holiday', 'REGULAR', 'billBreaks', 'NONE',
                                         'billSettings', '[]'::jsonb) || p_setting));
$$;

-- A BILLING overtime rule (/overtime-rules) and its items (/overtime-rule-items): p_items is a
-- JSON array of [ruleType, threshold, rateType, rateMultiplier or rateAmount]; item ids are
-- p_rule * 100 + 1, + 2, ...
CREATE OR REPLACE FUNCTION tt_test.stage_ot_rule(p_batch uuid, p_rule bigint, p_period text, p_method text,
                                                 p_items jsonb)
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage(p_batch, 'overtime-rules',
               jsonb_build_object('id', p_rule, 'name', 'Rule ' || p_rule, 'periodLength', p_period,
                                  'ruleType', 'BILLING', 'method', p_method));
    SELECT tt_test.stage(p_batch, 'overtime-rule-items',
               jsonb_build_object('id', p_rule * 100 + e.n, 'overtimeRule', p_rule, 'ruleType', e.item ->> 0,
                                  'threshold', (e.item ->> 1)::numeric, 'rateType', e.item ->> 2)
               || CASE WHEN e.item ->> 2 = 'RATE' THEN jsonb_build_object('rateAmount', (e.item ->> 3)::numeric)
                       ELSE jsonb_build_object('rateMultiplier', (e.item ->> 3)::numeric) END)
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(item, n);
$$;

-- A holiday group (/holiday-groups) with one holiday (/holidays?include=groups, groups as
-- objects) whose dates (/holiday-dates) are p_dates; ids: group p_group, holiday p_group * 10,
-- dates p_group * 100 + 1, + 2, ...
CREATE OR REPLACE FUNCTION tt_test.stage_holiday_group(p_batch uuid, p_group bigint, p_dates date[])
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage(p_batch, 'holiday-groups',
               jsonb_build_object('id', p_group, 'name', 'Group ' || p_group, 'isGlobal', true, 'region', NULL));
    SELECT tt_test.stage(p_batch, 'holidays',
               jsonb_build_object('id', p_group * 10, 'label', 'Holiday of group ' || p_group, 'code', 'H' || p_group,
                                  'region', NULL, 'groups', jsonb_build_array(jsonb_build_object('id', p_group))));
    SELECT tt_test.stage(p_batch, 'holiday-dates',
               jsonb_build_object('id', p_group * 100 + d.n, 'name', 'Holiday of group ' || p_group, 'region', NULL,
                                  'holidayDate', to_char(d.day, 'YYYY-MM-DD') || 'T00:00:00+00:00',
                                  'holiday', p_group * 10, 'timeZone', 'America/Denver'))
      FROM unnest(p_dates) WITH ORDINALITY AS d(day, n);
$$;

-- A /billable-items record (REVENUE unless p_type): p_quantity hours at p_rate, price p_price.
CREATE OR REPLACE FUNCTION tt_test.stage_billable_item(p_batch uuid, p_id bigint, p_shift bigint, p_quantity numeric,
                                                       p_rate numeric, p_price numeric, p_type text DEFAULT 'REVENUE')
RETURNS void LANGUAGE sql AS $$
    SELECT tt_test.stage(p_batch, 'billable-items',
               jsonb_build_object('id', p_id, 'type', p_type, 'serviceModelShifts', p_shift, 'quantity', p_quantity,
                                  'rate', p_rate, 'price', p_price, 'serviceDate', '2025-01-10T00:00:00+00:00',
                                  'region', 20, 'serviceLocation', 200, 'billItem', 1, 'subType', 'REGULAR'));
$$;

-- The billed total of shifts.
CREATE OR REPLACE FUNCTION tt_test.billed(p_first bigint, p_last bigint DEFAULT NULL)
RETURNS numeric LANGUAGE sql AS $$
    SELECT sum(f.bill_total) FROM tracktik.fact_shifts AS f
     WHERE f.shift_id BETWEEN p_first AND coalesce(p_last, p_first);
$$;
