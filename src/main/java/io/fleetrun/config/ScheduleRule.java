package io.fleetrun.config;

import io.fleetrun.model.Frequency;
import io.fleetrun.model.RepeatMode;
import java.text.ParseException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
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

  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  private ScheduleRule() {}

  /** @param now a cron must still fire after this, or Quartz refuses to schedule it */
  static Optional<Schedule> read(MapReader job, Instant now) {
    Optional<RepeatMode> repeat = repeat(job);
    Optional<String> text = job.nonBlankText("frequency");
    Optional<Frequency> frequency = text.flatMap(t -> frequency(job, t, now));
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

  private static Optional<Frequency> frequency(MapReader job, String text, Instant now) {
    Frequency f;
    try {
      f = Frequency.parse(text);
    } catch (IllegalArgumentException e) {
      job.problem("frequency", e.getMessage());
      return Optional.empty();
    }
    if (f instanceof Frequency.Cron cron) {
      CronExpression expression;
      try {
        expression = new CronExpression(cron.expression());
      } catch (ParseException e) {
        job.problem(
            "frequency",
            ("'%s' is neither rate(5m), at(2026-12-01T02:00:00Z) nor a Quartz cron expression"
                    + " (sec min hour day-of-month month day-of-week, like \"0 0 2 * * ?\"): %s")
                .formatted(text, e.getMessage()));
        return Optional.empty();
      }
      // Same time zone as the trigger (JobTriggers); Quartz's scheduleJob throws for a cron
      // without a next fire time, which would stop a daemon start or half-apply a reload.
      expression.setTimeZone(UTC);
      if (expression.getNextValidTimeAfter(Date.from(now)) == null) {
        job.problem(
            "frequency",
            ("'%s' never fires after %s (a day that does not exist, like 30 February, or a past"
                    + " year); fix the day, month or year")
                .formatted(text, now));
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
