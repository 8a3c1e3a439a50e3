package io.fleetrun.config;

import io.fleetrun.model.DurationText;
import io.fleetrun.model.Retention;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Reads {@code retention:}. A bad value is reported and nothing is deleted. */
final class RetentionSection {
  static final List<String> KEYS = List.of("records");

  private RetentionSection() {}

  static Retention read(Optional<MapReader> section) {
    Optional<Duration> records =
        section.flatMap(r -> r.duration("records").filter(d -> atLeastMinimum(r, d)));
    return new Retention(records);
  }

  /**
   * A retention this short is almost surely a slip ({@code 30m} is 30 minutes, not months), and
   * it would delete what was just written: refused rather than followed.
   */
  private static boolean atLeastMinimum(MapReader r, Duration d) {
    if (d.compareTo(ConfigDefaults.MIN_RETENTION) >= 0) {
      return true;
    }
    r.problem(
        "records",
        "must be at least %s, got %s (m is minutes; write days like 30d)"
            .formatted(
                DurationText.format(ConfigDefaults.MIN_RETENTION), DurationText.format(d)));
    return false;
  }
}
