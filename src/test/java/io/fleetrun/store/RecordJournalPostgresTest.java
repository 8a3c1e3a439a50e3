package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.once;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The journal's poison test on PostgreSQL, where a read commits on a server that refuses every
 * write and nothing is held by a write lock: a change is called poison only when a write that
 * changes nothing commits and the change still fails right after. Real server, real refusals.
 */
class RecordJournalPostgresTest {
  private static final StatusCalculator RULES = new StatusCalculator();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private PostgresServer.TestDatabase pg;
  private Database db;
  private JooqInvocationStore store;
  private RecordJournal journal;

  @BeforeAll
  static void server() {
    PostgresServer.requireAvailable();
  }

  @BeforeEach
  void open() {
    pg = PostgresServer.createDatabase("journal");
    db = Database.open(pg.settings());
    store = new JooqInvocationStore(db, RULES);
    journal = new RecordJournal(db, RULES);
  }

  @AfterEach
  void close() {
    journal.close(Duration.ofSeconds(5));
    db.close();
    pg.close();
  }

  @Test
  void aServerThatTakesNoWritesForAWhileLosesNeitherAStartNorAnOutput() throws Exception {
    List<PendingRecord> records = store.createWithRecords(once("t-standby", Optional.empty(), T0, "a"), T0);
    // As a failover onto a standby: every new session is read-only, the old ones are cut.
    server("ALTER DATABASE " + pg.name() + " SET default_transaction_read_only = on");
    endDaemonSessions();

    CompletableFuture<Boolean> sent = journal.sent(records.get(0).id(), T0.plusMillis(1));
    CompletableFuture<Boolean> ended = journal.ended(records.get(0).id(), end(RecordStatus.Failed, T0.plusSeconds(1)));
    // Past the point where a lone event is checked for poison (SPLIT_AFTER failures), by as many
    // failures again: each of those checked and found the server refusing every write.
    await().atMost(WAIT).until(() -> journal.failedAttempts() >= 2 * RecordJournal.SPLIT_AFTER);
    assertThat(sent).isNotDone();
    assertThat(ended).isNotDone();

    server("ALTER DATABASE " + pg.name() + " RESET default_transaction_read_only");
    endDaemonSessions();

    assertThat(sent.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(ended.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(db.dsl().fetchValue("SELECT status || ':' || output || ':' || (start_time IS NOT NULL)"
        + " FROM invocation_record")).isEqualTo("Failed:partial\n:true");
  }

  @Test
  void aChangeRefusedThreeTimesAndTakenTheFourthKeepsItsOutput() throws Exception {
    List<PendingRecord> records = store.createWithRecords(once("t-thrice", Optional.empty(), T0, "a"), T0);
    // A sequence is outside every transaction: the trigger refuses the first three updates only.
    sql("CREATE SEQUENCE refusals");
    sql("CREATE FUNCTION refuse_thrice() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        + " IF nextval('refusals') <= " + RecordJournal.SPLIT_AFTER + " THEN RAISE EXCEPTION 'busy for a moment';"
        + " END IF; RETURN NEW; END $$");
    sql("CREATE TRIGGER refuse_thrice BEFORE UPDATE ON invocation_record FOR EACH ROW EXECUTE FUNCTION refuse_thrice()");

    CompletableFuture<Boolean> ended = journal.ended(records.get(0).id(), end(RecordStatus.Finished, T0.plusSeconds(1)));

    assertThat(ended.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(db.dsl().fetchValue("SELECT output FROM invocation_record")).isEqualTo("ok\n");
    assertThat(db.dsl().fetchValue("SELECT error_info FROM invocation_record")).isNull();
  }

  /**
   * PostgreSQL has many writers: a stop committed by another connection while the journal's
   * batch has read its record Running must win, as SQLite's IMMEDIATE transactions make it.
   * The batch locks its records before it decides; else it reported the late end written and
   * gave the instance the end's status while the record stayed Stopped.
   */
  @Test
  void aStopCommittedBesideABatchWinsOverTheLateEnd() throws Exception {
    List<PendingRecord> records = store.createWithRecords(once("t-race", Optional.empty(), T0, "a", "b"), T0);
    long id = records.get(0).id().value();
    CompletableFuture<Boolean> late;
    try (Connection stopper = pg.connect(); Statement st = stopper.createStatement()) {
      stopper.setAutoCommit(false);
      st.executeUpdate("UPDATE invocation_record SET status = 'Stopped', detail_status = 'Cancelled',"
          + " finish_time = '" + JdbcRows.text(T0.plusSeconds(1)) + "', stop_time = '" + JdbcRows.text(T0.plusSeconds(1))
          + "' WHERE record_id = " + id);
      st.executeUpdate("UPDATE invocation_instance SET status = 'Stopped', stopped = true"
          + " WHERE invoke_id = 't-race' AND instance_id = 'a'");

      late = journal.ended(records.get(0).id(), end(RecordStatus.Finished, T0.plusSeconds(2)));
      // The batch waits for the stopper's row lock (when it locks what it read, or when it writes).
      await().atMost(WAIT).until(() -> waitingForLocks(st) >= 1);
      stopper.commit();
    }

    assertThat(late.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the late end is not written").isFalse();
    assertThat(db.dsl().fetchValue("SELECT status FROM invocation_record WHERE record_id = ?", id)).isEqualTo("Stopped");
    assertThat(db.dsl().fetchValue("SELECT status FROM invocation_instance WHERE instance_id = 'a'"))
        .isEqualTo("Stopped");
  }

  private static long waitingForLocks(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Ends the sessions of the daemon's pool (the driver's ApplicationName is {@code fleetrun}). */
  private void endDaemonSessions() throws SQLException {
    server("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + pg.name() + "'"
        + " AND application_name = 'fleetrun'");
  }

  /** Runs {@code text} from the server's maintenance database (the test database may be read-only). */
  private static void server(String text) throws SQLException {
    try (Connection c = PostgresServer.connect("postgres"); Statement st = c.createStatement()) {
      st.execute(text);
    }
  }

  private void sql(String text) throws SQLException {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute(text);
    }
  }
}
