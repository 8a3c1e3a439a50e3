package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.testing.PostgresServer;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Empty, migrated databases for a store test class that runs on both backends ({@link
 * StoreBackend}): a new SQLite file per test, and on PostgreSQL one database per run of the
 * class, emptied before each test. Creating and migrating a PostgreSQL database costs a second
 * or more on a loaded machine; emptying it (TRUNCATE, identities restarted) a few milliseconds,
 * and each test still starts from nothing.
 *
 * <p>Test classes get them by extending {@link EmptyDatabaseOnBothBackends} (the settings of an
 * empty database per test) or {@link StoreOnBothBackends} (that database opened).
 */
final class StoreDatabases implements AutoCloseable {
  private final StoreBackend backend;
  private PostgresServer.TestDatabase postgres;

  StoreDatabases(StoreBackend backend) {
    this.backend = backend;
  }

  StoreBackend backend() {
    return backend;
  }

  /**
   * Where an empty, migrated database is: a new SQLite file in {@code dir}, or the class's
   * PostgreSQL database with every table emptied (close the pools of the test before: TRUNCATE
   * waits for their locks).
   */
  DatabaseSettings empty(Path dir) {
    if (backend == StoreBackend.SQLITE) {
      return DatabaseSettings.of("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
    }
    if (postgres == null) {
      PostgresServer.requireAvailable();
      postgres = PostgresServer.createDatabase("store");
      Database.open(postgres.settings()).close();
    } else {
      truncate();
    }
    return postgres.settings();
  }

  /** A plain connection to the database {@code settings} names, as another process would open. */
  static Connection connect(DatabaseSettings settings) throws SQLException {
    return settings.isPostgresql()
        ? DriverManager.getConnection(settings.url(), settings.user().orElseThrow(), "")
        : DriverManager.getConnection(settings.url());
  }

  private void truncate() {
    try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT tablename FROM pg_tables"
          + " WHERE schemaname = current_schema() AND tablename <> 'flyway_schema_history'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      st.execute("TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY");
      // The rows migration V13 writes, as a freshly migrated database has them.
      st.execute("INSERT INTO qrtz_locks (sched_name, lock_name)"
          + " VALUES ('fleetrun', 'STATE_ACCESS'), ('fleetrun', 'TRIGGER_ACCESS')");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot empty " + postgres.name() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }
}
