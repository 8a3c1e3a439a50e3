-- fleetrun schema, version 6: retention.
--
-- Retention (retention.records in config) deletes invocations that ended long ago. A one-time
-- job must still never run twice, and a stopped periodic job must stay stopped, after its
-- invocation is gone: once_job and stopped_job are kept, so they lose their foreign key to
-- invocation. Their invoke_id names the invocation it was, which may since have been purged.
-- PostgreSQL twin of sql/sqlite/V6__ops.sql, which rebuilds the two tables instead (SQLite
-- cannot drop a constraint); the resulting tables are the same.

ALTER TABLE once_job DROP CONSTRAINT once_job_invoke_id_fkey;
ALTER TABLE stopped_job DROP CONSTRAINT stopped_job_invoke_id_fkey;

-- What retention looks for: invocations that ended before the cutoff, and ended records of
-- periodic invocations that still run.
CREATE INDEX invocation_finished_at ON invocation (finished_at);
CREATE INDEX invocation_record_finish_time ON invocation_record (finish_time);
