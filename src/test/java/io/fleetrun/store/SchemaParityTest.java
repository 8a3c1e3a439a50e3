package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sql/sqlite} and {@code sql/postgresql} stay equal in meaning: after migrating a new
 * SQLite file and a new PostgreSQL database, both catalogues (as JDBC reads them, see {@link
 * SchemaCatalog}) have the same tables, columns in the same order, nullability, type families,
 * defaults, keys and indexes. A difference is fixed in {@code sql/postgresql}; the SQLite files
 * are never edited (existing databases hold their checksums).
 */
class SchemaParityTest {
  @TempDir static Path dir;
  private static PostgresServer.TestDatabase pg;
  private static SchemaCatalog sqlite;

  @BeforeAll
  static void migrateBoth() throws SQLException {
    PostgresServer.requireAvailable();
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      sqlite = db.withConnection(SchemaCatalog::read);
    }
    pg = PostgresServer.createDatabase("parity");
    Database.open(pg.settings()).close(); // migrates; the tests read through plain connections
  }

  @AfterAll
  static void drop() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void bothSchemasAreEqualInMeaning() throws SQLException {
    SchemaCatalog postgresql;
    try (Connection c = pg.connect()) {
      // run_event.tx orders the event stream's reads on PostgreSQL only (see its V17): SQLite
      // has one writer at a time and needs no such column.
      postgresql = SchemaCatalog.read(c).withoutColumn("run_event", "tx");
    }

    List<String> differences = SchemaCatalog.differences(sqlite, postgresql);

    assertThat(differences).as("sql/postgresql differs from sql/sqlite:%n  %s",
        String.join(System.lineSeparator() + "  ", differences)).isEmpty();
    // Not two empty catalogues: the read saw the tables, keys and indexes.
    assertThat(sqlite.tables()).containsKeys("invocation_record", "qrtz_triggers", "daemon_lease");
    SchemaCatalog.Table records = sqlite.tables().get("invocation_record");
    assertThat(records.columns()).hasSizeGreaterThan(15);
    assertThat(records.primaryKey()).containsExactly("record_id");
    assertThat(records.indexes()).contains("UNIQUE (invoke_id, instance_id, repeat_no)");
    assertThat(records.foreignKeys())
        .containsExactly("(invoke_id, instance_id) -> invocation_instance (invoke_id, instance_id)");
  }

  @Test
  void everyKindOfDifferenceIsReportedAtOnce() throws SQLException {
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false); // PostgreSQL's DDL is transactional: rolled back below
      try (Statement st = c.createStatement()) {
        st.execute("ALTER TABLE invocation ALTER COLUMN command_id DROP NOT NULL");
        st.execute("ALTER TABLE invocation ALTER COLUMN frequency TYPE BIGINT USING NULL");
        st.execute("ALTER TABLE invocation_instance ALTER COLUMN repeats SET DEFAULT 1");
        st.execute("ALTER TABLE daemon_lease ADD COLUMN extra TEXT");
        st.execute("CREATE INDEX invocation_extra ON invocation (stopped_at)");
        st.execute("DROP TABLE once_job");

        List<String> differences =
            SchemaCatalog.differences(sqlite, SchemaCatalog.read(c).withoutColumn("run_event", "tx"));

        assertThat(differences).containsExactlyInAnyOrder(
            "invocation.command_id: command_id TEXT NOT NULL but command_id TEXT NULL",
            "invocation.frequency: frequency TEXT NULL but frequency INTEGER NULL",
            "invocation: indexes [INDEX (created_at), INDEX (finished_at), INDEX (job_id, created_at),"
                + " INDEX (job_id, status), INDEX (status, created_at), UNIQUE (job_id)] but"
                + " [INDEX (created_at), INDEX (finished_at), INDEX (job_id, created_at),"
                + " INDEX (job_id, status), INDEX (status, created_at), INDEX (stopped_at), UNIQUE (job_id)]",
            "invocation_instance.repeats: repeats INTEGER NOT NULL DEFAULT 0"
                + " but repeats INTEGER NOT NULL DEFAULT 1",
            "daemon_lease: columns [lease_id, node_id, pid, host, started_at, beat_at]"
                + " but [lease_id, node_id, pid, host, started_at, beat_at, extra]",
            "table once_job: missing in the second schema");
      } finally {
        c.rollback();
      }
    }
  }
}
