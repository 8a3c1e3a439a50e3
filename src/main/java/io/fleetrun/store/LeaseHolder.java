package io.fleetrun.store;

import java.time.Instant;
import java.util.Objects;

/** The daemon that holds the database's single-node lease, and when it last renewed it. */
public record LeaseHolder(String nodeId, long pid, String host, Instant startedAt, Instant beatAt) {
  public LeaseHolder {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(beatAt, "beatAt");
  }
}
