package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.once;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers that meet between another writer's read and its write, which only PostgreSQL allows
 * (SQLite's IMMEDIATE transaction keeps every other writer out from its first read). The other
 * writer is a plain connection holding its transaction open; the test lets it commit once the
 * store's statement waits for its row lock (seen in pg_stat_activity), the worst moment.
 */
class PostgresRacesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static StoreDatabases databases;
  @TempDir Path dir;
  private Database db;
  private JooqInvocationStore store;
  private JdbcInvocationQueries queries;

  @BeforeAll
  static void create() {
    databases = new StoreDatabases(StoreBackend.POSTGRESQL);
  }

  @AfterAll
  static void drop() {
    databases.close();
  }

  @BeforeEach
  void open() {
    db = Database.open(databases.empty(dir));
    store = new JooqInvocationStore(db, new StatusCalculator());
    queries = new JdbcInvocationQueries(db);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void retentionKeepsTheInstanceOfAnOldInvocationThatRunsAgainMeanwhile() throws Exception {
    InvokeId id = new InvokeId("t-old");
    store.createInvocation(periodic(id.value(), "disk", T0, "a"));
    store.stopInstances(id, Set.of(), T0.plusSeconds(1)); // ended long before the cutoff
    JooqRetention retention = new JooqRetention(db, Duration.ZERO);

    try (Connection reload = StoreDatabases.connect(db.settings())) {
      reload.setAutoCommit(false);
      // What a reload's includeInstances writes: the instance and its invocation run again.
      execute(reload, "UPDATE invocation_instance SET stopped = false, stopped_at = NULL, status = 'Running'"
          + " WHERE invoke_id = 't-old'");
      execute(reload, "UPDATE invocation SET status = 'Running', finished_at = NULL, stopped_at = NULL"
          + " WHERE invoke_id = 't-old'");
      CompletableFuture<JooqRetention.Purged> purge =
          CompletableFuture.supplyAsync(() -> retention.purge(T0.plus(Duration.ofDays(1)), 500));
      awaitLockWait();
      reload.commit();

      assertThat(purge.get(WAIT.toSeconds(), TimeUnit.SECONDS).total()).isZero();
    }
    assertThat(store.instances(id)).containsExactly(new InstanceId("a"));
    assertThat(queries.findInvocation(id)).map(i -> i.status()).contains(InvocationStatus.Running);
  }

  @Test
  void orphansLeaveAnInstanceWhoseRecordStartedSinceTheirReadAlone() throws Exception {
    store.createInvocation(once("t-once", Optional.empty(), T0, "a"));

    try (Connection runner = StoreDatabases.connect(db.settings())) {
      runner.setAutoCommit(false);
      // What startRecord writes for the instance that the orphan check finds without a record.
      execute(runner, "UPDATE invocation_instance SET repeats = 1 WHERE invoke_id = 't-once'");
      execute(runner, "INSERT INTO invocation_record (invoke_id, instance_id, repeat_no, status,"
          + " detail_status, scheduled_at, start_time) VALUES ('t-once', 'a', 1, 'Running', 'Pending',"
          + " '2026-11-28T07:10:03.123Z', '2026-11-28T07:10:03.123Z')");
      CompletableFuture<List<OrphanedRecord>> orphans = CompletableFuture.supplyAsync(
          () -> store.interruptOrphanedRecords(T0.plusSeconds(60), "daemon restarted"));
      awaitLockWait();
      runner.commit();

      assertThat(orphans.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
    }
    assertThat(queries.listRecords(new InvokeId("t-once"), Optional.empty()))
        .singleElement().satisfies(r -> {
          assertThat(r.repeatNo()).isEqualTo(1);
          assertThat(r.status()).isEqualTo(RecordStatus.Running);
        });
  }

  /**
   * Until a session of the database waits for a lock (the one the test's writer holds). Asked on
   * a connection of its own, in autocommit: pg_stat_activity is read once per transaction.
   */
  private void awaitLockWait() throws SQLException {
    try (Connection watcher = StoreDatabases.connect(db.settings());
        Statement st = watcher.createStatement()) {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity"
            + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
          rs.next();
          return rs.getInt(1) > 0;
        }
      });
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
