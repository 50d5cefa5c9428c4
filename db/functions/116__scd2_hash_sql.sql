-- tracktik._scd2_hash_sql(dimension, alias, raw) -> SQL expression of attributes_hash.
--
-- attributes_hash = int8send( XOR over the tracked attributes k of
--                             hashtextextended(text form of the value, seed 2*ordinal_k + is_null) )
-- i.e. 8 bytes: one 64-bit hash per attribute (its position and NULL-ness in the seed, so
-- NULL differs from '' and values cannot move between columns unnoticed), combined by XOR.
-- Far cheaper than md5 of the row's text, which matters because the merge hashes every staged
-- record; a change escapes detection with probability about 2^-64.
--
--   raw = false: over the typed columns of a row aliased p_alias (stored versions, typed
--                candidates): the text form is value::text;
--   raw = true:  over the raw values p_alias._r<ordinal> of tracktik._scd2_raw_sql: the text
--                as sent (jsonb re-serialised canonically). Equal to the typed hash whenever
--                the source sends values in their canonical text form ("5", "true"); when it
--                does not, the record is merely re-checked by its typed hash.
-- Text forms of dates and times depend on TimeZone and DateStyle: the routines that hash
-- pin them (SET TimeZone = 'UTC', DateStyle = 'ISO, YMD').
CREATE OR REPLACE FUNCTION tracktik._scd2_hash_sql(p_dimension text, p_alias text, p_raw boolean DEFAULT false)
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
    SELECT pg_catalog.format('pg_catalog.int8send(%s)',
               coalesce(pg_catalog.string_agg(
                   pg_catalog.format('pg_catalog.hashtextextended(coalesce(%1$s, %2$L), %3$s + (%1$s IS NULL)::integer)',
                       CASE WHEN NOT p_raw THEN pg_catalog.format('%I.%I::text', p_alias, a.column_name)
                            WHEN a.sql_type = 'jsonb' THEN pg_catalog.format('NULLIF(%I.%I, %L::jsonb)::text',
                                                                             p_alias, '_r' || a.ordinal, 'null')
                            ELSE pg_catalog.format('%I.%I', p_alias, '_r' || a.ordinal)
                       END,
                       '', 2 * a.ordinal),
                   ' # ' ORDER BY a.ordinal), '0::bigint'))
      FROM tracktik._scd2_columns(p_dimension) AS a
     WHERE a.source_path IS NOT NULL AND a.is_tracked
$$;

COMMENT ON FUNCTION tracktik._scd2_hash_sql(text, text, boolean) IS
    'Internal: the SQL expression computing attributes_hash (XOR of per-attribute 64-bit hashtextextended of the tracked attributes'' text forms) over typed columns (raw false) or raw staged values _r<n> (raw true) of rows aliased p_alias.';
