package io.fleetrun.store;

import io.fleetrun.status.StatusCalculator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A store test class on both backends ({@link EmptyDatabaseOnBothBackends}) whose tests all
 * work on one database, opened before each test by the daemon's {@link Database}, with the
 * invocation store and the plain-JDBC reads over it. A subclass's own {@code @BeforeEach} runs
 * after this one's, with {@link #db} open.
 */
abstract class StoreOnBothBackends extends EmptyDatabaseOnBothBackends {
  Database db;
  JooqInvocationStore store;
  JdbcInvocationQueries queries;

  @BeforeEach
  void openDatabase() {
    db = Database.open(settings);
    store = new JooqInvocationStore(db, new StatusCalculator());
    queries = new JdbcInvocationQueries(db);
  }

  @AfterEach
  void closeDatabase() {
    db.close();
  }
}
