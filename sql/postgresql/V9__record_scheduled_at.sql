-- fleetrun schema, version 9: records are written when their fire is, before they start.
-- See sql/sqlite/V9__record_scheduled_at.sql for the meaning of scheduled_at and of a NULL
-- start_time.
--
-- Rebuilt as the SQLite twin is (create, copy, drop, rename, indexes again), not altered in
-- place: ADD COLUMN would put scheduled_at last, and the two schemas must have the same columns
-- in the same order (what SELECT * shows an operator; SchemaParityTest compares them). The
-- identity counter is carried over, so a record id purged by retention is never reused, and the
-- constraints, the sequence and the indexes get their old names back.

CREATE TABLE invocation_record_v9 (
  record_id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
  OVERRIDING SYSTEM VALUE
  SELECT record_id, invoke_id, instance_id, repeat_no, status, detail_status, exit_code,
    error_code, error_info, output, dropped, start_time, start_time, finish_time, stop_time,
    remote_pgid, remote_pgid_started
  FROM invocation_record;

SELECT setval('invocation_record_v9_record_id_seq', last_value, is_called)
  FROM invocation_record_record_id_seq;

DROP TABLE invocation_record;
ALTER TABLE invocation_record_v9 RENAME TO invocation_record;
ALTER SEQUENCE invocation_record_v9_record_id_seq RENAME TO invocation_record_record_id_seq;
ALTER TABLE invocation_record RENAME CONSTRAINT invocation_record_v9_pkey TO invocation_record_pkey;
ALTER TABLE invocation_record RENAME CONSTRAINT invocation_record_v9_status_check
  TO invocation_record_status_check;
ALTER TABLE invocation_record RENAME CONSTRAINT invocation_record_v9_invoke_id_instance_id_fkey
  TO invocation_record_invoke_id_instance_id_fkey;

CREATE UNIQUE INDEX invocation_record_invoke
  ON invocation_record (invoke_id, instance_id, repeat_no);
CREATE INDEX invocation_record_status ON invocation_record (status);
CREATE INDEX invocation_record_start_time ON invocation_record (start_time);
CREATE INDEX invocation_record_finish_time ON invocation_record (finish_time);
