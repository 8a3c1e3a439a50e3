package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import java.sql.SQLException;
import java.util.function.Function;
import org.sqlite.SQLiteConfig;

/**
 * The fleetrun database opened for reading by one CLI command: one plain, read-only connection
 * ({@link CliConnection}). No pool, no Flyway, no jOOQ and no logging framework: together they
 * cost a short-lived CLI more than a second before its first query, while the reads it makes are
 * a handful of statements ({@link JdbcInvocationQueries}, {@link JdbcStatusQueries}).
 *
 * <p>Read-only also means a reader can never change the daemon's data by mistake. On SQLite, WAL
 * lets it read beside a writing daemon; the busy timeout covers the moments a checkpoint locks
 * the file. On PostgreSQL it is a plain driver connection (the driver class loads only for a
 * PostgreSQL URL) with the password read where the config says, marked read-only.
 */
public final class ReadOnlyDatabase implements ReadConnections, AutoCloseable {
  private final CliConnection connection;

  private ReadOnlyDatabase(CliConnection connection) {
    this.connection = connection;
  }

  /** As {@link #openExisting(DatabaseSettings)} for a SQLite file (or a database that needs no password). */
  public static ReadOnlyDatabase openExisting(String jdbcUrl) {
    return openExisting(DatabaseSettings.of(jdbcUrl));
  }

  /**
   * Opens a database that the daemon created and migrated to this build's schema.
   *
   * @throws IllegalStateException when the file does not exist, the server refuses the
   *     connection, the database cannot be read, or its schema lacks a migration of this build
   *     (the daemon of this version applies them when it starts)
   * @throws IllegalArgumentException when {@code database.password} cannot be read (the message
   *     names where it was looked for)
   */
  public static ReadOnlyDatabase openExisting(DatabaseSettings settings) {
    return openExisting(settings, System::getenv);
  }

  /** As {@link #openExisting(DatabaseSettings)}, with environment variables from {@code environment}. */
  static ReadOnlyDatabase openExisting(DatabaseSettings settings, Function<String, String> environment) {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setReadOnly(true);
    return new ReadOnlyDatabase(CliConnection.open(settings, environment, sqlite, true));
  }

  /** Where this database is (holds where its password is read from, never the password). */
  public DatabaseSettings settings() {
    return connection.settings();
  }

  @Override
  public String jdbcUrl() {
    return connection.jdbcUrl();
  }

  /** Runs {@code work} on the one connection; statements on it are read-only. */
  @Override
  public <T> T withConnection(Work<T> work) throws SQLException {
    return connection.withConnection(work);
  }

  @Override
  public void close() {
    connection.close();
  }
}
