package io.fleetrun.http;

import io.fleetrun.model.Fleet;
import io.fleetrun.store.ControlChannel;
import io.fleetrun.store.ReadConnections;
import java.time.Clock;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the daemon hands its HTTP server ({@link ApiServer#start}).
 *
 * @param database where the reads, the event stream and the readiness probe get connections
 * @param schedulerRunning whether the scheduler fires jobs (readiness)
 * @param metrics what {@code GET /metrics} serves
 * @param fleet the instances, commands and jobs of the config in force at the time of asking
 * @param control where run and stop requests go (the daemon's database, not its control connection)
 * @param environment looks up the environment variables tokens name ({@code System::getenv})
 * @param clock the daemon's clock: judges heartbeat ages where the database's clock does not
 */
public record DaemonSide(ReadConnections database, BooleanSupplier schedulerRunning, MetricsEndpoint metrics,
    Supplier<Fleet> fleet, ControlChannel control, Function<String, String> environment, Clock clock) {
  public DaemonSide {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(schedulerRunning, "schedulerRunning");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(clock, "clock");
  }
}
