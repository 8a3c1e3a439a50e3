package io.fleetrun.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A daemon's heartbeat row. Read from PostgreSQL, where daemons write their beats with the
 * database's clock, it carries that clock as it was at the read ({@code readAt}), and its age is
 * judged by it, not by the reader's clock. On SQLite (one daemon, on the reader's host) the
 * reader's clock judges it.
 */
public record Heartbeat(DaemonInfo daemon, Instant beatAt, Optional<Instant> readAt) {
  /** A daemon beats every second; one silent for this long is taken as dead. */
  public static final Duration ALIVE_WITHIN = Duration.ofSeconds(5);

  public Heartbeat {
    Objects.requireNonNull(readAt, "readAt");
  }

  /** A heartbeat judged by the reader's clock (SQLite). */
  public Heartbeat(DaemonInfo daemon, Instant beatAt) {
    this(daemon, beatAt, Optional.empty());
  }

  /** Whether the daemon is alive; {@code readerNow} judges only a row read without {@code readAt}. */
  public boolean isAlive(Instant readerNow) {
    return age(readerNow).compareTo(ALIVE_WITHIN) <= 0;
  }

  /** How old the beat is; never negative. {@code readerNow} as in {@link #isAlive}. */
  public Duration age(Instant readerNow) {
    Duration age = Duration.between(beatAt, readAt.orElse(readerNow));
    return age.isNegative() ? Duration.ZERO : age;
  }
}
