package io.fleetrun.observe;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The read-only values {@link Metrics} reads at each scrape, given by the daemon. A supplier that
 * throws (the database unreachable, say) leaves its metric out of that scrape.
 *
 * @param recordsRunning records of this daemon handed to SSH whose end is not written yet
 * @param recordsPending records of this daemon waiting for their turn (maxConcurrency)
 * @param sshConnections SSH connections open or being opened
 * @param sshSessions session channels of runs on those connections
 * @param invocationsRunning invocations whose overall status is Running, in the database
 * @param eventsDropped run events dropped because a subscriber's queue was full
 * @param lastHeartbeat when this daemon last wrote its heartbeat, once it did
 * @param lastReload the last config reload's result, once there was one
 */
public record Gauges(
    IntSupplier recordsRunning,
    IntSupplier recordsPending,
    IntSupplier sshConnections,
    IntSupplier sshSessions,
    IntSupplier invocationsRunning,
    LongSupplier eventsDropped,
    Supplier<Optional<Instant>> lastHeartbeat,
    Supplier<Optional<Reload>> lastReload) {

  /** A config reload: applied ({@code ok}) or refused, and when it was tried. */
  public record Reload(boolean applied, Instant at) {
    public Reload {
      Objects.requireNonNull(at, "at");
    }
  }

  public Gauges {
    Objects.requireNonNull(recordsRunning, "recordsRunning");
    Objects.requireNonNull(recordsPending, "recordsPending");
    Objects.requireNonNull(sshConnections, "sshConnections");
    Objects.requireNonNull(sshSessions, "sshSessions");
    Objects.requireNonNull(invocationsRunning, "invocationsRunning");
    Objects.requireNonNull(eventsDropped, "eventsDropped");
    Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
    Objects.requireNonNull(lastReload, "lastReload");
  }
}
