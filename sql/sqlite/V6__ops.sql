-- fleetrun schema, version 6: retention.
--
-- Retention (retention.records in config) deletes invocations that ended long ago. A one-time
-- job must still never run twice, and a stopped periodic job must stay stopped, after its
-- invocation is gone: once_job and stopped_job are kept, so they lose their foreign key to
-- invocation. Their invoke_id names the invocation it was, which may since have been purged.
-- SQLite cannot drop a constraint, so both tables are rebuilt (nothing references them).
-- PostgreSQL twin: sql/postgresql/V6__ops.sql drops the constraints instead.

CREATE TABLE once_job_v6 (
  job_id     VARCHAR NOT NULL PRIMARY KEY,
  invoke_id  VARCHAR NOT NULL,
  created_at VARCHAR NOT NULL
);
INSERT INTO once_job_v6 (job_id, invoke_id, created_at)
  SELECT job_id, invoke_id, created_at FROM once_job;
DROP TABLE once_job;
ALTER TABLE once_job_v6 RENAME TO once_job;

CREATE TABLE stopped_job_v6 (
  job_id     VARCHAR NOT NULL PRIMARY KEY,
  job_spec   VARCHAR NOT NULL,
  invoke_id  VARCHAR NOT NULL,
  stopped_at VARCHAR NOT NULL
);
INSERT INTO stopped_job_v6 (job_id, job_spec, invoke_id, stopped_at)
  SELECT job_id, job_spec, invoke_id, stopped_at FROM stopped_job;
DROP TABLE stopped_job;
ALTER TABLE stopped_job_v6 RENAME TO stopped_job;

-- What retention looks for: invocations that ended before the cutoff, and ended records of
-- periodic invocations that still run.
CREATE INDEX invocation_finished_at ON invocation (finished_at);
CREATE INDEX invocation_record_finish_time ON invocation_record (finish_time);
