-- depends: 0021_deletes_and_rekeying 0022_rejected_records_guard
-- TrackTik's own billing configuration (issue 12), versioned so that a past period re-bills with
-- the configuration of its time, what TrackTik billed (/billable-items) and the per-shift
-- reconciliation with the warehouse's billing. docs/billing.md ("TrackTik's billing
-- configuration") states the semantics.
--
-- Versioning (every tracktik.api_* configuration table): one row per version of a TrackTik
-- object, valid over [valid_from, valid_to) of instants (batch time: the started_at of the batch
-- that first saw the content); valid_to NULL = current. The first version of an object is valid
-- from -infinity (a shift older than the first load bills with the first configuration seen, as
-- dimension keys do); an object TrackTik deleted (absent from a full sync, or a post whose
-- billingSetting became null) has its current version closed and no successor: it stops applying
-- to shifts that start after the batch that learned it. A shift bills with the version valid at
-- its start instant.
--
-- Precedence (docs/billing.md): a DBA's local row (bill_rate_overrides, an overtime_rules or
-- holiday_rules row that is not a shipped default, holiday_dates) > TrackTik's configuration >
-- the shipped defaults (is_shipped_default rows).

ALTER TABLE tracktik.overtime_rules ADD COLUMN is_shipped_default boolean NOT NULL DEFAULT false;
UPDATE tracktik.overtime_rules SET is_shipped_default = true
 WHERE (region_id IS NULL AND region_name_pattern IS NULL) OR region_name_pattern = '%california%';
COMMENT ON COLUMN tracktik.overtime_rules.is_shipped_default IS
    'True for the rules shipped with the warehouse (weekly 40, California daily 8/12): TrackTik''s overtime rule of a post wins over them. A row a DBA adds (false) wins over TrackTik''s rule.';

ALTER TABLE tracktik.holiday_rules ADD COLUMN is_shipped_default boolean NOT NULL DEFAULT false;
UPDATE tracktik.holiday_rules SET is_shipped_default = true WHERE region_id IS NULL
   AND name IN ('New Year''s Day', 'Memorial Day', 'Independence Day', 'Labor Day', 'Thanksgiving', 'Christmas Day');
COMMENT ON COLUMN tracktik.holiday_rules.is_shipped_default IS
    'True for the six holidays shipped with the warehouse: a post whose TrackTik billing setting names a holiday group uses that group''s dates instead. A rule a DBA adds (false) wins over TrackTik''s group.';

ALTER TABLE tracktik.position_bill_settings
    ADD COLUMN overtime_rate     numeric(10,2) CHECK (overtime_rate >= 0),
    ADD COLUMN double_time_rate  numeric(10,2) CHECK (double_time_rate >= 0);
COMMENT ON COLUMN tracktik.position_bill_settings.overtime_rate IS
    'overtimeRateType RATE: customOvertimeRate1, the hourly rate of overtime hours (first overtime level) instead of rate x multiplier.';
COMMENT ON COLUMN tracktik.position_bill_settings.double_time_rate IS
    'overtimeRateType RATE: customOvertimeRate2, the hourly rate of double-time hours (second overtime level).';

