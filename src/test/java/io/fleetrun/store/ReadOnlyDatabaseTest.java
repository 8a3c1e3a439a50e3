package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's way into the database: read-only, no Flyway, with a cheap check of the schema. */
class ReadOnlyDatabaseTest {
  @TempDir Path dir;

  @Test
  void needsAnExistingFileAndCreatesNone() {
    Path file = dir.resolve("missing/fleetrun.db");
    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting("jdbc:sqlite:" + file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no fleetrun database at " + file + "; start the daemon first, it creates it");
    assertThat(file.getParent()).doesNotExist();
  }

  @Test
  void refusesAFileWithoutTheFleetrunSchema() throws SQLException {
    Path other = dir.resolve("other.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE unrelated (x INTEGER)");
    }
    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting("jdbc:sqlite:" + other))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no fleetrun schema version")
        .hasMessageContaining("start the daemon of this version first");
  }

  @Test
  void refusesADatabaseThatLacksAMigrationOfThisBuild() throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("fleetrun.db");
    Database.open(url).close();
    int newest = SchemaVersion.inJar(Database.SQLITE_MIGRATIONS).last();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("DELETE FROM flyway_schema_history WHERE version = '" + newest + "'");
    }

    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting(url))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the database at " + url + " lacks schema version " + newest
            + "; start the daemon of this version first, it migrates the schema");
    assertThatThrownBy(() -> Database.openExisting(url))
        .as("the pooled CLI path makes the same check")
        .hasMessageContaining("lacks schema version " + newest);
  }

  @Test
  void readsBesideTheDaemonAndCannotWrite() throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("fleetrun.db");
    try (Database daemon = Database.open(url);
        ReadOnlyDatabase cli = ReadOnlyDatabase.openExisting(url)) {
      assertThat(new JdbcStatusQueries(cli).pendingRequests()).isZero();
      cli.withConnection(c -> {
        try (Statement s = c.createStatement()) {
          assertThatThrownBy(() -> s.execute("DELETE FROM invocation"))
              .isInstanceOf(SQLException.class).hasMessageContaining("readonly");
        }
        return null;
      });
    }
  }

  @Test
  void knowsTheMigrationsThisBuildCarries() {
    assertThat(SchemaVersion.inJar(Database.SQLITE_MIGRATIONS)).contains(1, 8).first().isEqualTo(1);
  }
}
