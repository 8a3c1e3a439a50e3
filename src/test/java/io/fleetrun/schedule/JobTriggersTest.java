package io.fleetrun.schedule;

import static java.time.temporal.ChronoUnit.HOURS;
import static java.time.temporal.ChronoUnit.MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.Targets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quartz.CronTrigger;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.spi.OperableTrigger;

class JobTriggersTest {
  private static final Instant NOW = Instant.parse("2026-11-28T08:00:00Z");

  private static Job job(RepeatMode repeat, String frequency) {
    return job(repeat, frequency, MisfirePolicy.RUN_ONCE);
  }

  private static Job job(RepeatMode repeat, String frequency, MisfirePolicy misfire) {
    return new Job(new JobId("j"), new CommandId("c"), new Targets(List.of(), Set.of("web")), repeat,
        Optional.ofNullable(frequency).map(Frequency::parse), Map.of(), misfire, OverlapPolicy.SKIP);
  }

  @Test
  void oneTimeJobWithoutFrequencyFiresNowOnce() {
    Trigger t = JobTriggers.triggerFor(job(RepeatMode.Once, null), NOW);
    assertThat(t.getStartTime()).isEqualTo(Date.from(NOW));
    assertThat(((SimpleTrigger) t).getRepeatCount()).isZero();
    assertThat(t.getMisfireInstruction()).isEqualTo(SimpleTrigger.MISFIRE_INSTRUCTION_FIRE_NOW);
  }

  @Test
  void oneTimeJobAtATimeFiresThen() {
    Trigger t = JobTriggers.triggerFor(job(RepeatMode.Once, "at(2026-12-01T02:00:00Z)"), NOW);
    assertThat(t.getStartTime()).isEqualTo(Date.from(Instant.parse("2026-12-01T02:00:00Z")));
    assertThat(((SimpleTrigger) t).getRepeatCount()).isZero();
  }

  @Test
  void rateFiresNowThenEveryInterval() {
    SimpleTrigger t = (SimpleTrigger) JobTriggers.triggerFor(job(RepeatMode.Period, "rate(5m)"), NOW);
    assertThat(t.getStartTime()).isEqualTo(Date.from(NOW));
    assertThat(t.getRepeatInterval()).isEqualTo(Duration.ofMinutes(5).toMillis());
    assertThat(t.getRepeatCount()).isEqualTo(SimpleTrigger.REPEAT_INDEFINITELY);
    assertThat(t.getFireTimeAfter(Date.from(NOW))).isEqualTo(Date.from(NOW.plus(Duration.ofMinutes(5))));
  }

  @Test
  void cronIsEvaluatedInUtc() {
    CronTrigger t = (CronTrigger) JobTriggers.triggerFor(job(RepeatMode.Period, "0 0 2 * * ?"), NOW);
    assertThat(t.getTimeZone().getID()).isEqualTo("UTC");
    assertThat(t.getFireTimeAfter(Date.from(NOW))).isEqualTo(Date.from(Instant.parse("2026-11-29T02:00:00Z")));
  }

  /** The instruction each policy maps to, per kind of frequency (constants of Quartz 2.5). */
  @ParameterizedTest(name = "{0} {1} misfire={2} -> instruction {3}")
  @CsvSource({
    // SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NOW_WITH_EXISTING_REPEAT_COUNT = 2
    "Period, rate(5m),                 run-once, 2",
    // SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT = 4
    "Period, rate(5m),                 skip,     4",
    // CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW = 1
    "Period, 0 0 2 * * ?,              run-once, 1",
    // CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING = 2
    "Period, 0 0 2 * * ?,              skip,     2",
    // SimpleTrigger.MISFIRE_INSTRUCTION_FIRE_NOW = 1
    "Once,   at(2026-12-01T02:00:00Z), run-once, 1",
    "Once,   at(2026-12-01T02:00:00Z), skip,     4",
  })
  void misfireInstructionFollowsThePolicy(
      RepeatMode repeat, String frequency, String policy, int instruction) {
    MisfirePolicy misfire = MisfirePolicy.fromConfigName(policy).orElseThrow();
    assertThat(JobTriggers.triggerFor(job(repeat, frequency, misfire), NOW).getMisfireInstruction())
        .isEqualTo(instruction);
  }

