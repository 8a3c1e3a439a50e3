package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.SecretRef;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CLI's way into the database, on SQLite and on PostgreSQL: read-only, no Flyway, with a
 * cheap check of the schema.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
class ReadOnlyDatabaseTest {
  @Parameter StoreBackend backend;
  @TempDir Path dir;
  private StoreBackend.Place place;

  @BeforeEach
  void place() {
    place = backend.newPlace(dir);
  }

  @AfterEach
  void drop() {
    place.close();
  }

  @Test
  void needsAnExistingDatabaseAndCreatesNone() {
    if (backend == StoreBackend.POSTGRESQL) {
      String missing = place.url() + "_missing";
      assertThatThrownBy(() -> ReadOnlyDatabase.openExisting(missing))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("cannot open the database at " + missing + ": ")
          .hasMessageContaining("does not exist");
      return;
    }
    Path file = dir.resolve("missing/fleetrun.db");
    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting("jdbc:sqlite:" + file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no fleetrun database at " + file + "; start the daemon first, it creates it");
    assertThat(file.getParent()).doesNotExist();
  }

  @Test
  void refusesADatabaseWithoutTheFleetrunSchema() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE unrelated (x INTEGER)");
    }
    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting(place.settings()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no fleetrun schema version")
        .hasMessageContaining("start the daemon of this version first");
  }

  @Test
  void refusesADatabaseThatLacksAMigrationOfThisBuild() throws SQLException {
    Database.open(place.settings()).close();
    int newest = SchemaVersion.inJar(backend == StoreBackend.POSTGRESQL
        ? Database.POSTGRESQL_MIGRATIONS : Database.SQLITE_MIGRATIONS).last();
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM flyway_schema_history WHERE version = '" + newest + "'");
    }

    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting(place.settings()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the database at " + place.url() + " lacks schema version " + newest
            + "; start the daemon of this version first, it migrates the schema");
    assertThatThrownBy(() -> Database.openExisting(place.settings()))
        .as("the pooled CLI path makes the same check")
        .hasMessageContaining("lacks schema version " + newest);
  }

  @Test
  void readsBesideTheDaemonAndCannotWrite() throws SQLException {
    try (Database daemon = Database.open(place.settings());
        ReadOnlyDatabase cli = ReadOnlyDatabase.openExisting(place.settings())) {
      assertThat(new JdbcStatusQueries(cli).pendingRequests()).isZero();
      cli.withConnection(c -> {
        try (Statement s = c.createStatement()) {
          assertThatThrownBy(() -> s.execute("DELETE FROM invocation"))
              .isInstanceOf(SQLException.class).hasMessageMatching("(?s).*read-?only.*");
        }
        return null;
      });
    }
  }

  @Test
  void aPasswordThatCannotBeReadIsNamedByWhereItWasLookedForNeverShown() throws Exception {
    Database.open(place.settings()).close();
    Path file = dir.resolve("db-password");
    Files.writeString(file, "s3cr3t-pw\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    DatabaseSettings inOpenFile = new DatabaseSettings(place.url(), Optional.of("postgres"),
        Optional.of(new SecretRef.File(file)));
    DatabaseSettings inUnsetVariable = new DatabaseSettings(place.url(), Optional.of("postgres"),
        Optional.of(new SecretRef.Env("FLEETRUN_TEST_DB_PASSWORD")));
    if (backend == StoreBackend.SQLITE) {
      // A SQLite file has no password: none is read, whatever the config says.
      ReadOnlyDatabase.openExisting(inOpenFile, Map.<String, String>of()::get).close();
      return;
    }

    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting(inUnsetVariable, Map.<String, String>of()::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot read database.password for the database at " + place.url()
            + ": environment variable FLEETRUN_TEST_DB_PASSWORD is not set");
    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting(inOpenFile, Map.<String, String>of()::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot read database.password for the database at " + place.url() + ": ")
        .hasMessageContaining(file.toString())
        .message().doesNotContain("s3cr3t");

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    try (ReadOnlyDatabase readable = ReadOnlyDatabase.openExisting(inOpenFile, Map.<String, String>of()::get)) {
      assertThat(new JdbcStatusQueries(readable).pendingRequests()).as("read from the private file").isZero();
    }
  }

  @Test
  void knowsTheMigrationsThisBuildCarries() {
    assertThat(SchemaVersion.inJar(Database.SQLITE_MIGRATIONS)).contains(1, 8).first().isEqualTo(1);
    assertThat(SchemaVersion.inJar(Database.POSTGRESQL_MIGRATIONS))
        .isEqualTo(SchemaVersion.inJar(Database.SQLITE_MIGRATIONS));
  }

  private Connection connect() throws SQLException {
    return place.postgres().isPresent() ? place.postgres().get().connect() : DriverManager.getConnection(place.url());
  }
}
