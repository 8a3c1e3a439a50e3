/**
 * jOOQ over SQLite or PostgreSQL (the same tables, {@code sql/sqlite} and {@code sql/postgresql},
 * compared by {@code SchemaParityTest}; what must hold between several daemons on PostgreSQL is a
 * constraint or a row lock): schema migration from {@code sql/}, invocation and record
 * writes with statuses recomputed in the same transaction (a fire's rows in one transaction,
 * record changes group-committed by {@code RecordJournal}, which never loses an end: a refused
 * one is written without its output, or kept and retried by {@code RefusedEnds}; a {@code
 * JournalObserver} hears each commit's time and the overall statuses it changed), the reads of
 * the CLI, the daemon and the demo in plain JDBC ({@code JdbcInvocationQueries}, {@code
 * JdbcStatusQueries}, over the CLI's one read-only connection or the daemon's pool: {@code
 * ReadConnections}; {@code DaemonStatus} is what {@code fleetrun status} and {@code GET
 * /api/v1/daemon} both show), and the control channel (requests and daemon heartbeat) between CLI and
 * daemon: the daemon's side in jOOQ ({@code JooqControlChannel}), the CLI's in plain JDBC ({@code
 * CliRequests}), so no CLI command loads jOOQ or a connection pool; and the event log of the
 * event stream ({@code EventLog}, table {@code run_event}, read in id order without loss on both
 * databases). On PostgreSQL every beat
 * (daemon_node, daemon_heartbeat) is written and judged by the database's clock ({@code
 * DatabaseClock}), never a node's or the CLI's. Generated jOOQ types stay in this package; the
 * rest of the code sees {@code model} records. May import {@code model} only; never opens SSH.
 */
package io.fleetrun.store;
