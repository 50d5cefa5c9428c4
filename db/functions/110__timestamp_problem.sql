-- tracktik._timestamp_problem(text of an API timestamp) -> NULL when the value is absent
-- (NULL) or an ISO 8601 date-time with a UTC offset that PostgreSQL can cast to timestamptz;
-- 'timestamp_without_offset' for a date or date-time without an offset (never assumed UTC);
-- 'date_out_of_range' for a valid one whose year is outside 1900..2999 (the sane range of an
-- API stamp: 9999-12-31T23:59:59-15:00 is after year 10,000 in UTC, which no client can read,
-- and must never become a valid_from or a watermark);
-- 'unparsable_timestamp' for anything else (wrong shape, impossible date, a number).
--
-- It never raises, so a set-based load can classify every record first and cast only the good
-- ones. LANGUAGE sql, IMMUTABLE, without SET: the planner inlines it into the merge's scan.
CREATE OR REPLACE FUNCTION tracktik._timestamp_problem(p_value text)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN p_value IS NULL THEN NULL
        WHEN (   -- fast path, no regular expression: the API's own layouts
                 -- YYYY-MM-DDThh:mm:ss+hh:mm, -hh:mm or Z, each field in its range
                 pg_catalog.translate(p_value, '123456789', '000000000')
                     IN ('0000-00-00T00:00:00+00:00', '0000-00-00T00:00:00-00:00', '0000-00-00T00:00:00Z')
                 AND pg_catalog.substr(p_value, 1, 1) <> '0'
                 AND pg_catalog.substr(p_value, 6, 2) BETWEEN '01' AND '12'
                 AND pg_catalog.substr(p_value, 9, 2) BETWEEN '01' AND '31'
                 AND pg_catalog.substr(p_value, 12, 2) <= '23' AND pg_catalog.substr(p_value, 15, 2) <= '59'
                 AND pg_catalog.substr(p_value, 18, 2) <= '59'
                 AND (pg_catalog.length(p_value) = 20
                      OR (pg_catalog.substr(p_value, 21, 2) <= '15' AND pg_catalog.substr(p_value, 24, 2) <= '59')))
             -- (the fast path implies the pattern: it only spares the pattern's cost)
             OR p_value OPERATOR(pg_catalog.~)
             '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?([Zz]|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)$'
            THEN CASE
                -- the day must exist in its month (2025-02-30 matches the pattern)
                -- (two-digit texts compared as texts: no date arithmetic per record)
                WHEN pg_catalog.substr(p_value, 9, 2)
                     <= CASE WHEN pg_catalog.substr(p_value, 6, 2) IN ('04', '06', '09', '11') THEN '30'
                             WHEN pg_catalog.substr(p_value, 6, 2) <> '02' THEN '31'
                             WHEN pg_catalog.substr(p_value, 1, 4)::integer % 4 = 0
                                  AND (pg_catalog.substr(p_value, 1, 4)::integer % 100 <> 0
                                       OR pg_catalog.substr(p_value, 1, 4)::integer % 400 = 0) THEN '29'
                             ELSE '28' END
                    THEN CASE WHEN pg_catalog.substr(p_value, 1, 4) BETWEEN '1900' AND '2999' THEN NULL
                              ELSE 'date_out_of_range' END
                ELSE 'unparsable_timestamp'
            END
        WHEN p_value OPERATOR(pg_catalog.~)
             '^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?$'
            THEN 'timestamp_without_offset'
        ELSE 'unparsable_timestamp'
    END
$$;

COMMENT ON FUNCTION tracktik._timestamp_problem(text) IS
    'Classifies an API timestamp value: NULL when absent or a valid ISO 8601 date-time with offset in the years 1900..2999, else date_out_of_range, timestamp_without_offset or unparsable_timestamp (the data-quality issue type). Never raises.';
