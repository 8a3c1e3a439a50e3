/**
 * Lifecycle: starts the database, the SSH client, the invoker and the scheduler in order, polls
 * CLI requests, beats a heartbeat, repairs what a previous run left, applies edits of the config
 * file while running (file watch and SIGHUP: {@code ConfigWatcher}, {@code ConfigReload}), and
 * stops in reverse order with bounded waits. The only room that wires infrastructure together and
 * reads the system clock.
 */
package io.fleetrun.daemon;
