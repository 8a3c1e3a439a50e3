package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.logging.Level;
import org.sqlite.SQLiteConfig;

/**
 * One plain connection of one CLI command to a database the daemon created, checked for this
 * build's schema: under {@link ReadOnlyDatabase} (the readers) and {@link CliRequests} (the
 * request writer). Every read runs on it ({@link ReadConnections}); closing it loses nothing (a
 * reader wrote nothing, the writer committed or rolled back).
 */
final class CliConnection implements ReadConnections, AutoCloseable {
  /** As {@link Database#BUSY_TIMEOUT}; not read from there, so that class (and its logger) stays unloaded. */
  static final Duration BUSY_TIMEOUT = Duration.ofSeconds(10);

  /** How long the CLI waits for a PostgreSQL server to accept its connection. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final DatabaseSettings settings;
  private final Connection connection;

  private CliConnection(DatabaseSettings settings, Connection connection) {
    this.settings = settings;
    this.connection = connection;
  }

  /**
   * One connection to a database that the daemon created and migrated to this build's schema;
   * closed again when it fails the check. On SQLite it opens with {@code sqlite} (and this class's
   * busy timeout); on PostgreSQL {@code readOnly} marks the connection read-only, and transactions
   * are the server's ordinary ones.
   *
   * @throws IllegalStateException when the file does not exist, the server refuses the
   *     connection, the database cannot be read, or its schema lacks a migration of this build
   *     (the daemon of this version applies them when it starts)
   * @throws IllegalArgumentException when {@code database.password} cannot be read (the message
   *     names where it was looked for)
   */
  static CliConnection open(DatabaseSettings settings, Function<String, String> environment,
      SQLiteConfig sqlite, boolean readOnly) {
    String named = DatabaseSettings.redacted(settings.url());
    Connection connection;
    try {
      if (settings.isPostgresql()) {
        connection = connectPostgresql(settings, environment, readOnly);
      } else {
        Optional<Path> file = SqliteUrl.file(settings.url());
        if (file.isPresent() && !Files.isRegularFile(file.get())) {
          throw new IllegalStateException(
              "no fleetrun database at " + file.get() + "; start the daemon first, it creates it");
        }
        sqlite.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
        connection = sqlite.createConnection(settings.url());
      }
    } catch (SQLException e) {
      // The driver's message may name the whole URL ("No suitable driver found for ..."), query too.
      throw new IllegalStateException("cannot open the database at " + named + ": "
          + PostgresqlDriverLog.redact(e.getMessage()), e);
    }
    try {
      Optional<Integer> missing = SchemaVersion.missing(connection, settings.url());
      if (missing.isPresent()) {
        throw new IllegalStateException(SchemaVersion.lacks(settings.url(), missing.get()));
      }
      return new CliConnection(settings, connection);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("cannot read the database at " + named + ": "
          + PostgresqlDriverLog.redact(e.getMessage()), e);
    }
  }

  /**
   * A plain driver connection to a PostgreSQL database, as the role the config names with the
   * password read now from where it names (environment or private file, {@link
   * PostgresqlSource}); the password goes only to the driver, and a failure names where it was
   * looked for.
   */
  private static Connection connectPostgresql(DatabaseSettings settings, Function<String, String> environment,
      boolean readOnly) throws SQLException {
    // The driver's warnings (java.util.logging) as one line on stderr, their URLs cut before the
    // query, in place of JUL's two-line console output; a daemon's route to its log wins.
    PostgresqlDriverLog.routeUnlessRouted(
        (level, name, line) -> System.err.println(level + " " + name + " - " + line), Level.WARNING);
    Properties options = new Properties();
    options.setProperty("ApplicationName", "fleetrun-cli");
    options.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()));
    // A dead server or a cut network must not hang the CLI on a socket read.
    options.setProperty("tcpKeepAlive", "true");
    // The driver's default applies setReadOnly only to transactions it begins, not to
    // autocommit statements, which are all the CLI's reads: "always" makes the session read-only.
    options.setProperty("readOnlyMode", "always");
    Connection connection;
    try {
      connection = new PostgresqlSource(settings, environment, options).getConnection();
    } catch (PostgresqlSource.PasswordUnavailableException e) {
      throw new IllegalArgumentException("cannot read database.password for the database at "
          + DatabaseSettings.redacted(settings.url()) + ": " + e.getMessage(), e);
    }
    try {
      connection.setReadOnly(readOnly);
      return connection;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  /** Where this database is (holds where its password is read from, never the password). */
  DatabaseSettings settings() {
    return settings;
  }

  /** The connection itself, for a writer's own transactions. */
  Connection connection() {
    return connection;
  }

  @Override
  public String jdbcUrl() {
    return settings.url();
  }

  /** Runs {@code work} on the one connection. */
  @Override
  public <T> T withConnection(Work<T> work) throws SQLException {
    return work.on(connection);
  }

  @Override
  public void close() {
    closeQuietly(connection);
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // Nothing is lost: a reader wrote nothing, and every write was committed or rolled back.
    }
  }
}
