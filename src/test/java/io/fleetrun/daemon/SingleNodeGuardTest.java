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
import java.sql.ResultSet;
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
    // A live holder renews every second: the refusal comes from seeing a renewal, not from the
    // end of the wait for staleness (STALE_AFTER and more); typically ~1 s, bounded loosely.
    assertThat(Duration.between(asked, Instant.now())).isLessThan(SingleNodeGuard.STALE_AFTER);
    assertThat(holder()).map(LeaseHolder::pid).contains(ProcessHandle.current().pid());
    assertThat(first.invoker().runningRecords()).isZero();
  }

  @Test
  void aCleanStopReleasesTheDatabaseAtOnce() {
    Instant firstAsked = Instant.now();
    start("first").close();
    Duration firstStart = Duration.between(firstAsked, Instant.now());
    assertThat(holder()).isEmpty();

    Instant asked = Instant.now();
    start("second");

    // Without the release the second start would wait >= 4 s for the lease (beaten <= 1 s before
    // the stop) to go stale. Compared with the first start and stop in the same run (which also
    // creates the schema), so a loaded machine slows both alike.
    assertThat(Duration.between(asked, Instant.now()))
        .isLessThan(firstStart.plus(Duration.ofSeconds(3)));
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

    // Taken once silent for ALIVE_WITHIN (5 s), not before, and without waiting out a second
    // stale period (typically ~5.2 s; the upper bound leaves a loaded machine 5 s).
    Duration silent = Duration.between(lastBeat, Instant.now());
    assertThat(silent).isGreaterThan(SingleNodeGuard.STALE_AFTER)
        .isLessThan(SingleNodeGuard.STALE_AFTER.multipliedBy(2));
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
  void afterATakeoverOnlyTheNewHolderSchedulesAndTakesRequests() throws Exception {
    Daemon first = start("first", withTickingJob("tick-first"));
    await().atMost(Duration.ofSeconds(20)).until(() -> records("tick-first") >= 1);

    // What a daemon that hung for longer than STALE_AFTER finds when it wakes up: another node
    // took the lease over (left stale here, so the next daemon below takes it at once).
    sql("UPDATE daemon_lease SET node_id = 'usurper', pid = 4242, beat_at = '%s'"
        .formatted(UtcText.format(Instant.now().minusSeconds(60))));
    await().atMost(Duration.ofSeconds(10)).until(first::leaseLost);

    long request;
    try (Database db = Database.openExisting("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      JooqControlChannel control = new JooqControlChannel(db);
      Instant submitted = Instant.now();
      request = control.submit(new ControlRequest.Stop(new InvokeId("t-none"), Set.of()), submitted);
      // The first daemon is alive all along (its heartbeat row, written every second, moves on
      // twice), so its request poll (every 100 ms) had ten chances to take the request...
      await().atMost(Duration.ofSeconds(10))
          .until(() -> lastBeat().isAfter(submitted.plusSeconds(1)));
      assertThat(control.findRequest(request).orElseThrow().answer()).isEmpty();
    }
    // ...and its job, firing every second before, fires no more: counted after the same window,
    // so a fire that was already under way when the lease was lost is in the count.
    long firstAfterLoss = records("tick-first");

    start("second", withTickingJob("tick-second"));

    // The new holder schedules (three fires: two seconds and more in which the first daemon's job
    // would have fired too) and answers the request the first left alone.
    await().atMost(Duration.ofSeconds(20)).until(() -> records("tick-second") >= 3);
    try (Database db = Database.openExisting("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      await().atMost(Duration.ofSeconds(10)).until(() ->
          new JooqControlChannel(db).findRequest(request).orElseThrow().answer().isPresent());
    }
    assertThat(records("tick-first")).isEqualTo(firstAfterLoss);
  }

  /** A config whose periodic job {@code jobId} fires every second (on a port that refuses). */
  private FleetConfig withTickingJob(String jobId) throws Exception {
    Path file = dir.resolve(jobId + ".yaml");
    Files.writeString(file, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { knownHosts: %s }
        instances: [ { id: a, host: 127.0.0.1, port: 1 } ]
        commands: [ { id: c, content: "true" } ]
        jobs:
          - { id: %s, command: c, targets: { instances: [a] }, repeat: Period, frequency: "rate(1s)" }
        """.formatted(dir.resolve("fleetrun.db"), dir.resolve("known_hosts"), jobId));
    return ConfigLoader.load(file);
  }

  /** How many records the invocations of {@code jobId} have. */
  private long records(String jobId) throws Exception {
    return Long.parseLong(query("SELECT count(*) FROM invocation_record r JOIN invocation i "
        + "USING (invoke_id) WHERE i.job_id = '" + jobId + "'"));
  }

  private Instant lastBeat() throws Exception {
    return Instant.parse(query("SELECT max(beat_at) FROM daemon_heartbeat"));
  }

  private Daemon start(String name) {
    return start(name, config);
  }

  private Daemon start(String name, FleetConfig config) {
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

  private String query(String select) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(select)) {
      rows.next();
      return rows.getString(1);
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
