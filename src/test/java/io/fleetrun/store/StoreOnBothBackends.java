package io.fleetrun.store;

import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The set-up of a store test class that runs on both backends ({@link StoreBackend}): each test
 * gets an empty, migrated database ({@link StoreDatabases}: a new SQLite file, or the class's
 * PostgreSQL database emptied) opened by the daemon's {@link Database}, with the invocation store
 * and the plain-JDBC reads over it. A subclass's own {@code @BeforeEach} runs after this one's,
 * with {@link #db} open.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
abstract class StoreOnBothBackends {
  /** The running class's databases (test classes run one after another). */
  private static StoreDatabases databases;

  @Parameter StoreBackend backend;
  @TempDir Path dir;
  Database db;
  JooqInvocationStore store;
  JdbcInvocationQueries queries;

  @BeforeParameterizedClassInvocation
  static void createDatabases(StoreBackend backend) {
    databases = new StoreDatabases(backend);
  }

  @AfterParameterizedClassInvocation
  static void dropDatabases() {
    databases.close();
  }

  @BeforeEach
  void openDatabase() {
    db = Database.open(databases.empty(dir));
    store = new JooqInvocationStore(db, new StatusCalculator());
    queries = new JdbcInvocationQueries(db);
  }

  @AfterEach
  void closeDatabase() {
    db.close();
  }
}
