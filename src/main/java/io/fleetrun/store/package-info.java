/**
 * jOOQ over SQLite (PostgreSQL later): schema migration from {@code sql/}, invocation and record
 * writes with statuses recomputed in the same transaction (a fire's rows in one transaction,
 * record changes group-committed by {@code RecordJournal}, which never loses an end: a refused
 * one is written without its output, or kept and retried by {@code RefusedEnds}), queries for the CLI, and the control
 * channel (requests and daemon heartbeat) between CLI and daemon. Generated jOOQ types stay in
 * this package; the rest of the code sees {@code model} records. May import {@code model} only;
 * never opens SSH.
 */
package io.fleetrun.store;
