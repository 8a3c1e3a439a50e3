-- fleetrun schema, version 1.
--
-- These tables are a public interface: operators read them with psql.
-- Times are UTC instants as ISO-8601 text with fixed milliseconds, like
-- 2026-11-28T07:10:03.123Z: string order is time order, and created_at::timestamptz reads
-- them. Statuses, detail statuses and error codes are stored by name.
-- Short values are VARCHAR (indexable everywhere), free text is TEXT.
-- PostgreSQL twin of sql/sqlite/V1__fleetrun.sql: keep the two in step. They differ only in
-- the generated keys (SQLite rowid keys there, identity columns here).

-- One activation of a job, or one ad-hoc run (job_id NULL). parameters is a JSON object.
CREATE TABLE invocation (
  invoke_id       VARCHAR NOT NULL PRIMARY KEY,
  job_id          VARCHAR,
  command_id      VARCHAR NOT NULL,
  command_content TEXT    NOT NULL,
  parameters      TEXT    NOT NULL,
  repeat_mode     VARCHAR NOT NULL CHECK (repeat_mode IN ('Once', 'Period')),
  frequency       VARCHAR,
  status          VARCHAR NOT NULL
                  CHECK (status IN ('Running', 'Stopped', 'Finished', 'Failed', 'PartialFailed')),
  created_at      VARCHAR NOT NULL,
  finished_at     VARCHAR,
  stopped_at      VARCHAR
);

CREATE INDEX invocation_created_at ON invocation (created_at);
CREATE INDEX invocation_status ON invocation (status, created_at);
CREATE INDEX invocation_job ON invocation (job_id, status);

-- One (invocation, instance) pair. instance_no keeps the order the instances were given in;
-- repeats counts the records so far.
CREATE TABLE invocation_instance (
  invoke_id   VARCHAR NOT NULL REFERENCES invocation (invoke_id),
  instance_id VARCHAR NOT NULL,
  instance_no INTEGER NOT NULL,
  status      VARCHAR NOT NULL CHECK (status IN ('Running', 'Stopped', 'Finished', 'Failed')),
  repeats     INTEGER NOT NULL DEFAULT 0,
  stopped     BOOLEAN NOT NULL DEFAULT FALSE,
  stopped_at  VARCHAR,
  PRIMARY KEY (invoke_id, instance_id)
);

-- One execution of the script on one instance. output holds the kept head and tail of what
-- the run printed; dropped counts the bytes left out between them. finish_time is set when
-- the record ends (whatever its status), stop_time too when it ended Stopped.
CREATE TABLE invocation_record (
  record_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoke_id     VARCHAR NOT NULL,
  instance_id   VARCHAR NOT NULL,
  repeat_no     INTEGER NOT NULL,
  status        VARCHAR NOT NULL CHECK (status IN ('Running', 'Stopped', 'Finished', 'Failed')),
  detail_status VARCHAR NOT NULL,
  exit_code     INTEGER,
  error_code    VARCHAR,
  error_info    TEXT,
  output        TEXT    NOT NULL DEFAULT '',
  dropped       BIGINT  NOT NULL DEFAULT 0,
  start_time    VARCHAR NOT NULL,
  finish_time   VARCHAR,
  stop_time     VARCHAR,
  remote_pgid   BIGINT,
  FOREIGN KEY (invoke_id, instance_id) REFERENCES invocation_instance (invoke_id, instance_id)
);

CREATE UNIQUE INDEX invocation_record_invoke
  ON invocation_record (invoke_id, instance_id, repeat_no);
CREATE INDEX invocation_record_status ON invocation_record (status);
CREATE INDEX invocation_record_start_time ON invocation_record (start_time);

-- A one-time job id runs once, ever: its row is written with its invocation.
CREATE TABLE once_job (
  job_id     VARCHAR NOT NULL PRIMARY KEY,
  invoke_id  VARCHAR NOT NULL REFERENCES invocation (invoke_id),
  created_at VARCHAR NOT NULL
);

-- A periodic job a person stopped (fleetrun stop on its whole invocation). It stays stopped
-- while its definition (job_spec, a fingerprint of the job and its command) is unchanged; an
-- edit of the job in config starts it again with a new invocation.
CREATE TABLE stopped_job (
  job_id     VARCHAR NOT NULL PRIMARY KEY,
  job_spec   VARCHAR NOT NULL,
  invoke_id  VARCHAR NOT NULL REFERENCES invocation (invoke_id),
  stopped_at VARCHAR NOT NULL
);

-- Requests from the CLI, taken by the daemon (claimed_at) and answered (done_at, with
-- invoke_id or error). payload is JSON.
CREATE TABLE control_request (
  request_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       VARCHAR NOT NULL CHECK (kind IN ('run', 'stop')),
  payload    TEXT    NOT NULL,
  created_at VARCHAR NOT NULL,
  claimed_at VARCHAR,
  done_at    VARCHAR,
  invoke_id  VARCHAR,
  error      TEXT
);

CREATE INDEX control_request_claimed_at ON control_request (claimed_at);

-- One row per running daemon, refreshed every second and removed on a clean stop.
CREATE TABLE daemon_heartbeat (
  node_id     VARCHAR NOT NULL PRIMARY KEY,
  pid         BIGINT  NOT NULL,
  host        VARCHAR NOT NULL,
  version     VARCHAR NOT NULL,
  config_file VARCHAR NOT NULL,
  started_at  VARCHAR NOT NULL,
  beat_at     VARCHAR NOT NULL
);
