package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.SecretRef;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CLI's plain-JDBC request writer, on SQLite and on PostgreSQL: each request is exactly one
 * row (its INSERT ... RETURNING runs through executeQuery, which some SQLite drivers step twice),
 * and its id is that row's; a withdrawal is one transaction.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
class CliRequestsTest {
  private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");
  private static final ControlRequest STOP =
      new ControlRequest.Stop(new InvokeId("inv-1"), Set.of(new InstanceId("web-1")));

  @Parameter StoreBackend backend;
  @TempDir Path dir;
  private StoreBackend.Place place;

  @BeforeEach
  void migrate() {
    place = backend.newPlace(dir);
    try (Database db = Database.open(place.settings())) {
      db.dsl().fetchValue("SELECT 1");
    }
  }

  @AfterEach
  void drop() {
    place.close();
  }

  @Test
  void eachSubmitWritesOneRowAndReturnsItsId() throws Exception {
    try (CliRequests requests = CliRequests.openExisting(place.settings())) {
      long first = requests.submit(STOP, T);
      long second = requests.submit(STOP, T.plusSeconds(1));

      assertThat(firstColumn("SELECT request_id FROM control_request ORDER BY request_id"))
          .containsExactly(String.valueOf(first), String.valueOf(second));
      assertThat(requests.findRequest(first)).map(RequestState::answer).contains(Optional.empty());
    }
  }

  @Test
  void aRequestNotTakenIsWithdrawnAndATakenOneIsNot() throws Exception {
    try (CliRequests requests = CliRequests.openExisting(place.settings())) {
      long untaken = requests.submit(STOP, T);
      long taken = requests.submit(STOP, T);
      execute("UPDATE control_request SET claimed_at = '" + JdbcRows.text(T.plusSeconds(1))
          + "' WHERE request_id = " + taken);

      assertThat(requests.withdraw(untaken, T.plusSeconds(2))).isInstanceOf(Withdrawal.Withdrawn.class);
      assertThat(requests.withdraw(untaken, T.plusSeconds(3))).as("again").isInstanceOf(Withdrawal.Withdrawn.class);
      assertThat(requests.withdraw(taken, T.plusSeconds(2))).isEqualTo(new Withdrawal.Taken(T.plusSeconds(1)));
      assertThat(firstColumn("SELECT withdrawn_at FROM control_request ORDER BY request_id"))
          .containsExactly(JdbcRows.text(T.plusSeconds(2)), null);
      // Autocommit again after the withdrawal's transaction: the next submit is seen at once.
      long next = requests.submit(STOP, T.plusSeconds(4));
      assertThat(firstColumn("SELECT count(*) FROM control_request WHERE request_id = " + next)).containsExactly("1");
    }
  }

  @Test
  void aPasswordThatCannotBeReadIsNamedByWhereItWasLookedFor() {
    DatabaseSettings settings = new DatabaseSettings(place.url(), Optional.of("postgres"),
        Optional.of(new SecretRef.Env("FLEETRUN_TEST_NO_SUCH_PASSWORD")));
    if (backend == StoreBackend.SQLITE) {
      // A SQLite file has no password: none is read.
      try (CliRequests requests = CliRequests.openExisting(settings, Map.<String, String>of()::get)) {
        assertThat(requests.settings()).isEqualTo(settings);
      }
      return;
    }
    assertThatThrownBy(() -> CliRequests.openExisting(settings, Map.<String, String>of()::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot read database.password for the database at " + place.url()
            + ": environment variable FLEETRUN_TEST_NO_SUCH_PASSWORD is not set");
  }

  private Connection connect() throws SQLException {
    return place.postgres().isPresent() ? place.postgres().get().connect() : DriverManager.getConnection(place.url());
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private List<String> firstColumn(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
      return rows;
    }
  }
}
