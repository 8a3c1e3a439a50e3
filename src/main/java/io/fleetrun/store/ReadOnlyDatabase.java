package io.fleetrun.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * The fleetrun database opened for reading by one CLI command: one plain, read-only SQLite
 * connection. No pool, no Flyway, no jOOQ and no logging framework: together they cost a
 * short-lived CLI more than a second before its first query, while the reads it makes are a
 * handful of statements ({@link JdbcInvocationQueries}, {@link JdbcStatusQueries}).
 *
 * <p>Read-only also means a reader can never change the daemon's data by mistake. WAL lets it
 * read beside a writing daemon; the busy timeout covers the moments a checkpoint locks the file.
 */
public final class ReadOnlyDatabase implements ReadConnections, AutoCloseable {
  /** As {@link Database#BUSY_TIMEOUT}; not read from there, so that class (and its logger) stays unloaded. */
  static final Duration BUSY_TIMEOUT = Duration.ofSeconds(10);

  private final String jdbcUrl;
  private final Connection connection;

  private ReadOnlyDatabase(String jdbcUrl, Connection connection) {
    this.jdbcUrl = jdbcUrl;
    this.connection = connection;
  }

  /**
   * Opens a database that the daemon created and migrated to this build's schema.
   *
   * @throws IllegalStateException when the file does not exist, cannot be read, or its schema
   *     lacks a migration of this build (the daemon of this version applies them when it starts)
   * @throws IllegalArgumentException when {@code jdbcUrl} is not a {@code jdbc:sqlite:} URL
   */
  public static ReadOnlyDatabase openExisting(String jdbcUrl) {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setReadOnly(true);
    return new ReadOnlyDatabase(jdbcUrl, connectExisting(jdbcUrl, sqlite));
  }

  /**
   * One connection to a database that the daemon created and migrated to this build's schema,
   * opened with {@code sqlite} (and this class's busy timeout); closed again when it fails the
   * check. The CLI's readers and its request writer ({@link CliRequests}) open theirs here.
   *
   * @throws IllegalStateException as {@link #openExisting}
   */
  static Connection connectExisting(String jdbcUrl, SQLiteConfig sqlite) {
    Optional<Path> file = SqliteUrl.file(jdbcUrl);
    if (file.isPresent() && !Files.isRegularFile(file.get())) {
      throw new IllegalStateException(
          "no fleetrun database at " + file.get() + "; start the daemon first, it creates it");
    }
    sqlite.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
    Connection connection;
    try {
      connection = sqlite.createConnection(jdbcUrl);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the database at " + jdbcUrl + ": " + e.getMessage(), e);
    }
    try {
      Optional<Integer> missing = SchemaVersion.missing(connection, jdbcUrl);
      if (missing.isPresent()) {
        throw new IllegalStateException(SchemaVersion.lacks(jdbcUrl, missing.get()));
      }
      return connection;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("cannot read the database at " + jdbcUrl + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** Runs {@code work} on the one connection; statements on it are read-only. */
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
      // Nothing was written; a failed close of a read-only connection loses nothing.
    }
  }
}
