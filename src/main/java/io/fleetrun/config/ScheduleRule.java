package io.fleetrun.config;

import io.fleetrun.model.Frequency;
import io.fleetrun.model.RepeatMode;
import java.text.ParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.quartz.CronExpression;

/**
 * Reads a job's {@code repeat:} and {@code frequency:} and checks they fit: {@code Once} runs when
 * first seen or at an {@code at(...)} time; {@code Period} needs a Quartz cron or a rate.
 */
final class ScheduleRule {
  private static final List<String> MODES =
      Arrays.stream(RepeatMode.values()).map(Enum::name).toList();

  /** A job's checked schedule. */
  record Schedule(RepeatMode repeat, Optional<Frequency> frequency) {}

  private ScheduleRule() {}

  static Optional<Schedule> read(MapReader job) {
    Optional<RepeatMode> repeat = repeat(job);
    Optional<String> text = job.nonBlankText("frequency");
    Optional<Frequency> frequency = text.flatMap(t -> frequency(job, t));
    if (repeat.isEmpty() || (text.isPresent() && frequency.isEmpty())) {
      return Optional.empty();
    }
    return fits(job, repeat.get(), frequency)
        ? Optional.of(new Schedule(repeat.get(), frequency))
        : Optional.empty();
  }

  private static Optional<RepeatMode> repeat(MapReader job) {
    Optional<String> text = job.requiredText("repeat");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<RepeatMode> mode =
        Arrays.stream(RepeatMode.values()).filter(m -> m.name().equals(text.get())).findFirst();
    if (mode.isEmpty()) {
      job.problem(
          "repeat",
          "must be Once or Period, got '%s'%s"
              .formatted(text.get(), Suggest.didYouMean(text.get(), MODES)));
    }
    return mode;
  }

  private static Optional<Frequency> frequency(MapReader job, String text) {
    Frequency f;
    try {
      f = Frequency.parse(text);
    } catch (IllegalArgumentException e) {
      job.problem("frequency", e.getMessage());
      return Optional.empty();
    }
    if (f instanceof Frequency.Cron cron) {
      try {
        new CronExpression(cron.expression());
      } catch (ParseException e) {
        job.problem(
            "frequency",
            ("'%s' is neither rate(5m), at(2026-12-01T02:00:00Z) nor a Quartz cron expression"
                    + " (sec min hour day-of-month month day-of-week, like \"0 0 2 * * ?\"): %s")
                .formatted(text, e.getMessage()));
        return Optional.empty();
      }
    }
    return Optional.of(f);
  }

  private static boolean fits(MapReader job, RepeatMode repeat, Optional<Frequency> frequency) {
    if (repeat == RepeatMode.Once) {
      if (frequency.isPresent() && !(frequency.get() instanceof Frequency.At)) {
        job.problem(
            "frequency",
            ("repeat: Once takes no frequency (run when first seen) or"
                    + " at(2026-12-01T02:00:00Z); for '%s' use repeat: Period")
                .formatted(frequency.get().text()));
        return false;
      }
      return true;
    }
    if (frequency.isEmpty()) {
      job.problem(
          "frequency",
          "repeat: Period needs a frequency: a Quartz cron like \"0 0 2 * * ?\" or rate(5m)");
      return false;
    }
    if (frequency.get() instanceof Frequency.At) {
      job.problem("frequency", "at(...) runs once; use repeat: Once, or a cron or rate(...) here");
      return false;
    }
    return true;
  }
}
