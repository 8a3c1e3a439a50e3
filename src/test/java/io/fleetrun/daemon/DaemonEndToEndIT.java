package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.Main;
import io.fleetrun.config.ConfigLoader;
import io.fleetrun.testing.OpenSshTargets;
import io.fleetrun.testing.SqlReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole daemon against real OpenSSH targets, from a YAML config, read back with plain SQL the
 * way an operator's sqlite3 would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonEndToEndIT {
  private Path dir;
  private OpenSshTargets targets;
  private Daemon daemon;
  private Path configFile;
  private Path db;

  @BeforeAll
  void startTargetsAndDaemon(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    targets = OpenSshTargets.start(Files.createDirectories(dir.resolve("farm")), 3);
    db = dir.resolve("fleetrun.db");
    List<Integer> p = targets.ports();
    configFile = dir.resolve("fleetrun.yaml");
    Files.writeString(configFile, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: root, identityFile: %s, knownHosts: %s, hostKeyPolicy: strict, connectTimeout: 5s }
        limits: { maxSessions: 50, outputBytes: 4096 }
        instances:
          - { id: a, host: 127.0.0.1, port: %d, tags: [web] }
          - { id: b, host: 127.0.0.1, port: %d, tags: [web] }
          - { id: c, host: 127.0.0.1, port: %d }
        commands:
          - { id: hello, content: "echo hello-{{fleetrun.instanceId}} {{greeting}}", timeout: 20s, parameters: { greeting: hi } }
          - { id: slow-on-b, content: "if [ {{fleetrun.instanceId}} = b ]; then sh -c 'sleep 411; echo e2e-timeout-marker'; fi; echo done", timeout: 2s }
          - { id: long-tick, content: "sh -c 'sleep 412; echo e2e-periodic-marker'", timeout: 60s }
          - { id: flood, content: "head -c 200000 /dev/zero | tr '\\\\0' x; echo; echo tail-line", timeout: 20s }
          - { id: exit3, content: "echo failing >&2; exit 3", timeout: 20s }
          - { id: pulse, content: "true", timeout: 20s }
        jobs:
          - { id: j-hello, command: hello, targets: { instances: [a, b, c] }, repeat: Once }
          - { id: j-partial, command: slow-on-b, targets: { tags: [web] }, repeat: Once }
          - { id: j-long-tick, command: long-tick, targets: { instances: [a, c] }, repeat: Period, frequency: "rate(1s)", overlap: allow }
          - { id: j-flood, command: flood, targets: { instances: [c] }, repeat: Once }
          - { id: j-pulse, command: pulse, targets: { instances: [c] }, repeat: Period, frequency: "rate(1s)" }
        """.formatted(db, targets.clientKey(), targets.knownHosts(), p.get(0), p.get(1), p.get(2)));
    daemon = Daemon.start(ConfigLoader.load(configFile), Clock.systemUTC(),
        new Daemon.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), "e2e", Duration.ofMillis(100)));
  }

  @AfterAll
  void stopAll() {
    if (daemon != null) {
      daemon.close();
    }
    if (targets != null) {
      targets.close();
    }
  }

  @Test
  void oneTimeJobFinishesOnEveryInstanceWithItsOutput() throws Exception {
    awaitStatus("j-hello", "Finished");
    assertThat(query("SELECT r.instance_id || ':' || r.status || ':' || r.detail_status || ':' || r.exit_code || ':' || rtrim(r.output, char(10)) "
        + "FROM invocation_record r JOIN invocation i USING (invoke_id) WHERE i.job_id = 'j-hello' ORDER BY r.instance_id"))
        .containsExactly("a:Finished:Success:0:hello-a hi", "b:Finished:Success:0:hello-b hi", "c:Finished:Success:0:hello-c hi");
    assertThat(query("SELECT ii.status FROM invocation_instance ii JOIN invocation i USING (invoke_id) WHERE i.job_id = 'j-hello'"))
        .containsOnly("Finished");
    assertThat(query("SELECT finished_at IS NOT NULL FROM invocation WHERE job_id = 'j-hello'")).containsExactly("1");
  }

  @Test
  void timeoutOnOneInstanceGivesPartialFailedAndLeavesNoProcessBehind() throws Exception {
    awaitStatus("j-partial", "PartialFailed");
    assertThat(query("SELECT r.instance_id || ':' || r.status || ':' || r.detail_status || ':' || ifnull(r.error_code, '-') "
        + "FROM invocation_record r JOIN invocation i USING (invoke_id) WHERE i.job_id = 'j-partial' ORDER BY r.instance_id"))
        .containsExactly("a:Finished:Success:-", "b:Failed:Timeout:ExecutionTimeout");
    await().atMost(Duration.ofSeconds(10)).until(() -> targets.processesMatching("sleep 411").isEmpty());
  }

  @Test
  void floodOfOutputKeepsHeadAndTailAndCountsWhatWasDropped() throws Exception {
    awaitStatus("j-flood", "Finished");
    List<String> row = query("SELECT r.dropped || ':' || length(r.output) || ':' || (r.output LIKE '%tail-line%') "
        + "FROM invocation_record r JOIN invocation i USING (invoke_id) WHERE i.job_id = 'j-flood'");
    String[] parts = row.get(0).split(":");
    assertThat(Long.parseLong(parts[0])).isBetween(190_000L, 200_100L);
    assertThat(Integer.parseInt(parts[1])).isLessThan(4096 + 200);
    assertThat(parts[2]).isEqualTo("1");
  }

  @Test
  void periodicJobAccumulatesRecordsStaysRunningAndCliStopEndsItAndItsProcesses() throws Exception {
    await().atMost(Duration.ofSeconds(20)).until(() ->
        count("SELECT count(*) FROM invocation_record r JOIN invocation i USING (invoke_id) WHERE i.job_id = 'j-long-tick'") >= 4);
    assertThat(query("SELECT status FROM invocation WHERE job_id = 'j-long-tick'")).containsExactly("Running");
    assertThat(query("SELECT DISTINCT repeat_no FROM invocation_record r JOIN invocation i USING (invoke_id) "
        + "WHERE i.job_id = 'j-long-tick' AND r.instance_id = 'a' ORDER BY repeat_no LIMIT 2")).containsExactly("1", "2");
    await().atMost(Duration.ofSeconds(10)).until(() -> !targets.processesMatching("sleep 412").isEmpty());
    String invokeId = query("SELECT invoke_id FROM invocation WHERE job_id = 'j-long-tick'").get(0);

    Cli stranger = cli("stop", invokeId, "--instance", "zz");
    assertThat(stranger.exitCode).isEqualTo(3);
    assertThat(stranger.err).contains("has no instance [zz]").doesNotContain("Exception");
    assertThat(cli("stop", invokeId, "--instance", "a").exitCode).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() ->
        query("SELECT status FROM invocation_instance WHERE invoke_id = '" + invokeId + "' AND instance_id = 'a'").equals(List.of("Stopped")));
    assertThat(query("SELECT status FROM invocation WHERE invoke_id = '" + invokeId + "'")).containsExactly("Running");

    assertThat(cli("stop", invokeId).exitCode).isZero();
    awaitStatus("j-long-tick", "Stopped");
    await().atMost(Duration.ofSeconds(10)).until(() -> targets.processesMatching("sleep 412").isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        count("SELECT count(*) FROM invocation_record WHERE invoke_id = '" + invokeId + "' AND status = 'Running'") == 0);
    // A stopped periodic job stays stopped: later fires create no new invocation and no record.
    // Watched while j-pulse, firing every second as j-long-tick did, adds two records: the
    // scheduler was live in that window.
    String tickRecords = "SELECT count(*) FROM invocation_record r JOIN invocation i USING (invoke_id) "
        + "WHERE i.job_id = 'j-long-tick'";
    String pulseRecords = tickRecords.replace("j-long-tick", "j-pulse");
    long ticks = count(tickRecords);
    long pulses = count(pulseRecords);
    await().atMost(Duration.ofSeconds(20)).until(() -> count(pulseRecords) >= pulses + 2);
    assertThat(query("SELECT status FROM invocation WHERE job_id = 'j-long-tick'")).containsExactly("Stopped");
    assertThat(count(tickRecords)).isEqualTo(ticks);
    assertThat(query("SELECT DISTINCT status || ':' || detail_status FROM invocation_record WHERE invoke_id = '" + invokeId
        + "' AND stop_time IS NOT NULL")).containsOnly("Stopped:Cancelled");
    assertThat(query("SELECT stopped_at IS NOT NULL FROM invocation WHERE invoke_id = '" + invokeId + "'")).containsExactly("1");
  }

  @Test
  void adHocRunThroughTheCliWaitsForTheEndAndReportsExitCodes() throws Exception {
    Cli ok = cli("run", "--command", "hello", "--tags", "web", "--param", "greeting=x; rm -rf /tmp/nothing #", "--wait");
    assertThat(ok.exitCode).as(ok.err).isZero();
    String invokeId = ok.out.trim();
    assertThat(query("SELECT rtrim(output, char(10)) FROM invocation_record WHERE invoke_id = '" + invokeId + "' ORDER BY instance_id"))
        .as("stdout of run: %s", ok.out)
        .containsExactly("hello-a x; rm -rf /tmp/nothing #", "hello-b x; rm -rf /tmp/nothing #");

    Cli failing = cli("run", "--command", "exit3", "--instances", "c", "--wait");
    assertThat(failing.exitCode).isEqualTo(1);
    assertThat(failing.err).contains("ExitCodeNonzero").contains("failing");

    Cli refused = cli("run", "--command", "nope", "--instances", "c");
    assertThat(refused.exitCode).isEqualTo(3);
    assertThat(refused.err).contains("no command 'nope'");
  }

  @Test
  void cliListsInvocationsAndResultsAsTableAndJson() throws Exception {
    awaitStatus("j-hello", "Finished");
    Cli list = cli("invocations", "--job", "j-hello", "--json");
    assertThat(list.exitCode).isZero();
    assertThat(list.out).contains("\"job_id\" : \"j-hello\"").contains("\"status\" : \"Finished\"");
    String invokeId = query("SELECT invoke_id FROM invocation WHERE job_id = 'j-hello'").get(0);
    Cli results = cli("results", invokeId, "--instance", "b");
    assertThat(results.exitCode).isZero();
    assertThat(results.out).contains("hello-b hi").doesNotContain("hello-a");
  }

  private record Cli(int exitCode, String out, String err) {}

  private Cli cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--config");
    all.add(configFile.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    synchronized (DaemonEndToEndIT.class) {
      try {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = Main.commandLine().execute(all.toArray(String[]::new));
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
    }
  }

  private void awaitStatus(String job, String status) {
    await().atMost(Duration.ofSeconds(30)).until(() ->
        query("SELECT status FROM invocation WHERE job_id = '" + job + "'").equals(List.of(status)));
  }

  private long count(String sql) throws SQLException {
    return Long.parseLong(query(sql).get(0));
  }

  /** A separate reader connection, as sqlite3 would be. */
  private List<String> query(String sql) throws SQLException {
    return SqlReader.firstColumn(db, sql);
  }
}
