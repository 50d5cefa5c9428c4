-- tracktik._looks_like_iso_timestamptz(text) -> a cheap shape test (LIKE only, no regular
-- expression) for the common ISO 8601 forms with offset: 'YYYY-MM-DDTHH:MI:SS[.f]' followed by
-- 'Z' or '+HH:MM' / '-HH:MM'.
--
-- The loads cast texts that pass it directly (optimistic fast path, ~10x cheaper than the
-- full check); if one of them still fails to cast (e.g. 2025-02-30T...), the load repeats the
-- statement with the exact check tracktik._is_iso_timestamptz for every row.
CREATE OR REPLACE FUNCTION tracktik._looks_like_iso_timestamptz(p_text text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT p_text LIKE '____-__-__T__:__:__%'
       AND (p_text LIKE '%Z' OR p_text LIKE '%+__:__' OR p_text LIKE '%-__:__')
       AND left(p_text, 1) BETWEEN '0' AND '9'
$$;

COMMENT ON FUNCTION tracktik._looks_like_iso_timestamptz(text) IS
    'Cheap LIKE-only shape test for the common ISO 8601 date-time forms with an offset; the fast path of the loads (a failed cast falls back to tracktik._is_iso_timestamptz).';
