package io.fleetrun.store;

import java.time.Duration;
import java.time.Instant;

/** A daemon's heartbeat row. */
public record Heartbeat(DaemonInfo daemon, Instant beatAt) {
  /** A daemon beats every second; one silent for this long is taken as dead. */
  public static final Duration ALIVE_WITHIN = Duration.ofSeconds(5);

  public boolean isAlive(Instant now) {
    return !beatAt.plus(ALIVE_WITHIN).isBefore(now);
  }
}
