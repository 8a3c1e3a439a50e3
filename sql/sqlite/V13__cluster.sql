-- fleetrun schema, version 13: daemons as nodes of a cluster (PostgreSQL), and every record knows
-- the daemon that wrote it. Keep this file portable: sql/postgresql/V13__cluster.sql is its twin
-- and says the same.

-- One row per daemon node of a PostgreSQL cluster, kept after the node stops (its history). A
-- node registers at start (insert, or takes its own row over once the process that held it is
-- gone), refreshes beat_at every second, and sets stopped_at on a clean stop. A node whose beat
-- is older than the failover window is dead; the node that finds out writes declared_dead_at and
-- declared_dead_by (its own node_id), so a late-waking node can tell it was replaced.
-- config_digest is the SHA-256 of the config file the node runs (`fleetrun status` warns when
-- live nodes differ). SQLite databases have one daemon and never write here (daemon_lease).
CREATE TABLE daemon_node (
  node_id          VARCHAR NOT NULL PRIMARY KEY,
  host             VARCHAR NOT NULL,
  pid              BIGINT  NOT NULL,
  version          VARCHAR NOT NULL,
  config_digest    VARCHAR NOT NULL,
  started_at       VARCHAR NOT NULL,
  beat_at          VARCHAR NOT NULL,
  stopped_at       VARCHAR,
  declared_dead_at VARCHAR,
  declared_dead_by VARCHAR
);

-- The node that created the record (and dispatches it). NULL for records older than this version.
ALTER TABLE invocation_record ADD COLUMN node_id VARCHAR;

-- One record per instance and fire: a second fire of the same trigger time (a duplicate fire of
-- the Quartz cluster) is a refused insert, never a second run. Every path that writes records
-- gives each fire of an invocation its own scheduled_at (a periodic fire: the trigger's fire time;
-- a misfire run-once: the time it was fired; an ad-hoc run or one-time job: a new invocation).
-- Rows without node_id are left out: rows from before version 9 got scheduled_at = start_time
-- there, which nothing kept unique, and this migration must not fail on an old file.
CREATE UNIQUE INDEX invocation_record_fire
  ON invocation_record (invoke_id, instance_id, scheduled_at) WHERE node_id IS NOT NULL;

-- Quartz's row locks for the scheduler name "fleetrun" (Daemon.Settings), present before any node
-- starts: on PostgreSQL, nodes that insert them on first use at once abort each other's
-- transactions (quartz #647). Harmless on SQLite, whose scheduler takes no row locks. (The jOOQ
-- code generator reads this file for tables only: it skips the insert.)
/* [jooq ignore start] */
INSERT INTO QRTZ_LOCKS (SCHED_NAME, LOCK_NAME)
  VALUES ('fleetrun', 'TRIGGER_ACCESS'), ('fleetrun', 'STATE_ACCESS')
  ON CONFLICT DO NOTHING;
/* [jooq ignore stop] */
