/**
 * Lifecycle: starts the database, takes the single-node lease, starts the SSH client, repairs
 * what a previous run left (records and remote processes), starts the invoker and the scheduler,
 * polls CLI requests, beats a heartbeat, applies edits of the config file while running (file
 * watch and SIGHUP: {@code ConfigWatcher}, {@code ConfigReload}), and stops in reverse order with
 * bounded waits. The only room that wires infrastructure together and reads the system clock.
 */
package io.fleetrun.daemon;