-- the post's billing setting -------------------------------------------------------------------
CREATE TABLE tracktik.api_position_billing (
    position_id                bigint        NOT NULL,
    valid_from                 timestamptz   NOT NULL,
    valid_to                   timestamptz,
    billing_setting_id         bigint,
    billing_type               text,
    rate                       numeric(10,2),
    discount_rate              numeric(6,3),
    holiday_group_id           bigint,
    bill_breaks                text,
    holiday_treatment          text,
    holiday_rate               numeric(10,2),
    holiday_multiplier         numeric(6,3),
    overtime_rule_id           bigint,
    effective_bill_setting_id  bigint,
    raw_data                   jsonb         NOT NULL,
    batch_id                   uuid,
    closed_batch_id            uuid,
    CONSTRAINT api_position_billing_pkey PRIMARY KEY (position_id, valid_from),
    CONSTRAINT api_position_billing_range CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX api_position_billing_current ON tracktik.api_position_billing (position_id) WHERE valid_to IS NULL;
CREATE INDEX api_position_billing_rule ON tracktik.api_position_billing (overtime_rule_id);
CREATE INDEX api_position_billing_group ON tracktik.api_position_billing (holiday_group_id);
COMMENT ON TABLE tracktik.api_position_billing IS
    'TrackTik''s billing setting of each post (the billingSetting object embedded in /positions, PositionBillingSettings), one row per version by batch time: a shift bills with the version valid at its start. Its rate history (billSettings) is in tracktik.position_bill_settings.';
COMMENT ON COLUMN tracktik.api_position_billing.position_id IS 'TrackTik id of the post (the positions record the setting is embedded in).';
COMMENT ON COLUMN tracktik.api_position_billing.valid_from IS 'Start of the version: the started_at of the batch that first saw this content; -infinity for the first version of the post.';
COMMENT ON COLUMN tracktik.api_position_billing.valid_to IS 'End of the version (exclusive); NULL while current. Closed without successor: TrackTik no longer has a setting for the post.';
COMMENT ON COLUMN tracktik.api_position_billing.billing_setting_id IS 'TrackTik id of the PositionBillingSettings object (the positionBilling of its bill settings).';
COMMENT ON COLUMN tracktik.api_position_billing.billing_type IS 'type: HOURLY bills per hour; anything else (FIXED) is not billed per shift (bill columns NULL, unsupported_billing_type issue).';
COMMENT ON COLUMN tracktik.api_position_billing.rate IS 'rate: the post''s current bill rate, used only when no bill setting of the rate history (position_bill_settings) is in force.';
COMMENT ON COLUMN tracktik.api_position_billing.discount_rate IS 'discountRate: percent taken off each shift''s total (0..100).';
COMMENT ON COLUMN tracktik.api_position_billing.holiday_group_id IS 'holidayGroup: the post''s holidays are that group''s dates (tracktik.api_holiday_groups.dates) instead of the shipped ones.';
COMMENT ON COLUMN tracktik.api_position_billing.bill_breaks IS 'billBreaks: NONE (breaks not billed: scheduled minus break), ALL (break minutes billed too), REST_ONLY / MEAL_ONLY (need break types, which shift records do not carry: a shift with a break is not billed, unsupported_bill_breaks issue).';
COMMENT ON COLUMN tracktik.api_position_billing.holiday_treatment IS 'holiday: REGULAR (holiday hours at rate x holiday_multiplier) or RATE (holiday hours at holiday_rate).';
COMMENT ON COLUMN tracktik.api_position_billing.holiday_rate IS 'holidayRate: hourly rate of holiday hours when holiday_treatment is RATE.';
COMMENT ON COLUMN tracktik.api_position_billing.holiday_multiplier IS 'holidayMultiplier: multiplier of holiday hours when holiday_treatment is REGULAR (NULL: tracktik.settings default, 1.5).';
COMMENT ON COLUMN tracktik.api_position_billing.overtime_rule_id IS 'overtimeRule: the BILLING overtime rule (tracktik.api_overtime_rules) of the post; NULL: the shipped rule of its region.';
COMMENT ON COLUMN tracktik.api_position_billing.effective_bill_setting_id IS 'effectiveBillSettingId as TrackTik reports it (informative; the engine picks the bill setting by effectiveDate).';
COMMENT ON COLUMN tracktik.api_position_billing.raw_data IS 'The billingSetting object as loaded, without its billSettings list.';
COMMENT ON COLUMN tracktik.api_position_billing.batch_id IS 'Batch that opened the version.';
COMMENT ON COLUMN tracktik.api_position_billing.closed_batch_id IS 'Batch that closed the version.';

-- BILLING overtime rules and their items ---------------------------------------------------------
CREATE TABLE tracktik.api_overtime_rules (
    overtime_rule_id  bigint       NOT NULL,
    valid_from        timestamptz  NOT NULL,
    valid_to          timestamptz,
    name              text,
    period_length     text         NOT NULL CHECK (period_length IN ('WEEKLY', 'BI-WEEKLY')),
    rule_type         text         NOT NULL,
    method            text         NOT NULL CHECK (method IN ('SEQUENTIAL', 'BEST_OF')),
    items             jsonb        NOT NULL DEFAULT '[]',
    raw_data          jsonb        NOT NULL,
    batch_id          uuid,
    closed_batch_id   uuid,
    CONSTRAINT api_overtime_rules_pkey PRIMARY KEY (overtime_rule_id, valid_from),
    CONSTRAINT api_overtime_rules_range CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX api_overtime_rules_current ON tracktik.api_overtime_rules (overtime_rule_id) WHERE valid_to IS NULL;
COMMENT ON TABLE tracktik.api_overtime_rules IS
    'TrackTik''s BILLING overtime rules (/overtime-rules), one row per version by batch time; items is the snapshot of the rule''s current items when the version was written, so a change of an item versions its rule.';
COMMENT ON COLUMN tracktik.api_overtime_rules.overtime_rule_id IS 'TrackTik id of the rule.';
COMMENT ON COLUMN tracktik.api_overtime_rules.valid_from IS 'Start of the version (batch time; -infinity for the first).';
COMMENT ON COLUMN tracktik.api_overtime_rules.valid_to IS 'End of the version (exclusive); NULL while current; closed without successor when TrackTik deleted the rule.';
COMMENT ON COLUMN tracktik.api_overtime_rules.name IS 'name.';
COMMENT ON COLUMN tracktik.api_overtime_rules.period_length IS 'periodLength: WEEKLY (PERIOD thresholds over the workweek) or BI-WEEKLY (over the billing period).';
COMMENT ON COLUMN tracktik.api_overtime_rules.rule_type IS 'ruleType: BILLING (PAYROLL rules are not loaded).';
COMMENT ON COLUMN tracktik.api_overtime_rules.method IS 'method: SEQUENTIAL (kinds in a fixed order, each claims hours the earlier left) or BEST_OF (the kind giving the shift the largest premium).';
COMMENT ON COLUMN tracktik.api_overtime_rules.items IS 'The rule''s items as the engine reads them: [{item_id, rule_type, rate_type, threshold, rate_multiplier, rate_amount}], from tracktik.api_overtime_rule_items.';
COMMENT ON COLUMN tracktik.api_overtime_rules.raw_data IS 'The API record as loaded.';
COMMENT ON COLUMN tracktik.api_overtime_rules.batch_id IS 'Batch that opened the version.';
COMMENT ON COLUMN tracktik.api_overtime_rules.closed_batch_id IS 'Batch that closed the version.';

CREATE TABLE tracktik.api_overtime_rule_items (
    item_id           bigint         NOT NULL,
    valid_from        timestamptz    NOT NULL,
    valid_to          timestamptz,
    overtime_rule_id  bigint         NOT NULL,
    rule_type         text           NOT NULL CHECK (rule_type IN ('DAILY', 'CONSECUTIVE_DAYS', 'DAY_SPECIFIC', 'PERIOD', 'HOLIDAY')),
    rate_type         text           NOT NULL CHECK (rate_type IN ('MULTIPLIER', 'RATE')),
    threshold         numeric(8,2)   NOT NULL CHECK (threshold >= 0),
    rate_multiplier   numeric(6,3)   CHECK (rate_multiplier >= 1),
    rate_amount       numeric(10,2)  CHECK (rate_amount >= 0),
    raw_data          jsonb          NOT NULL,
    batch_id          uuid,
    closed_batch_id   uuid,
    CONSTRAINT api_overtime_rule_items_pkey PRIMARY KEY (item_id, valid_from),
    CONSTRAINT api_overtime_rule_items_range CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX api_overtime_rule_items_current ON tracktik.api_overtime_rule_items (item_id) WHERE valid_to IS NULL;
CREATE INDEX api_overtime_rule_items_rule ON tracktik.api_overtime_rule_items (overtime_rule_id);
COMMENT ON TABLE tracktik.api_overtime_rule_items IS
    'TrackTik''s overtime rule items (/overtime-rule-items) of the BILLING rules, one row per version by batch time. The engine reads them through the items snapshot of tracktik.api_overtime_rules.';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.item_id IS 'TrackTik id of the item.';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.valid_from IS 'Start of the version (batch time; -infinity for the first).';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.valid_to IS 'End of the version (exclusive); NULL while current.';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.overtime_rule_id IS 'overtimeRule: the rule the item belongs to.';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.rule_type IS 'ruleType: DAILY (hours of a day beyond threshold), PERIOD (hours of the period beyond threshold), CONSECUTIVE_DAYS (every hour of the threshold-th and later consecutive day worked in the period), DAY_SPECIFIC (every hour of ISO weekday threshold, 1 = Monday .. 7 = Sunday), HOLIDAY (holiday hours of a day beyond threshold).';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.rate_type IS 'rateType: MULTIPLIER (rate x rate_multiplier) or RATE (rate_amount per hour instead of the regular rate).';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.threshold IS 'threshold: hours (DAILY, PERIOD, HOLIDAY), days (CONSECUTIVE_DAYS) or ISO weekday (DAY_SPECIFIC).';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.rate_multiplier IS 'rateMultiplier (MULTIPLIER items).';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.rate_amount IS 'rateAmount (RATE items): hourly rate of the item''s hours.';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.raw_data IS 'The API record as loaded.';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.batch_id IS 'Batch that opened the version.';
COMMENT ON COLUMN tracktik.api_overtime_rule_items.closed_batch_id IS 'Batch that closed the version.';

-- holidays --------------------------------------------------------------------------------------
CREATE TABLE tracktik.api_holiday_groups (
    holiday_group_id  bigint       NOT NULL,
    valid_from        timestamptz  NOT NULL,
    valid_to          timestamptz,
    name              text,
    is_global         boolean,
    region_id         bigint,
    dates             date[]       NOT NULL DEFAULT '{}',
    raw_data          jsonb        NOT NULL,
    batch_id          uuid,
    closed_batch_id   uuid,
    CONSTRAINT api_holiday_groups_pkey PRIMARY KEY (holiday_group_id, valid_from),
    CONSTRAINT api_holiday_groups_range CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX api_holiday_groups_current ON tracktik.api_holiday_groups (holiday_group_id) WHERE valid_to IS NULL;
COMMENT ON TABLE tracktik.api_holiday_groups IS
    'TrackTik''s holiday groups (/holiday-groups), one row per version by batch time; dates is the snapshot of the group''s holiday dates (the holidayDate of every current holiday date whose holiday lists the group in its groups), so a change of a holiday or a date versions the group.';
COMMENT ON COLUMN tracktik.api_holiday_groups.holiday_group_id IS 'TrackTik id of the group.';
COMMENT ON COLUMN tracktik.api_holiday_groups.valid_from IS 'Start of the version (batch time; -infinity for the first).';
COMMENT ON COLUMN tracktik.api_holiday_groups.valid_to IS 'End of the version (exclusive); NULL while current.';
COMMENT ON COLUMN tracktik.api_holiday_groups.name IS 'name.';
COMMENT ON COLUMN tracktik.api_holiday_groups.is_global IS 'isGlobal: available to all regions (informative).';
COMMENT ON COLUMN tracktik.api_holiday_groups.region_id IS 'region of a group that is not global (informative).';
COMMENT ON COLUMN tracktik.api_holiday_groups.dates IS 'The group''s holiday dates (local dates: a shift whose shift_date is one of them is a holiday shift).';
COMMENT ON COLUMN tracktik.api_holiday_groups.raw_data IS 'The API record as loaded.';
COMMENT ON COLUMN tracktik.api_holiday_groups.batch_id IS 'Batch that opened the version.';
COMMENT ON COLUMN tracktik.api_holiday_groups.closed_batch_id IS 'Batch that closed the version.';

CREATE TABLE tracktik.api_holidays (
    holiday_id        bigint       NOT NULL,
    valid_from        timestamptz  NOT NULL,
    valid_to          timestamptz,
    label             text,
    code              text,
    region_id         bigint,
    group_ids         bigint[]     NOT NULL DEFAULT '{}',
    raw_data          jsonb        NOT NULL,
    batch_id          uuid,
    closed_batch_id   uuid,
    CONSTRAINT api_holidays_pkey PRIMARY KEY (holiday_id, valid_from),
    CONSTRAINT api_holidays_range CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX api_holidays_current ON tracktik.api_holidays (holiday_id) WHERE valid_to IS NULL;
COMMENT ON TABLE tracktik.api_holidays IS
    'TrackTik''s holidays (/holidays?include=groups), one row per version by batch time. The link of a holiday group to its dates: the holiday''s groups (on demand) name the groups, the holiday dates name their holiday.';
COMMENT ON COLUMN tracktik.api_holidays.holiday_id IS 'TrackTik id of the holiday.';
COMMENT ON COLUMN tracktik.api_holidays.valid_from IS 'Start of the version (batch time; -infinity for the first).';
COMMENT ON COLUMN tracktik.api_holidays.valid_to IS 'End of the version (exclusive); NULL while current.';
COMMENT ON COLUMN tracktik.api_holidays.label IS 'label (the holiday''s name).';
COMMENT ON COLUMN tracktik.api_holidays.code IS 'code.';
COMMENT ON COLUMN tracktik.api_holidays.region_id IS 'region (informative).';
COMMENT ON COLUMN tracktik.api_holidays.group_ids IS 'Ids of the holiday groups the holiday belongs to (groups: objects or ids), sorted.';
COMMENT ON COLUMN tracktik.api_holidays.raw_data IS 'The API record as loaded.';
COMMENT ON COLUMN tracktik.api_holidays.batch_id IS 'Batch that opened the version.';
COMMENT ON COLUMN tracktik.api_holidays.closed_batch_id IS 'Batch that closed the version.';

CREATE TABLE tracktik.api_holiday_dates (
    holiday_date_id   bigint       NOT NULL,
    valid_from        timestamptz  NOT NULL,
    valid_to          timestamptz,
    holiday_id        bigint       NOT NULL,
    name              text,
    region_id         bigint,
    holiday_date      date         NOT NULL,
    start_datetime    text,
    end_datetime      text,
    time_zone         text,
    raw_data          jsonb        NOT NULL,
    batch_id          uuid,
    closed_batch_id   uuid,
    CONSTRAINT api_holiday_dates_pkey PRIMARY KEY (holiday_date_id, valid_from),
    CONSTRAINT api_holiday_dates_range CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX api_holiday_dates_current ON tracktik.api_holiday_dates (holiday_date_id) WHERE valid_to IS NULL;
CREATE INDEX api_holiday_dates_holiday ON tracktik.api_holiday_dates (holiday_id);
COMMENT ON TABLE tracktik.api_holiday_dates IS
    'TrackTik''s holiday dates (/holiday-dates), one row per version by batch time.';
COMMENT ON COLUMN tracktik.api_holiday_dates.holiday_date_id IS 'TrackTik id of the holiday date.';
COMMENT ON COLUMN tracktik.api_holiday_dates.valid_from IS 'Start of the version (batch time; -infinity for the first).';
COMMENT ON COLUMN tracktik.api_holiday_dates.valid_to IS 'End of the version (exclusive); NULL while current.';
COMMENT ON COLUMN tracktik.api_holiday_dates.holiday_id IS 'holiday: the holiday this is a date of.';
COMMENT ON COLUMN tracktik.api_holiday_dates.name IS 'name.';
COMMENT ON COLUMN tracktik.api_holiday_dates.region_id IS 'region (informative: a post''s holidays are its group''s).';
COMMENT ON COLUMN tracktik.api_holiday_dates.holiday_date IS 'holidayDate (a Date): the local date that is a holiday; the whole day (shift attribution is by shift_date).';
COMMENT ON COLUMN tracktik.api_holiday_dates.start_datetime IS 'holidayStartDateTime as given (informative).';
COMMENT ON COLUMN tracktik.api_holiday_dates.end_datetime IS 'holidayEndDateTime as given (informative).';
COMMENT ON COLUMN tracktik.api_holiday_dates.time_zone IS 'timeZone as given (informative).';
COMMENT ON COLUMN tracktik.api_holiday_dates.raw_data IS 'The API record as loaded.';
COMMENT ON COLUMN tracktik.api_holiday_dates.batch_id IS 'Batch that opened the version.';
COMMENT ON COLUMN tracktik.api_holiday_dates.closed_batch_id IS 'Batch that closed the version.';

-- what TrackTik billed, and the reconciliation --------------------------------------------------
CREATE TABLE tracktik.api_billable_items (
    billable_item_id     bigint         PRIMARY KEY,
    shift_id             bigint         NOT NULL,
    item_type            text           NOT NULL,
    quantity             numeric(12,2),
    rate                 numeric(12,2),
    price                numeric(14,2),
    service_date         date,
    region_id            bigint,
    service_location_id  bigint,
    bill_item_id         bigint,
    sub_type             text,
    raw_data             jsonb          NOT NULL,
    batch_id             uuid,
    updated_at           timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX api_billable_items_shift ON tracktik.api_billable_items (shift_id);
COMMENT ON TABLE tracktik.api_billable_items IS
    'What TrackTik billed (/billable-items of the shifts of each batch''s scope): the reconciliation reference. Items of a shift staged again that TrackTik no longer returns are deleted.';
COMMENT ON COLUMN tracktik.api_billable_items.billable_item_id IS 'TrackTik id of the billable item.';
COMMENT ON COLUMN tracktik.api_billable_items.shift_id IS 'serviceModelShifts: the shift billed.';
COMMENT ON COLUMN tracktik.api_billable_items.item_type IS 'type: REVENUE (billed to the client; compared) or EXPENSE (kept, not compared).';
COMMENT ON COLUMN tracktik.api_billable_items.quantity IS 'quantity: hours billed by the item.';
COMMENT ON COLUMN tracktik.api_billable_items.rate IS 'rate: hourly rate of the item.';
COMMENT ON COLUMN tracktik.api_billable_items.price IS 'price: amount of the item.';
COMMENT ON COLUMN tracktik.api_billable_items.service_date IS 'serviceDate (a Date).';
COMMENT ON COLUMN tracktik.api_billable_items.region_id IS 'region.';
COMMENT ON COLUMN tracktik.api_billable_items.service_location_id IS 'serviceLocation (the site).';
COMMENT ON COLUMN tracktik.api_billable_items.bill_item_id IS 'billItem.';
COMMENT ON COLUMN tracktik.api_billable_items.sub_type IS 'subType.';
COMMENT ON COLUMN tracktik.api_billable_items.raw_data IS 'The API record as loaded.';
COMMENT ON COLUMN tracktik.api_billable_items.batch_id IS 'Batch that last changed the row.';
COMMENT ON COLUMN tracktik.api_billable_items.updated_at IS 'When the row last changed.';

CREATE TABLE tracktik.billing_reconciliation (
    shift_id            bigint         PRIMARY KEY,
    billing_period_id   text,
    client_id           bigint,
    region_id           bigint,
    shift_date          date,
    tracktik_items      integer        NOT NULL,
    tracktik_hours      numeric(12,2),
    tracktik_rate       numeric(12,2),
    tracktik_amount     numeric(14,2),
    warehouse_hours     numeric(12,2),
    warehouse_rate      numeric(12,2),
    warehouse_amount    numeric(14,2),
    amount_difference   numeric(14,2),
    differs             boolean        NOT NULL,
    differences         text[]         NOT NULL DEFAULT '{}',
    checked_batch_id    uuid,
    checked_at          timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX billing_reconciliation_period_site ON tracktik.billing_reconciliation (billing_period_id, client_id);
COMMENT ON TABLE tracktik.billing_reconciliation IS
    'Per shift with TrackTik REVENUE billable items: what TrackTik billed against the warehouse''s billing, as of the last batch that loaded its items or re-billed it. A difference over a cent (hours, rate or amount) is a billing_variance issue (table_name billing_reconciliation).';
COMMENT ON COLUMN tracktik.billing_reconciliation.shift_id IS 'TrackTik shift id.';
COMMENT ON COLUMN tracktik.billing_reconciliation.billing_period_id IS 'Billing period of the warehouse''s fact row (NULL: the warehouse has no row for the shift).';
COMMENT ON COLUMN tracktik.billing_reconciliation.client_id IS 'Site of the shift (the fact row''s, else the items'' serviceLocation).';
COMMENT ON COLUMN tracktik.billing_reconciliation.region_id IS 'Region of the shift (the fact row''s, else the items'').';
COMMENT ON COLUMN tracktik.billing_reconciliation.shift_date IS 'Local date of the shift (the fact row''s, else the items'' serviceDate).';
COMMENT ON COLUMN tracktik.billing_reconciliation.tracktik_items IS 'Number of REVENUE items of the shift.';
COMMENT ON COLUMN tracktik.billing_reconciliation.tracktik_hours IS 'Sum of the quantity of the REVENUE items.';
COMMENT ON COLUMN tracktik.billing_reconciliation.tracktik_rate IS 'Regular rate TrackTik billed: the lowest rate of the REVENUE items with hours.';
COMMENT ON COLUMN tracktik.billing_reconciliation.tracktik_amount IS 'Sum of the price of the REVENUE items.';
COMMENT ON COLUMN tracktik.billing_reconciliation.warehouse_hours IS 'Hours the warehouse billed: billable_hours, plus the break when the post bills breaks (billBreaks ALL).';
COMMENT ON COLUMN tracktik.billing_reconciliation.warehouse_rate IS 'bill_rate_regular of the fact row.';
COMMENT ON COLUMN tracktik.billing_reconciliation.warehouse_amount IS 'bill_total of the fact row.';
COMMENT ON COLUMN tracktik.billing_reconciliation.amount_difference IS 'warehouse_amount - tracktik_amount (NULL amounts count as 0).';
COMMENT ON COLUMN tracktik.billing_reconciliation.differs IS 'True when hours, rate or amount differ by more than 0.01.';
COMMENT ON COLUMN tracktik.billing_reconciliation.differences IS 'Which of hours, rate, amount differ.';
COMMENT ON COLUMN tracktik.billing_reconciliation.checked_batch_id IS 'Batch that last compared the shift.';
COMMENT ON COLUMN tracktik.billing_reconciliation.checked_at IS 'When the shift was last compared.';

CREATE VIEW tracktik.v_billing_reconciliation AS
SELECT r.billing_period_id, r.client_id, c.name AS site_name,
       sum(r.tracktik_amount)                              AS tracktik_billed,
       sum(r.warehouse_amount)                             AS warehouse_billed,
       sum(coalesce(r.warehouse_amount, 0)) - sum(coalesce(r.tracktik_amount, 0)) AS difference,
       count(*)                                            AS shifts_compared,
       count(*) FILTER (WHERE r.differs)                   AS shifts_differing,
       max(abs(r.amount_difference)) FILTER (WHERE r.differs) AS largest_difference,
       pg_catalog.format('TrackTik billed $%s, the warehouse $%s, %s shift(s) differ',
                         pg_catalog.to_char(coalesce(sum(r.tracktik_amount), 0), 'FM999999999990.00'),
                         pg_catalog.to_char(coalesce(sum(r.warehouse_amount), 0), 'FM999999999990.00'),
                         count(*) FILTER (WHERE r.differs)) AS summary
  FROM tracktik.billing_reconciliation AS r
  LEFT JOIN tracktik.dim_clients AS c ON c.client_id = r.client_id AND c.is_current
 GROUP BY r.billing_period_id, r.client_id, c.name;
COMMENT ON VIEW tracktik.v_billing_reconciliation IS
    'Per billing period and site: what TrackTik billed (its REVENUE billable items) against the warehouse''s billing of the same shifts, and how many shifts differ by more than a cent ("TrackTik billed $X, the warehouse $Y, N shift(s) differ").';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.billing_period_id IS 'Billing period (NULL: shifts the warehouse has no row for).';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.client_id IS 'Site.';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.site_name IS 'Current name of the site.';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.tracktik_billed IS 'Sum of TrackTik''s REVENUE items of the compared shifts.';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.warehouse_billed IS 'Sum of the warehouse''s bill_total of the compared shifts.';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.difference IS 'warehouse_billed - tracktik_billed.';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.shifts_compared IS 'Shifts with TrackTik REVENUE items.';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.shifts_differing IS 'Shifts whose hours, rate or amount differ by more than a cent.';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.largest_difference IS 'Largest absolute amount difference of one shift.';
COMMENT ON COLUMN tracktik.v_billing_reconciliation.summary IS 'One line for a reader.';

CREATE VIEW tracktik.v_billing_largest_differences AS
SELECT r.billing_period_id, r.client_id, c.name AS site_name, r.shift_id, r.shift_date,
       r.tracktik_hours, r.warehouse_hours, r.tracktik_rate, r.warehouse_rate,
       r.tracktik_amount, r.warehouse_amount, r.amount_difference, r.differences,
       pg_catalog.rank() OVER (ORDER BY abs(coalesce(r.amount_difference, 0)) DESC, r.shift_id) AS difference_rank
  FROM tracktik.billing_reconciliation AS r
  LEFT JOIN tracktik.dim_clients AS c ON c.client_id = r.client_id AND c.is_current
 WHERE r.differs;
COMMENT ON VIEW tracktik.v_billing_largest_differences IS
    'The shifts whose billing differs from TrackTik''s, largest amount difference first (difference_rank 1).';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.billing_period_id IS 'Billing period.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.client_id IS 'Site.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.site_name IS 'Current name of the site.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.shift_id IS 'TrackTik shift id.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.shift_date IS 'Local date of the shift.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.tracktik_hours IS 'Hours TrackTik billed.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.warehouse_hours IS 'Hours the warehouse billed.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.tracktik_rate IS 'Regular rate TrackTik billed.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.warehouse_rate IS 'Regular rate of the warehouse.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.tracktik_amount IS 'Amount TrackTik billed.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.warehouse_amount IS 'Amount the warehouse billed.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.amount_difference IS 'warehouse - TrackTik.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.differences IS 'Which of hours, rate, amount differ.';
COMMENT ON COLUMN tracktik.v_billing_largest_differences.difference_rank IS '1 = the largest difference.';

GRANT SELECT ON tracktik.api_position_billing, tracktik.api_overtime_rules, tracktik.api_overtime_rule_items,
                tracktik.api_holiday_groups, tracktik.api_holidays, tracktik.api_holiday_dates,
                tracktik.api_billable_items, tracktik.billing_reconciliation,
                tracktik.v_billing_reconciliation, tracktik.v_billing_largest_differences
   TO tracktik_reader;
