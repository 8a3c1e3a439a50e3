package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.once;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  @TempDir Path dir;

  private String url() {
    return "jdbc:sqlite:" + dir.resolve("fleetrun.db");
  }

  @Test
  void openingTwiceMigratesOnceAndKeepsTheData() {
    try (Database db = Database.open(url())) {
      new JooqControlChannel(db).heartbeat(
          new DaemonInfo("n1", 1, "h", "v", "c.yaml", T0), T0);
    }
    try (Database db = Database.open(url())) {
      assertThat(db.dsl().fetchValue("SELECT count(*) FROM daemon_heartbeat")).isEqualTo(1);
      // Each migration applied once; versions beyond 2 come from later features.
      assertThat(db.dsl().fetchValues(
              "SELECT version FROM flyway_schema_history WHERE success = 1 ORDER BY installed_rank"))
          .map(String::valueOf)
          .startsWith("1", "2")
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void everyConnectionRunsInWalWithBusyTimeoutAndForeignKeys() {
    try (Database db = Database.open(url())) {
      assertThat(db.dsl().fetchValue("PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(db.dsl().fetchValue("PRAGMA busy_timeout")).hasToString("10000");
      assertThat(db.dsl().fetchValue("PRAGMA foreign_keys")).hasToString("1");
      assertThat(db.dsl().fetchValue("PRAGMA synchronous")).hasToString("1");
    }
  }

  @Test
  void createsTheFolderOfTheFile() {
    Path file = dir.resolve("a/b/fleetrun.db");
    try (Database db = Database.open("jdbc:sqlite:" + file)) {
      assertThat(file).isRegularFile();
      assertThat(db.jdbcUrl()).endsWith("a/b/fleetrun.db");
    }
  }

  @Test
  void schemaHasQuartzTablesAndTheMigrationsAreOnTheClassPath() {
    try (Database db = Database.open(url())) {
      for (String table : new String[] {"QRTZ_JOB_DETAILS", "QRTZ_TRIGGERS", "QRTZ_CRON_TRIGGERS",
          "QRTZ_SIMPLE_TRIGGERS", "QRTZ_FIRED_TRIGGERS", "QRTZ_SCHEDULER_STATE"}) {
        assertThat(db.dsl().fetchValue("SELECT count(*) FROM " + table)).isEqualTo(0);
      }
      // V13 inserts the lock rows of the daemon's scheduler name before any scheduler starts.
      assertThat(db.dsl().fetch("SELECT SCHED_NAME, LOCK_NAME FROM QRTZ_LOCKS ORDER BY LOCK_NAME")
          .map(r -> r.get(0) + "/" + r.get(1)))
          .containsExactly("fleetrun/STATE_ACCESS", "fleetrun/TRIGGER_ACCESS");
    }
    ClassLoader loader = getClass().getClassLoader();
    assertThat(loader.getResource(Database.SQLITE_MIGRATIONS + "/V1__fleetrun.sql")).isNotNull();
    assertThat(loader.getResource(Database.SQLITE_MIGRATIONS + "/V2__quartz.sql")).isNotNull();
  }

  @Test
  void aReaderHoldingAReadTransactionDoesNotMakeWritesFail() throws SQLException {
    try (Database db = Database.open(url());
        Connection reader = DriverManager.getConnection(url())) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      store.createInvocation(once("t-before", Optional.empty(), T0, "a"));
      reader.setAutoCommit(false);
      assertThat(count(reader, "invocation")).isEqualTo(1);

      // Like sqlite3 in the middle of a long SELECT: its snapshot stays open while we write.
      store.createInvocation(once("t-during", Optional.empty(), T0, "a"));
      RecordId r = store.startRecord(new InvokeId("t-during"), new InstanceId("a"), T0);
      assertThat(store.endRecord(r, end(RecordStatus.Finished, T0.plusSeconds(1)))).isTrue();

      assertThat(count(reader, "invocation")).isEqualTo(1);
      reader.commit();
      assertThat(count(reader, "invocation")).isEqualTo(2);
    }
  }

  @Test
  void aWriteWaitsForAnotherProcessThatHoldsTheWriteLock() throws Exception {
    try (Database db = Database.open(url());
        Connection other = DriverManager.getConnection(url())) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      other.setAutoCommit(false);
      try (Statement s = other.createStatement()) {
        s.execute("INSERT INTO daemon_heartbeat (node_id, pid, host, version, config_file, started_at, beat_at) "
            + "VALUES ('cli', 1, 'h', 'v', 'c', 'x', 'x')");
      }
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> {
        started.countDown();
        store.createInvocation(once("t-wait", Optional.empty(), T0, "a"));
        return System.nanoTime();
      });
      assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(Duration.ofMillis(300).toMillis()); // time to reach the lock; not the proof
      assertThat(write).isNotDone();
      long committed = System.nanoTime();
      other.commit();
      // The proof: the write ended after the other process let go, however slow its thread was.
      assertThat(write.get(Database.BUSY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isGreaterThan(committed);
      assertThat(count(other, "invocation")).isEqualTo(1);
    }
  }

  @Test
  void openExistingNeedsAMigratedFileAndWritesNothing() throws Exception {
    Path file = dir.resolve("missing/fleetrun.db");
    assertThatThrownBy(() -> Database.openExisting("jdbc:sqlite:" + file))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("start the daemon");
    assertThat(file.getParent()).doesNotExist();

    Path empty = dir.resolve("empty.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + empty);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE unrelated (x INTEGER)");
    }
    assertThatThrownBy(() -> Database.openExisting("jdbc:sqlite:" + empty))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("schema version");

    try (Database daemon = Database.open(url());
        Database cli = Database.openExisting(url())) {
      new JooqInvocationStore(daemon, new StatusCalculator())
          .createInvocation(once("t-seen", Optional.empty(), T0, "a"));
      assertThat(new JdbcInvocationQueries(cli).findInvocation(new InvokeId("t-seen"))).isPresent();
    }
  }

  @Test
  void refusesUrlsOfOtherDatabases() {
    assertThatThrownBy(() -> Database.open("jdbc:postgresql://127.0.0.1/fleetrun"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:sqlite:");
  }

  @Test
  void findsTheFileOfSqliteUrls() {
    assertThat(Database.sqliteFile("jdbc:sqlite::memory:")).isEmpty();
    assertThat(Database.sqliteFile("jdbc:sqlite:/var/lib/f.db?journal_mode=WAL"))
        .contains(Path.of("/var/lib/f.db"));
    assertThat(Database.sqliteFile("jdbc:sqlite:file:/var/lib/f.db")).contains(Path.of("/var/lib/f.db"));
    assertThat(Database.sqliteFile("jdbc:sqlite:data/f.db"))
        .contains(Path.of("data/f.db").toAbsolutePath());
  }

  private static int count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
