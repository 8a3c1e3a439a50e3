package io.fleetrun.schedule;

import io.fleetrun.model.Frequency;
import io.fleetrun.model.Job;
import io.fleetrun.model.MisfirePolicy;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronScheduleBuilder;
import org.quartz.ScheduleBuilder;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

/**
 * Maps a job to its Quartz trigger. Pure: the same job and {@code now} give the same trigger.
 *
 * <p>Misfires (fire times more than the misfire threshold in the past: the daemon was down or
 * could not fire them) follow the job's {@link MisfirePolicy}, as Quartz 2.5 applies them:
 *
 * <ul>
 *   <li>rate, {@code run-once}: RESCHEDULE_NOW_WITH_EXISTING_REPEAT_COUNT fires now and restarts
 *       the rate from now; {@code skip}: RESCHEDULE_NEXT_WITH_REMAINING_COUNT fires at the next
 *       time of the original rate (for a rate that repeats forever the count does not matter).
 *   <li>cron, {@code run-once}: FIRE_ONCE_NOW fires now, then at the cron's next time;
 *       {@code skip}: DO_NOTHING waits for the cron's next time.
 *   <li>{@code at(...)}, {@code run-once}: FIRE_NOW; {@code skip}: RESCHEDULE_NEXT_WITH_REMAINING_COUNT,
 *       which for a trigger without repeats has no next time, so the job does not run.
 *   <li>a one-time job without frequency: FIRE_NOW, whatever the policy (it runs when first
 *       seen; the store makes sure it runs only once, ever).
 * </ul>
 *
 * <p>Fire times late by less than the threshold are not misfires: Quartz fires each of them in a
 * row. {@link #isSuperseded} tells such a catch-up fire apart, so only the last one runs.
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
   * A text that changes exactly when the job's trigger changes (schedule or misfire policy); kept
   * as the trigger's description so that a restart keeps an unchanged trigger (and its next fire
   * time, which is what lets a misfire be seen at all).
   */
  public static String spec(Job job) {
    String schedule =
        job.repeat() + " " + job.frequency().map(Frequency::text).orElse("on-first-sight");
    return job.frequency().isPresent()
        ? schedule + " misfire=" + job.misfire().configName()
        : schedule;
  }

  /**
   * Whether a fire at {@code fireTime} is a catch-up fire that a later one replaces: the next fire
   * time of its trigger has come already. Quartz fires every fire time that is late by less than
   * the misfire threshold; running only the last of them keeps "never once per missed fire".
   */
  public static boolean isSuperseded(Instant fireTime, Optional<Instant> nextFireTime) {
    return nextFireTime.map(next -> !next.isAfter(fireTime)).orElse(false);
  }

  private static Instant startOf(Job job, Instant now) {
    return job.frequency()
        .filter(Frequency.At.class::isInstance)
        .map(f -> ((Frequency.At) f).time())
        .orElse(now);
  }

  private static ScheduleBuilder<? extends Trigger> scheduleOf(Job job) {
    Frequency frequency = job.frequency().orElse(null);
    boolean skip = job.misfire() == MisfirePolicy.SKIP;
    if (frequency instanceof Frequency.Cron cron) {
      CronScheduleBuilder b = CronScheduleBuilder.cronSchedule(cron.expression()).inTimeZone(UTC);
      return skip
          ? b.withMisfireHandlingInstructionDoNothing()
          : b.withMisfireHandlingInstructionFireAndProceed();
    }
    if (frequency instanceof Frequency.Rate rate) {
      SimpleScheduleBuilder b =
          SimpleScheduleBuilder.simpleSchedule()
              .withIntervalInMilliseconds(rate.interval().toMillis())
              .repeatForever();
      return skip
          ? b.withMisfireHandlingInstructionNextWithRemainingCount()
          : b.withMisfireHandlingInstructionNowWithExistingCount();
    }
    SimpleScheduleBuilder once = SimpleScheduleBuilder.simpleSchedule();
    return skip && frequency instanceof Frequency.At
        ? once.withMisfireHandlingInstructionNextWithRemainingCount()
        : once.withMisfireHandlingInstructionFireNow();
  }
}
