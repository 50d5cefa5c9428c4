-- tracktik._iso_date(text) -> the calendar date at the start of an ISO 8601 text
-- ("2025-03-01" or "2025-03-01T00:00:00-08:00"), or NULL when it is not a valid date.
-- Used for date-valued API fields such as position-bill-settings.effectiveDate.
CREATE OR REPLACE FUNCTION tracktik._iso_date(p_text text)
RETURNS date
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN p_text IS NULL THEN NULL
        WHEN p_text !~ '^[1-9][0-9]{3}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-9]))([Tt ].*)?$'
            THEN NULL
        WHEN substr(p_text, 6, 5) = '02-29'
             AND NOT (substr(p_text, 1, 4)::integer % 4 = 0
                      AND (substr(p_text, 1, 4)::integer % 100 <> 0 OR substr(p_text, 1, 4)::integer % 400 = 0))
            THEN NULL
        ELSE substr(p_text, 1, 10)::date
    END
$$;

COMMENT ON FUNCTION tracktik._iso_date(text) IS
    'The date at the start of an ISO 8601 text (date or date-time), NULL when absent or not a valid calendar date. Inlinable helper.';
