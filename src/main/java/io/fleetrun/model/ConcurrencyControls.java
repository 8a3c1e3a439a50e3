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
}
