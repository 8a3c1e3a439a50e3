package io.fleetrun.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
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
import org.quartz.CronTrigger;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;

class JobTriggersTest {
  private static final Instant NOW = Instant.parse("2026-11-28T08:00:00Z");

  private static Job job(RepeatMode repeat, String frequency) {
    return new Job(new JobId("j"), new CommandId("c"), new Targets(List.of(), Set.of("web")), repeat,
        Optional.ofNullable(frequency).map(Frequency::parse), Map.of());
  }

  @Test
  void oneTimeJobWithoutFrequencyFiresNowOnce() {
    Trigger t = JobTriggers.triggerFor(job(RepeatMode.Once, null), NOW);
    assertThat(t.getStartTime()).isEqualTo(Date.from(NOW));
    assertThat(((SimpleTrigger) t).getRepeatCount()).isZero();
    assertThat(t.getMisfireInstruction()).isEqualTo(SimpleTrigger.MISFIRE_INSTRUCTION_FIRE_NOW);
  }

  @Test
  void oneTimeJobAtATimeFiresThenAndOnceAtStartIfThatTimePassedWhileDown() {
    Trigger t = JobTriggers.triggerFor(job(RepeatMode.Once, "at(2026-12-01T02:00:00Z)"), NOW);
    assertThat(t.getStartTime()).isEqualTo(Date.from(Instant.parse("2026-12-01T02:00:00Z")));
    assertThat(((SimpleTrigger) t).getRepeatCount()).isZero();
    assertThat(t.getMisfireInstruction()).isEqualTo(SimpleTrigger.MISFIRE_INSTRUCTION_FIRE_NOW);
  }

  @Test
  void rateFiresNowThenEveryIntervalAndRunsOnceForAllMissedFires() {
    SimpleTrigger t = (SimpleTrigger) JobTriggers.triggerFor(job(RepeatMode.Period, "rate(5m)"), NOW);
    assertThat(t.getStartTime()).isEqualTo(Date.from(NOW));
    assertThat(t.getRepeatInterval()).isEqualTo(Duration.ofMinutes(5).toMillis());
    assertThat(t.getRepeatCount()).isEqualTo(SimpleTrigger.REPEAT_INDEFINITELY);
    assertThat(t.getMisfireInstruction())
        .isEqualTo(SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NOW_WITH_EXISTING_REPEAT_COUNT);
    assertThat(t.getFireTimeAfter(Date.from(NOW))).isEqualTo(Date.from(NOW.plus(Duration.ofMinutes(5))));
  }

  @Test
  void cronIsEvaluatedInUtcAndFiresOnceForAllMissedFires() {
    CronTrigger t = (CronTrigger) JobTriggers.triggerFor(job(RepeatMode.Period, "0 0 2 * * ?"), NOW);
    assertThat(t.getTimeZone().getID()).isEqualTo("UTC");
    assertThat(t.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
    assertThat(t.getFireTimeAfter(Date.from(NOW))).isEqualTo(Date.from(Instant.parse("2026-11-29T02:00:00Z")));
  }

  @Test
  void specChangesExactlyWhenTheScheduleChanges() {
    assertThat(JobTriggers.spec(job(RepeatMode.Period, "rate(5m)")))
        .isEqualTo(JobTriggers.spec(job(RepeatMode.Period, "rate(300s)")))
        .isNotEqualTo(JobTriggers.spec(job(RepeatMode.Period, "rate(6m)")))
        .isNotEqualTo(JobTriggers.spec(job(RepeatMode.Once, null)));
  }
}
