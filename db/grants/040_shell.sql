-- Routines the shell (tracktik_loader) calls to plan fetches and report.
GRANT EXECUTE ON FUNCTION
    tracktik.sync_watermarks(),
    tracktik.batch_summary(uuid)
TO tracktik_loader;
