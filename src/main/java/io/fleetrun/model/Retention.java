package io.fleetrun.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How long finished work is kept in the database ({@code retention:} in config).
 *
 * @param records how long an ended invocation (with its instances and records), and an ended
 *     record of a periodic invocation that still runs, is kept after it ended; empty keeps
 *     everything
 */
public record Retention(Optional<Duration> records) {
  public Retention {
    Objects.requireNonNull(records, "records");
    if (records.isPresent() && (records.get().isNegative() || records.get().isZero())) {
      throw new IllegalArgumentException("retention must be longer than zero");
    }
  }

  /** The default: nothing is ever deleted. */
  public static Retention keepEverything() {
    return new Retention(Optional.empty());
  }

  /** What ended before this instant may be deleted at {@code now}; empty when nothing may. */
  public Optional<Instant> recordsCutoff(Instant now) {
    return records.map(now::minus);
  }
}
