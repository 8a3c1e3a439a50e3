package io.fleetrun.model;

import java.util.Objects;
import java.util.Optional;

/**
 * How an invocation reaches its targets ({@code jobs[].maxConcurrency} / {@code maxErrors} in
 * config, {@code --max-concurrency} / {@code --max-errors} on {@code fleetrun run}).
 *
 * @param maxConcurrency at most this many records of the invocation run at once; empty: no limit
 *     beyond {@code limits.maxSessions}. Never 0.
 * @param maxErrors once more records than this have ended in error, targets not yet started end
 *     {@code Failed} / {@code Cancelled} / {@code MaxErrorsExceeded}; records already running go
 *     on. Empty: no limit.
 */
public record ConcurrencyControls(Optional<Threshold> maxConcurrency, Optional<Threshold> maxErrors) {
  /** No limit on either. */
  public static final ConcurrencyControls NONE = new ConcurrencyControls(Optional.empty(), Optional.empty());

  public ConcurrencyControls {
    Objects.requireNonNull(maxConcurrency, "maxConcurrency");
    Objects.requireNonNull(maxErrors, "maxErrors");
    if (maxConcurrency.map(t -> t.value() == 0).orElse(false)) {
      throw new IllegalArgumentException(
          "maxConcurrency must be at least 1 (or 1%); leave it out for no limit");
    }
  }

  /**
   * Reads the texts of both controls as a user wrote them ({@code 10} or {@code 25%}; null: not
   * given), where each is called {@code concurrencyName} and {@code errorsName} (an option of
   * the CLI, a field of the HTTP API).
   *
   * @throws IllegalArgumentException whose message starts with the name of the one that is bad
   */
  public static ConcurrencyControls parse(String concurrencyName, String concurrency, String errorsName,
      String errors) {
    Optional<Threshold> most = threshold(concurrencyName, concurrency);
    if (most.map(t -> t.value() == 0).orElse(false)) {
      throw new IllegalArgumentException(concurrencyName + " must be at least 1 (or 1%); leave it out for no limit");
    }
    return new ConcurrencyControls(most, threshold(errorsName, errors));
  }

  private static Optional<Threshold> threshold(String name, String text) {
    try {
      return Optional.ofNullable(text).map(Threshold::parse);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }
}
