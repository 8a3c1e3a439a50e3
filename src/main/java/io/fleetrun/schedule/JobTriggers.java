package io.fleetrun.schedule;

import io.fleetrun.model.Frequency;
import io.fleetrun.model.Job;
import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronScheduleBuilder;
import org.quartz.ScheduleBuilder;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

/**
 * Maps a job to its Quartz trigger. Pure: the same job and {@code now} give the same trigger.
 *
 * <p>Misfires (fire times that passed while the daemon was down): a job runs once at start,
 * never once per missed fire. A one-time job without a frequency starts now; the store makes
 * sure it runs only once, ever.
 */
public final class JobTriggers {
  /** Quartz group of every fleetrun job and trigger. */
  public static final String GROUP = "fleetrun";

  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  private JobTriggers() {}

  public static Trigger triggerFor(Job job, Instant now) {
    return TriggerBuilder.newTrigger()
        .withIdentity(job.id().value(), GROUP)
        .forJob(job.id().value(), GROUP)
        .withDescription(spec(job))
        .startAt(Date.from(startOf(job, now)))
        .withSchedule(scheduleOf(job))
        .build();
  }

  /**
   * A text that changes exactly when the job's schedule changes; kept as the trigger's
   * description so that a restart keeps an unchanged trigger (and its next fire time).
   */
  public static String spec(Job job) {
    return job.repeat() + " " + job.frequency().map(Frequency::text).orElse("on-first-sight");
  }

  private static Instant startOf(Job job, Instant now) {
    return job.frequency()
        .filter(Frequency.At.class::isInstance)
        .map(f -> ((Frequency.At) f).time())
        .orElse(now);
  }

  private static ScheduleBuilder<? extends Trigger> scheduleOf(Job job) {
    Frequency frequency = job.frequency().orElse(null);
    if (frequency instanceof Frequency.Cron cron) {
      return CronScheduleBuilder.cronSchedule(cron.expression())
          .inTimeZone(UTC)
          .withMisfireHandlingInstructionFireAndProceed();
    }
    if (frequency instanceof Frequency.Rate rate) {
      return SimpleScheduleBuilder.simpleSchedule()
          .withIntervalInMilliseconds(rate.interval().toMillis())
          .repeatForever()
          .withMisfireHandlingInstructionNowWithExistingCount();
    }
    return SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow();
  }
}
