-- fleetrun schema, version 14 (PostgreSQL): CLI requests on a cluster of daemons. Twin of
-- sql/sqlite/V14__cluster_control.sql; same statements, same meaning (see that file for the
-- comments that explain each one).

ALTER TABLE control_request ADD COLUMN claimed_by VARCHAR;

ALTER TABLE control_request ADD COLUMN for_node VARCHAR;
