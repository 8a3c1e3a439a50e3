-- fleetrun schema, version 14: CLI requests on a cluster of daemons (PostgreSQL). Keep this file
-- portable: sql/postgresql/V14__cluster_control.sql is its twin and says the same.

-- The node that claimed the request. A node starting up answers, as refused, only the claimed
-- and unanswered requests of its own node id (its previous process died carrying them out) or of
-- nodes no longer alive; another live node's request is that node's to answer. NULL for
-- requests claimed before this version (and on SQLite: one daemon, every claim is its own).
ALTER TABLE control_request ADD COLUMN claimed_by VARCHAR;

-- The node a request is meant for; NULL: any node. A stop claimed by one node ends that node's
-- records and hands each other live node running records of the invocation a stop of its own
-- (for_node = that node), which only that node claims: its kill must be done where its SSH
-- session is.
ALTER TABLE control_request ADD COLUMN for_node VARCHAR;
