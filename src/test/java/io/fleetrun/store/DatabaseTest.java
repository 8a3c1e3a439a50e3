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
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.testing.StoreBackend;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

class DatabaseTest {
  @TempDir Path dir;

  private String url() {
    return "jdbc:sqlite:" + dir.resolve("fleetrun.db");
  }

  /** What holds on both databases; the rest of this class is about SQLite's file and locks. */
  @Nested
  @ParameterizedClass(name = "{0}")
  @MethodSource("io.fleetrun.testing.StoreBackend#both")
  class OnBothDatabases {
    @Parameter StoreBackend backend;
    private DatabaseSettings settings;

    @BeforeEach
    void empty() {
      settings = databases(backend).empty(dir);
    }

    @Test
    void openingTwiceMigratesOnceAndKeepsTheData() {
      try (Database db = Database.open(settings)) {
        new JooqControlChannel(db).heartbeat(
            new DaemonInfo("n1", 1, "h", "v", "c.yaml", T0), T0);
      }
      try (Database db = Database.open(settings)) {
        assertThat(db.dsl().fetchOne("SELECT count(*) FROM daemon_heartbeat").get(0, Integer.class))
            .isEqualTo(1);
        // Each migration applied once; versions beyond 2 come from later features.
        assertThat(db.dsl().fetchValues(
                "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank"))
            .map(String::valueOf)
            .startsWith("1", "2")
            .doesNotHaveDuplicates();
      }
    }

    @Test
    void schemaHasQuartzTablesAndTheMigrationsAreOnTheClassPath() {
      try (Database db = Database.open(settings)) {
        for (String table : new String[] {"QRTZ_JOB_DETAILS", "QRTZ_TRIGGERS", "QRTZ_CRON_TRIGGERS",
            "QRTZ_SIMPLE_TRIGGERS", "QRTZ_FIRED_TRIGGERS", "QRTZ_SCHEDULER_STATE"}) {
          assertThat(db.dsl().fetchOne("SELECT count(*) FROM " + table).get(0, Integer.class)).isZero();
        }
        // V13 inserts the lock rows of the daemon's scheduler name before any scheduler starts.
        assertThat(db.dsl().fetch("SELECT SCHED_NAME, LOCK_NAME FROM QRTZ_LOCKS ORDER BY LOCK_NAME")
            .map(r -> r.get(0) + "/" + r.get(1)))
            .containsExactly("fleetrun/STATE_ACCESS", "fleetrun/TRIGGER_ACCESS");
      }
      ClassLoader loader = getClass().getClassLoader();
      for (String folder : new String[] {Database.SQLITE_MIGRATIONS, Database.POSTGRESQL_MIGRATIONS}) {
        assertThat(loader.getResource(folder + "/V1__fleetrun.sql")).isNotNull();
        assertThat(loader.getResource(folder + "/V2__quartz.sql")).isNotNull();
      }
    }

    @Test
    void aReaderHoldingAReadTransactionDoesNotMakeWritesFail() throws SQLException {
      try (Database db = Database.open(settings);
          Connection reader = StoreDatabases.connect(settings)) {
        JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
        store.createInvocation(once("t-before", Optional.empty(), T0, "a"));
        reader.setAutoCommit(false);
        if (settings.isPostgresql()) {
          // psql's snapshot lasts a statement; a report's transaction keeps one, as sqlite3's does.
          reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        }
        assertThat(count(reader, "invocation")).isEqualTo(1);

        // Like sqlite3 or psql in the middle of a long SELECT: its snapshot stays open while we write.
        store.createInvocation(once("t-during", Optional.empty(), T0, "a"));
        RecordId r = store.startRecord(new InvokeId("t-during"), new InstanceId("a"), T0);
        assertThat(store.endRecord(r, end(RecordStatus.Finished, T0.plusSeconds(1)))).isTrue();

        assertThat(count(reader, "invocation")).isEqualTo(1);
        reader.commit();
        assertThat(count(reader, "invocation")).isEqualTo(2);
      }
    }
  }

  /** One database per backend for the whole class (see {@link StoreDatabases}). */
  private static final Map<StoreBackend, StoreDatabases> DATABASES = new EnumMap<>(StoreBackend.class);

  private static StoreDatabases databases(StoreBackend backend) {
    return DATABASES.computeIfAbsent(backend, StoreDatabases::new);
  }

  @AfterAll
  static void drop() {
    DATABASES.values().forEach(StoreDatabases::close);
    DATABASES.clear();
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
    assertThatThrownBy(() -> Database.open("jdbc:mysql://127.0.0.1/fleetrun"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'jdbc:mysql:").hasMessageContaining("jdbc:sqlite:")
        .hasMessageContaining("jdbc:postgresql:");
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
