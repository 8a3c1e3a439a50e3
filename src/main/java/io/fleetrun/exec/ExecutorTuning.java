package io.fleetrun.exec;

import java.time.Duration;
import java.util.Objects;

/**
 * Knobs of {@link MinaSshExecutor} that are not in the config.
 *
 * @param killGrace how long a stopped or timed-out process group gets between TERM and KILL
 * @param maxHandshakes connections in TCP connect, key exchange or auth at once; about 50 keeps
 *     throughput and gives first results quickly (MINA-SSHD-NOTES.md)
 */
public record ExecutorTuning(Duration killGrace, int maxHandshakes) {
  public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(2);
  public static final int DEFAULT_MAX_HANDSHAKES = 50;

  public ExecutorTuning {
    Objects.requireNonNull(killGrace, "killGrace");
    if (killGrace.isNegative()) {
      throw new IllegalArgumentException("killGrace must not be negative");
    }
    if (maxHandshakes < 1) {
      throw new IllegalArgumentException("maxHandshakes must be at least 1");
    }
  }

  public static ExecutorTuning defaults() {
    return new ExecutorTuning(DEFAULT_KILL_GRACE, DEFAULT_MAX_HANDSHAKES);
  }
}
