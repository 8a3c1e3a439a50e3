package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.once;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The group-commit journal on a real SQLite file and a real PostgreSQL database. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
class RecordJournalTest {
  private static final StatusCalculator RULES = new StatusCalculator();

  @Parameter StoreBackend backend;
  @TempDir Path dir;
  private StoreBackend.Place place;
  private Database db;
  private RecordJournal journal;

  @BeforeEach
  void place() {
    place = backend.newPlace(dir);
  }

  @AfterEach
  void close() {
    if (journal != null) {
      journal.close(Duration.ofSeconds(5));
    }
    if (db != null) {
      db.close();
    }
    place.close();
  }

  @Test
  void aBatchHeldUpByAnotherConnectionsWriteLockIsWrittenOnceItIsReleasedAndNoEndIsLost() throws Exception {
    if (backend == StoreBackend.POSTGRESQL) {
      // The write lock's twin on PostgreSQL: a lock on the table, which writers wait for.
      db = Database.open(place.settings());
    } else {
      db = Database.open(place.url(), Duration.ofMillis(100));
    }
    JooqInvocationStore store = new JooqInvocationStore(db, RULES);
    journal = store.openJournal();
    NewInvocation run = once("t-locked", Optional.empty(), T0, "a", "b", "c");
    List<PendingRecord> records = store.createWithRecords(run, T0);
    List<CompletableFuture<Boolean>> ends = new ArrayList<>();
    try (Connection other = otherConnection(); Statement sql = other.createStatement()) {
      if (backend == StoreBackend.POSTGRESQL) {
        other.setAutoCommit(false);
        sql.execute("LOCK TABLE invocation_record IN EXCLUSIVE MODE");
      } else {
        sql.execute("BEGIN IMMEDIATE");
      }
      for (PendingRecord r : records) {
        journal.sent(r.id(), T0.plusMillis(1));
        ends.add(journal.ended(r.id(), end(RecordStatus.Finished, T0.plusSeconds(1))));
      }
      if (backend == StoreBackend.POSTGRESQL) {
        // Positive signal: the journal's write waits for the lock (PostgreSQL has no busy timeout).
        await().atMost(Duration.ofSeconds(20)).until(() -> waitingForLocks(sql) >= 1);
      } else {
        // Positive signal: the journal tried and failed at least twice while the lock was held.
        await().atMost(Duration.ofSeconds(20)).until(() -> journal.failedAttempts() >= 2);
      }
      assertThat(ends).noneMatch(CompletableFuture::isDone);
      if (backend == StoreBackend.POSTGRESQL) {
        other.rollback();
      } else {
        sql.execute("ROLLBACK");
      }
    }
    for (CompletableFuture<Boolean> e : ends) {
      assertThat(e.get(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(count("SELECT count(*) FROM invocation_record WHERE status = 'Finished'"
        + " AND start_time IS NOT NULL")).isEqualTo(3);
    assertThat(db.dsl().fetchValue("SELECT status FROM invocation")).isEqualTo("Finished");
  }

  private Connection otherConnection() throws SQLException {
    return place.postgres().isPresent() ? place.postgres().get().connect() : DriverManager.getConnection(place.url());
  }

  /** Locks other sessions wait for, seen from {@code sql}'s session (PostgreSQL). */
  private static long waitingForLocks(Statement sql) throws SQLException {
    try (ResultSet rs = sql.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long count(String sql, Object... args) {
    return ((Number) db.dsl().fetchValue(sql, args)).longValue();
  }

  @Test
  void aLateEndNeverOverwritesAStopAndAnEndOfAGoneRecordIsNotApplied() throws Exception {
    db = Database.open(place.settings());
    JooqInvocationStore store = new JooqInvocationStore(db, RULES);
    journal = store.openJournal();
    List<PendingRecord> records = store.createWithRecords(once("t-late", Optional.empty(), T0, "a"), T0);
    var id = records.get(0).id();

    assertThat(journal.ended(id, end(RecordStatus.Stopped, T0.plusSeconds(1))).get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(journal.ended(id, end(RecordStatus.Finished, T0.plusSeconds(2))).get(5, TimeUnit.SECONDS)).isFalse();
    assertThat(journal.ended(new io.fleetrun.model.RecordId(99_999), end(RecordStatus.Finished, T0))
        .get(5, TimeUnit.SECONDS)).isFalse();
    assertThat(db.dsl().fetchValue("SELECT status || ' ' || finished_at || ' ' || stopped_at FROM invocation"))
        .isEqualTo("Stopped " + T0.plusSeconds(1) + " " + T0.plusSeconds(1));
  }

  /**
   * Random interleavings (fixed seed) of sends, runs, ends and stops over one-time and periodic
   * invocations: afterwards every status equals what the calculator gives from the records.
   */
  @Test
  void statusesAfterAnyInterleavingEqualTheCalculators() throws Exception {
    db = Database.open(place.settings());
    JooqInvocationStore store = new JooqInvocationStore(db, RULES);
    journal = store.openJournal();
    Random random = new Random(20261202L);
    Map<PendingRecord, InvokeId> open = new HashMap<>();
    List<InvokeId> invocations = new ArrayList<>();
    for (int n = 0; n < 12; n++) {
      InvokeId id = new InvokeId("t-r" + n);
      invocations.add(id);
      String[] instances = {"a", "b", "c", "d", "e"};
      List<PendingRecord> records = n % 3 == 2
          ? store.firePeriodic(Optional.of(periodic(id.value(), "job" + n, T0, instances)), id,
              Invocations.instanceIds(instances), List.of(), T0)
          : store.createWithRecords(once(id.value(), Optional.empty(), T0, instances), T0);
      records.forEach(r -> open.put(r, id));
    }
    List<PendingRecord> pending = new ArrayList<>(open.keySet());
    pending.sort((x, y) -> Long.compare(x.id().value(), y.id().value()));
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    RecordStatus[] ends = {RecordStatus.Finished, RecordStatus.Failed, RecordStatus.Stopped};
    for (int step = 0; step < 400 && !pending.isEmpty(); step++) {
      PendingRecord r = pending.get(random.nextInt(pending.size()));
      Instant at = T0.plusMillis(step);
      switch (random.nextInt(5)) {
        case 0 -> all.add(journal.sent(r.id(), at));
        case 1 -> all.add(journal.running(r.id(), 1000 + step, OptionalLong.empty()));
        case 2, 3 -> {
          all.add(journal.ended(r.id(), end(ends[random.nextInt(ends.length)], at)));
          if (random.nextBoolean()) {
            pending.remove(r);
          }
        }
        default -> {
          if (!all.isEmpty()) {
            all.get(all.size() - 1).get(5, TimeUnit.SECONDS); // let the stop see a settled state
          }
          store.stopInstances(open.get(r), Set.of(r.instance()), at);
        }
      }
    }
    for (CompletableFuture<Boolean> f : all) {
      f.get(10, TimeUnit.SECONDS);
    }
    for (InvokeId id : invocations) {
      RepeatMode mode = StatusWriter.mode(db.dsl(), id);
      List<RecordStatus> expected = new ArrayList<>();
      for (String instance : List.of("a", "b", "c", "d", "e")) {
        Optional<RecordStatus> latest = Optional.ofNullable(db.dsl().fetchValue(
            "SELECT status FROM invocation_record WHERE invoke_id = ? AND instance_id = ?"
                + " ORDER BY repeat_no DESC LIMIT 1", id.value(), instance)).map(s -> RecordStatus.valueOf(s.toString()));
        boolean stopped = Boolean.parseBoolean(String.valueOf(db.dsl().fetchValue(
            "SELECT stopped FROM invocation_instance WHERE invoke_id = ? AND instance_id = ?", id.value(), instance)))
            || "1".equals(String.valueOf(db.dsl().fetchValue(
            "SELECT stopped FROM invocation_instance WHERE invoke_id = ? AND instance_id = ?", id.value(), instance)));
        RecordStatus status = RULES.instanceStatus(mode, latest, stopped);
        expected.add(status);
        assertThat(db.dsl().fetchValue("SELECT status FROM invocation_instance WHERE invoke_id = ? AND instance_id = ?",
            id.value(), instance)).as(id + "/" + instance).isEqualTo(status.name());
      }
      InvocationStatus overall = RULES.overall(mode, expected);
      assertThat(db.dsl().fetchValue("SELECT status FROM invocation WHERE invoke_id = ?", id.value()))
          .as(id.toString()).isEqualTo(overall.name());
      assertThat(db.dsl().fetchValue("SELECT finished_at IS NOT NULL FROM invocation WHERE invoke_id = ?", id.value())
          .toString()).as(id + " finished_at").isIn(overall.isEnded() ? List.of("1", "true") : List.of("0", "false"));
    }
    assertThat(journal.committed()).isGreaterThan(0);
  }

  @Test
  void countsBasedOverallEqualsTheListOne() {
    Random random = new Random(7);
    for (int n = 0; n < 500; n++) {
      List<RecordStatus> statuses = new ArrayList<>();
      int size = 1 + random.nextInt(6);
      for (int i = 0; i < size; i++) {
        statuses.add(RecordStatus.values()[random.nextInt(RecordStatus.values().length)]);
      }
      Map<RecordStatus, Integer> counts = new java.util.EnumMap<>(RecordStatus.class);
      statuses.forEach(s -> counts.merge(s, 1, Integer::sum));
      for (RepeatMode mode : RepeatMode.values()) {
        assertThat(RULES.overall(mode, StatusWriter.expand(counts))).isEqualTo(RULES.overall(mode, statuses));
      }
    }
  }
}
