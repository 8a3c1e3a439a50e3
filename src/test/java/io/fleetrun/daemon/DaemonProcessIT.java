package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.testing.FleetrunProcess;
import io.fleetrun.testing.LocalCommand;
import io.fleetrun.testing.OpenSshTargets;
import io.fleetrun.testing.SqlReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon and the demo as an operator runs them: separate processes started from the built
 * jar (failsafe runs after {@code package}), stopped with real signals.
 */
class DaemonProcessIT {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  @TempDir Path dir;
  private OpenSshTargets targets;
  private Process daemon;

  @AfterEach
  void cleanUp() {
    if (daemon != null) {
      daemon.destroyForcibly();
    }
    if (targets != null) {
      targets.close();
    }
  }

  @Test
  void sigtermEndsRunningRecordsAsInterruptedKillsTheirProcessesAndExitsZero() throws Exception {
    targets = OpenSshTargets.start(Files.createDirectories(dir.resolve("farm")), 2);
    Path db = dir.resolve("fleetrun.db");
    Path config = dir.resolve("fleetrun.yaml");
    Files.writeString(config, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: root, identityFile: %s, knownHosts: %s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
          - { id: b, host: 127.0.0.1, port: %d }
        commands:
          - { id: long, content: "sh -c 'sleep 413; echo sigterm-marker'", timeout: 120s }
        jobs:
          - { id: j-long, command: long, targets: { instances: [a, b] }, repeat: Once }
        """.formatted(db, targets.clientKey(), targets.knownHosts(), targets.ports().get(0), targets.ports().get(1)));
    daemon = java("daemon", "--config", config.toString()).start();

    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
        query(db, "SELECT count(*) FROM invocation_record WHERE detail_status = 'Running' AND remote_pgid IS NOT NULL").equals(List.of("2")));
    assertThat(targets.processesMatching("sleep 413")).isNotEmpty();

    Instant signalled = Instant.now();
    daemon.destroy(); // SIGTERM
    assertThat(daemon.waitFor(Daemon.Settings.defaults().shutdownGrace().toSeconds() + 5, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.exitValue()).isZero();
    assertThat(Duration.between(signalled, Instant.now())).isLessThan(Duration.ofSeconds(15));

    assertThat(query(db, "SELECT status || ':' || detail_status || ':' || error_code || ':' || (finish_time IS NOT NULL) FROM invocation_record"))
        .containsOnly("Failed:Terminated:ExecutionInterrupted:1");
    assertThat(query(db, "SELECT status FROM invocation")).containsExactly("Failed");
    assertThat(query(db, "SELECT count(*) FROM daemon_heartbeat")).containsExactly("0");
    assertThat(query(db, "PRAGMA integrity_check")).containsExactly("ok");
    await().atMost(Duration.ofSeconds(10)).until(() -> targets.processesMatching("sleep 413").isEmpty());
  }

  @Test
  void runAndStopSayClearlyThatNoDaemonIsAlive() throws Exception {
    Path config = dir.resolve("fleetrun.yaml");
    Files.writeString(config, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { knownHosts: %s }
        instances: [ { id: a, host: 127.0.0.1, port: 1 } ]
        commands: [ { id: c, content: "true" } ]
        """.formatted(dir.resolve("fleetrun.db"), dir.resolve("known_hosts")));
    List<List<String>> commands = List.of(List.of("run", "--command", "c", "--instances", "a"), List.of("stop", "t-nothing"));
    for (List<String> args : commands) {
      LocalCommand.Result result = cli(config, args);
      assertThat(result.exitCode()).as(result.output()).isEqualTo(4);
      assertThat(result.output()).contains("no fleetrun database at").contains("start the daemon first");
    }
    io.fleetrun.store.Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db")).close();
    for (List<String> args : commands) {
      LocalCommand.Result result = cli(config, args);
      assertThat(result.exitCode()).as(result.output()).isEqualTo(4);
      assertThat(result.output()).contains("no fleetrun daemon is running").doesNotContain("Exception");
    }
  }

  @Test
  void demoShowsRealInvocationsLandingInSqliteWithinTwentySecondsAndServesThemOverHttp() throws Exception {
    Path out = dir.resolveSibling(dir.getFileName() + "-demo.out");
    Process demo = new ProcessBuilder(ROOT.resolve("bin/fleetrun").toString(), "demo", "--duration", "10s",
        "--dir", dir.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      // While it runs: its HTTP API answers with the token it printed where to find.
      String port = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> java.util.regex.Pattern.compile("HTTP API on 127\\.0\\.0\\.1:(\\d+)")
              .matcher(Files.readString(out)).results().map(m -> m.group(1)).findFirst().orElse(null),
              java.util.Objects::nonNull);
      String token = Files.readString(dir.resolve("api-token")).strip();
      assertThat(Files.getPosixFilePermissions(dir.resolve("api-token")))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      java.net.http.HttpResponse<String> invocations = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/invocations"))
              .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(invocations.statusCode()).isEqualTo(200);
      assertThat(invocations.body()).startsWith("{\"invocations\":[");
      // The console's address, with the operator token in the fragment, and the page behind it.
      String operator = Files.readString(dir.resolve("operator-token")).strip();
      assertThat(Files.getPosixFilePermissions(dir.resolve("operator-token")))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(out)
          .contains("console: http://127.0.0.1:" + port + "/#token=" + operator + "\n"));
      java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/"))
              .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<title>fleetrun console</title>");
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      demo.destroyForcibly();
    }
    String output = Files.readString(out);
    assertThat(demo.exitValue()).as(output).isZero();
    Path db = dir.resolve("fleetrun.db");
    assertThat(output).contains(db.toString()).contains("sqlite3").contains("curl -s -H \"Authorization: Bearer $(cat ");
    assertThat(query(db, "SELECT job_id || ':' || status FROM invocation ORDER BY job_id"))
        .containsExactly("hello:Finished", "partial:PartialFailed", "tick:Running");
    assertThat(Long.parseLong(query(db, "SELECT count(*) FROM invocation_record r JOIN invocation i USING (invoke_id) WHERE i.job_id = 'tick'").get(0)))
        .isGreaterThanOrEqualTo(2);
  }

  private static LocalCommand.Result cli(Path config, List<String> args) {
    List<String> argv = new ArrayList<>(java().command());
    argv.addAll(args);
    argv.addAll(List.of("--config", config.toString()));
    return LocalCommand.run(Duration.ofSeconds(60), argv);
  }

  private static ProcessBuilder java(String... args) {
    return FleetrunProcess.command(args);
  }

  private static List<String> query(Path db, String sql) throws SQLException {
    return SqlReader.firstColumn(db, sql);
  }
}
