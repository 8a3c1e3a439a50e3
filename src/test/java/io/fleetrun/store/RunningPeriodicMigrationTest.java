package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Version 14 adds one Running periodic invocation per job (a unique partial index). A SQLite file
 * of an earlier version may hold two of one job (two fires at once, each finding none): the
 * migration ends the older ones Stopped, with their Running instances, and the file opens.
 */
class RunningPeriodicMigrationTest {
  @TempDir Path dir;

  @Test
  void anOldFileWithTwoRunningPeriodicInvocationsOfOneJobKeepsTheNewest() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("old.db");
    Flyway.configure().dataSource(url, null, null)
        .locations("classpath:" + Database.SQLITE_MIGRATIONS).target("13").load().migrate();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      for (String[] inv : new String[][] {
          {"t-old", "tick", "2026-12-01T10:00:00.000Z"}, {"t-new", "tick", "2026-12-01T11:00:00.000Z"},
          {"t-alone", "tock", "2026-12-01T09:00:00.000Z"}}) {
        s.executeUpdate("INSERT INTO invocation (invoke_id, job_id, command_id, command_content, parameters,"
            + " repeat_mode, frequency, status, created_at) VALUES ('" + inv[0] + "', '" + inv[1]
            + "', 'df', 'df -h', '{}', 'Period', 'rate(30s)', 'Running', '" + inv[2] + "')");
        s.executeUpdate("INSERT INTO invocation_instance (invoke_id, instance_id, instance_no, status, repeats)"
            + " VALUES ('" + inv[0] + "', 'web', 0, 'Running', 1)");
      }
      s.executeUpdate("INSERT INTO invocation (invoke_id, job_id, command_id, command_content, parameters,"
          + " repeat_mode, status, created_at) VALUES ('t-once', 'tick', 'df', 'df -h', '{}', 'Once',"
          + " 'Running', '2026-12-01T12:00:00.000Z')");
    }

    try (Database db = Database.open(url)) {
      assertThat(rows(db, "SELECT invoke_id || ' ' || status || ' ' || coalesce(stopped_at, '-')"
          + " FROM invocation ORDER BY invoke_id")).containsExactly(
          "t-alone Running -",
          "t-new Running -",
          "t-old Stopped 2026-12-01T11:00:00.000Z",
          "t-once Running -");
      assertThat(rows(db, "SELECT invoke_id || ' ' || status || ' ' || stopped || ' ' || coalesce(stopped_at, '-')"
          + " FROM invocation_instance ORDER BY invoke_id")).containsExactly(
          "t-alone Running 0 -",
          "t-new Running 0 -",
          "t-old Stopped 1 2026-12-01T11:00:00.000Z");
    }
  }

  private static List<String> rows(Database db, String sql) {
    List<String> out = new ArrayList<>();
    db.dsl().fetch(sql).forEach(r -> out.add(String.valueOf(r.get(0))));
    return out;
  }
}
