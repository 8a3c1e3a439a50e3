package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.once;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The journal's edge cases on a real SQLite file and a real PostgreSQL database: an event offered
 * while close drains, ends the database refuses (a real trigger, not a mock: SQLite's RAISE(ABORT),
 * a PL/pgSQL function that RAISEs on PostgreSQL), dispatch marks.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
class RecordJournalEdgesTest {
  private static final StatusCalculator RULES = new StatusCalculator();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Parameter StoreBackend backend;
  @TempDir Path dir;
  private StoreBackend.Place place;
  private Database db;
  private JooqInvocationStore store;
  private RecordJournal journal;

  @BeforeEach
  void open() {
    place = backend.newPlace(dir);
    db = Database.open(place.settings());
    store = new JooqInvocationStore(db, RULES);
    journal = new RecordJournal(db, RULES);
  }

  @AfterEach
  void close() {
    journal.close(Duration.ofSeconds(5));
    db.close();
    place.close();
  }

  @Test
  void anEventOfferedWhileCloseDrainsIsWrittenNeverLost() throws Exception {
    RecordId id = store.createWithRecords(once("t-close", Optional.empty(), T0, "a"), T0).get(0).id();
    CountDownLatch inOffer = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    // The offer pauses after it found the journal open and before it enqueues, until close has
    // returned (or 2 s: a close that waits for the offer cannot return first).
    journal.beforeEnqueue = () -> {
      journal.beforeEnqueue = () -> {};
      inOffer.countDown();
      try {
        closed.await(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    CompletableFuture<CompletableFuture<Boolean>> offered =
        CompletableFuture.supplyAsync(() -> journal.ended(id, end(RecordStatus.Finished, T0.plusSeconds(1))));
    assertThat(inOffer.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(() -> {
      journal.close(Duration.ofSeconds(2));
      closed.countDown();
    });
    closer.start();

    CompletableFuture<Boolean> end = offered.get(10, TimeUnit.SECONDS);
    String outcome = end.handle((written, failure) -> failure == null ? "written " + written : "refused")
        .get(10, TimeUnit.SECONDS);
    closer.join(10_000);

    assertThat(outcome).isEqualTo("written true");
    assertThat(db.dsl().fetchValue("SELECT status FROM invocation_record")).isEqualTo("Finished");
    assertThat(journal.ended(id, end(RecordStatus.Failed, T0)))
        .as("an offer after close is refused at once").isCompletedExceptionally();
  }

  @Test
  void aPoisonEndIsWrittenWithoutItsOutputAndTheOthersWithTheirs() throws Exception {
    List<PendingRecord> records = store.createWithRecords(once("t-poison", Optional.empty(), T0, "a", "b"), T0);
    refuseUpdates("poison", "NEW.output LIKE '%poison%'", "poison refused by a trigger");
    RecordEnd poisoned = new RecordEnd(RecordStatus.Failed, DetailStatus.Failed, Optional.of(3), Optional.empty(),
        Optional.of("exit code 3"), new Output("a poison line\n", 7), T0.plusSeconds(1));

    CompletableFuture<Boolean> a = journal.ended(records.get(0).id(), poisoned);
    CompletableFuture<Boolean> b = journal.ended(records.get(1).id(), end(RecordStatus.Finished, T0.plusSeconds(2)));

    assertThat(a.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(b.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(db.dsl().fetchValue("SELECT status || ':' || detail_status || ':' || exit_code || ':' || output"
        + " || ':' || dropped || ':' || finish_time FROM invocation_record WHERE instance_id = 'a'"))
        .isEqualTo("Failed:Failed:3::21:" + T0.plusSeconds(1));
    assertThat(db.dsl().fetchValue("SELECT error_info FROM invocation_record WHERE instance_id = 'a'").toString())
        .startsWith("the output could not be stored").contains("poison refused by a trigger");
    assertThat(db.dsl().fetchValue("SELECT output FROM invocation_record WHERE instance_id = 'b'")).isEqualTo("ok\n");
    assertThat(db.dsl().fetchValue("SELECT status FROM invocation_instance WHERE instance_id = 'a'")).isEqualTo("Failed");
    assertThat(db.dsl().fetchValue("SELECT status FROM invocation")).isEqualTo("PartialFailed");
  }

  @Test
  void anEndRefusedEvenWithoutItsOutputIsRetriedUntilTheDatabaseTakesIt() throws Exception {
    List<PendingRecord> records = store.createWithRecords(once("t-refused", Optional.empty(), T0, "a", "b"), T0);
    refuseEndsOf("a");

    CompletableFuture<Boolean> a = journal.ended(records.get(0).id(), end(RecordStatus.Finished, T0.plusSeconds(1)));
    CompletableFuture<Boolean> b = journal.ended(records.get(1).id(), end(RecordStatus.Finished, T0.plusSeconds(1)));

    assertThat(b.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await().atMost(WAIT).until(() -> journal.refusedRetries() >= 2);
    assertThat(a).isNotDone();
    assertThat(db.dsl().fetchValue("SELECT status FROM invocation_record WHERE instance_id = 'a'")).isEqualTo("Running");

    dropTrigger("refuse_end");

    assertThat(a.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(db.dsl().fetchValue("SELECT status || ':' || output FROM invocation_record WHERE instance_id = 'a'"))
        .isEqualTo("Finished:");
    assertThat(db.dsl().fetchValue("SELECT status FROM invocation")).isEqualTo("Finished");
  }

  @Test
  void anEndStillRefusedAtCloseIsLoggedByRecordIdAndFailed() throws Exception {
    RecordId a = store.createWithRecords(once("t-closed", Optional.empty(), T0, "a"), T0).get(0).id();
    refuseEndsOf("a");
    try (LogLines log = LogLines.of("io.fleetrun.store")) {
      CompletableFuture<Boolean> end = journal.ended(a, end(RecordStatus.Finished, T0.plusSeconds(1)));
      await().atMost(WAIT).until(() -> journal.refusedRetries() >= 1);

      journal.close(Duration.ofSeconds(1));

      assertThat(end).isCompletedExceptionally();
      assertThat(log.containing("record " + a.value() + ": its end (Finished) is not written"))
          .singleElement().asString().startsWith("ERROR");
    }
  }

  @Test
  void anEndGivenUpIsLoggedWithoutTheOutputOrErrorInfoTheTargetPrinted() throws Exception {
    RecordId a = store.createWithRecords(once("t-quiet", Optional.empty(), T0, "a"), T0).get(0).id();
    journal.close(Duration.ofSeconds(1));
    RecordEnd printed = new RecordEnd(RecordStatus.Finished, DetailStatus.Failed, Optional.of(1), Optional.empty(),
        Optional.of("info TOKEN=s3cr3t-info"), new Output("password: s3cr3t-output\n", 0), T0.plusSeconds(1));

    try (LogLines log = LogLines.of("io.fleetrun.store")) {
      assertThat(journal.ended(a, printed)).isCompletedExceptionally();

      assertThat(log.containing("record " + a.value() + ": change not written")).singleElement().asString()
          .contains("end Finished/Failed exit 1").contains("24 output characters not shown")
          .doesNotContain("s3cr3t");
    }
  }

  @Test
  void theDispatchMarksOfABurstOf200RecordsRideInAFewTransactionsNot200() throws Exception {
    String[] instances = new String[200];
    for (int i = 0; i < instances.length; i++) {
      instances[i] = "h" + i;
    }
    List<PendingRecord> records = store.createWithRecords(once("t-burst", Optional.empty(), T0, instances), T0);
    long before = journal.transactions();

    List<CompletableFuture<Boolean>> marks = new ArrayList<>();
    for (PendingRecord r : records) {
      marks.add(journal.dispatched(r.id(), T0.plusMillis(5)));
    }
    for (CompletableFuture<Boolean> mark : marks) {
      assertThat(mark.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    // At most MAX_BATCH (100) events per transaction: 200 marks are 2 transactions when they come
    // within one linger of each other; a loaded machine may cut the burst once or twice more.
    assertThat(journal.transactions() - before).isBetween(2L, 5L);
    if (backend == StoreBackend.POSTGRESQL) {
      // Each batch is one transaction of the server's: the marked rows name as many writers.
      assertThat(((Number) db.dsl().fetchValue("SELECT count(DISTINCT xmin::text) FROM invocation_record"))
          .longValue()).isEqualTo(journal.transactions() - before);
    }
    assertThat(((Number) db.dsl().fetchValue("SELECT count(*) FROM invocation_record WHERE dispatched_at = ?",
        T0.plusMillis(5).toString())).longValue()).isEqualTo(200);
  }

  @Test
  void aDispatchMarkOfARecordThatAlreadyEndedIsNotApplied() throws Exception {
    RecordId a = store.createWithRecords(once("t-mark", Optional.empty(), T0, "a"), T0).get(0).id();
    assertThat(journal.ended(a, end(RecordStatus.Stopped, T0.plusSeconds(1))).get(10, TimeUnit.SECONDS)).isTrue();

    assertThat(journal.dispatched(a, T0.plusSeconds(2)).get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(db.dsl().fetchValue("SELECT dispatched_at FROM invocation_record")).isNull();
  }

  /** A real trigger that aborts every end of the record on instance {@code instance}. */
  private void refuseEndsOf(String instance) throws SQLException {
    refuseUpdates("refuse_end", "OLD.instance_id = '" + instance + "' AND NEW.status <> 'Running'",
        "end refused by a trigger");
  }

  /**
   * A real trigger {@code name} that aborts each update of invocation_record for which {@code
   * when} holds, with {@code message}: RAISE(ABORT) on SQLite, a PL/pgSQL function that RAISEs
   * on PostgreSQL.
   */
  private void refuseUpdates(String name, String when, String message) throws SQLException {
    if (backend == StoreBackend.POSTGRESQL) {
      sql("CREATE OR REPLACE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS"
          + " $$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$");
      sql("CREATE TRIGGER " + name + " BEFORE UPDATE ON invocation_record FOR EACH ROW WHEN (" + when + ")"
          + " EXECUTE FUNCTION refuse_update('" + message + "')");
    } else {
      sql("CREATE TRIGGER " + name + " BEFORE UPDATE ON invocation_record WHEN " + when
          + " BEGIN SELECT RAISE(ABORT, '" + message + "'); END");
    }
  }

  private void dropTrigger(String name) throws SQLException {
    sql(backend == StoreBackend.POSTGRESQL ? "DROP TRIGGER " + name + " ON invocation_record" : "DROP TRIGGER " + name);
  }

  /** Runs {@code text} as is (no jOOQ templating: PL/pgSQL has its own placeholders). */
  private void sql(String text) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute(text);
    }
  }
}
