package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.exec.ExecutorTuning;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.invoke.EventFeed;
import io.fleetrun.invoke.RunEvent;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.SshSettings;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records a restart's repair ends reach the event feed's subscribers (the event stream, the
 * webhooks, the metrics) as the engine's ends do: a client of {@code /api/v1/events} that saw them
 * start sees them end, and the one-time invocation's new status. (The daemon publishes what
 * {@link Recovery#repair} returns once its subscribers listen; a take-over publishes itself.)
 */
class RecoveryEventsTest {
  @TempDir Path dir;

  @Test
  void recordsEndedByTheRepairArePublishedWithTheEndedInvocationsStatus() throws Exception {
    List<RunEvent> seen = new CopyOnWriteArrayList<>();
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
        EventFeed feed = new EventFeed(Clock.systemUTC())) {
      feed.subscribe("test", seen::add);
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
      store.createWithRecords(new NewInvocation(new InvokeId("t-once"), Optional.empty(), new CommandId("c"),
          "sleep 60", Map.of(), RepeatMode.Once, Optional.empty(),
          List.of(new InstanceId("a"), new InstanceId("b")), t0), t0);
      store.firePeriodic(Optional.of(new NewInvocation(new InvokeId("t-tick"), Optional.of(new JobId("tick")),
          new CommandId("c"), "sleep 60", Map.of(), RepeatMode.Period,
          Optional.of(new Frequency.Rate(Duration.ofMinutes(1))), List.of(new InstanceId("a")), t0)),
          new InvokeId("t-tick"), List.of(new InstanceId("a")), List.of(), t0);
      SshSettings ssh = new SshSettings("fleet", Optional.empty(), dir.resolve("known_hosts"), HostKeyPolicy.STRICT,
          Duration.ofSeconds(2), SshSettings.DEFAULT_KEY_EXCHANGES);
      try (MinaSshExecutor executor = new MinaSshExecutor(ssh, Limits.defaults(), Clock.systemUTC(),
          new ExecutorTuning(Duration.ofMillis(500), 50))) {
        // None was handed to SSH: nothing is looked for on a target.
        Recovery.Repaired repaired = new Recovery(store, executor, Duration.ofSeconds(1), Clock.systemUTC())
            .repair(new Fleet(List.of(), List.of(), List.of()));
        new RecoveryEvents(feed, new JdbcInvocationQueries(db)).ended(repaired.records(), repaired.at());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.size() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }

    List<RunEvent.RecordEnded> ends = seen.stream().filter(RunEvent.RecordEnded.class::isInstance)
        .map(RunEvent.RecordEnded.class::cast).toList();
    assertThat(ends).extracting(e -> e.invokeId().value() + "/" + e.instance().value())
        .containsExactlyInAnyOrder("t-once/a", "t-once/b", "t-tick/a");
    assertThat(ends).allSatisfy(e -> {
      assertThat(e.status()).isEqualTo(RecordStatus.Failed);
      assertThat(e.detail()).isEqualTo(DetailStatus.Terminated);
      assertThat(e.errorCode()).contains(ErrorCode.ExecutionInterrupted);
      assertThat(e.exitCode()).isEmpty();
    });
    assertThat(ends).filteredOn(e -> e.invokeId().value().equals("t-tick"))
        .extracting(e -> e.job().map(JobId::value).orElse("-")).containsExactly("tick");
    // The one-time invocation ended; the periodic one stays Running, so it has no status event.
    assertThat(seen).filteredOn(RunEvent.InvocationStatusChanged.class::isInstance)
        .containsExactly(new RunEvent.InvocationStatusChanged(new InvokeId("t-once"), InvocationStatus.Failed));
  }
}
