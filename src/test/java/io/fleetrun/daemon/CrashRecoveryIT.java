package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.UtcText;
import io.fleetrun.testing.OpenSshTargets;
import io.fleetrun.testing.SqlReader;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * kill -9 of the daemon process at three moments of a one-time job on 20 real OpenSSH targets
 * (plus a periodic job), then a restart on the same database: nothing stays Running, statuses
 * follow the rules, the database is intact, and no process of the killed run is left on a
 * target.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRecoveryIT {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final int INSTANCES = 20;
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** When the daemon is killed, and the script (with a sleep unique to the case) it runs. */
  enum Moment {
    /** Right after the first record row appears, before every record has a process group. */
    DISPATCH("sleep 30.11; echo crash"),
    /** Every record runs on its target. */
    RUNNING("sleep 30.12; echo crash"),
    /** The first records end and their results are being written. */
    WRITING("sleep 2.13; echo done"),
    /**
     * Every record runs, its leader exec'd into a program without the run's marker (neither in
     * its command line nor in its environment): only its start time tells it is the run's.
     */
    RUNNING_WITHOUT_MARKER("exec env -i sleep 30.14; echo crash");

    final String script;

    Moment(String script) {
      this.script = script;
    }

    String sleep() {
      return script.substring(script.indexOf("sleep"), script.indexOf(';'));
    }
  }

  private Path farm;
  private OpenSshTargets targets;
  private Path dir;
  private final List<Process> daemons = new ArrayList<>();

  @BeforeAll
  void startTargets(@TempDir Path shared) throws Exception {
    farm = shared;
    targets = OpenSshTargets.start(Files.createDirectories(farm.resolve("farm")), INSTANCES);
  }

  @AfterAll
  void stopTargets() {
    if (targets != null) {
      targets.close();
    }
  }

  @AfterEach
  void killDaemons() {
    daemons.forEach(Process::destroyForcibly);
  }

  @ParameterizedTest
  @EnumSource(Moment.class)
  void killMinusNineLeavesNothingRunningAfterTheRestart(Moment moment) throws Exception {
    dir = Files.createDirectories(farm.resolve(moment.name().toLowerCase()));
    Path db = dir.resolve("fleetrun.db");
    Path config = writeConfig(db, moment);
    Process first = daemon(config, "first");

    waitFor(moment, db);
    first.destroyForcibly(); // SIGKILL: no shutdown hook, no clean stop
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long pgidsAtKill = Long.parseLong(one(db, "SELECT count(*) FROM invocation_record r JOIN invocation i "
        + "USING (invoke_id) WHERE i.job_id = 'once' AND r.remote_pgid IS NOT NULL"));
    if (moment == Moment.DISPATCH) {
      assertThat(pgidsAtKill).isLessThan(INSTANCES);
    }
    String killed = UtcText.format(Instant.now());

    Process second = daemon(config, "second");
    // The stale lease of the killed daemon delays the second one ~5 s; then repair ends every
    // record of the killed run.
    await().atMost(WAIT).ignoreExceptions().until(() ->
        query(db, "SELECT pid FROM daemon_heartbeat").contains(Long.toString(second.pid())));
    // Records of the killed run, sent or still waiting for their turn (start_time NULL).
    await().atMost(WAIT).until(() -> query(db, "SELECT count(*) FROM invocation_record WHERE status = 'Running' "
        + "AND coalesce(start_time, scheduled_at) < '" + killed + "'").equals(List.of("0")));
    assertThat(Duration.between(Instant.parse(killed), Instant.now())).isLessThan(Duration.ofSeconds(15));
    List<String> once = query(db, "SELECT r.status || ':' || r.detail_status || ':' || coalesce(r.error_code, '-') "
        + "|| ':' || (r.finish_time IS NOT NULL) FROM invocation_record r JOIN invocation i USING (invoke_id) "
        + "WHERE i.job_id = 'once'");
    assertThat(once).hasSize(INSTANCES);
    if (moment == Moment.WRITING) {
      assertThat(once).containsAnyOf("Finished:Success:-:1")
          .allMatch(s -> s.equals("Finished:Success:-:1") || s.equals("Failed:Terminated:ExecutionInterrupted:1"));
    } else {
      assertThat(once).containsOnly("Failed:Terminated:ExecutionInterrupted:1");
    }
    assertStatusesFollowTheRules(db);
    // The event stream tells of every end the repair made, as of the engine's (RecoveryEvents).
    long interrupted = once.stream().filter(s -> s.startsWith("Failed:Terminated:ExecutionInterrupted")).count();
    await().atMost(WAIT).until(() -> Long.parseLong(one(db, "SELECT count(*) FROM run_event e JOIN invocation i"
        + " USING (invoke_id) WHERE i.job_id = 'once' AND e.kind = 'record-ended'"
        + " AND e.payload LIKE '%ExecutionInterrupted%'")) == interrupted);
    assertThat(query(db, "PRAGMA integrity_check")).containsExactly("ok");
    await().atMost(Duration.ofSeconds(10)).until(() -> targets.processesMatching(moment.sleep()).isEmpty());

    // The one-time job does not run again; the periodic one goes on in its same invocation.
    assertThat(query(db, "SELECT count(*) FROM invocation WHERE job_id = 'once'")).containsExactly("1");
    await().atMost(WAIT).until(() -> Long.parseLong(one(db, "SELECT count(*) FROM invocation_record r "
        + "JOIN invocation i USING (invoke_id) WHERE i.job_id = 'tick' AND r.start_time > '" + killed + "'")) >= 2);
    assertThat(query(db, "SELECT count(*) || ':' || min(status) FROM invocation WHERE job_id = 'tick'"))
        .containsExactly("1:Running");

    second.destroy();
    assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();
    assertThat(query(db, "SELECT count(*) FROM daemon_lease")).containsExactly("0");
  }

  private void waitFor(Moment moment, Path db) throws SQLException {
    String onceRecords = "SELECT count(*) FROM invocation_record r JOIN invocation i USING (invoke_id) "
        + "WHERE i.job_id = 'once'";
    switch (moment) {
      case DISPATCH -> await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
          .until(() -> Long.parseLong(one(db, onceRecords)) >= 1);
      case RUNNING, RUNNING_WITHOUT_MARKER -> {
        await().atMost(WAIT).ignoreExceptions().until(() ->
            Long.parseLong(one(db, onceRecords + " AND r.remote_pgid IS NOT NULL")) == INSTANCES);
        await().atMost(WAIT).until(() -> targets.processesMatching(moment.sleep()).size() >= INSTANCES);
        // Written with the group id: the targets have /proc.
        assertThat(one(db, onceRecords + " AND r.remote_pgid_started IS NOT NULL"))
            .isEqualTo(Integer.toString(INSTANCES));
      }
      case WRITING -> await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
          .until(() -> Long.parseLong(one(db, onceRecords + " AND r.status <> 'Running'")) >= 1);
    }
  }

  /** Every invocation's status is what StatusCalculator makes of its instances' statuses. */
  private static void assertStatusesFollowTheRules(Path db) throws SQLException {
    StatusCalculator rules = new StatusCalculator();
    for (String row : query(db, "SELECT invoke_id || ' ' || repeat_mode || ' ' || status FROM invocation")) {
      String[] f = row.split(" ");
      List<RecordStatus> instances = query(db, "SELECT status FROM invocation_instance WHERE invoke_id = '"
          + f[0] + "'").stream().map(RecordStatus::valueOf).toList();
      assertThat(f[2]).as(row).isEqualTo(rules.overall(RepeatMode.valueOf(f[1]), instances).name());
    }
    // A one-time instance has its record's status.
    assertThat(query(db, "SELECT count(*) FROM invocation_instance ii JOIN invocation i USING (invoke_id) "
        + "JOIN invocation_record r USING (invoke_id, instance_id) WHERE i.repeat_mode = 'Once' "
        + "AND ii.status <> r.status")).containsExactly("0");
  }

  private Path writeConfig(Path db, Moment moment) throws Exception {
    List<Integer> ports = targets.ports();
    String instances = IntStream.range(0, INSTANCES)
        .mapToObj(i -> "  - { id: h%02d, host: 127.0.0.1, port: %d }".formatted(i, ports.get(i)))
        .collect(Collectors.joining("\n"));
    String all = IntStream.range(0, INSTANCES).mapToObj(i -> "h%02d".formatted(i))
        .collect(Collectors.joining(", "));
    Path config = dir.resolve("fleetrun.yaml");
    Files.writeString(config, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: root, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        limits: { maxSessions: 100 }
        instances:
        %s
        commands:
          - { id: work, content: "%s", timeout: 60s }
          - { id: tick, content: "echo tick", timeout: 10s }
        jobs:
          - { id: once, command: work, targets: { instances: [%s] }, repeat: Once }
          - { id: tick, command: tick, targets: { instances: [h00, h01] }, repeat: Period, frequency: "rate(1s)" }
        """.formatted(db, targets.clientKey(), targets.knownHosts(), instances, moment.script, all));
    return config;
  }

  /** Starts {@code fleetrun daemon} from the built jar; its log goes to target/crash-recovery-*.log. */
  private Process daemon(Path config, String name) throws Exception {
    List<String> argv = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dlogback.configurationFile=" + ROOT.resolve("config/logback.xml"),
        "-cp", ROOT.resolve("target/fleetrun.jar") + File.pathSeparator + ROOT.resolve("target/lib/*"),
        "io.fleetrun.Main", "daemon", "--config", config.toString());
    Process p = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ROOT.resolve("target/crash-recovery-" + dir.getFileName() + "-" + name + ".log").toFile())
        .start();
    daemons.add(p);
    return p;
  }

  private static String one(Path db, String sql) throws SQLException {
    return query(db, sql).get(0);
  }

  private static List<String> query(Path db, String sql) throws SQLException {
    return SqlReader.firstColumn(db, sql);
  }
}
