package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.testing.SqlReader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's plain-JDBC request writer: each request is exactly one row (its INSERT ... RETURNING
 * runs through executeQuery, which some SQLite drivers step twice), and its id is that row's.
 */
class CliRequestsTest {
  @TempDir Path dir;

  @Test
  void eachSubmitWritesOneRowAndReturnsItsId() throws Exception {
    Path file = dir.resolve("fleetrun.db");
    String url = "jdbc:sqlite:" + file;
    try (Database db = Database.open(url)) {
      db.dsl().fetchValue("SELECT 1");
    }
    try (CliRequests requests = CliRequests.openExisting(url)) {
      ControlRequest stop = new ControlRequest.Stop(new InvokeId("inv-1"), Set.of(new InstanceId("web-1")));
      long first = requests.submit(stop, Instant.parse("2026-12-01T00:00:00Z"));
      long second = requests.submit(stop, Instant.parse("2026-12-01T00:00:01Z"));

      assertThat(SqlReader.firstColumn(file, "SELECT request_id FROM control_request ORDER BY request_id"))
          .containsExactly(String.valueOf(first), String.valueOf(second));
    }
  }
}
