-- tracktik._create_billing_worktables(): (re)creates, empty, the two temporary tables through
-- which the fact load and the billing engine talk, for the current transaction:
--
--   pg_temp.tt_pending      fact rows about to be written (new, changed or moved shifts), with
--                           their hours but not yet their billing; the old period / employee /
--                           week of a changed or moved shift; src_tid points at the
--                           record (tracktik._shift_records), written as raw_data. While step 3
--                           compares, it also holds 'stale' rows (a record older than the
--                           stored row of its shift: stamp < stored_stamp), removed again
--                           before anything else reads the table
--   pg_temp.tt_bill_weeks   the employee-workweeks to bill whole (billing period, employee,
--                           first day of the workweek); employee_id NULL stands for the vacant
--                           shifts of that week, which are billed one by one
CREATE OR REPLACE FUNCTION tracktik._create_billing_worktables()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
SET client_min_messages = warning   -- no NOTICE for DROP TABLE IF EXISTS of the work tables
AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.tt_pending;
    CREATE TEMPORARY TABLE tt_pending (
        shift_id           bigint       NOT NULL,
        billing_period_id  text         NOT NULL,
        week_start         date         NOT NULL,
        employee_id        bigint,
        position_id        bigint,
        client_id          bigint,
        region_id          bigint,
        employee_key       bigint,
        position_key       bigint,
        client_key         bigint,
        shift_date         date         NOT NULL,
        start_datetime     timestamptz  NOT NULL,
        end_datetime       timestamptz  NOT NULL,
        time_zone          text         NOT NULL,
        status             text         NOT NULL,
        scheduled_hours    numeric(10,2),
        clocked_hours      numeric(10,2),
        approved_hours     numeric(10,2),
        billable_hours     numeric(10,2),
        payable_hours      numeric(10,2),
        src_tid            tid          NOT NULL,
        change             text         NOT NULL CHECK (change IN ('new', 'changed', 'moved', 'stale')),
        old_period_id      text,
        old_shift_date     date,
        old_employee_id    bigint,
        old_week_start     date,
        stamp              timestamptz,   -- the record's updatedOn / modifiedOn
        stored_stamp       timestamptz    -- the stored row's (a changed or moved shift)
    ) ON COMMIT DROP;

    DROP TABLE IF EXISTS pg_temp.tt_bill_weeks;
    CREATE TEMPORARY TABLE tt_bill_weeks (
        billing_period_id  text    NOT NULL,
        employee_id        bigint,
        week_start         date    NOT NULL,
        UNIQUE NULLS NOT DISTINCT (billing_period_id, employee_id, week_start)
    ) ON COMMIT DROP;
END
$$;

COMMENT ON FUNCTION tracktik._create_billing_worktables() IS
    'Internal: creates the empty temporary tables pg_temp.tt_pending (fact rows about to be written) and pg_temp.tt_bill_weeks (employee-weeks to bill whole) for this transaction.';
