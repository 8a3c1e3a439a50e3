package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.Main;
import io.fleetrun.config.ConfigLoader;
import io.fleetrun.daemon.Daemon;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fleetrun status} against an in-process daemon whose jobs do not fire during the test. */
class StatusCommandTest {
  @TempDir Path dir;
  private Path configFile;
  private Daemon daemon;

  @BeforeEach
  void writeConfig() throws IOException {
    configFile = dir.resolve("fleetrun.yaml");
    Files.writeString(configFile, """
        database: { url: "jdbc:sqlite:%s" }
        instances:
          - { id: web-1, host: 127.0.0.1, port: %d }
        commands:
          - { id: noop, content: "true" }
        jobs:
          - { id: nightly, command: noop, targets: { instances: [web-1] }, repeat: Period, frequency: "0 0 2 * * ?" }
          - { id: later, command: noop, targets: { instances: [web-1] }, repeat: Once, frequency: "at(2099-01-01T00:00:00Z)" }
        """.formatted(dir.resolve("fleetrun.db"), closedLoopbackPort()));
  }

  @AfterEach
  void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void showsTheLiveDaemonItsJobsAndRunningRecords() throws Exception {
    startDaemon();
    startRecordOutsideTheDaemon("t-adhoc", "web-1");

    Result r = status();

    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out())
        .containsPattern("daemon +alive \\(heartbeat \\d+s ago\\)")
        .containsPattern("pid +" + ProcessHandle.current().pid())
        .containsPattern("config +" + configFile)
        .containsPattern("started +\\S+ \\(up \\d+s\\)")
        .containsPattern("last reload +-")
        .contains("scheduled jobs: 2")
        .containsPattern("nightly +\\d{4}-\\d\\d-\\d\\dT02:00:00Z +in \\S+.* WAITING")
        .containsPattern("later +2099-01-01T00:00:00Z +in \\S+")
        .contains("running records: 1")
        .containsPattern("t-adhoc +web-1 +\\(ad-hoc\\) +\\S+")
        .contains("pending CLI requests: 0");
    // The job that fires first is listed first.
    assertThat(r.out().indexOf("nightly")).isLessThan(r.out().indexOf("later "));
  }

  /**
   * Records not sent yet (no start_time: waiting for a session slot) are Running too: they are
   * counted apart and shown as waiting since their fire time, after the started ones, never as if
   * they had started.
   */
  @Test
  void recordsThatWaitToStartAreShownAsWaiting() throws Exception {
    startDaemon();
    startRecordOutsideTheDaemon("t-adhoc", "web-1");
    Instant fired = Instant.now().minusSeconds(90);
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      new JooqInvocationStore(db, new StatusCalculator()).createWithRecords(new NewInvocation(
          new InvokeId("t-queued"), Optional.empty(), new CommandId("noop"), "true", Map.of(),
          RepeatMode.Once, Optional.empty(), List.of(new InstanceId("db-1"), new InstanceId("db-2")), fired),
          fired);
    }

    Result text = status();
    assertThat(text.out())
        .contains("running records: 3 (1 started, 2 waiting to start)")
        .containsPattern("t-adhoc +web-1 +\\(ad-hoc\\) +RUNNING +\\S+")
        .containsPattern("t-queued +db-1 +\\(ad-hoc\\) +WAITING +" + fired.toString().substring(0, 19) + "\\S* \\(1m 3\\ds\\)");
    // Started first, then the waiting ones in the order they were queued.
    assertThat(text.out().indexOf("t-adhoc ")).isLessThan(text.out().indexOf("db-1"));
    assertThat(text.out().indexOf("db-1")).isLessThan(text.out().indexOf("db-2"));

    JsonNode json = new ObjectMapper().readTree(status("--json").out());
    assertThat(json.at("/running_records/count").asInt()).isEqualTo(3);
    assertThat(json.at("/running_records/waiting").asInt()).isEqualTo(2);
    assertThat(json.at("/running_records/newest/0/state").asText()).isEqualTo("running");
    assertThat(json.at("/running_records/newest/0/start_time").isNull()).isFalse();
    assertThat(json.at("/running_records/newest/1/state").asText()).isEqualTo("waiting");
    assertThat(json.at("/running_records/newest/1/start_time").isNull()).isTrue();
    assertThat(Instant.parse(json.at("/running_records/newest/1/scheduled_at").asText()))
        .isEqualTo(fired.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }

  @Test
  void jsonHasTheSameFacts() throws Exception {
    startDaemon();

    Result r = status("--json");

    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.at("/daemon/alive").asBoolean()).isTrue();
    assertThat(json.at("/daemon/pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    assertThat(json.at("/daemon/config_file").asText()).isEqualTo(configFile.toString());
    assertThat(json.at("/last_reload").isNull()).isTrue();
    assertThat(json.at("/jobs")).extracting(j -> j.get("job_id").asText())
        .containsExactly("nightly", "later");
    assertThat(Instant.parse(json.at("/jobs/1/next_fire_time").asText()))
        .isEqualTo(Instant.parse("2099-01-01T00:00:00Z"));
    assertThat(json.at("/running_records/count").asInt()).isZero();
    assertThat(json.at("/pending_requests").asInt()).isZero();
  }

  @Test
  void afterTheDaemonStopsItSaysSoAndExitsNoDaemon() throws Exception {
    startDaemon();
    daemon.close();
    daemon = null;

    Result r = status();

    assertThat(r.exit()).isEqualTo(ExitCodes.NO_DAEMON);
    assertThat(r.out())
        .containsPattern("daemon +not running")
        .containsPattern("pid +-")
        // Quartz's triggers stay in the database: what would fire is still known.
        .contains("scheduled jobs: 2");
  }

  @Test
  void withoutADatabaseNoDaemonHasRun() {
    Result r = status();

    assertThat(r.exit()).isEqualTo(ExitCodes.NO_DAEMON);
    assertThat(r.out()).containsPattern("daemon +not running \\(no fleetrun database");
  }

  private void startDaemon() {
    daemon = Daemon.start(ConfigLoader.load(configFile), Clock.systemUTC(),
        new Daemon.Settings(Duration.ofMillis(200), Duration.ofSeconds(2), "status-test",
            Duration.ofMillis(100)));
  }

  /** A record that runs, as another daemon of a cluster would have it. */
  private void startRecordOutsideTheDaemon(String invokeId, String instance) {
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      store.createInvocation(new NewInvocation(new InvokeId(invokeId), Optional.empty(),
          new CommandId("noop"), "true", Map.of(), RepeatMode.Once, Optional.empty(),
          List.of(new InstanceId(instance)), Instant.now()));
      store.startRecord(new InvokeId(invokeId), new InstanceId(instance), Instant.now());
    }
  }

  private record Result(int exit, String out) {}

  private Result status(String... extra) {
    StringWriter out = new StringWriter();
    String[] args = new String[2 + extra.length + 1];
    args[0] = "status";
    System.arraycopy(extra, 0, args, 1, extra.length);
    args[extra.length + 1] = "--config";
    args[extra.length + 2] = configFile.toString();
    int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()))
        .execute(args);
    return new Result(exit, out.toString());
  }

  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
