package io.fleetrun.model;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A count of targets given either as a number ({@code 10}) or as a percentage of the targets of
 * one invocation ({@code 25%}), as AWS Systems Manager's {@code MaxConcurrency} and
 * {@code MaxErrors} are written.
 *
 * @param value the number, or the percentage (0–100) when {@code percent}
 */
public record Threshold(int value, boolean percent) {
  private static final Pattern TEXT = Pattern.compile("(\\d{1,9})(%?)");

  public Threshold {
    if (value < 0) {
      throw new IllegalArgumentException("a threshold cannot be negative: " + value);
    }
    if (percent && value > 100) {
      throw new IllegalArgumentException("a percentage cannot be over 100%: " + value + "%");
    }
  }

  /** A fixed count. */
  public static Threshold count(int value) {
    return new Threshold(value, false);
  }

  /**
   * Reads {@code 10} or {@code 25%}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static Threshold parse(String text) {
    Objects.requireNonNull(text, "text");
    Matcher m = TEXT.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a count of targets; write a whole number like 10 or a percentage like 25%");
    }
    return new Threshold(Integer.parseInt(m.group(1)), !m.group(2).isEmpty());
  }

  /**
   * The count for an invocation of {@code targets} targets: a number as it is, a percentage of
   * the targets rounded up (so {@code 10%} of 5 targets is 1, never 0 unless the percentage is 0).
   */
  public int of(int targets) {
    if (targets < 0) {
      throw new IllegalArgumentException("targets cannot be negative: " + targets);
    }
    if (!percent) {
      return value;
    }
    return (int) ((long) targets * value / 100 + ((long) targets * value % 100 == 0 ? 0 : 1));
  }

  /** As written in config: {@code 10} or {@code 25%}. */
  public String text() {
    return value + (percent ? "%" : "");
  }

  @Override
  public String toString() {
    return text();
  }
}
