package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.SecretRef;
import io.fleetrun.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database password rotated in its file (ALTER ROLE … PASSWORD, then the file rewritten) is
 * used by the daemon's next new connection, without a restart.
 *
 * <p>The test server may trust 127.0.0.1 (then it never asks for a password, and a wrong one
 * connects too): so the test shows that each new connection of the pool reads the file again,
 * by taking the file away (a new connection then waits) and writing the new password back (the
 * waiting connection then opens).
 */
class PostgresPasswordRotationTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;
  private PostgresServer.TestDatabase database;
  private String role;

  @BeforeAll
  static void server() {
    PostgresServer.requireAvailable();
  }

  @BeforeEach
  void roleAndDatabase() throws Exception {
    database = PostgresServer.createDatabase("rotate");
    role = "fleetrun_t_role_" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    try (Connection c = PostgresServer.connect("postgres"); Statement st = c.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'password-a'");
      st.execute("ALTER DATABASE " + database.name() + " OWNER TO " + role);
    }
  }

  @AfterEach
  void drop() throws Exception {
    database.close();
    try (Connection c = PostgresServer.connect("postgres"); Statement st = c.createStatement()) {
      st.execute("DROP ROLE IF EXISTS " + role);
    }
  }

  @Test
  void aNewConnectionReadsThePasswordFileAgain() throws Exception {
    Path file = privateFile("password-a\n");
    DatabaseSettings settings =
        new DatabaseSettings(database.url(), Optional.of(role), Optional.of(new SecretRef.File(file)));
    try (Database db = Database.open(settings)) {
      HikariDataSource pool = (HikariDataSource) db.dataSource();
      assertThat(pool.getPassword()).as("the pool's configuration holds no password").isNull();
      awaitIdle(pool, 2);

      try (Connection c = PostgresServer.connect("postgres"); Statement st = c.createStatement()) {
        st.execute("ALTER ROLE " + role + " PASSWORD 'password-b'");
      }
      Files.delete(file);
      pool.getHikariPoolMXBean().softEvictConnections(); // closes the idle connections
      CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> currentUser(db));
      Thread.sleep(3_000);
      assertThat(next).as("no new connection while the password file is missing").isNotDone();

      Files.writeString(file, "password-b\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      assertThat(next.get(Database.CONNECTION_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .as("connects with the rewritten file").isEqualTo(role);
    }
  }

  @Test
  void aPasswordThatCannotBeReadAtOpenNamesWhereItWasLookedFor() {
    DatabaseSettings settings = new DatabaseSettings(database.url(), Optional.of(role),
        Optional.of(new SecretRef.Env("FLEETRUN_TEST_DB_PASSWORD")));
    assertThatThrownBy(() -> Database.open(settings, Database.BUSY_TIMEOUT, Map.<String, String>of()::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot read database.password: environment variable FLEETRUN_TEST_DB_PASSWORD is not set");
  }

  private Path privateFile(String content) throws Exception {
    Path file = dir.resolve("db-password");
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static String currentUser(Database db) {
    try {
      return db.withConnection(c -> {
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT current_user")) {
          rs.next();
          return rs.getString(1);
        }
      });
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits (30 s at most) until the pool has opened its {@code count} idle connections. */
  private static void awaitIdle(HikariDataSource pool, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (pool.getHikariPoolMXBean().getIdleConnections() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(pool.getHikariPoolMXBean().getIdleConnections()).isGreaterThanOrEqualTo(count);
  }
}
