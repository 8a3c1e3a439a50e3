package io.fleetrun.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A row of {@code daemon_node} as {@code fleetrun status} shows it, read at {@code readAt} by the
 * database's clock: its beat age and state are judged by that clock, the one that wrote the beat,
 * so the reader's own clock plays no part.
 *
 * @param configDigest the digest of the config file the node runs (SHA-256 of its bytes)
 * @param declaredDeadBy the node that declared it dead, if one did
 * @param runningRecords its records of status Running
 * @param readAt the database's clock when the row was read
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
    int runningRecords,
    Instant readAt) {
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

  /** What the node was when its row was read. */
  public State state() {
    if (stoppedAt.isPresent()) {
      return State.STOPPED;
    }
    if (declaredDeadAt.isPresent()) {
      return State.DEAD;
    }
    return beatAge().compareTo(FAILOVER_WINDOW) > 0 ? State.SILENT : State.LIVE;
  }

  /** How old its last beat was when its row was read; never negative. */
  public Duration beatAge() {
    Duration age = Duration.between(beatAt, readAt);
    return age.isNegative() ? Duration.ZERO : age;
  }
}
