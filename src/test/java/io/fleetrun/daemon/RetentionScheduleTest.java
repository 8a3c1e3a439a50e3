package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.Retention;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.JooqRetention;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.store.RequestAnswer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionScheduleTest {
  private static final Instant NOW = Instant.parse("2026-12-31T12:00:00.000Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dir;
  private Database db;
  private JooqInvocationStore store;
  private JooqControlChannel control;

  @BeforeEach
  void open() {
    db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
    store = new JooqInvocationStore(db, new StatusCalculator());
    control = new JooqControlChannel(db);
    finishedAt("t-31-days", NOW.minus(Duration.ofDays(31)));
    finishedAt("t-29-days", NOW.minus(Duration.ofDays(29)));
    answeredAt(NOW.minus(Duration.ofHours(25)));
    answeredAt(NOW.minus(Duration.ofHours(23)));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aRunDeletesWhatEndedBeforeTheRetentionAndOldAnsweredRequests() {
    try (RetentionSchedule schedule = schedule(new Retention(Optional.of(Duration.ofDays(30))))) {
      assertThat(schedule.runOnce()).isEqualTo(new JooqRetention.Purged(1, 1, 1));
    }
    assertThat(invocations()).containsExactly("t-29-days");
    assertThat(count("control_request")).isEqualTo(1);
  }

  @Test
  void byDefaultInvocationsAreKeptAndOnlyOldRequestsGo() {
    try (RetentionSchedule schedule = schedule(Retention.keepEverything())) {
      assertThat(schedule.runOnce().total()).isZero();
    }
    assertThat(invocations()).containsExactlyInAnyOrder("t-31-days", "t-29-days");
    assertThat(count("control_request")).isEqualTo(1);
  }

  @Test
  void aNewSettingAppliesFromTheNextRun() {
    try (RetentionSchedule schedule = schedule(Retention.keepEverything())) {
      schedule.update(new Retention(Optional.of(Duration.ofDays(7))));
      assertThat(schedule.runOnce().invocations()).isEqualTo(2);
    }
  }

  @Test
  void theFirstRunComesByItselfAfterStart() {
    try (RetentionSchedule schedule = schedule(new Retention(Optional.of(Duration.ofDays(30))))) {
      schedule.start(Duration.ofMillis(10), Duration.ofDays(1));
      await().atMost(Duration.ofSeconds(10)).until(() -> invocations().size() == 1);
    }
  }

  @Test
  void aFailedRunIsLoggedNotThrown() {
    db.dsl().execute("DROP TABLE control_request");
    try (RetentionSchedule schedule = schedule(new Retention(Optional.of(Duration.ofDays(30))))) {
      // The records went before the request purge failed; the next run tries the rest again.
      assertThat(schedule.runOnce()).isEqualTo(new JooqRetention.Purged(1, 1, 1));
    }
  }

  private RetentionSchedule schedule(Retention retention) {
    return new RetentionSchedule(new JooqRetention(db, Duration.ZERO), retention, CLOCK);
  }

  private void finishedAt(String id, Instant at) {
    InvokeId invokeId = new InvokeId(id);
    store.createInvocation(new NewInvocation(invokeId, Optional.empty(), new CommandId("c"), "true",
        Map.of(), RepeatMode.Once, Optional.empty(), List.of(new InstanceId("a")), at.minusSeconds(2)));
    RecordId r = store.startRecord(invokeId, new InstanceId("a"), at.minusSeconds(1));
    store.endRecord(r, new RecordEnd(RecordStatus.Finished, DetailStatus.Success, Optional.of(0),
        Optional.empty(), Optional.empty(), Output.EMPTY, at));
  }

  private void answeredAt(Instant at) {
    long id = control.submit(new ControlRequest.Stop(new InvokeId("t-x"), Set.of()), at);
    control.claimPending(at);
    control.complete(id, new RequestAnswer.Refused("no such invocation"), at);
  }

  private List<String> invocations() {
    return db.dsl().fetchValues("SELECT invoke_id FROM invocation").stream()
        .map(Object::toString).toList();
  }

  private int count(String table) {
    return ((Number) db.dsl().fetchValue("SELECT count(*) FROM " + table)).intValue();
  }
}
