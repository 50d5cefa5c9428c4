-- tracktik.billing_period_bounds(date): the billing period containing a date, computed from
-- the calendar anchor (tracktik.settings), for any date past or future.
--
-- Periods are period_length_days (14) long and continuous from the anchor in both
-- directions. period_id = fiscal year (year of the end date) and the ordinal of the period
-- among the periods ending in that year.
--
-- LANGUAGE sql without a SET clause on purpose: the planner inlines it into set-based loads.
-- Every name is schema-qualified instead.
CREATE OR REPLACE FUNCTION tracktik.billing_period_bounds(p_date date)
RETURNS TABLE (
    period_id      text,
    start_date     date,
    end_date       date,
    fiscal_year    integer,
    period_number  integer
)
LANGUAGE sql
STABLE
STRICT
PARALLEL SAFE
AS $$
    WITH cal AS (
        SELECT s.calendar_anchor_date AS anchor,
               s.period_length_days   AS len,
               floor((p_date - s.calendar_anchor_date)::numeric / s.period_length_days)::integer AS k
          FROM tracktik.settings AS s
    ), bounds AS (
        SELECT cal.*,
               cal.anchor + cal.k * cal.len                 AS start_date,
               cal.anchor + cal.k * cal.len + cal.len - 1   AS end_date
          FROM cal
    ), numbered AS (
        SELECT b.start_date,
               b.end_date,
               extract(year FROM b.end_date)::integer AS fiscal_year,
               -- ordinal of the first period ending on or after 1 January of that year
               b.k - ceil((make_date(extract(year FROM b.end_date)::integer, 1, 1)
                           - (b.anchor + b.len - 1))::numeric / b.len)::integer + 1 AS period_number
          FROM bounds AS b
    )
    SELECT n.fiscal_year::text || '_' || lpad(n.period_number::text, 2, '0'),
           n.start_date,
           n.end_date,
           n.fiscal_year,
           n.period_number
      FROM numbered AS n
$$;

COMMENT ON FUNCTION tracktik.billing_period_bounds(date) IS
    'The billing period containing a date: period_id, start_date, end_date (inclusive), fiscal_year, period_number. Computed from tracktik.settings; works for any date.';