  /**
   * What Quartz does with those instructions once fires were missed: the trigger is moved as
   * Quartz's own misfire handling moves it (updateAfterMisfire, with the real clock).
   */
  @ParameterizedTest(name = "{0} misfire={1}")
  @CsvSource({"rate(1h), run-once", "rate(1h), skip", "0 0 * * * ?, run-once", "0 0 * * * ?, skip"})
  void afterMissedFiresRunOnceFiresNowAndSkipWaitsForTheNextRegularTime(String frequency, String policy) {
    Instant start = Instant.now().minus(Duration.ofHours(5)).truncatedTo(HOURS);
    MisfirePolicy misfire = MisfirePolicy.fromConfigName(policy).orElseThrow();
    OperableTrigger t = (OperableTrigger) JobTriggers.triggerFor(job(RepeatMode.Period, frequency, misfire), start);
    t.computeFirstFireTime(null);

    Instant before = Instant.now().truncatedTo(MILLIS); // Quartz keeps milliseconds
    t.updateAfterMisfire(null);
    Instant after = Instant.now();

    Instant next = t.getNextFireTime().toInstant();
    if (misfire == MisfirePolicy.RUN_ONCE) {
      assertThat(next).isBetween(before, after);
    } else {
      assertThat(next).isEqualTo(before.truncatedTo(HOURS).plus(Duration.ofHours(1)));
    }
  }

  @Test
  void anAtTimeMissedUnderSkipNeverFires() {
    Instant past = Instant.now().minus(Duration.ofMinutes(5));
    OperableTrigger t = (OperableTrigger) JobTriggers.triggerFor(
        job(RepeatMode.Once, "at(" + past + ")", MisfirePolicy.SKIP), past);
    t.computeFirstFireTime(null);

    t.updateAfterMisfire(null);

    assertThat(t.getNextFireTime()).isNull();
  }

  @Test
  void specChangesExactlyWhenTheTriggerChanges() {
    assertThat(JobTriggers.spec(job(RepeatMode.Period, "rate(5m)")))
        .isEqualTo(JobTriggers.spec(job(RepeatMode.Period, "rate(300s)")))
        .isEqualTo("Period rate(5m) misfire=run-once")
        .isNotEqualTo(JobTriggers.spec(job(RepeatMode.Period, "rate(6m)")))
        .isNotEqualTo(JobTriggers.spec(job(RepeatMode.Period, "rate(5m)", MisfirePolicy.SKIP)))
        .isNotEqualTo(JobTriggers.spec(job(RepeatMode.Once, null)));
    assertThat(JobTriggers.spec(job(RepeatMode.Once, "at(2026-12-01T02:00:00Z)", MisfirePolicy.SKIP)))
        .isEqualTo("Once at(2026-12-01T02:00:00Z) misfire=skip");
  }

  @ParameterizedTest(name = "fire at {0}, next due {1} -> superseded {2}")
  @CsvSource({
    "2026-11-28T08:00:03Z, 2026-11-28T08:00:01Z, true", // a catch-up fire: a later one is due
    "2026-11-28T08:00:03Z, 2026-11-28T08:00:03Z, true",
    "2026-11-28T08:00:03Z, 2026-11-28T08:00:04Z, false", // the last catch-up fire, or on time
    "2026-11-28T08:00:03Z,                     , false", // the trigger's last fire
  })
  void onlyTheLastOfSeveralLateFiresRuns(Instant fireTime, Instant next, boolean superseded) {
    assertThat(JobTriggers.isSuperseded(fireTime, Optional.ofNullable(next))).isEqualTo(superseded);
  }
}
