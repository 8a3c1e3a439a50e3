package io.fleetrun.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A row of {@code daemon_node} as {@code fleetrun status} shows it.
 *
 * @param configDigest the digest of the config file the node runs (SHA-256 of its bytes)
 * @param declaredDeadBy the node that declared it dead, if one did
 * @param runningRecords its records of status Running
 */
public record ClusterNode(
    String nodeId,
    String host,
    long pid,
    String version,
    String configDigest,
    Instant startedAt,
    Instant beatAt,
    Optional<Instant> stoppedAt,
    Optional<Instant> declaredDeadAt,
    Optional<String> declaredDeadBy,
    int runningRecords) {
  /**
   * A node whose beat is older than this is dead (it beats every second; the margin covers a long
   * GC or a slow database and keeps detection inside the 30 s failover target).
   */
  public static final Duration FAILOVER_WINDOW = Duration.ofSeconds(15);

  /** What a node is at a moment. */
  public enum State {
    /** Beating. */
    LIVE,
    /** Stopped cleanly. */
    STOPPED,
    /** Declared dead by another node. */
    DEAD,
    /** Silent for longer than the failover window, not declared dead (yet). */
    SILENT
  }

  public State state(Instant now) {
    if (stoppedAt.isPresent()) {
      return State.STOPPED;
    }
    if (declaredDeadAt.isPresent()) {
      return State.DEAD;
    }
    return beatAt.plus(FAILOVER_WINDOW).isBefore(now) ? State.SILENT : State.LIVE;
  }
}
