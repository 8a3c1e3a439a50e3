package io.fleetrun.testing;

import io.fleetrun.store.Database;
import io.fleetrun.store.DatabaseClock;
import java.time.Duration;

/**
 * A new PostgreSQL test database opened by the daemon's {@link Database} (so migrated): the
 * fixture of the tests that need PostgreSQL alone (cluster nodes). {@link #close()} closes the
 * pools, then drops the database.
 *
 * <pre>
 * {@literal @}BeforeEach void open() { pg = MigratedPostgres.open("nodes"); db = pg.db(); }
 * {@literal @}AfterEach void close() { if (pg != null) pg.close(); }
 * </pre>
 */
public final class MigratedPostgres implements AutoCloseable {
  private final PostgresServer.TestDatabase database;
  private final Database db;

  private MigratedPostgres(PostgresServer.TestDatabase database, Database db) {
    this.database = database;
    this.db = db;
  }

  /** Skips (outside CI) or fails (under CI) when no server answers; see {@link PostgresServer}. */
  public static MigratedPostgres open(String purpose) {
    PostgresServer.requireAvailable();
    PostgresServer.TestDatabase database = PostgresServer.createDatabase(purpose);
    try {
      return new MigratedPostgres(database, Database.open(database.settings()));
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  public Database db() {
    return db;
  }

  public PostgresServer.TestDatabase database() {
    return database;
  }

  /** Makes node {@code nodeId}'s last beat {@code age} old by the database's clock. */
  public void setBeatAgo(String nodeId, Duration age) {
    db.dsl().execute("UPDATE daemon_node SET beat_at = " + DatabaseClock.agoText(age) + " WHERE node_id = ?", nodeId);
  }

  @Override
  public void close() {
    try {
      db.close();
    } finally {
      database.close();
    }
  }
}
