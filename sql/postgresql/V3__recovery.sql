-- fleetrun schema, version 3: the single-node guard.
-- Twin of sql/sqlite/V3__recovery.sql.

-- The one daemon allowed to schedule and to repair on this database (one row at most). A daemon
-- takes it at start, in one transaction, when it is absent or stale (beat_at older than 5 s:
-- its holder was killed); it refreshes beat_at with its heartbeat every second and deletes the
-- row on a clean stop. A second daemon finds a fresh row and refuses to start.
CREATE TABLE daemon_lease (
  lease_id   INTEGER NOT NULL PRIMARY KEY CHECK (lease_id = 1),
  node_id    VARCHAR NOT NULL,
  pid        BIGINT  NOT NULL,
  host       VARCHAR NOT NULL,
  started_at VARCHAR NOT NULL,
  beat_at    VARCHAR NOT NULL
);
