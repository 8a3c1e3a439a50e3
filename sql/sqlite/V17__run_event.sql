-- fleetrun schema, version 17: the event log behind GET /api/v1/events (server-sent events).
-- Twin: sql/postgresql/V17__run_event.sql.
--
-- One row per event the engine committed (a record started, a record ended, an invocation's
-- overall status changed), appended by each daemon's event writer in small batches, read by the
-- HTTP servers of every daemon of the database (a client of any node sees every node's events)
-- and deleted after an hour (the stream resumes with Last-Event-ID within that hour).
--
--   event_id    the event's position in the stream, its SSE id. Never reused (AUTOINCREMENT:
--               a pruned id is not handed out again). SQLite has one writer at a time, so ids
--               become visible in their order; PostgreSQL needs the column tx (see its twin).
--   kind        record-started, record-ended or invocation-status-changed (the SSE event name)
--   invoke_id   the invocation it is about (the stream's invokeId filter)
--   payload     the event as one line of JSON, the SSE data (never a record's output)
--   created_at  when the writer appended it (its node's clock); retention deletes by it
--   node        the daemon node that wrote it
CREATE TABLE run_event (
  event_id   INTEGER PRIMARY KEY AUTOINCREMENT, -- postgresql: BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY
  kind       VARCHAR NOT NULL,
  invoke_id  VARCHAR NOT NULL,
  payload    VARCHAR NOT NULL,
  created_at VARCHAR NOT NULL,
  node       VARCHAR NOT NULL
);

-- Retention deletes the oldest rows by time.
CREATE INDEX run_event_created ON run_event (created_at);
