package io.fleetrun.model;

/**
 * Bounds of the daemon ({@code limits:} in config).
 *
 * @param maxSessions SSH sessions open at once across all invocations
 * @param outputBytes output kept per record: the first and the last half of this many bytes
 */
public record Limits(int maxSessions, int outputBytes) {
  public static final int DEFAULT_MAX_SESSIONS = 500;
  public static final int DEFAULT_OUTPUT_BYTES = 24 * 1024;

  public Limits {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1");
    }
    if (outputBytes < 64) {
      throw new IllegalArgumentException("outputBytes must be at least 64");
    }
  }

  public static Limits defaults() {
    return new Limits(DEFAULT_MAX_SESSIONS, DEFAULT_OUTPUT_BYTES);
  }
}
