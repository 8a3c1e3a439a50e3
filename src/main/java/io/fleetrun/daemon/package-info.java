/**
 * Lifecycle: starts the database, the SSH client, the invoker and the scheduler in order, polls
 * CLI requests, beats a heartbeat, repairs what a previous run left, and stops in reverse order
 * with bounded waits. The only room that wires infrastructure together and reads the system
 * clock.
 */
package io.fleetrun.daemon;
