package io.fleetrun.model;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * When a job fires: a Quartz cron expression, a fixed rate, or one point in time. {@link #text()}
 * is the form stored in {@code invocation.frequency} and accepted by {@link #parse}.
 */
public sealed interface Frequency {

  /** The canonical text: {@code rate(5m)}, {@code at(2026-12-01T02:00:00Z)} or the cron expression. */
  String text();

  /** A Quartz cron expression (seconds first: {@code 0 0 2 * * ?}); checked by the config loader. */
  record Cron(String expression) implements Frequency {
    public Cron {
      Objects.requireNonNull(expression, "expression");
    }

    @Override
    public String text() {
      return expression;
    }
  }

  /** Every {@code interval}, starting when the job is scheduled. */
  record Rate(Duration interval) implements Frequency {
    public Rate {
      if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("rate must be at least 1s, got " + DurationText.format(interval));
      }
    }

    @Override
    public String text() {
      return "rate(" + DurationText.format(interval) + ")";
    }
  }

  /** Once, at {@code time}. */
  record At(Instant time) implements Frequency {
    public At {
      Objects.requireNonNull(time, "time");
    }

    @Override
    public String text() {
      return "at(" + time + ")";
    }
  }

  /**
   * Parses {@code rate(30s)}, {@code at(2026-12-01T02:00:00Z)}; anything else is taken as a cron
   * expression (whose syntax the caller checks).
   *
   * @throws IllegalArgumentException for a malformed rate or at-time
   */
  static Frequency parse(String text) {
    String t = Objects.requireNonNull(text, "text").trim();
    if (t.startsWith("rate(") && t.endsWith(")")) {
      return new Rate(DurationText.parse(t.substring(5, t.length() - 1)));
    }
    if (t.startsWith("at(") && t.endsWith(")")) {
      String at = t.substring(3, t.length() - 1).trim();
      try {
        return new At(Instant.parse(at));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + at + "' is not a UTC time; write it like at(2026-12-01T02:00:00Z)");
      }
    }
    if (t.isEmpty()) {
      throw new IllegalArgumentException("frequency is empty");
    }
    return new Cron(t);
  }
}
