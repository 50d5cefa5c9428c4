-- tracktik._is_iso_timestamp_without_offset(text) -> true when the text is a well-formed ISO
-- 8601 date-time that lacks a UTC offset ("2025-01-10T08:00:00"): its instant depends on a
-- time zone nobody named, so the loads reject it (data-quality issue timestamp_without_offset)
-- instead of guessing.
CREATE OR REPLACE FUNCTION tracktik._is_iso_timestamp_without_offset(p_text text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT coalesce(p_text ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$', false)
$$;

COMMENT ON FUNCTION tracktik._is_iso_timestamp_without_offset(text) IS
    'True when a text is an ISO 8601 date-time without a UTC offset (rejected by the loads as timestamp_without_offset). Inlinable helper.';
