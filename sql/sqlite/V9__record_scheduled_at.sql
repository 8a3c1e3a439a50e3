-- fleetrun schema, version 9: records are written when their fire is, before they start.
--
-- A fire or a run writes every record at once (Running / Pending), in the transaction that
-- creates the fire, and hands them to SSH from there. So a record now has:
--   scheduled_at  when its fire was due: the trigger's scheduled fire time for a job, the time the
--                 daemon took the request for an ad-hoc run. Never NULL.
--   start_time    when the exec request went to the target (the script may run from then on);
--                 NULL while the record waits for its turn, and for a record that ended before it
--                 was sent (stopped while pending, cancelled by maxErrors, could not connect).
-- start_time - scheduled_at is the delay from schedule to remote start. Existing rows get
-- scheduled_at = start_time.
--
-- SQLite cannot drop a NOT NULL constraint, so invocation_record is rebuilt: create, copy, drop,
-- rename, then every index again. Nothing references invocation_record with a foreign key, so
-- dropping it checks nothing (Flyway runs this in one transaction, where PRAGMA foreign_keys
-- cannot be changed, and need not be). Its own foreign key to invocation_instance is kept. The
-- AUTOINCREMENT counter is carried over, so a record id purged by retention is never reused.
-- Twin: sql/postgresql/V9__record_scheduled_at.sql (ALTER COLUMN instead of the rebuild).

CREATE TABLE invocation_record_v9 (
  record_id           INTEGER PRIMARY KEY AUTOINCREMENT,
  invoke_id           VARCHAR NOT NULL,
  instance_id         VARCHAR NOT NULL,
  repeat_no           INTEGER NOT NULL,
  status              VARCHAR NOT NULL CHECK (status IN ('Running', 'Stopped', 'Finished', 'Failed')),
  detail_status       VARCHAR NOT NULL,
  exit_code           INTEGER,
  error_code          VARCHAR,
  error_info          TEXT,
  output              TEXT    NOT NULL DEFAULT '',
  dropped             BIGINT  NOT NULL DEFAULT 0,
  scheduled_at        VARCHAR NOT NULL,
  start_time          VARCHAR,
  finish_time         VARCHAR,
  stop_time           VARCHAR,
  remote_pgid         BIGINT,
  remote_pgid_started BIGINT,
  FOREIGN KEY (invoke_id, instance_id) REFERENCES invocation_instance (invoke_id, instance_id)
);

INSERT INTO invocation_record_v9 (record_id, invoke_id, instance_id, repeat_no, status,
    detail_status, exit_code, error_code, error_info, output, dropped, scheduled_at, start_time,
    finish_time, stop_time, remote_pgid, remote_pgid_started)
  SELECT record_id, invoke_id, instance_id, repeat_no, status, detail_status, exit_code,
    error_code, error_info, output, dropped, start_time, start_time, finish_time, stop_time,
    remote_pgid, remote_pgid_started
  FROM invocation_record;

-- The old table's AUTOINCREMENT row goes to the new table (the jOOQ code generator, which reads
-- this file, has no sqlite_sequence: it skips these two lines).
/* [jooq ignore start] */
DELETE FROM sqlite_sequence WHERE name = 'invocation_record_v9';
UPDATE sqlite_sequence SET name = 'invocation_record_v9' WHERE name = 'invocation_record';
/* [jooq ignore stop] */
DROP TABLE invocation_record;
ALTER TABLE invocation_record_v9 RENAME TO invocation_record;

CREATE UNIQUE INDEX invocation_record_invoke
  ON invocation_record (invoke_id, instance_id, repeat_no);
CREATE INDEX invocation_record_status ON invocation_record (status);
CREATE INDEX invocation_record_start_time ON invocation_record (start_time);
CREATE INDEX invocation_record_finish_time ON invocation_record (finish_time);
