-- tracktik._is_iso_timestamptz(text) -> true when the text is an ISO 8601 date-time WITH a UTC
-- offset (or Z) that PostgreSQL parses without error: valid month, day of month (including
-- 29 February only in leap years), hour, minute, second and offset. A text for which this is
-- true can be cast with ::timestamptz safely, so set-based loads never abort on bad input.
--
-- LANGUAGE sql, one expression, no SET: the planner inlines it into the calling query.
CREATE OR REPLACE FUNCTION tracktik._is_iso_timestamptz(p_text text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN p_text IS NULL THEN false
        WHEN p_text !~ '^[1-9][0-9]{3}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-9]))[Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?([Zz]|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)$'
            THEN false
        WHEN substr(p_text, 6, 5) <> '02-29' THEN true
        ELSE substr(p_text, 1, 4)::integer % 4 = 0
             AND (substr(p_text, 1, 4)::integer % 100 <> 0 OR substr(p_text, 1, 4)::integer % 400 = 0)
    END
$$;

COMMENT ON FUNCTION tracktik._is_iso_timestamptz(text) IS
    'True when a text is an ISO 8601 date-time with an explicit UTC offset that casts to timestamptz without error (calendar-checked). Inlinable helper of the set-based loads.';
