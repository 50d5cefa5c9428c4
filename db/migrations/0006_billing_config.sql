-- depends: 0005_etl_bookkeeping
-- Billing configuration that DBAs change with plain SQL: local bill rates, overtime rules by
-- region, and holidays. Shipped with the Kaiser v1 defaults (DESIGN.md section 5).

CREATE TABLE tracktik.bill_rate_overrides (
    rate_id                 bigserial     PRIMARY KEY,
    scope                   text          NOT NULL CHECK (scope IN ('position', 'client', 'region', 'global')),
    scope_id                bigint,
    bill_rate               numeric(10,2) NOT NULL CHECK (bill_rate > 0),
    overtime_multiplier     numeric(6,3)  CHECK (overtime_multiplier >= 1),
    double_time_multiplier  numeric(6,3)  CHECK (double_time_multiplier >= 1),
    holiday_multiplier      numeric(6,3)  CHECK (holiday_multiplier >= 1),
    effective_from          date          NOT NULL DEFAULT '-infinity',
    effective_to            date,
    note                    text,
    created_at              timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT bill_rate_overrides_scope_id CHECK ((scope = 'global') = (scope_id IS NULL)),
    CONSTRAINT bill_rate_overrides_range CHECK (effective_to IS NULL OR effective_to > effective_from),
    CONSTRAINT bill_rate_overrides_no_overlap EXCLUDE USING gist (
        scope WITH =, (coalesce(scope_id, 0)) WITH =, daterange(effective_from, effective_to, '[)') WITH &&
    )
);
COMMENT ON TABLE tracktik.bill_rate_overrides IS
    'Local bill rates. Rate in force on a shift date, most specific first: a position override here, the TrackTik position-bill-setting, then a client (site), region and global rate here. Ships empty.';
COMMENT ON COLUMN tracktik.bill_rate_overrides.rate_id IS 'Rate id.';
COMMENT ON COLUMN tracktik.bill_rate_overrides.scope IS 'position, client, region or global.';
COMMENT ON COLUMN tracktik.bill_rate_overrides.scope_id IS 'TrackTik id of the position, client or region; NULL for global.';
COMMENT ON COLUMN tracktik.bill_rate_overrides.bill_rate IS 'Regular hourly bill rate.';
COMMENT ON COLUMN tracktik.bill_rate_overrides.overtime_multiplier IS 'Overtime multiplier (NULL: tracktik.settings default, 1.5).';
COMMENT ON COLUMN tracktik.bill_rate_overrides.double_time_multiplier IS 'Double-time multiplier (NULL: tracktik.settings default, 2.0).';
COMMENT ON COLUMN tracktik.bill_rate_overrides.holiday_multiplier IS 'Holiday multiplier (NULL: tracktik.settings default, 1.5).';
COMMENT ON COLUMN tracktik.bill_rate_overrides.effective_from IS 'First shift date the rate applies to (inclusive).';
COMMENT ON COLUMN tracktik.bill_rate_overrides.effective_to IS 'First shift date it no longer applies to (exclusive); NULL while in force.';
COMMENT ON COLUMN tracktik.bill_rate_overrides.note IS 'Why the rate exists (contract reference, ticket).';
COMMENT ON COLUMN tracktik.bill_rate_overrides.created_at IS 'When the row was added.';

CREATE TABLE tracktik.overtime_rules (
    rule_id                  serial        PRIMARY KEY,
    region_id                bigint        UNIQUE,
    region_name_pattern      text          UNIQUE,
    daily_overtime_enabled   boolean       NOT NULL DEFAULT false,
    daily_overtime_after     numeric(5,2)  NOT NULL DEFAULT 8  CHECK (daily_overtime_after > 0),
    daily_double_time_after  numeric(5,2)  NOT NULL DEFAULT 12,
    weekly_overtime_after    numeric(5,2)  NOT NULL DEFAULT 40 CHECK (weekly_overtime_after > 0),
    overtime_billable        boolean       NOT NULL DEFAULT true,
    description              text,
    CONSTRAINT overtime_rules_one_selector CHECK (region_id IS NULL OR region_name_pattern IS NULL),
    CONSTRAINT overtime_rules_double_after_overtime CHECK (daily_double_time_after >= daily_overtime_after)
);
CREATE UNIQUE INDEX overtime_rules_one_default ON tracktik.overtime_rules ((true))
    WHERE region_id IS NULL AND region_name_pattern IS NULL;

COMMENT ON TABLE tracktik.overtime_rules IS
    'Overtime rules by region. A region uses, in order: the rule naming its region_id, a rule whose region_name_pattern matches its name (ILIKE), its parent region''s rule (inherited up the tree), the default rule (both selectors NULL).';
