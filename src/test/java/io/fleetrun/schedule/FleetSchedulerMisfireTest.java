package io.fleetrun.schedule;

import static java.time.temporal.ChronoUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.Targets;
import io.fleetrun.store.Database;
import io.fleetrun.testing.LogLines;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Quartz over a real SQLite file: a scheduler is closed (the daemon is down) across fire
 * times, and a new one on the same database, with the same name and jobs, takes over. Times are
 * on a grid of whole seconds (S = the first fire); the restart happens between grid points so
 * that a fire "now" and a fire "at the next regular time" are told apart by when they come.
 */
class FleetSchedulerMisfireTest {
  private static final Duration THRESHOLD = Duration.ofMillis(500);
  /** Quartz may fire a couple of milliseconds before the due time. */
  private static final Duration EARLY = Duration.ofMillis(50);

  @TempDir Path dir;
  private Database db;
  private final Queue<Fire> fires = new ConcurrentLinkedQueue<>();
  private final String name = "misfire-" + UUID.randomUUID();

  private record Fire(String job, Instant at) {}

  @BeforeEach
  void openDatabase() {
    db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
  }

  @AfterEach
  void closeDatabase() {
    db.close();
  }

  @Test
  void afterDowntimeRunOnceFiresOnceAtStartAndSkipWaitsForTheNextRegularFire() {
    List<Job> jobs =
        List.of(
            periodic("rate-run-once", "rate(1s)", MisfirePolicy.RUN_ONCE),
            periodic("rate-skip", "rate(1s)", MisfirePolicy.SKIP),
            periodic("cron-run-once", "* * * * * ?", MisfirePolicy.RUN_ONCE),
            periodic("cron-skip", "* * * * * ?", MisfirePolicy.SKIP));
    Instant s = Instant.now().truncatedTo(SECONDS).plusSeconds(1);
    try (FleetScheduler first = scheduler(THRESHOLD)) {
      first.apply(jobs, s);
      first.start();
      sleepUntil(s.plusMillis(1300));
    }
    assertThat(fires).extracting(Fire::job).contains("rate-run-once", "rate-skip", "cron-run-once", "cron-skip");
    fires.clear();

    // Down across S+2, S+3 and S+4; back at S+4.25, three quarters of a second before S+5.
    Instant r = s.plusMillis(4250);
    Instant nextRegular = s.plusSeconds(5);
    try (FleetScheduler second = scheduler(THRESHOLD)) {
      second.apply(jobs, r);
      sleepUntil(r);
      second.start();
      sleepUntil(s.plusMillis(6600));
    }

    for (String job : List.of("rate-run-once", "cron-run-once")) {
      assertThat(firesOf(job, r, nextRegular.minus(EARLY))).as(job + ": one fire at start, not one per missed fire").hasSize(1);
      assertThat(firesOf(job, r, s.plusMillis(6600))).as(job + ": then the regular schedule").hasSizeBetween(2, 3);
    }
    List<Instant> rate = firesOf("rate-run-once", r, s.plusMillis(6600));
    assertThat(Duration.between(rate.get(0), rate.get(1)))
        .as("run-once restarts the rate at the fire at start")
        .isBetween(Duration.ofMillis(600), Duration.ofMillis(1400));
    assertThat(firesOf("cron-run-once", nextRegular.minus(EARLY), nextRegular.plusMillis(600)))
        .as("the cron keeps its times")
        .hasSize(1);

    for (String job : List.of("rate-skip", "cron-skip")) {
      assertThat(firesOf(job, r, nextRegular.minus(EARLY))).as(job + ": no fire at start").isEmpty();
      assertThat(firesOf(job, nextRegular.minus(EARLY), nextRegular.plusMillis(600)))
          .as(job + ": the next regular fire")
          .hasSize(1);
      assertThat(firesOf(job, nextRegular.plusMillis(600), s.plusMillis(6600)))
          .as(job + ": and the one after")
          .hasSize(1);
    }
  }

  @Test
  void atTimeThatPassedWhileDownRunsOnceAtStartUnderRunOnceAndNeverUnderSkip() {
    Instant s = Instant.now().truncatedTo(SECONDS).plusSeconds(1);
    List<Job> jobs =
        List.of(at("at-run-once", s, MisfirePolicy.RUN_ONCE), at("at-skip", s, MisfirePolicy.SKIP));
    try (FleetScheduler first = scheduler(THRESHOLD)) {
      first.apply(jobs, Instant.now());
      first.start();
    }
    assertThat(fires).as("closed before the at-time").isEmpty();

    Instant r = s.plusMillis(1500);
    try (FleetScheduler second = scheduler(THRESHOLD)) {
      second.apply(jobs, r);
      sleepUntil(r);
      second.start();
      sleepUntil(r.plusMillis(1500));
      assertThat(second.nextFireTime(new JobId("at-skip"))).isEmpty();
    }

    assertThat(firesOf("at-run-once", r, r.plusMillis(750))).hasSize(1);
    assertThat(fires).extracting(Fire::job).containsExactly("at-run-once");
  }

