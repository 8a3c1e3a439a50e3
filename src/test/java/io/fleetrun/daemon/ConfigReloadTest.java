package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.ReloadResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edits of the config file while an in-process daemon runs, against the in-process SSH server
 * (real /bin/sh processes). The reload comes from the file watcher or from {@link Daemon#reload()}
 * (what SIGHUP calls).
 */
class ConfigReloadTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;
  private EmbeddedSshServer server;
  private ReloadFixture config;
  private Daemon daemon;

  @BeforeEach
  void startServer() throws Exception {
    server = EmbeddedSshServer.start(dir.resolve("ssh"));
    String instance = "  - { id: %s, host: 127.0.0.1, port: " + server.port() + " }\n";
    config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        instances:
        """.formatted(dir.resolve("fleetrun.db"), System.getProperty("user.name"), server.clientKey(), server.knownHosts())
        + instance.formatted("a") + instance.formatted("b") + instance.formatted("c"));
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    server.close();
  }

  @Test
  void aJobAddedToTheSavedFileRunsWithoutARestart() throws Exception {
    config.save("""
        commands: [ { id: hi, content: "echo hi-{{fleetrun.instanceId}}" } ]
        jobs: [ { id: first, command: hi, targets: { instances: [a] }, repeat: Once } ]
        """);
    daemon = config.start();
    await().atMost(WAIT).until(() -> config.records("first").equals(List.of("a:Finished:hi-a")));

    config.save("""
        commands: [ { id: hi, content: "echo hi-{{fleetrun.instanceId}}" } ]
        jobs:
          - { id: first, command: hi, targets: { instances: [a] }, repeat: Once }
          - { id: added, command: hi, targets: { instances: [b, c] }, repeat: Once }
        """);

    await().atMost(WAIT).until(() -> config.records("added").equals(List.of("b:Finished:hi-b", "c:Finished:hi-c")));
    assertThat(config.records("first")).containsExactly("a:Finished:hi-a");
    await().atMost(WAIT).until(() -> config.query("SELECT last_reload_result FROM daemon_heartbeat").equals(List.of("ok")));
    assertThat(config.query("SELECT last_reload_message FROM daemon_heartbeat")).containsExactly("jobs added [added]");
    assertThat(config.query("SELECT config_loaded_at = last_reload_at FROM daemon_heartbeat")).containsExactly("1");
  }

  @Test
  void aSlowerRateGivesANewTriggerAndTheInvocationGoesOn() throws Exception {
    String body = """
        commands: [ { id: tick, content: "echo tick" } ]
        jobs: [ { id: tick, command: tick, targets: { instances: [a] }, repeat: Period, frequency: "rate(%s)" } ]
        """;
    config.edit(body.formatted("1s"));
    daemon = config.start();
    await().atMost(WAIT).until(() -> config.records("tick").size() >= 2);
    assertThat(trigger("tick")).containsExactly("Period rate(1s) misfire=run-once");
    String invokeId = config.query("SELECT invoke_id FROM invocation WHERE job_id = 'tick'").get(0);

    config.edit(body.formatted("2s"));
    ReloadResult result = daemon.reload();

    assertThat(result.applied()).isTrue();
    assertThat(result.message()).isEqualTo("jobs changed [tick]");
    assertThat(trigger("tick")).containsExactly("Period rate(2s) misfire=run-once");
    long before = config.records("tick").size();
    await().atMost(WAIT).until(() -> config.records("tick").size() >= before + 3);
    // The last three records came at the new rate: two gaps span ~4 s (2 s at the old rate). Two
    // gaps and a 1 s margin, so one fire a loaded machine delays cannot fail the test. Their
    // scheduled_at is the trigger's fire time (start_time may still be empty: not sent yet).
    List<Instant> starts = config.query("SELECT scheduled_at FROM invocation_record ORDER BY record_id DESC LIMIT 3")
        .stream().map(Instant::parse).toList();
    assertThat(Duration.between(starts.get(2), starts.get(0))).isGreaterThan(Duration.ofSeconds(3));
    assertThat(config.query("SELECT DISTINCT invoke_id || ':' || status FROM invocation")).containsExactly(invokeId + ":Running");
  }

  @Test
  void aChangedCommandShowsInTheNextRecordsOfTheSameInvocation() throws Exception {
    String body = """
        commands: [ { id: tick, content: "echo %s" } ]
        jobs: [ { id: tick, command: tick, targets: { instances: [a] }, repeat: Period, frequency: "rate(1s)" } ]
        """;
    config.edit(body.formatted("old-output"));
    daemon = config.start();
    await().atMost(WAIT).until(() -> config.records("tick").contains("a:Finished:old-output"));

    config.edit(body.formatted("new-output"));
    assertThat(daemon.reload().message()).isEqualTo("jobs changed [tick]; commands added/removed/changed [tick]");

    await().atMost(WAIT).until(() -> config.records("tick").contains("a:Finished:new-output"));
    List<String> records = config.records("tick");
    assertThat(records.subList(records.indexOf("a:Finished:new-output"), records.size()))
        .allMatch(r -> !r.endsWith("old-output"));
    assertThat(config.count("SELECT count(*) FROM invocation")).isEqualTo(1);
  }

  @Test
  void anInvalidEditIsRefusedWithFileAndLineAndTheOldConfigStays() throws Exception {
    String body = """
        commands: [ { id: tick, content: "echo tick" } ]
        jobs:
          - { id: tick, command: tick, targets: { instances: [a] }, repeat: Period, frequency: "%s" }
        """;
    config.edit(body.formatted("rate(1s)"));
    daemon = config.start();
    await().atMost(WAIT).until(() -> config.records("tick").size() >= 1);
    String loadedAt = config.query("SELECT config_loaded_at FROM daemon_heartbeat").get(0);

    config.edit(body.formatted("rate(soon)"));
    ReloadResult result = daemon.reload();

    assertThat(result.applied()).isFalse();
    int line = config.header().split("\n").length + 3;
    assertThat(result.message()).startsWith(config.file() + ":" + line + ":").contains("jobs[0].frequency");
    assertThat(config.query("SELECT last_reload_result || ' ' || last_reload_message FROM daemon_heartbeat"))
        .containsExactly("refused " + result.message());
    assertThat(config.query("SELECT config_loaded_at FROM daemon_heartbeat")).containsExactly(loadedAt);
    long before = config.records("tick").size();
    await().atMost(WAIT).until(() -> config.records("tick").size() >= before + 2);
    assertThat(trigger("tick")).containsExactly("Period rate(1s) misfire=run-once");
  }

  @Test
  void aRunInFlightDuringAnEditFinishesNormally() throws Exception {
    config.edit("""
        commands: [ { id: slow, content: "sleep 2; echo finished-normally" } ]
        jobs: [ { id: slow, command: slow, targets: { instances: [a] }, repeat: Period, frequency: "rate(1h)" } ]
        """);
    daemon = config.start();
    await().atMost(WAIT).until(() ->
        config.query("SELECT detail_status FROM invocation_record").equals(List.of("Running")));

    config.edit("""
        commands: [ { id: slow, content: "echo edited" } ]
        jobs: [ { id: slow, command: slow, targets: { instances: [a] }, repeat: Period, frequency: "rate(1h)" } ]
        """);
    assertThat(daemon.reload().applied()).isTrue();

    await().atMost(WAIT).until(() -> !config.records("slow").get(0).contains("Running"));
    assertThat(config.records("slow")).containsExactly("a:Finished:finished-normally");
    assertThat(config.query("SELECT status FROM invocation")).containsExactly("Running");
  }

  @Test
  void aPeriodicJobsRunningInvocationFollowsItsTargets() throws Exception {
    String body = """
        commands: [ { id: tick, content: "echo tick" } ]
        jobs: [ { id: tick, command: tick, targets: { instances: [%s] }, repeat: Period, frequency: "rate(1s)" } ]
        """;
    config.edit(body.formatted("a, b"));
    daemon = config.start();
    await().atMost(WAIT).until(() -> config.records("tick").containsAll(List.of("a:Finished:tick", "b:Finished:tick")));

    config.edit(body.formatted("b, c"));
    assertThat(daemon.reload().applied()).isTrue();

    assertThat(config.query("SELECT instance_id || ':' || status || ':' || (stopped_at IS NOT NULL) "
        + "FROM invocation_instance ORDER BY instance_no")).containsExactly("a:Stopped:1", "b:Running:0", "c:Running:0");
    await().atMost(WAIT).until(() -> config.records("tick").contains("c:Finished:tick"));
    // a, no longer a target, gets no record while b, still one, gets two: the job was firing.
    long aRecords = config.count("SELECT count(*) FROM invocation_record WHERE instance_id = 'a'");
    long bRecords = config.count("SELECT count(*) FROM invocation_record WHERE instance_id = 'b'");
    await().atMost(WAIT).until(() ->
        config.count("SELECT count(*) FROM invocation_record WHERE instance_id = 'b'") >= bRecords + 2);
    assertThat(config.count("SELECT count(*) FROM invocation_record WHERE instance_id = 'a'")).isEqualTo(aRecords);
    assertThat(config.query("SELECT status FROM invocation")).containsExactly("Running");
    assertThat(config.count("SELECT count(*) FROM stopped_job")).isZero();

    config.edit(body.formatted("a, b, c"));
    assertThat(daemon.reload().applied()).isTrue();
    await().atMost(WAIT).until(() ->
        config.count("SELECT count(*) FROM invocation_record WHERE instance_id = 'a'") > aRecords);
    assertThat(config.query("SELECT status FROM invocation_instance ORDER BY instance_no")).containsOnly("Running");
  }

  @Test
  void aJobAPersonStoppedStartsAgainWhenRemovedAndAddedBack() throws Exception {
    String job = "commands: [ { id: tick, content: \"echo tick\" } ]\n"
        + "jobs: [ { id: tick, command: tick, targets: { instances: [a] }, repeat: Period, frequency: \"rate(1s)\" } ]\n";
    config.edit(job);
    daemon = config.start();
    await().atMost(WAIT).until(() -> config.records("tick").size() >= 1);
    String first = config.query("SELECT invoke_id FROM invocation").get(0);
    daemon.invoker().stop(new InvokeId(first), Set.of());
    assertThat(config.count("SELECT count(*) FROM stopped_job")).isEqualTo(1);

    config.edit("jobs: []\n");
    assertThat(daemon.reload().message()).contains("jobs removed [tick]");
    assertThat(config.count("SELECT count(*) FROM stopped_job")).isZero();

    config.edit(job);
    assertThat(daemon.reload().message()).contains("jobs added [tick]");
    await().atMost(WAIT).until(() -> config.query("SELECT status FROM invocation ORDER BY created_at")
        .equals(List.of("Stopped", "Running")));
  }

  private List<String> trigger(String job) throws Exception {
    return config.query("SELECT DESCRIPTION FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = '" + job + "'");
  }
}
