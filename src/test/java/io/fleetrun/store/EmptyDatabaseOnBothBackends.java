package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The set-up of a store test class that runs on both backends ({@link StoreBackend}): before
 * each test, {@link #settings} names an empty, migrated database ({@link StoreDatabases}: a new
 * SQLite file, or the class's PostgreSQL database emptied), which the test opens as it needs
 * (or {@link StoreOnBothBackends} opens for it). A subclass's own {@code @BeforeEach} runs after
 * this one's.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
abstract class EmptyDatabaseOnBothBackends {
  /** The running class's databases (test classes run one after another). */
  private static StoreDatabases databases;

  @Parameter StoreBackend backend;
  @TempDir Path dir;
  DatabaseSettings settings;

  @BeforeParameterizedClassInvocation
  static void createDatabases(StoreBackend backend) {
    databases = new StoreDatabases(backend);
  }

  @AfterParameterizedClassInvocation
  static void dropDatabases() {
    databases.close();
  }

  @BeforeEach
  void emptyDatabase() {
    settings = databases.empty(dir);
  }
}
