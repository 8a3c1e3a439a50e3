package io.fleetrun.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How long this cluster node has been beating without a gap. A node may declare another dead only
 * once it has beaten steadily for the failover window itself: after the database was out of reach
 * (a PostgreSQL restart or failover of 20 s), every node's last beat is equally old, and the first
 * node back would otherwise declare all the others dead, killing their scripts, before they had a
 * chance to beat again; a node that was itself stalled (GC, paused VM) must likewise not judge the
 * others by the time it lost. Thread-safe: the heartbeat thread writes, the take-over thread reads.
 */
final class BeatStreak {
  /** A longer silence between two successful beats (they come every second) breaks the streak. */
  static final Duration MAX_GAP = Duration.ofSeconds(3);

  private Instant since;
  private Instant last;

  /** A beat was written at {@code now}. */
  synchronized void beat(Instant now) {
    Objects.requireNonNull(now, "now");
    if (last == null || Duration.between(last, now).compareTo(MAX_GAP) > 0 || now.isBefore(last)) {
      since = now;
    }
    last = now;
  }

  /** A beat failed (the database out of reach, or the node's row refused it). */
  synchronized void broken() {
    since = null;
    last = null;
  }

  /** Whether the node has beaten without a gap for at least {@code window} up to {@code now}. */
  synchronized boolean steadyFor(Instant now, Duration window) {
    return since != null && last != null
        && Duration.between(last, now).compareTo(MAX_GAP) <= 0
        && Duration.between(since, now).compareTo(window) >= 0;
  }
}
