package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.testing.OpenSshTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Removing a periodic job from the saved config file, against real OpenSSH targets. */
class ConfigReloadIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private OpenSshTargets targets;
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (targets != null) {
      targets.close();
    }
  }

  @Test
  void removingAPeriodicJobStopsItsInvocationAndKillsItsRemoteProcessesAndAddingItBackStartsItAgain()
      throws Exception {
    targets = OpenSshTargets.start(Files.createDirectories(dir.resolve("farm")), 2);
    ReloadFixture config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: root, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
          - { id: b, host: 127.0.0.1, port: %d }
        commands:
          - { id: long, content: "sh -c 'sleep 414; echo reload-marker'", timeout: 60s }
          - { id: hi, content: "echo hi" }
        jobs:
          - { id: keep, command: hi, targets: { instances: [a] }, repeat: Period, frequency: "rate(1s)" }
        """.formatted(dir.resolve("fleetrun.db"), targets.clientKey(), targets.knownHosts(),
            targets.ports().get(0), targets.ports().get(1)));
    String withLong =
        "  - { id: long, command: long, targets: { instances: [a, b] }, repeat: Period, frequency: \"rate(1s)\" }\n";
    config.save(withLong);
    daemon = config.start();
    await().atMost(WAIT).until(() -> config.count("SELECT count(*) FROM invocation_record r JOIN invocation i "
        + "USING (invoke_id) WHERE i.job_id = 'long' AND r.detail_status = 'Running' AND r.remote_pgid IS NOT NULL") >= 2);
    assertThat(targets.processesMatching("sleep 414")).isNotEmpty();
    String invokeId = config.query("SELECT invoke_id FROM invocation WHERE job_id = 'long'").get(0);

    config.save("");

    await().atMost(WAIT).until(() ->
        config.query("SELECT status FROM invocation WHERE invoke_id = '" + invokeId + "'").equals(List.of("Stopped")));
    assertThat(config.query("SELECT (stopped_at IS NOT NULL) || (finished_at IS NOT NULL) FROM invocation "
        + "WHERE invoke_id = '" + invokeId + "'")).containsExactly("11");
    assertThat(config.query("SELECT instance_id || ':' || status || ':' || (stopped_at IS NOT NULL) "
        + "FROM invocation_instance WHERE invoke_id = '" + invokeId + "' ORDER BY instance_no"))
        .containsExactly("a:Stopped:1", "b:Stopped:1");
    await().atMost(WAIT).until(() -> config.count(
        "SELECT count(*) FROM invocation_record WHERE invoke_id = '" + invokeId + "' AND status = 'Running'") == 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> targets.processesMatching("sleep 414").isEmpty());
    // The records that were running when the job was removed: stopped like a person's stop.
    assertThat(config.query("SELECT DISTINCT status || ':' || detail_status || ':' || (stop_time IS NOT NULL) "
        + "FROM invocation_record WHERE invoke_id = '" + invokeId + "'"))
        .containsExactly("Stopped:Cancelled:1");
    assertThat(config.count("SELECT count(*) FROM stopped_job")).as("a removal is not a person's stop").isZero();
    assertThat(config.query("SELECT TRIGGER_NAME FROM QRTZ_TRIGGERS")).containsExactly("keep");
    assertThat(config.query("SELECT last_reload_result || ': ' || last_reload_message FROM daemon_heartbeat"))
        .containsExactly("ok: jobs removed [long]");
    // The removed job fires no more, watched while the kept one (also every second) fires twice.
    long records = config.count("SELECT count(*) FROM invocation_record WHERE invoke_id = '" + invokeId + "'");
    String kept = "SELECT count(*) FROM invocation_record r JOIN invocation i USING (invoke_id) WHERE i.job_id = 'keep'";
    long keptBefore = config.count(kept);
    await().atMost(WAIT).until(() -> config.count(kept) >= keptBefore + 2);
    assertThat(config.count("SELECT count(*) FROM invocation_record WHERE invoke_id = '" + invokeId + "'"))
        .isEqualTo(records);

    config.save(withLong);

    await().atMost(WAIT).until(() -> config.query("SELECT status FROM invocation WHERE job_id = 'long' ORDER BY created_at")
        .equals(List.of("Stopped", "Running")));
    await().atMost(WAIT).until(() -> !targets.processesMatching("sleep 414").isEmpty());
    daemon.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> targets.processesMatching("sleep 414").isEmpty());
  }
}
