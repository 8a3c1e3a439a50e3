-- fleetrun schema, version 17 (PostgreSQL): the event log behind GET /api/v1/events. Twin of
-- sql/sqlite/V17__run_event.sql (see that file for the columns).
--
-- Identity values are taken at insert while transactions commit in any order, so a reader of
-- event_id > last could skip an id that commits after a higher one. Writers take one advisory
-- lock per transaction before they insert (store/EventLog.append): they take turns, and each
-- commit is visible before the next writer takes ids.
CREATE TABLE run_event (
  event_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       VARCHAR NOT NULL,
  invoke_id  VARCHAR NOT NULL,
  payload    VARCHAR NOT NULL,
  created_at VARCHAR NOT NULL,
  node       VARCHAR NOT NULL
);

CREATE INDEX run_event_created ON run_event (created_at);