  /**
   * A downtime shorter than the threshold is no misfire: Quartz fires every missed time in a row,
   * and only the last of them is handed on.
   */
  @Test
  void shortDowntimeUnderTheThresholdStillRunsOnceNotOncePerMissedFire() {
    List<Job> jobs =
        List.of(
            periodic("run-once", "rate(1s)", MisfirePolicy.RUN_ONCE),
            periodic("skip", "rate(1s)", MisfirePolicy.SKIP));
    Instant s = Instant.now().truncatedTo(SECONDS).plusSeconds(1);
    Duration threshold = Duration.ofSeconds(10);
    try (FleetScheduler first = scheduler(threshold)) {
      first.apply(jobs, s);
      first.start();
      sleepUntil(s.plusMillis(300));
    }
    fires.clear();

    // Down across S+1, S+2 and S+3, each less than 10 s late at the restart.
    Instant r = s.plusMillis(3250);
    try (LogLines log = LogLines.of(FleetScheduler.class.getName());
        FleetScheduler second = scheduler(threshold)) {
      second.apply(jobs, r);
      sleepUntil(r);
      second.start();
      sleepUntil(s.plusMillis(4600));

      // The fire times that ran in none of these fires each say so (the only trace of them).
      for (String job : List.of("run-once", "skip")) {
        for (Instant due : List.of(s.plusSeconds(1), s.plusSeconds(2))) {
          assertThat(log.containing("fire of job " + job + " due " + due + " not run"))
              .as(job + " " + due).singleElement().asString().startsWith("INFO ")
              .contains("is due already");
        }
      }
    }

    for (String job : List.of("run-once", "skip")) {
      assertThat(firesOf(job, r, s.plusSeconds(4).minus(EARLY))).as(job).hasSize(1);
      assertThat(firesOf(job, s.plusSeconds(4).minus(EARLY), s.plusMillis(4600))).as(job).hasSize(1);
    }
  }

  /**
   * Quartz's cluster recovery re-fires a dead node's in-flight fire only for a job that requests
   * recovery: a one-time job does (its lost fire runs on a survivor, once_job keeps it single), a
   * periodic one does not (its next fire comes anyway).
   */
  @Test
  void oneTimeJobsRequestRecoveryOfAFireLostWithItsNodePeriodicOnesDoNot() {
    Instant later = Instant.now().plusSeconds(3600);
    try (FleetScheduler scheduler = scheduler(THRESHOLD)) {
      scheduler.apply(List.of(periodic("every", "rate(1s)", MisfirePolicy.RUN_ONCE),
          at("once-at", later, MisfirePolicy.RUN_ONCE)), Instant.now());
    }
    assertThat(db.dsl().fetch("SELECT JOB_NAME, REQUESTS_RECOVERY FROM QRTZ_JOB_DETAILS WHERE SCHED_NAME = ?"
            + " ORDER BY JOB_NAME", name)
        .map(r -> r.get(0) + " " + r.get(1, Boolean.class)))
        .containsExactly("every false", "once-at true");
  }

  private FleetScheduler scheduler(Duration threshold) {
    return new FleetScheduler(db.dataSource(), (job, at) -> fires.add(new Fire(job.value(), Instant.now())), name, threshold);
  }

  private List<Instant> firesOf(String job, Instant from, Instant to) {
    return fires.stream()
        .filter(f -> f.job().equals(job) && !f.at().isBefore(from) && f.at().isBefore(to))
        .map(Fire::at)
        .sorted()
        .toList();
  }

  private static Job periodic(String id, String frequency, MisfirePolicy misfire) {
    return job(id, RepeatMode.Period, Frequency.parse(frequency), misfire);
  }

  private static Job at(String id, Instant time, MisfirePolicy misfire) {
    return job(id, RepeatMode.Once, new Frequency.At(time), misfire);
  }

  private static Job job(String id, RepeatMode repeat, Frequency frequency, MisfirePolicy misfire) {
    return new Job(new JobId(id), new CommandId("c"), new Targets(List.of(), Set.of("t")), repeat,
        Optional.of(frequency), Map.of(), misfire, OverlapPolicy.SKIP);
  }

  private static void sleepUntil(Instant t) {
    Duration left = Duration.between(Instant.now(), t);
    if (left.isNegative()) {
      return;
    }
    try {
      Thread.sleep(left.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
