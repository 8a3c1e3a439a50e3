package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.cli.StatusProbe;
import io.fleetrun.store.Database;
import io.fleetrun.testing.FleetrunProcess;
import io.fleetrun.testing.OpenSshTargets;
import io.fleetrun.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons as two processes on one fresh PostgreSQL database, with the same config file
 * content (each in its own folder, so each makes up its own node id): one Quartz cluster. A
 * rate(1s) job on three real OpenSSH targets runs for ~8 s; every fire and instance must have
 * exactly one record, written by a node that says so, and both nodes must be registered and
 * beating.
 *
 * <p>The cases run one after another, though they share no state (each its own folder, database,
 * targets, daemon processes and remote script): run at once on a loaded 2-core machine, the
 * daemons' start-ups starve each other past the 60 s bounds, and the failover cases' 30 s target
 * would be measured on a starved survivor.
 */
class ClusterIT {
  private static final Duration RUN_FOR = Duration.ofSeconds(8);

  @TempDir Path dir;
  private PostgresServer.TestDatabase database;
  private OpenSshTargets targets;
  private final List<Process> daemons = new ArrayList<>();

  @BeforeEach
  void setUp() {
    PostgresServer.requireAvailable();
    OpenSshTargets.requireAvailable();
    database = PostgresServer.createDatabase("cluster");
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    for (Process daemon : daemons) {
      daemon.destroy();
    }
    for (Process daemon : daemons) {
      if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
    if (targets != null) {
      targets.close();
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  void twoDaemonsOnOnePostgresqlFireEachTimeOnceAndEachRecordNamesItsNode() throws Exception {
    targets = OpenSshTargets.start(Files.createDirectories(dir.resolve("farm")), 3);
    String config = """
        database: { url: "%s", user: postgres }
        ssh: { user: %s, identityFile: %s, knownHosts: %s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
          - { id: b, host: 127.0.0.1, port: %d }
          - { id: c, host: 127.0.0.1, port: %d }
        commands:
          - { id: tick, content: "echo cluster-tick" }
        jobs:
          - { id: tick, command: tick, targets: { instances: [a, b, c] }, repeat: Period, frequency: "rate(1s)", overlap: skip }
        """.formatted(database.url(), targets.user(), targets.clientKey(), targets.knownHosts(),
        targets.ports().get(0), targets.ports().get(1), targets.ports().get(2));
    List<Path> configs = new ArrayList<>();
    for (String node : List.of("n1", "n2")) {
      Path file = Files.createDirectories(dir.resolve(node)).resolve("fleetrun.yaml");
      Files.writeString(file, config);
      configs.add(file);
      daemons.add(FleetrunProcess.command("daemon", "--config", file.toString())
          .redirectOutput(dir.resolve(node + ".log").toFile()).start());
    }

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> query("SELECT count(*) FROM daemon_node WHERE stopped_at IS NULL").equals(List.of("2"))
            && !query("SELECT count(*) FROM invocation_record").equals(List.of("0")));
    Thread.sleep(RUN_FOR.toMillis());
    for (Process daemon : daemons) {
      assertThat(daemon.isAlive()).as("daemon alive; log: %s", logs()).isTrue();
    }

    List<String> nodeIds = new ArrayList<>();
    for (Path file : configs) {
      nodeIds.add(Files.readString(file.resolveSibling("data/node-id")).trim());
    }
    assertThat(nodeIds).doesNotHaveDuplicates();
    // One record per fire time and instance, whatever invocation it is in: a second node's fire,
    // or a second periodic invocation of the job, would show here.
    assertThat(query("SELECT scheduled_at || ' ' || instance_id || ' x' || count(*) FROM invocation_record"
        + " GROUP BY scheduled_at, instance_id HAVING count(*) > 1")).isEmpty();
    assertThat(query("SELECT count(*) FROM invocation WHERE job_id = 'tick'")).containsExactly("1");
    assertThat(query("SELECT count(*) FROM invocation_record WHERE node_id IS NULL")).containsExactly("0");
    assertThat(query("SELECT DISTINCT node_id FROM invocation_record")).isNotEmpty().isSubsetOf(nodeIds);
    // Every fire reached every instance (overlap: skip may leave one out; an echo ends in well
    // under a second, so at most a few): the three instances have near-equal counts.
    List<String> perInstance = query("SELECT count(*) FROM invocation_record GROUP BY instance_id");
    assertThat(perInstance).hasSize(3);
    assertThat(perInstance.stream().mapToInt(Integer::parseInt).min().orElseThrow())
        .as("records per instance after %s s", RUN_FOR.toSeconds()).isGreaterThanOrEqualTo(4);
    assertThat(query("SELECT count(*) FROM invocation_record WHERE status = 'Finished'").get(0))
        .isNotEqualTo("0");

    // Both nodes registered, with fresh beats and the same config.
    Instant now = Instant.now();
    List<String> beats = query("SELECT node_id || ' ' || beat_at FROM daemon_node ORDER BY node_id");
    assertThat(beats).hasSize(2);
    for (String beat : beats) {
      String[] parts = beat.split(" ");
      assertThat(nodeIds).contains(parts[0]);
      assertThat(Duration.between(Instant.parse(parts[1]), now).abs()).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(query("SELECT count(DISTINCT config_digest) FROM daemon_node")).containsExactly("1");
    assertThat(query("SELECT count(*) FROM qrtz_scheduler_state")).containsExactly("2");

    // What `fleetrun status` prints on this database lists both nodes, live, and no divergence.
    try (Database db = Database.openExisting(database.settings())) {
      String status = StatusProbe.text(db, Instant.now());
      assertThat(status).contains("cluster nodes: 2 (2 live)").doesNotContain("WARNING");
      for (String id : nodeIds) {
        assertThat(status).containsPattern(id + " .* live ");
      }
    }

    // A clean stop marks each node stopped.
    daemons.forEach(Process::destroy);
    for (Process daemon : daemons) {
      assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(daemon.exitValue()).as(logs()).isZero();
    }
    assertThat(query("SELECT count(*) FROM daemon_node WHERE stopped_at IS NOT NULL")).containsExactly("2");
  }

  @Test
  void aSecondDaemonWithTheNodeIdOfALiveOneRefusesToStartAndSaysWhoHasIt() throws Exception {
    String config = """
        database: { url: "%s", user: postgres }
        ssh: { knownHosts: %s }
        cluster: { nodeId: same-node }
        instances: [ { id: a, host: 127.0.0.1, port: 1 } ]
        commands: [ { id: c, content: "true" } ]
        """.formatted(database.url(), dir.resolve("known_hosts"));
    List<Path> files = new ArrayList<>();
    for (String node : List.of("n1", "n2")) {
      Path file = Files.createDirectories(dir.resolve(node)).resolve("fleetrun.yaml");
      files.add(Files.writeString(file, config));
    }
    Process first = FleetrunProcess.command("daemon", "--config", files.get(0).toString())
        .redirectOutput(dir.resolve("n1.log").toFile()).start();
    daemons.add(first);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> query("SELECT count(*) FROM qrtz_scheduler_state").equals(List.of("1")));

    Path secondLog = dir.resolve("n2.log");
    Process second = FleetrunProcess.command("daemon", "--config", files.get(1).toString())
        .redirectOutput(secondLog.toFile()).start();
    daemons.add(second);
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second daemon exits").isTrue();
    assertThat(second.exitValue()).as(logs()).isEqualTo(6);
    assertThat(Files.readString(secondLog))
        .contains("node id 'same-node' is in use by a live daemon: pid " + first.pid())
        .contains("cluster.nodeId");
    assertThat(first.isAlive()).isTrue();
    assertThat(query("SELECT node_id || ' ' || pid FROM daemon_node")).containsExactly("same-node " + first.pid());
  }

  /**
   * kill -9 of the node that runs a long script: the surviving node declares it dead, ends its
   * record Failed / ExecutionInterrupted and kills its process on the target, within the 30 s
   * failover target.
   */
  @Test
  void whenTheNodeRunningALongScriptIsKilledTheOtherEndsItsRecordAndItsProcessWithin30s() throws Exception {
    LongRun run = longScriptOnTheFirstNode();

    run.first().destroyForcibly(); // SIGKILL: no clean stop, no beat, the record left Running
    Instant killed = Instant.now();
    assertThat(run.first().waitFor(10, TimeUnit.SECONDS)).isTrue();
    awaitTakenOver(run, Duration.ofSeconds(30).minus(Duration.between(killed, Instant.now())));

    assertThat(query("SELECT node_id FROM invocation_record")).containsExactly(run.firstNode());
    assertThat(query("SELECT status FROM invocation")).containsExactly("Failed");
    // The one-time job ran once in the whole cluster, and the survivor goes on.
    assertThat(query("SELECT count(*) FROM invocation WHERE job_id = 'long'")).containsExactly("1");
    assertThat(run.second().isAlive()).isTrue();
  }

  /**
   * A node that only stalls (SIGSTOP) past the failover window is taken over like a dead one; when
   * it wakes up (SIGCONT) its beat finds it declared dead: it logs an ERROR, stops and exits 1,
   * and its late end of the record does not overwrite the survivor's.
   */
  @Test
  void aNodeThatStalledPastTheWindowIsTakenOverAndStopsWhenItWakes() throws Exception {
    LongRun run = longScriptOnTheFirstNode();

    signal("STOP", run.first().pid());
    try {
      awaitTakenOver(run, Duration.ofSeconds(40));
    } finally {
      signal("CONT", run.first().pid());
    }
    assertThat(run.first().waitFor(40, TimeUnit.SECONDS)).as("the woken node stops; %s", logs()).isTrue();
    assertThat(run.first().exitValue()).as(logs()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("n1.log")))
        .contains("node " + run.firstNode() + " was declared dead by node " + run.secondNode())
        .contains("refused this node's late end");
    assertThat(query("SELECT status || ' ' || error_code FROM invocation_record"))
        .containsExactly("Failed ExecutionInterrupted");
    assertThat(query("SELECT COALESCE(stopped_at, '-') FROM daemon_node WHERE node_id = '" + run.firstNode() + "'"))
        .as("a node declared dead does not mark itself stopped").containsExactly("-");
    assertThat(run.second().isAlive()).isTrue();
  }

  /** Two nodes and a long one-time script running on the first. */
  private record LongRun(Process first, Process second, String firstNode, String secondNode, String marker,
      String sleep) {}

  /**
   * Starts n1 with a one-time job that runs a long script on one OpenSSH target, waits until the
   * script runs, then starts n2 with the same config: the script runs on n1 (n2 was not there when
   * it fired), and n2 is a full node of the cluster.
   */
  private LongRun longScriptOnTheFirstNode() throws Exception {
    targets = OpenSshTargets.start(Files.createDirectories(dir.resolve("farm")), 1);
    // Its own length: processesMatching looks at every process of the machine, where another
    // build's ClusterIT may run its long script meanwhile. The "s" ends the number, so no other
    // run's sleep contains this one.
    String sleep = "sleep 300." + ThreadLocalRandom.current().nextLong(100_000_000_000L, 1_000_000_000_000L) + "s";
    String config = """
        database: { url: "%s", user: postgres }
        ssh: { user: %s, identityFile: %s, knownHosts: %s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
        commands:
          - { id: long, content: "%s; echo late", timeout: 600s }
        jobs:
          - { id: long, command: long, targets: { instances: [a] }, repeat: Once }
        """.formatted(database.url(), targets.user(), targets.clientKey(), targets.knownHosts(),
        targets.ports().get(0), sleep);
    List<Path> files = new ArrayList<>();
    for (String node : List.of("n1", "n2")) {
      files.add(Files.writeString(Files.createDirectories(dir.resolve(node)).resolve("fleetrun.yaml"), config));
    }
    Process first = FleetrunProcess.command("daemon", "--config", files.get(0).toString())
        .redirectOutput(dir.resolve("n1.log").toFile()).start();
    daemons.add(first);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> query("SELECT count(*) FROM invocation_record WHERE detail_status = 'Running'"
            + " AND remote_pgid IS NOT NULL").equals(List.of("1")) && !targets.processesMatching(sleep).isEmpty());
    String marker = query("SELECT 'fleetrun-' || invoke_id || '-' || record_id FROM invocation_record").get(0);

    Process second = FleetrunProcess.command("daemon", "--config", files.get(1).toString())
        .redirectOutput(dir.resolve("n2.log").toFile()).start();
    daemons.add(second);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> query("SELECT count(*) FROM qrtz_scheduler_state").equals(List.of("2")));
    return new LongRun(first, second, Files.readString(files.get(0).resolveSibling("data/node-id")).trim(),
        Files.readString(files.get(1).resolveSibling("data/node-id")).trim(), marker, sleep);
  }

  /** Within {@code within}: n1's record ended by n2, its process gone from the target, n2's log says so. */
  private void awaitTakenOver(LongRun run, Duration within) throws Exception {
    await().atMost(within).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> query("SELECT status || ' ' || detail_status || ' ' || error_code FROM invocation_record")
                .equals(List.of("Failed Terminated ExecutionInterrupted"))
            && targets.processesMatching(run.marker()).isEmpty() && targets.processesMatching(run.sleep()).isEmpty());
    assertThat(query("SELECT node_id || ' ' || declared_dead_by FROM daemon_node WHERE declared_dead_at IS NOT NULL"))
        .containsExactly(run.firstNode() + " " + run.secondNode());
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
        assertThat(Files.readString(dir.resolve("n2.log"))).as(logs())
            .contains("node " + run.firstNode() + " declared dead by this node")
            .contains("take-over of node " + run.firstNode() + ": 1 kill(s) done"));
  }

  /** The shell builtin kill with a positive pid: SIGSTOP / SIGCONT of a daemon process. */
  private static void signal(String name, long pid) throws Exception {
    Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + pid).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s %d", name, pid).isZero();
  }

  private List<String> query(String sql) throws SQLException {
    try (Connection c = database.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
      return rows;
    }
  }

  private String logs() {
    StringBuilder out = new StringBuilder();
    for (String node : List.of("n1", "n2")) {
      try {
        List<String> lines = Files.readAllLines(dir.resolve(node + ".log"));
        out.append("\n--- ").append(node).append(" (last 30 lines)\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
      } catch (java.io.IOException e) {
        out.append("\n--- ").append(node).append(": ").append(e.getMessage());
      }
    }
    return out.toString();
  }
}
