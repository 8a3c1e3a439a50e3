-- fleetrun schema, version 17 (PostgreSQL): the event log behind GET /api/v1/events. Twin of
-- sql/sqlite/V17__run_event.sql (see that file for the columns), plus the column tx.
--
--   tx  the writing transaction's id. Sequence values are taken at insert but commit in another
--       order: a reader that polled event_id > last could see 12 committed while 11 commits a
--       moment later, and skip 11 for good. Readers take only rows whose transaction is older
--       than every transaction still running (tx < pg_snapshot_xmin(pg_current_snapshot())):
--       no row with a lower id can commit after those. Writers also take one advisory lock per
--       transaction before their first insert (EventLog), so transaction ids and event ids go up
--       together. PostgreSQL only (SchemaParityTest leaves it out): SQLite has one writer.
CREATE TABLE run_event (
  event_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       VARCHAR NOT NULL,
  invoke_id  VARCHAR NOT NULL,
  payload    VARCHAR NOT NULL,
  created_at VARCHAR NOT NULL,
  node       VARCHAR NOT NULL,
  tx         xid8    NOT NULL DEFAULT pg_current_xact_id()
);

CREATE INDEX run_event_created ON run_event (created_at);
