package io.fleetrun.testing;

import io.fleetrun.model.DatabaseSettings;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * The PostgreSQL server the tests use: the one this kind of machine runs on 127.0.0.1:5432
 * (role {@code postgres}, trust), or the server {@code FLEETRUN_TEST_PG} names as {@code
 * host:port}. Never a mock or an in-memory stand-in: each test makes a database of its own with
 * {@link #createDatabase(String)} and drops it on close.
 *
 * <pre>
 * PostgresServer.requireAvailable();           // in @BeforeAll: skip outside CI, fail under CI
 * try (var db = PostgresServer.createDatabase("store")) { Database.open(db.settings()) ... }
 * </pre>
 */
public final class PostgresServer {
  /** Environment variable naming another server, as {@code host:port} (loopback only). */
  public static final String SERVER_VARIABLE = "FLEETRUN_TEST_PG";

  private static final String ROLE = "postgres";
  private static final SecureRandom RANDOM = new SecureRandom();

  private PostgresServer() {}

  /** {@code host:port} of the server. */
  public static String server() {
    String server = System.getenv(SERVER_VARIABLE);
    return server == null || server.isBlank() ? "127.0.0.1:5432" : server.trim();
  }

  /** Why the tests cannot reach the server, with the fix; empty when they can. */
  public static Optional<String> unavailableReason() {
    try (Connection c = connect("postgres")) {
      return Optional.empty();
    } catch (SQLException e) {
      return Optional.of(
          "no PostgreSQL server answers at " + server() + " as role " + ROLE + " (" + e.getMessage()
              + "); .ci/run installs and starts one");
    }
  }

  /** Skips (outside CI) or fails (under CI) the test when the server is not there. */
  public static void requireAvailable() {
    RequiredTool.require("PostgreSQL", unavailableReason());
  }

  /**
   * A new, empty database named {@code fleetrun_t_<purpose>_<random>}, owned by the test role;
   * dropped (with its connections ended) by {@link TestDatabase#close()}.
   */
  public static TestDatabase createDatabase(String purpose) {
    String name =
        "fleetrun_t_" + purpose.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "") + "_"
            + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    execute("CREATE DATABASE " + name);
    return new TestDatabase(name);
  }

  /** A JDBC connection to database {@code name} as the test role. */
  public static Connection connect(String name) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", ROLE);
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url(name), p);
  }

  static String url(String name) {
    return "jdbc:postgresql://" + server() + "/" + name;
  }

  private static void execute(String sql) {
    try (Connection c = connect("postgres");
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** One test database; {@link #close()} drops it. */
  public static final class TestDatabase implements AutoCloseable {
    private final String name;

    private TestDatabase(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    /** Where it is, as a daemon's config would say it (role {@code postgres}, no password). */
    public DatabaseSettings settings() {
      return new DatabaseSettings(PostgresServer.url(name), Optional.of(ROLE), Optional.empty());
    }

    public String url() {
      return PostgresServer.url(name);
    }

    /** A plain connection, for a test's own checks. */
    public Connection connect() throws SQLException {
      return PostgresServer.connect(name);
    }

    @Override
    public void close() {
      execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