COMMENT ON COLUMN tracktik.overtime_rules.rule_id IS 'Rule id.';
COMMENT ON COLUMN tracktik.overtime_rules.region_id IS 'TrackTik region the rule is for (NULL: selected by pattern, or the default).';
COMMENT ON COLUMN tracktik.overtime_rules.region_name_pattern IS 'ILIKE pattern on the region name, e.g. %california%.';
COMMENT ON COLUMN tracktik.overtime_rules.daily_overtime_enabled IS 'Whether hours beyond daily_overtime_after in a day are overtime.';
COMMENT ON COLUMN tracktik.overtime_rules.daily_overtime_after IS 'Daily hours after which overtime starts.';
COMMENT ON COLUMN tracktik.overtime_rules.daily_double_time_after IS 'Daily hours after which double time starts.';
COMMENT ON COLUMN tracktik.overtime_rules.weekly_overtime_after IS 'Weekly hours (not already daily overtime) after which overtime starts.';
COMMENT ON COLUMN tracktik.overtime_rules.overtime_billable IS 'False: overtime hours bill at the regular rate and bill_overtime_hours is 0.';
COMMENT ON COLUMN tracktik.overtime_rules.description IS 'What the rule implements.';

INSERT INTO tracktik.overtime_rules
    (region_id, region_name_pattern, daily_overtime_enabled, weekly_overtime_after, description)
VALUES
    (NULL, NULL, false, 40, 'Default: weekly overtime beyond 40 hours.'),
    (NULL, '%california%', true, 40, 'California: daily overtime beyond 8 hours, double time beyond 12, weekly beyond 40.');

CREATE TABLE tracktik.holiday_rules (
    holiday_rule_id  serial   PRIMARY KEY,
    name             text     NOT NULL,
    month            integer  NOT NULL CHECK (month BETWEEN 1 AND 12),
    day_of_month     integer  CHECK (day_of_month BETWEEN 1 AND 31),
    iso_weekday      integer  CHECK (iso_weekday BETWEEN 1 AND 7),
    week_of_month    integer  CHECK (week_of_month IN (-1, 1, 2, 3, 4, 5)),
    region_id        bigint,
    CONSTRAINT holiday_rules_one_form CHECK (
        (day_of_month IS NOT NULL AND iso_weekday IS NULL AND week_of_month IS NULL)
        OR (day_of_month IS NULL AND iso_weekday IS NOT NULL AND week_of_month IS NOT NULL)
    ),
    CONSTRAINT holiday_rules_unique UNIQUE NULLS NOT DISTINCT (name, region_id)
);
COMMENT ON TABLE tracktik.holiday_rules IS
    'Recurring holidays, valid for every year: a fixed date (month, day_of_month) or the Nth / last weekday of a month. On their calendar dates, no weekend shifting.';
COMMENT ON COLUMN tracktik.holiday_rules.holiday_rule_id IS 'Rule id.';
COMMENT ON COLUMN tracktik.holiday_rules.name IS 'Holiday name.';
COMMENT ON COLUMN tracktik.holiday_rules.month IS 'Month (1-12).';
COMMENT ON COLUMN tracktik.holiday_rules.day_of_month IS 'Day of month, for fixed-date holidays.';
COMMENT ON COLUMN tracktik.holiday_rules.iso_weekday IS 'ISO weekday (1 = Monday ... 7 = Sunday), for floating holidays.';
COMMENT ON COLUMN tracktik.holiday_rules.week_of_month IS 'Which such weekday of the month: 1-5, or -1 for the last.';
COMMENT ON COLUMN tracktik.holiday_rules.region_id IS 'TrackTik region it applies to; NULL for all regions.';

INSERT INTO tracktik.holiday_rules (name, month, day_of_month, iso_weekday, week_of_month) VALUES
    ('New Year''s Day',   1,  1,    NULL, NULL),
    ('Memorial Day',      5,  NULL, 1,    -1),
    ('Independence Day',  7,  4,    NULL, NULL),
    ('Labor Day',         9,  NULL, 1,    1),
    ('Thanksgiving',     11,  NULL, 4,    4),
    ('Christmas Day',    12, 25,    NULL, NULL);

CREATE TABLE tracktik.holiday_dates (
    holiday_date  date     NOT NULL,
    region_id     bigint,
    name          text     NOT NULL,
    is_holiday    boolean  NOT NULL DEFAULT true,
    CONSTRAINT holiday_dates_unique UNIQUE NULLS NOT DISTINCT (holiday_date, region_id)
);
COMMENT ON TABLE tracktik.holiday_dates IS
    'Holiday dates added (is_holiday true) or removed (is_holiday false) by a DBA for one region or, with region_id NULL, all regions; they take precedence over tracktik.holiday_rules.';
COMMENT ON COLUMN tracktik.holiday_dates.holiday_date IS 'The date.';
COMMENT ON COLUMN tracktik.holiday_dates.region_id IS 'TrackTik region; NULL for all regions.';
COMMENT ON COLUMN tracktik.holiday_dates.name IS 'Holiday name, or why the date is removed.';
COMMENT ON COLUMN tracktik.holiday_dates.is_holiday IS 'True adds the date as a holiday; false removes a date that a rule would make a holiday.';
