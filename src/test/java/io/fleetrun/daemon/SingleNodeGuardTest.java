package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fleetrun.config.ConfigLoader;
import io.fleetrun.config.FleetConfig;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.JooqDaemonLease;
import io.fleetrun.store.LeaseHolder;
import io.fleetrun.store.UtcText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two daemons on one SQLite database: the second is refused unless the first is gone. */
class SingleNodeGuardTest {
  @TempDir Path dir;
  private FleetConfig config;
  private final List<Daemon> daemons = new ArrayList<>();

  @BeforeEach
  void writeConfig() throws Exception {
    Path file = dir.resolve("fleetrun.yaml");
    Files.writeString(file, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { knownHosts: %s }
        instances: [ { id: a, host: 127.0.0.1, port: 1 } ]
        commands: [ { id: c, content: "true" } ]
        """.formatted(dir.resolve("fleetrun.db"), dir.resolve("known_hosts")));
    config = ConfigLoader.load(file);
  }

  @AfterEach
  void stopDaemons() {
    daemons.forEach(Daemon::close);
  }

  @Test
  void aSecondDaemonIsRefusedNamingTheHolder() {
    Daemon first = start("first");

    Instant asked = Instant.now();
    assertThatThrownBy(() -> start("second"))
        .isInstanceOf(AnotherDaemonException.class)
        .hasMessageContaining("pid " + ProcessHandle.current().pid())
        .hasMessageContaining("on host ")
        .hasMessageContaining("started ")
        .hasMessageContaining("last heartbeat ");
    // A live holder renews every second: the refusal does not wait for the lease to go stale.
    assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(4));
    assertThat(holder()).map(LeaseHolder::pid).contains(ProcessHandle.current().pid());
    assertThat(first.invoker().runningRecords()).isZero();
  }

  @Test
  void aCleanStopReleasesTheDatabaseAtOnce() {
    start("first").close();

    Instant asked = Instant.now();
    start("second");

    assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void theLeaseOfAKilledDaemonIsTakenOverOnceStale() throws Exception {
    // What kill -9 leaves: a lease row nobody renews, last renewed 3 s ago.
    Instant lastBeat = Instant.now().minusSeconds(3);
    sql("INSERT INTO daemon_lease VALUES (1, 'dead-node', 4242, 'elsewhere', '%s', '%s')"
        .formatted(UtcText.format(lastBeat.minusSeconds(60)), UtcText.format(lastBeat)));

    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      SingleNodeGuard.acquire(new JooqDaemonLease(db), new DaemonInfo("new-node", 7, "here", "dev",
          "fleetrun.yaml", Instant.now()), Clock.systemUTC(), "test.db");
    }

    // Taken once silent for ALIVE_WITHIN (5 s), not before, and without waiting much longer.
    Duration silent = Duration.between(lastBeat, Instant.now());
    assertThat(silent).isGreaterThan(SingleNodeGuard.STALE_AFTER).isLessThan(Duration.ofSeconds(6));
    assertThat(holder()).map(LeaseHolder::nodeId).contains("new-node");
  }

  @Test
  void aDaemonStartsOnTheDatabaseOfAKilledOne() throws Exception {
    Instant lastBeat = Instant.now().minusSeconds(30);
    sql("INSERT INTO daemon_lease VALUES (1, 'dead-node', 4242, 'elsewhere', '%s', '%s')"
        .formatted(UtcText.format(lastBeat.minusSeconds(60)), UtcText.format(lastBeat)));

    start("second");

    assertThat(holder()).map(LeaseHolder::pid).contains(ProcessHandle.current().pid());
  }

  @Test
  void aDaemonWhoseLeaseWasTakenOverStopsScheduling() throws Exception {
    Daemon first = start("first");

    sql("UPDATE daemon_lease SET node_id = 'usurper', pid = 4242");

    await().atMost(Duration.ofSeconds(4)).until(first::leaseLost);
    try (Database db = Database.openExisting("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      JooqControlChannel control = new JooqControlChannel(db);
      long request = control.submit(new ControlRequest.Stop(new InvokeId("t-none"), Set.of()), Instant.now());
      Thread.sleep(600); // six request polls of a daemon that still took requests
      assertThat(control.findRequest(request).orElseThrow().answer()).isEmpty();
    }
  }

  private Daemon start(String name) {
    Daemon daemon = Daemon.start(config, Clock.systemUTC(),
        new Daemon.Settings(Duration.ofMillis(200), Duration.ofSeconds(2), "guard-" + name, Duration.ofMillis(100)));
    daemons.add(daemon);
    return daemon;
  }

  private java.util.Optional<LeaseHolder> holder() {
    try (Database db = Database.openExisting("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      return new JooqDaemonLease(db).holder();
    }
  }

  private void sql(String statement) throws Exception {
    Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db")).close(); // schema in place
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
        Statement s = c.createStatement()) {
      s.executeUpdate(statement);
    }
  }
}
