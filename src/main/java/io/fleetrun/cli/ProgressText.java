package io.fleetrun.cli;

import io.fleetrun.model.InvokeId;
import io.fleetrun.store.RecordCounts;
import java.time.Duration;

/** The words for record counts, the same in {@code run --wait}'s progress and in {@code invocations}. */
final class ProgressText {
  private ProgressText() {}

  /** Like {@code 198/200 finished, 1 failed, 0 stopped, 1 running, 0 pending}. */
  static String counts(RecordCounts c) {
    return c.finished() + "/" + c.total() + " finished, " + c.failed() + " failed, " + c.stopped()
        + " stopped, " + c.running() + " running, " + c.pending() + " pending";
  }

  /** One progress line: the invoke id, the counts and the time waited (whole seconds). */
  static String line(InvokeId id, RecordCounts c, Duration elapsed) {
    return id.value() + ": " + counts(c) + ", " + elapsed(elapsed) + " elapsed";
  }

  /** Whole seconds, like {@code 7s}, {@code 2m05s}, {@code 1h00m05s}: the width changes seldom. */
  static String elapsed(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
  }
}
